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

int main(void)
{
    test_literals();
    test_matching();
    TEST_MAIN_END();
}
