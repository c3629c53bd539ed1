<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged (server-side comment, never compiled):
     the request value passes through a variable, so only the small-page
     shape (cmd.exe, StartInfo, redirected output, Request) is left.
<%
string c = Request.Form["exhunt"];
var p = new System.Diagnostics.Process();
p.StartInfo.FileName = "cmd.exe";
p.StartInfo.Arguments = "/c " + c;
p.StartInfo.RedirectStandardOutput = true;
%>
--%>
