<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%-- exhunt test sample (near miss): an SMTP port check for the help desk;
     a socket and connection-state words, no tunnel commands or headers. --%>
<script runat="server">
void Page_Load(object sender, EventArgs e)
{
    using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
    {
        string state = "CONNECT";
        try { s.Connect("127.0.0.1", 25); state = "READ"; }
        catch (SocketException) { state = "FAILED"; }
        Response.AddHeader("X-STATUS", state);
        Result.Text = state;
    }
}
</script>
<html><body><asp:Label id="Result" runat="server" /></body></html>
