<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled. The banner of ASPXSpy
     beside one of its panels (the process list), no working code.
<title>ASPXSpy (exhunt test)</title>
<% foreach (var x in System.Diagnostics.Process.GetProcesses()) Response.Write(x.Id); %>
--%>
