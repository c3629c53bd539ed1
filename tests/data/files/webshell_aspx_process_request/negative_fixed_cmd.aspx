<%@ Page Language="C#" %>
<%-- exhunt test sample (near miss): runs a fixed cmd.exe command and shows
     its output; no request data at all. --%>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    var psi = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c ipconfig /all");
    psi.UseShellExecute = false;
    psi.RedirectStandardOutput = true;
    using (var p = System.Diagnostics.Process.Start(psi))
        Output.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
}
</script>
<html><body><pre><asp:Literal id="Output" runat="server" /></pre></body></html>
