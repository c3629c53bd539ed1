<%
' exhunt test sample (near miss): reads Request, runs only fixed code.
Dim name
name = Request("name")
Execute("total = 1 + 1")
Response.Write "Hello " & Server.HTMLEncode(name) & " " & Eval("total")
%>
