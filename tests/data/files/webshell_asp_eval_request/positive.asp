<%
' exhunt test sample, defanged: the line below is a VBScript comment
' eval request("exhunt")
%>
