<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%-- exhunt test sample, defanged: the markers of the reGeorg tunnel page
     inside an ASP.NET server-side comment; no tunnel code.
<% Response.Write(new string("'en\u0069f sm\u0065\u0065\u0073 \u006c\u006c\u0041' ,\u0073yas \u0067ro\u0065\u0047".Reverse().ToArray())); %>
--%>
