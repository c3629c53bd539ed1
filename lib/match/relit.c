/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relit.c - the literals a PCRE2 pattern requires, for the pre-filter.
 *
 * A small recursive-descent reader of the pattern computes, per node, the
 * exact set of strings it can match (when that set is finite and small)
 * and a required set (strings at least one of which every match holds).
 * Concatenations multiply exact sets ("cmd=(read|forward)" gives
 * {"cmd=read", "cmd=forward"}), alternations unite them, and anything
 * the reader does not know for sure (classes, '.', unbounded repeats,
 * back references, \Q..\E, verbs, extended mode) ends a run or gives up.
 * Giving up is always safe: the rule is then gated by other literals or
 * sees every record. Letters are folded to lower case; the pre-filter is
 * case-insensitive, so a literal also holds for caseless patterns.
 *
 * Soundness is the contract: fuzz/relit_fuzz.c checks that every subject
 * a pattern matches holds one of its literals.
 */
#include "internal.h"

#include <string.h>

#define RL_MAX   32 /* strings in a set */
#define RL_LEN   48 /* bytes in a string */
#define RL_DEPTH 16 /* nested groups read before giving up */

typedef struct rl_set {
    bool valid; /* false: unknown */
    size_t n;
    unsigned char len[RL_MAX];
    char s[RL_MAX][RL_LEN];
} rl_set;

typedef struct rl_node {
    rl_set exact; /* every match is exactly one of these */
    rl_set req;   /* every match holds one of these */
    rl_set tail;  /* a repeated exact atom: every match ends with one */
} rl_node;

typedef struct rl_reader {
    const unsigned char *p;
    size_t i, len;
    int depth;
    bool fail;
    size_t min_len;
} rl_reader;

static void set_empty_string(rl_set *s)
{
    s->valid = true;
    s->n = 1;
    s->len[0] = 0;
}

static void set_char(rl_set *s, unsigned char c)
{
    s->valid = true;
    s->n = 1;
    s->len[0] = 1;
    s->s[0][0] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
}

static bool set_has(const rl_set *s, const char *t, size_t n)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->len[i] == n && memcmp(s->s[i], t, n) == 0)
            return true;
    }
    return false;
}

/* Adds a string (no duplicates); false when the set is full. */
static bool set_add(rl_set *s, const char *t, size_t n)
{
    if (set_has(s, t, n))
        return true;
    if (s->n == RL_MAX || n >= RL_LEN)
        return false;
    memcpy(s->s[s->n], t, n);
    s->len[s->n++] = (unsigned char)n;
    return true;
}

/* a = a x b (every string of a followed by every one of b); false, with a
 * untouched, when the product does not fit. */
static bool set_product(rl_set *a, const rl_set *b, rl_set *tmp)
{
    tmp->valid = true;
    tmp->n = 0;
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            size_t n = (size_t)a->len[i] + b->len[j];
            if (n >= RL_LEN)
                return false;
            char t[RL_LEN];
            memcpy(t, a->s[i], a->len[i]);
            memcpy(t + a->len[i], b->s[j], b->len[j]);
            if (!set_add(tmp, t, n))
                return false;
        }
    }
    *a = *tmp;
    return true;
}

/* a = a u b; false (a invalid) when it does not fit. */
static bool set_union(rl_set *a, const rl_set *b)
{
    for (size_t j = 0; j < b->n; j++) {
        if (!set_add(a, b->s[j], b->len[j])) {
            a->valid = false;
            return false;
        }
    }
    return true;
}

/* How good a required set is: its shortest string, 0 when unusable. */
static size_t set_score(const rl_set *s, size_t min_len)
{
    if (!s->valid || s->n == 0)
        return 0;
    size_t shortest = RL_LEN;
    for (size_t i = 0; i < s->n; i++) {
        if (s->len[i] < shortest)
            shortest = s->len[i];
    }
    return shortest >= min_len ? shortest : 0;
}

/* Keeps cand in *best when it is better. */
static void consider(rl_set *best, const rl_set *cand, size_t min_len)
{
    size_t c = set_score(cand, min_len), b = set_score(best, min_len);
    if (c > b || (c && c == b && cand->n < best->n))
        *best = *cand;
}

static bool at(const rl_reader *r, char c)
{
    return r->i < r->len && r->p[r->i] == (unsigned char)c;
}

static void read_alt(rl_reader *r, rl_node *out);

/* An escape after '\\': a literal byte (*lit), zero width (*zero), or an
 * unknown single character (neither). */
static void read_escape(rl_reader *r, int *lit, bool *zero)
{
    *lit = -1;
    *zero = false;
    if (r->i >= r->len) {
        r->fail = true;
        return;
    }
    unsigned char e = r->p[r->i++];
    bool alnum =
        ((e | 0x20) >= 'a' && (e | 0x20) <= 'z') || (e >= '0' && e <= '9');
    if (!alnum) {
        *lit = e;
        return;
    }
    if (strchr("dDwWsShHvVNRXC", e))
        return; // one character of a class
    if (strchr("bBAZzGK", e)) {
        *zero = true;
        return;
    }
    const char *from = "tnrfea", *to = "\t\n\r\f\x1b\a";
    const char *k = strchr(from, e);
    if (k) {
        *lit = (unsigned char)to[k - from];
        return;
    }
    if (e == 'x') {
        int v = 0, digits = 0;
        if (at(r, '{')) {
            r->i++;
            while (r->i < r->len && util_hexval(r->p[r->i]) >= 0 &&
                   digits < 8) {
                v = v * 16 + util_hexval(r->p[r->i++]);
                digits++;
            }
            if (!at(r, '}') || digits == 0 || v > 0xff) {
                r->fail = true;
                return;
            }
            r->i++;
        } else {
            while (r->i < r->len && util_hexval(r->p[r->i]) >= 0 &&
                   digits < 2) {
                v = v * 16 + util_hexval(r->p[r->i++]);
                digits++;
            }
        }
        *lit = v;
        return;
    }
    r->fail = true; // back references, \Q, \p, \c, octal, ...: no guess
}

/* Skips a class after its '['; false when it does not end. */
static void skip_class(rl_reader *r)
{
    if (at(r, '^'))
        r->i++;
    if (at(r, ']'))
        r->i++;
    while (r->i < r->len && r->p[r->i] != ']') {
        if (r->p[r->i] == '\\') {
            r->i += 2;
        } else if (r->p[r->i] == '[' && r->i + 1 < r->len &&
                   r->p[r->i + 1] != '\0' && strchr(":.=", r->p[r->i + 1])) {
            // A POSIX class or collating element, or a literal '[': PCRE2
            // decides by rules of its own (even "[=]" is an element), so
            // no guess.
            r->fail = true;
            return;
        } else {
            r->i++;
        }
    }
    if (r->i >= r->len) {
        r->fail = true;
        return;
    }
    r->i++;
}

/* A group after its '(': its node, or a zero-width one for lookarounds and
 * option settings (comments never get here: skip_comments()). */
static void read_group(rl_reader *r, rl_node *out)
{
    bool zero = false;
    if (at(r, '*')) {
        r->fail = true; // (*VERB)
        return;
    }
    if (at(r, '?')) {
        r->i++;
        if (r->i >= r->len) {
            r->fail = true;
            return;
        }
        unsigned char c = r->p[r->i];
        if (c == ':' || c == '>' || c == '|') {
            r->i++;
        } else if (c == '=' || c == '!') {
            r->i++;
            zero = true;
        } else if (c == '<' && r->i + 1 < r->len &&
                   (r->p[r->i + 1] == '=' || r->p[r->i + 1] == '!')) {
            r->i += 2;
            zero = true;
        } else if (c == '<' || c == 'P' || c == '\'') {
            // A named group: (?<name>, (?P<name>, (?'name'.
            if (c == 'P')
                r->i++;
            if (r->i >= r->len || (r->p[r->i] != '<' && r->p[r->i] != '\'')) {
                r->fail = true; // (?P=name), (?P>name)
                return;
            }
            unsigned char close = r->p[r->i] == '<' ? '>' : '\'';
            r->i++; // past the opening '<' or quote
            // A name is letters, digits and '_': anything else is not a
            // named group ("(?<*" is PCRE2's non-atomic lookbehind).
            while (r->i < r->len && r->p[r->i] != close) {
                unsigned char n = r->p[r->i];
                if (!(((n | 0x20) >= 'a' && (n | 0x20) <= 'z') ||
                      (n >= '0' && n <= '9') || n == '_')) {
                    r->fail = true;
                    return;
                }
                r->i++;
            }
            if (r->i >= r->len) {
                r->fail = true;
                return;
            }
            r->i++;
        } else {
            // Option settings: (?i) (?i-s) (?^) or (?i: ...). Extended
            // mode (x) changes what spaces mean: no guess.
            while (r->i < r->len && (((r->p[r->i] | 0x20) >= 'a' &&
                                      (r->p[r->i] | 0x20) <= 'z') ||
                                     r->p[r->i] == '-' || r->p[r->i] == '^')) {
                if (!strchr("imsnU-^J", r->p[r->i])) {
                    r->fail = true;
                    return;
                }
                r->i++;
            }
            if (at(r, ')')) {
                r->i++;
                set_empty_string(&out->exact);
                return;
            }
            if (!at(r, ':')) {
                r->fail = true; // conditionals, recursion, callouts
                return;
            }
            r->i++;
        }
    }
    if (++r->depth > RL_DEPTH) {
        r->fail = true;
        return;
    }
    rl_node inner;
    read_alt(r, &inner);
    r->depth--;
    if (r->fail)
        return;
    if (!at(r, ')')) {
        r->fail = true;
        return;
    }
    r->i++;
    if (zero)
        set_empty_string(&out->exact);
    else
        *out = inner;
}

/* A quantifier "{n}", "{n,}" or "{n,m}" at r->i: its lower bound, or -1
 * when the brace is a literal one. */
static long read_braces(rl_reader *r)
{
    size_t j = r->i + 1;
    long lo = 0;
    size_t digits = 0;
    while (j < r->len && r->p[j] >= '0' && r->p[j] <= '9') {
        if (lo < 100000)
            lo = lo * 10 + (r->p[j] - '0');
        j++;
        digits++;
    }
    if (digits == 0)
        return -1;
    if (j < r->len && r->p[j] == ',') {
        j++;
        while (j < r->len && r->p[j] >= '0' && r->p[j] <= '9')
            j++;
    }
    if (j >= r->len || r->p[j] != '}')
        return -1;
    r->i = j + 1;
    return lo;
}

/* Skips comments "(?#...)" at r->i. PCRE2 drops them before it reads
 * quantifiers, so in "ab(?#c)?" the '?' makes the 'b' optional. */
static void skip_comments(rl_reader *r)
{
    while (r->i + 2 < r->len && r->p[r->i] == '(' && r->p[r->i + 1] == '?' &&
           r->p[r->i + 2] == '#') {
        size_t j = r->i + 3;
        while (j < r->len && r->p[j] != ')')
            j++;
        if (j >= r->len) {
            r->fail = true;
            return;
        }
        r->i = j + 1;
    }
}

/* One atom and its quantifier. */
static void read_atom(rl_reader *r, rl_node *out)
{
    memset(out, 0, sizeof *out);
    unsigned char c = r->p[r->i++];
    if (c == '(') {
        read_group(r, out);
    } else if (c == '[') {
        skip_class(r);
    } else if (c == '.') {
        // any character: unknown
    } else if (c == '^' || c == '$') {
        set_empty_string(&out->exact);
    } else if (c == '\\') {
        int lit;
        bool zero;
        read_escape(r, &lit, &zero);
        if (zero)
            set_empty_string(&out->exact);
        else if (lit >= 0)
            set_char(&out->exact, (unsigned char)lit);
    } else if (c == '*' || c == '+' || c == '?') {
        r->fail = true; // a quantifier without an atom
    } else {
        set_char(&out->exact, c);
    }
    if (r->fail)
        return;
    if (out->exact.valid && set_score(&out->exact, 1))
        out->req = out->exact;
    // Its quantifier, if any, after any comments.
    skip_comments(r);
    if (r->fail || r->i >= r->len)
        return;
    unsigned char q = r->p[r->i];
    long lo;
    if (q == '?') {
        r->i++;
        if (out->exact.valid && !set_add(&out->exact, "", 0))
            out->exact.valid = false;
        out->req.valid = false;
    } else if (q == '*') {
        r->i++;
        out->exact.valid = out->req.valid = false;
    } else if (q == '+') {
        r->i++;
        out->tail = out->exact;
        out->exact.valid = false;
    } else if (q == '{' && (lo = read_braces(r)) >= 0) {
        if (lo > 0)
            out->tail = out->exact;
        out->exact.valid = false;
        if (lo == 0)
            out->req.valid = false;
    } else {
        return;
    }
    if (at(r, '?') || at(r, '+'))
        r->i++; // lazy or possessive
}

/* A concatenation, up to '|', ')' or the end. */
static void read_concat(rl_reader *r, rl_node *out)
{
    rl_set run, best, tmp;
    set_empty_string(&run);
    best.valid = false;
    best.n = 0;
    bool exact = true;
    while (r->i < r->len && !r->fail && !at(r, '|') && !at(r, ')')) {
        skip_comments(r);
        if (r->fail || r->i >= r->len || at(r, '|') || at(r, ')'))
            break;
        rl_node a;
        read_atom(r, &a);
        if (r->fail)
            return;
        if (a.exact.valid && set_product(&run, &a.exact, &tmp))
            continue;
        exact = false;
        if (a.tail.valid && set_product(&run, &a.tail, &tmp)) {
            // A repeated atom: the run holds its first copy, and what
            // follows continues from its last.
            consider(&best, &run, r->min_len);
            run = a.tail;
            continue;
        }
        // The run ends here: keep it as a candidate.
        consider(&best, &run, r->min_len);
        if (a.exact.valid) {
            run = a.exact; // what follows continues from this atom
        } else {
            consider(&best, &a.req, r->min_len);
            set_empty_string(&run);
        }
    }
    consider(&best, &run, r->min_len);
    out->exact = run;
    out->exact.valid = exact;
    out->req = best;
    out->tail.valid = false;
}

/* Alternatives separated by '|', up to ')' or the end. */
static void read_alt(rl_reader *r, rl_node *out)
{
    read_concat(r, out);
    while (!r->fail && at(r, '|')) {
        r->i++;
        rl_node b;
        read_concat(r, &b);
        if (r->fail)
            return;
        if (out->exact.valid && b.exact.valid)
            set_union(&out->exact, &b.exact);
        else
            out->exact.valid = false;
        if (set_score(&out->req, r->min_len) && set_score(&b.req, r->min_len))
            set_union(&out->req, &b.req);
        else
            out->req.valid = false;
    }
}

size_t relit_required(const char *re, size_t len, size_t min_len, relit_cb cb,
                      void *user)
{
    if (!re || !cb || min_len == 0)
        return 0;
    // \Q...\E quotes anything, ']' and ')' included: no guess.
    for (size_t i = 0; i + 1 < len; i++) {
        if (re[i] == '\\' && re[i + 1] == 'Q')
            return 0;
    }
    rl_reader r = {
        .p = (const unsigned char *)re, .len = len, .min_len = min_len};
    rl_node *top = exh_malloc(sizeof *top);
    if (!top)
        return 0;
    read_alt(&r, top);
    size_t n = 0;
    if (!r.fail && r.i == r.len && set_score(&top->req, min_len)) {
        for (size_t i = 0; i < top->req.n; i++) {
            if (!cb(user, top->req.s[i], top->req.len[i])) {
                n = 0;
                break;
            }
            n++;
        }
    }
    exh_free(top);
    return n;
}
