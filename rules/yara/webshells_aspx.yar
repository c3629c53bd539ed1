/*
 * exhunt built-in YARA rules: ASP.NET / classic ASP web shells that run
 * commands or load code from request data, and HTTP tunnels.
 *
 * Own wording; the facts are the published shapes of the tools named in
 * each rule (sources in `reference`). A dangerous call alone is not enough:
 * every rule needs the call fed from request data, or tool markers that do
 * not occur in ordinary pages. The rules use no external variables.
 */

rule webshell_aspx_process_request
{
    meta:
        description = "Command execution driven by request data: ProcessStartInfo / Process.Start / StartInfo fed from Request, cmd.exe /c with Request, WScript.Shell Exec/Run of Request; or a small page that runs cmd.exe, reads Request and returns the output"
        reference = "https://www.microsoft.com/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/ ; https://www.cisa.gov/news-events/analysis-reports/ar21-084a (MAR-10328929)"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"

    strings:
        // request data flows straight into the process call
        $flow1 = /\b(FileName|Arguments)\s*=\s*[^;\r\n]{0,120}\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        $flow2 = /\bProcess\s*\.\s*Start\s*\([^;]{0,200}\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        $flow3 = /\bProcessStartInfo\s*\([^;]{0,200}\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        $flow4 = /cmd(\.exe)?["']?\s*[,+]?\s*["']?\s*\/c[^;\r\n]{0,60}\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        // classic ASP
        $wsh = "WScript.Shell" nocase ascii wide
        $wsh_run = /\.(Exec|Run)\s*\(?[^\r\n]{0,100}\bRequest\s*(\.\s*(Form|QueryString|Item)\s*)?[\(\[]/ nocase ascii wide
        // small-page heuristic
        $psi = /\b(ProcessStartInfo|StartInfo\s*\.\s*FileName)\b/ ascii wide
        $cmd = "cmd.exe" nocase ascii wide
        $redir = "RedirectStandardOutput" ascii wide
        $req = /\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide

    condition:
        filesize < 200KB and
        (
            1 of ($flow*) or
            ($wsh and $wsh_run) or
            (filesize < 20KB and $psi and $cmd and $redir and $req)
        )
}

rule webshell_aspx_assembly_load_request
{
    meta:
        description = "In-memory .NET loader (Behinder, Godzilla, AntSword C# and alike): Assembly.Load of request, base64 or decrypted data, or Assembly's Load method invoked by reflection in a small page that reads Request"
        reference = "https://www.microsoft.com/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/ ; https://github.com/rebeyond/Behinder ; https://github.com/BeichenDream/Godzilla ; https://github.com/AntSwordProject/antSword"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"

    strings:
        // Assembly.Load( <request / base64 / decryption> ...
        $load_data = /\bAssembly\s*\.\s*Load\s*\([^;]{0,300}(\bRequest\s*[\.\[]|FromBase64String|TransformFinalBlock|BinaryRead)/ nocase ascii wide
        // typeof(Assembly).GetMethod("Load", ...) (Godzilla's form)
        $load_refl = /typeof\s*\(\s*(System\s*\.\s*Reflection\s*\.\s*)?Assembly\s*\)\s*\.\s*GetMethod\s*\(\s*"Load"/ ascii wide
        $load_any = /\bAssembly\s*\.\s*Load\s*\(/ ascii wide
        $req = /\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies|BinaryRead|InputStream)\b|\[)/ ascii wide
        $b64 = "FromBase64String" ascii wide
        $dec = "TransformFinalBlock" ascii wide
        $inst1 = "CreateInstance" ascii wide
        $inst2 = ".Invoke(" ascii wide

    condition:
        filesize < 200KB and
        (
            $load_data or
            (filesize < 20KB and ($load_refl or $load_any) and $req and
             ($b64 or $dec) and 1 of ($inst*))
        )
}

rule webshell_aspx_regeorg
{
    meta:
        description = "reGeorg / Neo-reGeorg HTTP tunnel (aspx, ashx): the Georg greeting, the CONNECT/DISCONNECT/FORWARD/READ commands with X-STATUS/X-ERROR headers or Neo-reGeorg's blv encoding, over a socket"
        reference = "https://github.com/sensepost/reGeorg ; https://github.com/L-codes/Neo-reGeorg ; https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "high"

    strings:
        $hello = "Georg says, 'All seems fine'" ascii wide
        $sock1 = "System.Net.Sockets" ascii wide
        $sock2 = /new\s+Socket\s*\(/ ascii wide
        $c1 = "\"CONNECT\"" ascii wide
        $c2 = "\"DISCONNECT\"" ascii wide
        $c3 = "\"FORWARD\"" ascii wide
        $c4 = "\"READ\"" ascii wide
        $x1 = "\"X-STATUS\"" ascii wide
        $x2 = "\"X-ERROR\"" ascii wide
        $x3 = "\"X-CMD\"" ascii wide
        $blv1 = "blv_decode" ascii wide
        $blv2 = "blv_encode" ascii wide
        // Volexity's March 2021 variant: base64 via a character map from a header
        $hdr_b64 = /FromBase64String\s*\(\s*StrTr\s*\(\s*Request\s*\.\s*Headers\s*\.\s*Get/ ascii wide

    condition:
        filesize < 200KB and
        (
            ($hello and 1 of ($sock*)) or
            $hdr_b64 or
            (1 of ($sock*) and 3 of ($c*) and (1 of ($x*) or 1 of ($blv*)))
        )
}

rule webshell_aspx_tunna
{
    meta:
        description = "Tunna HTTP tunnel (aspx): its banner and messages, or its ?proxy query dispatch next to a socket kept in the session"
        reference = "https://github.com/SECFORCE/Tunna"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "high"

    strings:
        $id1 = "Tunna ASPX webshell" ascii wide nocase
        $id2 = /Tunna v[0-9]/ ascii wide
        $id3 = "[Server] All good to go" ascii wide
        $query = /Request\s*\.\s*Url\s*\.\s*Query\s*\.\s*StartsWith\s*\(\s*"\?proxy/ ascii wide
        $sess = /Session\s*\[\s*"socket"\s*\]/ ascii wide
        $sock = /new\s+Socket\s*\(/ ascii wide

    condition:
        filesize < 200KB and
        (
            (1 of ($id*) and ($sess or $sock)) or
            ($query and ($sess or $sock))
        )
}

rule webshell_compiled_page_dll
{
    meta:
        description = "An ASP.NET page compiled by the server (App_Web_*.dll, as kept in Temporary ASP.NET Files) from a page in aspnet_client, or from an auth folder page that evaluates JScript: the compiled trace of a web shell, left even after the page itself is deleted"
        reference = "https://www.bsi.bund.de/SharedDocs/Downloads/DE/BSI/Cyber-Sicherheit/Vorfaelle/Exchange-Schwachstellen-2021/MSExchange_Schwachstelle_Detektion_Reaktion.pdf ; https://github.com/Neo23x0/signature-base/blob/master/yara/apt_hafnium.yar"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "high"
        cve = "CVE-2021-26858, CVE-2021-27065"

    strings:
        $name = /App_Web_[a-z0-9]{7,8}\.dll/ ascii wide nocase
        $vp_client = "~/aspnet_client/" ascii wide nocase
        $vp_auth = "~/auth/" ascii wide nocase
        $jscript = "JScriptEvaluate" ascii wide

    condition:
        uint16(0) == 0x5a4d and filesize < 1MB and $name and
        ($vp_client or ($vp_auth and $jscript))
}

rule webshell_aspx_file_manager
{
    meta:
        description = "File manager or database browser web shell (ASPXSpy and kin): directory listing and file write or delete on paths taken from the request, a SQL console whose connection string and command text come from the request, or an all-in-one page that lists drives and files, writes files and also browses processes, services, the registry or databases"
        reference = "https://www.microsoft.com/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/ ; https://www.cisa.gov/news-events/analysis-reports/ar21-084a (MAR-10328929) ; https://github.com/Neo23x0/signature-base (ASPXspy2 traits: drive types, SQLExec/ConnString panels, Process.GetProcesses, ServiceController.GetServices, registry hives)"
        author = "exhunt"
        date = "2026-12-07"
        exhunt_category = "webshell"
        exhunt_severity = "high"

    strings:
        // ASPXSpy's own banner and home page
        $mark1 = "ASPXSpy" nocase ascii wide
        $mark2 = "rootkit.net.cn" nocase ascii wide
        // listing of a folder named by the request
        $list_req = /\b(DirectoryInfo|GetFiles|GetDirectories|GetFileSystemEntries|EnumerateFiles|EnumerateDirectories)\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        // write, delete, move, upload or re-date a file named by the request
        $write_req = /\b(File\s*\.\s*(Delete|Move|Copy|WriteAllBytes|WriteAllText|AppendAllText|Create|SetAttributes|SetCreationTime|SetLastWriteTime|SetLastAccessTime)|Directory\s*\.\s*(Delete|Move|CreateDirectory)|SaveAs|StreamWriter|FileStream)\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        // SQL console: connection string and command text from the request
        $db_conn = /\b(SqlConnection|OleDbConnection|OdbcConnection|ConnectionString\s*=)\s*\(?\s*Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        $db_cmd = /\b(SqlCommand|OleDbCommand|OdbcCommand|CommandText\s*=|SqlDataAdapter|OleDbDataAdapter)\s*\(?\s*Request\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies)\s*)?[\[\(]/ nocase ascii wide
        // the all-in-one page's panels
        $drives = /\b(GetLogicalDrives|DriveInfo\s*\.\s*GetDrives|GetDriveTypeA)\b/ ascii wide
        $files = /\b(GetFiles|GetDirectories|GetFileSystemInfos)\s*\(/ ascii wide
        $fwrite = /\b(File\s*\.\s*(Delete|WriteAllBytes|SetCreationTime|SetLastWriteTime)|SaveAs)\s*\(/ ascii wide
        $p_proc = /\bProcess\s*\.\s*GetProcesses\s*\(/ ascii wide
        $p_svc = /\bServiceController\s*\.\s*GetServices\s*\(/ ascii wide
        $p_reg = /\b(Registry\s*\.\s*(LocalMachine|Users|CurrentUser|ClassesRoot)|GetSubKeyNames\s*\()/ ascii wide
        $p_sql = /\b(SqlConnection|OleDbConnection)\s*\(/ ascii wide
        $p_iis = /DirectoryEntry\s*\(\s*"(IIS|WinNT):\/\// nocase ascii wide
        $p_scan = /\bTcpClient\s*\(/ ascii wide
        $req = /\bRequest\s*(\.\s*(Form|QueryString|Item|Params|Headers|Cookies|Files)\s*)?[\[\(\.]/ ascii wide

    condition:
        filesize < 500KB and
        (
            ($list_req and $write_req) or
            ($db_conn and $db_cmd) or
            (1 of ($mark*) and 1 of ($p_*)) or
            ($req and $drives and $files and $fwrite and 2 of ($p_*))
        )
}

rule webshell_aspx_memory_shell_loader
{
    meta:
        description = "Loader of a memory-resident ASP.NET web shell: a page, handler or service (not Global.asax, not an AppInitialize class) that registers a VirtualPathProvider at request time, so that pages which exist on no disk are served; or code that flips BuildManager's private _isPrecompiledApp fields by reflection to allow it (ysoserial.net's GhostWebShell)"
        reference = "https://github.com/pwntester/ysoserial.net (ExploitClass/GhostWebShell.cs, Soroush Dalili) ; https://docs.microsoft.com/en-us/dotnet/api/system.web.hosting.virtualpathprovider"
        author = "exhunt"
        date = "2026-12-07"
        exhunt_category = "webshell"
        exhunt_severity = "high"

    strings:
        $page = /<%@\s*(Page|WebHandler|WebService|Control)\b/ nocase ascii wide
        $vpp = /\bRegisterVirtualPathProvider\s*\(/ ascii wide
        $precompiled = /GetField\s*\(\s*"_isPrecompiledApp(Computed)?"/ ascii wide
        // where applications register their providers, at start-up
        $start1 = /<%@\s*Application\b/ nocase ascii wide
        $start2 = /\b(Application_Start|AppInitialize)\s*\(/ ascii wide

    condition:
        filesize < 200KB and
        (
            $precompiled or
            ($page and $vpp and not 1 of ($start*))
        )
}
