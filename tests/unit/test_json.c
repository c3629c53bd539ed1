/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json.c - golden checks of json.c: json_string() and exh_escape_text()
 * on valid multibyte text, invalid bytes, overlong forms, surrogates, C1 and
 * C0 controls and sequences cut at the end; exh_finding_write_json() and
 * exh_summary_write_json() on hand-built structs, compared line for line;
 * json_utf8_cut() at and around multibyte characters.
 */
#include "harness.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* json_string() of len bytes, as a NUL-terminated string (static). */
static const char *js(const char *s, size_t len)
{
    static char out[4096];
    buf b;
    buf_init(&b, 1 << 20);
    if (json_string(&b, s, len) != EXH_OK) {
        buf_free(&b);
        return "(error)";
    }
    snprintf(out, sizeof(out), "%s", b.data);
    buf_free(&b);
    return out;
}

#define JS(lit) js(lit, sizeof(lit) - 1)

/* exh_escape_text() into a large buffer (static). */
static const char *et(const char *s, size_t len)
{
    static char out[4096];
    size_t n = exh_escape_text(s, len, out, sizeof(out));
    if (n != strlen(out))
        return "(length mismatch)";
    return out;
}

#define ET(lit) et(lit, sizeof(lit) - 1)

static void test_json_string(void)
{
    CHECK_STR(JS(""), "\"\"");
    CHECK_STR(JS("abc"), "\"abc\"");
    CHECK_STR(JS("a\"b\\c"), "\"a\\\"b\\\\c\"");
    CHECK_STR(JS("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
    CHECK_STR(JS("\x01\x1f\x7f"), "\"\\u0001\\u001F\\u007F\"");
    CHECK_STR(JS("a\0b"), "\"a\\u0000b\"");
    CHECK_STR(JS("\x1b[31m"), "\"\\u001B[31m\"");
    // Valid multibyte text passes unchanged: é, €, U+1F600, U+10FFFF.
    CHECK_STR(JS("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    CHECK_STR(JS("\xe2\x82\xac"), "\"\xe2\x82\xac\"");
    CHECK_STR(JS("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
    CHECK_STR(JS("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
    // C1 controls are valid UTF-8 and valid JSON: kept.
    CHECK_STR(JS("\xc2\x85"), "\"\xc2\x85\"");
    // Invalid bytes become the text \xNN (JSON source "\\xNN").
    CHECK_STR(JS("\xff"), "\"\\\\xFF\"");
    CHECK_STR(JS("a\x80z"), "\"a\\\\x80z\"");
    CHECK_STR(JS("\xc0\xaf"), "\"\\\\xC0\\\\xAF\"");            // overlong '/'
    CHECK_STR(JS("\xe0\x80\xaf"), "\"\\\\xE0\\\\x80\\\\xAF\""); // overlong
    CHECK_STR(JS("\xf0\x80\x80\xaf"), "\"\\\\xF0\\\\x80\\\\x80\\\\xAF\"");
    CHECK_STR(JS("\xed\xa0\x80"), "\"\\\\xED\\\\xA0\\\\x80\""); // surrogate
    CHECK_STR(JS("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");          // U+D7FF ok
    CHECK_STR(JS("\xf4\x90\x80\x80"),
              "\"\\\\xF4\\\\x90\\\\x80\\\\x80\""); // > U+10FFFF
    CHECK_STR(JS("\xf5\x80"), "\"\\\\xF5\\\\x80\"");
    // A sequence cut at the end of the input; then one cut mid-string.
    CHECK_STR(JS("a\xe2\x82"), "\"a\\\\xE2\\\\x82\"");
    CHECK_STR(JS("\xf0\x9f\x98"), "\"\\\\xF0\\\\x9F\\\\x98\"");
    CHECK_STR(JS("\xc3x\xc3\xa9"), "\"\\\\xC3x\xc3\xa9\"");
    // A backslash followed by "x41" stays distinguishable from an escape.
    CHECK_STR(JS("\\x41"), "\"\\\\x41\"");
}

static void test_escape_text(void)
{
    char small[8];
    size_t n;

    CHECK_STR(ET("GET /owa/ 200"), "GET /owa/ 200");
    CHECK_STR(ET("\x1b[2J\x1b]0;pwn\x07"), "\\x1B[2J\\x1B]0;pwn\\x07");
    CHECK_STR(ET("a\nb\tc\rd"), "a\\x0Ab\\x09c\\x0Dd");
    CHECK_STR(ET("del\x7f"), "del\\x7F");
    // A backslash is doubled only where it could start an escape.
    CHECK_STR(ET("C:\\inetpub"), "C:\\inetpub");
    CHECK_STR(ET("a\\x41"), "a\\\\x41");    // a literal "\x41"
    CHECK_STR(ET("a\\\\b"), "a\\\\\\b");    // two backslashes
    CHECK_STR(ET("a\\\x1b"), "a\\\\\\x1B"); // backslash, then ESC
    CHECK_STR(ET("end\\"), "end\\");
    CHECK_STR(ET("nul\0x"), "nul\\x00x");
    CHECK_STR(ET("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_STR(ET("\xc2\x9b"
                 "31m"),
              "\\xC2\\x9B31m"); // C1 CSI
    CHECK_STR(ET("\xc2\x85"), "\\xC2\\x85");
    CHECK_STR(ET("\xc2\xa0"), "\xc2\xa0"); // NBSP is printable
    CHECK_STR(ET("\xff\xfe"), "\\xFF\\xFE");
    CHECK_STR(ET("\xc0\xaf"), "\\xC0\\xAF");
    CHECK_STR(ET("\xed\xb0\x80"), "\\xED\\xB0\\x80");
    CHECK_STR(ET("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");
    CHECK_STR(ET("end\xe2\x82"), "end\\xE2\\x82");
    CHECK_STR(ET("\xe2\x80\xaegpj.exe"), "\\xE2\\x80\\xAEgpj.exe"); // RLO
    CHECK_STR(ET("\xe2\x81\xa6"), "\\xE2\\x81\\xA6");
    // snprintf-like: the return value is the full length; a cut output
    // keeps whole units only and stays NUL-terminated.
    n = exh_escape_text("abc\x1b", 4, small, sizeof(small));
    CHECK(n == 7);
    CHECK_STR(small, "abc\\x1B");
    n = exh_escape_text("abcd\x1b", 5, small, sizeof(small));
    CHECK(n == 8);
    CHECK_STR(small, "abcd");
    n = exh_escape_text("ab\xe2\x82\xac", 5, small, 5);
    CHECK(n == 5);
    CHECK_STR(small, "ab");
    CHECK(exh_escape_text("\x01\x02", 2, NULL, 0) == 8);
    small[0] = 'Z';
    CHECK(exh_escape_text("xyz", 3, small, 0) == 3);
    CHECK(small[0] == 'Z');
    CHECK(exh_escape_text("xyz", 3, small, 1) == 3);
    CHECK_STR(small, "");
}

/* Runs a writer into memory and returns the text (caller frees). */
static char *capture_finding(const exh_finding *f, exh_status *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return NULL;
    *st = exh_finding_write_json(f, mem);
    fclose(mem);
    return text;
}

static char *capture_summary(const exh_summary *s, exh_status *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return NULL;
    *st = exh_summary_write_json(s, mem);
    fclose(mem);
    return text;
}

static void test_finding(void)
{
    static const char *const cve[] = {"CVE-2021-26855"};
    static const char *const attack[] = {"T1190"};
    static const char *const seen[] = {"live"};
    static const char *const related[] = {"f-000002"};
    exh_kv ev[] = {
        {"AnchorMailbox", "ServerInfo~a]@x:444/ecp/y.js?#", 30},
        {"UserAgent", "curl\x1b\xff", 6},
    };
    exh_finding f;
    exh_status st = EXH_ERR_IO;
    char *text;

    memset(&f, 0, sizeof(f));
    f.id = "f-000001";
    f.target = "/cases/exch01";
    f.unit = ".";
    f.rule = "proxylogon-ssrf-serverinfo";
    f.rule_source = "builtin:exchange/proxylogon_ssrf_serverinfo.yml";
    f.title = "ProxyLogon SSRF";
    f.severity = EXH_SEV_CRITICAL;
    f.category = EXH_CAT_EXPLOITATION;
    f.cve = cve;
    f.cve_count = 1;
    f.attack = attack;
    f.attack_count = 1;
    f.time = "2021-03-02T04:12:33.120Z";
    f.count = 1;
    f.source_type = "httpproxy";
    f.source_path = "/cases/exch01/HttpProxy_2021030204-1.LOG";
    f.line = 6;
    f.evidence = ev;
    f.evidence_count = 2;
    f.seen_in = seen;
    f.seen_in_count = 1;
    f.related = related;
    f.related_count = 1;
    text = capture_finding(&f, &st);
    CHECK(st == EXH_OK);
    CHECK_STR(text, "{\"schema\":1,\"kind\":\"finding\",\"id\":\"f-000001\","
                    "\"target\":\"/cases/exch01\",\"unit\":\".\",\"host\":null,"
                    "\"rule\":\"proxylogon-ssrf-serverinfo\",\"rule_id\":null,"
                    "\"rule_source\":"
                    "\"builtin:exchange/proxylogon_ssrf_serverinfo.yml\","
                    "\"rule_author\":null,\"title\":\"ProxyLogon SSRF\","
                    "\"severity\":\"critical\",\"category\":\"exploitation\","
                    "\"cve\":[\"CVE-2021-26855\"],\"attack\":[\"T1190\"],"
                    "\"time\":\"2021-03-02T04:12:33.120Z\",\"count\":1,"
                    "\"source\":{\"type\":\"httpproxy\",\"path\":"
                    "\"/cases/exch01/HttpProxy_2021030204-1.LOG\",\"line\":6,"
                    "\"windows_path\":null},"
                    "\"evidence\":{\"AnchorMailbox\":"
                    "\"ServerInfo~a]@x:444/ecp/y.js?#\","
                    "\"UserAgent\":\"curl\\u001B\\\\xFF\"},"
                    "\"seen_in\":[\"live\"],\"related\":[\"f-000002\"]}\n");
    free(text);

    // Aggregated, with host, record, file and no evidence but last_time.
    exh_file_info file = {.sha256 = "ab12",
                          .size = 1234,
                          .modified = "2021-03-03T00:00:00.000Z",
                          .created = NULL,
                          .time_source = "posix"};
    f.host = "EXCH01";
    f.rule_id = "6b2f0000-0000-4000-8000-000000000000";
    f.rule_author = "exhunt";
    f.severity = EXH_SEV_LOW;
    f.category = EXH_CAT_ATTEMPT;
    f.cve_count = 0;
    f.attack_count = 0;
    f.count = 42;
    f.last_time = "2021-03-02T05:00:00.000Z";
    f.time = NULL;
    f.line = 0;
    f.record = 77;
    f.windows_path = "C:\\x.log";
    f.evidence_count = 0;
    f.file = &file;
    f.seen_in_count = 0;
    f.related_count = 0;
    text = capture_finding(&f, &st);
    CHECK(st == EXH_OK);
    CHECK_STR(text,
              "{\"schema\":1,\"kind\":\"finding\",\"id\":\"f-000001\","
              "\"target\":\"/cases/exch01\",\"unit\":\".\","
              "\"host\":\"EXCH01\","
              "\"rule\":\"proxylogon-ssrf-serverinfo\","
              "\"rule_id\":\"6b2f0000-0000-4000-8000-000000000000\","
              "\"rule_source\":"
              "\"builtin:exchange/proxylogon_ssrf_serverinfo.yml\","
              "\"rule_author\":\"exhunt\",\"title\":\"ProxyLogon SSRF\","
              "\"severity\":\"low\",\"category\":\"attempt\","
              "\"cve\":[],\"attack\":[],\"time\":null,\"count\":42,"
              "\"source\":{\"type\":\"httpproxy\",\"path\":"
              "\"/cases/exch01/HttpProxy_2021030204-1.LOG\",\"record\":77,"
              "\"windows_path\":\"C:\\\\x.log\"},"
              "\"evidence\":{\"last_time\":\"2021-03-02T05:00:00.000Z\"},"
              "\"file\":{\"sha256\":\"ab12\",\"size\":1234,"
              "\"modified\":\"2021-03-03T00:00:00.000Z\",\"created\":null,"
              "\"time_source\":\"posix\"},"
              "\"seen_in\":[],\"related\":[]}\n");
    free(text);

    // A stream that cannot be written reports EXH_ERR_IO.
    FILE *ro = fopen("/dev/null", "r");
    if (ro) {
        CHECK(exh_finding_write_json(&f, ro) == EXH_ERR_IO);
        fclose(ro);
    }
    CHECK(exh_finding_write_json(NULL, stdout) == EXH_ERR_INVALID_ARG);
}

static void test_summary(void)
{
    static const char *const warn[] = {"logs start after ProxyLogon"};
    exh_gap gaps[] = {
        {"2021-03-01T00:00:00.000Z", "2021-03-01T08:00:00.000Z", NULL, 0, 0},
        {"2021-03-01T09:00:00.000Z", "2021-03-01T10:00:00.000Z", "records", 41,
         57},
        {"2021-03-01T11:00:00.000Z", "2021-03-01T11:00:00.000Z", "cleared", 0,
         3}};
    exh_coverage cov[] = {
        {"httpproxy", 3, 120, "2021-02-28T00:00:00.000Z",
         "2021-03-02T00:00:00.000Z", gaps, 3, warn, 1},
        {"ecp-server", 0, 0, NULL, NULL, NULL, 0, NULL, 0},
    };
    exh_error errs[] = {{"/c/bad\xff.log", "unreadable: Permission denied"}};
    exh_summary s;
    exh_status st = EXH_ERR_IO;
    char *text;

    memset(&s, 0, sizeof(s));
    s.target = "/cases/exch01";
    s.unit = ".";
    s.vulnerable = "unknown";
    s.exploited = "yes";
    s.backdoored = "unknown";
    s.reason_vulnerable = "No Exchange build was found.";
    s.reason_exploited = "1 critical exploitation finding.";
    s.reason_backdoored = "No files were scanned.";
    s.coverage = cov;
    s.coverage_count = 2;
    s.entries = 10;
    s.scanned = 3;
    s.skipped = 6;
    s.unreadable = 1;
    s.suppressed = 5;
    s.bad_records = 2;
    s.outside_window = 4;
    s.records = 120;
    s.prefilter_passed = 9;
    s.findings[EXH_SEV_CRITICAL] = 1;
    s.findings[EXH_SEV_LOW] = 4;
    s.errors = errs;
    s.error_count = 1;
    s.errors_omitted = 7;
    text = capture_summary(&s, &st);
    CHECK(st == EXH_OK);
    CHECK_STR(text,
              "{\"schema\":1,\"kind\":\"summary\",\"target\":\"/cases/exch01\","
              "\"unit\":\".\",\"host\":null,\"verdict\":{"
              "\"vulnerable\":\"unknown\",\"exploited\":\"yes\","
              "\"backdoored\":\"unknown\",\"reasons\":{"
              "\"vulnerable\":\"No Exchange build was found.\","
              "\"exploited\":\"1 critical exploitation finding.\","
              "\"backdoored\":\"No files were scanned.\"}},"
              "\"build\":null,\"coverage\":["
              "{\"family\":\"httpproxy\",\"files\":3,\"records\":120,"
              "\"first\":\"2021-02-28T00:00:00.000Z\","
              "\"last\":\"2021-03-02T00:00:00.000Z\","
              "\"gaps\":[{\"from\":\"2021-03-01T00:00:00.000Z\","
              "\"to\":\"2021-03-01T08:00:00.000Z\"},"
              "{\"from\":\"2021-03-01T09:00:00.000Z\","
              "\"to\":\"2021-03-01T10:00:00.000Z\",\"reason\":\"records\","
              "\"from_record\":41,\"to_record\":57},"
              "{\"from\":\"2021-03-01T11:00:00.000Z\","
              "\"to\":\"2021-03-01T11:00:00.000Z\",\"reason\":\"cleared\","
              "\"to_record\":3}],"
              "\"warnings\":[\"logs start after ProxyLogon\"]},"
              "{\"family\":\"ecp-server\",\"files\":0,\"records\":0,"
              "\"first\":null,\"last\":null,\"gaps\":[],\"warnings\":[]}],"
              "\"counts\":{\"entries\":10,\"scanned\":3,\"skipped\":6,"
              "\"unreadable\":1,\"suppressed\":5,\"bad_records\":2,"
              "\"outside_window\":4,\"records\":120,"
              "\"prefilter_passed\":9,"
              "\"findings\":{\"critical\":1,\"high\":0,\"medium\":0,"
              "\"low\":4,\"info\":0}},"
              "\"incidents\":[],\"pivot\":{\"addresses\":[],\"accounts\":[],"
              "\"user_agents\":[],\"files\":[]},"
              "\"errors\":[{\"path\":\"/c/bad\\\\xFF.log\","
              "\"message\":\"unreadable: Permission denied\"}],"
              "\"errors_omitted\":7}\n");
    free(text);
}

/* json_utf8_cut(): never inside a well-formed sequence; invalid bytes and
 * ASCII are cut where asked. */
static void test_utf8_cut(void)
{
    // "AB" then a sequence of n bytes starting at 2, cut at 3 (inside it
    // for n >= 2): back to 2.
    CHECK(json_utf8_cut("AB\xc3\xa9T", 5, 3) == 2);         // é
    CHECK(json_utf8_cut("AB\xe2\x82\xacT", 6, 3) == 2);     // €, 1 in
    CHECK(json_utf8_cut("AB\xe2\x82\xacT", 6, 4) == 2);     // €, 2 in
    CHECK(json_utf8_cut("AB\xf0\x9f\x98\x80T", 7, 5) == 2); // U+1F600, 3 in
    // At a boundary, or with room: unchanged.
    CHECK(json_utf8_cut("AB\xc3\xa9T", 5, 4) == 4);
    CHECK(json_utf8_cut("AB\xc3\xa9T", 5, 2) == 2);
    CHECK(json_utf8_cut("AB\xc3\xa9T", 5, 9) == 5);
    CHECK(json_utf8_cut("ABCDEF", 6, 3) == 3);
    // Bytes that are not a well-formed sequence are cut where asked: a
    // lone lead byte, continuation bytes, an overlong form, a surrogate.
    CHECK(json_utf8_cut("AB\xc3TT", 5, 3) == 3);
    CHECK(json_utf8_cut("AB\x80\x80\x80", 5, 3) == 3);
    CHECK(json_utf8_cut("AB\xc0\xafT", 5, 3) == 3);
    CHECK(json_utf8_cut("AB\xed\xa0\x80T", 6, 3) == 3);
    CHECK(json_utf8_cut("\xc3\xa9", 2, 1) == 0);
    CHECK(json_utf8_cut("\xc3\xa9", 2, 0) == 0);
    // What json_string() writes of the cut prefix has no \xNN.
    const char *value = "AB\xe2\x82\xacT";
    CHECK_STR(js(value, json_utf8_cut(value, 6, 4)), "\"AB\"");
}

int main(void)
{
    test_json_string();
    test_escape_text();
    test_utf8_cut();
    test_finding();
    test_summary();
    TEST_MAIN_END();
}
