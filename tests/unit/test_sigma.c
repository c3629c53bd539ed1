/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sigma.c - the Sigma engine: every modifier, wildcard and escape,
 * lists, null and empty values, keywords, each condition form and its
 * precedence, metadata, rejections with their line numbers, evidence,
 * pre-filter literals, concurrent matching, allocation failures, and a
 * compile pass over the SigmaHQ samples in ../shared/data (when present).
 */
#include "harness.h"
#include "internal.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------ */

#define HEAD                                                                   \
    "title: t\nlogsource:\n    product: exchange\n"                            \
    "    service: httpproxy\n"

/* A rule of HEAD plus a detection block; NULL (and a failed check) when
 * it does not compile. */
static sigma_rule *compile1(const char *yml)
{
    sigma_rule **rules = NULL;
    size_t count = 0;
    char *msg = NULL;
    exh_status st =
        sigma_compile(yml, strlen(yml), "t.yml", &rules, &count, &msg);
    CHECK(st == EXH_OK);
    if (st != EXH_OK) {
        fprintf(stderr, "  unexpected rejection: %s\n", msg ? msg : "?");
        exh_free(msg);
        return NULL;
    }
    CHECK(count == 1);
    sigma_rule *r = rules[0];
    for (size_t i = 1; i < count; i++)
        sigma_rule_free(rules[i]);
    exh_free(rules);
    return r;
}

static sigma_rule *det(const char *detection)
{
    char text[4096];
    snprintf(text, sizeof text, HEAD "detection:\n%s", detection);
    return compile1(text);
}

/* Expects text to be rejected with exactly the message want. */
static void reject(const char *text, const char *want)
{
    sigma_rule **rules = NULL;
    size_t count = 5;
    char *msg = NULL;
    exh_status st =
        sigma_compile(text, strlen(text), "t.yml", &rules, &count, &msg);
    CHECK(st == EXH_ERR_RULE_SYNTAX);
    CHECK(rules == NULL && count == 0);
    CHECK_STR(msg, want);
    exh_free(msg);
}

typedef struct tev {
    const char *names[16];
    const char *values[16];
    size_t lens[16];
    event ev;
} tev;

/* An event of NULL-terminated name, value pairs; raw may be NULL. */
static const event *mk(tev *t, const char *raw, ...)
{
    va_list ap;
    va_start(ap, raw);
    size_t n = 0;
    const char *name;
    while (n < 16 && (name = va_arg(ap, const char *)) != NULL) {
        t->names[n] = name;
        t->values[n] = va_arg(ap, const char *);
        t->lens[n] = strlen(t->values[n]);
        n++;
    }
    va_end(ap);
    memset(&t->ev, 0, sizeof t->ev);
    t->ev.count = n;
    t->ev.names = t->names;
    t->ev.values = t->values;
    t->ev.lens = t->lens;
    t->ev.raw = raw;
    t->ev.raw_len = raw ? strlen(raw) : 0;
    return &t->ev;
}

/* Does rule r match an event with one field F = value? */
static bool m1(const sigma_rule *r, const char *value)
{
    tev t;
    return sigma_match(r, mk(&t, NULL, "F", value, NULL), NULL, 0, NULL);
}

/* Checks that the rule's literal set is exactly want (NULL-terminated;
 * want NULL: no set). */
static void lits_are(const sigma_rule *r, const char *const *want)
{
    const char *const *lits = NULL;
    size_t count = 0;
    bool ok = sigma_literals(r, &lits, &count);
    if (!want) {
        CHECK(!ok);
        return;
    }
    CHECK(ok);
    size_t n = 0;
    while (want[n])
        n++;
    CHECK(count == n);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < count; k++)
            found = found || !strcmp(lits[k], want[i]);
        if (!found)
            fprintf(stderr, "  missing literal '%s'\n", want[i]);
        CHECK(found);
    }
}

/* ---- value matching ------------------------------------------------------ */

static void test_equality(void)
{
    sigma_rule *r = det("    sel:\n        F: '/ecp/y.js'\n"
                        "    condition: sel\n");
    CHECK(r && m1(r, "/ecp/y.js"));
    CHECK(r && m1(r, "/ECP/Y.JS"));
    CHECK(r && !m1(r, "/ecp/y.jsx"));
    CHECK(r && !m1(r, "x/ecp/y.js"));
    tev t;
    CHECK(r &&
          !sigma_match(r, mk(&t, NULL, "G", "/ecp/y.js", NULL), NULL, 0, NULL));
    // field names are case-insensitive
    CHECK(r &&
          sigma_match(r, mk(&t, NULL, "f", "/ecp/y.js", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    r = det("    sel:\n        F: 200\n    condition: sel\n");
    CHECK(r && m1(r, "200") && !m1(r, "2000") && !m1(r, "20"));
    sigma_rule_free(r);
}

static void test_contains_starts_ends(void)
{
    sigma_rule *r = det("    sel:\n        F|contains: 'ServerInfo~'\n"
                        "    condition: sel\n");
    CHECK(r && m1(r, "ServerInfo~a]@b:444/x"));
    CHECK(r && m1(r, "xx SERVERINFO~"));
    CHECK(r && !m1(r, "ServerInfo-"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|startswith: 'abc'\n    condition: sel\n");
    CHECK(r && m1(r, "ABCdef") && m1(r, "abc") && !m1(r, "xabc"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|endswith: '.aspx'\n    condition: sel\n");
    CHECK(r && m1(r, "/owa/auth/x.ASPX") && !m1(r, "x.aspx.js"));
    CHECK(r && !m1(r, "aspx"));
    sigma_rule_free(r);

    // wildcards still work inside contains
    r = det("    sel:\n        F|contains: 'a*z'\n    condition: sel\n");
    CHECK(r && m1(r, "--a--z--") && !m1(r, "--z--a--"));
    sigma_rule_free(r);
}

static void test_wildcards_escapes(void)
{
    sigma_rule *r = det("    sel:\n        F: 'ServerInfo~*/*'\n"
                        "    condition: sel\n");
    CHECK(r && m1(r, "ServerInfo~a]@b.c:444/autodiscover"));
    CHECK(r && !m1(r, "ServerInfo~localhost"));
    CHECK(r && m1(r, "serverinfo~/"));
    sigma_rule_free(r);

    r = det("    sel:\n        F: 'prog?.exe'\n    condition: sel\n");
    CHECK(r && m1(r, "progA.exe") && !m1(r, "prog.exe") &&
          !m1(r, "progAB.exe"));
    sigma_rule_free(r);

    r = det("    sel:\n        F: '*'\n    condition: sel\n");
    CHECK(r && m1(r, "") && m1(r, "anything"));
    tev t;
    CHECK(r && !sigma_match(r, mk(&t, NULL, "G", "x", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    // \* is a plain star
    r = det("    sel:\n        F: 'a\\*b'\n    condition: sel\n");
    CHECK(r && m1(r, "a*b") && !m1(r, "axb"));
    sigma_rule_free(r);

    // \? is a plain question mark
    r = det("    sel:\n        F: 'a\\?'\n    condition: sel\n");
    CHECK(r && m1(r, "a?") && !m1(r, "ab"));
    sigma_rule_free(r);

    // \\* is a backslash followed by a wildcard
    r = det("    sel:\n        F: 'a\\\\*'\n    condition: sel\n");
    CHECK(r && m1(r, "a\\") && m1(r, "a\\xyz") && !m1(r, "axyz"));
    sigma_rule_free(r);

    // \\\* is a backslash and a plain star
    r = det("    sel:\n        F: 'a\\\\\\*'\n    condition: sel\n");
    CHECK(r && m1(r, "a\\*") && !m1(r, "a\\x"));
    sigma_rule_free(r);

    // a single backslash before anything else is itself
    r = det("    sel:\n        F|endswith: '\\cmd.exe'\n    condition: sel\n");
    CHECK(r && m1(r, "C:\\Windows\\System32\\CMD.EXE") && !m1(r, "xcmd.exe"));
    sigma_rule_free(r);

    // \\\\ is two backslashes
    r = det("    sel:\n        F: '\\\\\\\\srv'\n    condition: sel\n");
    CHECK(r && m1(r, "\\\\srv") && !m1(r, "\\srv"));
    sigma_rule_free(r);

    // a glob with inner wildcards and backtracking
    r = det("    sel:\n        F: '*a*b?c*'\n    condition: sel\n");
    CHECK(r && m1(r, "xxaxxbbcxx") && m1(r, "abxc") && !m1(r, "abc"));
    sigma_rule_free(r);
}

/* Values of cs-user-agent, cs-referrer and cs-cookie as SigmaHQ writes
 * them, with IIS's '+' for a space: the reader gives IIS values with '+'
 * read as a space, HttpProxy's UserAgent as sent. Each '+' of the rule
 * matches either; other fields keep '+' literal. */
static void test_plus_fields(void)
{
    sigma_rule *r = det("    sel:\n        cs-user-agent|startswith:\n"
                        "          - 'Mozilla/5.0+(compatible;+Baiduspider/"
                        "2.0;++http://www.baidu.com/search/spider.html)'\n"
                        "    condition: sel\n");
    tev t;
    const char *iis = "Mozilla/5.0 (compatible; Baiduspider/2.0;  "
                      "http://www.baidu.com/search/spider.html)";
    const char *proxy = "Mozilla/5.0 (compatible; Baiduspider/2.0; "
                        "+http://www.baidu.com/search/spider.html) x";
    const char *other = "Mozilla/5.0 (compatible; Baiduspider/2.0; "
                        "+http://www.baidu.com/search/spider.htm";
    CHECK(r && sigma_match(r, mk(&t, NULL, "cs-user-agent", iis, NULL), NULL, 0,
                           NULL));
    CHECK(r && sigma_match(r, mk(&t, NULL, "cs-user-agent", proxy, NULL), NULL,
                           0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "cs-user-agent", other, NULL), NULL,
                            0, NULL));
    // the pre-filter gets a run between the '+'s
    const char *const *lits = NULL;
    size_t count = 0;
    CHECK(r && sigma_literals(r, &lits, &count) && count == 1);
    CHECK(r && count == 1 && strstr(lits[0], "baidu.com/search") != NULL &&
          strchr(lits[0], '+') == NULL);
    sigma_rule_free(r);

    r = det("    sel:\n        CS-Referrer: 'https://a.example/?q=a+b'\n"
            "    condition: sel\n");
    CHECK(r &&
          sigma_match(
              r, mk(&t, NULL, "cs-referrer", "https://a.example/?q=a b", NULL),
              NULL, 0, NULL));
    sigma_rule_free(r);

    // not a '+' field: '+' is itself
    r = det("    sel:\n        F: 'a+b'\n    condition: sel\n");
    CHECK(r && m1(r, "a+b") && !m1(r, "a b"));
    sigma_rule_free(r);
    // an encoded value is left alone
    r = det("    sel:\n        cs-cookie|base64: 'a+b'\n"
            "    condition: sel\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "cs-cookie", "YSti", NULL), NULL, 0,
                           NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "cs-cookie", "YSBi", NULL), NULL, 0,
                            NULL));
    sigma_rule_free(r);
}

static void test_lists_all_cased(void)
{
    sigma_rule *r = det("    sel:\n        F:\n            - one\n"
                        "            - two\n    condition: sel\n");
    CHECK(r && m1(r, "one") && m1(r, "TWO") && !m1(r, "three"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|contains|all:\n            - '/ecp/'\n"
            "            - '__VIEWSTATE='\n    condition: sel\n");
    CHECK(r && m1(r, "/ecp/default.aspx?__VIEWSTATE=abc"));
    CHECK(r && !m1(r, "/ecp/default.aspx"));
    CHECK(r && !m1(r, "/owa/?__viewstate="));
    sigma_rule_free(r);

    r = det("    sel:\n        F|cased: 'Foo'\n    condition: sel\n");
    CHECK(r && m1(r, "Foo") && !m1(r, "foo") && !m1(r, "FOO"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|contains|cased: 'Foo'\n    condition: sel\n");
    CHECK(r && m1(r, "xFoox") && !m1(r, "xfoox"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|cased: 'F?o*'\n    condition: sel\n");
    CHECK(r && m1(r, "Fxoooo") && !m1(r, "fxoooo"));
    sigma_rule_free(r);

    // a map: every field must match
    tev t;
    r = det("    sel:\n        F: a\n        G|startswith: b\n"
            "    condition: sel\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "F", "a", "G", "bee", NULL), NULL, 0,
                           NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "F", "a", "G", "xbee", NULL), NULL,
                            0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "F", "a", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    // a list of maps: any map
    r = det("    sel:\n        - F: a\n        - G: b\n"
            "    condition: sel\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "G", "b", NULL), NULL, 0, NULL));
    CHECK(r && sigma_match(r, mk(&t, NULL, "F", "a", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "F", "b", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

static void test_regex(void)
{
    sigma_rule *r = det("    sel:\n        F|re: '^/ecp/[a-z]+\\.js$'\n"
                        "    condition: sel\n");
    CHECK(r && m1(r, "/ecp/y.js") && !m1(r, "/ECP/Y.JS"));
    CHECK(r && !m1(r, "/ecp/y9.js"));
    sigma_rule_free(r);

    r = det("    sel:\n        F|re|i: 'serverinfo~.*/'\n    condition: sel\n");
    CHECK(r && m1(r, "x ServerInfo~a/b") && !m1(r, "ServerInfo~"));
    sigma_rule_free(r);

    // m: ^ matches after a line end; s: '.' matches the line end
    r = det("    sel:\n        F|re|m: '^b'\n    condition: sel\n");
    CHECK(r && m1(r, "a\nb"));
    sigma_rule_free(r);
    r = det("    sel:\n        F|re: '^b'\n    condition: sel\n");
    CHECK(r && !m1(r, "a\nb"));
    sigma_rule_free(r);
    r = det("    sel:\n        F|re|s: 'a.b'\n    condition: sel\n");
    CHECK(r && m1(r, "a\nb"));
    sigma_rule_free(r);
    r = det("    sel:\n        F|re: 'a.b'\n    condition: sel\n");
    CHECK(r && !m1(r, "a\nb"));
    sigma_rule_free(r);

    // more capture groups than the match data holds still match
    r = det("    sel:\n        F|re: '(a)(b)(c)(d)'\n    condition: sel\n");
    CHECK(r && m1(r, "xabcdx") && !m1(r, "abc"));
    sigma_rule_free(r);

    // catastrophic backtracking ends at the match limit, no match
    r = det("    sel:\n        F|re: '(a+)+$'\n    condition: sel\n");
    CHECK(r && !m1(r, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"));
    sigma_rule_free(r);
}

static void test_null_empty(void)
{
    tev t;
    sigma_rule *r = det("    sel:\n        F: null\n    condition: sel\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "G", "x", NULL), NULL, 0, NULL));
    CHECK(r && m1(r, ""));
    CHECK(r && !m1(r, "x"));
    sigma_rule_free(r);

    r = det("    sel:\n        F: ''\n    condition: sel\n");
    CHECK(r && m1(r, "") && !m1(r, "x"));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "G", "x", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    // a quoted 'null' is the text
    r = det("    sel:\n        F: 'null'\n    condition: sel\n");
    CHECK(r && m1(r, "NULL") && !m1(r, ""));
    sigma_rule_free(r);

    // "not null" is a negated null selection
    r = det("    sel:\n        G: x\n    f:\n        F: null\n"
            "    condition: sel and not f\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "G", "x", "F", "v", NULL), NULL, 0,
                           NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "G", "x", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

static void test_keywords(void)
{
    tev t;
    sigma_rule *r = det("    keywords:\n        - 'Set-OabVirtualDirectory'\n"
                        "        - 'New-MailboxExportRequest'\n"
                        "    condition: keywords\n");
    CHECK(r && sigma_match(r, mk(&t, "a,b,set-oabvirtualdirectory -x", NULL),
                           NULL, 0, NULL));
    CHECK(r && sigma_match(r, mk(&t, "New-MailboxExportRequest", NULL), NULL, 0,
                           NULL));
    CHECK(r && !sigma_match(r, mk(&t, "Get-Mailbox", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    r = det("    keywords:\n        '|all':\n"
            "            - 'OabVirtualDirectory'\n"
            "            - ' -ExternalUrl '\n    condition: keywords\n");
    CHECK(r && sigma_match(r,
                           mk(&t,
                              "Set-OabVirtualDirectory -ExternalUrl "
                              "'http://x'",
                              NULL),
                           NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, "Set-OabVirtualDirectory", NULL), NULL, 0,
                            NULL));
    sigma_rule_free(r);

    // a keyword with a wildcard
    r = det("    keywords:\n        - 'ab*yz'\n    condition: keywords\n");
    CHECK(r && sigma_match(r, mk(&t, "--AB--YZ--", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, "--yz--ab--", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

/* ---- conditions ---------------------------------------------------------- */

/* Evaluates a condition over selections a, b, c (each "X: 1") on an event
 * where the named ones hold. */
static bool cond3(const char *cond, bool a, bool b, bool c)
{
    char d[1024];
    snprintf(d, sizeof d,
             "    a:\n        A: 1\n    b:\n        B: 1\n    c:\n"
             "        C: 1\n    condition: %s\n",
             cond);
    sigma_rule *r = det(d);
    if (!r)
        return false;
    tev t;
    const event *ev = mk(&t, NULL, "A", a ? "1" : "0", "B", b ? "1" : "0", "C",
                         c ? "1" : "0", NULL);
    bool m = sigma_match(r, ev, NULL, 0, NULL);
    sigma_rule_free(r);
    return m;
}

static void test_conditions(void)
{
    CHECK(cond3("a and b", true, true, false));
    CHECK(!cond3("a and b", true, false, true));
    CHECK(cond3("a or b", false, true, false));
    CHECK(!cond3("a or b", false, false, true));
    CHECK(cond3("not a", false, false, false));
    CHECK(!cond3("not a", true, false, false));
    CHECK(cond3("a AND NOT b", true, false, false));
    // precedence: not > and > or
    CHECK(cond3("a or b and c", true, false, false));
    CHECK(!cond3("a or b and c", false, true, false));
    CHECK(cond3("not a and b", false, true, false));
    CHECK(!cond3("not a and b", true, true, false));
    CHECK(!cond3("not a or b", true, false, false));
    CHECK(cond3("not (a and b)", true, false, false));
    CHECK(!cond3("(a or b) and c", true, false, false));
    CHECK(cond3("(a or b) and c", false, true, true));
    CHECK(cond3("not not a", true, false, false));
    CHECK(cond3("((a))", true, false, false));
    CHECK(cond3("a and b and c or not a", false, false, false));
    // x of
    CHECK(cond3("1 of them", false, false, true));
    CHECK(!cond3("1 of them", false, false, false));
    CHECK(cond3("all of them", true, true, true));
    CHECK(!cond3("all of them", true, true, false));
    CHECK(cond3("any of them", false, true, false));
    CHECK(cond3("1 of a* and not all of them", true, false, false));
    CHECK(cond3("a and not 1 of them", true, false, false) == false);
}

static void test_of_patterns(void)
{
    tev t;
    const char *d = "    selection_1:\n        A: 1\n    selection_2:\n"
                    "        B: 1\n    filter_x:\n        C: 1\n"
                    "    _hidden:\n        D: 1\n";
    char text[1024];
    snprintf(text, sizeof text, "%s    condition: 1 of selection_*\n", d);
    sigma_rule *r = det(text);
    CHECK(r && sigma_match(r, mk(&t, NULL, "B", "1", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "C", "1", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    snprintf(text, sizeof text,
             "%s    condition: all of selection* and not 1 of filter*\n", d);
    r = det(text);
    CHECK(r && sigma_match(r, mk(&t, NULL, "A", "1", "B", "1", NULL), NULL, 0,
                           NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "A", "1", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "A", "1", "B", "1", "C", "1", NULL),
                            NULL, 0, NULL));
    sigma_rule_free(r);

    // them skips names starting with '_'; a pattern does not
    snprintf(text, sizeof text, "%s    condition: all of them\n", d);
    r = det(text);
    CHECK(r && sigma_match(r, mk(&t, NULL, "A", "1", "B", "1", "C", "1", NULL),
                           NULL, 0, NULL));
    sigma_rule_free(r);
    snprintf(text, sizeof text, "%s    condition: 1 of _h*\n", d);
    r = det(text);
    CHECK(r && sigma_match(r, mk(&t, NULL, "D", "1", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
    snprintf(text, sizeof text, "%s    condition: 1 of *_2\n", d);
    r = det(text);
    CHECK(r && sigma_match(r, mk(&t, NULL, "B", "1", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "A", "1", NULL), NULL, 0, NULL));
    sigma_rule_free(r);

    // a list of conditions is an OR
    r = det("    a:\n        A: 1\n    b:\n        B: 1\n"
            "    condition:\n        - a\n        - b\n");
    CHECK(r && sigma_match(r, mk(&t, NULL, "B", "1", NULL), NULL, 0, NULL));
    CHECK(r && sigma_match(r, mk(&t, NULL, "A", "1", NULL), NULL, 0, NULL));
    CHECK(r && !sigma_match(r, mk(&t, NULL, "C", "1", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

/* ---- metadata ------------------------------------------------------------ */

static void test_metadata(void)
{
    sigma_rule *r = compile1(
        "title: ProxyLogon SSRF\n"
        "id: 6b2f0000-0000-4000-8000-000000000001\n"
        "name: proxylogon-ssrf\n"
        "status: test\n"
        "description: d\n"
        "author: someone\n"
        "references:\n    - https://a.example\n    - https://b.example\n"
        "tags:\n    - attack.initial_access\n    - attack.t1190\n"
        "    - attack.t1505.003\n    - attack.persistence\n"
        "    - cve.2021-26855\n    - cve.2021.27065\n    - cve.2021-26855\n"
        "    - detection.emerging-threats\n"
        "logsource:\n    product: exchange\n    service: httpproxy\n"
        "    category: proxy\n"
        "detection:\n    sel:\n        A: x\n    condition: sel\n"
        "level: critical\n");
    if (!r)
        return;
    const sigma_meta *m = sigma_rule_meta(r);
    CHECK_STR(m->title, "ProxyLogon SSRF");
    CHECK_STR(m->id, "6b2f0000-0000-4000-8000-000000000001");
    CHECK_STR(m->name, "proxylogon-ssrf");
    CHECK_STR(m->status, "test");
    CHECK_STR(m->description, "d");
    CHECK_STR(m->author, "someone");
    CHECK(m->reference_count == 2);
    CHECK_STR(m->references[1], "https://b.example");
    CHECK_STR(m->product, "exchange");
    CHECK_STR(m->service, "httpproxy");
    CHECK_STR(m->category, "proxy");
    CHECK(m->severity == EXH_SEV_CRITICAL);
    CHECK(m->attack_count == 2);
    CHECK_STR(m->attack[0], "T1190");
    CHECK_STR(m->attack[1], "T1505.003");
    CHECK(m->cve_count == 2);
    CHECK_STR(m->cve[0], "CVE-2021-26855");
    CHECK_STR(m->cve[1], "CVE-2021-27065");
    // no exhunt attribute, a CVE and initial access: exploitation
    CHECK(m->category_value == EXH_CAT_EXPLOITATION);
    sigma_rule_free(r);

    // defaults: no name, medium, suspicious (CVE without initial access)
    r = compile1("title: t\nlogsource: {category: webserver}\n"
                 "tags: [cve.2020-0688, attack.initial-access_x]\n"
                 "detection: {s: {A: x}, condition: s}\n");
    if (r) {
        m = sigma_rule_meta(r);
        CHECK(m->name == NULL && m->id == NULL && m->author == NULL);
        CHECK(m->severity == EXH_SEV_MEDIUM);
        CHECK(m->category_value == EXH_CAT_SUSPICIOUS);
        CHECK(m->cve_count == 1 && m->attack_count == 0);
        CHECK(m->product == NULL && m->service == NULL);
        CHECK_STR(m->category, "webserver");
    }
    sigma_rule_free(r);

    // new-style tactic tag also counts; informational is info
    r = compile1("title: t\nlogsource: {category: webserver}\n"
                 "tags: [cve.2020-0688, attack.initial-access]\n"
                 "level: informational\n"
                 "detection: {s: {A: x}, condition: s}\n");
    CHECK(r && sigma_rule_meta(r)->category_value == EXH_CAT_EXPLOITATION);
    CHECK(r && sigma_rule_meta(r)->severity == EXH_SEV_INFO);
    sigma_rule_free(r);

    static const struct {
        const char *name;
        exh_category cat;
    } cats[] = {{"vulnerable", EXH_CAT_VULNERABLE},
                {"attempt", EXH_CAT_ATTEMPT},
                {"exploitation", EXH_CAT_EXPLOITATION},
                {"webshell", EXH_CAT_WEBSHELL},
                {"post-exploitation", EXH_CAT_POST_EXPLOITATION},
                {"suspicious", EXH_CAT_SUSPICIOUS}};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "title: t\nlogsource: {product: exchange}\n"
                 "exhunt:\n    category: %s\nlevel: low\n"
                 "tags: [cve.2021-26855, attack.initial_access]\n"
                 "detection: {s: {A: x}, condition: s}\n",
                 cats[i].name);
        r = compile1(text);
        CHECK(r && sigma_rule_meta(r)->category_value == cats[i].cat);
        CHECK(r && sigma_rule_meta(r)->severity == EXH_SEV_LOW);
        sigma_rule_free(r);
    }
    const char *levels[] = {"high", "medium"};
    for (size_t i = 0; i < 2; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "title: t\nlogsource: {product: x}\nlevel: %s\n"
                 "detection: {s: {A: x}, condition: s}\n",
                 levels[i]);
        r = compile1(text);
        CHECK(r && sigma_rule_meta(r)->severity ==
                       (i == 0 ? EXH_SEV_HIGH : EXH_SEV_MEDIUM));
        sigma_rule_free(r);
    }
}

/* ---- rejections ---------------------------------------------------------- */

static void test_rejections(void)
{
    reject(HEAD "detection:\n    sel:\n        F|expand: '%x%'\n"
                "    condition: sel\n",
           "t.yml:7: unsupported modifier 'expand'");
    reject(HEAD "detection:\n    sel:\n        A: 1\n"
                "        F|contains|expand: x\n    condition: sel\n",
           "t.yml:8: unsupported modifier 'expand'");
    reject(HEAD "detection:\n    sel:\n        F|bogus: x\n"
                "    condition: sel\n",
           "t.yml:7: unknown modifier 'bogus'");
    reject(HEAD "detection:\n    sel:\n        F|i: x\n    condition: sel\n",
           "t.yml:7: unsupported modifier 'i'");
    reject(HEAD "detection:\n    sel:\n        F|contains|endswith: x\n"
                "    condition: sel\n",
           "t.yml:7: conflicting modifiers in 'F|contains|endswith'");
    reject(HEAD "detection:\n    sel:\n        F: x\n"
                "    condition: sel and nosuch\n",
           "t.yml:8: condition: unknown selection 'nosuch'");
    reject(HEAD "detection:\n    sel:\n        F: x\n"
                "    condition: 1 of filter*\n",
           "t.yml:8: condition: no selection matches 'filter*'");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: sel*\n",
           "t.yml:8: condition: pattern 'sel*' needs '1 of' or 'all of'");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: (sel\n",
           "t.yml:8: condition: missing ')'");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: sel and\n",
           "t.yml:8: condition: unexpected end");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: sel sel\n",
           "t.yml:8: condition: unexpected 'sel'");
    reject(HEAD "detection:\n    sel:\n        F: x\n"
                "    condition: sel | count() > 5\n",
           "t.yml:8: condition: aggregations ('|') are not supported");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: 2 of sel\n",
           "t.yml:8: condition: '2 of' is not supported");
    reject(HEAD "detection:\n    sel:\n        F: x\n",
           "t.yml:6: 'detection' has no 'condition'");
    reject(HEAD "detection:\n    sel:\n        F|re: '(x'\n"
                "    condition: sel\n",
           "t.yml:7: bad regular expression at offset 2: missing closing "
           "parenthesis");
    reject(HEAD "exhunt:\n    category: pwned\n"
                "detection: {s: {A: x}, condition: s}\n",
           "t.yml:6: unknown exhunt category 'pwned'");
    reject(HEAD "level: severe\ndetection: {s: {A: x}, condition: s}\n",
           "t.yml:5: unknown level 'severe'");
    reject("title: t\nlogsource: {product: x}\ndetection:\n  s:\n    A: [x\n",
           "t.yml:6: YAML: did not find expected ',' or ']' while parsing a "
           "flow sequence");
    reject("action: global\ntitle: t\n",
           "t.yml:1: rule collections ('action') are not supported");
    reject("logsource: {product: x}\ndetection: {s: {A: x}, condition: s}\n",
           "t.yml:1: missing 'title'");
    reject(HEAD "detection:\n    sel:\n        F: x\n    sel:\n        G: y\n"
                "    condition: sel\n",
           "t.yml:8: duplicate selection 'sel'");
    reject(HEAD "detection:\n    sel:\n        F:\n            - [a, b]\n"
                "    condition: sel\n",
           "t.yml:8: nested lists or maps as values are not supported");
    reject(HEAD "detection:\n    sel: []\n    condition: sel\n",
           "t.yml:6: selection 'sel' is empty");
    reject(HEAD "detection:\n    sel:\n        F: x\n    timeframe: 5m\n"
                "    condition: sel\n",
           "t.yml:8: 'timeframe' is not supported");
    reject("", "t.yml: no rule in file");
    reject("- a\n- b\n", "t.yml:1: a rule must be a map");
    reject(HEAD "detection:\n    sel:\n        F|contains: null\n"
                "    condition: sel\n",
           "t.yml:7: null cannot take modifiers");
    // a repeated key (found by fuzzing: tags twice)
    reject(HEAD "tags: [cve.2021-26855]\ntags: [attack.t1190]\n"
                "detection: {s: {A: x}, condition: s}\n",
           "t.yml:6: duplicate key 'tags'");
    reject(HEAD "detection:\n    sel:\n        F: x\n        F: y\n"
                "    condition: sel\n",
           "t.yml:8: duplicate key 'F'");
    reject(HEAD "detection:\n    sel:\n        F: x\n    condition: sel\n"
                "    condition: sel\n",
           "t.yml:9: duplicate key 'condition'");
    // flow nesting deep enough to make the parser crawl is refused early
    char deep[1200];
    size_t n = (size_t)snprintf(deep, sizeof deep, "title: t\nx: ");
    for (int i = 0; i < 300; i++)
        deep[n++] = '[';
    deep[n] = 0;
    reject(deep, "t.yml:2: YAML nested more than 256 levels");
}

static void test_documents(void)
{
    const char *two = HEAD "detection: {s: {A: x}, condition: s}\n---\n"
                           "title: u\nlogsource: {product: x}\nname: second\n"
                           "detection: {s: {B: y}, condition: s}\n---\n";
    sigma_rule **rules = NULL;
    size_t count = 0;
    char *msg = NULL;
    CHECK(sigma_compile(two, strlen(two), "t.yml", &rules, &count, &msg) ==
          EXH_OK);
    CHECK(count == 2 && msg == NULL);
    if (count == 2) {
        CHECK_STR(sigma_rule_meta(rules[0])->title, "t");
        CHECK_STR(sigma_rule_meta(rules[1])->name, "second");
    }
    for (size_t i = 0; i < count; i++)
        sigma_rule_free(rules[i]);
    exh_free(rules);

    // an error in the second document rejects the file, with its line
    reject(HEAD "detection: {s: {A: x}, condition: s}\n---\n"
                "title: u\nlogsource: {product: x}\n"
                "detection: {s: {B|expand: y}, condition: s}\n",
           "t.yml:9: unsupported modifier 'expand'");
}

/* ---- evidence and literals ----------------------------------------------- */

static void test_evidence(void)
{
    sigma_rule *r = det("    sel:\n        AnchorMailbox|startswith: "
                        "'ServerInfo~'\n        UrlStem|contains: '/ecp/'\n"
                        "    alt:\n        - Method: GET\n"
                        "        - HttpStatus: 200\n"
                        "    filter:\n        UserAgent: scanner\n"
                        "    condition: sel and 1 of alt and not filter\n");
    tev t;
    const char *names[8];
    size_t n = 99;
    const event *ev =
        mk(&t, NULL, "anchormailbox", "ServerInfo~a/b", "UrlStem", "/ecp/y.js",
           "Method", "POST", "HttpStatus", "200", "UserAgent", "x", NULL);
    CHECK(r && sigma_match(r, ev, names, 8, &n));
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STR(names[0], "AnchorMailbox");
        CHECK_STR(names[1], "UrlStem");
        CHECK_STR(names[2], "HttpStatus");
    }
    // max bounds the list
    CHECK(r && sigma_match(r, ev, names, 1, &n) && n == 1);
    ev = mk(&t, NULL, "AnchorMailbox", "ServerInfo~a/b", "UrlStem", "/ecp/",
            "Method", "GET", "UserAgent", "scanner", NULL);
    CHECK(r && !sigma_match(r, ev, names, 8, &n) && n == 0);
    sigma_rule_free(r);
}

static void test_literals(void)
{
    sigma_rule *r = det("    sel:\n        F|startswith: 'ServerInfo~'\n"
                        "    condition: sel\n");
    lits_are(r, (const char *const[]){"serverinfo~", NULL});
    sigma_rule_free(r);

    // and not: the positive side's set
    r = det("    sel:\n        F|contains:\n            - '/ecp/'\n"
            "            - '/OWA/'\n    filter:\n        G: 'healthmailbox'\n"
            "    condition: sel and not filter\n");
    lits_are(r, (const char *const[]){"/ecp/", "/owa/", NULL});
    sigma_rule_free(r);

    // and: the better set (one long literal beats two short ones)
    r = det("    a:\n        F: ['get', 'put']\n"
            "    b:\n        G|contains: 'X-BEResource'\n"
            "    condition: a and b\n");
    lits_are(r, (const char *const[]){"x-beresource", NULL});
    sigma_rule_free(r);

    // or: the union; 1 of = or, all of = and
    r = det("    sel_a:\n        F: 'alpha'\n    sel_b:\n        F: 'bravo'\n"
            "    condition: 1 of sel_*\n");
    lits_are(r, (const char *const[]){"alpha", "bravo", NULL});
    sigma_rule_free(r);
    r = det("    sel_a:\n        F: 'alpha'\n    sel_b:\n        F: 'bravo1'\n"
            "    condition: all of sel_*\n");
    lits_are(r, (const char *const[]){"bravo1", NULL});
    sigma_rule_free(r);

    // no constraint: not alone, an or with a free side, a regex, null
    r = det("    sel:\n        F: 'alpha'\n    condition: not sel\n");
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = det("    a:\n        F: 'alpha'\n    b:\n        F: 'ab'\n"
            "    condition: a or b\n");
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = det("    sel:\n        F|re: 'alpha.*'\n    condition: sel\n");
    lits_are(r, (const char *[]){"alpha", NULL});
    sigma_rule_free(r);
    r = det("    sel:\n        F|re: 'al.*'\n    condition: sel\n");
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = det("    sel:\n        F: null\n    condition: sel\n");
    lits_are(r, NULL);
    sigma_rule_free(r);

    // a glob on a field gives a field sequence of its runs, in order
    r = det("    sel:\n        F: 'Server*Info~xy?z'\n    condition: sel\n");
    lits_are(r, (const char *const[]){"server\x1finfo~xy\x1fz", NULL});
    sigma_rule_free(r);
    // a keyword is no field: wildcards split runs; the longest run wins
    r = det("    keywords:\n        - 'Server*Info~xy?z'\n"
            "    condition: keywords\n");
    lits_are(r, (const char *const[]){"info~xy", NULL});
    sigma_rule_free(r);
    r = det("    sel:\n        F: 'a\\*bc*'\n    condition: sel\n");
    lits_are(r, (const char *const[]){"a*bc", NULL});
    sigma_rule_free(r);

    // '"' breaks runs (CSV doubles it in raw text)
    r = det("    sel:\n        F|contains: 'ab\"cdef'\n    condition: sel\n");
    lits_are(r, (const char *const[]){"cdef", NULL});
    sigma_rule_free(r);
    r = det("    sel:\n        F|contains: 'abcd\"ef'\n    condition: sel\n");
    lits_are(r, (const char *const[]){"abcd", NULL});
    sigma_rule_free(r);

    // a literal holding another one is dropped; duplicates too
    r = det("    sel:\n        F|contains: ['abc', 'xxabcxx', 'abc', 'zzz']\n"
            "    condition: sel\n");
    lits_are(r, (const char *const[]){"abc", "zzz", NULL});
    sigma_rule_free(r);

    // keywords and the selection of a map of several fields
    r = det("    kw:\n        - 'Set-OabVirtualDirectory'\n"
            "    sel:\n        A: 'x'\n        B|endswith: '.aspx'\n"
            "    condition: kw or sel\n");
    lits_are(r,
             (const char *const[]){"set-oabvirtualdirectory", ".aspx", NULL});
    sigma_rule_free(r);

    // |all: the best single value
    r = det("    sel:\n        F|contains|all: ['abc', 'defghij']\n"
            "    condition: sel\n");
    lits_are(r, (const char *const[]){"defghij", NULL});
    sigma_rule_free(r);

    // cased values give folded literals
    r = det("    sel:\n        F|cased: 'ABCD'\n    condition: sel\n");
    lits_are(r, (const char *const[]){"abcd", NULL});
    sigma_rule_free(r);
}

/* ---- threads, allocation failures ---------------------------------------- */

typedef struct worker {
    const sigma_rule *rule;
    int bad;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 20000; i++) {
        tev t;
        const event *yes = mk(&t, NULL, "F", "/ecp/abc.js", NULL);
        if (!sigma_match(w->rule, yes, NULL, 0, NULL))
            w->bad++;
        const event *no = mk(&t, NULL, "F", "/ecp/ab1.js", NULL);
        if (sigma_match(w->rule, no, NULL, 0, NULL))
            w->bad++;
    }
    return NULL;
}

static void test_threads(void)
{
    sigma_rule *r = det("    sel:\n        F|re: '^/ecp/[a-z]+\\.js$'\n"
                        "    condition: sel\n");
    if (!r)
        return;
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){r, 0};
        CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].bad == 0);
    }
    sigma_rule_free(r);
}

static void test_alloc_failures(void)
{
    const char *text = HEAD "tags: [attack.t1190, cve.2021-26855]\n"
                            "detection:\n    sel:\n        F|re: 'a+b'\n"
                            "        G|contains: ['xyz', 'uvw']\n"
                            "    f:\n        H: 'q*r'\n"
                            "    condition: sel and not f\n";
    int ok = 0, nomem = 0;
    for (unsigned long n = 1; n < 400; n++) {
        sigma_rule **rules = NULL;
        size_t count = 0;
        char *msg = NULL;
        alloc_fail_after(n);
        exh_status st =
            sigma_compile(text, strlen(text), "t.yml", &rules, &count, &msg);
        alloc_fail_after(0);
        CHECK(st == EXH_OK || st == EXH_ERR_NOMEM);
        if (st != EXH_OK && st != EXH_ERR_NOMEM)
            fprintf(stderr, "  n=%lu: %s\n", n, msg ? msg : "?");
        if (st == EXH_OK) {
            ok++;
            tev t;
            const event *ev = mk(&t, NULL, "F", "aab", "G", "-uvw-", NULL);
            CHECK(count == 1 && sigma_match(rules[0], ev, NULL, 0, NULL));
        } else {
            nomem++;
            CHECK(rules == NULL && count == 0);
        }
        for (size_t i = 0; i < count; i++)
            sigma_rule_free(rules[i]);
        exh_free(rules);
        exh_free(msg);
    }
    CHECK(nomem > 10 && ok > 0);
}

/* ---- third-party samples ------------------------------------------------- */

static int tp_total, tp_ok;

static void compile_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char *text = malloc(1 << 20);
    size_t len = text ? fread(text, 1, 1 << 20, f) : 0;
    fclose(f);
    sigma_rule **rules = NULL;
    size_t count = 0;
    char *msg = NULL;
    exh_status st = sigma_compile(text, len, path, &rules, &count, &msg);
    tp_total++;
    CHECK(st == EXH_OK || st == EXH_ERR_RULE_SYNTAX);
    if (st == EXH_OK) {
        tp_ok++;
        const char *const *lits;
        size_t n = 0;
        bool has = sigma_literals(rules[0], &lits, &n);
        printf("  ok       %s (%zu literal%s%s)\n", path, n, n == 1 ? "" : "s",
               has ? "" : ", no pre-filter");
    } else {
        CHECK(msg != NULL);
        printf("  rejected %s\n", msg ? msg : path);
    }
    for (size_t i = 0; i < count; i++)
        sigma_rule_free(rules[i]);
    exh_free(rules);
    exh_free(msg);
    free(text);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            walk(path);
        else if (n > 4 && !strcmp(e->d_name + n - 4, ".yml"))
            compile_file(path);
    }
    closedir(d);
}

static void test_thirdparty(void)
{
    char dir[4096];
    const char *data = getenv("EXH_TEST_DATA");
    if (data)
        snprintf(dir, sizeof dir, "%s/../../../shared/data/thirdparty/sigma",
                 data);
    else
        snprintf(dir, sizeof dir, "../shared/data/thirdparty/sigma");
    struct stat st;
    if (stat(dir, &st) != 0) {
        printf("third-party Sigma samples absent: skipped\n");
        return;
    }
    walk(dir);
    printf("third-party Sigma samples: %d compiled, %d rejected\n", tp_ok,
           tp_total - tp_ok);
    CHECK(tp_total > 0);
}

/* ---- value modifiers of issue 3 ------------------------------------------ */

/* Does rule r match an event with one field F of n bytes (NULs allowed)? */
static bool m1n(const sigma_rule *r, const char *value, size_t n)
{
    tev t;
    mk(&t, NULL, "F", value, NULL);
    t.lens[0] = n;
    return sigma_match(r, &t.ev, NULL, 0, NULL);
}

/* A rule with one selection "F<key>: value" (value as YAML text). */
static sigma_rule *sel1(const char *key, const char *value)
{
    char text[1024];
    snprintf(text, sizeof text,
             "    sel:\n        F%s: %s\n"
             "    condition: sel\n",
             key, value);
    return det(text);
}

static void test_base64(void)
{
    sigma_rule *r = sel1("|base64", "'cmd'");
    CHECK(m1(r, "Y21k"));
    CHECK(m1(r, "y21K")); // case-insensitive like every Sigma value
    CHECK(!m1(r, "cmd"));
    CHECK(!m1(r, "xY21k"));
    lits_are(r, (const char *const[]){"y21k", NULL});
    sigma_rule_free(r);

    r = sel1("|base64|contains", "'ping 127'");
    CHECK(m1(r, "powershell -e cGluZyAxMjc= x"));
    CHECK(!m1(r, "ping 127"));
    CHECK(!m1(r, "cGluZyAxMj"));
    sigma_rule_free(r);

    r = sel1("|base64|cased", "'cmd'");
    CHECK(m1(r, "Y21k"));
    CHECK(!m1(r, "y21k"));
    sigma_rule_free(r);
}

static void test_base64offset(void)
{
    // the three encodings of 'powershell' at offsets 0, 1 and 2
    sigma_rule *r = sel1("|base64offset|contains", "'powershell'");
    CHECK(m1(r, "eHggcG93ZXJzaGVsbCAtYyB5eQ==")); // "xx powershell -c yy"
    CHECK(m1(r, "SXBvd2Vyc2hlbGw="));             // "Ipowershell"
    CHECK(m1(r, "SUlwb3dlcnNoZWxs"));             // "IIpowershell"
    CHECK(!m1(r, "powershell"));
    CHECK(!m1(r, "cG93ZXJzaGVs")); // one character short
    lits_are(r, (const char *const[]){"cg93zxjzagvsb", "bvd2vyc2hlbg",
                                      "wb3dlcnnozwxs", NULL});
    sigma_rule_free(r);

    // without contains: the field is exactly one of the encodings
    r = sel1("|base64offset", "'ab'");
    CHECK(m1(r, "YW"));
    CHECK(m1(r, "Fi"));
    CHECK(m1(r, "hY"));
    CHECK(!m1(r, "YWI="));
    lits_are(r, NULL); // two characters make no literal
    sigma_rule_free(r);

    // wide then base64offset: the usual PowerShell -EncodedCommand hunt
    r = sel1("|wide|base64offset|contains", "'cmd'");
    CHECK(m1(r, "IAAgAGMAbQBkACAALwBjAA==")); // UTF-16LE "  cmd /c"
    CHECK(m1(r, "xYwBtAGQAx"));
    CHECK(!m1(r, "Y21k"));
    lits_are(r, (const char *const[]){"ywbtagqa", "mabqbka", "jag0aza", NULL});
    sigma_rule_free(r);
}

static void test_utf16(void)
{
    sigma_rule *r = sel1("|wide", "'cmd'");
    CHECK(m1n(r, "c\0m\0d\0", 6));
    CHECK(m1n(r, "C\0M\0D\0", 6));
    CHECK(!m1n(r, "cmd", 3));
    CHECK(!m1n(r, "c\0m\0d", 5));
    lits_are(r, NULL); // a literal never holds a NUL
    sigma_rule_free(r);

    r = sel1("|utf16le|contains", "'cmd'");
    CHECK(m1n(r, "x\0c\0m\0d\0.\0", 10));
    CHECK(!m1n(r, "xcmd.", 5));
    lits_are(r, NULL);
    sigma_rule_free(r);

    r = sel1("|utf16be", "'cmd'");
    CHECK(m1n(r, "\0c\0m\0d", 6));
    CHECK(!m1n(r, "c\0m\0d\0", 6));
    sigma_rule_free(r);

    r = sel1("|utf16", "'cmd'");
    CHECK(m1n(r,
              "\xff\xfe"
              "c\0m\0d\0",
              8));
    CHECK(!m1n(r, "c\0m\0d\0", 6));
    sigma_rule_free(r);
    r = sel1("|utf16|base64", "'cmd'");
    CHECK(m1(r, "//5jAG0AZAA="));
    lits_are(r, (const char *const[]){"//5jag0azaa=", NULL});
    sigma_rule_free(r);
    r = sel1("|utf16be|base64", "'cmd'");
    CHECK(m1(r, "AGMAbQBk"));
    sigma_rule_free(r);

    // wildcards survive the encoding; non-ASCII is encoded as UTF-16
    r = sel1("|wide", "'a*b'");
    CHECK(m1n(r, "a\0x\0y\0b\0", 8));
    CHECK(!m1n(r, "a\0x\0y\0c\0", 8));
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = sel1("|wide|base64", "'\xc3\xa9\xf0\x9f\x98\x80'");
    CHECK(m1(r, "6QA92ADe")); // U+00E9 U+1F600: e9 00 3d d8 00 de
    sigma_rule_free(r);
}

static void test_windash(void)
{
    sigma_rule *r = sel1("|windash|contains", "' -exec bypass'");
    CHECK(m1(r, "powershell -exec bypass"));
    CHECK(m1(r, "powershell /exec bypass"));
    CHECK(m1(r, "powershell \xe2\x80\x93"
                "exec bypass"));
    CHECK(m1(r, "powershell \xe2\x80\x94"
                "exec bypass"));
    CHECK(m1(r, "powershell \xe2\x80\x95"
                "exec bypass"));
    CHECK(!m1(r, "powershell _exec bypass"));
    CHECK(!m1(r, "powershell \xe2\x80\x92"
                 "exec bypass"));
    CHECK(!m1(r, "powershell \xe2\x80"
                 "exec bypass")); // a dash cut short
    CHECK(!m1(r, "powershell exec bypass"));
    // the dash is matched at match time: the literal is the text after it
    lits_are(r, (const char *const[]){"exec bypass", NULL});
    sigma_rule_free(r);

    // a dash of three bytes, then a star: the glob restarts after it
    r = sel1("|windash", "'*-a*-b'");
    CHECK(m1(r, "x \xe2\x80\x94"
                "a y /b"));
    CHECK(m1(r, "-a-a \xe2\x80\x95"
                "b"));
    CHECK(!m1(r, "x \xe2\x80\x94"
                 "a y /b z"));
    CHECK(m1(r, "\xe2-a -b")); // a stray lead byte before a dash
    CHECK(!m1(r, "-a \xe2\x80"
                 "b")); // a dash cut short
    sigma_rule_free(r);

    // '/' is a dash too; only dashes before a word and after a non-word
    // change (pySigma's \B[-/]\b): "a-b" stays, "-x" and "/y" vary
    r = sel1("|windash", "'-x a-b /y'");
    CHECK(m1(r, "-x a-b /y"));
    CHECK(m1(r, "/x a-b -y"));
    CHECK(m1(r, "\xe2\x80\x95x a-b \xe2\x80\x93y"));
    CHECK(!m1(r, "-x a/b -y"));
    sigma_rule_free(r);

    // contains first, windash second: the same
    r = sel1("|contains|windash", "'-enc'");
    CHECK(m1(r, "x /enc y"));
    CHECK(!m1(r, "x enc y"));
    sigma_rule_free(r);

    // windash then base64offset: every dash variant, every offset
    r = sel1("|windash|base64offset|contains", "'-nop'");
    const char *const *lits;
    size_t n = 0;
    CHECK(sigma_literals(r, &lits, &n));
    CHECK(n >= 10 && n <= 15);
    CHECK(m1(r, "eCAvbm9wIHk=")); // "x /nop y"
    sigma_rule_free(r);
}

/* A windash value of many dashes is one value matched at match time:
 * linear in the dashes, where the variants were 5^k (k = 20: about 10^14;
 * before, compiling stopped at 625). Each place takes any of the five
 * dashes independently; a value of 20,000 dashes compiles and matches in
 * bounded time and memory. */
static void test_windash_many(void)
{
    static const char *const forms[] = {"-", "/", "\xe2\x80\x93",
                                        "\xe2\x80\x94", "\xe2\x80\x95"};
    char value[512] = "'", text[512] = "run", bad[512] = "run";
    size_t v = 1, t = 3, b = 3;
    for (int i = 0; i < 20; i++) {
        v += (size_t)snprintf(value + v, sizeof value - v, " -o%d", i);
        t += (size_t)snprintf(text + t, sizeof text - t, " %so%d",
                              forms[(i * 7 + i / 5) % 5], i);
        b += (size_t)snprintf(bad + b, sizeof bad - b, " %so%d",
                              i == 17 ? "\xe2\x80\x92" : forms[i % 5], i);
    }
    snprintf(value + v, sizeof value - v, "'");
    sigma_rule *r = sel1("|windash|contains", value);
    CHECK(r != NULL);
    CHECK(m1(r, text));
    CHECK(!m1(r, bad));         // a figure dash (U+2012) at place 17
    bad[strlen(bad) - 3] = 'x'; // "o19" -> "x19"
    CHECK(!m1(r, bad));
    const char *const *lits;
    size_t count = 0;
    prefilter *pf = NULL;
    CHECK(sigma_literals(r, &lits, &count) && count == 1);
    CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
    CHECK(prefilter_any(pf, text, strlen(text)));
    prefilter_free(pf);
    sigma_rule_free(r);

    // 20,000 dashes, a whole-value match (no star, so the glob never
    // backtracks: its cost is that of a '*' pattern's, not windash's): a
    // linear compile and match, well under a second (even under ASan) and a
    // few MiB; any exponential step would not end.
    size_t dashes = 20000, len = dashes * 3 + 64;
    char *big = malloc(len), *yml = malloc(len + 256), *hay = malloc(len * 2);
    CHECK(big && yml && hay);
    if (!big || !yml || !hay) {
        free(big);
        free(yml);
        free(hay);
        return;
    }
    size_t n = 0, h = 0;
    for (size_t i = 0; i < dashes; i++) {
        memcpy(big + n, "-a ", 3);
        n += 3;
        const char *d = forms[i % 5];
        memcpy(hay + h, d, strlen(d));
        h += strlen(d);
        hay[h++] = 'A';
        hay[h++] = ' ';
    }
    n--; // no trailing space
    h--;
    big[n] = '\0';
    hay[h] = '\0';
    snprintf(yml, len + 256,
             HEAD "detection:\n    sel:\n        F|windash: '%s'\n"
                  "    condition: sel\n",
             big);
    struct timespec t0, t1;
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = compile1(yml);
    CHECK(r != NULL);
    CHECK(m1(r, hay));
    hay[h - 1] = 'B';
    CHECK(!m1(r, hay));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s =
        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (s >= 5)
        fprintf(stderr, "  20,000 dashes took %.2f s\n", s);
    CHECK(s < 5);
    getrusage(RUSAGE_SELF, &after);
    CHECK(after.ru_maxrss - before.ru_maxrss < 64 * 1024); // KiB
    sigma_rule_free(r);
    free(big);
    free(yml);
    free(hay);
}

static void test_cidr(void)
{
    sigma_rule *r = sel1("|cidr", "['10.0.0.0/8', '192.168.1.0/24', "
                                  "'fe80::/10', '203.0.113.7']");
    CHECK(m1(r, "10.1.2.3"));
    CHECK(m1(r, "192.168.1.255"));
    CHECK(m1(r, "FE80::1"));
    CHECK(m1(r, "203.0.113.7"));
    CHECK(m1(r, "::ffff:10.9.9.9")); // IPv4-mapped
    CHECK(!m1(r, "11.0.0.1"));
    CHECK(!m1(r, "192.168.2.1"));
    CHECK(!m1(r, "203.0.113.8"));
    CHECK(!m1(r, "fec0::1"));
    CHECK(!m1(r, "10.1.2.3 "));
    CHECK(!m1(r, "10.1.2"));
    CHECK(!m1(r, "host10.1.2.3"));
    CHECK(!m1(r, ""));
    tev t;
    CHECK(!sigma_match(r, mk(&t, "10.1.2.3", "G", "10.1.2.3", NULL), NULL, 0,
                       NULL)); // absent field
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = sel1("|cidr", "'0.0.0.0/0'");
    CHECK(m1(r, "255.255.255.255"));
    CHECK(!m1(r, "::1"));
    sigma_rule_free(r);
}

static void test_compare(void)
{
    sigma_rule *r = sel1("|gt", "400");
    CHECK(m1(r, "401"));
    CHECK(m1(r, "400.5"));
    CHECK(!m1(r, "400"));
    CHECK(!m1(r, "-500"));
    CHECK(!m1(r, "abc"));
    CHECK(!m1(r, "500 "));
    CHECK(!m1(r, ""));
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = sel1("|gte", "400");
    CHECK(m1(r, "400") && m1(r, "4e3") && !m1(r, "399.99"));
    sigma_rule_free(r);
    r = sel1("|lt", "-1.5");
    CHECK(m1(r, "-2") && !m1(r, "-1.5") && !m1(r, "0"));
    sigma_rule_free(r);
    r = sel1("|lte", "0");
    CHECK(m1(r, "0") && m1(r, "-0.0") && m1(r, "-7") && !m1(r, ".1"));
    sigma_rule_free(r);
    // a range: two fields of one map
    r = det("    sel:\n        F|gte: 200\n        G|lt: 300\n"
            "    condition: sel\n");
    tev t;
    CHECK(sigma_match(r, mk(&t, NULL, "F", "250", "G", "250", NULL), NULL, 0,
                      NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "250", "G", "300", NULL), NULL, 0,
                       NULL));
    sigma_rule_free(r);
}

static void test_exists(void)
{
    sigma_rule *r = sel1("|exists", "true");
    tev t;
    CHECK(m1(r, "x"));
    CHECK(m1(r, "")); // present, empty
    CHECK(!sigma_match(r, mk(&t, "F", "G", "x", NULL), NULL, 0, NULL));
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = sel1("|exists", "false");
    CHECK(!m1(r, "x"));
    CHECK(sigma_match(r, mk(&t, "F", "G", "x", NULL), NULL, 0, NULL));
    lits_are(r, NULL);
    sigma_rule_free(r);
    r = det("    sel:\n        F|exists: true\n        G: 'abc'\n"
            "    condition: sel\n");
    lits_are(r, (const char *const[]){"abc", NULL});
    sigma_rule_free(r);
}

static void test_fieldref(void)
{
    tev t;
    sigma_rule *r = sel1("|fieldref", "G");
    CHECK(sigma_match(r, mk(&t, NULL, "F", "Alice", "G", "alice", NULL), NULL,
                      0, NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "Alice", "G", "bob", NULL), NULL, 0,
                       NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "Alice", NULL), NULL, 0, NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "G", "Alice", NULL), NULL, 0, NULL));
    lits_are(r, NULL); // never the other field's name
    sigma_rule_free(r);

    r = sel1("|fieldref|cased", "G");
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "Alice", "G", "alice", NULL), NULL,
                       0, NULL));
    CHECK(sigma_match(r, mk(&t, NULL, "F", "alice", "G", "alice", NULL), NULL,
                      0, NULL));
    sigma_rule_free(r);

    r = sel1("|fieldref|startswith", "G");
    CHECK(sigma_match(r, mk(&t, NULL, "F", "admin@x", "G", "ADMIN", NULL), NULL,
                      0, NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "x@admin", "G", "admin", NULL),
                       NULL, 0, NULL));
    sigma_rule_free(r);
    r = sel1("|endswith|fieldref", "G");
    CHECK(sigma_match(r, mk(&t, NULL, "F", "x@admin", "G", "Admin", NULL), NULL,
                      0, NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "admin@x", "G", "admin", NULL),
                       NULL, 0, NULL));
    sigma_rule_free(r);
    r = sel1("|fieldref|contains", "G");
    CHECK(sigma_match(r, mk(&t, NULL, "F", "/owa/BOB@x/ps", "G", "bob@x", NULL),
                      NULL, 0, NULL));
    CHECK(!sigma_match(r, mk(&t, NULL, "F", "/owa/bob/ps", "G", "bob@x", NULL),
                       NULL, 0, NULL));
    // a long reference takes the folded-copy path
    char big[600], hay[1400];
    memset(big, 'q', sizeof big - 2);
    big[sizeof big - 2] = 'Z';
    big[sizeof big - 1] = 0;
    snprintf(hay, sizeof hay, "x%sy", big);
    hay[1 + sizeof big - 2] = 'z';
    CHECK(
        sigma_match(r, mk(&t, NULL, "F", hay, "G", big, NULL), NULL, 0, NULL));
    hay[1 + sizeof big - 2] = 'w';
    CHECK(
        !sigma_match(r, mk(&t, NULL, "F", hay, "G", big, NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

static void test_modifier_rejections(void)
{
    struct {
        const char *key, *value, *want;
    } cases[] = {
        {"|base64", "'a*'",
         "t.yml:7: Base64 encoding of a value with wildcards"},
        {"|base64offset", "'a?b'",
         "t.yml:7: Base64 encoding of a value with wildcards"},
        {"|contains|base64offset", "x",
         "t.yml:7: 'base64offset' cannot encode the wildcards of 'contains'"},
        {"|startswith|base64", "x",
         "t.yml:7: 'base64' cannot encode the wildcards of 'startswith'"},
        {"|base64|re", "x", "t.yml:7: conflicting modifiers in 'F|base64|re'"},
        {"|cidr|contains", "'10.0.0.0/8'",
         "t.yml:7: 'cidr' cannot be combined with other modifiers in "
         "'F|cidr|contains'"},
        {"|cidr|base64", "'10.0.0.0/8'",
         "t.yml:7: conflicting modifiers in 'F|cidr|base64'"},
        {"|cidr", "'10.0.0.1/8'",
         "t.yml:7: CIDR network '10.0.0.1/8' has host bits set"},
        {"|cidr", "'10.0.0.0/33'",
         "t.yml:7: invalid CIDR network '10.0.0.0/33'"},
        {"|cidr", "'fe80::/129'", "t.yml:7: invalid CIDR network 'fe80::/129'"},
        {"|cidr", "'host'", "t.yml:7: invalid CIDR network 'host'"},
        {"|lt|gt", "3", "t.yml:7: conflicting modifiers in 'F|lt|gt'"},
        {"|gte", "abc", "t.yml:7: 'gte' needs a number, not 'abc'"},
        {"|lt|startswith", "3",
         "t.yml:7: 'lt' cannot be combined with other modifiers in "
         "'F|lt|startswith'"},
        {"|exists", "maybe",
         "t.yml:7: 'exists' needs true or false, not 'maybe'"},
        {"|exists|contains", "true",
         "t.yml:7: 'exists' cannot be combined with other modifiers in "
         "'F|exists|contains'"},
        {"|exists|cidr", "true",
         "t.yml:7: conflicting modifiers in 'F|exists|cidr'"},
        {"|fieldref", "'G*'", "t.yml:7: invalid field reference 'G*'"},
        {"|fieldref|wide", "G",
         "t.yml:7: conflicting modifiers in 'F|fieldref|wide'"},
        {"|fieldref|re", "G",
         "t.yml:7: conflicting modifiers in 'F|fieldref|re'"},
        {"|wide", "null", "t.yml:7: null cannot take modifiers"},
        {"|cidr", "null", "t.yml:7: null cannot take modifiers"},

        {"|windash|base64", "'-a -b -c -d -e'",
         "t.yml:7: windash: too many dashes (more than 625 variants)"},
        {"|wide|wide|wide|wide|wide|wide|wide|wide|wide", "x",
         "t.yml:7: more than 8 encoding modifiers"},
    };
    char text[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text,
                 HEAD "detection:\n    sel:\n        F%s: %s\n"
                      "    condition: sel\n",
                 cases[i].key, cases[i].value);
        reject(text, cases[i].want);
    }
    // field-less (keyword) lists cannot take field-only modifiers
    reject(HEAD "detection:\n    sel:\n        '|cidr': ['10.0.0.0/8']\n"
                "    condition: sel\n",
           "t.yml:7: 'cidr' needs a field name");
    reject(HEAD "detection:\n    sel:\n        A: 1\n"
                "        '|exists': true\n    condition: sel\n",
           "t.yml:8: 'exists' needs a field name");
    // keywords may be encoded: searched in the raw record
    sigma_rule *r = det("    sel:\n        '|base64offset|contains': "
                        "'powershell'\n    condition: sel\n");
    tev t;
    CHECK(sigma_match(r, mk(&t, "a,SXBvd2Vyc2hlbGw=,b", NULL), NULL, 0, NULL));
    CHECK(!sigma_match(r, mk(&t, "a,powershell,b", NULL), NULL, 0, NULL));
    sigma_rule_free(r);
}

/* ---- pre-filter soundness of encoded values, fuzz-style ------------------ */

static unsigned long rng_state = 12345;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng_state >> 33) % n);
}

typedef struct bytes {
    unsigned char b[2048];
    size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    if (o->n + n <= sizeof o->b) {
        memcpy(o->b + o->n, p, n);
        o->n += n;
    }
}

/* Test-side encoders, written independently of sigma.c. */
static void enc_b64(const bytes *in, bytes *out)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out->n = 0;
    for (size_t i = 0; i < in->n; i += 3) {
        unsigned v = (unsigned)in->b[i] << 16 |
                     (i + 1 < in->n ? (unsigned)in->b[i + 1] << 8 : 0) |
                     (i + 2 < in->n ? in->b[i + 2] : 0);
        char q[4] = {a[v >> 18 & 63], a[v >> 12 & 63],
                     i + 1 < in->n ? a[v >> 6 & 63] : '=',
                     i + 2 < in->n ? a[v & 63] : '='};
        put(out, q, 4);
    }
}

/* UTF-16 of UTF-8 text holding ASCII and the three-byte dashes. */
static void enc_utf16(const bytes *in, bytes *out, int mode)
{
    out->n = 0;
    if (mode == 2)
        put(out, "\xff\xfe", 2);
    for (size_t i = 0; i < in->n;) {
        unsigned cp = in->b[i];
        if (cp >= 0xE0 && i + 2 < in->n) {
            cp = (cp & 15) << 12 | (in->b[i + 1] & 63u) << 6 |
                 (in->b[i + 2] & 63u);
            i += 3;
        } else {
            i++;
        }
        unsigned char u[2] = {(unsigned char)(cp & 255),
                              (unsigned char)(cp >> 8)};
        if (mode == 1) {
            unsigned char s = u[0];
            u[0] = u[1];
            u[1] = s;
        }
        put(out, u, 2);
    }
}

static void rnd_text(bytes *o, unsigned max)
{
    static const char alpha[] = "ab-/ Z0.";
    unsigned n = rnd(max + 1);
    for (unsigned i = 0; i < n; i++)
        put(o, &alpha[rnd(sizeof alpha - 1)], 1);
}

static void test_literal_soundness(void)
{
    static const struct {
        const char *key, *ops; // ops: d windash, l/b/u utf16le/be/bom, 6 b64
        bool wrap;             // plain text may surround the value
    } chains[] = {
        {"", "", false},
        {"|contains", "", true},
        {"|base64", "6", false},
        {"|base64|contains", "6", false},
        {"|base64offset|contains", "6", true},
        {"|wide|base64offset|contains", "l6", true},
        {"|utf16be|base64offset|contains", "b6", true},
        {"|utf16|base64", "u6", false},
        {"|windash", "d", false},
        {"|windash|contains", "d", true},
        {"|contains|windash", "d", true},
        {"|windash|base64offset|contains", "d6", true},
        {"|windash|wide|base64offset|contains", "dl6", true},
        {"|wide|contains", "l", true},
        {"|utf16be|startswith", "b", false},
    };
    static const char *const dashes[] = {"-", "/", "\xe2\x80\x93",
                                         "\xe2\x80\x94", "\xe2\x80\x95"};
    int matched = 0, checked = 0;
    for (int iter = 0; iter < 600; iter++) {
        size_t ci = rnd(sizeof chains / sizeof chains[0]);
        bytes val = {.n = 0};
        rnd_text(&val, 6);
        put(&val, "x", 1); // never empty, never ends in a space
        char yml[512];
        snprintf(yml, sizeof yml,
                 "    sel:\n        F%s: '%.*s'\n"
                 "    condition: sel\n",
                 chains[ci].key, (int)val.n, (const char *)val.b);
        sigma_rule *r = det(yml);
        if (!r)
            continue;
        const char *const *lits;
        size_t nl = 0;
        prefilter *pf = NULL;
        bool has = sigma_literals(r, &lits, &nl);
        for (size_t i = 0; has && i < nl; i++)
            CHECK(lits[i][0] && !strchr(lits[i], '"'));
        if (has)
            CHECK(prefilter_new(lits, nl, &pf) == EXH_OK);
        for (int k = 0; k < 40; k++) {
            bytes plain = {.n = 0}, cur, next;
            if (chains[ci].wrap && rnd(2))
                rnd_text(&plain, 3);
            for (size_t i = 0; i < val.n; i++) {
                if (strchr(chains[ci].ops, 'd') &&
                    (val.b[i] == '-' || val.b[i] == '/')) {
                    const char *d = dashes[rnd(5)];
                    put(&plain, d, strlen(d));
                } else {
                    put(&plain, &val.b[i], 1);
                }
            }
            if (chains[ci].wrap && rnd(2))
                rnd_text(&plain, 3);
            cur = plain;
            for (const char *op = chains[ci].ops; *op; op++) {
                if (*op == '6')
                    enc_b64(&cur, &next);
                else if (*op == 'l' || *op == 'b' || *op == 'u')
                    enc_utf16(&cur, &next, *op == 'l' ? 0 : *op == 'b' ? 1 : 2);
                else
                    continue;
                cur = next;
            }
            if (chains[ci].wrap && strchr(chains[ci].ops, '6') && rnd(2)) {
                bytes w = {.n = 0};
                rnd_text(&w, 2); // around the encoded text
                put(&w, cur.b, cur.n);
                cur = w;
            }
            bytes raw = {.n = 0};
            put(&raw, "2021-03-02,", 11);
            put(&raw, cur.b, cur.n);
            put(&raw, ",200", 4);
            put(&cur, "", 1); // NUL-terminated copy for the event
            tev t;
            mk(&t, NULL, "F", (const char *)cur.b, NULL);
            t.lens[0] = cur.n - 1;
            t.ev.raw = (const char *)raw.b;
            t.ev.raw_len = raw.n;
            if (!sigma_match(r, &t.ev, NULL, 0, NULL))
                continue;
            matched++;
            if (has) {
                checked++;
                bool pass = prefilter_any(pf, (const char *)raw.b, raw.n);
                if (!pass)
                    fprintf(stderr, "  unsound: %s '%.*s'\n", chains[ci].key,
                            (int)val.n, (const char *)val.b);
                CHECK(pass);
            }
        }
        prefilter_free(pf);
        sigma_rule_free(r);
    }
    printf("literal soundness: %d matches, %d through a pre-filter\n", matched,
           checked);
    CHECK(matched > 2000);
    CHECK(checked > 1000);
}

/* ---- conjunctive pre-filter clauses -------------------------------------- */

/* Whether every clause of r has a literal in raw (a CSV record). */
static bool clauses_hold(const sigma_rule *r, const char *raw)
{
    const sigma_clause *cl;
    size_t n;
    if (!sigma_clauses(r, &cl, &n))
        return true;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        prefilter *pf = NULL;
        CHECK(prefilter_new((const char *const *)cl[i].lits, cl[i].count,
                            &pf) == EXH_OK);
        ok = pf && prefilter_any(pf, raw, strlen(raw));
        prefilter_free(pf);
    }
    return ok;
}

/* Whether r has a clause that is exactly the set want (NULL-terminated). */
static bool has_clause(const sigma_rule *r, const char *const *want)
{
    const sigma_clause *cl;
    size_t n, wn = 0;
    if (!sigma_clauses(r, &cl, &n))
        return false;
    while (want[wn])
        wn++;
    for (size_t i = 0; i < n; i++) {
        bool same = cl[i].count == wn;
        for (size_t k = 0; k < wn && same; k++) {
            bool found = false;
            for (size_t j = 0; j < cl[i].count; j++)
                found = found || !strcmp(cl[i].lits[j], want[k]);
            same = found;
        }
        if (same)
            return true;
    }
    return false;
}

static size_t clause_count(const sigma_rule *r)
{
    const sigma_clause *cl;
    size_t n = 0;
    sigma_clauses(r, &cl, &n);
    return n;
}

static void test_clauses(void)
{
    // two selections ANDed: both sets are clauses, the first is the
    // rule's literal set
    sigma_rule *r = det("    a:\n        F|contains: '/owa/auth/'\n"
                        "    b:\n        G|endswith: '.aspx'\n"
                        "    condition: a and b\n");
    CHECK(clause_count(r) == 2);
    CHECK(has_clause(r, (const char *[]){"/owa/auth/", NULL}));
    CHECK(has_clause(r, (const char *[]){".aspx", NULL}));
    const sigma_clause *cl = NULL;
    size_t n = 0;
    const char *const *lits = NULL;
    size_t nl = 0;
    CHECK(sigma_clauses(r, &cl, &n) && sigma_literals(r, &lits, &nl));
    CHECK(cl[0].lits == lits && cl[0].count == nl);
    CHECK(clauses_hold(r, "x,/owa/auth/a.aspx,y"));
    CHECK(!clauses_hold(r, "x,/owa/auth/a.js,y"));
    sigma_rule_free(r);

    // one of two alternatives suffices: (a or b) and c gives {a, b}, {c};
    // a record with only b and c must pass
    r = det("    a:\n        F|contains: 'alpha1'\n"
            "    b:\n        F|contains: 'bravo2'\n"
            "    c:\n        G|contains: 'charlie3'\n"
            "    condition: (a or b) and c\n");
    CHECK(clause_count(r) == 2);
    CHECK(has_clause(r, (const char *[]){"alpha1", "bravo2", NULL}));
    CHECK(has_clause(r, (const char *[]){"charlie3", NULL}));
    {
        tev t;
        CHECK(sigma_match(
            r, mk(&t, "bravo2,charlie3", "F", "bravo2", "G", "charlie3", NULL),
            NULL, 0, NULL));
        CHECK(clauses_hold(r, "bravo2,charlie3"));
        CHECK(!clauses_hold(r, "bravo2,delta"));
    }
    sigma_rule_free(r);

    // a or (b and c): no conjunction across the OR but {a, b} and {a, c}
    r = det("    a:\n        F|contains: 'alpha1'\n"
            "    b:\n        F|contains: 'bravo2'\n"
            "    c:\n        G|contains: 'charlie3'\n"
            "    condition: a or (b and c)\n");
    CHECK(has_clause(r, (const char *[]){"alpha1", "bravo2", NULL}));
    CHECK(has_clause(r, (const char *[]){"alpha1", "charlie3", NULL}));
    CHECK(clauses_hold(r, "alpha1,x"));
    CHECK(!clauses_hold(r, "bravo2,x"));
    sigma_rule_free(r);

    // "not" contributes nothing
    r = det("    a:\n        F|contains: 'alpha1'\n"
            "    b:\n        G|contains: 'bravo2'\n"
            "    condition: a and not b\n");
    CHECK(clause_count(r) == 1);
    CHECK(has_clause(r, (const char *[]){"alpha1", NULL}));
    sigma_rule_free(r);

    // a run shorter than 3 bytes makes a clause after the first (checked
    // in records, never searched for), never the rule's literal set
    r = det("    a:\n        F|contains: 'autodiscover.json'\n"
            "    b:\n        G|contains:\n            - '@'\n"
            "            - '%40'\n"
            "    condition: a and b\n");
    CHECK(clause_count(r) == 2);
    CHECK(has_clause(r, (const char *[]){"autodiscover.json", NULL}));
    CHECK(has_clause(r, (const char *[]){"@", "%40", NULL}));
    CHECK(clauses_hold(r, "x,/autodiscover/autodiscover.json,a@b"));
    CHECK(clauses_hold(r, "x,/autodiscover/autodiscover.json,a%40b"));
    CHECK(!clauses_hold(r, "x,/autodiscover/autodiscover.json,"));
    sigma_rule_free(r);
    r = det("    b:\n        G|contains: '@'\n"
            "    condition: b\n");
    CHECK(clause_count(r) == 0);
    sigma_rule_free(r);

    // a map ANDs its fields; keywords are a clause like any selection
    r = det("    a:\n        F|startswith: 'post'\n"
            "        G|contains: '/ecp/y.js'\n"
            "    k:\n        - 'kilo99'\n        - 'lima88'\n"
            "    condition: a and k\n");
    CHECK(has_clause(r, (const char *[]){"post", NULL}));
    CHECK(has_clause(r, (const char *[]){"/ecp/y.js", NULL}));
    CHECK(has_clause(r, (const char *[]){"kilo99", "lima88", NULL}));
    CHECK(clauses_hold(r, "POST,/ecp/y.js,LIMA88"));
    CHECK(!clauses_hold(r, "POST,/ecp/y.js,kilo"));
    sigma_rule_free(r);

    // |all: every value is a clause
    r = det("    a:\n        F|contains|all:\n            - 'alpha1'\n"
            "            - 'bravo2'\n    condition: a\n");
    CHECK(clause_count(r) == 2);
    sigma_rule_free(r);

    // a list of maps: the OR of their sets (a field without literals
    // adds nothing to its map)
    r = det("    a:\n        - F|contains: 'alpha1'\n"
            "          G: '*'\n"
            "        - F|contains: 'bravo2'\n"
            "    condition: a\n");
    CHECK(clause_count(r) == 1);
    CHECK(has_clause(r, (const char *[]){"alpha1", "bravo2", NULL}));
    sigma_rule_free(r);
}

/* Random conditions over three selections and random events: whenever a
 * rule matches, every clause has a literal in the record. */
static void test_clause_soundness(void)
{
    static const char *const conds[] = {
        "a and b",
        "a and not b",
        "(a or b) and c",
        "a or (b and c)",
        "1 of them",
        "all of them",
        "(a and b) or (a and c)",
        "not a and b and c",
        "(a or c) and (b or c)",
        "a and (b or not c)",
    };
    static const char *const vals[] = {"alpha1",       "bravo2", "charlie3",
                                       "alpha1bravo2", "x",      "Charlie3z"};
    int matched = 0;
    for (size_t ci = 0; ci < sizeof conds / sizeof *conds; ci++) {
        char yml[1024];
        snprintf(yml, sizeof yml,
                 "    a:\n        F|contains: 'alpha1'\n"
                 "    b:\n        - G|endswith: 'bravo2'\n"
                 "        - H: 'echo5'\n"
                 "    c:\n        - 'charlie3'\n"
                 "    condition: %s\n",
                 conds[ci]);
        sigma_rule *r = det(yml);
        if (!r)
            continue;
        for (int k = 0; k < 300; k++) {
            const char *f = vals[rnd(6)], *g = vals[rnd(6)];
            const char *h = rnd(2) ? "echo5" : vals[rnd(6)];
            char raw[128];
            snprintf(raw, sizeof raw, "%s,%s,%s", f, g, h);
            tev t;
            if (!sigma_match(r, mk(&t, raw, "F", f, "G", g, "H", h, NULL), NULL,
                             0, NULL))
                continue;
            matched++;
            bool ok = clauses_hold(r, raw);
            if (!ok)
                fprintf(stderr, "  clauses unsound: '%s' on '%s'\n", conds[ci],
                        raw);
            CHECK(ok);
        }
        sigma_rule_free(r);
    }
    CHECK(matched > 300);
    printf("clause soundness: %d matches\n", matched);
}

int main(void)
{
    test_equality();
    test_contains_starts_ends();
    test_wildcards_escapes();
    test_plus_fields();
    test_lists_all_cased();
    test_regex();
    test_null_empty();
    test_keywords();
    test_conditions();
    test_of_patterns();
    test_metadata();
    test_rejections();
    test_documents();
    test_evidence();
    test_literals();
    test_base64();
    test_base64offset();
    test_utf16();
    test_windash();
    test_windash_many();
    test_cidr();
    test_compare();
    test_exists();
    test_fieldref();
    test_modifier_rejections();
    test_literal_soundness();
    test_clauses();
    test_clause_soundness();
    test_threads();
    test_alloc_failures();
    test_thirdparty();
    TEST_MAIN_END();
}
