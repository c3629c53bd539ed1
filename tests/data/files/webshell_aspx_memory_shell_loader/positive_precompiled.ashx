<%@ WebHandler Language="C#" Class="ExhuntTest" %>
// exhunt test sample, defanged: the handler's class is commented out and
// never compiled. It only names BuildManager's private field the way a
// memory-shell loader reaches it by reflection.
// public class ExhuntTest : System.Web.IHttpHandler {
//   public void ProcessRequest(System.Web.HttpContext c) {
//     var f = typeof(System.Web.Compilation.BuildManager).GetField("_isPrecompiledApp", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
//   }
//   public bool IsReusable { get { return false; } }
// }
