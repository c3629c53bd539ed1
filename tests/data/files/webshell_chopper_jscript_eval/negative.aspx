<%@ Page Language="Jscript" %>
<%-- exhunt test sample (near miss): reads Request, evaluates only a
     constant expression; the two never meet in one statement. --%>
<script runat="server">
function Page_Load() {
    var name = Request.Item["name"];
    Greeting.Text = "Hello " + Server.HtmlEncode(name);
    Total.Text = eval("1 + 1", "unsafe");
}
</script>
<html><body>
<asp:Label id="Greeting" runat="server" /> <asp:Label id="Total" runat="server" />
</body></html>
