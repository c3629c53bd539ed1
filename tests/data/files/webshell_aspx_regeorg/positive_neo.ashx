<%@ WebHandler Language="C#" Class="ExhuntTest" %>
// exhunt test sample, defanged: a handler class that does nothing; the
// Neo-reGeorg markers appear only in this comment and in unused strings.
// blv_decode / blv_encode; new Socket(...)
public class ExhuntTest : System.Web.IHttpHandler
{
    static readonly string[] Commands = { "CONNECT", "DISCONNECT", "FORWARD", "READ" };
    public bool IsReusable { get { return false; } }
    public void ProcessRequest(System.Web.HttpContext context) { }
}
