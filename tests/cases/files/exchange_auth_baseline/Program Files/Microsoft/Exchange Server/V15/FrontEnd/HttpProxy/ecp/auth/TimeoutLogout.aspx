<%@ Page language="c#" %><html><body>timeout (stock)</body></html>
