<%@ Application Language="C#" %>
<%-- exhunt test sample: a near miss. An application registering its
     provider at start-up, where applications do.
<script runat="server">
void Application_Start(object sender, EventArgs e) {
    System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new ExhuntTestProvider());
}
</script>
--%>
