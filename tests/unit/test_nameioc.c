/* SPDX-License-Identifier: Apache-2.0 */
/* test_nameioc.c - file-name IOC lists: each entry's required literal (the
 * check that spares most regexes) and the entries' matching. */
#include "harness.h"
#include "internal.h"
#include "ruleset.h"

#include <string.h>

static void check_lit(const char *re, const char *want)
{
    char out[256];
    nameioc_literal(re, strlen(re), out);
    CHECK_STR(out, want);
}

static void test_literals(void)
{
    check_lit("\\\\svchtst\\.exe", "\\svchtst.exe");
    check_lit("(?i)\\\\Advanced_IP_Scanner", "\\advanced_ip_scanner");
    check_lit(
        "\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^\\\\\"]{1,20}\\.aspx",
        "\\inetpub\\wwwroot\\aspnet_client\\");
    check_lit("abcdx?yz", "abcd");  // the optional x is dropped
    check_lit("abcd*efg", "abc");   // d* too; the first of equal runs
    check_lit("ab(cdefgh)?ij", ""); // nothing of 3 bytes outside groups
    check_lit("xyz(cdefgh)+ijkl", "ijkl");
    check_lit("abc|defgh", ""); // alternatives: none required
    check_lit("(abc|def)ghij", "ghij");
    check_lit("a{2,3}bcd", "bcd");    // quantifier bounds are no literal
    check_lit("abc{-d|efgh", "");     // a literal '{' hides no '|' (fuzz)
    check_lit("[[:alpha:]]]xyz", ""); // POSIX classes: no guess
    check_lit("abcd[[:x#]e|f]", "");  // an invalid one hid a '|' (fuzz)
    check_lit("\\x41bcdef", "");      // escapes that stand for bytes
    check_lit("\\p{Lu}abcd", "");
    check_lit("\\Qa.b\\E", "");
    check_lit("(?x) a b c d", "");
    check_lit("(?ix) a b c d", "");
    check_lit("(?i)abcd", "abcd");
    check_lit("(?<name>x)abcd", "abcd");
    check_lit("abcd(*ACCEPT)efghij", "");
    check_lit("\\d+abcd\\s", "abcd");
    check_lit("ab.cdef$", "cdef");
    check_lit("abc\xc3\xa9"
              "defg",
              "defg"); // bytes over 0x7f end a run
}

static void test_matching(void)
{
    exh_ruleset rs;
    memset(&rs, 0, sizeof rs);
    buf m;
    buf_init(&m, 4096);
    const char *list = "# web shells\n"
                       "\\\\aspnet_client\\\\[a-z]+\\.aspx;90;\\\\ok\\.aspx\n"
                       "(?i)\\\\TOOLS\\\\;50\n"
                       "%TEMP%\\\\x;80\n"
                       "(unclosed;80\n";
    CHECK(nameioc_add(&rs, list, strlen(list), "t", "t.txt", &m) == EXH_OK);
    CHECK(rs.name_count == 2);
    CHECK(strstr(m.data, "1 entry with environment variables") != NULL);
    CHECK(strstr(m.data, "1 that PCRE2 does not compile") != NULL);
    CHECK(rs.names[0].severity == EXH_SEV_HIGH);
    CHECK(rs.names[1].severity == EXH_SEV_LOW);
    CHECK_STR(rs.names[0].comment, "web shells");
    void *md = nameioc_match_data();
    const char *p1 = "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx";
    const char *p2 = "C:\\inetpub\\wwwroot\\aspnet_client\\ok.aspx";
    const char *p3 = "C:\\ProgramData\\Tools\\x.exe";
    CHECK(nameioc_matches(&rs.names[0], p1,
                          "c:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx",
                          md));
    CHECK(!nameioc_matches(&rs.names[0], p2,
                           "c:\\inetpub\\wwwroot\\aspnet_client\\ok.aspx",
                           md)); // the false-positive regex spares it
    CHECK(
        nameioc_matches(&rs.names[1], p3, "c:\\programdata\\tools\\x.exe", md));
    CHECK(nameioc_matches(&rs.names[1], p3, NULL, md)); // non-ASCII path
    CHECK(!nameioc_matches(&rs.names[1], p1,
                           "c:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx",
                           md));
    // (?i) with the long s (U+017F): caseless Unicode matching, no literal
    // shortcut (the scanner passes NULL for such paths).
    exh_ruleset rs2;
    memset(&rs2, 0, sizeof rs2);
    const char *l2 = "(?i)\\\\svchost\\.exe;80\n";
    CHECK(nameioc_add(&rs2, l2, strlen(l2), "u", "u.txt", &m) == EXH_OK);
    CHECK(rs2.name_count == 1);
    CHECK(nameioc_regex_matches(&rs2.names[0], "C:\\\xc5\xbfvchost.exe", md));
    CHECK(nameioc_matches(&rs2.names[0], "C:\\\xc5\xbfvchost.exe", NULL, md));
    nameioc_match_data_free(md);
    for (size_t i = 0; i < rs.name_count; i++)
        nameioc_free(&rs.names[i]);
    exh_free(rs.names);
    nameioc_free(&rs2.names[0]);
    exh_free(rs2.names);
    buf_free(&m);
}

/* True when a built-in file-name list matches path (Windows form). */
static bool builtin_name_hit(const exh_ruleset *rs, const char *path, void *md)
{
    char lower[512];
    size_t n =
        strlen(path) < sizeof lower - 1 ? strlen(path) : sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] =
            (char)((path[i] >= 'A' && path[i] <= 'Z') ? path[i] + 32 : path[i]);
    lower[n] = '\0';
    for (size_t i = 0; i < rs->name_count; i++)
        if (nameioc_matches(&rs->names[i], path, lower, md))
            return strcmp(rs->names[i].rule, "ioc_exchange-filename-iocs") == 0;
    return false;
}

/* The built-in lists of rules/iocs/: the ProxyNotShell hashes are loaded,
 * the published web shell names match in their folders and stock pages and
 * the same names elsewhere do not. */
static void test_builtin_lists(void)
{
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(NULL, 0, 0, &rs, &diag) == EXH_OK);
    CHECK(diag == NULL);
    if (!rs)
        return;
    const char *hashes[] = {
        "c838e77afe750d713e67ffeb4ec1b82ee9066cbe21f11181fd34429f70831ec1",
        "be07bd9310d7a487ca2f49bcdaafb9513c0c8f99921fdf79a05eaba25b52d257",
        "65a002fe655dc1751add167cf00adf284c080ab2e97cd386881518d3a31d27f5",
        "b5038f1912e7253c7747d2f0fa5310ee8319288f818392298fd92009926268ca",
        "8e90ed33c7ee82c0b64078ea36ec95f7420ba435c693b3b3dd728b494abf7dfc",
    };
    for (size_t i = 0; i < sizeof hashes / sizeof *hashes; i++)
        CHECK(ruleset_hash_lookup(rs, hashes[i]) != NULL);
    CHECK(ruleset_hash_lookup(rs, "00000000000000000000000000000000000000000"
                                  "00000000000000000000000") == NULL);
    void *md = nameioc_match_data();
    const char *ex = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\"
                     "FrontEnd\\HttpProxy\\";
    const char *hit[] = {
        "owa\\auth\\pxh4HG1v.ashx",      "owa\\auth\\shel90.aspx",
        "owa\\auth\\Current\\one1.aspx", "OAB\\log.aspx",
        "ecp\\auth\\errorEE.aspx",       "owa\\auth\\google.log",
        "owa\\auth\\d62ffcd688.aspx",    "owa\\auth\\HWTJQDMFVMPOON.aspx",
    };
    const char *quiet[] = {
        "owa\\auth\\logon.aspx",
        "owa\\auth\\errorFE.aspx",
        "ecp\\auth\\TimeoutLogout.aspx",
        "owa\\default.aspx",
        "ecp\\help.aspx",
    };
    char path[512];
    for (size_t i = 0; i < sizeof hit / sizeof *hit; i++) {
        snprintf(path, sizeof path, "%s%s", ex, hit[i]);
        CHECK(builtin_name_hit(rs, path, md));
    }
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++) {
        snprintf(path, sizeof path, "%s%s", ex, quiet[i]);
        CHECK(!builtin_name_hit(rs, path, md));
    }
    CHECK(builtin_name_hit(
        rs, "C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx", md));
    CHECK(builtin_name_hit(
        rs, "?:\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx", md));
    CHECK(builtin_name_hit(rs, "D:\\PerfLogs\\cm.exe", md));
    CHECK(builtin_name_hit(rs, "C:\\Users\\Public\\dump.dll", md));
    CHECK(builtin_name_hit(rs, "C:\\root\\DrSDKCaller.exe", md));
    CHECK(!builtin_name_hit(rs, "C:\\inetpub\\wwwroot\\shop\\help.aspx", md));
    CHECK(!builtin_name_hit(rs, "C:\\inetpub\\wwwroot\\default.aspx", md));
    CHECK(!builtin_name_hit(rs, "C:\\Tools\\PerfLogs\\cm.exe", md));
    CHECK(!builtin_name_hit(rs, "C:\\Users\\Public\\Desktop\\all.exe", md));
    CHECK(builtin_name_hit(rs, "C:\\ProgramData\\COM1\\errorPage.aspx", md));
    CHECK(builtin_name_hit(rs, "C:\\Users\\All Users\\ZING\\x.aspx", md));
    CHECK(!builtin_name_hit(rs, "C:\\ProgramData\\COMODO\\x.aspx", md));
    CHECK(!builtin_name_hit(rs, "C:\\ProgramData\\COM1\\readme.txt", md));
    CHECK(!builtin_name_hit(rs, "C:\\ProgramData\\Vendor\\COM1\\x.aspx", md));
    nameioc_match_data_free(md);
    exh_ruleset_free(rs);
}

int main(void)
{
    test_literals();
    test_matching();
    test_builtin_lists();
    TEST_MAIN_END();
}
