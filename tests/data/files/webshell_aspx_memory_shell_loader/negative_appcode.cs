// exhunt test sample: a near miss. An App_Code class registering its
// provider in AppInitialize, which ASP.NET calls at start-up.
public static class ExhuntTestStartup
{
    public static void AppInitialize()
    {
        System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new ExhuntTestProvider());
    }
}
