<%@ Page Language="C#" %>
<%-- exhunt test sample (near miss): loads a fixed, named assembly and
     creates a control from it; the request only picks a page number. --%>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    int page = int.Parse(Request.QueryString["page"] ?? "1");
    var asm = System.Reflection.Assembly.Load("Contoso.Reports, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null");
    var ctl = (Control)asm.CreateInstance("Contoso.Reports.SummaryGrid");
    Holder.Controls.Add(ctl);
    PageLabel.Text = page.ToString();
}
</script>
<html><body><asp:PlaceHolder id="Holder" runat="server" /><asp:Label id="PageLabel" runat="server" /></body></html>
