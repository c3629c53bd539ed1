<%@ Page Language="C#" %>
<%-- exhunt test sample: a near miss. An ordinary upload folder manager:
     it lists one fixed folder, and deletes or saves only a bare file name
     inside it (Path.GetFileName), never a path the request gives.
<%
string root = Server.MapPath("~/App_Data/uploads");
foreach (string f in System.IO.Directory.GetFiles(root))
    Response.Write(Server.HtmlEncode(System.IO.Path.GetFileName(f)) + "<br>");
if (Request.Form["delete"] != null)
    System.IO.File.Delete(System.IO.Path.Combine(root, System.IO.Path.GetFileName(Request.Form["delete"])));
if (Upload.HasFile)
    Upload.SaveAs(System.IO.Path.Combine(root, System.IO.Path.GetFileName(Upload.FileName)));
%>
--%>
