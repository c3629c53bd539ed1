<%@ Page Language="C#" EnableSessionState="true" %>
<%-- exhunt test sample, defanged: the markers of the Tunna tunnel page
     inside an ASP.NET server-side comment; no tunnel code.
//Tunna ASPX webshell (marker only)
if (Request.Url.Query.StartsWith(new string(new string(new char[]{'y','x','o','r','p','?'}).Reverse().ToArray()))) { Socket socket = Session[new string(new string(new char[]{'t','e','k','c','o','s'}).Reverse().ToArray())] as Socket; }
--%>
