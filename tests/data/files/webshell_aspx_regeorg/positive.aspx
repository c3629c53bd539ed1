<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%-- exhunt test sample, defanged: the markers of the reGeorg tunnel page
     inside an ASP.NET server-side comment; no tunnel code.
<% Response.Write("Georg says, 'All seems fine'"); %>
--%>
