/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prefilter.c - case-insensitive search for any of a set of literals, the
 * gate that keeps records no rule can match from being split into fields.
 *
 * Portable path: each literal is anchored at its rarest byte (by a static
 * table of byte frequencies in Exchange and IIS logs). A pass scans the text
 * for up to four anchor classes at once, 32 bytes at a time with SSE2
 * (comparing byte|0x20, which folds letter case and costs only rare false
 * candidates for other bytes), and verifies the literals of a candidate's
 * class around it. Many classes fall back to one table-driven pass. Builds
 * with EXH_HAVE_HYPERSCAN use a Hyperscan literal database instead for two
 * or more anchor classes (measured 2-3x faster there), with one scratch per
 * thread cached in thread-local storage. The filter itself is immutable.
 */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef EXH_HAVE_HYPERSCAN
#include <hs/hs.h>
#include <pthread.h>
#endif

#define CLASSES_PER_PASS 4 /* anchor classes compared per SIMD pass */
#define MAX_SIMD_PASSES  3 /* beyond this, one table-driven pass */
#define HS_MIN_CLASSES   1 /* anchor classes that make Hyperscan pay */

typedef struct plit {
    unsigned char *text; /* folded to lower case; a sequence's longest run */
    size_t len;
    size_t anchor;      /* offset of the anchor byte in text */
    char *seq;          /* a field sequence's runs, NUL-separated and folded,
                           or NULL for a plain literal */
    size_t seq_len;     /* bytes of seq including the separators */
    size_t anchor_part; /* which run of seq text is */
} plit;

struct prefilter {
    size_t count;
    plit *lits;
    bool always;            /* an empty literal: every text matches */
    size_t *order;          /* literal indexes sorted by anchor class */
    size_t first[257];      /* order[first[c]..first[c+1]): class c */
    unsigned char cls[256]; /* distinct anchor classes (byte | 0x20) */
    size_t cls_count;
    bool table[256]; /* byte -> its class holds an anchor */
    bool used[256];  /* byte -> some search run holds it (either case) */
    bool seqs;       /* some literal is a field sequence */
#ifdef EXH_HAVE_HYPERSCAN
    hs_database_t *db;
    hs_scratch_t *proto; /* cloned into each thread's cache */
    uint64_t serial;     /* identifies this filter in thread caches */
#endif
};

/* Bytes of log text from most to least frequent (measured on Exchange
 * HttpProxy, ECP and IIS samples, letters folded); bytes not listed are
 * rarer still. */
static const char byte_order[] =
    ",0e1tsa2r-o4n3i.d5c7:96p=;8bfmluhgxvzy /_qw~kj[]<>()&%?\\@+|'\"!#$*^`{}";

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Frequency rank of a folded byte: higher is more common. */
static unsigned rank(unsigned char c)
{
    const char *p = memchr(byte_order, c, sizeof byte_order - 1);
    return p ? (unsigned)(sizeof byte_order - (size_t)(p - byte_order)) : 0;
}

/* The offset of the rarest byte of a literal (the last of equals, which
 * keeps candidates near the end of a short text fewer). */
static size_t pick_anchor(const unsigned char *s, size_t len)
{
    size_t best = 0;
    unsigned best_rank = ~0u;
    for (size_t i = 0; i < len; i++) {
        unsigned r = rank(s[i]);
        if (r <= best_rank) {
            best = i;
            best_rank = r;
        }
    }
    return best;
}

#ifdef EXH_HAVE_HYPERSCAN
static atomic_uint_fast64_t hs_serials;

/* Builds the Hyperscan database; false leaves the portable path alone. */
static bool hs_build(prefilter *pf)
{
    const char **exprs = exh_calloc(pf->count, sizeof *exprs);
    size_t *lens = exh_calloc(pf->count, sizeof *lens);
    unsigned *flags = exh_calloc(pf->count, sizeof *flags);
    unsigned *ids = exh_calloc(pf->count, sizeof *ids);
    bool ok = false;
    if (exprs && lens && flags && ids) {
        // Every hit is reported (no HS_FLAG_SINGLEMATCH): a field
        // sequence's hit that fails the strict check must not hide the next
        // one, and prefilter_hits() wants them all.
        for (size_t i = 0; i < pf->count; i++) {
            exprs[i] = (const char *)pf->lits[i].text;
            lens[i] = pf->lits[i].len;
            flags[i] = HS_FLAG_CASELESS;
            ids[i] = (unsigned)i;
        }
        hs_compile_error_t *err = NULL;
        if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)pf->count,
                                 HS_MODE_BLOCK, NULL, &pf->db,
                                 &err) == HS_SUCCESS) {
            ok = hs_alloc_scratch(pf->db, &pf->proto) == HS_SUCCESS;
        } else {
            hs_free_compile_error(err);
        }
    }
    if (!ok) {
        hs_free_database(pf->db);
        pf->db = NULL;
    }
    pf->serial = atomic_fetch_add(&hs_serials, 1) + 1;
    exh_free(exprs);
    exh_free(lens);
    exh_free(flags);
    exh_free(ids);
    return ok;
}

/* Per thread: scratch clones of the last few filters used. */
#define HS_SLOTS 4
typedef struct hs_slot {
    uint64_t serial;
    hs_scratch_t *scratch;
} hs_slot;
static _Thread_local hs_slot hs_cache[HS_SLOTS];
static pthread_once_t hs_once = PTHREAD_ONCE_INIT;
static pthread_key_t hs_key;
static bool hs_key_ok;

static void hs_cache_free(void *p)
{
    hs_slot *slots = p;
    for (size_t i = 0; i < HS_SLOTS; i++) {
        hs_free_scratch(slots[i].scratch);
        slots[i].scratch = NULL;
        slots[i].serial = 0;
    }
}

static void hs_key_init(void)
{
    hs_key_ok = pthread_key_create(&hs_key, hs_cache_free) == 0;
}

/* This thread's scratch for pf, or NULL. */
static hs_scratch_t *hs_scratch_get(const prefilter *pf)
{
    for (size_t i = 0; i < HS_SLOTS; i++) {
        if (hs_cache[i].serial == pf->serial)
            return hs_cache[i].scratch;
    }
    pthread_once(&hs_once, hs_key_init);
    if (!hs_key_ok || pthread_setspecific(hs_key, hs_cache) != 0)
        return NULL;
    hs_slot *victim = &hs_cache[pf->serial % HS_SLOTS];
    hs_free_scratch(victim->scratch);
    victim->scratch = NULL;
    victim->serial = 0;
    if (hs_clone_scratch(pf->proto, &victim->scratch) != HS_SUCCESS)
        return NULL;
    victim->serial = pf->serial;
    return victim->scratch;
}

typedef struct hs_ctx {
    const prefilter *pf;
    const unsigned char *text;
    size_t len;
    bool strict;
    size_t hit;
    size_t *hits;    /* prefilter_hits(): every hit, up to max */
    uint64_t *masks; /* ... and the literals of each, or NULL */
    size_t count, max;
    uint64_t *mask; /* prefilter_mask(): the literals found */
} hs_ctx;

static bool sequence_ok(const plit *l, const unsigned char *text, size_t len,
                        size_t start, bool strict);

/* Stops at the first match that holds (matches come in order of their
 * end): keeps its last byte. */
static int hs_on_match(unsigned id, unsigned long long from,
                       unsigned long long to, unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    hs_ctx *c = ctx;
    const plit *l = &c->pf->lits[id];
    size_t end = (size_t)to;
    uint64_t bit = 1ull << (id < 63 ? id : 63);
    if (!sequence_ok(l, c->text, c->len, end - l->len, c->strict)) {
        if (!c->hits || !c->masks)
            return 0;
        bit = 0; // prefilter_hits(): a loose hit, kept without its literal
    }
    c->hit = end ? end - 1 : 0;
    if (c->mask) {
        *c->mask |= 1ull << (id < 63 ? id : 63);
        return 0;
    }
    if (!c->hits)
        return 1;
    if (c->count > 0 && c->hits[c->count - 1] == c->hit) {
        if (c->masks)
            c->masks[c->count - 1] |= bit;
        return 0;
    }
    if (c->masks)
        c->masks[c->count] = bit;
    c->hits[c->count++] = c->hit;
    return c->count == c->max;
}
#endif

void prefilter_free(prefilter *pf)
{
    if (!pf)
        return;
    for (size_t i = 0; pf->lits && i < pf->count; i++) {
        exh_free(pf->lits[i].text);
        exh_free(pf->lits[i].seq);
    }
    exh_free(pf->lits);
    exh_free(pf->order);
#ifdef EXH_HAVE_HYPERSCAN
    hs_free_scratch(pf->proto);
    hs_free_database(pf->db);
#endif
    exh_free(pf);
}

/* Groups literals by anchor class (counting sort into pf->order). */
static exh_status index_build(prefilter *pf)
{
    size_t counts[256] = {0};
    pf->order = exh_calloc(pf->count, sizeof *pf->order);
    if (!pf->order)
        return EXH_ERR_NOMEM;
    for (size_t i = 0; i < pf->count; i++) {
        const plit *l = &pf->lits[i];
        counts[l->text[l->anchor] | 0x20]++;
    }
    size_t at = 0;
    for (size_t c = 0; c < 256; c++) {
        pf->first[c] = at;
        at += counts[c];
        if (counts[c])
            pf->cls[pf->cls_count++] = (unsigned char)c;
    }
    pf->first[256] = at;
    size_t fill[256];
    memcpy(fill, pf->first, sizeof fill);
    for (size_t i = 0; i < pf->count; i++) {
        const plit *l = &pf->lits[i];
        pf->order[fill[l->text[l->anchor] | 0x20]++] = i;
    }
    for (size_t b = 0; b < 256; b++)
        pf->table[b] = counts[b | 0x20] != 0;
    return EXH_OK;
}

exh_status prefilter_new(const char *const *lits, size_t count, prefilter **out)
{
    *out = NULL;
    prefilter *pf = exh_calloc(1, sizeof *pf);
    if (!pf)
        return EXH_ERR_NOMEM;
    pf->lits = exh_calloc(count ? count : 1, sizeof *pf->lits);
    if (!pf->lits) {
        prefilter_free(pf);
        return EXH_ERR_NOMEM;
    }
    bool seqs = false;
    for (size_t i = 0; i < count; i++) {
        char *run = prefilter_longest_run(lits[i]);
        size_t len = run ? strlen(run) : 0;
        if (run && len == 0) {
            exh_free(run);
            pf->always = true;
            continue;
        }
        plit *l = &pf->lits[pf->count];
        l->text = (unsigned char *)run;
        bool is_seq = run && strchr(lits[i], PREFILTER_SEQ);
        if (is_seq) {
            l->seq_len = strlen(lits[i]);
            l->seq = exh_strdup(lits[i]);
            seqs = true;
        }
        if (!l->text || (is_seq && !l->seq)) {
            exh_free(l->text);
            l->text = NULL;
            prefilter_free(pf);
            return EXH_ERR_NOMEM;
        }
        for (size_t k = 0; k <= len; k++)
            l->text[k] = fold(l->text[k]);
        for (char *q = l->seq; q && *q; q++)
            *q = *q == PREFILTER_SEQ ? '\0' : (char)fold((unsigned char)*q);
        l->len = len;
        for (size_t k = 0; k < len; k++) {
            unsigned char b = l->text[k];
            pf->used[b] = true;
            if (b >= 'a' && b <= 'z')
                pf->used[b - 32] = true;
        }
        l->anchor = pick_anchor(l->text, len);
        for (const char *q = l->seq; q && q < l->seq + l->seq_len;
             q += strlen(q) + 1, l->anchor_part++) {
            if (strlen(q) == len && memcmp(q, l->text, len) == 0)
                break;
        }
        pf->count++;
    }
    if (index_build(pf) != EXH_OK) {
        prefilter_free(pf);
        return EXH_ERR_NOMEM;
    }
    pf->seqs = seqs;
#ifdef EXH_HAVE_HYPERSCAN
    if (pf->cls_count >= HS_MIN_CLASSES || seqs)
        hs_build(pf);
#endif
    *out = pf;
    return EXH_OK;
}

/* Folded comparison of n bytes. */
static bool same(const unsigned char *s, const unsigned char *lit, size_t n)
{
    size_t i = 0;
    while (i < n && fold(s[i]) == lit[i])
        i++;
    return i == n;
}

/* Whether a literal found at text[start] counts. A plain literal always
 * does; a field sequence's longest run does unless strict, when all its
 * runs must stand in order in the CSV value around it (between the commas
 * or line ends that bound it): what an unquoted value matching the glob
 * shows. */
/* The first offset in text[from, to) where the folded run lit[0..n)
 * stands whole, or SIZE_MAX. */
static size_t run_in(const unsigned char *text, size_t from, size_t to,
                     const unsigned char *lit, size_t n)
{
    unsigned char lo = lit[0];
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    while (from + n <= to) {
        const unsigned char *a = memchr(text + from, lo, to - from - n + 1);
        const unsigned char *b =
            up != lo ? memchr(text + from, up, to - from - n + 1) : NULL;
        const unsigned char *hit = !a ? b : (!b ? a : (a < b ? a : b));
        if (!hit)
            return SIZE_MAX;
        size_t at = (size_t)(hit - text);
        if (same(hit, lit, n))
            return at;
        from = at + 1;
    }
    return SIZE_MAX;
}

static bool sequence_ok(const plit *l, const unsigned char *text, size_t len,
                        size_t start, bool strict)
{
    if (!l->seq || !strict)
        return true;
    // The value's end: the next ',' or line end after the run.
    size_t from = start + l->len, fe = len;
    const unsigned char *comma = memchr(text + from, ',', len - from);
    if (comma)
        fe = (size_t)(comma - text);
    const unsigned char *nl = memchr(text + from, '\n', fe - from);
    if (nl)
        fe = (size_t)(nl - text);
    // Runs after the one found: in order between it and the value's end.
    size_t at = from;
    const char *part = l->seq;
    for (size_t i = 0; i <= l->anchor_part; i++)
        part += strlen(part) + 1;
    for (; part < l->seq + l->seq_len; part += strlen(part) + 1) {
        size_t n = strlen(part);
        at = run_in(text, at, fe, (const unsigned char *)part, n);
        if (at == SIZE_MAX)
            return false;
        at += n;
    }
    if (l->anchor_part == 0)
        return true;
    // Runs before it: in order between the value's start and the run.
    size_t fs = start;
    while (fs > 0 && text[fs - 1] != ',' && text[fs - 1] != '\n')
        fs--;
    at = fs;
    part = l->seq;
    for (size_t i = 0; i < l->anchor_part; i++) {
        size_t n = strlen(part);
        at = run_in(text, at, start, (const unsigned char *)part, n);
        if (at == SIZE_MAX)
            return false;
        at += n;
        part += n + 1;
    }
    return true;
}

/* True when a literal of the class of text[pos] occurs around pos. */
static bool verify(const prefilter *pf, const unsigned char *text, size_t len,
                   size_t pos, bool strict)
{
    unsigned cls = text[pos] | 0x20;
    unsigned char at = fold(text[pos]);
    for (size_t k = pf->first[cls]; k < pf->first[cls + 1]; k++) {
        const plit *l = &pf->lits[pf->order[k]];
        if (l->text[l->anchor] != at || pos < l->anchor)
            continue;
        size_t start = pos - l->anchor;
        if (len - start < l->len)
            continue;
        if (same(text + start, l->text, l->len) &&
            sequence_ok(l, text, len, start, strict))
            return true;
    }
    return false;
}

/* One pass over text[0..end) for anchor classes cls[0..n) (n <= 4); the
 * anchor offset of the first hit, or SIZE_MAX. Literals may run on to len. */
static size_t pass(const prefilter *pf, const unsigned char *cls, size_t n,
                   const unsigned char *text, size_t end, size_t len,
                   bool strict)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lower = _mm_set1_epi8(0x20);
    __m128i c[CLASSES_PER_PASS];
    for (size_t k = 0; k < CLASSES_PER_PASS; k++)
        c[k] = _mm_set1_epi8((char)cls[k < n ? k : 0]);
    for (; i + 32 <= end; i += 32) {
        __m128i a =
            _mm_or_si128(_mm_loadu_si128((const __m128i *)(text + i)), lower);
        __m128i b = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(text + i + 16)), lower);
        __m128i ma = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(a, c[0]), _mm_cmpeq_epi8(a, c[1])),
            _mm_or_si128(_mm_cmpeq_epi8(a, c[2]), _mm_cmpeq_epi8(a, c[3])));
        __m128i mb = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b, c[0]), _mm_cmpeq_epi8(b, c[1])),
            _mm_or_si128(_mm_cmpeq_epi8(b, c[2]), _mm_cmpeq_epi8(b, c[3])));
        uint32_t mask = (uint32_t)_mm_movemask_epi8(ma) |
                        ((uint32_t)_mm_movemask_epi8(mb) << 16);
        while (mask) {
            size_t pos = i + (size_t)__builtin_ctz(mask);
            if (verify(pf, text, len, pos, strict))
                return pos;
            mask &= mask - 1;
        }
    }
#endif
    for (; i < end; i++) {
        unsigned char b = text[i] | 0x20;
        for (size_t k = 0; k < n; k++) {
            if (b == cls[k] && verify(pf, text, len, i, strict))
                return i;
        }
    }
    return SIZE_MAX;
}

/* One table-driven pass for many anchor classes; like pass(). */
static size_t table_pass(const prefilter *pf, const unsigned char *text,
                         size_t len, bool strict)
{
    for (size_t i = 0; i < len; i++) {
        if (pf->table[text[i]] && verify(pf, text, len, i, strict))
            return i;
    }
    return SIZE_MAX;
}

/* The frequency rank of the rarest byte of s[0..n) (lower: rarer). */
static unsigned rarest(const char *s, size_t n)
{
    unsigned best = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned r = rank((unsigned char)s[i]);
        best = r < best ? r : best;
    }
    return best;
}

char *prefilter_longest_run(const char *lit)
{
    // The run to search for. Runs of 6 bytes or more come first, and of
    // them the one with the rarest byte, then the longest: a run of common
    // bytes ('/autodiscover' in autodiscover URLs) would make every line a
    // hit. Then runs of 3 to 5 bytes, the longest first (a short literal
    // slows the search of every byte, and '%40' or '.js', rare bytes by
    // the table, are in a fifth of real HttpProxy rows); then the rest.
    const char *best = lit, *p = lit;
    size_t best_len = 0;
    unsigned best_rare = 0;
    int best_tier = -1;
    for (;;) {
        const char *e = strchr(p, PREFILTER_SEQ);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int tier = n >= 6 ? 2 : n >= 3 ? 1 : 0;
        unsigned r = rarest(p, n);
        bool better;
        if (tier != best_tier)
            better = tier > best_tier;
        else if (tier == 2)
            better = r < best_rare || (r == best_rare && n > best_len);
        else
            better = n > best_len || (n == best_len && r < best_rare);
        if (n && better) {
            best = p;
            best_len = n;
            best_rare = r;
            best_tier = tier;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return exh_strndup(best, best_len);
}

/* The first hit of the portable search. */
static size_t portable_find(const prefilter *pf, const unsigned char *t,
                            size_t len, bool strict)
{
    size_t passes = (pf->cls_count + CLASSES_PER_PASS - 1) / CLASSES_PER_PASS;
    if (passes > MAX_SIMD_PASSES)
        return table_pass(pf, t, len, strict);
    // Each pass finds its first hit; later passes need only look before
    // the best so far.
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < pf->cls_count; k += CLASSES_PER_PASS) {
        size_t n = pf->cls_count - k;
        size_t end = best == SIZE_MAX ? len : best;
        size_t hit =
            pass(pf, pf->cls + k, n < CLASSES_PER_PASS ? n : CLASSES_PER_PASS,
                 t, end, len, strict);
        if (hit < best)
            best = hit;
    }
    return best;
}

/* The first hit in text; strict as in sequence_ok(). */
static size_t find(const prefilter *pf, const char *text, size_t len,
                   bool strict)
{
    if (pf->always)
        return 0;
    if (pf->count == 0 || len == 0)
        return SIZE_MAX;
#ifdef EXH_HAVE_HYPERSCAN
    if (pf->db && len <= UINT32_MAX) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = (const unsigned char *)text,
                        .len = len,
                        .strict = strict,
                        .hit = SIZE_MAX};
            hs_error_t e = hs_scan(pf->db, text, (unsigned)len, 0, scratch,
                                   hs_on_match, &c);
            if (e == HS_SUCCESS || e == HS_SCAN_TERMINATED)
                return c.hit;
        }
    }
#endif
    return portable_find(pf, (const unsigned char *)text, len, strict);
}

size_t prefilter_find(const prefilter *pf, const char *text, size_t len)
{
    return find(pf, text, len, true);
}

size_t prefilter_hits(const prefilter *pf, const char *text, size_t len,
                      size_t *hits, uint64_t *masks, size_t max, bool *loose)
{
    *loose = false;
    if (max == 0 || pf->count == 0 || len == 0)
        return 0;
    if (pf->always) {
        hits[0] = 0;
        if (masks)
            masks[0] = UINT64_MAX;
        return 1;
    }
#ifdef EXH_HAVE_HYPERSCAN
    if (pf->db && len <= UINT32_MAX) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = (const unsigned char *)text,
                        .len = len,
                        .strict = true,
                        .hit = SIZE_MAX,
                        .hits = hits,
                        .masks = masks,
                        .max = max};
            hs_error_t e = hs_scan(pf->db, text, (unsigned)len, 0, scratch,
                                   hs_on_match, &c);
            if (e == HS_SUCCESS || e == HS_SCAN_TERMINATED) {
                *loose = masks != NULL;
                return c.count;
            }
        }
    }
#endif
    size_t count = 0, at = 0;
    while (count < max && at < len) {
        size_t hit =
            portable_find(pf, (const unsigned char *)text + at, len - at, true);
        if (hit == SIZE_MAX)
            break;
        if (masks)
            masks[count] = UINT64_MAX;
        hits[count++] = at + hit;
        at += hit + 1;
    }
    return count;
}

static uint64_t mask_of(const prefilter *pf, const char *text, size_t len,
                        bool strict)
{
    uint64_t mask = 0;
    if (pf->always || pf->count == 0 || len == 0)
        return pf->always ? UINT64_MAX : 0;
    const unsigned char *t = (const unsigned char *)text;
#ifdef EXH_HAVE_HYPERSCAN
    if (pf->db && len <= UINT32_MAX) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = t,
                        .len = len,
                        .strict = strict,
                        .hit = SIZE_MAX,
                        .mask = &mask};
            hs_error_t e = hs_scan(pf->db, text, (unsigned)len, 0, scratch,
                                   hs_on_match, &c);
            if (e == HS_SUCCESS || e == HS_SCAN_TERMINATED)
                return mask;
            mask = 0;
        }
    }
#endif
    for (size_t i = 0; i < pf->count; i++) {
        const plit *l = &pf->lits[i];
        uint64_t bit = 1ull << (i < 63 ? i : 63);
        if (mask & bit)
            continue;
        for (size_t at = 0; at < len;) {
            size_t hit = run_in(t, at, len, l->text, l->len);
            if (hit == SIZE_MAX)
                break;
            if (sequence_ok(l, t, len, hit, strict)) {
                mask |= bit;
                break;
            }
            at = hit + 1;
        }
    }
    return mask;
}

uint64_t prefilter_mask(const prefilter *pf, const char *text, size_t len)
{
    return mask_of(pf, text, len, !(pf->seqs && memchr(text, '"', len)));
}

bool prefilter_byte_used(const prefilter *pf, unsigned char c)
{
    return pf->always || pf->used[c];
}

uint64_t prefilter_mask_loose(const prefilter *pf, const char *text, size_t len)
{
    return mask_of(pf, text, len, false);
}

bool prefilter_any(const prefilter *pf, const char *text, size_t len)
{
    // A quoted value may hold ',' between a field sequence's runs: text
    // with a quote is judged by the longest runs, which holds for any value.
    bool strict = !(pf->seqs && memchr(text, '"', len));
    return find(pf, text, len, strict) != SIZE_MAX;
}
