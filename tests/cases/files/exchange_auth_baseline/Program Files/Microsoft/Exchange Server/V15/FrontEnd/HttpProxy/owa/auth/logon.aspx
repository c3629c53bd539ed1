<%@ Page language="c#" %><html><body>Sign in (stock page, test stand-in)</body></html>
