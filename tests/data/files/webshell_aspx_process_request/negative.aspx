<%@ Page Language="C#" %>
<%-- exhunt test sample (near miss): an admin page that starts a fixed
     process (no request data reaches it) and reads Request elsewhere. --%>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    if (Request.QueryString["confirm"] != "yes")
        return;
    var psi = new System.Diagnostics.ProcessStartInfo();
    psi.FileName = @"C:\Windows\System32\iisreset.exe";
    psi.Arguments = "/status";
    psi.UseShellExecute = false;
    psi.RedirectStandardOutput = true;
    using (var p = System.Diagnostics.Process.Start(psi))
        Output.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
}
</script>
<html><body><asp:Literal id="Output" runat="server" /></body></html>
