/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_relit.c - the literals relit_required() finds in regular
 * expressions: exact sets for known patterns (the SigmaHQ and built-in
 * shapes), none where no literal is sure, and soundness on thousands of
 * random patterns and subjects checked with PCRE2 itself.
 */
#include "../../fuzz/relit_check.h"
#include "harness.h"

#include <stdio.h>

typedef struct got {
    char text[1024];
} got;

static bool collect(void *user, const char *lit, size_t n)
{
    got *g = user;
    size_t used = strlen(g->text);
    snprintf(g->text + used, sizeof g->text - used, "%s%.*s", used ? "|" : "",
             (int)n, lit);
    return true;
}

/* The literals of re joined by '|', "" when none. */
static const char *lits(const char *re)
{
    static got g;
    g.text[0] = '\0';
    relit_required(re, strlen(re), 3, collect, &g);
    return g.text;
}

static void test_known(void)
{
    CHECK_STR(lits("alpha.*"), "alpha");
    CHECK_STR(lits("(?i)^\\??cmd=(connect&target=|(read|forward|disconnect)"
                   "(&|$))"),
              "?cmd=connect&target=|?cmd=read&|?cmd=read|?cmd=forward&|"
              "?cmd=forward|?cmd=disconnect&|?cmd=disconnect|"
              "cmd=connect&target=|cmd=read&|cmd=read|cmd=forward&|"
              "cmd=forward|cmd=disconnect&|cmd=disconnect");
    // the longest sure run wins; a class ends a run
    CHECK_STR(lits("^/ecp/[a-z]+\\.js$"), "/ecp/");
    CHECK_STR(lits("serverinfo~.*/"), "serverinfo~");
    // letters fold; escapes give their bytes
    CHECK_STR(lits("New\\-MailboxExportRequest\\x2E"),
              "new-mailboxexportrequest.");
    // a repeated atom: its first copy ends a run, its last starts one
    CHECK_STR(lits("ab+cdef"), "bcdef");
    CHECK_STR(lits("xyzab+c"), "xyzab");
    // optional parts multiply
    CHECK_STR(lits("ab?cd"), "abcd|acd");
    // alternatives at the top: each needs a literal
    CHECK_STR(lits("foo1|bar2"), "foo1|bar2");
    CHECK_STR(lits("foo1|b"), "");
    CHECK_STR(lits("foo1|.*"), "");
    // zero-width items add nothing and break nothing
    CHECK_STR(lits("\\bword(?=s)\\b"), "word");
    CHECK_STR(lits("(?i)abc(?#note)def"), "abcdef");
    // a quantifier after a comment applies to the atom before it: PCRE2
    // drops comments first (the CI fuzzer found "b(?#c)?" taken as "b")
    CHECK_STR(lits("abcd(?#note)?"), "abcd|abc");
    CHECK_STR(lits("(abcd)(?#n)(?#m){0}xyz"), "xyz");
    CHECK_STR(lits("abc(?#n)+def"), "cdef");
    CHECK_STR(lits("(?#n)?abcd"), ""); // nothing to repeat
    CHECK_STR(lits("abc(?#never closed"), "");
    CHECK_STR(lits("(?<name>abc)(?:def)"), "abcdef");
    CHECK_STR(lits("(?'name'abc)(?P<n2>def)"), "abcdef");
    CHECK_STR(lits("(?'ppppppppq')"), ""); // an empty group (fuzzer)
    // "(?<*" is a non-atomic lookbehind, not a group named "*|" (fuzzer:
    // it matches the empty string without the literal)
    CHECK_STR(lits("(?<*|>abcdef)"), "");
    CHECK_STR(lits("(?*abc)def"), "");
    // no guess: extended mode, verbs, back references, \Q, conditionals
    CHECK_STR(lits("(?x)a b c d"), "");
    CHECK_STR(lits("(*UTF)abcdef"), "");
    CHECK_STR(lits("(abc)\\1def"), "");
    CHECK_STR(lits("\\Qabc\\E"), "");
    // POSIX classes and collating elements: PCRE2's own rules, no guess
    // ("[=]" inside a class is an element; the fuzzer found one)
    CHECK_STR(lits("[[:alpha:]]abcd"), "");
    CHECK_STR(lits("[x[=]abcd|]abcd"), "");
    CHECK_STR(lits("(?(1)abc|def)"), "");
    // repeats that may be absent require nothing
    CHECK_STR(lits("(abcd)*"), "");
    CHECK_STR(lits("(abcd){0,3}x"), "");
    CHECK_STR(lits("(abcd){1,3}x"), "abcdx");
    // a literal brace
    CHECK_STR(lits("a{b}cd"), "a{b}cd");
    // malformed or cut patterns give nothing
    CHECK_STR(lits("(abc"), "");
    CHECK_STR(lits("abc\\"), "");
    CHECK_STR(lits("[abc"), "");
    // products past the limits still give a sound set
    CHECK(lits("(ab|cd|ef|gh)(ij|kl|mn|op)(qr|st|uv|wx)(yz|12|34|56)")[0] !=
          '\0');
    CHECK_STR(lits("(a|b|c|d)(e|f|g|h)(i|j|k|l)(m|n|o|p)"), "");
    // deep nesting gives up rather than recursing without bound
    char deep[400];
    memset(deep, '(', 100);
    memcpy(deep + 100, "abc", 3);
    memset(deep + 103, ')', 100);
    deep[203] = '\0';
    CHECK_STR(lits(deep), "");
}

static unsigned long seed = 12345;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((seed >> 33) % n);
}

/* A random pattern over a small alphabet, with groups and quantifiers. */
static void gen(char *o, size_t cap, size_t *n, int depth)
{
    static const char *const atoms[] = {"abc", "ab",  "b",    "ca",  "A",
                                        "\\.", ".",   "[ab]", "\\d", "^",
                                        "$",   "\\b", "-",    "cab", "(?#c)"};
    static const char *const quants[] = {"",  "",    "",      "?",    "*",
                                         "+", "{2}", "{0,2}", "{1,}", "??"};
    int parts = 1 + (int)rnd(5);
    for (int p = 0; p < parts && *n + 24 < cap; p++) {
        if (depth < 3 && rnd(4) == 0) {
            static const char *const opens[] = {
                "(", "(?:", "(?=", "(?!", "(?i:", "(?<x>"};
            const char *op = opens[rnd(6)];
            if (strcmp(op, "(?<x>") == 0 && depth > 0)
                op = "(";
            *n += (size_t)snprintf(o + *n, cap - *n, "%s", op);
            gen(o, cap, n, depth + 1);
            if (rnd(3) == 0 && *n + 4 < cap) {
                o[(*n)++] = '|';
                gen(o, cap, n, depth + 1);
            }
            *n += (size_t)snprintf(o + *n, cap - *n, ")%s", quants[rnd(10)]);
        } else {
            *n += (size_t)snprintf(o + *n, cap - *n, "%s%s", atoms[rnd(15)],
                                   quants[rnd(10)]);
        }
    }
    if (depth == 0 && rnd(4) == 0 && *n + 8 < cap) {
        o[(*n)++] = '|';
        gen(o, cap, n, 1);
    }
}

static void test_random(void)
{
    int matched = 0, unsound = 0;
    for (int iter = 0; iter < 10000; iter++) {
        char re[256];
        size_t n = 0;
        gen(re, sizeof re - 1, &n, 0);
        re[n] = '\0';
        for (int k = 0; k < 30; k++) {
            static const char *const pieces[] = {"a",   "b",  "c",   "ab",
                                                 "abc", "ca", "cab", "AB",
                                                 ".",   "-",  "1",   " "};
            char subject[40];
            unsigned len = 0;
            for (unsigned i = rnd(9); i > 0; i--) {
                const char *pc = pieces[rnd(12)];
                size_t pl = strlen(pc);
                memcpy(subject + len, pc, pl);
                len += (unsigned)pl;
            }
            int r = relit_check(re, n, subject, len, rnd(2));
            if (r == 1) {
                unsound++;
                fprintf(stderr, "unsound: /%s/ on '%.*s'\n", re, (int)len,
                        subject);
            }
            matched += r == 0;
        }
    }
    fprintf(stderr, "random patterns: %d matches checked\n", matched);
    CHECK(unsound == 0);
    CHECK(matched > 1500); // the generator must make matching cases
}

int main(void)
{
    test_known();
    test_random();
    TEST_MAIN_END();
}
