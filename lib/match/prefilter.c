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
 * thread cached in thread-local storage; it holds fewer anchors than there
 * are literals, each literal checked around its anchor's hits (hs_plan()).
 * The filter itself is immutable.
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

#define CLASSES_PER_PASS 4      /* anchor classes compared per SIMD pass */
#define MAX_SIMD_PASSES  3      /* beyond this, one table-driven pass */
#define HS_MIN_CLASSES   1      /* anchor classes that make Hyperscan pay */
#define HS_PLAN_MAX      1024   /* distinct runs past which each is an anchor */
#define HS_MERGE_UPTO    64     /* anchors past which none are merged */
#define HS_MERGE_MIN     16     /* bytes of a piece that replaces anchors */
#define HS_MERGE_ROUNDS  16     /* merges at most */
#define HS_MERGE_BUDGET  200000 /* comparisons of pieces, at most */
#define DEFER_DECODE_MAX 4096   /* records decoded for deferred clauses */

typedef struct plit {
    unsigned char *text; /* folded to lower case; a sequence's longest run */
    size_t len;
    size_t anchor;         /* offset of the anchor byte in text */
    char *seq;             /* a field sequence's runs, NUL-separated and folded,
                              or NULL for a plain literal */
    size_t seq_len;        /* bytes of seq including the separators */
    size_t anchor_part;    /* which run of seq text is */
    uint64_t seq_bytes[4]; /* a sequence: the bytes of its runs (both
                              cases), prefilter_escape_matters() */
    uint64_t def_bytes[4]; /* the bytes of the deferred clauses of the
                              rules it gates (g_lit_rule), likewise */
} plit;

struct prefilter {
    size_t count;
    plit *lits;
    size_t max_len;         /* the longest search run */
    bool always;            /* an empty literal: every text matches */
    size_t *order;          /* literal indexes sorted by anchor class */
    size_t first[257];      /* order[first[c]..first[c+1]): class c */
    unsigned char cls[256]; /* distinct anchor classes (byte | 0x20) */
    size_t cls_count;
    bool table[256];    /* byte -> its class holds an anchor */
    bool used[256];     /* byte -> some run of a literal or of a deferred
                           clause holds it (either case) */
    bool run_used[256]; /* byte -> some literal's search run holds it */
    bool def_any[256];  /* byte -> a deferred clause of a rule no literal
                           gates (g_unknown) holds it */
    bool seqs;          /* some literal is a field sequence */
    size_t words;       /* uint64_t words of a set of literals (bits) */
    unsigned char sep;  /* what separates values: ',' or ' ' (IIS) */
    /* the gate (prefilter_set_gate): rule k's clauses are
     * [g_rule[k], g_rule[k + 1]), clause j's literals
     * g_ids[g_clause[j] .. g_clause[j + 1]) */
    size_t g_rules;
    size_t *g_rule, *g_clause;
    uint32_t *g_ids;
    char **g_text;    /* per entry: a deferred literal's folded run, or NULL */
    size_t *g_len;    /* ... and its length */
    bool *g_deferred; /* per clause */
    uint32_t *g_dlit; /* per entry: its deferred literal's index among the
                         distinct ones (memo of rule_pass()) */
    size_t g_dcount;  /* distinct deferred literals */
    bool g_decode;    /* '%' in a record satisfies deferred clauses */
    size_t *g_lit_at; /* per literal id: its rules g_lit_rule[..] whose */
    size_t *g_lit_rule; /* first searched clause holds it */
    bool g_unknown;     /* some rule is in no such list */
    /* field clauses (prefilter_set_field_clauses): rule k's are
     * [f_rule[k], f_rule[k + 1]), clause j names field f_name[j] and holds
     * the folded literals f_lits[f_lit[j] .. f_lit[j + 1]) */
    size_t f_rules, f_count;
    size_t *f_rule, *f_lit;
    char **f_name, **f_lits;
    bool *f_neg; /* per clause: negative (whole values that rule it out) */
#ifdef EXH_HAVE_HYPERSCAN
    /* Built by the first search that needs it (hs_db()): a scan compiles
     * only the databases of the log families its evidence holds. The
     * filter is otherwise immutable; hs_lock and hs_ready make the one
     * late write safe for threads sharing it. */
    hs_database_t *db;
    hs_scratch_t *proto; /* cloned into each thread's cache */
    /* What the database holds (hs_plan()): anchors, each a search run or
     * a long piece that several share; a hit of anchor a stands for the
     * literals hs_items[hs_first[a] .. hs_first[a + 1]), checked around
     * it. */
    unsigned char **hs_anchor;
    size_t *hs_alen;
    size_t hs_anchors;
    size_t *hs_first;
    struct hs_item *hs_items;
    uint64_t serial; /* identifies this filter in thread caches */
    bool hs_wanted;  /* enough anchor classes for Hyperscan to pay */
    atomic_bool hs_ready;
    pthread_mutex_t hs_lock;
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

/* Sets b and its other case in a set of bytes. */
static void byte_set(uint64_t set[4], unsigned char b)
{
    set[b / 64] |= 1ull << (b % 64);
    if (b >= 'a' && b <= 'z')
        set[(b - 32) / 64] |= 1ull << ((b - 32) % 64);
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

/* A literal a hit of its anchor stands for. */
typedef struct hs_item {
    uint32_t lit; /* index in pf->lits */
    uint32_t off; /* where the anchor begins in the literal's text */
} hs_item;

static void hs_plan_free(prefilter *pf)
{
    for (size_t a = 0; pf->hs_anchor && a < pf->hs_anchors; a++)
        exh_free(pf->hs_anchor[a]);
    exh_free(pf->hs_anchor);
    exh_free(pf->hs_alen);
    exh_free(pf->hs_first);
    exh_free(pf->hs_items);
    pf->hs_anchor = NULL;
    pf->hs_alen = pf->hs_first = NULL;
    pf->hs_items = NULL;
    pf->hs_anchors = 0;
}

/* Whether the folded text t[0..n) holds the anchor a[0..m); *at gets where
 * it first begins. */
static bool holds(const unsigned char *t, size_t n, const unsigned char *a,
                  size_t m, size_t *at)
{
    const unsigned char *p = m <= n ? memmem(t, n, a, m) : NULL;
    if (p && at)
        *at = (size_t)(p - t);
    return p != NULL;
}

/* The anchors holding a[0..m), counted; with mark, flagged in it. */
static size_t holders(unsigned char **anc, const size_t *alen, size_t na,
                      const unsigned char *a, size_t m, bool *mark)
{
    size_t n = 0;
    for (size_t b = 0; b < na; b++) {
        bool h = holds(anc[b], alen[b], a, m, NULL);
        n += h;
        if (mark)
            mark[b] = h;
    }
    return n;
}

/* Merges anchors that share a piece of HS_MERGE_MIN bytes or more into that
 * piece, grown as far as they all hold it, most shared first. */
static bool hs_merge(unsigned char **anc, size_t *alen, size_t *na)
{
    bool *mark = exh_calloc(*na ? *na : 1, sizeof *mark);
    if (!mark)
        return false;
    // Long literals (a rule's encoded blobs) make many pieces: past a
    // budget of comparisons, the merging stops where it is.
    size_t budget = HS_MERGE_BUDGET;
    for (size_t round = 0; round < HS_MERGE_ROUNDS; round++) {
        size_t best_n = 1, best_a = 0, best_i = 0;
        for (size_t a = 0; a < *na && budget >= *na; a++) {
            for (size_t i = 0; i + HS_MERGE_MIN <= alen[a] && budget >= *na;
                 i++) {
                budget -= *na;
                size_t n =
                    holders(anc, alen, *na, anc[a] + i, HS_MERGE_MIN, NULL);
                if (n > best_n) {
                    best_n = n;
                    best_a = a;
                    best_i = i;
                }
            }
        }
        if (best_n < 2)
            break;
        // Grow the piece inside best_a while every holder still holds it.
        const unsigned char *base = anc[best_a];
        size_t from = best_i, to = best_i + HS_MERGE_MIN;
        holders(anc, alen, *na, base + from, to - from, mark);
        for (bool grew = true; grew;) {
            grew = false;
            for (int side = 0; side < 2 && !grew; side++) {
                size_t f = from - (side == 0 && from > 0);
                size_t t = to + (side == 1 && to < alen[best_a]);
                if (f == from && t == to)
                    continue;
                bool all = true;
                for (size_t b = 0; all && b < *na; b++)
                    all = !mark[b] ||
                          holds(anc[b], alen[b], base + f, t - f, NULL);
                if (all) {
                    from = f;
                    to = t;
                    grew = true;
                }
            }
        }
        unsigned char *piece = exh_malloc(to - from + 1);
        if (!piece) {
            exh_free(mark);
            return false;
        }
        memcpy(piece, base + from, to - from);
        piece[to - from] = '\0';
        size_t kept = 0;
        for (size_t b = 0; b < *na; b++) {
            if (mark[b]) {
                exh_free(anc[b]);
                continue;
            }
            anc[kept] = anc[b];
            alen[kept++] = alen[b];
        }
        anc[kept] = piece;
        alen[kept++] = to - from;
        *na = kept;
    }
    exh_free(mark);
    return true;
}

/* Chooses what the database searches for. Each distinct run is an anchor
 * unless it holds another run (a hit of the shorter one is checked for
 * it), and a few anchors that share a long piece become that piece: a
 * Hyperscan literal search slows sharply past about 32 literals (one
 * thread, bench/literals.sh: the 45 HttpProxy runs 2.95 GB/s, their 28
 * anchors 4.60 GB/s),
 * and a check around a rare hit costs next to nothing. Every literal gets
 * the longest anchor it holds. */
static bool hs_plan(prefilter *pf)
{
    size_t n = pf->count, na = 0;
    unsigned char **anc = exh_calloc(n ? n : 1, sizeof *anc);
    size_t *alen = exh_calloc(n ? n : 1, sizeof *alen);
    size_t *owner = exh_calloc(n ? n : 1, sizeof *owner);
    // The distinct runs, found through a hash of their text.
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    size_t *slot = exh_calloc(slots, sizeof *slot); // anchor + 1, 0 free
    bool ok = anc && alen && owner && slot;
    for (size_t i = 0; ok && i < n; i++) {
        const plit *l = &pf->lits[i];
        size_t j = (size_t)util_hash(l->text, l->len) & (slots - 1);
        while (slot[j] && !(alen[slot[j] - 1] == l->len &&
                            memcmp(anc[slot[j] - 1], l->text, l->len) == 0))
            j = (j + 1) & (slots - 1);
        if (!slot[j]) {
            anc[na] = exh_malloc(l->len + 1);
            ok = anc[na] != NULL;
            if (!ok)
                break;
            memcpy(anc[na], l->text, l->len + 1);
            alen[na++] = l->len;
            slot[j] = na;
        }
        owner[i] = slot[j] - 1;
    }
    exh_free(slot);
    if (ok && na <= HS_PLAN_MAX) {
        // Runs that hold another run go; what holds a run that goes holds
        // the run it held, so every literal still holds an anchor.
        bool *drop = exh_calloc(na ? na : 1, sizeof *drop);
        ok = drop != NULL;
        for (size_t a = 0; ok && a < na; a++) {
            for (size_t b = 0; !drop[a] && b < na; b++)
                drop[a] = b != a && alen[b] < alen[a] &&
                          holds(anc[a], alen[a], anc[b], alen[b], NULL);
        }
        size_t kept = 0;
        for (size_t a = 0; ok && a < na; a++) {
            if (drop[a]) {
                exh_free(anc[a]);
                continue;
            }
            anc[kept] = anc[a];
            alen[kept++] = alen[a];
        }
        if (ok)
            na = kept;
        exh_free(drop);
        if (ok && na <= HS_MERGE_UPTO)
            ok = hs_merge(anc, alen, &na);
        // Each literal's anchor: the longest it holds.
        for (size_t i = 0; ok && i < n; i++) {
            const plit *l = &pf->lits[i];
            size_t best = SIZE_MAX;
            for (size_t a = 0; a < na; a++) {
                if ((best == SIZE_MAX || alen[a] > alen[best]) &&
                    holds(l->text, l->len, anc[a], alen[a], NULL))
                    best = a;
            }
            ok = best != SIZE_MAX; // cannot happen: some anchor is in each
            owner[i] = best;
        }
    }
    hs_item *items = exh_calloc(n ? n : 1, sizeof *items);
    size_t *first = exh_calloc(na + 1, sizeof *first);
    ok = ok && items && first;
    for (size_t i = 0; ok && i < n; i++)
        first[owner[i] + 1]++;
    for (size_t a = 0; ok && a < na; a++)
        first[a + 1] += first[a];
    for (size_t i = 0; ok && i < n; i++) {
        size_t at = 0, a = owner[i];
        holds(pf->lits[i].text, pf->lits[i].len, anc[a], alen[a], &at);
        size_t k = first[a]++;
        items[k].lit = (uint32_t)i;
        items[k].off = (uint32_t)at;
    }
    for (size_t a = na; ok && a > 0; a--) // first[a] ran on to first[a + 1]
        first[a] = first[a - 1];
    if (ok)
        first[0] = 0;
    exh_free(owner);
    pf->hs_anchor = anc;
    pf->hs_alen = alen;
    pf->hs_anchors = anc ? na : 0;
    pf->hs_first = first;
    pf->hs_items = items;
    if (!ok)
        hs_plan_free(pf);
    return ok;
}

/* Builds the Hyperscan database; false leaves the portable path alone. */
static bool hs_build(prefilter *pf)
{
    if (pf->count > UINT32_MAX / 2 || !hs_plan(pf))
        return false;
    size_t na = pf->hs_anchors;
    const char **exprs = exh_calloc(na ? na : 1, sizeof *exprs);
    size_t *lens = exh_calloc(na ? na : 1, sizeof *lens);
    unsigned *flags = exh_calloc(na ? na : 1, sizeof *flags);
    unsigned *ids = exh_calloc(na ? na : 1, sizeof *ids);
    bool ok = false;
    if (exprs && lens && flags && ids) {
        // Every hit is reported (no HS_FLAG_SINGLEMATCH): a field
        // sequence's hit that fails the strict check must not hide the next
        // one, and prefilter_hits() wants them all.
        for (size_t a = 0; a < na; a++) {
            exprs[a] = (const char *)pf->hs_anchor[a];
            lens[a] = pf->hs_alen[a];
            flags[a] = HS_FLAG_CASELESS;
            ids[a] = (unsigned)a;
        }
        hs_compile_error_t *err = NULL;
        if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)na,
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
        hs_plan_free(pf);
    }
    pf->serial = atomic_fetch_add(&hs_serials, 1) + 1;
    exh_free(exprs);
    exh_free(lens);
    exh_free(flags);
    exh_free(ids);
    return ok;
}

/* The Hyperscan database, built on first use (NULL when Hyperscan does not
 * pay for this filter or could not build it: the portable search then
 * runs). */
static hs_database_t *hs_db(const prefilter *cpf)
{
    prefilter *pf = (prefilter *)cpf; // the one late write, under hs_lock
    if (!atomic_load_explicit(&pf->hs_ready, memory_order_acquire)) {
        pthread_mutex_lock(&pf->hs_lock);
        if (!atomic_load_explicit(&pf->hs_ready, memory_order_relaxed)) {
            if (pf->hs_wanted)
                hs_build(pf);
            atomic_store_explicit(&pf->hs_ready, true, memory_order_release);
        }
        pthread_mutex_unlock(&pf->hs_lock);
    }
    return pf->db;
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
    size_t base; /* where the scanned span starts in text */
    size_t end;  /* ... and where it ends */
    int strict;
    size_t hit;
    size_t *hits;  /* prefilter_hits(): every hit, up to max */
    uint32_t *ids; /* ... and the literal of each, or NULL */
    size_t count, max;
    size_t upto;    /* ... all hits before this offset are in hits[] */
    uint64_t *bits; /* prefilter_bits(): the literals found */
} hs_ctx;

static bool sequence_ok(const prefilter *pf, const plit *l,
                        const unsigned char *text, size_t len, size_t start,
                        int strict);
static bool same(const unsigned char *s, const unsigned char *lit, size_t n);

/* Literal id found ending at text[end - 1]; at is the last byte of the
 * anchor hit that found it (no literal found later ends before it). Non-zero
 * stops the scan. */
static int hs_take(hs_ctx *c, unsigned id, size_t end, size_t at)
{
    const plit *l = &c->pf->lits[id];
    if (!sequence_ok(c->pf, l, c->text, c->len, end - l->len, c->strict)) {
        if (!c->hits || !c->ids)
            return 0;
        id |= PREFILTER_LOOSE; // prefilter_hits(): the run alone is there
    }
    size_t hit = end - 1;
    if (c->bits) {
        c->bits[id / 64] |= 1ull << (id % 64);
        return 0;
    }
    if (!c->hits) { // the first hit: later anchors may still end one before
        if (hit < c->hit)
            c->hit = hit;
        return c->hit == at; // nothing found later ends before its anchor
    }
    // In order of offset: a literal ends at or after its anchor's hit, so
    // one found later may end before one found earlier. Literals ending at
    // the same byte get one entry each (ids), or one in all when their ids
    // are not wanted.
    size_t k = c->count;
    while (k > 0 && c->hits[k - 1] > hit)
        k--;
    if (!c->ids && k > 0 && c->hits[k - 1] == hit)
        return 0;
    if (c->count == c->max) {
        c->upto = at; // what ends before this hit's anchor is all there
        return 1;
    }
    memmove(c->hits + k + 1, c->hits + k, (c->count - k) * sizeof *c->hits);
    c->hits[k] = hit;
    if (c->ids) {
        memmove(c->ids + k + 1, c->ids + k, (c->count - k) * sizeof *c->ids);
        c->ids[k] = id;
    }
    c->count++;
    return 0;
}

/* An anchor's hit: checks the literals it stands for around it. */
static int hs_on_match(unsigned id, unsigned long long from,
                       unsigned long long to, unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    hs_ctx *c = ctx;
    const prefilter *pf = c->pf;
    size_t aend = c->base + (size_t)to, alen = pf->hs_alen[id];
    if (!c->hits && !c->bits && c->hit != SIZE_MAX && aend - 1 >= c->hit)
        return 1; // the first hit is known: nothing later ends before it
    for (size_t k = pf->hs_first[id]; k < pf->hs_first[id + 1]; k++) {
        const hs_item *it = &pf->hs_items[k];
        const plit *l = &pf->lits[it->lit];
        if (aend - c->base < alen + it->off)
            continue; // it would begin before the span
        size_t start = aend - alen - it->off;
        if (l->len > c->end - start)
            continue; // it would end after the span
        if (l->len != alen && !same(c->text + start, l->text, l->len))
            continue;
        if (hs_take(c, it->lit, start + l->len, aend - 1))
            return 1;
    }
    return 0;
}
#endif

static void gate_free(prefilter *pf)
{
    for (size_t k = 0; pf->g_text && pf->g_clause && pf->g_rule &&
                       k < pf->g_clause[pf->g_rule[pf->g_rules]];
         k++)
        exh_free(pf->g_text[k]);
    exh_free(pf->g_text);
    exh_free(pf->g_len);
    exh_free(pf->g_deferred);
    exh_free(pf->g_dlit);
    pf->g_dlit = NULL;
    pf->g_dcount = 0;
    exh_free(pf->g_rule);
    exh_free(pf->g_clause);
    exh_free(pf->g_ids);
    exh_free(pf->g_lit_at);
    exh_free(pf->g_lit_rule);
    pf->g_lit_at = pf->g_lit_rule = NULL;
    pf->g_unknown = false;
    pf->g_text = NULL;
    pf->g_len = NULL;
    pf->g_deferred = NULL;
    pf->g_rule = pf->g_clause = NULL;
    pf->g_ids = NULL;
    pf->g_rules = 0;
}

static void fields_free(prefilter *pf)
{
    size_t lits = pf->f_lit ? pf->f_lit[pf->f_count] : 0;
    for (size_t j = 0; pf->f_name && j < pf->f_count; j++)
        exh_free(pf->f_name[j]);
    for (size_t e = 0; pf->f_lits && e < lits; e++)
        exh_free(pf->f_lits[e]);
    exh_free(pf->f_name);
    exh_free(pf->f_lits);
    exh_free(pf->f_rule);
    exh_free(pf->f_lit);
    exh_free(pf->f_neg);
    pf->f_neg = NULL;
    pf->f_name = pf->f_lits = NULL;
    pf->f_rule = pf->f_lit = NULL;
    pf->f_rules = pf->f_count = 0;
}

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
    gate_free(pf);
    fields_free(pf);
#ifdef EXH_HAVE_HYPERSCAN
    hs_free_scratch(pf->proto);
    hs_free_database(pf->db);
    hs_plan_free(pf);
    pthread_mutex_destroy(&pf->hs_lock);
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
#ifdef EXH_HAVE_HYPERSCAN
    pthread_mutex_init(&pf->hs_lock, NULL);
    atomic_init(&pf->hs_ready, false);
#endif
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
        if (len > pf->max_len)
            pf->max_len = len;
        // Every byte of every run counts as used, not only the search
        // run's: a decoded record is searched again (csvlog.c) only when
        // an escape stands for a used byte, and a sequence's other runs
        // must then be found in it too.
        for (const char *q = lits[i]; *q; q++) {
            unsigned char b = fold((unsigned char)*q);
            if (b == (unsigned char)PREFILTER_SEQ)
                continue;
            pf->used[b] = true;
            if (b >= 'a' && b <= 'z')
                pf->used[b - 32] = true;
            if (l->seq)
                byte_set(l->seq_bytes, b);
        }
        for (size_t k = 0; k < len; k++) {
            unsigned char b = l->text[k];
            pf->run_used[b] = true;
            if (b >= 'a' && b <= 'z')
                pf->run_used[b - 32] = true;
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
    pf->words = pf->count / 64 + 1;
    pf->sep = ',';
#ifdef EXH_HAVE_HYPERSCAN
    pf->hs_wanted = pf->cls_count >= HS_MIN_CLASSES || seqs;
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
    if (from + n > to)
        return SIZE_MAX;
    unsigned char lo = lit[0];
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    size_t last = to - n + 1; // candidates start in [from, last)
    // The next candidate of each case, each searched once per step it
    // makes (not again after every miss of the other: linear time).
    const unsigned char *a = memchr(text + from, lo, last - from);
    const unsigned char *b =
        up != lo ? memchr(text + from, up, last - from) : NULL;
    while (a || b) {
        const unsigned char *hit = !a ? b : (!b ? a : (a < b ? a : b));
        if (same(hit, lit, n))
            return (size_t)(hit - text);
        size_t next = (size_t)(hit - text) + 1;
        const unsigned char *again =
            next < last ? memchr(text + next, hit == a ? lo : up, last - next)
                        : NULL;
        if (hit == a)
            a = again;
        else
            b = again;
    }
    return SIZE_MAX;
}

/* The first ',' or line end in t[i, len), or len. */
static size_t csv_value_end(const unsigned char *t, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n');
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, nl)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < len && t[i] != ',' && t[i] != '\n')
        i++;
    return i;
}

/* The bounds [*fs, *fe) of the CSV value of one record text[0..len) that
 * holds pos, read as the reader reads quotes (a '"' opens a quoted value
 * only at its start, '""' inside is a quote, text after the closing quote
 * belongs to the value); false when a quote is left open (the reader's
 * values may then differ) or pos lies on a separator. Jumps from quote to
 * quote inside quoted values and stops at the value that holds pos. */
bool prefilter_csv_bounds(const char *text, size_t len, size_t pos, size_t *fs,
                          size_t *fe)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0;
    for (;;) {
        size_t begin = i;
        if (begin > pos)
            return false; // pos was a separator
        if (i < len && t[i] == '"') {
            for (i++;;) { // to the closing quote; '""' stays inside
                const unsigned char *q = memchr(t + i, '"', len - i);
                if (!q)
                    return false;
                i = (size_t)(q - t) + 1;
                if (i >= len || t[i] != '"')
                    break;
                i++;
            }
        }
        i = csv_value_end(t, i, len);
        if (pos < i || i == len) {
            *fs = begin;
            *fe = i;
            return pos < i || pos >= begin;
        }
        i++;
    }
}

/* strict: 0 judges a field sequence by its search run alone, 1 wants all
 * runs in the value bounded by pf->sep or line ends around the hit, 2 the
 * same in one CSV record that has quoted values (prefilter_csv_bounds). */
static bool sequence_ok(const prefilter *pf, const plit *l,
                        const unsigned char *text, size_t len, size_t start,
                        int strict)
{
    if (!l->seq || !strict)
        return true;
    size_t from = start + l->len, fe = len, qs = 0;
    if (strict == 2) {
        if (!prefilter_csv_bounds((const char *)text, len, start, &qs, &fe))
            return true; // an open quote: the search run alone
    } else {
        // The value's end: the next separator or line end after the run.
        const unsigned char *comma = memchr(text + from, pf->sep, len - from);
        if (comma)
            fe = (size_t)(comma - text);
        const unsigned char *nl = memchr(text + from, '\n', fe - from);
        if (nl)
            fe = (size_t)(nl - text);
    }
    if (fe < from)
        return false;
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
    if (strict == 2)
        fs = qs;
    while (strict != 2 && fs > 0 && text[fs - 1] != pf->sep &&
           text[fs - 1] != '\n')
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
                   size_t pos, int strict)
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
            sequence_ok(pf, l, text, len, start, strict))
            return true;
    }
    return false;
}

/* One pass over text[0..end) for anchor classes cls[0..n) (n <= 4); the
 * anchor offset of the first hit, or SIZE_MAX. Literals may run on to len. */
static size_t pass(const prefilter *pf, const unsigned char *cls, size_t n,
                   const unsigned char *text, size_t end, size_t len,
                   int strict)
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
                         size_t len, int strict)
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
                            size_t len, int strict)
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
                   int strict)
{
    if (pf->always)
        return 0;
    if (pf->count == 0 || len == 0)
        return SIZE_MAX;
#ifdef EXH_HAVE_HYPERSCAN
    if (len <= UINT32_MAX && hs_db(pf)) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = (const unsigned char *)text,
                        .len = len,
                        .end = len,
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
                      size_t *hits, uint32_t *ids, size_t max, bool *loose,
                      size_t *upto)
{
    if (loose)
        *loose = false;
    if (max == 0 || pf->count == 0 || len == 0) {
        *upto = max == 0 ? 0 : len;
        return 0;
    }
    if (pf->always) {
        hits[0] = 0;
        if (ids)
            ids[0] = PREFILTER_UNKNOWN;
        *upto = max == 1 ? 0 : len;
        return 1;
    }
#ifdef EXH_HAVE_HYPERSCAN
    if (len <= UINT32_MAX && hs_db(pf)) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = (const unsigned char *)text,
                        .len = len,
                        .end = len,
                        .strict = true,
                        .hit = SIZE_MAX,
                        .hits = hits,
                        .ids = ids,
                        .max = max,
                        .upto = len};
            hs_error_t e = hs_scan(pf->db, text, (unsigned)len, 0, scratch,
                                   hs_on_match, &c);
            if (e == HS_SUCCESS || e == HS_SCAN_TERMINATED) {
                if (loose)
                    *loose = ids != NULL;
                *upto = c.upto;
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
        if (ids)
            ids[count] = PREFILTER_UNKNOWN;
        hits[count++] = at + hit;
        at += hit + 1;
    }
    // A full hits[] leaves its last offset unsettled: another literal may
    // end there too.
    *upto = count == max ? hits[count - 1] : len;
    return count;
}

bool prefilter_bits_of_hits(const prefilter *pf, const char *text, size_t len,
                            const size_t *hits, const uint32_t *ids, size_t n,
                            size_t base, uint64_t *bits)
{
    int strict = pf->sep != ',' || !pf->seqs || !memchr(text, '"', len) ? 1 : 2;
    for (size_t k = 0; k < n; k++) {
        if (ids[k] == PREFILTER_UNKNOWN)
            return false;
        uint32_t id = ids[k] & ~PREFILTER_LOOSE;
        if (id >= pf->count || hits[k] < base || hits[k] - base >= len)
            continue;
        const plit *l = &pf->lits[id];
        size_t last = hits[k] - base;
        if (last + 1 < l->len || (bits[id / 64] >> (id % 64) & 1))
            continue; // begins before the record, or known already
        if (sequence_ok(pf, l, (const unsigned char *)text, len,
                        last + 1 - l->len, strict))
            bits[id / 64] |= 1ull << (id % 64);
    }
    return true;
}

static void bits_of(const prefilter *pf, const char *text, size_t len,
                    int strict, uint64_t *bits)
{
    if (pf->always) {
        for (size_t w = 0; w < pf->words; w++)
            bits[w] = UINT64_MAX;
        return;
    }
    if (pf->count == 0 || len == 0)
        return;
    const unsigned char *t = (const unsigned char *)text;
#ifdef EXH_HAVE_HYPERSCAN
    if (len <= UINT32_MAX && hs_db(pf)) {
        hs_scratch_t *scratch = hs_scratch_get(pf);
        if (scratch) {
            hs_ctx c = {.pf = pf,
                        .text = t,
                        .len = len,
                        .end = len,
                        .strict = strict,
                        .hit = SIZE_MAX,
                        .bits = bits};
            hs_error_t e = hs_scan(pf->db, text, (unsigned)len, 0, scratch,
                                   hs_on_match, &c);
            if (e == HS_SUCCESS || e == HS_SCAN_TERMINATED)
                return;
        }
    }
#endif
    for (size_t i = 0; i < pf->count; i++) {
        const plit *l = &pf->lits[i];
        uint64_t bit = 1ull << (i % 64);
        if (bits[i / 64] & bit)
            continue;
        for (size_t at = 0; at < len;) {
            size_t hit = run_in(t, at, len, l->text, l->len);
            if (hit == SIZE_MAX)
                break;
            if (sequence_ok(pf, l, t, len, hit, strict)) {
                bits[i / 64] |= bit;
                break;
            }
            at = hit + 1;
        }
    }
}

bool prefilter_bits_near(const prefilter *pf, const char *text, size_t len,
                         const size_t *marks, size_t n, uint64_t *bits)
{
#ifdef EXH_HAVE_HYPERSCAN
    if (n == 0 || len == 0)
        return true;
    if (pf->always || pf->count == 0 || len > UINT32_MAX || !hs_db(pf) ||
        (pf->seqs && pf->sep == ',' && memchr(text, '"', len)))
        return false;
    hs_scratch_t *scratch = hs_scratch_get(pf);
    if (!scratch)
        return false;
    const unsigned char *t = (const unsigned char *)text;
    hs_ctx c = {.pf = pf, .text = t, .len = len, .strict = 1, .bits = bits};
    // One span from the first mark's reach to the last one's: a search
    // costs more to start than to run over the bytes between marks.
    size_t first = marks[0] < len ? marks[0] : len - 1;
    size_t last = marks[n - 1] < len ? marks[n - 1] : len - 1;
    size_t a = first + 1 >= pf->max_len ? first + 1 - pf->max_len : 0;
    size_t b = len - last > pf->max_len ? last + pf->max_len : len;
    if (pf->seqs) { // whole values: a sequence's runs are in one
        const unsigned char *p = memrchr(t, pf->sep, a);
        size_t vs = p ? (size_t)(p - t) + 1 : 0;
        p = memrchr(t + vs, '\n', a - vs);
        a = p ? (size_t)(p - t) + 1 : vs;
        p = memchr(t + b, pf->sep, len - b);
        size_t ve = p ? (size_t)(p - t) : len;
        p = memchr(t + b, '\n', ve - b);
        b = p ? (size_t)(p - t) : ve;
    }
    c.base = a;
    c.end = b;
    hs_error_t e = hs_scan(pf->db, text + a, (unsigned)(b - a), 0, scratch,
                           hs_on_match, &c);
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
        return false;
    return true;
#else
    (void)pf;
    (void)text;
    (void)len;
    (void)marks;
    (void)n;
    (void)bits;
    return false;
#endif
}

void prefilter_set_separator(prefilter *pf, char sep)
{
    pf->sep = (unsigned char)sep;
}

size_t prefilter_words(const prefilter *pf)
{
    return pf->words;
}

void prefilter_bits(const prefilter *pf, const char *text, size_t len,
                    bool loose, uint64_t *bits)
{
    // A quoted CSV value may hold ',' between a sequence's runs: such
    // records are read quote by quote. IIS values have no quoting.
    int strict = loose                                                    ? 0
                 : pf->sep != ',' || !pf->seqs || !memchr(text, '"', len) ? 1
                                                                          : 2;
    bits_of(pf, text, len, strict, bits);
}

/* Whether byte c (either case) is in some run of a literal or of a
 * deferred clause. */
static bool byte_used(const prefilter *pf, unsigned char c)
{
    return pf->always || pf->used[c];
}

bool prefilter_escape_matters(const prefilter *pf, unsigned char c,
                              const uint32_t *ids, size_t n)
{
    if (pf->always || !ids)
        return byte_used(pf, c);
    if (!pf->used[c])
        return false;
    if (pf->run_used[c])
        return true; // decoding may make a search run the text lacks
    if (n == 0)
        return false; // no search run in the text: none in the decoded one
    // A value separator, quote or line end changes how sequences are
    // judged (loosely, csvlog.c).
    if (pf->def_any[c] || (c && strchr(", \"\n\r", c)))
        return true;
    for (size_t k = 0; k < n; k++) {
        if (ids[k] == PREFILTER_UNKNOWN)
            return true;
        uint32_t id = ids[k] & ~PREFILTER_LOOSE;
        if (id >= pf->count)
            return true;
        // Another run of a sequence found, or a deferred clause of a rule
        // it gates: what the decoded text holds of them.
        const plit *l = &pf->lits[id];
        if ((l->seq_bytes[c / 64] | l->def_bytes[c / 64]) >> (c % 64) & 1)
            return true;
    }
    return false;
}

/* The byte util_url_decode() makes of s[0..n) first (n > 0), and in *took
 * how many it reads for it: 3 for an escape, else 1. */
static unsigned char first_decoded(const char *s, size_t n, size_t *took)
{
    char one[3];
    *took = n >= 3 && util_url_decode(s, 3, one) == 1 ? 3 : 1;
    return (unsigned char)(*took == 3 ? one[0] : s[0]);
}

bool prefilter_decode_matters(const prefilter *pf, const char *text, size_t len,
                              const uint32_t *ids, size_t n)
{
    const char *end = text + len;
    for (const char *p = memchr(text, '%', len); p;
         p = p + 1 < end ? memchr(p + 1, '%', (size_t)(end - p - 1)) : NULL) {
        size_t took, t1, t2;
        unsigned char c = first_decoded(p, (size_t)(end - p), &took);
        if (took == 3 && prefilter_escape_matters(pf, c, ids, n))
            return true;
        if (c != '%')
            continue;
        // A '%' the first decoding leaves (a raw one or "%25"): the
        // second decodes it with the next two bytes the first makes
        // ("%2541", "%25%34%31", "%%34%31").
        const char *q = p + took;
        if (end - q < 2)
            continue;
        int hi = util_hexval(first_decoded(q, (size_t)(end - q), &t1));
        if (hi < 0 || q + t1 >= end)
            continue;
        int lo =
            util_hexval(first_decoded(q + t1, (size_t)(end - q - t1), &t2));
        if (lo >= 0 &&
            prefilter_escape_matters(pf, (unsigned char)(hi * 16 + lo), ids, n))
            return true;
    }
    return false;
}

/* Each rule's deferred bytes, on the literals of its first searched
 * clause (one of which the record must hold for the rule to pass), or in
 * def_any for a rule without such a clause. */
static void gate_def_bytes(prefilter *pf)
{
    memset(pf->def_any, 0, sizeof pf->def_any);
    for (size_t i = 0; i < pf->count; i++)
        memset(pf->lits[i].def_bytes, 0, sizeof pf->lits[i].def_bytes);
    for (size_t k = 0; k < pf->g_rules; k++) {
        uint64_t bytes[4] = {0};
        size_t first = SIZE_MAX;
        for (size_t j = pf->g_rule[k]; j < pf->g_rule[k + 1]; j++) {
            if (!pf->g_deferred[j]) {
                if (first == SIZE_MAX)
                    first = j;
                continue;
            }
            for (size_t e = pf->g_clause[j]; e < pf->g_clause[j + 1]; e++) {
                for (const char *q = pf->g_text[e]; q && *q; q++)
                    byte_set(bytes, (unsigned char)*q);
            }
        }
        bool gated = first != SIZE_MAX;
        for (size_t e = gated ? pf->g_clause[first] : 0;
             gated && e < pf->g_clause[first + 1]; e++)
            gated = pf->g_ids[e] < pf->count;
        for (size_t e = gated ? pf->g_clause[first] : 0;
             gated && e < pf->g_clause[first + 1]; e++) {
            uint64_t *to = pf->lits[pf->g_ids[e]].def_bytes;
            for (int w = 0; w < 4; w++)
                to[w] |= bytes[w];
        }
        for (unsigned b = 0; !gated && b < 256; b++) {
            if (bytes[b / 64] >> (b % 64) & 1)
                pf->def_any[b] = true;
        }
    }
}

exh_status prefilter_set_gate(prefilter *pf, size_t rules,
                              const size_t *rule_clauses,
                              const size_t *clause_lits, const uint32_t *ids,
                              const char *const *texts, bool decode)
{
    gate_free(pf);
    size_t clauses = rule_clauses[rules], n = clause_lits[clauses];
    pf->g_rule = exh_calloc(rules + 1, sizeof *pf->g_rule);
    pf->g_clause = exh_calloc(clauses + 1, sizeof *pf->g_clause);
    pf->g_ids = exh_calloc(n ? n : 1, sizeof *pf->g_ids);
    pf->g_text = exh_calloc(n ? n : 1, sizeof *pf->g_text);
    pf->g_len = exh_calloc(n ? n : 1, sizeof *pf->g_len);
    pf->g_deferred = exh_calloc(clauses ? clauses : 1, sizeof *pf->g_deferred);
    pf->g_dlit = exh_calloc(n ? n : 1, sizeof *pf->g_dlit);
    pf->g_rules = rules;
    bool ok = pf->g_rule && pf->g_clause && pf->g_ids && pf->g_text &&
              pf->g_len && pf->g_deferred && pf->g_dlit;
    if (ok) {
        memcpy(pf->g_rule, rule_clauses, (rules + 1) * sizeof *pf->g_rule);
        memcpy(pf->g_clause, clause_lits, (clauses + 1) * sizeof *pf->g_clause);
    }
    for (size_t j = 0; ok && j < clauses; j++) {
        for (size_t e = clause_lits[j]; ok && e < clause_lits[j + 1]; e++) {
            if (texts && texts[e]) {
                // a deferred literal: its search run, folded
                pf->g_deferred[j] = true;
                char *run = prefilter_longest_run(texts[e]);
                ok = run != NULL;
                for (char *q = run; q && *q; q++)
                    *q = (char)fold((unsigned char)*q);
                pf->g_text[e] = run;
                pf->g_len[e] = run ? strlen(run) : 0;
                for (const char *q = run; q && *q; q++) {
                    unsigned char b = (unsigned char)*q;
                    pf->used[b] = true;
                    if (b >= 'a' && b <= 'z')
                        pf->used[b - 32] = true;
                }
            } else {
                pf->g_ids[e] = ids[e] < pf->count ? ids[e] : PREFILTER_UNKNOWN;
            }
        }
    }
    pf->g_decode = decode;
    // The distinct deferred literals: rules that share one (the ProxyShell
    // attempt and exploitation rules) look for it once per record.
    for (size_t e = 0; ok && e < n; e++) {
        if (!pf->g_text[e])
            continue;
        size_t d = 0;
        for (size_t f = 0; f < e && d == 0; f++) {
            if (pf->g_text[f] && !strcmp(pf->g_text[f], pf->g_text[e]))
                d = pf->g_dlit[f] + 1;
        }
        pf->g_dlit[e] = d ? (uint32_t)(d - 1) : (uint32_t)pf->g_dcount++;
    }
    // Per literal, the rules whose first searched clause holds it: a rule
    // can pass only when a literal of that clause is in the record.
    pf->g_lit_at = ok ? exh_calloc(pf->count + 1, sizeof *pf->g_lit_at) : NULL;
    pf->g_lit_rule = ok ? exh_calloc(n ? n : 1, sizeof *pf->g_lit_rule) : NULL;
    ok = ok && pf->g_lit_at && pf->g_lit_rule;
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t k = 0; k < rules; k++) {
            size_t j = rule_clauses[k];
            while (j < rule_clauses[k + 1] && pf->g_deferred[j])
                j++;
            if (j == rule_clauses[k + 1])
                pf->g_unknown = true;
            for (size_t e = j < rule_clauses[k + 1] ? clause_lits[j] : 0;
                 j < rule_clauses[k + 1] && e < clause_lits[j + 1]; e++) {
                uint32_t id = pf->g_ids[e];
                if (id == PREFILTER_UNKNOWN) {
                    pf->g_unknown = true;
                    continue;
                }
                if (pass == 0)
                    pf->g_lit_at[id + 1]++;
                else
                    pf->g_lit_rule[pf->g_lit_at[id]++] = k;
            }
        }
        if (pass == 0) {
            for (size_t i = 0; i < pf->count; i++)
                pf->g_lit_at[i + 1] += pf->g_lit_at[i];
        } else {
            // the fill moved each start to the next one's: move back
            for (size_t i = pf->count; i > 0; i--)
                pf->g_lit_at[i] = pf->g_lit_at[i - 1];
            pf->g_lit_at[0] = 0;
        }
    }
    if (!ok) {
        gate_free(pf);
        return EXH_ERR_NOMEM;
    }
    gate_def_bytes(pf);
    return EXH_OK;
}

/* Whether a literal of deferred clause j stands in text (an empty run:
 * always). */
static bool deferred_in(const prefilter *pf, size_t j, const char *text,
                        size_t len, uint8_t *memo)
{
    for (size_t e = pf->g_clause[j]; e < pf->g_clause[j + 1]; e++) {
        size_t n = pf->g_len[e];
        uint8_t *m = memo ? &memo[pf->g_dlit[e]] : NULL;
        if (!m || *m == 0) {
            bool in = n == 0 ||
                      (n <= len && run_in((const unsigned char *)text, 0, len,
                                          (const unsigned char *)pf->g_text[e],
                                          n) != SIZE_MAX);
            if (m)
                *m = in ? 1 : 2;
            if (in)
                return true;
        } else if (*m == 1) {
            return true;
        }
    }
    return false;
}

/* prefilter_rule_pass() with memo: NULL, or one byte per distinct deferred
 * literal, zeroed for the record, that keeps whether text holds it. */
static bool rule_pass(const prefilter *pf, size_t rule, const uint64_t *bits,
                      const char *text, size_t len, const char *dec,
                      size_t dec_len, uint8_t *memo)
{
    if (!pf->g_rule || rule >= pf->g_rules)
        return true;
    size_t from = pf->g_rule[rule], to = pf->g_rule[rule + 1];
    bool deferred = false;
    for (size_t j = from; j < to; j++) {
        if (pf->g_deferred[j]) {
            deferred = true;
            continue;
        }
        bool any = false;
        for (size_t k = pf->g_clause[j]; k < pf->g_clause[j + 1] && !any; k++) {
            uint32_t id = pf->g_ids[k];
            any = id == PREFILTER_UNKNOWN ||
                  (bits[id / 64] >> (id % 64) & 1) != 0;
        }
        if (!any)
            return false;
    }
    if (!deferred || !text)
        return true;
    char own[DEFER_DECODE_MAX];
    for (size_t j = from; j < to; j++) {
        if (!pf->g_deferred[j] || deferred_in(pf, j, text, len, memo))
            continue;
        // URI fields match percent-decoded too (twice, as the reader
        // decodes): the literal may stand in the decoded record alone.
        if (!pf->g_decode || dec == text)
            return false;
        if (!dec) {
            if (!memchr(text, '%', len))
                return false;
            if (len > sizeof own)
                continue; // too long to decode here: let the rule judge
            dec_len = util_url_decode(text, len, own);
            if (memchr(own, '%', dec_len))
                dec_len = util_url_decode(own, dec_len, own);
            dec = own;
        }
        if (!deferred_in(pf, j, dec, dec_len, NULL))
            return false;
    }
    return true;
}

bool prefilter_rule_pass(const prefilter *pf, size_t rule, const uint64_t *bits,
                         const char *text, size_t len, const char *dec,
                         size_t dec_len)
{
    return rule_pass(pf, rule, bits, text, len, dec, dec_len, NULL);
}

size_t prefilter_rule_words(const prefilter *pf)
{
    return (pf->g_rules + 63) / 64;
}

/* Marks rule k in rules (when not NULL) once it passes; true when it does. */
static bool rule_mark(const prefilter *pf, size_t k, const uint64_t *bits,
                      const char *text, size_t len, const char *dec,
                      size_t dec_len, uint64_t *rules, uint8_t *memo)
{
    if (rules && (rules[k / 64] >> (k % 64) & 1))
        return true;
    if (!rule_pass(pf, k, bits, text, len, dec, dec_len, memo))
        return false;
    if (rules)
        rules[k / 64] |= 1ull << (k % 64);
    return true;
}

bool prefilter_pass_rules(const prefilter *pf, const uint64_t *bits,
                          const char *text, size_t len, const char *dec,
                          size_t dec_len, uint64_t *rules)
{
    if (rules)
        memset(rules, 0, prefilter_rule_words(pf) * sizeof *rules);
    bool some = false;
    for (size_t w = 0; w < pf->words && !some; w++)
        some = bits[w] != 0;
    if (!some || !pf->g_rule)
        return some; // without a gate, rules says nothing
    // Only the rules of the literals found can pass; without rules, the
    // first that does ends the search.
    bool any = false;
    uint8_t memo_buf[256], *memo = NULL;
    if (text && pf->g_dcount <= sizeof memo_buf) {
        memo = memo_buf;
        memset(memo, 0, pf->g_dcount);
    }
    for (size_t w = 0; w < pf->words; w++) {
        for (uint64_t m = bits[w]; m; m &= m - 1) {
            size_t id = w * 64 + (size_t)__builtin_ctzll(m);
            if (id >= pf->count)
                break;
            for (size_t i = pf->g_lit_at[id]; i < pf->g_lit_at[id + 1]; i++) {
                if (rule_mark(pf, pf->g_lit_rule[i], bits, text, len, dec,
                              dec_len, rules, memo)) {
                    any = true;
                    if (!rules)
                        return true;
                }
            }
        }
    }
    // A rule whose every clause holds an unknown id: checked on its own.
    for (size_t k = 0; k < pf->g_rules && pf->g_unknown; k++) {
        if (rule_mark(pf, k, bits, text, len, dec, dec_len, rules, memo)) {
            any = true;
            if (!rules)
                return true;
        }
    }
    return any;
}

bool prefilter_pass(const prefilter *pf, const uint64_t *bits, const char *text,
                    size_t len, const char *dec, size_t dec_len)
{
    return prefilter_pass_rules(pf, bits, text, len, dec, dec_len, NULL);
}

bool prefilter_any(const prefilter *pf, const char *text, size_t len)
{
    // A quoted value may hold ',' between a field sequence's runs: text
    // with a quote is judged by the longest runs, which holds for any value.
    int strict = !(pf->seqs && memchr(text, '"', len));
    return find(pf, text, len, strict) != SIZE_MAX;
}

/* ---- field clauses ---------------------------------------------------------
 */

exh_status
prefilter_set_field_clauses(prefilter *pf, size_t rules, const size_t *rule_fc,
                            const char *const *names, const bool *negative,
                            const size_t *fc_lit, const char *const *lits)
{
    fields_free(pf);
    size_t count = rule_fc[rules], n = fc_lit[count];
    pf->f_rule = exh_calloc(rules + 1, sizeof *pf->f_rule);
    pf->f_lit = exh_calloc(count + 1, sizeof *pf->f_lit);
    pf->f_name = exh_calloc(count ? count : 1, sizeof *pf->f_name);
    pf->f_lits = exh_calloc(n ? n : 1, sizeof *pf->f_lits);
    pf->f_neg = exh_calloc(count ? count : 1, sizeof *pf->f_neg);
    bool ok = pf->f_rule && pf->f_lit && pf->f_name && pf->f_lits && pf->f_neg;
    if (ok) {
        if (count)
            memcpy(pf->f_neg, negative, count * sizeof *pf->f_neg);
        memcpy(pf->f_rule, rule_fc, (rules + 1) * sizeof *pf->f_rule);
        memcpy(pf->f_lit, fc_lit, (count + 1) * sizeof *pf->f_lit);
        pf->f_rules = rules;
        pf->f_count = count;
    }
    for (size_t j = 0; ok && j < count; j++)
        ok = (pf->f_name[j] = exh_strdup(names[j])) != NULL;
    for (size_t e = 0; ok && e < n; e++) {
        char *l = exh_strdup(lits[e]);
        for (char *q = l; q && *q; q++)
            *q = (char)fold((unsigned char)*q);
        ok = (pf->f_lits[e] = l) != NULL;
    }
    if (!ok) {
        fields_free(pf);
        return EXH_ERR_NOMEM;
    }
    return EXH_OK;
}

size_t prefilter_field_clauses(const prefilter *pf)
{
    return pf->f_count;
}

const char *prefilter_field_name(const prefilter *pf, size_t j)
{
    return j < pf->f_count ? pf->f_name[j] : NULL;
}

/* Whether the folded literal lit (a field sequence: its runs in order)
 * stands in text[0..len). */
static bool lit_in_value(const char *lit, const char *text, size_t len)
{
    size_t at = 0;
    for (const char *part = lit;;) {
        const char *end = strchr(part, PREFILTER_SEQ);
        size_t n = end ? (size_t)(end - part) : strlen(part);
        if (n) {
            at = run_in((const unsigned char *)text, at, len,
                        (const unsigned char *)part, n);
            if (at == SIZE_MAX)
                return false;
            at += n;
        }
        if (!end)
            return true;
        part = end + 1;
    }
}

/* Whether value v[0..n) holds a literal of field clause j, as it stands or
 * percent-decoded twice (as the reader matches URI fields); a value too
 * long to decode here counts as holding one. */
static bool field_clause_in(const prefilter *pf, size_t j, const char *v,
                            size_t n)
{
    for (size_t e = pf->f_lit[j]; e < pf->f_lit[j + 1]; e++) {
        if (lit_in_value(pf->f_lits[e], v, n))
            return true;
    }
    if (!memchr(v, '%', n))
        return false;
    char own[DEFER_DECODE_MAX];
    if (n > sizeof own)
        return true;
    size_t dn = util_url_decode(v, n, own);
    if (memchr(own, '%', dn))
        dn = util_url_decode(own, dn, own);
    for (size_t e = pf->f_lit[j]; e < pf->f_lit[j + 1]; e++) {
        if (lit_in_value(pf->f_lits[e], own, dn))
            return true;
    }
    return false;
}

/* Whether value v[0..n) is, whole and case-insensitively, one of the
 * literals of (negative) field clause j. */
static bool field_clause_is(const prefilter *pf, size_t j, const char *v,
                            size_t n)
{
    for (size_t e = pf->f_lit[j]; e < pf->f_lit[j + 1]; e++) {
        const char *l = pf->f_lits[e];
        if (strlen(l) == n &&
            same((const unsigned char *)v, (const unsigned char *)l, n))
            return true;
    }
    return false;
}

/* The values of one record split at a separator (no quoting), located
 * once as the field clauses of its rules ask for them. */
#define ROW_VALUES 128 /* values whose starts are kept */

typedef struct row_values {
    const char *text;
    size_t len;
    unsigned char sep;
    size_t n;       /* values located: starts[0 .. n) */
    size_t scanned; /* separators before it are in starts (until full) */
    bool last;      /* value n - 1 is the record's last */
    size_t columns; /* the record's values, 0 until counted */
    size_t starts[ROW_VALUES];
} row_values;

/* Records the values that the separators of the record's next 16 bytes
 * (or its rest) start: one compare a block instead of one memchr() a
 * value, since values are short. */
static void row_more(row_values *rv)
{
    const unsigned char *t = (const unsigned char *)rv->text;
    size_t i = rv->scanned;
#ifdef __SSE2__
    if (i + 16 <= rv->len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_set1_epi8((char)rv->sep)));
        for (; m; m &= m - 1) {
            if (rv->n == ROW_VALUES)
                return; // full: row_value() walks on from the last start
            rv->starts[rv->n++] = i + (size_t)__builtin_ctz(m) + 1;
        }
        rv->scanned = i + 16;
        return;
    }
#endif
    for (; i < rv->len; i++) {
        if (t[i] != rv->sep)
            continue;
        if (rv->n == ROW_VALUES)
            return;
        rv->starts[rv->n++] = i + 1;
    }
    rv->scanned = i;
    rv->last = true;
}

/* Where value col stands in the record, as [*s, *e); false when the
 * record is shorter. */
static bool row_value(row_values *rv, size_t col, size_t *s, size_t *e)
{
    while (rv->n <= col + 1 && rv->n < ROW_VALUES && !rv->last)
        row_more(rv);
    if (col + 1 < rv->n) {
        *s = rv->starts[col];
        *e = rv->starts[col + 1] - 1;
        return true;
    }
    if (rv->last) {
        if (col + 1 > rv->n)
            return false;
        *s = rv->starts[col];
        *e = rv->len;
        return true;
    }
    // past the kept starts: walk on from the last one
    const char *t = rv->text;
    size_t start = rv->starts[rv->n - 1];
    for (size_t field = rv->n - 1; field < col; field++) {
        const char *p = memchr(t + start, rv->sep, rv->len - start);
        if (!p)
            return false;
        start = (size_t)(p - t) + 1;
    }
    const char *p = memchr(t + start, rv->sep, rv->len - start);
    *s = start;
    *e = p ? (size_t)(p - t) : rv->len;
    return true;
}

/* How many values the record holds. */
static size_t row_columns(row_values *rv)
{
    if (!rv->columns) {
        rv->columns = 1;
        const char *t = rv->text;
        for (const char *p = memchr(t, rv->sep, rv->len); p;
             p = memchr(p + 1, rv->sep, rv->len - (size_t)(p + 1 - t)))
            rv->columns++;
    }
    return rv->columns;
}

/* Whether the record rv holds rule k's field clauses where lay locates
 * their fields; a field it does not locate, or a row whose values may have
 * moved, tells nothing. */
static bool fields_ok(const prefilter *pf, size_t k, row_values *rv,
                      const prefilter_layout *lay)
{
    if (k >= pf->f_rules)
        return true;
    for (size_t j = pf->f_rule[k]; j < pf->f_rule[k + 1]; j++) {
        size_t col = lay->cols[j], start, end;
        if (col == SIZE_MAX)
            continue;
        if (lay->spread != SIZE_MAX && col >= lay->spread &&
            row_columns(rv) > lay->columns)
            continue; // extra values were joined into the spread one
        if (!row_value(rv, col, &start, &end))
            continue; // a short row: the reader's own affair
        const char *v = rv->text + start;
        if (pf->f_neg[j] ? field_clause_is(pf, j, v, end - start)
                         : !field_clause_in(pf, j, v, end - start))
            return false;
    }
    return true;
}

bool prefilter_pass_fields(const prefilter *pf, uint64_t *rules,
                           const char *text, size_t len,
                           const prefilter_layout *lay)
{
    if (!rules || !lay || !pf->f_count)
        return true; // nothing known to narrow
    row_values rv = {.text = text, .len = len, .sep = pf->sep, .n = 1};
    rv.starts[0] = 0;
    bool any = false;
    for (size_t w = 0, words = prefilter_rule_words(pf); w < words; w++) {
        for (uint64_t m = rules[w]; m; m &= m - 1) {
            size_t bit = (size_t)__builtin_ctzll(m);
            if (!fields_ok(pf, w * 64 + bit, &rv, lay))
                rules[w] &= ~(1ull << bit);
        }
        any = any || rules[w] != 0;
    }
    return any;
}
