<%-- exhunt test sample (near miss): a JScript page with a Page_Load that
     reads Request and evaluates nothing. --%>
<script language="JScript" runat="server">
function Page_Load() {
    if (Request["name"] != null)
        Greeting.Text = "Hello " + Server.HtmlEncode(Request["name"]);
}
</script>
<html><body><form runat="server"><asp:Label id="Greeting" runat="server" /></form></body></html>
