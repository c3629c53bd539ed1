<%@ Page Language="C#" %>
<%@ Import Namespace="System.ServiceProcess" %>
<%-- exhunt test sample: a near miss. A server status page: it shows
     drives, processes, services and the log folder's files, and writes
     nothing.
<%
foreach (var d in System.IO.DriveInfo.GetDrives()) Response.Write(d.Name + " " + d.AvailableFreeSpace);
foreach (var p in System.Diagnostics.Process.GetProcesses()) Response.Write(p.ProcessName);
foreach (var s in ServiceController.GetServices()) Response.Write(s.ServiceName + " " + s.Status);
foreach (string f in System.IO.Directory.GetFiles(Server.MapPath("~/logs"))) Response.Write(f);
string view = Request.QueryString["view"];
%>
--%>
