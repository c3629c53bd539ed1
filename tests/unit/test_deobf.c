/* SPDX-License-Identifier: Apache-2.0 */
/* test_deobf.c - the canonical text of server pages (lib/match/deobf.c). */
#include "harness.h"
#include "internal.h"

#include <stdlib.h>

static char out[4096];

static const char *canon(const char *in)
{
    size_t len = strlen(in);
    size_t n = deobf_page((const unsigned char *)in, len, out);
    CHECK(n <= len);
    out[n] = '\0';
    return out;
}

int main(void)
{
    CHECK_STR(canon("eval/**/(Request/* x */.Item[\"a\"],\"un\"+\"safe\")"),
              "eval(Request.Item[\"a\"],\"unsafe\")");
    CHECK_STR(canon("\"\\u0063md.e\\x78e\""), "\"cmd.exe\"");
    CHECK_STR(canon("Proc\\u0065ss.Start"), "Process.Start");
    // escapes of quotes, backslashes and non-ASCII stay as written
    CHECK_STR(canon("\"\\u0022\\u005c\\u00e9\""), "\"\\u0022\\u005c\\u00e9\"");
    CHECK_STR(canon("new string(new char[]{'c','m','d'})"), "\"cmd\"");
    CHECK_STR(canon("new string(new char [ ] { 'a' , '\\'' , ',' })"),
              "\"a',\"");
    CHECK_STR(canon("new char[]{'x'}"), "\"x\"");
    CHECK_STR(canon("\"dmc\".split(\"\").reverse().join(\"\")"), "\"cmd\"");
    CHECK_STR(canon("new string(\"dmc\".Reverse().ToArray())"), "\"cmd\"");
    CHECK_STR(canon("StrReverse(\"dmc\")"), "\"cmd\"");
    CHECK_STR(canon("\"a\" & \"b\" + 'c' + 'd'"), "\"ab\" + 'cd'");
    CHECK_STR(canon("new string((\"dm\"+\"c\").Reverse().ToArray())"),
              "\"cmd\"");
    CHECK_STR(canon("Write(\"x\") + (\"y\")"), "Write(\"x\") + \"y\"");
    CHECK_STR(canon("\"cmd.e\"+new string(new char[]{'x','e'})"),
              "\"cmd.exe\"");
    CHECK_STR(canon("new string(new string(new char[]{'d','m','c'})"
                    ".Reverse().ToArray())"),
              "\"cmd\"");
    // unclosed or malformed constructs stay as they are
    CHECK_STR(canon("x /* open"), "x /* open");
    CHECK_STR(canon("new char[]{'a'"), "new char[]{'a'");
    CHECK_STR(canon("\"abc\".split(\"\")"), "\"abc\".split(\"\")");
    CHECK_STR(canon("\\u00"), "\\u00");
    // UTF-16LE with a BOM is narrowed first
    const unsigned char u16[] = {0xff, 0xfe, 'a', 0, '/', 0, '*',  0,
                                 '*',  0,    '/', 0, 'b', 0, 0xe9, 0};
    size_t n = deobf_page(u16, sizeof u16, out);
    CHECK(n == 3 && memcmp(out, "ab?", 3) == 0);
    TEST_MAIN_END();
}
