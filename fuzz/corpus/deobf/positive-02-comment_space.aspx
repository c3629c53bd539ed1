<%@ Page Language/*x*/=/*x*/"C#" %>
<%@ Import Namespace/* */=/*x*/"System.Net.Sockets" %>
<%-- exhunt test sample,
/**/defanged: the markers of the reGeorg tunnel page
     inside an ASP. NET server-side comment; no tunnel code.
<% Response .Write(/*x*/"Georg says, 'All seems fine'"); %>
--%>
