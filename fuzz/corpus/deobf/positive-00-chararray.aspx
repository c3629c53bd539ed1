<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%-- exhunt test sample, defanged: the markers of the reGeorg tunnel page
     inside an ASP.NET server-side comment; no tunnel code.
<% Response.Write(new string(new char[]{'G','e','o','r','g',' ','s','a','y','s',',',' ','\'','A','l','l',' ','s','e','e','m','s',' ','f','i','n','e','\''})); %>
--%>
