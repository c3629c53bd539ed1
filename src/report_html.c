/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_html.c - `-f html`: one self-contained page to open in a browser
 * and hand over. Per unit: the verdicts, an interactive timeline of the
 * findings and incidents (zoom, filter by severity and source), the
 * incidents in sentences, the attacker pivot, every finding with its
 * evidence, the log coverage. Inline CSS and plain JavaScript, nothing
 * fetched from the network; a print stylesheet opens every finding.
 *
 * Everything from the evidence or the rules is attacker-controlled: it goes
 * through exh_escape_text() (valid UTF-8, no control characters) and then
 * html_put() (& < > " ' as entities) in markup, or json_put() (quotes,
 * backslashes and < > & as \uXXXX, so "</script>" cannot end the data
 * block) in the timeline's data. A Content-Security-Policy with a random
 * nonce refuses any script but ours, should escaping ever fail.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct report_html {
    FILE *out;
    exh_severity min_severity;
    unsigned units;
    char nonce[40];
    char *fhtml; /* the unit's findings, rendered */
    size_t fhtml_len;
    FILE *fm;
    char *fjson; /* the unit's timeline points */
    size_t fjson_len;
    FILE *jm;
    uint64_t shown, points;
    bool failed;
};

/* s escaped for a terminal first (no control characters, valid UTF-8). */
static char *clean_n(const char *s, size_t len)
{
    size_t need = exh_escape_text(s, len, NULL, 0);
    char *t = malloc(need + 1);
    if (!t)
        return NULL;
    exh_escape_text(s, len, t, need + 1);
    // A page needs no backslash doubled (Windows paths read as written);
    // control bytes stay \xNN.
    char *o = t;
    for (const char *p = t; *p; p++) {
        *o++ = *p;
        if (p[0] == '\\' && p[1] == '\\')
            p++;
    }
    *o = '\0';
    return t;
}

static char *clean(const char *s)
{
    return clean_n(s ? s : "", s ? strlen(s) : 0);
}

/* Text already escaped for a terminal, with & < > " ' as entities. */
static void html_put_clean(FILE *m, const char *t)
{
    for (const char *p = t; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", m);
            break;
        case '<':
            fputs("&lt;", m);
            break;
        case '>':
            fputs("&gt;", m);
            break;
        case '"':
            fputs("&quot;", m);
            break;
        case '\'':
            fputs("&#39;", m);
            break;
        default:
            fputc(*p, m);
        }
    }
}

static void html_put(FILE *m, const char *s)
{
    char *t = clean(s);
    if (!t)
        return;
    html_put_clean(m, t);
    free(t);
}

/* A JSON string (with quotes) safe inside a <script> element. */
static void json_put(FILE *m, const char *s)
{
    if (!s) {
        fputs("null", m);
        return;
    }
    char *t = clean(s);
    if (!t) {
        fputs("\"\"", m);
        return;
    }
    fputc('"', m);
    for (const char *p = t; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(m, "\\%c", *p);
        else if (*p == '<' || *p == '>' || *p == '&')
            fprintf(m, "\\u%04x", (unsigned)*p);
        else
            fputc(*p, m);
    }
    fputc('"', m);
    free(t);
}

/* An id we made ("f-000001", "i-000003") used as an anchor: only
 * [A-Za-z0-9-] pass, so it never needs escaping. */
static void id_put(FILE *m, const char *s)
{
    for (; s && *s; s++) {
        char c = *s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-')
            fputc(c, m);
    }
}

static void id_links(FILE *m, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", <a href=\"#" : "<a href=\"#", m);
        id_put(m, ids[i]);
        fputs("\">", m);
        id_put(m, ids[i]);
        fputs("</a>", m);
    }
}

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;"
    "padding:0 1.5em 3em;color:#1b1b1b}"
    "h1{margin:.6em 0 0}h2{border-bottom:2px solid #333;padding-bottom:.2em;"
    "margin-top:2em}h3{margin-top:1.6em}"
    ".meta{color:#555}"
    ".verdicts{display:flex;gap:1em;flex-wrap:wrap}"
    ".verdict{flex:1 1 300px;border:2px solid #999;border-radius:6px;"
    "padding:.6em .9em}"
    ".verdict .label{font-weight:600;display:block}"
    ".verdict .value{font-size:1.6em;font-weight:700;text-transform:uppercase}"
    ".verdict p{margin:.3em 0 0;font-size:.9em}"
    ".v-yes{border-color:#b00020;background:#fdecee}"
    ".v-yes .value{color:#b00020}"
    ".v-attempted,.v-suspicious,.v-mitigated{border-color:#c77700;"
    "background:#fff6e5}"
    ".v-no,.v-no-sign{border-color:#2e7d32;background:#edf7ee}"
    ".incident{border-left:4px solid #b00020;padding:.2em 1em;margin:1em 0;"
    "background:#fafafa}"
    ".stage{display:inline-block;background:#333;color:#fff;border-radius:3px;"
    "padding:0 .4em;margin-right:.3em;font-size:.85em}"
    "table{border-collapse:collapse;margin:.4em 0}"
    "td,th{border:1px solid #ccc;padding:.15em .5em;text-align:left;"
    "vertical-align:top}"
    "td.ev{font-family:ui-monospace,monospace;word-break:break-all}"
    "table.pivot td.ev{min-width:12em}"
    ".ioc{display:inline-block;background:#b00020;color:#fff;"
    "border-radius:3px;padding:0 .4em;margin-left:.5em;font-family:"
    "system-ui,sans-serif;font-size:.85em;word-break:normal}"
    "details.finding{border:1px solid #ccc;border-left-width:6px;"
    "margin:.4em 0;padding:.2em .6em}"
    "details.finding summary{cursor:pointer}"
    ".sev-critical{border-left-color:#b00020}.sev-high{border-left-color:"
    "#e65100}.sev-medium{border-left-color:#f9a825}.sev-low{border-left-color:"
    "#0277bd}.sev-info{border-left-color:#78909c}"
    ".sevname{font-weight:700;text-transform:uppercase;font-size:.8em}"
    ".tl-controls{display:flex;flex-wrap:wrap;gap:.8em;align-items:center;"
    "margin:.4em 0}"
    ".tl-svg{width:100%;height:auto;border:1px solid #ccc;background:#fff;"
    "touch-action:none}"
    ".tl-svg circle{cursor:pointer}"
    ".tl-status{color:#555;font-size:.9em}"
    "@media print{.tl-controls,.noprint{display:none}"
    "body{max-width:none;font-size:11pt}"
    "details.finding{break-inside:avoid}"
    "h2{break-before:page}a{color:inherit;text-decoration:none}}";

/* The page's script: builds each unit's timeline from its data block. */
static const char *const script[] = {
    "(function(){'use strict';\n",
    "var SEVS=['critical','high','medium','low','info'];\n",
    "var COL={critical:'#b00020',high:'#e65100',medium:'#f9a825',"
    "low:'#0277bd',info:'#78909c'};\n",
    "var NS='http://www.w3.org/2000/svg';\n",
    "function el(n,a,p){var e=document.createElementNS(NS,n);"
    "for(var k in a)e.setAttribute(k,a[k]);if(p)p.appendChild(e);return e;}\n",
    "function h(n,t,p){var e=document.createElement(n);if(t!=null)"
    "e.textContent=t;if(p)p.appendChild(e);return e;}\n",
    "function iso(t){return new Date(t).toISOString().replace('.000Z','Z');}\n",
    "function short(t){return new "
    "Date(t).toISOString().slice(0,16).replace('T',' ');}\n",
    "document.querySelectorAll('.timeline').forEach(function(tl){\n",
    " var d=JSON.parse(tl.querySelector('script.tl-data').textContent);\n",
    " var inc={};d.incidents.forEach(function(i){i.findings.forEach("
    "function(f){inc[f]=i.id;});});\n",
    " var pts=d.findings.map(function(f){f.t=Date.parse(f.time);"
    "f.inc=inc[f.id]||null;return f;}).filter(function(f){return "
    "!isNaN(f.t);});\n",
    " if(!pts.length){h('p','No finding has a time.',tl);return;}\n",
    " var lo=Math.min.apply(null,pts.map(function(f){return f.t;})),"
    "hi=Math.max.apply(null,pts.map(function(f){return f.t;}));\n",
    " var pad=Math.max((hi-lo)*0.03,60000);var full={a:lo-pad,b:hi+pad};"
    "var v={a:full.a,b:full.b};\n",
    " var ctl=h('div',null,tl);ctl.className='tl-controls';\n",
    " var show={};SEVS.forEach(function(s){show[s]=true;var "
    "l=h('label',null,ctl);"
    "var c=h('input',null,l);c.type='checkbox';c.checked=true;c.className="
    "'tl-sev';c.value=s;c.onchange=function(){show[s]=c.checked;draw();};"
    "l.appendChild(document.createTextNode(' '+s));});\n",
    " var srcs={};pts.forEach(function(f){srcs[f.src]=1;});"
    "var sel=h('select',null,ctl);sel.className='tl-src';"
    "h('option','all sources',sel).value='';Object.keys(srcs).sort()."
    "forEach(function(s){h('option',s,sel).value=s;});sel.onchange=draw;\n",
    " function zoom(f,c){var m=c==null?(v.a+v.b)/2:c;var w=(v.b-v.a)*f;"
    "w=Math.max(w,2000);v.a=m-w*(m-v.a)/(v.b-v.a);v.b=v.a+w;draw();}\n",
    " var zi=h('button','Zoom in',ctl);zi.type='button';zi.onclick="
    "function(){zoom(0.5);};\n",
    " var zo=h('button','Zoom out',ctl);zo.type='button';zo.onclick="
    "function(){zoom(2);};\n",
    " var zr=h('button','Reset',ctl);zr.type='button';zr.onclick="
    "function(){v.a=full.a;v.b=full.b;draw();};\n",
    " d.incidents.forEach(function(i){if(!i.start)return;var b=h('button',"
    "'Zoom to '+i.id,ctl);b.type='button';b.onclick=function(){var s=Date."
    "parse(i.start),e=Date.parse(i.end||i.start),p=Math.max((e-s)*0.1,60000);"
    "v.a=s-p;v.b=e+p;draw();};});\n",
    " var W=1000,LANE=26,TOP=34,H=TOP+LANE*SEVS.length+10;\n",
    " var svg=el('svg',{'class':'tl-svg',viewBox:'0 0 '+W+' '+H,"
    "role:'img'},tl);\n",
    " var st=h('p',null,tl);st.className='tl-status';\n",
    " function X(t){return 110+(t-v.a)/(v.b-v.a)*(W-130);}\n",
    " function draw(){while(svg.firstChild)svg.removeChild(svg.firstChild);\n",
    "  SEVS.forEach(function(s,k){var y=TOP+k*LANE+LANE/2;el('line',{x1:110,"
    "x2:W-20,y1:y,y2:y,stroke:'#eee'},svg);var t=el('text',{x:4,y:y+4,"
    "'font-size':12,fill:COL[s]},svg);t.textContent=s;});\n",
    "  for(var k=0;k<=4;k++){var t=v.a+(v.b-v.a)*k/4,x=X(t);el('line',{x1:x,"
    "x2:x,y1:TOP-4,y2:H-6,stroke:'#ddd'},svg);var tx=el('text',{x:x,y:14,"
    "'font-size':11,'text-anchor':k==0?'start':k==4?'end':'middle',"
    "fill:'#555'},svg);tx.textContent=short(t);}\n",
    "  d.incidents.forEach(function(i){if(!i.start)return;var s=X(Date.parse("
    "i.start)),e=X(Date.parse(i.end||i.start));if(e<110||s>W-20)return;"
    "s=Math.max(s,110);e=Math.min(e,W-20);var r=el('rect',{'class':'band',x:s,"
    "y:TOP-8,width:Math.max(e-s,3),height:H-TOP,fill:'#b00020','fill-opacity':"
    "0.08,stroke:'#b00020','stroke-opacity':0.4},svg);el('title',{},r)."
    "textContent=i.id+': '+i.start+' to '+(i.end||i.start);var lb=el('text',"
    "{x:s+2,y:TOP-10,'font-size':10,fill:'#b00020'},svg);lb.textContent=i.id;})"
    ";\n",
    "  var n=0,src=sel.value;pts.forEach(function(f){if(!show[f.sev]||(src&&"
    "f.src!==src)||f.t<v.a||f.t>v.b)return;n++;var k=SEVS.indexOf(f.sev);"
    "var c=el('circle',{'class':'ev sev-'+f.sev,cx:X(f.t),cy:TOP+k*LANE+"
    "LANE/2,r:6,fill:COL[f.sev],'fill-opacity':0.8,'data-id':f.id},svg);"
    "el('title',{},c).textContent=f.time+'  '+f.id+'  '+f.title+(f.inc?"
    "'  ('+f.inc+')':'')+'  ['+f.src+']';c.addEventListener('click',function()"
    "{var "
    "t=document.getElementById(f.id);if(t){t.open=true;t.scrollIntoView();}"
    "});});\n",
    "  st.textContent=n+' of '+pts.length+' findings with a time shown, '+"
    "iso(v.a)+' to '+iso(v.b)+'. Scroll on the timeline to zoom, drag to "
    "move, click a point to open its finding.';}\n",
    " svg.addEventListener('wheel',function(e){e.preventDefault();var r=svg."
    "getBoundingClientRect();var x=(e.clientX-r.left)/r.width*W;var t=v.a+(x-"
    "110)/(W-130)*(v.b-v.a);zoom(e.deltaY<0?0.8:1.25,t);},{passive:false});\n",
    " var drag=null;svg.addEventListener('pointerdown',function(e){drag={x:"
    "e.clientX,a:v.a,b:v.b};});window.addEventListener('pointerup',function()"
    "{drag=null;});svg.addEventListener('pointermove',function(e){if(!drag)"
    "return;var r=svg.getBoundingClientRect();var dt=(e.clientX-drag.x)/r."
    "width*W/(W-130)*(drag.b-drag.a);v.a=drag.a-dt;v.b=drag.b-dt;draw();});\n",
    " draw();});\n",
    "window.addEventListener('beforeprint',function(){document."
    "querySelectorAll('details').forEach(function(x){x.open=true;});});\n",
    "})();\n",
    NULL};

report_html *report_html_new(FILE *out, exh_severity min_severity)
{
    report_html *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out = out;
    r->min_severity = min_severity;
    unsigned char raw[18];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        // No randomness: a fixed nonce still refuses scripts without it.
        memset(raw, 0x5a, sizeof raw);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(r->nonce + 2 * i, 3, "%02x", raw[i]);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "\n<meta http-equiv=\"Content-Security-Policy\" content=\""
            "default-src 'none'; style-src 'unsafe-inline'; script-src "
            "'nonce-%s'\">\n<meta name=\"viewport\" content=\"width=device-"
            "width\">\n<title>exhunt report</title>\n<style>%s</style>\n"
            "</head>\n<body>\n<h1>exhunt report</h1>\n<p class=\"meta\">"
            "Written by exhunt %s. Everything quoted from the evidence is "
            "shown as text; nothing on this page is fetched from the "
            "network.</p>\n",
            r->nonce, css, exh_version_string());
    return r;
}

static bool open_unit(report_html *r)
{
    if (!r->fm)
        r->fm = open_memstream(&r->fhtml, &r->fhtml_len);
    if (!r->jm)
        r->jm = open_memstream(&r->fjson, &r->fjson_len);
    return r->fm && r->jm;
}

bool report_html_finding(report_html *r, const exh_finding *f)
{
    if (f->severity > r->min_severity)
        return true;
    if (!open_unit(r))
        return false;
    FILE *m = r->fm;
    const char *sev = exh_severity_name(f->severity);
    const char *cat = exh_category_name(f->category);
    sev = sev ? sev : "info";
    r->shown++;
    fprintf(m, "<details class=\"finding sev-%s\" id=\"", sev);
    id_put(m, f->id);
    fputs("\"><summary>", m);
    html_put(m, f->time ? f->time : "no time");
    fprintf(m, " <span class=\"sevname\">%s</span> ", sev);
    html_put(m, f->title);
    fputs(" <small>", m);
    id_put(m, f->id);
    fputs("</small></summary>\n<table>", m);
    fputs("<tr><th>rule</th><td>", m);
    html_put(m, f->rule);
    fprintf(m, " (%s)</td></tr>", cat ? cat : "suspicious");
    if (f->cve_count) {
        fputs("<tr><th>CVE</th><td>", m);
        for (size_t i = 0; i < f->cve_count; i++) {
            if (i)
                fputs(", ", m);
            html_put(m, f->cve[i]);
        }
        fputs("</td></tr>", m);
    }
    if (f->count > 1) {
        fprintf(m, "<tr><th>count</th><td>%" PRIu64 ", last ", f->count);
        html_put(m, f->last_time ? f->last_time : "-");
        fputs("</td></tr>", m);
    }
    fputs("<tr><th>source</th><td class=\"ev\">", m);
    html_put(m, f->source_path);
    if (f->line)
        fprintf(m, ":%" PRIu64, f->line);
    if (f->record)
        fprintf(m, " (record %" PRIu64 ")", f->record);
    fputs("</td></tr>", m);
    if (f->windows_path) {
        fputs("<tr><th>Windows path</th><td class=\"ev\">", m);
        html_put(m, f->windows_path);
        fputs("</td></tr>", m);
    }
    for (size_t i = 0; i < f->evidence_count; i++) {
        fputs("<tr><th>", m);
        html_put(m, f->evidence[i].key);
        fputs("</th><td class=\"ev\">", m);
        // Evidence may hold NUL bytes: escape exactly value_len bytes.
        char *t = clean_n(f->evidence[i].value ? f->evidence[i].value : "",
                          f->evidence[i].value ? f->evidence[i].value_len : 0);
        if (t) {
            html_put_clean(m, t);
            free(t);
        }
        fputs("</td></tr>", m);
    }
    if (f->file) {
        fputs("<tr><th>file</th><td class=\"ev\">sha256 ", m);
        html_put(m, f->file->sha256 ? f->file->sha256 : "-");
        fprintf(m, ", %" PRIu64 " bytes, modified ", f->file->size);
        html_put(m, f->file->modified ? f->file->modified : "-");
        fputs(" (", m);
        html_put(m, f->file->time_source ? f->file->time_source : "unknown");
        fputs(")</td></tr>", m);
    }
    if (f->related_count) {
        fputs("<tr><th>related</th><td>", m);
        id_links(m, f->related, f->related_count);
        fputs("</td></tr>", m);
    }
    fputs("</table></details>\n", m);
    if (f->time) {
        FILE *j = r->jm;
        fputs(r->points++ ? ",\n{\"id\":" : "{\"id\":", j);
        json_put(j, f->id);
        fputs(",\"time\":", j);
        json_put(j, f->time);
        fprintf(j, ",\"sev\":\"%s\",\"src\":", sev);
        json_put(j, f->source_type ? f->source_type : "file");
        fputs(",\"title\":", j);
        json_put(j, f->title);
        fputc('}', j);
    }
    return !ferror(m) && !ferror(r->jm);
}

static void verdict(FILE *o, const char *label, const char *value,
                    const char *reason)
{
    value = value ? value : "unknown";
    fputs("<div class=\"verdict v-", o);
    id_put(o, value);
    fprintf(o, "\"><span class=\"label\">%s</span><span class=\"value\">",
            label);
    html_put(o, value);
    fputs("</span><p>", o);
    html_put(o, reason ? reason : "");
    fputs("</p></div>\n", o);
}

static void pivot(FILE *o, const exh_summary *s)
{
    static const char *const names[EXH_PIVOT__COUNT] = {
        "Client addresses", "Accounts", "User agents", "Files"};
    fputs("<h3>Attacker pivot</h3>\n", o);
    size_t total = 0;
    for (int l = 0; l < EXH_PIVOT__COUNT; l++)
        total += s->pivot_count[l];
    if (!total) {
        fputs("<p>No addresses, accounts, user agents or files.</p>\n", o);
        return;
    }
    for (int l = 0; l < EXH_PIVOT__COUNT; l++) {
        if (!s->pivot_count[l])
            continue;
        fprintf(o,
                "<h4>%s</h4>\n<table class=\"pivot\"><tr><th>value</th>"
                "<th>first</th><th>last</th><th>records</th><th>findings"
                "</th></tr>\n",
                names[l]);
        for (size_t i = 0; i < s->pivot_count[l]; i++) {
            const exh_pivot_item *it = &s->pivot[l][i];
            fputs("<tr><td class=\"ev\">", o);
            html_put(o, it->value);
            // An address an IOC list holds: the list's name, as a badge.
            for (size_t k = 0; k < it->ioc_count; k++) {
                fputs(" <span class=\"ioc\">IOC list ", o);
                html_put(o, it->ioc[k]);
                fputs("</span>", o);
            }
            fputs("</td><td>", o);
            html_put(o, it->first ? it->first : "-");
            fputs("</td><td>", o);
            html_put(o, it->last ? it->last : "-");
            fprintf(o, "</td><td>%" PRIu64 "</td><td>", it->count);
            id_links(o, it->findings, it->finding_count);
            fputs("</td></tr>\n", o);
        }
        fputs("</table>\n", o);
    }
}

bool report_html_summary(report_html *r, const exh_summary *s)
{
    FILE *o = r->out;
    if (!open_unit(r))
        return false;
    unsigned u = ++r->units;
    fprintf(o, "<section class=\"unit\" id=\"unit-%u\">\n<h2>", u);
    html_put(o, s->target);
    fputs(" &middot; unit ", o);
    html_put(o, s->unit ? s->unit : ".");
    fputs(" &middot; host ", o);
    html_put(o, s->host ? s->host : "unknown");
    fputs("</h2>\n<div class=\"verdicts\">\n", o);
    verdict(o, "Vulnerable", s->vulnerable, s->reason_vulnerable);
    verdict(o, "Exploited", s->exploited, s->reason_exploited);
    verdict(o, "Backdoored", s->backdoored, s->reason_backdoored);
    fputs("</div>\n", o);

    // The timeline: the script draws it from this data.
    fputs("<h3>Timeline</h3>\n<div class=\"timeline\">"
          "<script type=\"application/json\" class=\"tl-data\">"
          "{\"findings\":[",
          o);
    fflush(r->jm);
    if (r->fjson)
        fwrite(r->fjson, 1, r->fjson_len, o);
    fputs("],\"incidents\":[", o);
    for (size_t i = 0; i < s->incident_count; i++) {
        const exh_incident *in = &s->incidents[i];
        fputs(i ? ",{\"id\":" : "{\"id\":", o);
        json_put(o, in->id);
        fputs(",\"start\":", o);
        json_put(o, in->start);
        fputs(",\"end\":", o);
        json_put(o, in->end);
        fputs(",\"findings\":[", o);
        for (size_t k = 0; k < in->finding_count; k++) {
            if (k)
                fputc(',', o);
            json_put(o, in->findings[k]);
        }
        fputs("]}", o);
    }
    fputs("]}</script><noscript>The timeline needs JavaScript; the "
          "findings below are in time order within each severity."
          "</noscript></div>\n",
          o);

    fprintf(o, "<h3>What happened (%zu incident%s)</h3>\n", s->incident_count,
            s->incident_count == 1 ? "" : "s");
    if (!s->incident_count)
        fputs("<p>No correlated incident.</p>\n", o);
    for (size_t i = 0; i < s->incident_count; i++) {
        const exh_incident *in = &s->incidents[i];
        fputs("<article class=\"incident\" id=\"", o);
        id_put(o, in->id);
        fputs("\"><h4>", o);
        id_put(o, in->id);
        fputs(" ", o);
        for (size_t k = 0; k < in->stage_count; k++) {
            fputs("<span class=\"stage\">", o);
            html_put(o, in->stages[k]);
            fputs("</span>", o);
        }
        fputs("</h4>\n<p class=\"story\">", o);
        html_put(o, in->story);
        fputs("</p>\n<p>Findings: ", o);
        id_links(o, in->findings, in->finding_count);
        fputs("</p></article>\n", o);
    }
    pivot(o, s);

    fprintf(o, "<h3>Findings (%" PRIu64 ")</h3>\n", r->shown);
    fflush(r->fm);
    if (r->fhtml)
        fwrite(r->fhtml, 1, r->fhtml_len, o);
    if (!r->shown)
        fputs("<p>No findings.</p>\n", o);

    fputs("<h3>Log coverage</h3>\n", o);
    if (!s->coverage_count)
        fputs("<p>No Exchange logs were found.</p>\n", o);
    else
        fputs("<table><tr><th>family</th><th>files</th><th>records</th>"
              "<th>first</th><th>last</th><th>gaps and warnings</th></tr>\n",
              o);
    for (size_t i = 0; i < s->coverage_count; i++) {
        const exh_coverage *c = &s->coverage[i];
        fputs("<tr><td>", o);
        html_put(o, c->family);
        fprintf(o, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>",
                c->files, c->records);
        html_put(o, c->first ? c->first : "-");
        fputs("</td><td>", o);
        html_put(o, c->last ? c->last : "-");
        fputs("</td><td>", o);
        for (size_t g = 0; g < c->gap_count; g++) {
            fputs("gap ", o);
            html_put(o, c->gaps[g].from);
            fputs(" to ", o);
            html_put(o, c->gaps[g].to);
            fputs("<br>", o);
        }
        for (size_t w = 0; w < c->warning_count; w++) {
            html_put(o, c->warnings[w]);
            fputs("<br>", o);
        }
        fputs("</td></tr>\n", o);
    }
    if (s->coverage_count)
        fputs("</table>\n", o);
    fprintf(o,
            "<p>Files: %" PRIu64 " seen, %" PRIu64 " read, %" PRIu64
            " skipped, %" PRIu64 " unreadable; log records: %" PRIu64
            "; findings: %" PRIu64 " critical, %" PRIu64 " high, %" PRIu64
            " medium, %" PRIu64 " low, %" PRIu64 " info.</p>\n",
            s->entries, s->scanned, s->skipped, s->unreadable, s->records,
            s->findings[0], s->findings[1], s->findings[2], s->findings[3],
            s->findings[4]);
    for (size_t i = 0; i < s->error_count; i++) {
        fputs(i ? "<br>" : "<p>Errors:<br>", o);
        html_put(o, s->errors[i].path);
        fputs(": ", o);
        html_put(o, s->errors[i].message);
        if (i + 1 == s->error_count)
            fputs("</p>\n", o);
    }
    fputs("</section>\n", o);

    // The next unit starts empty.
    fclose(r->fm);
    fclose(r->jm);
    free(r->fhtml);
    free(r->fjson);
    r->fm = r->jm = NULL;
    r->fhtml = r->fjson = NULL;
    r->fhtml_len = r->fjson_len = 0;
    r->shown = r->points = 0;
    return !ferror(o);
}

bool report_html_finish(report_html *r)
{
    if (r->shown) {
        // Findings of a unit whose scan stopped before its summary.
        fputs("<section class=\"unit\"><h2>Findings of a unit whose scan "
              "did not finish</h2>\n",
              r->out);
        fflush(r->fm);
        fwrite(r->fhtml, 1, r->fhtml_len, r->out);
        fputs("</section>\n", r->out);
    }
    if (!r->units)
        fputs("<p>No unit was scanned.</p>\n", r->out);
    fprintf(r->out, "<script nonce=\"%s\">\n", r->nonce);
    for (size_t i = 0; script[i]; i++)
        fputs(script[i], r->out);
    fputs("</script>\n</body></html>\n", r->out);
    return !ferror(r->out);
}

void report_html_free(report_html *r)
{
    if (!r)
        return;
    if (r->fm)
        fclose(r->fm);
    if (r->jm)
        fclose(r->jm);
    free(r->fhtml);
    free(r->fjson);
    free(r);
}
