<%@ Page Language="C#" EnableSessionState="true" %>
<%-- exhunt test sample, defanged: the markers of the Tunna tunnel page
     inside an ASP.NET server-side comment; no tunnel code.
//Tunna ASPX webshell (marker only)
if (Request.Url.Query.StartsWith("?proxy")) { Socket socket = Session["socket"] as Socket; }
--%>
