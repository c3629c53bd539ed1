<%@ Page Language="C#" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled. A page that registers a
     virtual path provider when it is requested; the provider class is a
     placeholder name and serves nothing.
<script runat="server">
void Page_Load() {
    System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new ExhuntTestProvider());
}
</script>
--%>
