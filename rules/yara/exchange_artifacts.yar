/*
 * exhunt built-in YARA rules: Exchange-specific web shell artifacts.
 *
 * Own wording; facts from the sources in each rule's `reference` (project
 * notes: research/detections.md sections 4.4 and 5.1). The mailbox-export
 * rule uses the `extension` external variable (lower case, with the dot),
 * which exhunt defines for every scanned file; with the yara command-line
 * tool pass it with -d extension=.aspx.
 */

rule exchange_oab_vdir_dump_script
{
    meta:
        description = "OAB virtual directory settings dumped to a file (Format-List text naming OfflineAddressBooks) whose ExternalUrl or InternalUrl holds a <script> block: the web shell CVE-2021-27065 writes (China Chopper planted in ExternalUrl, then Reset-OabVirtualDirectory to a path under the web root)"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/ ; https://www.cisa.gov/news-events/analysis-reports/ar21-084a (MAR-10328929) ; https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"
        cve = "CVE-2021-27065"

    strings:
        $oab = "OfflineAddressBooks" ascii wide
        // "ExternalUrl    : http://f/<script language=..." (property,
        // padding, colon, value on the same line)
        $url_script = /(External|Internal)Url[ \t]{1,40}:[ \t][^\r\n]{0,300}<script/ nocase ascii wide

    condition:
        filesize < 200KB and $oab and $url_script
}

rule exchange_pst_as_webshell
{
    meta:
        description = "A PST file (magic !BDN at offset 0) saved with a script extension (.aspx, .ashx, .asmx, .asp, .ascx): a mailbox export used to drop a web shell (New-MailboxExportRequest -FilePath ...\\aspnet_client\\x.aspx, ProxyShell)"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell ; https://msrc.microsoft.com/update-guide/vulnerability/CVE-2021-31207"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"
        cve = "CVE-2021-34473, CVE-2021-34523, CVE-2021-31207"

    condition:
        uint32(0) == 0x4E444221 and
        (extension == ".aspx" or extension == ".ashx" or
         extension == ".asmx" or extension == ".asp" or
         extension == ".ascx")
}

rule exchange_page_in_aspnet_client
{
    meta:
        description = "A server page (.aspx, .ashx, .asmx) in aspnet_client, where ASP.NET installs only client scripts: HAFNIUM dropped its web shells there, and Microsoft's guidance is to treat any page in that folder as one"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "high"
        cve = "CVE-2021-26858, CVE-2021-27065"
    condition:
        (extension == ".aspx" or extension == ".ashx" or extension == ".asmx") and
        filepath matches /(^|[\\\/])aspnet_client([\\\/]|$)/i
}
