/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_prefilter.c - the multi-literal pre-filter against a naive search on
 * thousands of random cases (small alphabets for many near misses, bytes
 * whose case fold collides with anchor classes, block boundaries), shared
 * use from several threads, and the throughput over 100 MB of synthetic
 * HttpProxy lines (printed, never asserted).
 */
#include "harness.h"
#include "internal.h"
#include "ruleset.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The speed test's corpus: 100 MB, or 8 MB under the (slow) sanitizers. */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_BYTES (8u << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_BYTES (8u << 20)
#endif
#endif
#ifndef BENCH_BYTES
#define BENCH_BYTES (100u << 20)
#endif

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The reference: does text contain any literal, ASCII case-insensitively? */
static bool naive(const char *const *lits, size_t count, const char *text,
                  size_t len)
{
    for (size_t k = 0; k < count; k++) {
        size_t m = strlen(lits[k]);
        if (m == 0)
            return true;
        for (size_t i = 0; i + m <= len; i++) {
            size_t j = 0;
            while (j < m && fold((unsigned char)text[i + j]) ==
                                fold((unsigned char)lits[k][j]))
                j++;
            if (j == m)
                return true;
        }
    }
    return false;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static bool any(const char *const *lits, size_t count, const char *text,
                size_t len)
{
    prefilter *pf = NULL;
    if (prefilter_new(lits, count, &pf) != EXH_OK)
        return false;
    bool r = prefilter_any(pf, text, len);
    prefilter_free(pf);
    return r;
}

static void test_basic(void)
{
    const char *one[] = {"ServerInfo~"};
    const char *text = "x,ServerInfo~a]@b:444/autodiscover,y";
    CHECK(any(one, 1, text, strlen(text)));
    CHECK(any(one, 1, "SERVERINFO~", 11));
    CHECK(!any(one, 1, "SERVERINFO", 10));
    CHECK(!any(one, 1, "serverinfo^", 11)); // '^' folds into '~'s class
    CHECK(!any(one, 1, "", 0));
    CHECK(!any(NULL, 0, text, strlen(text)));
    const char *empty[] = {"abc", ""};
    CHECK(any(empty, 2, "zzz", 3));
    CHECK(any(empty, 2, "", 0));
    // only len bytes are read: the hit past len does not count
    CHECK(!any(one, 1, text, 12));
    // every offset around the 16/32-byte blocks
    char text2[200];
    for (size_t len = 11; len < 120; len++) {
        for (size_t at = 0; at + 11 <= len; at++) {
            memset(text2, 'e', sizeof text2);
            memcpy(text2 + at, "sERVERINFO~", 11);
            if (!any(one, 1, text2, len)) {
                CHECK(!"missed at offset");
                fprintf(stderr, "  len %zu at %zu\n", len, at);
                return;
            }
        }
    }
    CHECK(!any(one, 1, text2, 10));
}

/* Random literal sets over small alphabets against the naive search:
 * 2,000 sets, 10 texts each. */
static void test_random(void)
{
    static const char alpha[] = "aAbB~^,\x0c@`-/09zZ\x80\xff";
    static const char wide[] = "abcdefghijklmnopqrstuvwxyz0123456789"
                               ",.-:/;=~@ _ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int mismatches = 0, hits = 0, cases = 0;
    for (int round = 0; round < 2000; round++) {
        const char *al = round % 2 ? alpha : wide;
        size_t alen = strlen(al);
        char store[40][12];
        const char *lits[40];
        size_t count = 1 + rnd() % (round % 5 == 0 ? 40 : 6);
        for (size_t k = 0; k < count; k++) {
            size_t m = 1 + rnd() % (round % 2 ? 4 : 8);
            for (size_t j = 0; j < m; j++)
                store[k][j] = al[rnd() % alen];
            store[k][m] = 0;
            lits[k] = store[k];
        }
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        for (int t = 0; pf && t < 10; t++, cases++) {
            char text[400];
            size_t len = rnd() % sizeof text;
            for (size_t i = 0; i < len; i++)
                text[i] = al[rnd() % alen];
            bool want = naive(lits, count, text, len);
            bool got = prefilter_any(pf, text, len);
            hits += want;
            if (want != got && mismatches++ < 5)
                fprintf(stderr,
                        "  mismatch round %d: want %d got %d (%zu "
                        "lits, first '%s', len %zu)\n",
                        round, want, got, count, lits[0], len);
        }
        prefilter_free(pf);
    }
    CHECK(cases == 20000 && mismatches == 0);
    // both outcomes were exercised
    CHECK(hits > 2000 && hits < 18000);
    printf("random: %d cases, %d hits, %d mismatches\n", cases, hits,
           mismatches);
}

/* Fills text with random lines of up to max_line - 1 bytes drawn from
 * alphabet, each ended by '\n', leaving max_line + 20 bytes unused at the
 * end at most; returns the length. */
static size_t random_lines(char *text, size_t size, const char *alphabet,
                           size_t max_line)
{
    size_t alen = strlen(alphabet), len = 0;
    while (len + max_line + 20 < size) {
        size_t n = rnd() % max_line;
        for (size_t i = 0; i < n; i++)
            text[len++] = alphabet[rnd() % alen];
        text[len++] = '\n';
    }
    return len;
}

/* Fills store with 1 to max random literals (lits[k] = store[k]), each a
 * field sequence of 1 to parts runs of min_run to min_run + 2 bytes drawn
 * from the first 6 bytes of alphabet (so never ',' or a quote there);
 * returns how many. */
static size_t random_seq_lits(char (*store)[12], const char **lits, size_t max,
                              const char *alphabet, size_t parts,
                              size_t min_run)
{
    size_t count = 1 + rnd() % max;
    for (size_t k = 0; k < count; k++) {
        size_t m = 0, np = 1 + rnd() % parts;
        for (size_t p = 0; p < np; p++) {
            if (p)
                store[k][m++] = PREFILTER_SEQ;
            size_t n = min_run + rnd() % 3;
            for (size_t j = 0; j < n; j++)
                store[k][m++] = alphabet[rnd() % 6];
        }
        store[k][m] = 0;
        lits[k] = store[k];
    }
    return count;
}

/* prefilter_hits() over lines joined by '\n': the literal ids of the hits
 * in each line cover every literal prefilter_bits() finds in that line
 * alone (the reader gates rules by them), or say they are unknown; and a
 * line with such a literal holds a hit. Literals with ',' left out: field
 * sequences need no special case here. 20 literals, up to 150 here so
 * that ids span several words. */
static void test_hit_ids(void)
{
    static const char wide[] = "abcdefghij0123~/.%@ABCDEFGHIJ";
    size_t alen = strlen(wide);
    int lines_seen = 0, with_lits = 0, bad = 0, known = 0;
    for (int round = 0; round < 500; round++) {
        char store[150][8];
        const char *lits[150];
        size_t count = 1 + rnd() % (round % 2 ? 150 : 20);
        for (size_t k = 0; k < count; k++) {
            size_t m = 2 + rnd() % 4;
            for (size_t j = 0; j < m; j++)
                store[k][j] = wide[rnd() % (alen / 2)]; // lower case
            store[k][m] = 0;
            lits[k] = store[k];
        }
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        if (!pf)
            break;
        size_t words = prefilter_words(pf);
        CHECK(words * 64 > count && words <= 3);
        char text[2000];
        size_t len = random_lines(text, sizeof text, wide, 60);
        size_t hits[64];
        uint32_t ids[64];
        size_t end_searched = 0;
        size_t h =
            prefilter_hits(pf, text, len, hits, ids, 64, NULL, &end_searched);
        CHECK(end_searched <= len && (h == 64 || end_searched == len));
        for (size_t j = 1; j < h; j++)
            CHECK(hits[j - 1] <= hits[j]);
        size_t k = 0;
        for (size_t start = 0; start < len;) {
            const char *nl = memchr(text + start, '\n', len - start);
            size_t end = (size_t)(nl - text);
            if (end > end_searched)
                break;
            lines_seen++;
            uint64_t want[3] = {0}, got[3] = {0};
            prefilter_bits(pf, text + start, end - start, false, want);
            bool any_hit = false, unknown = false, any_want = false;
            for (; k < h && hits[k] < end; k++) {
                if (hits[k] >= start) {
                    any_hit = true;
                    if (ids[k] == PREFILTER_UNKNOWN)
                        unknown = true;
                    else if (ids[k] < count)
                        got[ids[k] / 64] |= 1ull << (ids[k] % 64);
                    else
                        bad++; // an id out of range
                }
            }
            bool missing = false;
            for (size_t w = 0; w < words; w++) {
                any_want = any_want || want[w] != 0;
                missing = missing || (want[w] & ~got[w]) != 0;
            }
            with_lits += any_want;
            known += !unknown;
            if ((missing && !unknown) || (any_want && !any_hit) ||
                prefilter_pass(pf, want, NULL, 0, NULL, 0) != any_want) {
                if (bad++ < 5)
                    fprintf(stderr, "  ids: round %d line at %zu\n", round,
                            start);
            }
            start = end + 1;
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
    CHECK(with_lits > 500 && lines_seen > with_lits);
    printf("hit ids: %d lines, %d with literals, %d ids known, %d bad\n",
           lines_seen, with_lits, known, bad);
}

/* Every (last byte, literal) occurrence of the folded lits in text,
 * sorted; returns how many (up to max). */
typedef struct occ {
    size_t at;
    uint32_t id;
} occ;

static int occ_cmp(const void *a, const void *b)
{
    const occ *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static size_t occurrences(const char *const *lits, size_t count,
                          const char *text, size_t len, occ *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        size_t m = strlen(lits[i]);
        for (size_t p = 0; p + m <= len && n < max; p++) {
            size_t j = 0;
            while (j < m && fold((unsigned char)text[p + j]) ==
                                fold((unsigned char)lits[i][j]))
                j++;
            if (j == m)
                out[n++] = (occ){p + m - 1, (uint32_t)i};
        }
    }
    qsort(out, n, sizeof *out, occ_cmp);
    return n;
}

/* Literals that hold one another and long pieces they share (the HAFNIUM
 * user agents share "mozilla/5.0 (compatible; "): Hyperscan searches for
 * fewer anchors and checks the literals around their hits. The literals
 * each line holds, and every hit with its offset and literal, must be
 * what a plain search finds, in ascending order, also when hits[] fills up
 * (then up to the offset the search reports). */
static void test_anchors(void)
{
    static const char *const pieces[] = {"mozilla/5.0 (compatible; ",
                                         "python-requests/2.",
                                         "ab",
                                         "b",
                                         "a~",
                                         "/ecp/",
                                         "/ecp/y.js",
                                         "x",
                                         "0123456789abcdefghij",
                                         "; ",
                                         "~"};
    const size_t np = sizeof pieces / sizeof *pieces;
    int bad = 0, lines = 0, hits_seen = 0, rounds_full = 0;
    for (int round = 0; round < 400; round++) {
        char store[24][64];
        const char *lits[24];
        size_t count = 1 + rnd() % 24;
        for (size_t k = 0; k < count; k++) {
            size_t m = 0;
            for (size_t parts = 1 + rnd() % 3; parts > 0; parts--) {
                const char *pc = pieces[rnd() % np];
                size_t pl = strlen(pc);
                if (m + pl >= sizeof store[k])
                    break;
                memcpy(store[k] + m, pc, pl);
                m += pl;
            }
            if (m < 3) { // runs of 3 bytes or more: the loader's minimum
                memcpy(store[k] + m, "zzz", 3);
                m += 3;
            }
            store[k][m] = '\0';
            if (rnd() % 2) // either case in the literal and in the text
                store[k][0] = (char)toupper((unsigned char)store[k][0]);
            lits[k] = store[k];
        }
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        if (!pf)
            break;
        char text[3000];
        size_t len = 0;
        while (len + 200 < sizeof text) {
            for (size_t parts = rnd() % 8; parts > 0; parts--) {
                const char *pc = pieces[rnd() % np];
                for (size_t j = 0; pc[j]; j++)
                    text[len++] =
                        rnd() % 4 ? pc[j] : (char)toupper((unsigned char)pc[j]);
            }
            text[len++] = '\n';
        }
        // Each line alone: the same literals as a plain search.
        for (size_t start = 0; start < len;) {
            size_t end =
                (size_t)((const char *)memchr(text + start, '\n', len - start) -
                         text);
            uint64_t got[1] = {0}, want[1] = {0};
            prefilter_bits(pf, text + start, end - start, false, got);
            occ o[256];
            size_t n =
                occurrences(lits, count, text + start, end - start, o, 256);
            for (size_t k = 0; k < n; k++)
                want[0] |= 1ull << o[k].id;
            if (got[0] != want[0] && bad++ < 5)
                fprintf(stderr, "  anchors: round %d line at %zu\n", round,
                        start);
            bool first =
                prefilter_find(pf, text + start, end - start) != SIZE_MAX;
            if (first != (n > 0) && bad++ < 5)
                fprintf(stderr, "  anchors: find, round %d\n", round);
            lines++;
            start = end + 1;
        }
        // The whole text: every hit, in order; a small hits[] as well.
        static occ want[4096];
        size_t nw = occurrences(lits, count, text, len, want, 4096);
        for (size_t max = 4096; max >= 4; max = max == 4096 ? 7 : 0) {
            static size_t hits[4096];
            static uint32_t ids[4096];
            size_t upto = 0;
            size_t h =
                prefilter_hits(pf, text, len, hits, ids, max, NULL, &upto);
            static occ got[4096];
            for (size_t k = 0; k < h; k++) {
                got[k] = (occ){hits[k], ids[k]};
                if (k && hits[k - 1] > hits[k] && bad++ < 5)
                    fprintf(stderr, "  anchors: order, round %d\n", round);
            }
            qsort(got, h, sizeof *got, occ_cmp);
            if (h < max && upto != len && bad++ < 5)
                fprintf(stderr, "  anchors: upto, round %d\n", round);
            rounds_full += h == max;
            if (h > 0 && ids[0] == PREFILTER_UNKNOWN) {
                // The portable search: one hit per place, literal unknown.
                hits_seen += (int)h;
                continue;
            }
            // Every true hit before upto is there, and nothing else.
            size_t before = 0;
            while (before < nw && want[before].at < upto)
                before++;
            size_t g = 0;
            for (size_t k = 0; k < before; k++) {
                while (g < h && occ_cmp(&got[g], &want[k]) < 0) {
                    bad++; // a hit no literal makes
                    g++;
                }
                if (g < h && occ_cmp(&got[g], &want[k]) == 0)
                    g++;
                else if (bad++ < 5)
                    fprintf(stderr, "  anchors: missed hit %zu, round %d\n",
                            want[k].at, round);
            }
            hits_seen += (int)h;
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
    CHECK(hits_seen > 10000 && rounds_full > 100);
    printf("anchors: %d lines, %d hits, %d full, %d bad\n", lines, hits_seen,
           rounds_full, bad);
}

/* Many literals: 300 (anchors planned, none merged) and 1500 distinct
 * (past HS_PLAN_MAX: each run its own anchor), some holding others; every
 * line's literals and every hit as a plain search finds them. */
static void test_many_literals(void)
{
    static const char alpha[] = "abcd/~";
    int bad = 0, found = 0;
    for (size_t count = 300; count <= 1500; count += 1200) {
        static char store[1500][16];
        static const char *lits[1500];
        for (size_t k = 0; k < count; k++) {
            size_t m = 4 + rnd() % 5;
            for (size_t j = 0; j < m; j++)
                store[k][j] = alpha[rnd() % (sizeof alpha - 1)];
            store[k][m] = '\0';
            lits[k] = store[k];
        }
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        if (!pf)
            break;
        static char text[8000];
        size_t len = random_lines(text, sizeof text, alpha, 80);
        size_t words = prefilter_words(pf);
        for (size_t start = 0; start < len;) {
            size_t end =
                (size_t)((const char *)memchr(text + start, '\n', len - start) -
                         text);
            uint64_t got[32] = {0}, want[32] = {0};
            CHECK(words <= 32);
            prefilter_bits(pf, text + start, end - start, false, got);
            static occ o[4096];
            size_t n =
                occurrences(lits, count, text + start, end - start, o, 4096);
            for (size_t k = 0; k < n; k++)
                want[o[k].id / 64] |= 1ull << (o[k].id % 64);
            found += (int)n;
            if (memcmp(got, want, words * sizeof *got) != 0 && bad++ < 5)
                fprintf(stderr, "  many: %zu literals, line at %zu\n", count,
                        start);
            start = end + 1;
        }
        static size_t hits[8192];
        static uint32_t ids[8192];
        static occ want[8192], got[8192];
        size_t upto = 0;
        size_t h = prefilter_hits(pf, text, len, hits, ids, 8192, NULL, &upto);
        size_t nw = occurrences(lits, count, text, len, want, 8192);
        if (h > 0 && ids[0] != PREFILTER_UNKNOWN) {
            for (size_t k = 0; k < h; k++)
                got[k] = (occ){hits[k], ids[k]};
            qsort(got, h, sizeof *got, occ_cmp);
            bool same_hits = h == nw && upto == len;
            for (size_t k = 0; same_hits && k < h; k++)
                same_hits = occ_cmp(&got[k], &want[k]) == 0;
            if (!same_hits && bad++ < 5)
                fprintf(stderr, "  many: %zu literals, hits %zu of %zu\n",
                        count, h, nw);
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
    CHECK(found > 1000);
    printf("many literals: %d occurrences, %d bad\n", found, bad);
}

/* The gate: rule 0 needs "alpha" and one of "beta"/"gamma"; rule 1 needs
 * "delta" and, deferred (checked in the record), "post" or "get". */
/* The search ahead with its loose hits, over lines joined by '\n' that hold
 * field sequences, commas and quotes: a line in which it saw no hit at all
 * holds no literal that prefilter_bits() (the quoted records' own search)
 * would find, so the reader may skip that search. */
static void test_loose_hits(void)
{
    static const char wide[] = "abcd~/.,\"ABCD";
    int lines = 0, skipped = 0, bad = 0, rejudged = 0;
    bool any_loose = false;
    for (int round = 0; round < 500; round++) {
        char store[12][12];
        const char *lits[12];
        size_t count = random_seq_lits(store, lits, 12, wide, 3, 1);
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        if (!pf)
            break;
        char text[2000];
        size_t len = random_lines(text, sizeof text, wide, 30);
        size_t hits[256];
        uint32_t ids[256];
        bool loose = false;
        size_t end_searched = 0;
        size_t h = prefilter_hits(pf, text, len, hits, ids, 256, &loose,
                                  &end_searched);
        any_loose |= loose;
        size_t words = prefilter_words(pf);
        uint64_t bits[4];
        CHECK(words <= 4);
        size_t k = 0;
        for (size_t start = 0; start < len && words <= 4;) {
            const char *nl = memchr(text + start, '\n', len - start);
            size_t end = (size_t)(nl - text);
            if (end > end_searched)
                break;
            bool any = false;
            size_t first = k;
            for (; k < h && hits[k] < end; k++)
                any |= hits[k] >= start;
            memset(bits, 0, sizeof bits);
            prefilter_bits(pf, text + start, end - start, false, bits);
            bool found = false;
            for (size_t w = 0; w < words; w++)
                found |= bits[w] != 0;
            // The line's own search and the judgement of the hits the
            // search ahead saw in it give the same literals (where it kept
            // the loose hits, as the reader requires).
            uint64_t again[4] = {0};
            if (loose && prefilter_bits_of_hits(pf, text + start, end - start,
                                                hits + first, ids + first,
                                                k - first, start, again)) {
                rejudged++;
                if (memcmp(again, bits, sizeof bits) != 0 && bad++ < 5)
                    fprintf(stderr, "  rejudged: round %d line at %zu\n", round,
                            start);
            }
            lines++;
            if (loose && !any) {
                skipped++;
                if (found && bad++ < 5)
                    fprintf(stderr, "  loose: round %d line at %zu\n", round,
                            start);
            }
            start = end + 1;
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
#ifdef EXH_HAVE_HYPERSCAN
    CHECK(any_loose && skipped > 1000 && skipped < lines);
    CHECK(rejudged == lines);
#endif
    printf("loose hits: %d lines, %d without any hit, %d judged from the "
           "hits, %d bad\n",
           lines, skipped, rejudged, bad);
}

static void test_gate(void)
{
    const char *lits[] = {"alpha", "beta", "gamma", "delta"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 4, &pf) == EXH_OK);
    if (!pf)
        return;
    uint64_t bits[1];
    // without a gate: any literal passes
    bits[0] = 0;
    prefilter_bits(pf, "xx GAMMA yy", 11, false, bits);
    CHECK(bits[0] == 4 && prefilter_pass(pf, bits, NULL, 0, NULL, 0));
    CHECK(prefilter_rule_pass(pf, 0, bits, NULL, 0, NULL, 0));
    size_t rule_at[] = {0, 2, 4};
    size_t clause_at[] = {0, 1, 3, 4, 6};
    uint32_t ids[] = {0, 1, 2, 3, 0, 0};
    const char *texts[] = {NULL, NULL, NULL, NULL, "post", "get"};
    for (int decode = 0; decode < 2; decode++) {
        CHECK(prefilter_set_gate(pf, 2, rule_at, clause_at, ids, texts,
                                 decode) == EXH_OK);
        static const struct {
            const char *text;
            bool r0, r1, r1_decoded;
        } cases[] = {
            {"alpha beta", true, false, false},
            {"x Gamma;ALPHA", true, false, false},
            {"alpha only", false, false, false},
            {"beta gamma", false, false, false},
            {"delta", false, false, false},
            {"delta POST", false, true, true},
            {"get delta", false, true, true},
            {"delta %50ost", false, false, true},
            {"alphabetagammadelta-get", true, true, true},
            {"nothing post", false, false, false},
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            const char *t = cases[i].text;
            size_t n = strlen(t);
            bool want1 = decode ? cases[i].r1_decoded : cases[i].r1;
            bits[0] = 0;
            prefilter_bits(pf, t, n, false, bits);
            bool r0 = prefilter_rule_pass(pf, 0, bits, t, n, NULL, 0);
            bool r1 = prefilter_rule_pass(pf, 1, bits, t, n, NULL, 0);
            if (r0 != cases[i].r0 || r1 != want1)
                fprintf(stderr, "  gate: '%s' gives %d %d\n", t, r0, r1);
            CHECK(r0 == cases[i].r0 && r1 == want1);
            CHECK(prefilter_pass(pf, bits, t, n, NULL, 0) ==
                  (cases[i].r0 || want1));
            // the rules passed, as the reader hands them to the scanner
            uint64_t rules[1] = {~0ull};
            CHECK(prefilter_rule_words(pf) == 1);
            CHECK(prefilter_pass_rules(pf, bits, t, n, NULL, 0, rules) ==
                  (cases[i].r0 || want1));
            CHECK(rules[0] == ((cases[i].r0 ? 1u : 0u) | (want1 ? 2u : 0u)));
            // text unknown: deferred clauses hold
            CHECK(prefilter_rule_pass(pf, 1, bits, NULL, 0, NULL, 0) ==
                  ((bits[0] & 8) != 0));
        }
    }
    prefilter_free(pf);
}

/* Random gates whose rules share deferred literals: the rule set
 * prefilter_pass_rules() gives (with its per-record memo of deferred
 * literals) is exactly the rules prefilter_rule_pass() passes one by one. */
static void test_rule_sets(void)
{
    static const char *const words[] = {"ab", "ba", "cab", "abc",
                                        "bb", "ca", "acb", "bca"};
    const size_t nw = sizeof words / sizeof *words;
    int records = 0, passing = 0, bad = 0;
    for (int round = 0; round < 300; round++) {
        prefilter *pf = NULL;
        CHECK(prefilter_new(words, nw, &pf) == EXH_OK);
        if (!pf)
            break;
        // up to 6 rules of 1 searched clause and up to 2 deferred ones,
        // each clause 1 or 2 literals
        size_t rules = 1 + rnd() % 6, rule_at[8], clause_at[32], nc = 0, ne = 0;
        uint32_t ids[64];
        const char *texts[64];
        for (size_t k = 0; k < rules; k++) {
            rule_at[k] = nc;
            size_t clauses = 1 + rnd() % 3;
            for (size_t j = 0; j < clauses; j++) {
                clause_at[nc++] = ne;
                size_t lits = 1 + rnd() % 2;
                for (size_t e = 0; e < lits; e++) {
                    size_t w = rnd() % nw;
                    ids[ne] = (uint32_t)w;
                    texts[ne++] = j ? words[w] : NULL; // j > 0: deferred
                }
            }
        }
        rule_at[rules] = nc;
        clause_at[nc] = ne;
        CHECK(prefilter_set_gate(pf, rules, rule_at, clause_at, ids, texts,
                                 false) == EXH_OK);
        for (int t = 0; t < 20; t++) {
            char text[24];
            size_t n = 4 + rnd() % 16;
            for (size_t i = 0; i < n; i++)
                text[i] = "abc,"[rnd() % 4];
            uint64_t bits[1] = {0}, set[1] = {~0ull};
            prefilter_bits(pf, text, n, false, bits);
            bool any = prefilter_pass_rules(pf, bits, text, n, text, n, set);
            uint64_t want = 0;
            for (size_t k = 0; k < rules; k++) {
                if (prefilter_rule_pass(pf, k, bits, text, n, text, n))
                    want |= 1ull << k;
            }
            records++;
            passing += want != 0;
            if ((set[0] != want || any != (want != 0)) && bad++ < 5)
                fprintf(stderr, "  rule set: round %d '%.*s'\n", round, (int)n,
                        text);
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
    CHECK(passing > records / 10 && passing < records);
    printf("rule sets: %d records, %d passing some rule, %d bad\n", records,
           passing, bad);
}

/* prefilter_bits() on one CSV record with quoted values: a field sequence
 * holds only inside one value, read quote by quote as the reader does. */
/* A percent-decoded record searched only around its decoded escapes
 * (prefilter_bits_near()) adds the literals a search of the whole decoded
 * record adds to the raw record's: random literals, field sequences among
 * them, and random lines with some bytes written as %XX. */
static void test_bits_near(void)
{
    static const char wide[] = "abcd~/.,ABCD";
    int lines = 0, searched = 0, added = 0, bad = 0;
    for (int round = 0; round < 2000; round++) {
        char store[8][12];
        const char *lits[8];
        size_t count = random_seq_lits(store, lits, 8, wide, 2, 2);
        prefilter *pf = NULL;
        CHECK(prefilter_new(lits, count, &pf) == EXH_OK);
        if (!pf)
            break;
        for (int line = 0; line < 20; line++) {
            char dec[80], raw[240];
            size_t marks[80], nm = 0, dl = 20 + rnd() % 60, rl = 0;
            for (size_t i = 0; i < dl; i++) {
                dec[i] = wide[rnd() % (sizeof wide - 1)];
                if (dec[i] != ',' && rnd() % 6 == 0) {
                    rl += (size_t)snprintf(raw + rl, 4, "%%%02X",
                                           (unsigned char)dec[i]);
                    marks[nm++] = i;
                } else {
                    raw[rl++] = dec[i];
                }
            }
            uint64_t want[1] = {0}, got[1] = {0};
            prefilter_bits(pf, raw, rl, false, want);
            got[0] = want[0];
            prefilter_bits(pf, dec, dl, false, want);
            lines++;
            if (!prefilter_bits_near(pf, dec, dl, marks, nm, got))
                continue;
            searched++;
            added += want[0] != got[0] || nm == 0 ? 0 : (want[0] != 0);
            if (want[0] != got[0] && bad++ < 5)
                fprintf(stderr, "  near: round %d '%.*s'\n", round, (int)dl,
                        dec);
        }
        prefilter_free(pf);
    }
    CHECK(bad == 0);
#ifdef EXH_HAVE_HYPERSCAN
    CHECK(searched == lines && added > 1000);
#endif
    printf("decoded near escapes: %d lines, %d searched near, %d bad\n", lines,
           searched, bad);
}

/* The bounds of a CSV value as a byte-by-byte reading of quotes finds
 * them (the reader's rules: a quote opens a value only at its start, '""'
 * inside is a quote, text after the closing quote belongs to the value). */
static bool bounds_ref(const char *t, size_t len, size_t pos, size_t *fs,
                       size_t *fe)
{
    enum { START, PLAIN, QUOTED, CLOSED } st = START;
    size_t begin = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (st == QUOTED) {
            st = c == '"' ? CLOSED : QUOTED;
            continue;
        }
        if (st == CLOSED && c == '"') {
            st = QUOTED;
            continue;
        }
        if (c == ',' || c == '\n') {
            if (pos >= begin && pos < i) {
                *fs = begin;
                *fe = i;
                return true;
            }
            begin = i + 1;
            st = START;
            continue;
        }
        if (st == START)
            st = c == '"' ? QUOTED : PLAIN;
        else if (st == CLOSED)
            st = PLAIN;
    }
    if (st == QUOTED)
        return false;
    *fs = begin;
    *fe = len;
    return pos >= begin;
}

/* prefilter_csv_bounds() against bounds_ref() at every offset of random
 * texts of quotes, commas and line ends, short and longer than its 16-byte
 * steps. */
static void test_csv_bounds(void)
{
    static const char alphabet[] = "ab\",\nxyz,\"";
    int bad = 0, found = 0, tried = 0;
    for (int round = 0; round < 3000; round++) {
        char t[96];
        size_t len = rnd() % sizeof t;
        for (size_t i = 0; i < len; i++)
            t[i] = alphabet[rnd() % (sizeof alphabet - 1)];
        for (size_t pos = 0; pos < len; pos++) {
            size_t fs = 0, fe = 0, rs = 0, re = 0;
            bool got = prefilter_csv_bounds(t, len, pos, &fs, &fe);
            bool want = bounds_ref(t, len, pos, &rs, &re);
            tried++;
            found += want;
            if ((got != want || (want && (fs != rs || fe != re))) && bad++ < 5)
                fprintf(stderr, "  csv bounds: round %d at %zu\n", round, pos);
        }
    }
    CHECK(bad == 0);
    CHECK(found > tried / 4 && found < tried);
    printf("csv bounds: %d offsets, %d in a value, %d bad\n", tried, found,
           bad);
}

static void test_quoted_sequence(void)
{
    const char *lits[] = {"server~\x1f/\x1f~"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    if (!pf)
        return;
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        {"a,\"x,y\",Server~host~1,z", false},
        {"a,\"x,y\",Server~a/b~c,z", true},
        {"a,\"Server~a,/b~c\",z", true},     // commas inside quotes
        {"a,\"Server~a\"\",/b~c\",z", true}, // a doubled quote
        {"a,Server~a,\"/b~\"", false},       // runs in two values
        {"a,\"Server~a\",\"/b~\"", false},   // likewise, both quoted
        {"a,\"Server~a\"x/b~,z", true},      // text after the closing quote
        {"a,\"Server~a,/b", true},           // open quote: the run alone
        {"a,\"q\",/b~c,Server~a,z", false},  // the later runs come first
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t bits[1] = {0};
        prefilter_bits(pf, cases[i].text, strlen(cases[i].text), false, bits);
        if ((bits[0] != 0) != cases[i].want)
            fprintf(stderr, "  quoted sequence: '%s'\n", cases[i].text);
        CHECK((bits[0] != 0) == cases[i].want);
    }
    prefilter_free(pf);
}

/* A field sequence in space-separated records (IIS): every run in one
 * value between spaces. */
static void test_space_sequence(void)
{
    const char *lits[] = {"/owa/auth/\x1f.aspx"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    if (!pf)
        return;
    prefilter_set_separator(pf, ' ');
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        {"2021-03-02 04:12:33 10.0.0.5 POST /owa/auth/x.aspx - 443", true},
        {"GET /OWA/AUTH/logon.ASPX - 443", true},
        {"GET /owa/auth/x.js a=.aspx 443", false},
        {"GET /owa/auth/x.js 443 -\nGET /y.aspx - 443", false},
        {"GET /owa/auth/a,b.aspx - 443", true}, // ',' is no separator
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = strlen(cases[i].text);
        uint64_t bits[1] = {0};
        prefilter_bits(pf, cases[i].text, n, false, bits);
        bool any = prefilter_any(pf, cases[i].text, n);
        if (any != cases[i].want || (bits[0] != 0) != cases[i].want)
            fprintf(stderr, "  space sequence: '%s'\n", cases[i].text);
        CHECK(any == cases[i].want && (bits[0] != 0) == cases[i].want);
        // loose: the search run alone
        bits[0] = 0;
        prefilter_bits(pf, cases[i].text, n, true, bits);
        CHECK(bits[0] == 1);
    }
    prefilter_free(pf);
}

typedef struct worker {
    const prefilter *pf;
    const char *yes, *no;
    int bad;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 20000; i++) {
        if (!prefilter_any(w->pf, w->yes, strlen(w->yes)))
            w->bad++;
        if (prefilter_any(w->pf, w->no, strlen(w->no)))
            w->bad++;
    }
    return NULL;
}

/* Many literals (the Hyperscan path where built with it) from threads. */
static void test_threads(void)
{
    static const char *lits[] = {"serverinfo~",
                                 "x-beresource",
                                 "/ecp/y.js",
                                 "autodiscover.json",
                                 "powershell",
                                 "__viewstate=",
                                 "set-oabvirtualdirectory",
                                 "new-mailboxexportrequest",
                                 "x-rps-cat",
                                 "/owa/auth/",
                                 "reset",
                                 "backendcookie",
                                 "<script",
                                 "%2fpowershell",
                                 "china chopper",
                                 "qwertyuiop",
                                 "jndi:"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, sizeof lits / sizeof lits[0], &pf) == EXH_OK);
    if (!pf)
        return;
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){pf, "2021-03-02T04:12:33Z,POST,/Ecp/Y.JS,200",
                        "2021-03-02T04:12:33Z,GET,/owa/,200", 0};
        CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].bad == 0);
    }
    prefilter_free(pf);
}

/* 100 MB of HttpProxy-like lines (field layout of the Owa HttpProxy
 * sample in ../shared/data/exchange-logs), one in 10,000 a ProxyLogon
 * SSRF row when inject is set. Returns the buffer and sets *lines to the
 * line count. */
static char *make_log(size_t size, size_t *lines, bool inject)
{
    static const char *stems[] = {"/owa/",
                                  "/ecp/",
                                  "/mapi/emsmdb/",
                                  "/EWS/Exchange.asmx",
                                  "/Microsoft-Server-ActiveSync",
                                  "/autodiscover/autodiscover.xml"};
    static const char *agents[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML  like Gecko) Chrome/62.0.3202.62 Safari/537.36",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook "
        "16.0.5266; Pro)",
        "Apple-iPhone9C1/1803.18"};
    char *b = malloc(size + 4096);
    if (!b)
        return NULL;
    size_t n = 0;
    *lines = 0;
    while (n < size) {
        unsigned r = rnd();
        const char *anchor = (inject && *lines % 10000 == 7777)
                                 ? "ServerInfo~a]@exch01.corp.local:444/"
                                   "autodiscover/autodiscover.xml?#"
                                 : "Smtp~jane.doe@corp.example";
        int w = snprintf(
            b + n, 4096,
            "2021-03-02T04:%02u:%02u.%03uZ,%08x-57a3-4538-ba98-4bafdfee%04x,"
            "15,1,2176,2,,Owa,mail.corp.example,%s,,Negotiate,true,"
            "CORP\\jdoe,,%s,%s,10.1.%u.%u,EXCH01,200,200,,POST,Proxy,"
            "exch01.corp.local,15.01.2176.000,Local,Mailbox,,,,0,1234,,,"
            "0,6,,0,,0,,0,0,,0,29,0,,,,21,1,0,0,,0,29,0,23,7,8,8,29,,,,"
            "BeginRequest=2021-03-02T04:12:33.406Z;CorrelationID=<empty>;"
            "ProxyState-Run=None;FEAuth=BEVersion-1942063431;"
            "EndRequest=2021-03-02T04:12:33.435Z;,,,,,,\r\n",
            r % 60, (r >> 6) % 60, (r >> 12) % 1000, r, (r >> 3) & 0xffff,
            stems[r % 6], anchor, agents[(r >> 9) % 3], (r >> 4) % 256,
            (r >> 12) % 256);
        n += (size_t)w;
        (*lines)++;
    }
    b[n] = 0;
    return b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Filters every line (offsets in starts, lines + 1 of them); returns the
 * lines that pass. */
static size_t per_line(const prefilter *pf, const char *b, const size_t *starts,
                       size_t lines)
{
    size_t pass = 0;
    for (size_t i = 0; i < lines; i++)
        pass += prefilter_any(pf, b + starts[i], starts[i + 1] - starts[i] - 1);
    return pass;
}

typedef struct corpus {
    char *text;     /* with one SSRF row in 10,000 */
    char *clean;    /* the same without them */
    size_t *starts; /* line offsets in text, lines + 1 */
    size_t lines, len;
} corpus;

static void bench(const char *name, const char *const *lits, size_t count,
                  const corpus *c, size_t want)
{
    prefilter *pf = NULL;
    if (prefilter_new(lits, count, &pf) != EXH_OK)
        return;
    double t0 = now();
    size_t pass = per_line(pf, c->text, c->starts, c->lines);
    double t1 = now();
    bool whole = prefilter_any(pf, c->clean, c->len);
    double t2 = now();
    printf("  %-28s per line %6.0f MB/s (%zu pass), whole buffer %6.0f "
           "MB/s (%s)\n",
           name, (double)c->len / 1e6 / (t1 - t0), pass,
           (double)c->len / 1e6 / (t2 - t1), whole ? "hit" : "no hit");
    if (want != (size_t)-1)
        CHECK(pass == want && !whole);
    prefilter_free(pf);
}

static void test_speed(void)
{
    corpus c;
    uint64_t seed = rng_state;
    c.text = make_log(BENCH_BYTES, &c.lines, true);
    size_t clean_lines;
    rng_state = seed;
    c.clean = make_log(BENCH_BYTES, &clean_lines, false);
    c.starts = malloc((c.lines + 1) * sizeof *c.starts);
    if (!c.text || !c.clean || !c.starts)
        return;
    c.len = strlen(c.clean);
    size_t k = 0;
    c.starts[k++] = 0;
    for (const char *p = c.text; (p = strchr(p, '\n')) != NULL; p++)
        c.starts[k++] = (size_t)(p + 1 - c.text);
    size_t ssrf = (c.lines + 2222) / 10000;
    printf("throughput over %zu MB, %zu lines:\n", c.len >> 20, c.lines);
    const char *one[] = {"serverinfo~"};
    bench("1 literal (serverinfo~)", one, 1, &c, ssrf);
    const char *few[] = {"serverinfo~", "x-beresource", "/ecp/y.js",
                         "autodiscover.json"};
    bench("4 literals", few, 4, &c, ssrf);
    const char *many[] = {"serverinfo~",
                          "x-beresource",
                          "/ecp/y.js",
                          "autodiscover.json",
                          "x-rps-cat",
                          "__viewstate=",
                          "set-oabvirtualdirectory",
                          "new-mailboxexportrequest",
                          "%2fpowershell",
                          "/owa/auth/x",
                          "china chopper",
                          "qwertyuiop",
                          "jndi:",
                          "<script",
                          "reset~",
                          "backendcookie=",
                          "/aspnet_client/",
                          "cmd.exe",
                          "whoami",
                          "powershell -e"};
    bench("20 literals", many, 20, &c, ssrf);
    const char *common[] = {"mozilla"};
    bench("1 common literal (mozilla)", common, 1, &c, (size_t)-1);
    free(c.text);
    free(c.clean);
    free(c.starts);
}

/* Field sequences: the runs of a glob in order within one unquoted CSV
 * value; a record with a quote is judged by the longest run. */
static void test_field_sequences(void)
{
    const char *lits[] = {"server~\x1f/\x1f~"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    if (!pf)
        return;
    const char *benign = "x,Server~host.example~1942063431~2023-01-11,/owa/";
    const char *exploit = "x,Server~a]@h:444/ecp/y.js?~1942062522,/owa/";
    const char *quoted = "x,\"Server~a,b/ecp~1\",/owa/";
    const char *far = "x,Server~a,/b~c";
    CHECK(prefilter_any(pf, exploit, strlen(exploit)));
    CHECK(prefilter_find(pf, exploit, strlen(exploit)) != SIZE_MAX);
    CHECK(prefilter_any(pf, quoted, strlen(quoted)));
    char longest[] = "server~\x1f/";
    char *run = prefilter_longest_run(longest);
    CHECK_STR(run, "server~");
    free(run);
    // Both paths (Hyperscan and portable) check the runs strictly: they
    // must stand in one unquoted value.
    CHECK(!prefilter_any(pf, benign, strlen(benign)));
    CHECK(!prefilter_any(pf, far, strlen(far)));
    size_t at = prefilter_find(pf, exploit, strlen(exploit));
    CHECK(at >= 2 && at < strlen(exploit));
    prefilter_free(pf);

    // The run searched for ('server~', rarest byte) is not the first: the
    // runs before it must stand before it in the same value.
    const char *mid[] = {"ab\x1f"
                         "server~\x1f"
                         "cd"};
    CHECK(prefilter_new(mid, 1, &pf) == EXH_OK);
    if (!pf)
        return;
    const char *in_order = "x,AB-Server~-cd,y";
    const char *ab_after = "x,server~-cd-ab,y";
    const char *split = "x,ab,server~cd,y";
    CHECK(prefilter_any(pf, in_order, strlen(in_order)));
    CHECK(!prefilter_any(pf, ab_after, strlen(ab_after)));
    CHECK(!prefilter_any(pf, split, strlen(split)));
    prefilter_free(pf);
}

/* ---- field clauses (IIS): random logs against the rules themselves ----- */

/* Rules whose clauses bind literals to fields: two adjacent fields, a
 * negative list of stock pages, an OR sharing a field, a regex, "all",
 * a field the reader rebuilds from raw spaces (no clause), a raw column
 * name, a cased filter (no negative clause), a decoded URI and a glob. */
static const char field_rules[] =
    "title: F adjacent\nname: f_adjacent\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n"
    "    cs-uri-stem|endswith: '/ecp/DDI/DDIService.svc/SetObject'\n"
    "    cs-uri-query|contains: 'schema=ResetOABVirtualDirectory'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F stock\nname: f_stock\n"
    "logsource: {category: webserver}\n"
    "detection:\n  page:\n    cs-uri-stem: '/owa/auth/*.aspx'\n"
    "  stock:\n    cs-uri-stem:\n      - '/owa/auth/logon.aspx'\n"
    "      - '/owa/auth/logoff.aspx'\n"
    "  nf:\n    sc-status: 404\n"
    "  condition: page and not (stock or nf)\nlevel: high\n"
    "---\n"
    "title: F or\nname: f_or\n"
    "logsource: {category: webserver}\n"
    "detection:\n  a:\n    sc-status: 401\n"
    "    cs-uri-query|contains: 'json?@'\n"
    "  b:\n    sc-status: 403\n"
    "    cs-uri-stem|contains: '/autodiscover.json'\n"
    "  condition: a or b\nlevel: high\n"
    "---\n"
    "title: F re\nname: f_re\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-uri-query|re: 'exec_code=[a-z]+'\n"
    "    cs-method: 'POST'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F all\nname: f_all\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-username|contains|all:\n"
    "      - 'admin'\n      - 'contoso'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F agent\nname: f_agent\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    c-ip|startswith: '203.0.113.'\n"
    "    cs-user-agent|contains: 'evil a'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F referer\nname: f_referer\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs(Referer)|contains: 'evil'\n"
    "    cs-method: 'GET'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F cased\nname: f_cased\n"
    "logsource: {category: webserver}\n"
    "detection:\n  page:\n    cs-uri-stem|endswith: 'y.asmx'\n"
    "  stock:\n    cs-uri-stem|cased: '/OWA/y.asmx'\n"
    "  condition: page and not stock\nlevel: high\n"
    "---\n"
    "title: F decoded\nname: f_decoded\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-uri-stem|contains: '/ecp/y.js'\n"
    "    sc-status: 200\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F glob\nname: f_glob\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-uri-stem: '*/owa/*logon*'\n"
    "    cs-method: 'GET'\n"
    "  condition: sel\nlevel: high\n"
    "---\n"
    "title: F whole URI\nname: f_whole\n"
    "logsource: {category: webserver}\n"
    "detection:\n  sel:\n    cs-uri-query|contains: '/powershell'\n"
    "  condition: sel\nlevel: high\n";

/* Pieces of values: the rules' literals, near misses and escapes. */
static const char *const field_tokens[] = {"/ecp/DDI/DDIService.svc/SetObject",
                                           "/ecp/ddi/ddiservice.svc/",
                                           "SetObject",
                                           "schema=ResetOABVirtualDirectory",
                                           "schema=",
                                           "/owa/auth/",
                                           "logon.aspx",
                                           "/owa/auth/logon.aspx",
                                           "/owa/auth/logoff.aspx",
                                           "x.aspx",
                                           ".aspx",
                                           "/OWA/auth/x.aspx",
                                           "y.asmx",
                                           "/OWA/y.asmx",
                                           "401",
                                           "403",
                                           "404",
                                           "200",
                                           "40",
                                           "1",
                                           "/autodiscover.json",
                                           "json?@",
                                           "@",
                                           "exec_code=",
                                           "whoami",
                                           "/powershell",
                                           "POST",
                                           "GET",
                                           "admin",
                                           "contoso",
                                           "203.0.113.",
                                           "9",
                                           "evil",
                                           "+a",
                                           "/ecp/%79.js",
                                           "/ecp/y.js",
                                           "%2F",
                                           "%252F",
                                           "%2f%6fwa",
                                           "-",
                                           "%20",
                                           "?",
                                           "a"};

static void field_value(char *out, size_t size)
{
    size_t n = 1 + rnd() % 3, o = 0;
    bool upper = rnd() % 5 == 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *t =
            field_tokens[rnd() % (sizeof field_tokens / sizeof *field_tokens)];
        for (; *t && o + 1 < size; t++)
            out[o++] = upper && *t >= 'a' && *t <= 'z' ? (char)(*t - 32) : *t;
    }
    out[o] = '\0';
}

/* A random IIS log: several "#Fields:" directives of shuffled, partial and
 * sometimes repeated field sets; rows with raw spaces in the user agent,
 * short rows and extra values. */
static size_t field_log(char *text, size_t size)
{
    static const char *const fields[] = {
        "s-ip",        "cs-method",   "cs-uri-stem", "cs-uri-query",
        "s-port",      "cs-username", "c-ip",        "cs(User-Agent)",
        "cs(Referer)", "sc-status",   "time-taken",  "cs-uri-stem",
        "sc-substatus"};
    const size_t nf = sizeof fields / sizeof *fields;
    // Rows each rule matches in the default field order, whatever the
    // random ones hold: the cases a careless clause would drop.
    size_t len = (size_t)snprintf(
        text, size,
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
        "cs-username c-ip cs(User-Agent) cs(Referer) sc-status time-taken\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /owa/y.asmx - 443 - 10.0.0.9 "
        "curl - 200 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /owa/auth/z.aspx - 443 - 10.0.0.9 "
        "curl -\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /owa/auth/logon.aspxx.aspx - 443 - "
        "10.0.0.9 curl - 200 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /x json?@a 443 - 10.0.0.9 curl - "
        "401 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /autodiscover.json - 443 - 10.0.0.9 "
        "curl - 403 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /ecp/%%79.js - 443 - 10.0.0.9 curl "
        "- 200 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /ecp/DDI/DDIService.svc/SetObject "
        "schema=ResetOABVirtualDirectory 443 - 10.0.0.9 curl - 200 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 GET /y - 443 - 203.0.113.9 evil a b - "
        "200 1\r\n"
        "2021-03-02 04:12:33 10.0.0.5 POST /powershell a=1 443 - 10.0.0.9 curl "
        "- 200 1\r\n");
    while (len + 8192 < size) {
        const char *hdr[16];
        size_t h = 0;
        hdr[h++] = "date";
        hdr[h++] = "time";
        for (size_t i = 0; i < nf; i++) {
            if (rnd() % 7 != 0 && (i != nf - 2 || rnd() % 8 == 0))
                hdr[h++] = fields[i];
        }
        for (size_t i = h - 1; i > 2; i--) { // shuffle all but date
            size_t j = 1 + rnd() % i;
            const char *t = hdr[i];
            hdr[i] = hdr[j];
            hdr[j] = t;
        }
        len += (size_t)snprintf(text + len, size - len, "#Fields:");
        for (size_t i = 0; i < h; i++)
            len += (size_t)snprintf(text + len, size - len, " %s", hdr[i]);
        len += (size_t)snprintf(text + len, size - len, "\r\n");
        for (int row = 0, rows = 5 + (int)(rnd() % 30); row < rows; row++) {
            size_t cols = h;
            unsigned shape = rnd() % 16;
            if (shape == 0 && cols > 3)
                cols--; // a short row
            for (size_t i = 0; i < cols + (shape == 1); i++) {
                char v[160];
                const char *name = i < h ? hdr[i] : "";
                if (strcmp(name, "date") == 0)
                    snprintf(v, sizeof v, "2021-03-02");
                else if (strcmp(name, "time") == 0)
                    snprintf(v, sizeof v, "04:12:%02u", rnd() % 60);
                else
                    field_value(v, sizeof v);
                if (strcmp(name, "cs(User-Agent)") == 0 && shape == 2)
                    snprintf(v + strlen(v), sizeof v - strlen(v), " evil a");
                len += (size_t)snprintf(text + len, size - len, "%s%s",
                                        i ? " " : "", v);
            }
            len += (size_t)snprintf(text + len, size - len, "\r\n");
        }
    }
    return len;
}

/* A random HttpProxy log: "#Fields:" directives of shuffled, partial and
 * sometimes repeated columns (rules name them by their webserver aliases);
 * rows with quoted values holding commas and quotes, short rows and extra
 * values. */
static size_t field_csv_log(char *text, size_t size)
{
    static const char *const fields[] = {
        "Method",          "UrlStem",      "UrlQuery",          "HttpStatus",
        "ClientIpAddress", "UserAgent",    "AuthenticatedUser", "UrlHost",
        "UrlStem",         "BackEndCookie"};
    const size_t nf = sizeof fields / sizeof *fields;
    size_t len = (size_t)snprintf(
        text, size,
        "#Software: Microsoft Exchange Server\r\n"
        "#Fields: DateTime,Method,UrlStem,UrlQuery,HttpStatus,ClientIpAddress,"
        "UserAgent,AuthenticatedUser,UrlHost\r\n"
        "2021-03-02T04:12:33.100Z,GET,/owa/auth/z.aspx,a=1,200,10.0.0.9,curl,,"
        "x\r\n"
        "2021-03-02T04:12:33.100Z,GET,/x,json?@a,401,10.0.0.9,curl,,x\r\n"
        "2021-03-02T04:12:33.100Z,GET,\"/owa/auth/a,b.aspx\",,200,10.0.0.9,"
        "curl,,x\r\n"
        "2021-03-02T04:12:33.100Z,GET,/ecp/%%79.js,,200,10.0.0.9,curl,,x\r\n"
        "2021-03-02T04:12:33.100Z,POST,/y,exec_code=abc,200,10.0.0.9,curl,,"
        "x\r\n"
        "2021-03-02T04:12:33.100Z,GET,/y,,200,203.0.113.9,\"evil a, b\",,x"
        "\r\n");
    while (len + 8192 < size) {
        const char *hdr[16];
        size_t h = 0;
        hdr[h++] = "DateTime";
        for (size_t i = 0; i < nf; i++) {
            if (rnd() % 6 != 0 && (i != nf - 2 || rnd() % 8 == 0))
                hdr[h++] = fields[i];
        }
        for (size_t i = h - 1; i > 1; i--) { // shuffle all but DateTime
            size_t j = 1 + rnd() % i;
            const char *t = hdr[i];
            hdr[i] = hdr[j];
            hdr[j] = t;
        }
        len += (size_t)snprintf(text + len, size - len, "#Fields: ");
        for (size_t i = 0; i < h; i++)
            len += (size_t)snprintf(text + len, size - len, "%s%s",
                                    i ? "," : "", hdr[i]);
        len += (size_t)snprintf(text + len, size - len, "\r\n");
        for (int row = 0, rows = 5 + (int)(rnd() % 30); row < rows; row++) {
            size_t cols = h;
            unsigned shape = rnd() % 12;
            if (shape == 0 && cols > 3)
                cols--; // a short row
            for (size_t i = 0; i < cols + (shape == 1); i++) {
                char v[160], q[400];
                const char *name = i < h ? hdr[i] : "";
                if (strcmp(name, "DateTime") == 0)
                    snprintf(v, sizeof v, "2021-03-02T04:12:%02u.000Z",
                             rnd() % 60);
                else
                    field_value(v, sizeof v);
                const char *out = v;
                unsigned quote = rnd() % 8;
                if (quote < 2) { // a quoted value, with a comma or a quote
                    size_t o = 0;
                    q[o++] = '"';
                    for (const char *c = v; *c; c++) {
                        if (rnd() % 6 == 0)
                            q[o++] = ',';
                        if (quote == 1 && rnd() % 8 == 0) {
                            q[o++] = '"';
                            q[o++] = '"';
                        }
                        q[o++] = *c;
                    }
                    q[o++] = '"';
                    q[o] = '\0';
                    out = q;
                } else if (quote == 2 && shape == 2) {
                    snprintf(q, sizeof q, "%s,%s", v, v); // an extra value
                    out = q;
                }
                len += (size_t)snprintf(text + len, size - len, "%s%s",
                                        i ? "," : "", out);
            }
            len += (size_t)snprintf(text + len, size - len, "\r\n");
        }
    }
    return len;
}

static ssize_t file_read(stream *s, void *dst, size_t len)
{
    size_t n = fread(dst, 1, len, (FILE *)s->ctx);
    return (ssize_t)n;
}

typedef struct field_check {
    const exh_ruleset *rs;
    const family_rules *fr;
    size_t records, matched, wrong, cut;
} field_check;

static bool check_fields(void *user, csvlog *reader, const logrec *r)
{
    field_check *fc = user;
    fc->records++;
    if (r->bits && !r->maybe &&
        prefilter_pass(fc->fr->pf, r->bits, r->text, r->len, r->dec,
                       r->dec_len))
        fc->cut++; // the literals alone would have let it through
    const event *ev = csvlog_event(reader, r);
    bool any = false;
    for (size_t i = 0; i < fc->fr->count; i++) {
        const sigma_rule *rule = fc->rs->rules[fc->fr->idx[i]].sigma;
        if (!sigma_match(rule, ev, NULL, 0, NULL))
            continue;
        any = true;
        // The scanner runs only the rules the reader left in r->rules.
        bool kept = r->maybe && (!r->bits || !r->rules ||
                                 (r->rules[i / 64] >> (i % 64) & 1));
        if (!kept)
            fprintf(stderr, "  field clauses drop a match of %s: %.*s\n",
                    sigma_rule_meta(rule)->name, (int)r->len, r->text);
        fc->wrong += !kept;
    }
    fc->matched += any;
    return true;
}

/* The field rules, loaded from a file of their own; NULL on failure. */
static exh_ruleset *load_field_rules(void)
{
    char dir[] = "/tmp/exh-test-prefilter-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(false);
        return NULL;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/f.yml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(field_rules, f);
        fclose(f);
    }
    const char *paths[] = {dir};
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(paths, 1, EXH_LOAD_NO_BUILTIN, &rs, &diag) ==
          EXH_OK);
    CHECK(exh_diag_count(diag) == 0);
    exh_diag_free(diag);
    unlink(path);
    rmdir(dir);
    return rs;
}

/* Reads random logs of family fam (made by make) with the field rules,
 * each record checked by check_fields. */
static void field_clauses_in(log_family fam, const char *what,
                             size_t (*make)(char *, size_t))
{
    exh_ruleset *rs = load_field_rules();
    const family_rules *fr = rs ? &rs->fam[fam] : NULL;
    CHECK(fr && fr->count == 11 && fr->pf);
    CHECK(fr && fr->pf && prefilter_field_clauses(fr->pf) >= 12);
    if (!fr || !fr->pf) {
        exh_ruleset_free(rs);
        return;
    }
    static char text[1 << 18];
    field_check fc = {rs, fr, 0, 0, 0, 0};
    for (int round = 0; round < 4; round++) {
        size_t len = make(text, sizeof text);
        csvlog *r = NULL;
        CHECK(csvlog_new(fam, 4096, &r) == EXH_OK);
        if (!r)
            break;
        csvlog_set_prefilter(r, fr->pf, fr->decode);
        FILE *mf = fmemopen(text, len, "r");
        CHECK(mf != NULL);
        if (!mf) {
            csvlog_free(r);
            break;
        }
        stream s = {.read = file_read, .ctx = mf};
        csvlog_stats st;
        CHECK(csvlog_read(r, &s, check_fields, &fc, &st) == EXH_OK);
        fclose(mf);
        csvlog_free(r);
    }
    printf("field clauses (%s): %zu records, %zu matched, %zu dropped "
           "wrongly, %zu cut by field clauses\n",
           what, fc.records, fc.matched, fc.wrong, fc.cut);
    CHECK(fc.wrong == 0);
    CHECK(fc.matched >= 100); // the rules do match: the test can fail
    CHECK(fc.cut >= 100);     // and the field clauses cut records
    exh_ruleset_free(rs);
}

/* The rule of the field rules named name: its index among family fr's. */
static size_t rule_index(const exh_ruleset *rs, const family_rules *fr,
                         const char *name)
{
    for (size_t i = 0; i < fr->count; i++) {
        if (strcmp(sigma_rule_meta(rs->rules[fr->idx[i]].sigma)->name, name) ==
            0)
            return i;
    }
    return SIZE_MAX;
}

/* Whether prefilter_pass_fields() keeps rule `rule` for a CSV row of
 * `columns` one-letter values in which value `at` is `value` and value
 * `other` is `elsewhere` (other SIZE_MAX: none), with every field clause's
 * field in column `at`. */
static bool keeps(const family_rules *fr, size_t rule, size_t columns,
                  size_t at, const char *value, size_t other,
                  const char *elsewhere)
{
    static char row[4096];
    size_t len = 0;
    for (size_t c = 0; c < columns; c++) {
        const char *v = c == at ? value : c == other ? elsewhere : "x";
        len += (size_t)snprintf(row + len, sizeof row - len, "%s%s",
                                c ? "," : "", v);
    }
    size_t cols[64];
    size_t n = prefilter_field_clauses(fr->pf);
    CHECK(n <= 64);
    for (size_t j = 0; j < n && j < 64; j++)
        cols[j] = at;
    prefilter_layout lay = {
        .cols = cols, .columns = columns, .spread = SIZE_MAX};
    uint64_t rules[4] = {0};
    rules[rule / 64] = 1ull << (rule % 64);
    prefilter_pass_fields(fr->pf, rules, row, len, &lay);
    return rules[rule / 64] >> (rule % 64) & 1;
}

/* prefilter_pass_fields() locates values exactly: a field clause passes
 * on its own value and fails on a neighbour's, a negative one cuts only a
 * whole value, first, last, past the 128 kept starts and at block edges;
 * a row shorter than the field tells nothing. */
static void test_field_values(void)
{
    exh_ruleset *rs = load_field_rules();
    const family_rules *fr = rs ? &rs->fam[FAM_HTTPPROXY] : NULL;
    CHECK(fr && fr->pf);
    if (!fr || !fr->pf) {
        exh_ruleset_free(rs);
        return;
    }
    size_t all = rule_index(rs, fr, "f_all");
    size_t stock = rule_index(rs, fr, "f_stock");
    CHECK(all != SIZE_MAX && stock != SIZE_MAX);
    if (all == SIZE_MAX || stock == SIZE_MAX) {
        exh_ruleset_free(rs);
        return;
    }
    static const size_t ats[] = {0,   1,   7,   15,  16,  17, 74,
                                 126, 127, 128, 129, 150, 199};
    for (size_t k = 0; k < sizeof ats / sizeof *ats; k++) {
        size_t at = ats[k];
        for (size_t columns = at + 1; columns <= at + 3; columns++) {
            size_t next = at + 1 < columns ? at + 1 : at - 1;
            CHECK(
                keeps(fr, all, columns, at, "contoso\\admin", SIZE_MAX, NULL));
            CHECK(!keeps(fr, all, columns, at, "contoso\\", next, "admin"));
            CHECK(!keeps(fr, stock, columns, at, "/owa/auth/logon.aspx",
                         SIZE_MAX, NULL));
            CHECK(keeps(fr, stock, columns, at, "/owa/auth/logon.aspxx",
                        SIZE_MAX, NULL));
            CHECK(keeps(fr, stock, columns, at, "/owa/auth/x.aspx", SIZE_MAX,
                        NULL));
        }
        if (at) // the field's column is past the row's end
            CHECK(keeps(fr, all, at, at, "", SIZE_MAX, NULL));
    }
    exh_ruleset_free(rs);
}

static void test_field_clauses(void)
{
    field_clauses_in(FAM_IIS, "IIS", field_log);
    field_clauses_in(FAM_HTTPPROXY, "HttpProxy", field_csv_log);
}

/* prefilter_escape_matters(): which decoded bytes may add a literal. Then
 * the promise itself, on random records: where no escape matters, the
 * decoded record holds exactly the raw one's literals. */
static void test_escape_matters(void)
{
    // A sequence with '/' in another run, one with '@', a plain literal;
    // rule 0 has a deferred clause "get", rule 2 one "#q".
    const char *lits[] = {"server~\x1f/\x1f~", "/owa/\x1f@\x1f/powershell",
                          "autodiscover.json"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 3, &pf) == EXH_OK);
    if (!pf)
        return;
    size_t rule_at[] = {0, 2, 3, 5};
    size_t clause_at[] = {0, 1, 2, 3, 4, 5};
    uint32_t gids[] = {0, 0, 1, 2, 0};
    const char *texts[] = {NULL, "get", NULL, NULL, "#q"};
    CHECK(prefilter_set_gate(pf, 3, rule_at, clause_at, gids, texts, true) ==
          EXH_OK);
    uint32_t cookie = 0, loose_owa = 1 | PREFILTER_LOOSE, none = 0;
    uint32_t unknown = PREFILTER_UNKNOWN;
    // not known: any byte of any run
    CHECK(prefilter_escape_matters(pf, '@', NULL, 0));
    CHECK(!prefilter_escape_matters(pf, '!', NULL, 0));
    // a search run's byte always
    CHECK(prefilter_escape_matters(pf, 'S', &none, 0));
    CHECK(prefilter_escape_matters(pf, '.', &none, 0));
    // no search run in the record: the others never
    CHECK(!prefilter_escape_matters(pf, '@', &none, 0));
    CHECK(!prefilter_escape_matters(pf, 'g', &none, 0));
    // found sequences: their other runs, the deferred clauses, separators
    CHECK(!prefilter_escape_matters(pf, '@', &cookie, 1));
    CHECK(prefilter_escape_matters(pf, '@', &loose_owa, 1));
    CHECK(prefilter_escape_matters(pf, '/', &cookie, 1));
    CHECK(prefilter_escape_matters(pf, 'G', &cookie, 1)); // "get"
    CHECK(!prefilter_escape_matters(pf, 'G', &loose_owa, 1));
    uint32_t json = 2;
    CHECK(prefilter_escape_matters(pf, '#', &json, 1)); // "#q"
    CHECK(!prefilter_escape_matters(pf, '#', &cookie, 1));
    // whole texts, decoded once or twice as the reader decodes them
    static const struct {
        const char *text;
        bool owa, cookie;
    } texts2[] = {
        {"/a%40b", true, false},    {"/a%2540b", true, false},
        {"%25%34%30", true, false}, {"%%34%30", true, false},
        {"%25%3", false, false},    {"%", false, false},
        {"%4", false, false},       {"%%", false, false},
        {"x%2Fy", true, true},      {"%2523", false, false},
        {"%%2523", false, false},   {"%25%32%33", false, false},
        {"100%", false, false},     {"%7e", true, true},
    };
    for (size_t i = 0; i < sizeof texts2 / sizeof *texts2; i++) {
        const char *t = texts2[i].text;
        bool o = prefilter_decode_matters(pf, t, strlen(t), &loose_owa, 1);
        bool c = prefilter_decode_matters(pf, t, strlen(t), &cookie, 1);
        if (o != texts2[i].owa || c != texts2[i].cookie)
            fprintf(stderr, "  decode matters: '%s' gives %d %d\n", t, o, c);
        CHECK(o == texts2[i].owa && c == texts2[i].cookie);
    }
    CHECK(prefilter_escape_matters(pf, '@', &unknown, 1));
    prefilter_free(pf);

    // The promise, on random records of pieces of the literals, escapes,
    // separators and quotes (only where hits carry their ids: Hyperscan).
    // No escape here decodes to a separator or quote: csvlog.c judges such
    // a record loosely, as decoding moved its values' bounds.
    const char *plits[] = {"server~\x1f/\x1f~", "/owa/\x1f@\x1f/powershell",
                           "autodiscover.json", "ab\037%\037cd"};
    static const char *const pieces[] = {
        "server~", "/owa/", "/powershell", "autodiscover", ".json", "@",  "%40",
        "%2F",     "%2f",   "%5C",         "%25",          "%2540", "/",  "~",
        ",",       "x",     "%73",         "ab",           "cd",    "%",  "\"",
        "%2E",     "%7E",   "%34",         "%30",          "%32",   "%46"};
    pf = NULL;
    CHECK(prefilter_new(plits, 4, &pf) == EXH_OK);
    if (!pf)
        return;
    // rule 0: the cookie sequence and a deferred "@x"; rule 1: the json
    // and a deferred "~~"; rule 2: the "ab%cd" sequence.
    size_t prule_at[] = {0, 2, 4, 5};
    size_t pclause_at[] = {0, 1, 2, 3, 4, 5};
    uint32_t pids[] = {0, 0, 2, 0, 3};
    const char *ptexts[] = {NULL, "@x", NULL, "~~", NULL};
    CHECK(prefilter_set_gate(pf, 3, prule_at, pclause_at, pids, ptexts, true) ==
          EXH_OK);
    size_t checked = 0;
    for (int round = 0; round < 20000; round++) {
        char text[256], dec[256];
        size_t len = 0;
        int n = 1 + (int)(rnd() % 10);
        for (int i = 0; i < n; i++) {
            const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
            size_t pl = strlen(p);
            if (len + pl >= sizeof text)
                break;
            memcpy(text + len, p, pl);
            len += pl;
        }
        text[len] = '\0';
        size_t hits[64];
        uint32_t ids[64];
        bool loose = false;
        size_t upto = 0;
        size_t nh = prefilter_hits(pf, text, len, hits, ids, 64, &loose, &upto);
        if (!loose || upto < len)
            continue;
        bool matters = prefilter_decode_matters(pf, text, len, ids, nh);
        if (matters)
            continue;
        size_t dl = util_url_decode(text, len, dec);
        if (memchr(dec, '%', dl))
            dl = util_url_decode(dec, dl, dec);
        for (int lz = 0; lz < 2; lz++) {
            uint64_t raw[1] = {0}, got[1] = {0};
            prefilter_bits(pf, text, len, lz, raw);
            prefilter_bits(pf, dec, dl, lz, got);
            if ((got[0] & ~raw[0]) != 0)
                fprintf(stderr, "  escape: '%s' -> '%.*s' adds %llx\n", text,
                        (int)dl, dec, (unsigned long long)(got[0] & ~raw[0]));
            CHECK((got[0] & ~raw[0]) == 0);
        }
        // and each rule passes as it would judged on the raw text alone
        uint64_t raw[1] = {0}, both[1] = {0};
        prefilter_bits(pf, text, len, false, raw);
        prefilter_bits(pf, dec, dl, false, both);
        both[0] |= raw[0];
        for (size_t k = 0; k < 3; k++) {
            bool a = prefilter_rule_pass(pf, k, both, text, len, dec, dl);
            bool b = prefilter_rule_pass(pf, k, raw, text, len, text, len);
            if (a != b)
                fprintf(stderr, "  escape: '%s' rule %zu: %d decoded\n", text,
                        k, a);
            CHECK(a == b);
        }
        checked++;
    }
#ifdef EXH_HAVE_HYPERSCAN
    CHECK(checked > 1000);
#endif
    prefilter_free(pf);
}

int main(void)
{
    test_field_sequences();
    test_basic();
    test_random();
    test_hit_ids();
    test_loose_hits();
    test_anchors();
    test_many_literals();
    test_gate();
    test_space_sequence();
    test_field_clauses();
    test_field_values();
    test_quoted_sequence();
    test_csv_bounds();
    test_rule_sets();
    test_bits_near();
    test_escape_matters();
    test_threads();
    test_speed();
    TEST_MAIN_END();
}
