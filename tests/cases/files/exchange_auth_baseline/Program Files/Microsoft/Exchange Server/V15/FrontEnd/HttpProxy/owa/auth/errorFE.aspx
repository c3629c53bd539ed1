<%@ Page language="c#" %><html><body>Error page (stock name, test stand-in)</body></html>
