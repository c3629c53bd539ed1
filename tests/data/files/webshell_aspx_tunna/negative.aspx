<%@ Page Language="C#" %>
<%-- exhunt test sample (near miss): a proxy-settings page that branches on
     its query string and keeps a value in the session; no socket. --%>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    if (Request.Url.Query.StartsWith("?proxy"))
        Session["section"] = "proxy";
    Section.Text = (string)Session["section"] ?? "general";
}
</script>
<html><body><asp:Label id="Section" runat="server" /></body></html>
