<%@ Page language="c#" %><html><body>not stock: an unexpected page, inert</body></html>
