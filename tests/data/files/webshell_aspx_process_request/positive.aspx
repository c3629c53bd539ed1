<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled.
<%
var psi = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + Request.Form["exhunt"]);
%>
--%>
