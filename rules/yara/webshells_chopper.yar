/*
 * exhunt built-in YARA rules: China Chopper and eval-of-request web shells.
 *
 * Own wording; the facts (the published Chopper shapes) come from the
 * sources in each rule's `reference`, collected in the project notes
 * (research/detections.md section 4). The rules use no external variables.
 * Rules in this file refer to each other (the classic-ASP rule stays quiet
 * where the ASP.NET JScript rule already fires), so keep them together.
 */

rule webshell_chopper_jscript_eval
{
    meta:
        description = "China Chopper (ASP.NET JScript): eval of request data with the \"unsafe\" flag, e.g. eval(Request.Item[\"x\"],\"unsafe\"), also wrapped in a base64 or encoding call, ASCII or UTF-16"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/ ; https://www.cisa.gov/news-events/analysis-reports/ar21-084a (MAR-10328929)"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"

    strings:
        // eval( ... Request[ / Request.Item[ / Request.Form( ... "unsafe" )
        $eval_req = /\beval\s*\([^;]{0,200}\bRequest\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(][^;]{0,200}["']unsafe["']/ nocase ascii wide

    condition:
        filesize < 1MB and $eval_req
}

rule webshell_chopper_jscript_pageload
{
    meta:
        description = "China Chopper (ASP.NET JScript): a <script language=\"JScript\" runat=\"server\"> block whose Page_Load starts with eval, fed by Request or carrying the \"unsafe\" flag (obfuscated variants too), in a small file"
        reference = "https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/ ; https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"

    strings:
        // both attributes in one tag, either order
        $tag1 = /<script[^>]{0,80}language\s*=\s*["']?jscript["']?[^>]{0,80}runat\s*=\s*["']?server/ nocase ascii wide
        $tag2 = /<script[^>]{0,80}runat\s*=\s*["']?server["']?[^>]{0,80}language\s*=\s*["']?jscript/ nocase ascii wide
        $pageload = /function\s+Page_Load\s*\([^)]{0,60}\)\s*\{[^}]{0,400}\beval\s*\(/ nocase ascii wide
        $request = /\bRequest\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase ascii wide
        $unsafe = /["']unsafe["']/ nocase ascii wide

    condition:
        filesize < 64KB and 1 of ($tag*) and $pageload and
        ($request or $unsafe)
}

rule webshell_asp_eval_request
{
    meta:
        description = "Eval of request data (classic ASP China Chopper and look-alikes): eval request(...), Execute(Request(...)), ExecuteGlobal Request.Form(...), ASCII or UTF-16"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/ ; https://www.fireeye.com/blog/threat-research/2013/08/breaking-down-the-china-chopper-web-shell-part-i.html"
        author = "exhunt"
        date = "2026-11-28"
        exhunt_category = "webshell"
        exhunt_severity = "critical"

    strings:
        // the call takes Request directly as its (first) argument
        $run_req = /\b(eval|execute|executeglobal)\s*\(?\s*request\s*(\.\s*(form|querystring|item|params)\s*)?[\(\[]/ nocase ascii wide

    condition:
        filesize < 1MB and $run_req and not webshell_chopper_jscript_eval
}
