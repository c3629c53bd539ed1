/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_scanner.c - the scanner end to end through the public API: units,
 * aggregation, order and numbering, thread-count independence, --since,
 * coverage gaps, the host name, and the verdicts.
 */
#include "harness.h"
#include "scan.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reduced HttpProxy header: the field names of the real header in
 * shared/data/exchange-logs/qazeer_Ecp__HttpProxy_2023010611-1.LOG. */
#define HEADER                                                                 \
    "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"     \
    "#Log-type: HttpProxy Logs\r\n"                                            \
    "#Fields: DateTime,RequestId,AnchorMailbox,ClientIpAddress,"               \
    "ServerHostName,HttpStatus\r\n"

static const char rules_text[] =
    "title: Test SSRF\nname: t_ssrf\nid: 11111111-1111-4111-8111-111111111111\n"
    "logsource: {product: exchange, service: httpproxy}\n"
    "detection:\n  sel:\n    AnchorMailbox|startswith: 'ServerInfo~'\n"
    "  filter:\n    AnchorMailbox|startswith: 'ServerInfo~localhost'\n"
    "  condition: sel and not filter\n"
    "level: critical\ntags: [attack.initial_access, attack.t1190, "
    "cve.2021-26855]\nexhunt: {category: exploitation}\n"
    "---\n"
    "title: Test probe\nname: t_probe\n"
    "logsource: {product: exchange, service: httpproxy}\n"
    "detection:\n  sel:\n    AnchorMailbox|startswith: 'ServerInfo~localhost'\n"
    "  condition: sel\nlevel: low\nexhunt: {category: attempt}\n";

static char root[256];

static void write_file(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

typedef struct out {
    char *text;
    size_t len;
    FILE *f;
    int findings, summaries;
    int vulnerable;   /* findings of category vulnerable (not in findings) */
    int attempts;     /* findings of category attempt */
    exh_summary last; /* shallow copy: only fixed strings are read */
    char exploited[32], host[64];
    uint64_t gaps, aggregated_count;
} out;

static exh_cb_result on_finding(const exh_finding *f, void *user)
{
    out *o = user;
    if (f->category == EXH_CAT_VULNERABLE)
        o->vulnerable++;
    else
        o->findings++;
    o->attempts += f->category == EXH_CAT_ATTEMPT;
    if (f->count > 1)
        o->aggregated_count += f->count;
    CHECK(exh_finding_write_json(f, o->f) == EXH_OK);
    return EXH_CONTINUE;
}

static exh_cb_result on_summary(const exh_summary *s, void *user)
{
    out *o = user;
    o->summaries++;
    snprintf(o->exploited, sizeof o->exploited, "%s", s->exploited);
    snprintf(o->host, sizeof o->host, "%s", s->host ? s->host : "(null)");
    for (size_t i = 0; i < s->coverage_count; i++)
        o->gaps += s->coverage[i].gap_count;
    CHECK(exh_summary_write_json(s, o->f) == EXH_OK);
    return EXH_CONTINUE;
}

static void scan(exh_scanner *sc, const char *target, out *o)
{
    memset(o, 0, sizeof *o);
    o->f = open_memstream(&o->text, &o->len);
    exh_scan_result res;
    CHECK(exh_scanner_scan(sc, target, on_finding, on_summary, o, &res) ==
          EXH_OK);
    fclose(o->f);
}

static void test_one_unit(exh_ruleset *rs)
{
    write_file("one/Logging/HttpProxy/Ecp/HttpProxy_2021030304-1.LOG", HEADER
               "2021-03-03T04:00:00.000Z,r1,ServerInfo~localhost~1941962753,"
               "10.0.0.9,EXCH01,200\r\n"
               "2021-03-03T04:10:00.000Z,r2,ServerInfo~localhost~1941962753,"
               "10.0.0.9,EXCH01,200\r\n"
               "2021-03-03T04:20:00.000Z,r3,ServerInfo~a]@ex.local:444/ecp/"
               "proxyLogon.ecp?#,198.51.100.7,EXCH01,241\r\n"
               "2021-03-03T04:30:00.000Z,r4,ServerInfo~localhost~1941962753,"
               "10.0.0.8,EXCH01,200\r\n"
               "2021-03-03T13:00:00.000Z,r5,Sid~S-1-5-21-1,10.0.0.1,EXCH01,"
               "200\r\n");
    write_file("one/Logging/HttpProxy/Owa/HttpProxy_2021030305-1.LOG", HEADER
               "2021-03-03T05:00:00.000Z,r6,ServerInfo~a]@ex.local:444/mapi/"
               "emsmdb/?#,198.51.100.7,EXCH01,200\r\n");
    char target[512];
    snprintf(target, sizeof target, "%s/one", root);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    out a, b;
    exh_scanner_set_threads(sc, 1);
    scan(sc, target, &a);
    // 2 exploitation rows, localhost probes aggregated per client and hour
    CHECK(a.findings == 4);
    // The logs' header names E2016 CU19 (15.1.2176.2): its 16 open CVEs.
    CHECK(a.vulnerable == 16);
    CHECK(a.text && strstr(a.text, "\"build_source\":\"log-header\""));
    CHECK(a.aggregated_count == 2);
    CHECK(a.summaries == 1);
    CHECK_STR(a.exploited, "yes");
    CHECK_STR(a.host, "EXCH01");
    CHECK(a.gaps == 1); // 04:30 .. 13:00 is longer than six hours
    CHECK(a.text && strstr(a.text, "\"id\":\"f-000001\"") != NULL);
    CHECK(a.text &&
          strstr(a.text, "\"last_time\":\"2021-03-03T04:10:00.000Z\""));
    exh_scanner_free(sc);

    // A fresh scanner with four threads writes the same lines.
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    exh_scanner_set_threads(sc, 4);
    scan(sc, target, &b);
    CHECK(a.text && b.text && strcmp(a.text, b.text) == 0);
    free(b.text);

    // --since drops earlier records from matching, not from coverage.
    int64_t since;
    CHECK(exh_time_parse("2021-03-03T04:25:00Z", &since) == EXH_OK);
    exh_scanner_set_since_ms(sc, since);
    scan(sc, target, &b);
    CHECK(b.findings == 2);
    CHECK(b.vulnerable == 16);
    CHECK(b.gaps == 1);
    free(b.text);
    free(a.text);
    exh_scanner_free(sc);
}

static void test_units(exh_ruleset *rs)
{
    write_file("cases/srv1/C/Windows/System32/.keep", "");
    write_file("cases/srv1/C/Program Files/Microsoft/Exchange Server/V15/"
               "Logging/HttpProxy/Mapi/HttpProxy_2021030304-1.LOG",
               HEADER "2021-03-03T04:20:00.000Z,r3,ServerInfo~a]@ex.local:444/"
                      "mapi/emsmdb/?#,198.51.100.7,SRV1,200\r\n");
    write_file("cases/srv2/Windows/System32/.keep", "");
    write_file("cases/srv2/Program Files/Microsoft/Exchange Server/V15/"
               "Logging/HttpProxy/Mapi/HttpProxy_2021030304-1.LOG",
               HEADER "2021-03-03T04:20:00.000Z,r3,Sid~S-1-5-21-1,"
                      "10.0.0.1,SRV2,200\r\n");
    char target[512];
    snprintf(target, sizeof target, "%s/cases", root);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    out o;
    scan(sc, target, &o);
    CHECK(o.summaries == 2);
    CHECK(o.findings == 1);
    CHECK(o.vulnerable == 32); // each unit's header build
    CHECK(o.text && strstr(o.text, "\"unit\":\"srv1\"") != NULL);
    CHECK(o.text && strstr(o.text, "\"unit\":\"srv2\"") != NULL);
    CHECK(o.text && strstr(o.text, "\"unit\":\".\"") == NULL);
    CHECK(o.text && strstr(o.text, "\"windows_path\":\"C:\\\\Program Files"));
    CHECK_STR(o.host, "SRV2");
    free(o.text);
    exh_scanner_free(sc);
}
/* The conjunctive pre-filter gate end to end over IIS rows: a rule needs
 * one of two stems and an extension; a "not" adds nothing; keywords gate
 * like any selection; a field sequence holds within one IIS value. */
static const char gate_rules[] =
    "title: Gate shell\nname: g_shell\n"
    "logsource: {category: webserver}\n"
    "detection:\n  owa:\n    cs-uri-stem|contains: '/owa/auth/'\n"
    "  ecp:\n    cs-uri-stem|contains: '/ecp/auth/'\n"
    "  ext:\n    cs-uri-stem|endswith: '.aspx'\n"
    "  stock:\n    cs-uri-stem|endswith: '/logon.aspx'\n"
    "  condition: (owa or ecp) and ext and not stock\nlevel: high\n"
    "---\n"
    "title: Gate keyword\nname: g_kw\n"
    "logsource: {category: webserver}\n"
    "detection:\n  kw:\n    - 'kilo99'\n    - 'lima88'\n"
    "  post:\n    cs-method: 'POST'\n"
    "  condition: kw and post\nlevel: high\n"
    "---\n"
    "title: Gate sequence\nname: g_seq\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-uri-stem: '/aspnet_client/*.ashx'\n"
    "  condition: sel\nlevel: high\n";

#define IIS_HEAD                                                               \
    "#Software: Microsoft Internet Information Services 10.0\r\n"              \
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "       \
    "cs-username c-ip cs(User-Agent) sc-status\r\n"

static void test_gate(void)
{
    write_file("gate_rules/gate.yml", gate_rules);
    write_file("gate/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", IIS_HEAD
               // only the second stem alternative: a finding
               "2021-03-02 01:00:00 10.0.0.5 GET /ecp/auth/shell.aspx - 443 "
               "- 10.0.0.9 curl 200\r\n"
               // the stock page: passes the gate, the rule says no
               "2021-03-02 01:00:01 10.0.0.5 GET /owa/auth/logon.aspx - 443 "
               "- 10.0.0.9 curl 200\r\n"
               // one clause only: held back by the gate
               "2021-03-02 01:00:02 10.0.0.5 GET /owa/auth/x.js - 443 - "
               "10.0.0.9 curl 200\r\n"
               "2021-03-02 01:00:03 10.0.0.5 GET /y.aspx - 443 - 10.0.0.9 "
               "curl 200\r\n"
               // keyword and method: a finding; keyword alone: held back
               "2021-03-02 01:00:04 10.0.0.5 POST /x a=LIMA88 443 - 10.0.0.9 "
               "curl 200\r\n"
               "2021-03-02 01:00:05 10.0.0.5 GET /x a=kilo99 443 - 10.0.0.9 "
               "curl 200\r\n"
               // the sequence in one value: a finding; across values: none
               "2021-03-02 01:00:06 10.0.0.5 GET /aspnet_client/a.ashx - 443 "
               "- 10.0.0.9 curl 200\r\n"
               "2021-03-02 01:00:07 10.0.0.5 GET /aspnet_client/a.js b.ashx "
               "443 - 10.0.0.9 curl 200\r\n");
    char rdir[512], target[512];
    snprintf(rdir, sizeof rdir, "%s/gate_rules", root);
    snprintf(target, sizeof target, "%s/gate", root);
    const char *paths[] = {rdir};
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(paths, 1, EXH_LOAD_NO_BUILTIN, &rs, &diag) ==
          EXH_OK);
    CHECK(exh_diag_count(diag) == 0);
    exh_diag_free(diag);
    exh_scanner *sc = NULL;
    CHECK(rs && exh_scanner_new(rs, &sc) == EXH_OK);
    if (sc) {
        out o;
        exh_scanner_set_threads(sc, 1);
        scan(sc, target, &o);
        CHECK(o.findings == 3);
        CHECK(o.text && strstr(o.text, "/ecp/auth/shell.aspx"));
        CHECK(o.text && strstr(o.text, "\"rule\":\"g_kw\""));
        CHECK(o.text && strstr(o.text, "/aspnet_client/a.ashx"));
        CHECK(o.text && !strstr(o.text, "logon.aspx\","));
        // the stock page and the three findings' rows reach the rules
        CHECK(o.text && strstr(o.text, "\"records\":8,\"prefilter_passed\":4"));
        if (o.findings != 3 || !o.text ||
            !strstr(o.text, "\"prefilter_passed\":4"))
            fprintf(stderr, "gate scan:\n%s\n", o.text ? o.text : "");
        free(o.text);
    }
    exh_scanner_free(sc);
    exh_ruleset_free(rs);
}

/* finding_evidence_add copies key and value (the value's length given, a
 * NUL inside kept), and on each allocation failure adds nothing and frees
 * what it had (ASan's leak check). */
static void test_evidence_add(void)
{
    ifinding f = {0};
    f.evidence = exh_calloc(2, sizeof *f.evidence);
    CHECK(f.evidence != NULL);
    if (!f.evidence)
        return;
    for (unsigned long n = 1; n <= 2; n++) {
        alloc_fail_after(n);
        CHECK(finding_evidence_add(&f, "reason", "x", 1) == EXH_ERR_NOMEM);
        alloc_fail_after(0);
        CHECK(f.evidence_count == 0);
        CHECK(!f.evidence[0].key && !f.evidence[0].value);
    }
    char key[] = "line", value[] = "a\0b c";
    CHECK(finding_evidence_add(&f, key, value, 3) == EXH_OK);
    key[0] = value[0] = 'X'; // copies, not the caller's buffers
    CHECK(f.evidence_count == 1);
    CHECK_STR(f.evidence[0].key, "line");
    CHECK(f.evidence[0].value_len == 3 &&
          memcmp(f.evidence[0].value, "a\0b", 4) == 0);
    CHECK(finding_evidence_add(&f, "key", "ControlSet001", 13) == EXH_OK);
    CHECK(f.evidence_count == 2);
    CHECK_STR(f.evidence[1].value, "ControlSet001");
    ifinding_free(&f);
}

#define PATCHED_HEADER                                                         \
    "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.009\r\n"     \
    "#Log-type: HttpProxy Logs\r\n#Date: 2021-03-12T02:00:00.000Z\r\n"         \
    "#Fields: DateTime,RequestId,AnchorMailbox,ClientIpAddress,"               \
    "ServerHostName,HttpStatus\r\n"

/* The header of the file holding a row judges it when the row names no
 * build: a ServerInfo row logged by a build that already had the March
 * 2021 update (15.1.2176.9) is an attempt; one logged by an older build
 * of the same CU (15.1.2176.2) stays exploitation. */
static void test_judged_by_header(exh_ruleset *rs)
{
    write_file("judged/Logging/HttpProxy/Ecp/HttpProxy_2021031202-1.LOG",
               PATCHED_HEADER
               "2021-03-12T02:20:00.000Z,r3,ServerInfo~a]@ex.local:444/ecp/"
               "proxyLogon.ecp?#,198.51.100.7,EXCH01,241\r\n"
               "2021-03-12T02:21:00.000Z,r4,ServerInfo~a]@ex.local:444/mapi/"
               "emsmdb/?#,198.51.100.7,EXCH01,200\r\n");
    char target[512];
    snprintf(target, sizeof target, "%s/judged", root);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    out o;
    scan(sc, target, &o);
    // One client, one hour: the two attempts are one aggregated finding.
    CHECK(o.findings == 1);
    CHECK(o.attempts == 1);
    CHECK(o.aggregated_count == 2);
    CHECK_STR(o.exploited, "attempted");
    CHECK(o.text && strstr(o.text, "\"logged_by_build\":\"15.1.2176.9\""));
    CHECK(o.text &&
          strstr(o.text, "\"logged_by_build_source\":\"log-header\""));
    CHECK(o.text && strstr(o.text, "\"severity\":\"low\""));
    // 15.1.2176.9 leaves 12 covered CVEs open (April 2021 and later).
    CHECK(o.vulnerable == 12);
    free(o.text);
    exh_scanner_free(sc);
}

/* The host comes from the first record that names one: a first row with
 * an empty ServerHostName does not end the search. */
static void test_host_after_empty(exh_ruleset *rs)
{
    write_file("hostless/HttpProxy_2021030304-1.LOG",
               HEADER "2021-03-03T04:00:00.000Z,r1,Sid~S-1-5-21-1,10.0.0.1,,"
                      "200\r\n"
                      "2021-03-03T04:01:00.000Z,r2,Sid~S-1-5-21-1,10.0.0.1,"
                      "EXCH02,200\r\n");
    char target[512];
    snprintf(target, sizeof target, "%s/hostless", root);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    out o;
    scan(sc, target, &o);
    CHECK(o.summaries == 1);
    CHECK_STR(o.host, "EXCH02");
    free(o.text);
    exh_scanner_free(sc);
}

/* windows_path: a one-letter folder is a drive only in a KAPE collection
 * (a volume in another drive folder, or a copy log at the top), whether a
 * folder or a tar; a plain folder's x/ is no X: drive. */
static void test_letter_folders(exh_ruleset *rs)
{
    static const char row[] =
        HEADER "2021-03-03T04:20:00.000Z,r3,ServerInfo~a]@ex.local:444/ecp/"
               "proxyLogon.ecp?#,198.51.100.7,EXCH01,241\r\n";
    write_file("letters/x/HttpProxy_2021030304-1.LOG", row);
    write_file("kaped/C/Windows/System32/drivers/etc/hosts", "");
    write_file("kaped/D/Exchange/Logging/HttpProxy/Ecp/"
               "HttpProxy_2021030304-1.LOG",
               row);
    write_file("kapelog/2021-03-10T101010_CopyLog.csv", "");
    write_file("kapelog/E/HttpProxy_2021030304-1.LOG", row);
    char cmd[1200], target[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s/kaped' && tar -cf ../kaped.tar C D && cd ../letters && "
             "tar -cf ../letters.tar x",
             root);
    CHECK(system(cmd) == 0);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    static const char *const cases[][2] = {
        {"letters", "\"windows_path\":null"},
        {"letters.tar", "\"windows_path\":null"},
        {"kaped", "\"windows_path\":\"D:\\\\Exchange\\\\Logging"},
        {"kaped.tar", "\"windows_path\":\"D:\\\\Exchange\\\\Logging"},
        {"kapelog", "\"windows_path\":\"E:\\\\HttpProxy_2021"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        out o;
        snprintf(target, sizeof target, "%s/%s", root, cases[i][0]);
        scan(sc, target, &o);
        CHECK(o.findings >= 1);
        CHECK(o.text && strstr(o.text, cases[i][1]));
        CHECK(o.text && !strstr(o.text, "\"windows_path\":\"X:"));
        if (!o.text || !strstr(o.text, cases[i][1]))
            fprintf(stderr, "%s: %s\n", cases[i][0], o.text ? o.text : "");
        free(o.text);
    }
    exh_scanner_free(sc);
}

/* A hostile log tree naming a build per file: the timeline keeps at most
 * LOG_BUILDS_MAX (64) builds and the build source lists 8 of them. */
static void test_many_builds(exh_ruleset *rs)
{
    for (int i = 0; i < 70; i++) {
        char rel[128], text[512];
        snprintf(rel, sizeof rel,
                 "many/Logging/HttpProxy/Owa/HttpProxy_20210303%02d-%d.LOG",
                 i % 24, i);
        snprintf(text, sizeof text,
                 "#Software: Microsoft Exchange Server\r\n"
                 "#Version: 15.01.2176.%03d\r\n#Log-type: HttpProxy Logs\r\n"
                 "#Fields: DateTime,RequestId,AnchorMailbox,ClientIpAddress,"
                 "ServerHostName,HttpStatus\r\n"
                 "2021-03-03T%02d:%02d:00.000Z,r1,Sid~S-1-5-21-1,10.0.0.1,"
                 "EXCH01,200\r\n",
                 100 + i, i % 24, i % 60);
        write_file(rel, text);
    }
    char target[512];
    snprintf(target, sizeof target, "%s/many", root);
    exh_scanner *sc = NULL;
    CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
    out o;
    scan(sc, target, &o);
    CHECK(o.summaries == 1);
    CHECK(o.text && strstr(o.text, "and 56 more builds"));
    free(o.text);
    exh_scanner_free(sc);
}

/* ---- the gate against no gate ------------------------------------------ */

static uint64_t exact_rng = 0x2545f4914f6cdd1dull;

static unsigned exact_rnd(unsigned n)
{
    exact_rng = exact_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(exact_rng >> 33) % n;
}

/* Appends s to f, half the time with one or two of its bytes
 * percent-encoded: once, twice ("%2540"), twice with the second escape's
 * digits escaped ("%25%34%30") or after a raw '%' ("%%34%30"); IIS:
 * spaces as '+'. */
static void put_encoded(FILE *f, const char *s, bool iis)
{
    size_t n = strlen(s), at[2] = {SIZE_MAX, SIZE_MAX};
    if (n && exact_rnd(2)) {
        at[0] = exact_rnd((unsigned)n);
        if (exact_rnd(3) == 0)
            at[1] = exact_rnd((unsigned)n);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char h[3];
        snprintf(h, sizeof h, "%02X", c);
        unsigned x = i == at[0] || i == at[1] ? exact_rnd(4) : 4;
        if (x == 0)
            fprintf(f, "%%%s", h);
        else if (x == 1)
            fprintf(f, "%%25%s", h);
        else if (x == 2)
            fprintf(f, "%%25%%%02X%%%02X", h[0], h[1]);
        else if (x == 3)
            fprintf(f, "%%%%%02X%%%02X", h[0], h[1]);
        else if (iis && c == ' ')
            fputc('+', f);
        else
            fputc(c, f);
    }
}

static const char *pick(const char *const *v, size_t n)
{
    return v[exact_rnd((unsigned)n)];
}
#define PICK(v) pick(v, sizeof v / sizeof *v)

/* The built-in rules over HttpProxy and IIS rows made of the pieces of
 * their literals, escaped at random, some HttpProxy values quoted with a
 * comma inside: the pre-filter's gate (literals, field sequences,
 * deferred clauses, field clauses, decoding) must let through every
 * record a rule matches, so the findings are those of a scan without it. */
static void test_gate_exact(void)
{
    static const char *const stems[] = {
        "/owa/a@b.c/powershell",
        "/owa/x/powershell",
        "/autodiscover/autodiscover.json",
        "/ecp/y.js",
        "/ecp/ab.js",
        "/owa/auth/x.js",
        "/aspnet_client/s.aspx",
        "/owa/auth/shell.aspx",
        "/oab/x.ashx",
        "/ecp/DDI/DDIService.svc/SetObject",
        "/mapi/nspi/",
        "/powershell",
        "/ecp/proxyLogon.ecp",
        "/ews/x.php",
        "/owa/auth/Current/themes/resources/a.gif",
        "/x.jsp",
        "/ecp/auth/a.aspx"};
    static const char *const queries[] = {
        "?@evil.com/mapi/nspi",
        "&Email=autodiscover/autodiscover.json%3F@e.com",
        "?Email=Autodiscover/autodiscover.json?@x.y",
        "?proxy&port=1",
        "?proxy",
        "?cmd=connect&target=1.2.3.4&port=22",
        "?cmd=read",
        "",
        "?a=b",
        "?__VIEWSTATE=abc&__VIEWSTATEGENERATOR=1",
        "?SecurityToken=x",
        "?x=%40y",
        "?ExchangeGuid=1&ParamPresenter=x"};
    static const char *const agents[] = {
        "python-requests/2.25.1",
        "ExchangeServicesClient/0.0.0.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "antSword/v2.1",
        "DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html)",
        "Outlook",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/51.0.2704.103 Safari/537.36"};
    static const char *const anchors[] = {
        "ServerInfo~a]@host:444/autodiscover/autodiscover.xml?#",
        "ServerInfo~a]@h:444/ecp/DDI/DDIService.svc/ResetOABVirtualDirectory#",
        "Smtp~u@x.com",
        "",
        "ServerInfo~localhost/x",
        "ServerInfo~h,x/y"};
    static const char *const cookies[] = {"Server~h.x.local~1~2",
                                          "Server~a/b~1", "", "Server~a,b/c~d",
                                          "Server~localhost/x~1"};
    static const char *const methods[] = {"POST", "GET"};
    static const char *const statuses[] = {"200", "404", "302", "500"};
    char *hp = NULL, *iis = NULL;
    size_t hp_len = 0, iis_len = 0;
    FILE *f = open_memstream(&hp, &hp_len);
    FILE *g = open_memstream(&iis, &iis_len);
    if (!f || !g)
        return;
    fputs("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
          "#Log-type: HttpProxy Logs\r\n#Fields: DateTime,RequestId,UrlStem,"
          "AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,"
          "Method,BackEndCookie,UrlQuery,GenericInfo\r\n",
          f);
    fputs("#Software: Microsoft Internet Information Services 10.0\r\n"
          "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
          "cs-username c-ip cs(User-Agent) sc-status\r\n",
          g);
    for (unsigned i = 0; i < 6000; i++) {
        unsigned h = i / 3600 % 24, m = i / 60 % 60, sec = i % 60;
        const char *anchor = PICK(anchors), *cookie = PICK(cookies);
        bool q = exact_rnd(8) == 0; // quoted values, a comma inside
        fprintf(f, "2022-10-01T%02u:%02u:%02u.000Z,r%u,", h, m, sec, i);
        put_encoded(f, PICK(stems), false);
        fputs(q ? ",\"" : ",", f);
        put_encoded(f, anchor, false);
        fprintf(f, "%s,%s,10.0.0.%u,EX1,%s,%s,%s", q ? "\"" : "", PICK(agents),
                exact_rnd(9), PICK(statuses), PICK(methods), q ? "\"" : "");
        put_encoded(f, cookie, false);
        fputs(q ? "\"," : ",", f);
        put_encoded(f, PICK(queries), false);
        // as Exchange writes it: '@' escaped
        fputs(",RoutingEntry=x%40y;a=b\r\n", f);
        fprintf(g, "2022-10-01 %02u:%02u:%02u 10.0.0.1 %s ", h, m, sec,
                PICK(methods));
        put_encoded(g, PICK(stems), true);
        fputc(' ', g);
        const char *query = PICK(queries);
        if (*query)
            put_encoded(g, query + (*query == '?'), true);
        else
            fputc('-', g);
        fprintf(g, " 443 - 10.0.0.%u ", exact_rnd(9));
        put_encoded(g, PICK(agents), true);
        fprintf(g, " %s\r\n", PICK(statuses));
    }
    fclose(f);
    fclose(g);
    write_file("exact/Logging/HttpProxy/Owa/HttpProxy_2022100100-1.LOG", hp);
    write_file("exact/inetpub/logs/LogFiles/W3SVC1/u_ex221001.log", iis);
    free(hp);
    free(iis);
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(NULL, 0, 0, &rs, &diag) == EXH_OK);
    exh_diag_free(diag);
    char target[512];
    snprintf(target, sizeof target, "%s/exact", root);
    char *text[2] = {NULL, NULL};
    int findings[2] = {0, 0};
    for (int gate = 0; gate < 2 && rs; gate++) {
        exh_scanner *sc = NULL;
        CHECK(exh_scanner_new(rs, &sc) == EXH_OK);
        if (!sc)
            break;
        scanner_set_gate(sc, gate);
        out o;
        scan(sc, target, &o);
        // the findings only: the summary counts what passed the gate
        char *sum = o.text
                        ? strstr(o.text, "{\"schema\":1,\"kind\":\"summary\"")
                        : NULL;
        if (sum)
            *sum = '\0';
        text[gate] = o.text;
        findings[gate] = o.findings;
        exh_scanner_free(sc);
    }
    CHECK(text[0] && text[1] && findings[0] > 100);
    CHECK(findings[0] == findings[1]);
    if (text[0] && text[1] && strcmp(text[0], text[1]) != 0) {
        fprintf(stderr, "gate exact: %d findings without the gate, %d with\n",
                findings[0], findings[1]);
        CHECK(!"the gate held back a record a rule matches");
    }
    free(text[0]);
    free(text[1]);
    exh_ruleset_free(rs);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/exh-test-scanner-XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    char rules_dir[512];
    snprintf(rules_dir, sizeof rules_dir, "%s/rules", root);
    write_file("rules/test.yml", rules_text);
    const char *paths[] = {rules_dir};
    test_evidence_add();
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(paths, 1, EXH_LOAD_NO_BUILTIN, &rs, &diag) ==
          EXH_OK);
    for (size_t i = 0; i < exh_diag_count(diag); i++)
        fprintf(stderr, "diag: %s\n", exh_diag_message(diag, i));
    CHECK(exh_diag_count(diag) == 0);
    exh_diag_free(diag);
    CHECK(exh_ruleset_count(rs) == 2);
    if (rs) {
        test_one_unit(rs);
        test_units(rs);
        test_judged_by_header(rs);
        test_many_builds(rs);
        test_host_after_empty(rs);
        test_letter_folders(rs);
    }
    exh_ruleset_free(rs);
    test_gate();
    test_gate_exact();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    TEST_MAIN_END();
}
