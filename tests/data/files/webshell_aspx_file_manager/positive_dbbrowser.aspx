<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled. A SQL console: connection
     string and command text both come from the request.
<%
var conn = new System.Data.SqlClient.SqlConnection(Request.Form["exhunt_cs"]);
var cmd = new System.Data.SqlClient.SqlCommand(Request.Form["exhunt_sql"], conn);
%>
--%>
