/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma.c - compiles Sigma rules (YAML, read with libyaml's document API)
 * into immutable matchers, evaluates them on events, and derives the
 * literals a record must contain for a rule to match (the pre-filter).
 *
 * A compiled rule holds no YAML: selections are OR-lists of conjunctions of
 * fields, each field a list of pre-classified values (exact, prefix, suffix,
 * substring, glob, PCRE2 regex, null); the condition is a small tree over
 * selection indexes. Everything lives in one arena per rule, so a rule is
 * freed in one sweep and may be shared read-only by any number of threads.
 * docs/internals/sigma.md describes the supported subset.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "internal.h"

#include <arpa/inet.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_TEXT_BYTES (4u << 20) /* larger rule files are rejected */
#define MAX_SELECTIONS 256        /* per rule: the match cache is on stack */
#define MAX_VALUES     100000     /* values per rule, aliases expanded */
#define MAX_WINDASH                                                            \
    625                      /* windash variants of one value when another     \
                                encoding follows it: 4 dashes */
#define MAX_COND_DEPTH   64  /* nesting of parentheses and "not" */
#define MAX_FLOW_DEPTH   256 /* YAML [ { nesting (parse time is quadratic) */
#define MIN_LIT_LEN      3   /* shorter runs make no useful literal */
#define RE_MATCH_LIMIT   1000000     /* PCRE2 backtracking budget per match */
#define MAX_EXPAND_BYTES (16u << 20) /* encoded variants' bytes per rule */
#define MAX_XF           8           /* encoding modifiers per key */

/* ---- compiled form ------------------------------------------------------- */

/* How a value is matched against a field's text. */
enum vkind {
    VK_EQ,       /* equal (case-folded unless cased) */
    VK_PREFIX,   /* starts with text */
    VK_SUFFIX,   /* ends with text */
    VK_CONTAINS, /* contains text */
    VK_GLOB,     /* general '*'/'?' pattern */
    VK_ANY,      /* '*': any value, field present */
    VK_RE,       /* PCRE2 search */
    VK_NULL,     /* field absent or empty */
    VK_ALT,      /* any of alts[0..len) (encoding variants of one value) */
    VK_CIDR,     /* an IPv4/IPv6 address inside the network text/bits */
    VK_CMP,      /* a number compared (op: enum cmpop) with num */
    VK_EXISTS,   /* op 1: field present, op 0: field absent */
    VK_FIELDREF  /* compared (op: VK_EQ..VK_CONTAINS) with field text */
};

/* Numeric comparisons (lt, lte, gt, gte). */
enum cmpop { CMP_NONE, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE };

typedef struct svalue {
    unsigned char kind;        /* enum vkind */
    bool cased;                /* compare bytes exactly */
    bool derived;              /* text made by an encoding modifier */
    unsigned char op;          /* see VK_CMP, VK_EXISTS, VK_FIELDREF */
    unsigned char bits;        /* VK_CIDR: prefix length; op: 4 or 6 */
    size_t len;                /* bytes of text (and wild); VK_ALT: alts */
    const unsigned char *text; /* literal bytes, folded unless cased;
                                  VK_CIDR: 16-byte network; VK_FIELDREF:
                                  the other field's name */
    const unsigned char *wild; /* VK_GLOB: per byte 0, '*', '?' or WD */
    const pcre2_code *re;      /* VK_RE */
    const char **re_lits;      /* VK_RE: literals it requires (relit.c) */
    size_t re_lit_count;
    double num;                /* VK_CMP */
    const struct svalue *alts; /* VK_ALT */
} svalue;

typedef struct sfield {
    const char *name; /* field name as written, NULL for keywords (raw) */
    bool all;         /* every value must match (else any) */
    bool whole_uri;   /* cs-uri-query holding a path: matched against
                         cs-uri-stem, '?' and cs-uri-query (SigmaHQ's use) */
    bool decode;      /* a URI field: also matched percent-decoded */
    size_t count;
    svalue *values;
} sfield;

/* One map of a selection: every field must match. */
typedef struct sconj {
    size_t count;
    sfield *fields;
} sconj;

/* A named selection: any of its maps must match. */
typedef struct ssel {
    const char *name;
    size_t count;
    sconj *conj;
    bool positive; /* referenced outside any "not": evidence comes from it */
} ssel;

enum cop { C_SEL, C_NOT, C_AND, C_OR };

typedef struct cnode {
    unsigned char op; /* enum cop */
    size_t sel;       /* C_SEL: index in rule->sels */
    size_t count;     /* children of C_NOT (1), C_AND, C_OR */
    struct cnode **kids;
} cnode;

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

struct sigma_rule {
    sigma_meta meta;
    arena_block *arena;
    ssel *sels;
    size_t sel_count;
    cnode *cond;
    const char **lits; /* pre-filter literals (lower case), or NULL */
    size_t lit_count;
    bool has_lits;
    sigma_clause *clauses; /* lits first, then other required sets */
    size_t clause_count;
    sigma_fclause *fclauses; /* sets bound to one field (sigma_field_clauses) */
    size_t fclause_count;
    bool decodes;     /* some field is matched URL-decoded too */
    pcre2_code **res; /* every compiled regex, to free */
    size_t re_count, re_cap;
    pcre2_match_context *mctx;
};

/* ---- small helpers ------------------------------------------------------- */

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Zeroed memory from the rule's arena, aligned for any type; NULL on OOM. */
static void *arena_alloc(sigma_rule *r, size_t len)
{
    size_t align = alignof(max_align_t);
    if (len > SIZE_MAX - align)
        return NULL;
    len = (len + align - 1) / align * align;
    arena_block *b = r->arena;
    if (!b || b->cap - b->used < len) {
        size_t cap = len > 4096 ? len : 4096;
        size_t total;
        if (__builtin_add_overflow(sizeof *b, cap, &total))
            return NULL;
        b = exh_malloc(total);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = r->arena;
        r->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += len;
    memset(p, 0, len);
    return p;
}

/* Arena array of count elements of len bytes, overflow-checked. */
static void *arena_array(sigma_rule *r, size_t count, size_t len)
{
    size_t total;
    if (__builtin_mul_overflow(count, len, &total))
        return NULL;
    return arena_alloc(r, total ? total : 1);
}

static char *arena_strndup(sigma_rule *r, const char *s, size_t len)
{
    char *p = arena_alloc(r, len + 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

/* ---- compiler state and messages ---------------------------------------- */

typedef struct compiler {
    const char *source;
    yaml_document_t *doc;
    sigma_rule *rule;
    pcre2_general_context *gctx;
    size_t values;       /* values compiled so far (alias bomb guard) */
    size_t expand_bytes; /* bytes of encoded variants so far */
    bool short_ok;       /* runs shorter than MIN_LIT_LEN give literals */
    exh_status st;
    char *msg;
} compiler;

/* Records the first error as "SOURCE:LINE: reason" (line 0: no line). */
__attribute__((format(printf, 3, 4))) static void fail(compiler *c, size_t line,
                                                       const char *fmt, ...)
{
    if (c->st != EXH_OK)
        return;
    c->st = EXH_ERR_RULE_SYNTAX;
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    char head[64] = "";
    if (line)
        snprintf(head, sizeof head, ":%zu", line);
    size_t n = strlen(c->source) + strlen(head) + strlen(reason) + 3;
    c->msg = exh_malloc(n);
    if (c->msg)
        snprintf(c->msg, n, "%s%s: %s", c->source, head, reason);
}

static void fail_nomem(compiler *c)
{
    if (c->st != EXH_OK)
        return;
    c->st = EXH_ERR_NOMEM;
    size_t n = strlen(c->source) + 16;
    c->msg = exh_malloc(n);
    if (c->msg)
        snprintf(c->msg, n, "%s: out of memory", c->source);
}

static size_t node_line(const yaml_node_t *n)
{
    return n ? n->start_mark.line + 1 : 0;
}

static yaml_node_t *node_at(compiler *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

/* Text of a scalar node, or NULL (with an error) for any other node. */
static const char *scalar(compiler *c, yaml_node_t *n, const char *what,
                          size_t *len)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        fail(c, node_line(n), "'%s' must be a string", what);
        return NULL;
    }
    *len = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

/* True when n is YAML's null: a plain "null", "~", "Null", "NULL" or "". */
static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                         !memcmp(s, "NULL", 4)));
}

static bool key_is(const yaml_node_t *k, const char *name)
{
    return k->type == YAML_SCALAR_NODE &&
           k->data.scalar.length == strlen(name) &&
           !memcmp(k->data.scalar.value, name, k->data.scalar.length);
}

#define MAX_MAP_KEYS 4096 /* keys per map (duplicate check is quadratic) */

/* Rejects a map with a repeated key (YAML forbids them; libyaml does not
 * check) or with more than MAX_MAP_KEYS keys. */
static bool map_check(compiler *c, yaml_node_t *map)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    size_t count = (size_t)(map->data.mapping.pairs.top - start);
    if (count > MAX_MAP_KEYS) {
        fail(c, node_line(map), "map with more than %d keys", MAX_MAP_KEYS);
        return false;
    }
    for (size_t i = 1; i < count; i++) {
        yaml_node_t *k = node_at(c, start[i].key);
        if (k->type != YAML_SCALAR_NODE)
            continue;
        for (size_t j = 0; j < i; j++) {
            yaml_node_t *o = node_at(c, start[j].key);
            if (o->type == YAML_SCALAR_NODE &&
                k->data.scalar.length == o->data.scalar.length &&
                !memcmp(k->data.scalar.value, o->data.scalar.value,
                        k->data.scalar.length)) {
                fail(c, node_line(k), "duplicate key '%.*s'",
                     (int)(k->data.scalar.length > 80 ? 80
                                                      : k->data.scalar.length),
                     (const char *)k->data.scalar.value);
                return false;
            }
        }
    }
    return true;
}

/* Copy of a scalar into the arena; NULL (with an error) when not one. */
static char *scalar_dup(compiler *c, yaml_node_t *n, const char *what)
{
    size_t len;
    const char *s = scalar(c, n, what, &len);
    if (!s)
        return NULL;
    char *p = arena_strndup(c->rule, s, len);
    if (!p)
        fail_nomem(c);
    return p;
}

/* Items of a sequence node; any other node counts as a one-item list whose
 * item id is stored in *one. */
static size_t seq_items(compiler *c, yaml_node_t *n, yaml_node_item_t **items,
                        yaml_node_item_t *one)
{
    if (n->type == YAML_SEQUENCE_NODE) {
        *items = n->data.sequence.items.start;
        return (size_t)(n->data.sequence.items.top -
                        n->data.sequence.items.start);
    }
    *one = (yaml_node_item_t)(n - c->doc->nodes.start + 1);
    *items = one;
    return 1;
}

/* ---- metadata ------------------------------------------------------------ */

/* Adds s to a string list unless already present. */
static void list_add(compiler *c, char ***list, size_t *count, size_t cap,
                     const char *s)
{
    for (size_t i = 0; i < *count; i++) {
        if (!strcmp((*list)[i], s))
            return;
    }
    if (*count >= cap)
        return;
    char *p = arena_strndup(c->rule, s, strlen(s));
    if (!p) {
        fail_nomem(c);
        return;
    }
    (*list)[(*count)++] = p;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return len > 0;
}

/*
 * Reads one tag: attack.tNNNN[.NNN] gives a technique id, cve.YYYY-NNNN (or
 * cve.YYYY.NNNN) a CVE id; *initial_access is set for the tactic tag.
 */
static void tag_parse(compiler *c, const char *tag, size_t len, size_t cap,
                      bool *initial_access)
{
    char t[64];
    if (len >= sizeof t)
        return;
    for (size_t i = 0; i < len; i++)
        t[i] = (char)fold((unsigned char)tag[i]);
    t[len] = 0;
    sigma_meta *m = &c->rule->meta;
    char id[64];
    if (!strcmp(t, "attack.initial_access") ||
        !strcmp(t, "attack.initial-access")) {
        *initial_access = true;
    } else if (!strncmp(t, "attack.t", 8) && all_digits(t + 8, 4) &&
               (len == 12 ||
                (len == 16 && t[12] == '.' && all_digits(t + 13, 3)))) {
        snprintf(id, sizeof id, "T%s", t + 8);
        list_add(c, &m->attack, &m->attack_count, cap, id);
    } else if (!strncmp(t, "cve.", 4) && len >= 13 && all_digits(t + 4, 4) &&
               (t[8] == '-' || t[8] == '.') && all_digits(t + 9, len - 9)) {
        snprintf(id, sizeof id, "CVE-%.4s-%s", t + 4, t + 9);
        list_add(c, &m->cve, &m->cve_count, cap, id);
    }
}

static void tags_parse(compiler *c, yaml_node_t *n, bool *initial_access)
{
    yaml_node_item_t *items, one;
    if (n->type == YAML_MAPPING_NODE) {
        fail(c, node_line(n), "'tags' must be a list of strings");
        return;
    }
    size_t count = seq_items(c, n, &items, &one);
    sigma_meta *m = &c->rule->meta;
    m->cve = arena_array(c->rule, count, sizeof(char *));
    m->attack = arena_array(c->rule, count, sizeof(char *));
    if (!m->cve || !m->attack) {
        fail_nomem(c);
        return;
    }
    for (size_t i = 0; i < count && c->st == EXH_OK; i++) {
        size_t len;
        const char *s = scalar(c, node_at(c, items[i]), "tags", &len);
        if (s)
            tag_parse(c, s, len, count, initial_access);
    }
}

static void references_parse(compiler *c, yaml_node_t *n)
{
    yaml_node_item_t *items, one;
    if (n->type == YAML_MAPPING_NODE) {
        fail(c, node_line(n), "'references' must be a list of strings");
        return;
    }
    size_t count = seq_items(c, n, &items, &one);
    sigma_meta *m = &c->rule->meta;
    m->references = arena_array(c->rule, count, sizeof(char *));
    if (!m->references) {
        fail_nomem(c);
        return;
    }
    for (size_t i = 0; i < count && c->st == EXH_OK; i++) {
        char *s = scalar_dup(c, node_at(c, items[i]), "references");
        if (s)
            m->references[m->reference_count++] = s;
    }
}

static void level_parse(compiler *c, yaml_node_t *n)
{
    static const char *const names[] = {"critical", "high", "medium", "low",
                                        "informational"};
    size_t len;
    const char *s = scalar(c, n, "level", &len);
    if (!s)
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (util_ieq(s, len, names[i], strlen(names[i]))) {
            c->rule->meta.severity = (exh_severity)i;
            return;
        }
    }
    fail(c, node_line(n), "unknown level '%.*s'", (int)(len > 40 ? 40 : len),
         s);
}

/* logsource: product, service, category (others, e.g. definition, ignored). */
static void logsource_parse(compiler *c, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        fail(c, node_line(n), "'logsource' must be a map");
        return;
    }
    if (!map_check(c, n))
        return;
    sigma_meta *m = &c->rule->meta;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top && c->st == EXH_OK; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        if (key_is(k, "product"))
            m->product = scalar_dup(c, v, "logsource.product");
        else if (key_is(k, "service"))
            m->service = scalar_dup(c, v, "logsource.service");
        else if (key_is(k, "category"))
            m->category = scalar_dup(c, v, "logsource.category");
    }
}

/* The exhunt: {category: X} attribute; *set tells whether it was given. */
static void exhunt_parse(compiler *c, yaml_node_t *n, bool *set)
{
    if (n->type != YAML_MAPPING_NODE) {
        fail(c, node_line(n), "'exhunt' must be a map");
        return;
    }
    if (!map_check(c, n))
        return;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top && c->st == EXH_OK; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        if (!key_is(k, "category"))
            continue;
        size_t len;
        const char *s = scalar(c, v, "exhunt.category", &len);
        if (!s)
            return;
        for (int i = EXH_CAT_VULNERABLE; i <= EXH_CAT_SUSPICIOUS; i++) {
            const char *name = exh_category_name((exh_category)i);
            if (name && len == strlen(name) && !memcmp(s, name, len)) {
                c->rule->meta.category_value = (exh_category)i;
                *set = true;
                return;
            }
        }
        fail(c, node_line(v), "unknown exhunt category '%.*s'",
             (int)(len > 40 ? 40 : len), s);
    }
}

/* ---- values and fields --------------------------------------------------- */

/* Encoding modifiers, applied to a value in the order written. */
enum xform {
    XF_BASE64,
    XF_B64OFF,
    XF_UTF16LE,
    XF_UTF16BE,
    XF_UTF16,
    XF_WINDASH
};

/* Modifiers of one field key. */
typedef struct mods {
    bool contains, startswith, endswith, all, re, cased;
    bool cidr, exists, fieldref;
    unsigned char cmp; /* enum cmpop */
    uint32_t re_flags;
    unsigned char xf[MAX_XF]; /* enum xform, in order */
    size_t nxf;
    const char *cmp_name; /* "lt", ...: for messages */
} mods;

/* Modifiers of the specification that this engine does not evaluate. */
static const char *const unsupported_mods[] = {"expand"};

/* The encoding modifiers and what they stand for. */
static const struct {
    const char *name;
    unsigned char xf;
} xf_names[] = {{"base64", XF_BASE64},   {"base64offset", XF_B64OFF},
                {"wide", XF_UTF16LE},    {"utf16le", XF_UTF16LE},
                {"utf16be", XF_UTF16BE}, {"utf16", XF_UTF16},
                {"windash", XF_WINDASH}};

/* Checks the combination of modifiers in m (the key is s, len bytes). */
static bool mods_check(compiler *c, const mods *m, size_t line, const char *s,
                       size_t len)
{
    int w = (int)(len > 80 ? 80 : len);
    int kinds = m->contains + m->startswith + m->endswith + m->re;
    int types = m->re + m->cidr + m->exists + m->fieldref + (m->cmp != 0) +
                (m->nxf > 0);
    if (kinds > 1 || types > 1) {
        fail(c, line, "conflicting modifiers in '%.*s'", w, s);
        return false;
    }
    bool wild = m->contains || m->startswith || m->endswith;
    const char *only = m->cidr     ? "cidr"
                       : m->exists ? "exists"
                       : m->cmp    ? m->cmp_name
                                   : NULL;
    if (only && (wild || m->cased || (m->exists && m->all))) {
        fail(c, line, "'%s' cannot be combined with other modifiers in '%.*s'",
             only, w, s);
        return false;
    }
    return true;
}

/* Parses "Field|mod|mod" into *name (arena copy, without modifiers) and *m. */
static bool key_parse(compiler *c, yaml_node_t *k, const char **name, mods *m)
{
    size_t len;
    const char *s = scalar(c, k, "field name", &len);
    if (!s)
        return false;
    memset(m, 0, sizeof *m);
    const char *bar = memchr(s, '|', len);
    size_t name_len = bar ? (size_t)(bar - s) : len;
    *name = arena_strndup(c->rule, s, name_len);
    if (!*name) {
        fail_nomem(c);
        return false;
    }
    size_t line = node_line(k);
    const char *p = bar, *end = s + len;
    const char *wild_mod = NULL; // contains/startswith/endswith seen
    while (p && p < end) {
        const char *q = p + 1;
        const char *next = memchr(q, '|', (size_t)(end - q));
        size_t n = (size_t)((next ? next : end) - q);
        int w = (int)(n > 40 ? 40 : n);
        int xf = -1;
        for (size_t i = 0; i < sizeof xf_names / sizeof xf_names[0]; i++) {
            if (n == strlen(xf_names[i].name) &&
                !memcmp(q, xf_names[i].name, n))
                xf = xf_names[i].xf;
        }
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(q, lit, n))
        if (IS("contains"))
            m->contains = true, wild_mod = "contains";
        else if (IS("startswith"))
            m->startswith = true, wild_mod = "startswith";
        else if (IS("endswith"))
            m->endswith = true, wild_mod = "endswith";
        else if (IS("all"))
            m->all = true;
        else if (IS("re"))
            m->re = true;
        else if (IS("cased"))
            m->cased = true;
        else if ((IS("i") || IS("m") || IS("s")) && m->re)
            m->re_flags |= IS("i")   ? PCRE2_CASELESS
                           : IS("m") ? PCRE2_MULTILINE
                                     : PCRE2_DOTALL;
        else if (IS("cidr"))
            m->cidr = true;
        else if (IS("exists"))
            m->exists = true;
        else if (IS("fieldref"))
            m->fieldref = true;
        else if (IS("lt") || IS("lte") || IS("gt") || IS("gte")) {
            if (m->cmp) {
                fail(c, line, "conflicting modifiers in '%.*s'",
                     (int)(len > 80 ? 80 : len), s);
                return false;
            }
            m->cmp = IS("lt")    ? CMP_LT
                     : IS("lte") ? CMP_LTE
                     : IS("gt")  ? CMP_GT
                                 : CMP_GTE;
            m->cmp_name = IS("lt")    ? "lt"
                          : IS("lte") ? "lte"
                          : IS("gt")  ? "gt"
                                      : "gte";
        } else if (xf >= 0) {
            if (m->nxf == MAX_XF) {
                fail(c, line, "more than %d encoding modifiers", MAX_XF);
                return false;
            }
            if ((xf == XF_BASE64 || xf == XF_B64OFF) && wild_mod) {
                fail(c, line, "'%.*s' cannot encode the wildcards of '%s'", w,
                     q, wild_mod);
                return false;
            }
            m->xf[m->nxf++] = (unsigned char)xf;
        } else {
            bool known = IS("i") || IS("m") || IS("s");
            for (size_t i = 0;
                 i < sizeof unsupported_mods / sizeof unsupported_mods[0]; i++)
                known = known || (n == strlen(unsupported_mods[i]) &&
                                  !memcmp(q, unsupported_mods[i], n));
            if (known)
                fail(c, line, "unsupported modifier '%.*s'", w, q);
            else
                fail(c, line, "unknown modifier '%.*s'", w, q);
            return false;
        }
#undef IS
        p = next;
    }
    return mods_check(c, m, line, s, len);
}

/* Unescapes a Sigma string: '*' and '?' are wildcards, a backslash escapes
 * '*', '?' and itself and is literal before anything else. Writes bytes to
 * out and 0/'*'/'?' to wild; returns the count. Out has room for len+2. */
static size_t pattern_parse(const char *s, size_t len, unsigned char *out,
                            unsigned char *wild, bool lead_star, bool cased)
{
    size_t n = 0;
    if (lead_star) {
        out[n] = '*';
        wild[n++] = '*';
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        unsigned char w = 0;
        if (ch == '\\' && i + 1 < len &&
            (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
            ch = (unsigned char)s[++i];
        } else if (ch == '*' || ch == '?') {
            w = ch;
        }
        if (w == '*' && n > 0 && wild[n - 1] == '*')
            continue;
        out[n] = cased || w ? ch : fold(ch);
        wild[n++] = w;
    }
    return n;
}

/* Sets v's kind from its parsed pattern: the common shapes (no wildcards,
 * or stars only at the ends) become plain compares. */
static void pattern_classify(svalue *v, const unsigned char *p,
                             const unsigned char *w, size_t n)
{
    size_t inner_wild = 0;
    for (size_t i = 1; i + 1 < n; i++)
        inner_wild += w[i] != 0;
    bool lead = n > 0 && w[0] == '*', trail = n > 0 && w[n - 1] == '*';
    if (n == 1 && lead) {
        v->kind = VK_ANY;
        return;
    }
    bool simple = inner_wild == 0 && (n < 1 || w[0] == 0 || lead) &&
                  (n < 2 || w[n - 1] == 0 || trail);
    if (!simple) {
        v->kind = VK_GLOB;
        v->text = p;
        v->wild = w;
        v->len = n;
        return;
    }
    v->text = p + lead;
    v->len = n - lead - (trail && n > 1);
    v->kind = lead && trail ? VK_CONTAINS
              : lead        ? VK_SUFFIX
              : trail       ? VK_PREFIX
                            : VK_EQ;
}

static void *re_alloc(PCRE2_SIZE len, void *user)
{
    (void)user;
    return exh_malloc(len);
}

static void re_release(void *p, void *user)
{
    (void)user;
    exh_free(p);
}

/* Collects the literals of a pattern into the rule's arena. */
typedef struct re_lit_ctx {
    compiler *c;
    const char *lits[64];
    size_t n;
} re_lit_ctx;

static bool re_lit_add(void *user, const char *lit, size_t len)
{
    re_lit_ctx *x = user;
    if (x->n == sizeof x->lits / sizeof x->lits[0])
        return false;
    char *copy = arena_alloc(x->c->rule, len + 1);
    if (!copy) {
        fail_nomem(x->c);
        return false;
    }
    memcpy(copy, lit, len);
    copy[len] = '\0';
    x->lits[x->n++] = copy;
    return true;
}

/* The literals a regular expression requires (none when unknown). */
static void re_literals(compiler *c, svalue *v, const char *s, size_t len)
{
    re_lit_ctx x = {.c = c};
    size_t n = relit_required(s, len, MIN_LIT_LEN, re_lit_add, &x);
    if (n == 0 || c->st != EXH_OK)
        return;
    const char **lits = arena_array(c->rule, n, sizeof *lits);
    if (!lits) {
        fail_nomem(c);
        return;
    }
    memcpy(lits, x.lits, n * sizeof *lits);
    v->re_lits = lits;
    v->re_lit_count = n;
}

static bool re_compile(compiler *c, svalue *v, const char *s, size_t len,
                       const mods *m, size_t line)
{
    sigma_rule *r = c->rule;
    if (r->re_count == r->re_cap) {
        size_t cap = r->re_cap ? r->re_cap * 2 : 4;
        pcre2_code **p = exh_realloc(r->res, cap * sizeof *p);
        if (!p) {
            fail_nomem(c);
            return false;
        }
        r->res = p;
        r->re_cap = cap;
    }
    pcre2_compile_context *cc = pcre2_compile_context_create(c->gctx);
    if (!cc) {
        fail_nomem(c);
        return false;
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)s, len, m->re_flags, &err, &off, cc);
    pcre2_compile_context_free(cc);
    if (!code && err == PCRE2_ERROR_HEAP_FAILED) {
        fail_nomem(c);
        return false;
    }
    if (!code) {
        PCRE2_UCHAR text[160];
        pcre2_get_error_message(err, text, sizeof text);
        fail(c, line, "bad regular expression at offset %zu: %s", (size_t)off,
             (const char *)text);
        return false;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    r->res[r->re_count++] = code;
    v->kind = VK_RE;
    v->re = code;
    re_literals(c, v, s, len);
    return c->st == EXH_OK;
}

/* A value on its way through the encoding modifiers: bytes and, per byte,
 * 0 or the wildcard '*'/'?' (as pattern_parse gives them, unfolded) or WD
 * (windash). */
typedef struct xvar {
    unsigned char *p, *w;
    size_t n;
} xvar;

/* Decodes one UTF-8 character of p[0..n); returns its length, 0 when the
 * bytes are not valid UTF-8 (overlong forms and surrogates included). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0];
    size_t len = b < 0x80   ? 1
                 : b < 0xC2 ? 0
                 : b < 0xE0 ? 2
                 : b < 0xF0 ? 3
                 : b < 0xF5 ? 4
                            : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t v = len == 1 ? b : (uint32_t)(b & (0x7F >> len));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    return len;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard Base64 (with '=' padding) of in[0..n) into out (room for
 * 4 * ((n + 2) / 3) bytes); returns the length. */
static size_t b64_encode(const unsigned char *in, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = (unsigned char)b64_alphabet[(v >> 18) & 63];
        out[o++] = (unsigned char)b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? (unsigned char)b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? (unsigned char)b64_alphabet[v & 63] : '=';
    }
    return o;
}

/* A new variant of n bytes in the arena (within the rule's budget). */
static bool xvar_alloc(compiler *c, xvar *x, size_t n, size_t line)
{
    size_t total;
    if (__builtin_add_overflow(c->expand_bytes, n, &total) ||
        total > MAX_EXPAND_BYTES) {
        fail(c, line, "encoded values larger than %u bytes", MAX_EXPAND_BYTES);
        return false;
    }
    c->expand_bytes = total;
    x->p = arena_alloc(c->rule, n + 1);
    x->w = arena_alloc(c->rule, n + 1);
    x->n = 0;
    if (!x->p || !x->w) {
        fail_nomem(c);
        return false;
    }
    return true;
}

/* UTF-16 (le, be, or le after a byte order mark) of x's text; wildcards
 * stay as they are. */
static bool xf_utf16(compiler *c, const xvar *x, xvar *o, unsigned char xf,
                     size_t line)
{
    if (x->n > (SIZE_MAX - 2) / 2 || !xvar_alloc(c, o, 2 * x->n + 2, line))
        return false;
    bool be = xf == XF_UTF16BE;
    if (xf == XF_UTF16) {
        o->p[o->n++] = 0xFF;
        o->p[o->n++] = 0xFE;
    }
    for (size_t i = 0; i < x->n;) {
        if (x->w[i]) {
            o->w[o->n] = x->w[i];
            o->p[o->n++] = x->p[i++];
            continue;
        }
        size_t run = i;
        while (run < x->n && !x->w[run])
            run++;
        uint32_t cp;
        size_t k = utf8_decode(x->p + i, run - i, &cp);
        if (!k) {
            fail(c, line, "value for UTF-16 encoding is not valid UTF-8");
            return false;
        }
        i += k;
        uint32_t units[2] = {cp, 0};
        size_t nu = 1;
        if (cp >= 0x10000) {
            units[0] = 0xD800 | ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 | ((cp - 0x10000) & 0x3FF);
            nu = 2;
        }
        for (size_t u = 0; u < nu; u++) {
            unsigned char lo = (unsigned char)(units[u] & 0xFF);
            unsigned char hi = (unsigned char)(units[u] >> 8);
            o->p[o->n++] = be ? hi : lo;
            o->p[o->n++] = be ? lo : hi;
        }
    }
    return true;
}

/* Base64 of x (shift 0) or, for base64offset, of shift spaces then x with
 * the characters that depend on the unknown neighbours trimmed, as the
 * specification (and pySigma) defines the three offset encodings. */
static bool xf_base64(compiler *c, const xvar *x, xvar *o, size_t shift,
                      bool offset, size_t line)
{
    for (size_t i = 0; i < x->n; i++) {
        if (x->w[i]) {
            fail(c, line, "Base64 encoding of a value with wildcards");
            return false;
        }
    }
    size_t in_len = x->n + shift;
    if (in_len < x->n || in_len > SIZE_MAX / 2) {
        fail_nomem(c);
        return false;
    }
    unsigned char *in = exh_malloc(in_len + 1);
    if (!in) {
        fail_nomem(c);
        return false;
    }
    memset(in, ' ', shift);
    if (x->n)
        memcpy(in + shift, x->p, x->n);
    size_t enc_len = (in_len + 2) / 3 * 4;
    if (!xvar_alloc(c, o, enc_len, line)) {
        exh_free(in);
        return false;
    }
    size_t e = b64_encode(in, in_len, o->p);
    exh_free(in);
    size_t start = 0, stop = e;
    if (offset) {
        static const size_t starts[3] = {0, 2, 3};
        static const size_t trims[3] = {0, 3, 2};
        start = starts[shift];
        size_t trim = trims[in_len % 3];
        stop = e > trim ? e - trim : 0;
        if (start > stop)
            start = stop;
    }
    memmove(o->p, o->p + start, stop - start);
    o->n = stop - start;
    return true;
}

/* Word bytes for windash (Python's \w, with any non-ASCII byte a letter). */
static bool word_byte(const xvar *x, size_t i)
{
    if (i >= x->n || x->w[i])
        return false;
    unsigned char ch = x->p[i];
    return ch == '_' || ch >= 0x80 || (ch >= '0' && ch <= '9') ||
           (fold(ch) >= 'a' && fold(ch) <= 'z');
}

/* The windash dashes: '-', '/', en dash, em dash, horizontal bar. */
static const char *const windashes[] = {"-", "/", "\xE2\x80\x93",
                                        "\xE2\x80\x94", "\xE2\x80\x95"};
#define WINDASHES 5

/* The wildcard byte of a windash position: any one of the five dashes. */
#define WD 'd'

/* The bytes of a dash at s[0..n): 1 ('-', '/'), 3 (en dash, em dash,
 * horizontal bar: E2 80 93..95) or 0 when there is none. */
static size_t dash_at(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == '-' || s[0] == '/'))
        return 1;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x93 && s[2] <= 0x95)
        return 3;
    return 0;
}

/* True at a '-' or '/' that pySigma's windash replaces: no word byte
 * before it, a word byte after it (the regex \B[-/]\b). */
static bool windash_at(const xvar *x, size_t i)
{
    return !x->w[i] && (x->p[i] == '-' || x->p[i] == '/') &&
           !(i > 0 && word_byte(x, i - 1)) && word_byte(x, i + 1);
}

/* x with its windash positions made the wildcard WD, which matches any of
 * the five dashes (glob): one value whatever the number of dashes. */
static bool xf_windash_mark(compiler *c, const xvar *x, xvar *o, size_t line)
{
    if (!xvar_alloc(c, o, x->n, line))
        return false;
    for (size_t i = 0; i < x->n; i++) {
        bool dash = windash_at(x, i);
        o->w[i] = dash ? WD : x->w[i];
        o->p[i] = dash ? '-' : x->p[i];
    }
    o->n = x->n;
    return true;
}

/* Every combination of dashes at the windash positions of x, appended to
 * out (room checked by the caller: windash_count); for a windash that
 * another encoding follows, which must see the dashes' bytes. */
static bool xf_windash(compiler *c, const xvar *x, xvar *out, size_t count,
                       size_t line)
{
    for (size_t v = 0; v < count; v++) {
        xvar *o = &out[v];
        if (x->n > (SIZE_MAX - 1) / 3 || !xvar_alloc(c, o, 3 * x->n, line))
            return false;
        size_t digits = v; // base-5 digits choose each position's dash
        for (size_t i = 0; i < x->n; i++) {
            if (!windash_at(x, i)) {
                o->w[o->n] = x->w[i];
                o->p[o->n++] = x->p[i];
                continue;
            }
            const char *d = windashes[digits % WINDASHES];
            digits /= WINDASHES;
            for (; *d; d++)
                o->p[o->n++] = (unsigned char)*d;
        }
    }
    return true;
}

/* Number of windash variants of x, or 0 when more than limit. */
static size_t windash_count(const xvar *x, size_t limit)
{
    size_t count = 1;
    for (size_t i = 0; i < x->n; i++) {
        if (windash_at(x, i) &&
            (__builtin_mul_overflow(count, WINDASHES, &count) || count > limit))
            return 0;
    }
    return count;
}

/* Applies the encoding modifiers of m to one value: *vars (count *nvars)
 * becomes the list of its variants, OR-ed. */
static bool xf_apply(compiler *c, const mods *m, xvar **vars, size_t *nvars,
                     size_t line)
{
    for (size_t s = 0; s < m->nxf; s++) {
        unsigned char xf = m->xf[s];
        size_t limit = MAX_VALUES - (c->values < MAX_VALUES ? c->values : 0);
        // A windash that ends the chain marks its dashes (WD), matched at
        // match time: linear in the dashes. One that another encoding
        // follows multiplies a value by 5 per dash, capped: a value of many
        // dashes would compile for minutes (found by fuzzing).
        bool expand = xf == XF_WINDASH && s + 1 < m->nxf;
        size_t wlimit = limit < MAX_WINDASH ? limit : MAX_WINDASH;
        size_t total = 0;
        for (size_t i = 0; i < *nvars; i++) {
            size_t k = xf == XF_B64OFF ? 3
                       : expand        ? windash_count(&(*vars)[i], wlimit)
                                       : 1;
            if (k == 0 && expand) {
                fail(c, line,
                     "windash: too many dashes (more than %d variants)",
                     MAX_WINDASH);
                return false;
            }
            if (k == 0 || __builtin_add_overflow(total, k, &total) ||
                total > limit) {
                fail(c, line, "too many values (more than %d)", MAX_VALUES);
                return false;
            }
        }
        xvar *out = arena_array(c->rule, total, sizeof *out);
        if (!out) {
            fail_nomem(c);
            return false;
        }
        size_t o = 0;
        for (size_t i = 0; i < *nvars; i++) {
            const xvar *x = &(*vars)[i];
            bool ok = true;
            if (xf == XF_BASE64) {
                ok = xf_base64(c, x, &out[o++], 0, false, line);
            } else if (xf == XF_B64OFF) {
                for (size_t sh = 0; sh < 3 && ok; sh++)
                    ok = xf_base64(c, x, &out[o++], sh, true, line);
            } else if (expand) {
                size_t k = windash_count(x, wlimit);
                ok = xf_windash(c, x, &out[o], k, line);
                o += k;
            } else if (xf == XF_WINDASH) {
                ok = xf_windash_mark(c, x, &out[o++], line);
            } else {
                ok = xf_utf16(c, x, &out[o++], xf, line);
            }
            if (!ok)
                return false;
        }
        *vars = out;
        *nvars = total;
    }
    return true;
}

/* Finishes one (encoded) value: the wildcards contains/startswith/endswith
 * add, folding unless cased, and the kind. */
static bool value_finish(compiler *c, svalue *v, const xvar *x, const mods *m,
                         bool field)
{
    bool contains = m->contains || (!field && !m->startswith && !m->endswith);
    unsigned char *p = arena_alloc(c->rule, x->n + 2);
    unsigned char *w = arena_alloc(c->rule, x->n + 2);
    if (!p || !w) {
        fail_nomem(c);
        return false;
    }
    size_t k = 0;
    if (contains || m->endswith) {
        p[k] = '*';
        w[k++] = '*';
    }
    for (size_t i = 0; i < x->n; i++) {
        if (x->w[i] == '*' && k > 0 && w[k - 1] == '*')
            continue;
        p[k] = m->cased || x->w[i] ? x->p[i] : fold(x->p[i]);
        w[k++] = x->w[i];
    }
    if ((contains || m->startswith) && !(k > 0 && w[k - 1] == '*')) {
        p[k] = '*';
        w[k++] = '*';
    }
    v->cased = m->cased;
    v->derived = m->nxf > 0;
    pattern_classify(v, p, w, k);
    return true;
}

/* Strict decimal number: [+-]digits[.digits][e[+-]digits] (a '.' may
 * start or end the digits), nothing else. */
static bool number_parse(const unsigned char *s, size_t n, double *out)
{
    char text[64];
    size_t i = 0, digits = 0;
    if (n == 0 || n >= sizeof text)
        return false;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    }
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            e++;
        if (!e)
            return false;
    }
    if (i != n)
        return false;
    memcpy(text, s, n);
    text[n] = 0;
    char *end;
    *out = strtod(text, &end);
    return end == text + n;
}

/* Parses an IPv4 or IPv6 address of s[0..n) into a (16 bytes; IPv4 in
 * the first 4); returns 4, 6 or 0 when it is not an address. */
static int addr_parse(const unsigned char *s, size_t n, unsigned char *a)
{
    char text[64];
    if (n == 0 || n >= sizeof text || memchr(s, 0, n))
        return 0;
    memcpy(text, s, n);
    text[n] = 0;
    if (inet_pton(AF_INET, text, a) == 1)
        return 4;
    if (inet_pton(AF_INET6, text, a) == 1)
        return 6;
    return 0;
}

/* True when the first bits bits of a and b are equal. */
static bool prefix_eq(const unsigned char *a, const unsigned char *b,
                      unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(a, b, whole))
        return false;
    unsigned rest = bits % 8;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* "a.b.c.d[/n]" or "ipv6[/n]" as a network (no host bits set). */
static bool cidr_compile(compiler *c, svalue *v, const char *s, size_t len,
                         size_t line)
{
    int w = (int)(len > 60 ? 60 : len);
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    unsigned char *net = arena_alloc(c->rule, 16);
    if (!net) {
        fail_nomem(c);
        return false;
    }
    int fam = addr_parse((const unsigned char *)s, alen, net);
    unsigned max = fam == 4 ? 32 : 128, bits = max;
    if (fam && slash) {
        size_t dl = len - alen - 1;
        bits = 0;
        if (dl == 0 || dl > 3 || !all_digits(slash + 1, dl))
            fam = 0;
        for (size_t i = 0; i < dl; i++)
            bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
        if (bits > max)
            fam = 0;
    }
    if (!fam) {
        fail(c, line, "invalid CIDR network '%.*s'", w, s);
        return false;
    }
    unsigned char zero[16] = {0}, host[16];
    memcpy(host, net, 16);
    for (unsigned b = 0; b < max; b++) {
        if (b < bits)
            host[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
    }
    if (memcmp(host, zero, max / 8)) {
        fail(c, line, "CIDR network '%.*s' has host bits set", w, s);
        return false;
    }
    v->kind = VK_CIDR;
    v->text = net;
    v->op = (unsigned char)fam;
    v->bits = (unsigned char)bits;
    return true;
}

/* True for a YAML boolean true (b) or false. */
static bool bool_parse(const char *s, size_t len, bool *b)
{
    static const char *const t[] = {"true", "True", "TRUE"};
    static const char *const f[] = {"false", "False", "FALSE"};
    for (size_t i = 0; i < 3; i++) {
        if ((len == strlen(t[i]) && !memcmp(s, t[i], len)) ||
            (len == strlen(f[i]) && !memcmp(s, f[i], len))) {
            *b = len == strlen(t[i]) && !memcmp(s, t[i], len);
            return true;
        }
    }
    return false;
}

/* The value types that are not patterns: cidr, lt/lte/gt/gte, exists,
 * fieldref. */
static bool value_special(compiler *c, svalue *v, const char *s, size_t len,
                          const mods *m, size_t line)
{
    int w = (int)(len > 60 ? 60 : len);
    if (m->cidr)
        return cidr_compile(c, v, s, len, line);
    if (m->cmp) {
        if (!number_parse((const unsigned char *)s, len, &v->num)) {
            fail(c, line, "'%s' needs a number, not '%.*s'", m->cmp_name, w, s);
            return false;
        }
        v->kind = VK_CMP;
        v->op = m->cmp;
        return true;
    }
    if (m->exists) {
        bool b;
        if (!bool_parse(s, len, &b)) {
            fail(c, line, "'exists' needs true or false, not '%.*s'", w, s);
            return false;
        }
        v->kind = VK_EXISTS;
        v->op = b;
        return true;
    }
    // fieldref: a plain field name
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '|' || s[i] == 0) {
            fail(c, line, "invalid field reference '%.*s'", w, s);
            return false;
        }
    }
    if (len == 0) {
        fail(c, line, "empty field reference");
        return false;
    }
    char *name = arena_strndup(c->rule, s, len);
    if (!name) {
        fail_nomem(c);
        return false;
    }
    v->kind = VK_FIELDREF;
    v->cased = m->cased;
    v->text = (const unsigned char *)name;
    v->len = len;
    v->op = m->contains     ? VK_CONTAINS
            : m->startswith ? VK_PREFIX
            : m->endswith   ? VK_SUFFIX
                            : VK_EQ;
    return true;
}

/* Fields IIS writes with '+' for a space (cs(User-Agent), cs(Referer),
 * cs(Cookie)), which the reader gives with '+' read as a space. SigmaHQ's
 * webserver rules write their values as IIS logs them ("Mozilla/5.0+(
 * compatible;+Baiduspider/2.0;++http://..."). */
static bool is_plus_field(const char *name)
{
    static const char *const names[] = {"cs-user-agent", "cs-referrer",
                                        "cs-referer", "cs-cookie"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (util_strcasecmp(name, names[i]) == 0)
            return true;
    }
    return false;
}

/* A value of a '+' field: each literal '+' of the rule becomes a
 * one-character wildcard, so that it matches a space (an IIS value, '+'
 * read as one) and a '+' (HttpProxy's UserAgent, written as sent). */
static void plus_either(xvar *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (x->p[i] == '+' && x->w[i] == 0)
            x->p[i] = x->w[i] = '?';
    }
}

/* Compiles one value node of a field with modifiers m. */
static bool value_compile(compiler *c, sfield *f, svalue *v, yaml_node_t *n,
                          const mods *m)
{
    if (++c->values > MAX_VALUES) {
        fail(c, node_line(n), "too many values (more than %d)", MAX_VALUES);
        return false;
    }
    if (n->type != YAML_SCALAR_NODE) {
        fail(c, node_line(n),
             "nested lists or maps as values are not supported");
        return false;
    }
    v->cased = m->cased;
    bool special = m->cidr || m->cmp || m->exists || m->fieldref;
    if (is_null(n) && !m->exists) {
        if (m->contains || m->startswith || m->endswith || m->re || !f->name ||
            special || m->nxf) {
            fail(c, node_line(n), "null cannot take modifiers");
            return false;
        }
        v->kind = VK_NULL;
        return true;
    }
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (m->re)
        return re_compile(c, v, s, len, m, node_line(n));
    if (special)
        return value_special(c, v, s, len, m, node_line(n));
    xvar one;
    one.p = arena_alloc(c->rule, len + 2);
    one.w = arena_alloc(c->rule, len + 2);
    if (!one.p || !one.w) {
        fail_nomem(c);
        return false;
    }
    one.n = pattern_parse(s, len, one.p, one.w, false, true);
    if (!m->nxf && f->name && is_plus_field(f->name))
        plus_either(&one);
    xvar *vars = &one;
    size_t nvars = 1;
    if (m->nxf && !xf_apply(c, m, &vars, &nvars, node_line(n)))
        return false;
    if (nvars == 1)
        return value_finish(c, v, vars, m, f->name != NULL);
    c->values += nvars - 1;
    svalue *alts = arena_array(c->rule, nvars, sizeof *alts);
    if (!alts) {
        fail_nomem(c);
        return false;
    }
    for (size_t i = 0; i < nvars; i++) {
        if (!value_finish(c, &alts[i], &vars[i], m, f->name != NULL))
            return false;
    }
    v->kind = VK_ALT;
    v->alts = alts;
    v->len = nvars;
    v->derived = true;
    return true;
}

/* Fields that hold a request's URI, matched percent-decoded too: attackers
 * encode to evade (ProxyNotShell's "%50owershell"). HttpProxy's
 * AnchorMailbox and BackEndCookie hold the back-end URI a forged
 * X-BEResource cookie chose (ProxyLogon's "...schema=%52eset..."). */
static bool is_uri_field(const char *name)
{
    static const char *const names[] = {
        "cs-uri-stem",   "cs-uri-query", "cs-uri",  "c-uri",
        "c-uri-path",    "c-uri-query",  "UrlStem", "UrlQuery",
        "AnchorMailbox", "BackEndCookie"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (util_strcasecmp(name, names[i]) == 0)
            return true;
    }
    return false;
}

/* Compiles one "Field|mods: value(s)" pair of a map. */
static bool field_compile(compiler *c, sfield *f, yaml_node_t *k,
                          yaml_node_t *val)
{
    mods m;
    if (!key_parse(c, k, &f->name, &m))
        return false;
    if (f->name[0] == 0)
        f->name = NULL; // "|all": a keyword list
    if (!f->name && (m.cidr || m.cmp || m.exists || m.fieldref)) {
        fail(c, node_line(k), "'%s' needs a field name",
             m.cidr     ? "cidr"
             : m.cmp    ? m.cmp_name
             : m.exists ? "exists"
                        : "fieldref");
        return false;
    }
    f->all = m.all;
    yaml_node_item_t *items, one = 0;
    if (val->type == YAML_MAPPING_NODE) {
        fail(c, node_line(val), "a map is not a value of field '%s'",
             f->name ? f->name : "");
        return false;
    }
    size_t count = seq_items(c, val, &items, &one);
    if (count == 0) {
        fail(c, node_line(val), "empty value list");
        return false;
    }
    f->values = arena_array(c->rule, count, sizeof *f->values);
    if (!f->values) {
        fail_nomem(c);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *vn = node_at(c, items[i]);
        if (!value_compile(c, f, &f->values[i], vn, &m))
            return false;
        f->count++;
        // SigmaHQ's webserver rules put paths in cs-uri-query, meaning the
        // whole URI (their sources log it in one field).
        if (f->name && util_strcasecmp(f->name, "cs-uri-query") == 0 && vn &&
            vn->type == YAML_SCALAR_NODE &&
            memchr(vn->data.scalar.value, '/', vn->data.scalar.length))
            f->whole_uri = true;
    }
    f->decode = f->name && is_uri_field(f->name);
    c->rule->decodes |= f->decode;
    return true;
}

static bool conj_compile(compiler *c, sconj *cj, yaml_node_t *map)
{
    size_t count =
        (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (count == 0) {
        fail(c, node_line(map), "empty map in selection");
        return false;
    }
    cj->fields = arena_array(c->rule, count, sizeof *cj->fields);
    if (!cj->fields) {
        fail_nomem(c);
        return false;
    }
    if (!map_check(c, map))
        return false;
    for (size_t i = 0; i < count; i++) {
        yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(c, p->key);
        if (!field_compile(c, &cj->fields[i], k, node_at(c, p->value)))
            return false;
        cj->count++;
    }
    return true;
}

/* Keywords: the scalars of a list, OR-ed, searched in the raw record. */
static bool keywords_compile(compiler *c, sconj *cj, yaml_node_t *seq,
                             size_t scalars)
{
    cj->fields = arena_alloc(c->rule, sizeof *cj->fields);
    if (!cj->fields) {
        fail_nomem(c);
        return false;
    }
    sfield *f = cj->fields;
    f->values = arena_array(c->rule, scalars, sizeof *f->values);
    if (!f->values) {
        fail_nomem(c);
        return false;
    }
    cj->count = 1;
    mods m;
    memset(&m, 0, sizeof m);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *n = node_at(c, *it);
        if (n->type != YAML_SCALAR_NODE)
            continue;
        if (is_null(n)) {
            fail(c, node_line(n), "null is not a keyword");
            return false;
        }
        if (!value_compile(c, f, &f->values[f->count], n, &m))
            return false;
        f->count++;
    }
    return true;
}

/* A selection: a map, a list of maps and/or keywords, or one keyword. */
static bool selection_compile(compiler *c, ssel *s, yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE) {
        s->conj = arena_alloc(c->rule, sizeof *s->conj);
        if (!s->conj) {
            fail_nomem(c);
            return false;
        }
        s->count = 1;
        return conj_compile(c, s->conj, n);
    }
    if (n->type == YAML_SCALAR_NODE && is_null(n)) {
        fail(c, node_line(n), "selection '%s' is empty", s->name);
        return false;
    }
    if (n->type == YAML_SCALAR_NODE) {
        fail(c, node_line(n), "selection '%s' must be a map or a list",
             s->name);
        return false;
    }
    size_t maps = 0, scalars = 0;
    yaml_node_item_t *it;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = node_at(c, *it);
        if (item->type == YAML_MAPPING_NODE)
            maps++;
        else if (item->type == YAML_SCALAR_NODE)
            scalars++;
        else {
            fail(c, node_line(item),
                 "nested lists in a selection are not "
                 "supported");
            return false;
        }
    }
    if (maps + scalars == 0) {
        fail(c, node_line(n), "selection '%s' is empty", s->name);
        return false;
    }
    s->conj = arena_array(c->rule, maps + (scalars > 0), sizeof *s->conj);
    if (!s->conj) {
        fail_nomem(c);
        return false;
    }
    if (scalars && !keywords_compile(c, &s->conj[s->count++], n, scalars))
        return false;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = node_at(c, *it);
        if (item->type != YAML_MAPPING_NODE)
            continue;
        if (!conj_compile(c, &s->conj[s->count], item))
            return false;
        s->count++;
    }
    return true;
}

/* ---- conditions ---------------------------------------------------------- */

typedef struct cparser {
    compiler *c;
    const char *s;
    size_t len, pos;
    size_t line;
    int depth;
    const char *tok; /* current token */
    size_t tok_len;  /* 0 at the end */
} cparser;

static void cond_next(cparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
    p->tok = p->s + p->pos;
    if (p->pos >= p->len) {
        p->tok_len = 0;
        return;
    }
    char ch = p->s[p->pos];
    if (ch == '(' || ch == ')' || ch == '|') {
        p->tok_len = 1;
        p->pos++;
        return;
    }
    size_t start = p->pos;
    while (p->pos < p->len) {
        ch = p->s[p->pos];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '(' ||
            ch == ')' || ch == '|')
            break;
        p->pos++;
    }
    p->tok_len = p->pos - start;
}

static bool tok_is(const cparser *p, const char *word)
{
    return util_ieq(p->tok, p->tok_len, word, strlen(word));
}

static cnode *cnode_new(cparser *p, unsigned char op, size_t count)
{
    cnode *n = arena_alloc(p->c->rule, sizeof *n);
    if (n && count)
        n->kids = arena_array(p->c->rule, count, sizeof *n->kids);
    if (!n || (count && !n->kids)) {
        fail_nomem(p->c);
        return NULL;
    }
    n->op = op;
    n->count = count;
    return n;
}

/* True when name matches a selection pattern with '*' wildcards. */
static bool name_match(const char *pat, size_t plen, const char *name)
{
    size_t nlen = strlen(name), pi = 0, ni = 0, star = SIZE_MAX, mark = 0;
    while (ni < nlen) {
        if (pi < plen && pat[pi] == '*') {
            star = pi++;
            mark = ni;
        } else if (pi < plen && pat[pi] == name[ni]) {
            pi++;
            ni++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            ni = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && pat[pi] == '*')
        pi++;
    return pi == plen;
}

static bool ident_ok(const char *s, size_t len, bool pattern)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(ch == '_' || ch == '-' || ch == '.' || (ch >= '0' && ch <= '9') ||
              (fold(ch) >= 'a' && fold(ch) <= 'z') || ch >= 0x80 ||
              (pattern && ch == '*')))
            return false;
    }
    return len > 0;
}

/* "1 of X" / "all of X" (X a pattern or "them"): an OR / AND of selections. */
static cnode *cond_of(cparser *p, bool all)
{
    cond_next(p);
    if (!tok_is(p, "of")) {
        fail(p->c, p->line, "condition: expected 'of' after '%s'",
             all ? "all" : "1");
        return NULL;
    }
    cond_next(p);
    const char *pat = p->tok;
    size_t plen = p->tok_len;
    bool them = tok_is(p, "them");
    if (!them && !ident_ok(pat, plen, true)) {
        fail(p->c, p->line,
             "condition: expected a selection pattern or "
             "'them' after 'of'");
        return NULL;
    }
    sigma_rule *r = p->c->rule;
    size_t n = 0;
    for (size_t i = 0; i < r->sel_count; i++)
        n += them ? r->sels[i].name[0] != '_'
                  : name_match(pat, plen, r->sels[i].name);
    if (n == 0) {
        fail(p->c, p->line, "condition: no selection matches '%.*s'",
             (int)(plen > 80 ? 80 : plen), pat);
        return NULL;
    }
    cnode *node = cnode_new(p, all ? C_AND : C_OR, n);
    for (size_t i = 0, k = 0; node && i < r->sel_count; i++) {
        if (them ? r->sels[i].name[0] == '_'
                 : !name_match(pat, plen, r->sels[i].name))
            continue;
        cnode *leaf = cnode_new(p, C_SEL, 0);
        if (!leaf)
            return NULL;
        leaf->sel = i;
        node->kids[k++] = leaf;
    }
    cond_next(p);
    return node;
}

static cnode *cond_or(cparser *p);

static cnode *cond_primary(cparser *p)
{
    if (p->tok_len == 0) {
        fail(p->c, p->line, "condition: unexpected end");
        return NULL;
    }
    if (p->tok_len == 1 && p->tok[0] == '(') {
        if (++p->depth > MAX_COND_DEPTH) {
            fail(p->c, p->line, "condition: nested too deeply");
            return NULL;
        }
        cond_next(p);
        cnode *n = cond_or(p);
        if (!n)
            return NULL;
        if (!(p->tok_len == 1 && p->tok[0] == ')')) {
            fail(p->c, p->line, "condition: missing ')'");
            return NULL;
        }
        p->depth--;
        cond_next(p);
        return n;
    }
    if (p->tok_len == 1 && p->tok[0] == '|') {
        fail(p->c, p->line, "condition: aggregations ('|') are not supported");
        return NULL;
    }
    if (tok_is(p, "1") || tok_is(p, "any") || tok_is(p, "all"))
        return cond_of(p, tok_is(p, "all"));
    const char *t = p->tok;
    int w = (int)(p->tok_len > 80 ? 80 : p->tok_len);
    if (all_digits(t, p->tok_len)) {
        fail(p->c, p->line, "condition: '%.*s of' is not supported", w, t);
        return NULL;
    }
    if (tok_is(p, "and") || tok_is(p, "or") || tok_is(p, "of") ||
        tok_is(p, "them") || (p->tok_len == 1 && p->tok[0] == ')')) {
        fail(p->c, p->line, "condition: unexpected '%.*s'", w, t);
        return NULL;
    }
    sigma_rule *r = p->c->rule;
    for (size_t i = 0; i < r->sel_count; i++) {
        if (strlen(r->sels[i].name) == p->tok_len &&
            !memcmp(r->sels[i].name, t, p->tok_len)) {
            cnode *n = cnode_new(p, C_SEL, 0);
            if (n)
                n->sel = i;
            cond_next(p);
            return n;
        }
    }
    if (memchr(t, '*', p->tok_len))
        fail(p->c, p->line,
             "condition: pattern '%.*s' needs '1 of' or "
             "'all of'",
             w, t);
    else
        fail(p->c, p->line, "condition: unknown selection '%.*s'", w, t);
    return NULL;
}

static cnode *cond_not(cparser *p)
{
    if (!tok_is(p, "not"))
        return cond_primary(p);
    if (++p->depth > MAX_COND_DEPTH) {
        fail(p->c, p->line, "condition: nested too deeply");
        return NULL;
    }
    cond_next(p);
    cnode *kid = cond_not(p);
    p->depth--;
    cnode *n = kid ? cnode_new(p, C_NOT, 1) : NULL;
    if (n)
        n->kids[0] = kid;
    return n;
}

/* Parses operands joined by word (and/or) into one n-ary node. */
static cnode *cond_chain(cparser *p, const char *word, unsigned char op,
                         cnode *(*operand)(cparser *))
{
    cnode *first = operand(p);
    if (!first || !tok_is(p, word))
        return first;
    cnode *kids[64];
    size_t count = 0;
    kids[count++] = first;
    cnode *acc = NULL;
    while (tok_is(p, word)) {
        cond_next(p);
        cnode *k = operand(p);
        if (!k)
            return NULL;
        if (count == 64) {
            // fold a long chain: (acc op k0..k63) stays n-ary per 64
            cnode *n = cnode_new(p, op, count);
            if (!n)
                return NULL;
            memcpy(n->kids, kids, count * sizeof *kids);
            count = 0;
            kids[count++] = n;
        }
        kids[count++] = k;
    }
    acc = cnode_new(p, op, count);
    if (acc)
        memcpy(acc->kids, kids, count * sizeof *kids);
    return acc;
}

static cnode *cond_and(cparser *p)
{
    return cond_chain(p, "and", C_AND, cond_not);
}

static cnode *cond_or(cparser *p)
{
    return cond_chain(p, "or", C_OR, cond_and);
}

static cnode *cond_parse(compiler *c, yaml_node_t *n)
{
    size_t len;
    const char *s = scalar(c, n, "condition", &len);
    if (!s)
        return NULL;
    cparser p = {.c = c, .s = s, .len = len, .line = node_line(n)};
    cond_next(&p);
    if (p.tok_len == 0) {
        fail(c, p.line, "condition: empty");
        return NULL;
    }
    cnode *root = cond_or(&p);
    if (root && p.tok_len) {
        if (p.tok_len == 1 && p.tok[0] == '|')
            fail(c, p.line,
                 "condition: aggregations ('|') are not "
                 "supported");
        else
            fail(c, p.line, "condition: unexpected '%.*s'",
                 (int)(p.tok_len > 80 ? 80 : p.tok_len), p.tok);
        return NULL;
    }
    return c->st == EXH_OK ? root : NULL;
}

/* Marks selections used outside any "not" (their fields are evidence). */
static void cond_mark(sigma_rule *r, const cnode *n, bool negated)
{
    if (n->op == C_SEL) {
        if (!negated)
            r->sels[n->sel].positive = true;
        return;
    }
    for (size_t i = 0; i < n->count; i++)
        cond_mark(r, n->kids[i], negated || n->op == C_NOT);
}

/* ---- literal extraction -------------------------------------------------- */

/* A set of literals, at least one of which a matching record contains, or
 * "none" when no such set is known. */
typedef struct litset {
    bool none;
    size_t count;
    const char **lits;
    double cost; /* estimated share of records passed: lower is better */
} litset;

static const litset LIT_NONE = {.none = true};

/* A field sequence (see internal.h, sigma_literals): the wildcard-free runs
 * of a glob in order, joined by PREFILTER_SEQ, folded. NULL when the glob
 * has fewer than two runs or a run holds '"' (CSV doubles it in raw text);
 * the caller then uses the longest run alone. */
static char *field_sequence(compiler *c, const svalue *v)
{
    const unsigned char *p = v->text;
    size_t n = v->len, runs = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == PREFILTER_SEQ || p[i] == 0)
            return NULL;
        if (!v->wild[i] && (i == 0 || v->wild[i - 1]))
            runs++;
    }
    if (runs < 2)
        return NULL;
    char *seq = arena_alloc(c->rule, n + 1), *o = seq;
    if (!seq) {
        fail_nomem(c);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!v->wild[i])
            *o++ = (char)fold(p[i]);
        else if (o > seq && o[-1] != PREFILTER_SEQ)
            *o++ = PREFILTER_SEQ;
    }
    if (o > seq && o[-1] == PREFILTER_SEQ)
        o--;
    *o = '\0';
    return seq;
}

/* The longest wildcard-free run of a pattern without '"' (CSV doubles
 * quotes in raw text) and NUL, folded to lower case; NULL when empty or,
 * unless c->short_ok (clauses after the rule's first), shorter than 3.
 * For a plain glob on a field (not one made by an encoding
 * modifier), a field sequence of all its runs instead. Other kinds (null,
 * any, regex, cidr, comparisons, exists, field references) have none. */
static const char *value_literal(compiler *c, const svalue *v, bool field,
                                 bool uri)
{
    const unsigned char *p = v->text;
    size_t n = v->len, best = 0, best_len = 0;
    if (v->kind != VK_EQ && v->kind != VK_PREFIX && v->kind != VK_SUFFIX &&
        v->kind != VK_CONTAINS && v->kind != VK_GLOB)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !(v->wild && v->wild[j]) && p[j] != '"' && p[j] != 0 &&
               !(uri && p[j] == '?'))
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j + 1;
    }
    if (best_len == 0 || (best_len < MIN_LIT_LEN && !c->short_ok))
        return NULL;
    char *lit = NULL;
    if (best_len >= MIN_LIT_LEN && field && v->kind == VK_GLOB && !v->derived &&
        (lit = field_sequence(c, v)) != NULL)
        return lit;
    lit = arena_alloc(c->rule, best_len + 1);
    if (!lit) {
        fail_nomem(c);
        return NULL;
    }
    for (size_t i = 0; i < best_len; i++)
        lit[i] = (char)fold(p[best + i]);
    return lit;
}

/* Values that most rows of some Exchange log hold (HttpProxy, IIS, EAS;
 * read off the CC0 samples in shared/data/exchange-logs and the logs
 * bench/gen_httpproxy.py models on them), lower case. A literal inside one
 * of them is no filter there, whatever its bytes suggest. */
static const char *const common_values[] = {
    "proxystate-run=none;",
    "proxystate-complete=proxyresponsedata;",
    "beginrequest=",
    "endrequest=",
    "correlationid=<empty>;",
    "sharedcacheguard=0;",
    "feauth=beversion-",
    "routingentry=databaseguid:",
    "newconnection=",
    "begingetrequeststream=",
    "onrequeststreamready=",
    "begingetresponse=",
    "onresponseready=",
    "endgetresponse=",
    "intraforest",
    "windowsidentity-nodatabase",
    "mailboxguidwithdomain",
    "mailboxguid~",
    "sid~s-1-5-21-",
    "smtp~",
    "server~",
    "serverversion~",
    "cafev1",
    "healthmailbox",
    "mozilla/5.0 (windows nt 10.0; win64; x64)",
    "applewebkit/537.36 (khtml, like gecko) chrome/",
    "safari/",
    "/microsoft-server-activesync/default.eas",
    "outlook-ios-android",
    "mapihttpclient",
    "/mapi/emsmdb/",
    "/ews/exchange.asmx",
    "/autodiscover/autodiscover.xml",
    "/rpc/rpcproxy.dll",
    "/owa/",
    "/ecp/",
    "negotiate",
    "kerberos",
    "post",
    "get",
    "options",
    "?cmd=",
    "&user=",
    "&deviceid=",
    "&devicetype=",
    "?mailboxid=",
    "microsoft office",
};

/* Estimated share of records (of about 600 bytes) that hold lit, from the
 * rough odds of each byte in log text, plus a small cost per literal. */
static double lit_cost(const char *lit)
{
    for (size_t i = 0; i < sizeof common_values / sizeof *common_values; i++) {
        if (strstr(common_values[i], lit))
            return 0.5;
    }
    double odds = 600.0;
    for (const unsigned char *p = (const unsigned char *)lit; *p; p++) {
        unsigned char ch = *p;
        if (ch == PREFILTER_SEQ)
            continue;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            odds /= 16;
        else if (ch && strchr(" ,.-/:=;_", ch))
            odds /= 25;
        else if (ch >= 0x21 && ch < 0x7f)
            odds /= 200;
        else
            odds /= 500;
        if (odds < 1e-12)
            break;
    }
    return (odds > 1.0 ? 1.0 : odds) + 1e-4;
}

/* Union of n sets (OR): none if any is none. */
static litset litset_union(compiler *c, litset *sets, size_t n)
{
    litset u = {.none = false};
    for (size_t i = 0; i < n; i++) {
        if (sets[i].none)
            return LIT_NONE;
        u.count += sets[i].count;
        u.cost += sets[i].cost;
    }
    u.lits = arena_array(c->rule, u.count, sizeof *u.lits);
    if (!u.lits) {
        fail_nomem(c);
        return LIT_NONE;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (sets[i].count)
            memcpy(u.lits + k, sets[i].lits, sets[i].count * sizeof *u.lits);
        k += sets[i].count;
    }
    return u;
}

/* The best of n sets (AND): any one of them is a valid constraint. */
static litset litset_best(const litset *sets, size_t n)
{
    litset b = LIT_NONE;
    for (size_t i = 0; i < n; i++) {
        if (!sets[i].none && (b.none || sets[i].cost < b.cost))
            b = sets[i];
    }
    return b;
}

/* The literal set of a regular expression: each of its required strings
 * cut to its longest piece without '"' (CSV doubles it), the field
 * sequence separator or, for a whole URI, '?'; none when a piece is too
 * short. */
static litset re_lits(compiler *c, const svalue *v, bool uri)
{
    if (v->re_lit_count == 0)
        return LIT_NONE;
    litset s = {.none = false, .count = v->re_lit_count};
    s.lits = arena_array(c->rule, s.count, sizeof *s.lits);
    if (!s.lits) {
        fail_nomem(c);
        return LIT_NONE;
    }
    for (size_t i = 0; i < s.count; i++) {
        const char *lit = v->re_lits[i], *best = lit;
        size_t best_len = 0;
        for (const char *p = lit; *p;) {
            size_t n = 0;
            while (p[n] && p[n] != '"' && p[n] != PREFILTER_SEQ &&
                   !(uri && p[n] == '?'))
                n++;
            if (n > best_len) {
                best = p;
                best_len = n;
            }
            p += n + (p[n] != '\0');
        }
        if (best_len < MIN_LIT_LEN)
            return LIT_NONE;
        char *piece = arena_alloc(c->rule, best_len + 1);
        if (!piece) {
            fail_nomem(c);
            return LIT_NONE;
        }
        memcpy(piece, best, best_len);
        piece[best_len] = '\0';
        s.lits[i] = piece;
        s.cost += lit_cost(piece);
    }
    return s;
}

/* The literal set of one value: one literal, or for the variants of an
 * encoded value (VK_ALT) the union of theirs (none if any has none). */
static litset value_lits(compiler *c, const svalue *v, bool field, bool uri)
{
    if (v->kind == VK_ALT) {
        litset *sets = exh_calloc(v->len, sizeof *sets);
        if (!sets) {
            fail_nomem(c);
            return LIT_NONE;
        }
        for (size_t i = 0; i < v->len; i++)
            sets[i] = value_lits(c, &v->alts[i], field, uri);
        litset r = litset_union(c, sets, v->len);
        exh_free(sets);
        return r;
    }
    if (v->kind == VK_RE)
        return re_lits(c, v, uri);
    const char *lit = value_literal(c, v, field, uri);
    if (!lit)
        return LIT_NONE;
    litset s = {.none = false, .count = 1};
    s.lits = arena_array(c->rule, 1, sizeof(char *));
    if (!s.lits) {
        fail_nomem(c);
        return LIT_NONE;
    }
    s.lits[0] = lit;
    s.cost = lit_cost(lit);
    if (strchr(lit, PREFILTER_SEQ)) // every run must show, in order
        s.cost *= 0.05;
    return s;
}

/* Whether a field's value may hold raw spaces in an IIS record: the user
 * agent, which IIS writes with '+' for spaces but which takes the extra
 * values of a row that has raw ones. A field sequence needs every run in
 * one space-bounded value there, so these fields give none. */
static bool spaced_field(const char *name)
{
    return util_strcasecmp(name, "cs-user-agent") == 0 ||
           util_strcasecmp(name, "cs(User-Agent)") == 0;
}

/* Whether values of field f may give field sequences. */
static bool seq_field(const sfield *f)
{
    return f->name && !f->whole_uri && !spaced_field(f->name);
}

static litset field_lits(compiler *c, const sfield *f)
{
    litset *sets = exh_calloc(f->count, sizeof *sets);
    if (!sets) {
        fail_nomem(c);
        return LIT_NONE;
    }
    for (size_t i = 0; i < f->count && c->st == EXH_OK; i++)
        sets[i] = value_lits(c, &f->values[i], seq_field(f), f->whole_uri);
    litset r =
        f->all ? litset_best(sets, f->count) : litset_union(c, sets, f->count);
    exh_free(sets);
    return r;
}

static litset sel_lits(compiler *c, const ssel *s)
{
    litset *ors = exh_calloc(s->count, sizeof *ors);
    if (!ors) {
        fail_nomem(c);
        return LIT_NONE;
    }
    for (size_t i = 0; i < s->count; i++) {
        const sconj *cj = &s->conj[i];
        litset *ands = exh_calloc(cj->count, sizeof *ands);
        if (!ands) {
            fail_nomem(c);
            ors[i] = LIT_NONE;
            continue;
        }
        for (size_t j = 0; j < cj->count; j++)
            ands[j] = field_lits(c, &cj->fields[j]);
        ors[i] = litset_best(ands, cj->count);
        exh_free(ands);
    }
    litset r = litset_union(c, ors, s->count);
    exh_free(ors);
    return r;
}

static litset cond_lits(compiler *c, const cnode *n, const litset *per_sel)
{
    if (n->op == C_SEL)
        return per_sel[n->sel];
    if (n->op == C_NOT)
        return LIT_NONE;
    litset *sets = exh_calloc(n->count, sizeof *sets);
    if (!sets) {
        fail_nomem(c);
        return LIT_NONE;
    }
    for (size_t i = 0; i < n->count; i++)
        sets[i] = cond_lits(c, n->kids[i], per_sel);
    litset r = n->op == C_AND ? litset_best(sets, n->count)
                              : litset_union(c, sets, n->count);
    exh_free(sets);
    return r;
}

/* Drops duplicates and any literal that contains another one of the set
 * (a record holding the longer one holds the shorter one too). Quadratic,
 * so huge sets are left as they are. */
static size_t lits_absorb(const char **lits, size_t count)
{
    size_t k = 0;
    if (count > 2048)
        return count;
    for (size_t i = 0; i < count; i++) {
        bool drop = false;
        size_t li = strlen(lits[i]);
        for (size_t j = 0; j < count && !drop; j++) {
            if (j == i)
                continue;
            size_t lj = strlen(lits[j]);
            if (lj < li && strstr(lits[i], lits[j]))
                drop = true;
            else if (lj == li && j < i && !strcmp(lits[i], lits[j]))
                drop = true;
        }
        if (!drop)
            lits[k++] = lits[i];
    }
    return k;
}

/* ---- conjunctive literal sets ------------------------------------------ */

/* A conjunction of literal sets (clauses): a record a node matches holds
 * one literal of every clause. n 0: nothing is known. At most MAX_CLAUSES
 * are kept, the cheapest; dropping a clause only weakens the promise. */
#define MAX_CLAUSES     4
#define MAX_CLAUSE_LITS 64 /* larger OR-sets are dropped as clauses */
#define MAX_OR_CROSS    8  /* wider ORs keep one clause (as litset_union) */

typedef struct cnf {
    size_t n;
    litset cl[MAX_CLAUSES];
} cnf;

static void cnf_add(cnf *a, litset s)
{
    if (s.none || s.count == 0 || s.count > MAX_CLAUSE_LITS)
        return;
    for (size_t i = 0; i < a->n; i++) {
        if (a->cl[i].lits == s.lits && a->cl[i].count == s.count)
            return; // the same set (one selection used twice)
    }
    if (a->n < MAX_CLAUSES) {
        a->cl[a->n++] = s;
        return;
    }
    size_t worst = 0;
    for (size_t i = 1; i < a->n; i++) {
        if (a->cl[i].cost > a->cl[worst].cost)
            worst = i;
    }
    if (s.cost < a->cl[worst].cost)
        a->cl[worst] = s;
}

static cnf cnf_of(litset s)
{
    cnf r = {.n = 0};
    cnf_add(&r, s);
    return r;
}

/* The cheapest clause of a (a->n > 0). */
static litset cnf_best(const cnf *a)
{
    return litset_best(a->cl, a->n);
}

/* OR of n conjunctions: (a1 & a2) | (b1 & b2) holds (a1|b1) & (a1|b2) &
 * (a2|b1) & (a2|b2); nothing when any side knows nothing. */
static cnf cnf_or(compiler *c, const cnf *ops, size_t n)
{
    cnf r = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        if (ops[i].n == 0)
            return r;
    }
    if (n == 0)
        return r;
    if (n > MAX_OR_CROSS) {
        litset *best = exh_calloc(n, sizeof *best);
        if (!best) {
            fail_nomem(c);
            return r;
        }
        for (size_t i = 0; i < n; i++)
            best[i] = cnf_best(&ops[i]);
        r = cnf_of(litset_union(c, best, n));
        exh_free(best);
        return r;
    }
    r = ops[0];
    for (size_t i = 1; i < n && c->st == EXH_OK; i++) {
        cnf next = {.n = 0};
        for (size_t a = 0; a < r.n; a++) {
            for (size_t b = 0; b < ops[i].n; b++) {
                litset pair[2] = {r.cl[a], ops[i].cl[b]};
                if (pair[0].count + pair[1].count <= MAX_CLAUSE_LITS)
                    cnf_add(&next, litset_union(c, pair, 2));
            }
        }
        r = next;
        if (r.n == 0)
            break;
    }
    return r;
}

static cnf field_cnf(compiler *c, const sfield *f)
{
    if (!f->all || f->count < 2)
        return cnf_of(field_lits(c, f));
    cnf r = {.n = 0};
    for (size_t i = 0; i < f->count && c->st == EXH_OK; i++)
        cnf_add(&r, value_lits(c, &f->values[i], seq_field(f), f->whole_uri));
    return r;
}

static cnf sel_cnf(compiler *c, const ssel *s)
{
    cnf *ors = exh_calloc(s->count ? s->count : 1, sizeof *ors);
    if (!ors) {
        fail_nomem(c);
        return (cnf){.n = 0};
    }
    for (size_t i = 0; i < s->count && c->st == EXH_OK; i++) {
        const sconj *cj = &s->conj[i];
        for (size_t j = 0; j < cj->count && c->st == EXH_OK; j++) {
            cnf f = field_cnf(c, &cj->fields[j]);
            for (size_t k = 0; k < f.n; k++)
                cnf_add(&ors[i], f.cl[k]);
        }
    }
    cnf r = cnf_or(c, ors, s->count);
    exh_free(ors);
    return r;
}

static cnf cond_cnf(compiler *c, const cnode *n, const cnf *per_sel)
{
    if (n->op == C_SEL)
        return per_sel[n->sel];
    if (n->op == C_NOT)
        return (cnf){.n = 0};
    cnf *sets = exh_calloc(n->count, sizeof *sets);
    if (!sets) {
        fail_nomem(c);
        return (cnf){.n = 0};
    }
    for (size_t i = 0; i < n->count; i++)
        sets[i] = cond_cnf(c, n->kids[i], per_sel);
    cnf r = {.n = 0};
    if (n->op == C_AND) {
        for (size_t i = 0; i < n->count; i++) {
            for (size_t k = 0; k < sets[i].n; k++)
                cnf_add(&r, sets[i].cl[k]);
        }
    } else {
        r = cnf_or(c, sets, n->count);
    }
    exh_free(sets);
    return r;
}

/* The rule's clauses: its literal set (rule_lits) first, then the other
 * clauses of the condition's conjunction, each without duplicates and
 * literals that contain another of the same clause. */
static void rule_clauses(compiler *c, double first_cost)
{
    sigma_rule *r = c->rule;
    cnf *per_sel = exh_calloc(r->sel_count ? r->sel_count : 1, sizeof *per_sel);
    if (!per_sel) {
        fail_nomem(c);
        return;
    }
    // Short runs ('@') make clauses too: never searched for, they are
    // checked in the records that hold a searched clause's literal.
    c->short_ok = true;
    for (size_t i = 0; i < r->sel_count && c->st == EXH_OK; i++)
        per_sel[i] = sel_cnf(c, &r->sels[i]);
    cnf all = c->st == EXH_OK ? cond_cnf(c, r->cond, per_sel) : (cnf){.n = 0};
    c->short_ok = false;
    exh_free(per_sel);
    if (c->st != EXH_OK)
        return;
    r->clauses = arena_array(r, all.n + 1, sizeof *r->clauses);
    if (!r->clauses) {
        fail_nomem(c);
        return;
    }
    r->clauses[0].lits = r->lits;
    r->clauses[0].count = r->lit_count;
    r->clauses[0].cost = first_cost;
    r->clause_count = 1;
    for (size_t i = 0; i < all.n; i++) {
        const char **copy = arena_array(r, all.cl[i].count, sizeof *copy);
        if (!copy) {
            fail_nomem(c);
            return;
        }
        memcpy(copy, all.cl[i].lits, all.cl[i].count * sizeof *copy);
        size_t n = lits_absorb(copy, all.cl[i].count);
        bool same = n == r->lit_count;
        for (size_t k = 0; k < n && same; k++)
            same = strcmp(copy[k], r->lits[k]) == 0;
        if (!same) {
            r->clauses[r->clause_count].lits = copy;
            r->clauses[r->clause_count].cost = all.cl[i].cost;
            r->clauses[r->clause_count++].count = n;
        }
    }
}

/* ---- clauses bound to one field ------------------------------------------ */

#define MAX_FCLAUSES 12 /* per rule */

/* The literal set of one value for a field clause: as value_lits(), but
 * a run of any length counts (the clause is checked inside one field of
 * the few records the gate lets through, never searched for). */
static litset fvalue_lits(compiler *c, const svalue *v)
{
    if (v->kind == VK_ALT) {
        litset *sets = exh_calloc(v->len ? v->len : 1, sizeof *sets);
        if (!sets) {
            fail_nomem(c);
            return LIT_NONE;
        }
        for (size_t i = 0; i < v->len; i++)
            sets[i] = fvalue_lits(c, &v->alts[i]);
        litset r = v->len ? litset_union(c, sets, v->len) : LIT_NONE;
        exh_free(sets);
        return r;
    }
    if (v->kind == VK_RE)
        return re_lits(c, v, false);
    if (v->kind != VK_EQ && v->kind != VK_PREFIX && v->kind != VK_SUFFIX &&
        v->kind != VK_CONTAINS && v->kind != VK_GLOB)
        return LIT_NONE;
    const char *lit = NULL;
    if (v->kind == VK_GLOB && !v->derived)
        lit = field_sequence(c, v);
    if (!lit) {
        const unsigned char *p = v->text;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < v->len;) {
            size_t j = i;
            while (j < v->len && !(v->wild && v->wild[j]) && p[j] != '"' &&
                   p[j] != 0)
                j++;
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j + 1;
        }
        if (best_len == 0)
            return LIT_NONE;
        char *own = arena_alloc(c->rule, best_len + 1);
        if (!own) {
            fail_nomem(c);
            return LIT_NONE;
        }
        for (size_t i = 0; i < best_len; i++)
            own[i] = (char)fold(p[best + i]);
        own[best_len] = '\0';
        lit = own;
    }
    litset r = {.none = false, .count = 1};
    r.lits = arena_array(c->rule, 1, sizeof *r.lits);
    if (!r.lits) {
        fail_nomem(c);
        return LIT_NONE;
    }
    r.lits[0] = lit;
    return r;
}

/* Adds to out (up to MAX_FCLAUSES) the field clauses selection s requires:
 * with one map, each named field whose values give a literal set (as for
 * field sequences: not a whole URI, not a field the reader may join from
 * raw spaces); with "all", one clause per value. Several maps (an OR) give
 * none. */
static void sel_fclauses(compiler *c, const ssel *s, sigma_fclause *out,
                         size_t *n)
{
    if (s->count != 1)
        return;
    const sconj *cj = &s->conj[0];
    for (size_t j = 0; j < cj->count && *n < MAX_FCLAUSES && c->st == EXH_OK;
         j++) {
        const sfield *f = &cj->fields[j];
        if (!seq_field(f) || f->count == 0)
            continue;
        litset *sets = exh_calloc(f->count, sizeof *sets);
        if (!sets) {
            fail_nomem(c);
            return;
        }
        for (size_t i = 0; i < f->count && c->st == EXH_OK; i++)
            sets[i] = fvalue_lits(c, &f->values[i]);
        size_t parts = f->all ? f->count : 1;
        for (size_t i = 0; i < parts && *n < MAX_FCLAUSES; i++) {
            litset ls = f->all ? sets[i] : litset_union(c, sets, f->count);
            if (ls.none || ls.count == 0 || ls.count > MAX_CLAUSE_LITS)
                continue;
            out[(*n)++] = (sigma_fclause){f->name, ls.lits, ls.count, false};
        }
        exh_free(sets);
    }
}

/* Adds the negative field clauses of node n, under a "not" of the
 * condition's AND: each map of one field whose values are all plain
 * equalities (not cased, without NUL) in a selection n names or ORs. A
 * record whose field equals one of them matches that selection, so the
 * rule cannot match it. */
static void neg_fclauses(compiler *c, const cnode *n, sigma_fclause *out,
                         size_t *count)
{
    if (n->op == C_OR) {
        for (size_t i = 0; i < n->count; i++)
            neg_fclauses(c, n->kids[i], out, count);
        return;
    }
    if (n->op != C_SEL)
        return;
    const ssel *s = &c->rule->sels[n->sel];
    for (size_t m = 0; m < s->count && *count < MAX_FCLAUSES; m++) {
        if (s->conj[m].count != 1)
            continue;
        const sfield *f = &s->conj[m].fields[0];
        bool ok = seq_field(f) && f->count > 0 && !(f->all && f->count > 1);
        for (size_t i = 0; ok && i < f->count; i++) {
            const svalue *v = &f->values[i];
            ok = v->kind == VK_EQ && !v->cased && v->len > 0 &&
                 !memchr(v->text, 0, v->len);
        }
        if (!ok)
            continue;
        const char **lits = arena_array(c->rule, f->count, sizeof *lits);
        if (!lits) {
            fail_nomem(c);
            return;
        }
        for (size_t i = 0; i < f->count; i++) {
            lits[i] = arena_strndup(c->rule, (const char *)f->values[i].text,
                                    f->values[i].len);
            if (!lits[i]) {
                fail_nomem(c);
                return;
            }
        }
        out[(*count)++] = (sigma_fclause){f->name, lits, f->count, true};
    }
}

static void cond_fclauses(compiler *c, const cnode *n, sigma_fclause *out,
                          size_t *count);

/* The field clauses of an OR: a positive clause of its first operand on a
 * field that every other operand has a positive clause on too, the union
 * of their literals (whichever operand matches, the field holds one). */
static void or_fclauses(compiler *c, const cnode *n, sigma_fclause *out,
                        size_t *count)
{
    sigma_fclause acc[MAX_FCLAUSES], kid[MAX_FCLAUSES];
    size_t na = 0;
    cond_fclauses(c, n->kids[0], acc, &na);
    for (size_t i = 1; i < n->count && na > 0 && c->st == EXH_OK; i++) {
        size_t nk = 0, kept = 0;
        cond_fclauses(c, n->kids[i], kid, &nk);
        for (size_t a = 0; a < na; a++) {
            const sigma_fclause *match = NULL;
            for (size_t k = 0; k < nk && !match && !acc[a].negative; k++) {
                if (!kid[k].negative &&
                    util_strcasecmp(kid[k].field, acc[a].field) == 0)
                    match = &kid[k];
            }
            size_t total = match ? acc[a].count + match->count : 0;
            if (!match || total > MAX_CLAUSE_LITS)
                continue;
            const char **u = arena_array(c->rule, total, sizeof *u);
            if (!u) {
                fail_nomem(c);
                return;
            }
            memcpy(u, acc[a].lits, acc[a].count * sizeof *u);
            memcpy(u + acc[a].count, match->lits, match->count * sizeof *u);
            acc[kept] = acc[a];
            acc[kept].lits = u;
            acc[kept++].count = total;
        }
        na = kept;
    }
    for (size_t a = 0; a < na && *count < MAX_FCLAUSES; a++) {
        if (!acc[a].negative)
            out[(*count)++] = acc[a];
    }
}

/* The field clauses of condition node n: those of its selection, of every
 * operand of an AND (a "not" operand: negative ones) or those all
 * operands of an OR share. */
static void cond_fclauses(compiler *c, const cnode *n, sigma_fclause *out,
                          size_t *count)
{
    if (n->op == C_SEL)
        sel_fclauses(c, &c->rule->sels[n->sel], out, count);
    else if (n->op == C_NOT)
        neg_fclauses(c, n->kids[0], out, count);
    else if (n->op == C_OR && n->count > 0)
        or_fclauses(c, n, out, count);
    else if (n->op == C_AND) {
        for (size_t i = 0; i < n->count; i++)
            cond_fclauses(c, n->kids[i], out, count);
    }
}

static void rule_fclauses(compiler *c)
{
    sigma_rule *r = c->rule;
    sigma_fclause found[MAX_FCLAUSES];
    size_t n = 0;
    if (r->cond)
        cond_fclauses(c, r->cond, found, &n);
    if (c->st != EXH_OK || n == 0)
        return;
    r->fclauses = arena_array(r, n, sizeof *r->fclauses);
    if (!r->fclauses) {
        fail_nomem(c);
        return;
    }
    memcpy(r->fclauses, found, n * sizeof *found);
    r->fclause_count = n;
}

static void rule_lits(compiler *c)
{
    sigma_rule *r = c->rule;
    litset *per_sel = exh_calloc(r->sel_count, sizeof *per_sel);
    if (!per_sel) {
        fail_nomem(c);
        return;
    }
    for (size_t i = 0; i < r->sel_count && c->st == EXH_OK; i++)
        per_sel[i] = sel_lits(c, &r->sels[i]);
    litset s = c->st == EXH_OK ? cond_lits(c, r->cond, per_sel) : LIT_NONE;
    exh_free(per_sel);
    if (c->st != EXH_OK || s.none || s.count == 0)
        return;
    const char **copy = arena_array(r, s.count, sizeof *copy);
    if (!copy) {
        fail_nomem(c);
        return;
    }
    memcpy(copy, s.lits, s.count * sizeof *copy);
    r->lits = copy;
    r->lit_count = lits_absorb(copy, s.count);
    r->has_lits = true;
    rule_clauses(c, s.cost);
    rule_fclauses(c);
}

/* ---- rules --------------------------------------------------------------- */

static void detection_parse(compiler *c, yaml_node_t *n)
{
    sigma_rule *r = c->rule;
    if (n->type != YAML_MAPPING_NODE) {
        fail(c, node_line(n), "'detection' must be a map");
        return;
    }
    size_t pairs =
        (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    yaml_node_t *cond = NULL;
    r->sels = arena_array(r, pairs, sizeof *r->sels);
    if (!r->sels) {
        fail_nomem(c);
        return;
    }
    for (size_t i = 0; i < pairs && c->st == EXH_OK; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        if (key_is(k, "condition")) {
            if (cond) {
                fail(c, node_line(k), "duplicate key 'condition'");
                return;
            }
            cond = v;
            continue;
        }
        if (key_is(k, "timeframe")) {
            fail(c, node_line(k), "'timeframe' is not supported");
            return;
        }
        if (r->sel_count == MAX_SELECTIONS) {
            fail(c, node_line(k), "more than %d selections", MAX_SELECTIONS);
            return;
        }
        ssel *s = &r->sels[r->sel_count];
        s->name = scalar_dup(c, k, "selection name");
        if (!s->name)
            return;
        for (size_t j = 0; j < r->sel_count; j++) {
            if (!strcmp(r->sels[j].name, s->name)) {
                fail(c, node_line(k), "duplicate selection '%s'", s->name);
                return;
            }
        }
        r->sel_count++;
        selection_compile(c, s, v);
    }
    if (c->st != EXH_OK)
        return;
    if (!cond) {
        fail(c, node_line(n), "'detection' has no 'condition'");
        return;
    }
    if (cond->type == YAML_SEQUENCE_NODE) {
        size_t count = (size_t)(cond->data.sequence.items.top -
                                cond->data.sequence.items.start);
        cparser p = {.c = c};
        r->cond = count ? cnode_new(&p, C_OR, count) : NULL;
        if (!count)
            fail(c, node_line(cond), "condition: empty");
        for (size_t i = 0; r->cond && i < count && c->st == EXH_OK; i++)
            r->cond->kids[i] =
                cond_parse(c, node_at(c, cond->data.sequence.items.start[i]));
    } else {
        r->cond = cond_parse(c, cond);
    }
    if (c->st == EXH_OK && r->cond)
        cond_mark(r, r->cond, false);
}

/* Checks the top-level keys that make a document something else than a
 * plain rule (collections, correlations, filters). */
static bool kind_check(compiler *c, yaml_node_t *root)
{
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c, p->key);
        if (key_is(k, "action")) {
            fail(c, node_line(k),
                 "rule collections ('action') are not "
                 "supported");
            return false;
        }
        if (key_is(k, "correlation")) {
            fail(c, node_line(k), "correlation rules are not supported");
            return false;
        }
        if (key_is(k, "filter")) {
            fail(c, node_line(k), "Sigma filters are not supported");
            return false;
        }
    }
    return true;
}

static void meta_parse(compiler *c, yaml_node_t *root, bool *initial_access,
                       bool *cat_set, yaml_node_t **detection)
{
    sigma_meta *m = &c->rule->meta;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top && c->st == EXH_OK; p++) {
        yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
        if (key_is(k, "title"))
            m->title = scalar_dup(c, v, "title");
        else if (key_is(k, "id"))
            m->id = scalar_dup(c, v, "id");
        else if (key_is(k, "name"))
            m->name = scalar_dup(c, v, "name");
        else if (key_is(k, "status"))
            m->status = scalar_dup(c, v, "status");
        else if (key_is(k, "description"))
            m->description = scalar_dup(c, v, "description");
        else if (key_is(k, "author"))
            m->author = scalar_dup(c, v, "author");
        else if (key_is(k, "references"))
            references_parse(c, v);
        else if (key_is(k, "tags"))
            tags_parse(c, v, initial_access);
        else if (key_is(k, "level"))
            level_parse(c, v);
        else if (key_is(k, "logsource"))
            logsource_parse(c, v);
        else if (key_is(k, "exhunt"))
            exhunt_parse(c, v, cat_set);
        else if (key_is(k, "detection"))
            *detection = v;
    }
}

/* Compiles the document in c->doc into c->rule. */
static void rule_compile(compiler *c, yaml_node_t *root)
{
    sigma_meta *m = &c->rule->meta;
    m->severity = EXH_SEV_MEDIUM;
    if (root->type != YAML_MAPPING_NODE) {
        fail(c, node_line(root), "a rule must be a map");
        return;
    }
    if (!kind_check(c, root) || !map_check(c, root))
        return;
    bool initial_access = false, cat_set = false;
    yaml_node_t *detection = NULL;
    meta_parse(c, root, &initial_access, &cat_set, &detection);
    if (c->st != EXH_OK)
        return;
    if (!m->title) {
        fail(c, node_line(root), "missing 'title'");
        return;
    }
    if (!detection) {
        fail(c, node_line(root), "missing 'detection'");
        return;
    }
    if (!cat_set)
        m->category_value = m->cve_count && initial_access
                                ? EXH_CAT_EXPLOITATION
                                : EXH_CAT_SUSPICIOUS;
    detection_parse(c, detection);
    if (c->st == EXH_OK) {
        pcre2_match_context *mc = pcre2_match_context_create(c->gctx);
        if (!mc) {
            fail_nomem(c);
            return;
        }
        pcre2_set_match_limit(mc, RE_MATCH_LIMIT);
        c->rule->mctx = mc;
        rule_lits(c);
    }
}

void sigma_rule_free(sigma_rule *rule)
{
    if (!rule)
        return;
    for (size_t i = 0; i < rule->re_count; i++)
        pcre2_code_free(rule->res[i]);
    exh_free(rule->res);
    pcre2_match_context_free(rule->mctx);
    arena_block *b = rule->arena;
    while (b) {
        arena_block *next = b->next;
        exh_free(b);
        b = next;
    }
    exh_free(rule);
}

const sigma_meta *sigma_rule_meta(const sigma_rule *rule)
{
    return &rule->meta;
}

/* Appends r to *out (grown by doubling). */
static bool rules_push(sigma_rule ***out, size_t *count, size_t *cap,
                       sigma_rule *r)
{
    if (*count == *cap) {
        size_t n = *cap ? *cap * 2 : 2;
        sigma_rule **p = exh_realloc(*out, n * sizeof *p);
        if (!p)
            return false;
        *out = p;
        *cap = n;
    }
    (*out)[(*count)++] = r;
    return true;
}

/* Loads and compiles each YAML document of the parser; false on error. */
static bool documents_compile(compiler *c, yaml_parser_t *parser,
                              sigma_rule ***rules, size_t *count)
{
    size_t cap = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(parser, &doc)) {
            fail(c, parser->problem_mark.line + 1, "YAML: %s%s%s",
                 parser->problem ? parser->problem : "syntax error",
                 parser->context ? " " : "",
                 parser->context ? parser->context : "");
            return false;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            return true;
        }
        bool empty = root->type == YAML_SCALAR_NODE && is_null(root);
        sigma_rule *r = empty ? NULL : exh_calloc(1, sizeof *r);
        if (!empty && !r)
            fail_nomem(c);
        if (r) {
            c->doc = &doc;
            c->rule = r;
            rule_compile(c, root);
            c->doc = NULL;
            c->rule = NULL;
            if (c->st == EXH_OK && !rules_push(rules, count, &cap, r))
                fail_nomem(c);
            if (c->st != EXH_OK)
                sigma_rule_free(r);
        }
        yaml_document_delete(&doc);
        if (c->st != EXH_OK)
            return false;
    }
}

/* Finds the line where flow collections ([ and {) nest deeper than
 * MAX_FLOW_DEPTH, skipping quoted scalars and comments; 0 when none. The
 * parser takes time quadratic in that depth, so hostile input is refused
 * before it. A '[' inside a plain scalar counts too: harmless at this
 * limit. */
static size_t flow_too_deep(const char *s, size_t len)
{
    size_t depth = 0, line = 1;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '\n') {
            line++;
        } else if (ch == '[' || ch == '{') {
            if (++depth > MAX_FLOW_DEPTH)
                return line;
        } else if ((ch == ']' || ch == '}') && depth) {
            depth--;
        } else if (ch == '#' && (i == 0 || s[i - 1] == ' ' ||
                                 s[i - 1] == '\t' || s[i - 1] == '\n')) {
            while (i + 1 < len && s[i + 1] != '\n')
                i++;
        } else if (ch == '\'' || ch == '"') {
            // a quote opens a scalar only where a token can start
            char prev = i ? s[i - 1] : ' ';
            if (!strchr(" \t\n[{,:-?", prev))
                continue;
            for (i++; i < len && s[i] != ch; i++) {
                if (s[i] == '\n')
                    line++;
                else if (ch == '"' && s[i] == '\\')
                    i++;
            }
        }
    }
    return 0;
}

exh_status sigma_compile(const char *text, size_t len, const char *source,
                         sigma_rule ***out, size_t *out_count, char **msg)
{
    compiler c = {.source = source ? source : "(rule)"};
    sigma_rule **rules = NULL;
    size_t count = 0;
    *out = NULL;
    *out_count = 0;
    if (msg)
        *msg = NULL;
    size_t deep = len <= MAX_TEXT_BYTES ? flow_too_deep(text, len) : 0;
    if (len > MAX_TEXT_BYTES) {
        fail(&c, 0, "rule file larger than %u bytes", MAX_TEXT_BYTES);
    } else if (deep) {
        fail(&c, deep, "YAML nested more than %d levels", MAX_FLOW_DEPTH);
    } else if (!(c.gctx = pcre2_general_context_create(re_alloc, re_release,
                                                       NULL))) {
        fail_nomem(&c);
    } else {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser)) {
            fail_nomem(&c);
        } else {
            yaml_parser_set_input_string(&parser, (const unsigned char *)text,
                                         len);
            documents_compile(&c, &parser, &rules, &count);
            yaml_parser_delete(&parser);
        }
    }
    pcre2_general_context_free(c.gctx);
    if (c.st == EXH_OK && count == 0)
        fail(&c, 0, "no rule in file");
    if (c.st != EXH_OK) {
        for (size_t i = 0; i < count; i++)
            sigma_rule_free(rules[i]);
        exh_free(rules);
        if (msg)
            *msg = c.msg;
        else
            exh_free(c.msg);
        return c.st;
    }
    *out = rules;
    *out_count = count;
    return EXH_OK;
}

/* ---- matching ------------------------------------------------------------ */

static bool eq_fold(const unsigned char *a, const unsigned char *b, size_t n,
                    bool cased)
{
    if (cased)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++) {
        if (fold(a[i]) != b[i])
            return false;
    }
    return true;
}

/* Finds the folded needle in s (needle already folded unless cased). */
static bool contains(const unsigned char *s, size_t n, const unsigned char *nd,
                     size_t m, bool cased)
{
    if (m == 0)
        return true;
    if (m > n)
        return false;
    if (cased)
        return memmem(s, n, nd, m) != NULL;
    unsigned char lo = nd[0];
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    const unsigned char *end = s + n - m + 1, *p = s;
    while (p < end) {
        const unsigned char *a = memchr(p, lo, (size_t)(end - p));
        const unsigned char *b = a;
        if (up != lo)
            b = memchr(p, up, (size_t)((a ? a : end) - p));
        const unsigned char *hit = b ? b : a;
        if (!hit)
            return false;
        if (eq_fold(hit + 1, nd + 1, m - 1, false))
            return true;
        p = hit + 1;
    }
    return false;
}

/* Whether s matches the pattern p/w: '*' any run, '?' one byte, WD one
 * dash of 1 or 3 bytes (dash_at). Backtracking to the last star only is
 * exact with WD too: a dash's width is fixed by its first byte and no dash
 * starts inside another, so a part between stars that matches at two
 * places ends earlier at the earlier one. */
static bool glob(const unsigned char *p, const unsigned char *w, size_t pn,
                 const unsigned char *s, size_t sn, bool cased)
{
    size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0, dash;
    while (si < sn) {
        if (pi < pn && w[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && w[pi] == WD &&
                   (dash = dash_at(s + si, sn - si)) != 0) {
            pi++;
            si += dash;
        } else if (pi < pn && w[pi] != WD &&
                   (w[pi] == '?' ||
                    (cased ? p[pi] == s[si] : p[pi] == fold(s[si])))) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && w[pi] == '*')
        pi++;
    return pi == pn;
}

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static pthread_key_t md_key;
static bool md_key_ok;

static void md_destroy(void *p)
{
    pcre2_match_data_free(p);
}

static void md_init(void)
{
    md_key_ok = pthread_key_create(&md_key, md_destroy) == 0;
}

/* This thread's match data (one ovector pair serves every pattern: a match
 * with more groups than pairs returns 0, still a match). */
static pcre2_match_data *md_get(void)
{
    pthread_once(&md_once, md_init);
    if (!md_key_ok)
        return NULL;
    pcre2_match_data *md = pthread_getspecific(md_key);
    if (md)
        return md;
    md = pcre2_match_data_create(1, NULL);
    if (md && pthread_setspecific(md_key, md) != 0) {
        pcre2_match_data_free(md);
        md = NULL;
    }
    return md;
}

static bool re_match(const sigma_rule *r, const svalue *v,
                     const unsigned char *s, size_t n)
{
    pcre2_match_data *md = md_get();
    bool own = false;
    if (!md) {
        md = pcre2_match_data_create(1, NULL);
        own = true;
        if (!md)
            return false;
    }
    int rc = pcre2_match(v->re, s, n, 0, 0, md, r->mctx);
    if (own)
        pcre2_match_data_free(md);
    return rc >= 0;
}

/* Case-insensitive (unless cased) search of nd[0..m) in s[0..n), both
 * unfolded (a field reference's other value). Long needles are searched
 * in folded copies with memmem, which is linear. */
static bool contains_any(const unsigned char *s, size_t n,
                         const unsigned char *nd, size_t m, bool cased)
{
    if (cased || m == 0 || m > n)
        return m == 0 || (m <= n && memmem(s, n, nd, m) != NULL);
    unsigned char small[256];
    unsigned char *fn = m <= sizeof small ? small : exh_malloc(m);
    if (!fn)
        return false;
    for (size_t i = 0; i < m; i++)
        fn[i] = fold(nd[i]);
    bool hit;
    if (fn == small) {
        hit = contains(s, n, fn, m, false);
    } else {
        unsigned char *fs = exh_malloc(n);
        hit = false;
        if (fs) {
            for (size_t i = 0; i < n; i++)
                fs[i] = fold(s[i]);
            hit = memmem(fs, n, fn, m) != NULL;
            exh_free(fs);
        }
        exh_free(fn);
    }
    return hit;
}

/* Compares s with the value of the field v names (fieldref). */
static bool fieldref_match(const svalue *v, const unsigned char *s, size_t n,
                           const event *ev)
{
    size_t on = 0;
    const unsigned char *o =
        (const unsigned char *)event_get(ev, (const char *)v->text, &on);
    if (!o)
        return false;
    switch (v->op) {
    case VK_EQ:
        return n == on &&
               (v->cased ? !memcmp(s, o, n)
                         : util_ieq((const char *)s, n, (const char *)o, on));
    case VK_PREFIX:
        return n >= on &&
               (v->cased ? !memcmp(s, o, on)
                         : util_ieq((const char *)s, on, (const char *)o, on));
    case VK_SUFFIX:
        return n >= on && (v->cased ? !memcmp(s + n - on, o, on)
                                    : util_ieq((const char *)s + n - on, on,
                                               (const char *)o, on));
    default:
        return contains_any(s, n, o, on, v->cased);
    }
}

static bool cidr_match(const svalue *v, const unsigned char *s, size_t n)
{
    unsigned char a[16];
    int fam = addr_parse(s, n, a);
    if (fam == 6 && v->op == 4) {
        // an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 one
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                                 0, 0, 0, 0, 0xFF, 0xFF};
        if (memcmp(a, mapped, 12))
            return false;
        return prefix_eq(a + 12, v->text, v->bits);
    }
    return fam == v->op && prefix_eq(a, v->text, v->bits);
}

static bool cmp_match(const svalue *v, const unsigned char *s, size_t n)
{
    double d;
    if (!number_parse(s, n, &d))
        return false;
    switch (v->op) {
    case CMP_LT:
        return d < v->num;
    case CMP_LTE:
        return d <= v->num;
    case CMP_GT:
        return d > v->num;
    default:
        return d >= v->num;
    }
}

static bool value_match(const sigma_rule *r, const svalue *v, const char *str,
                        size_t n, const event *ev)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!s)
        return v->kind == VK_NULL || (v->kind == VK_EXISTS && !v->op);
    switch (v->kind) {
    case VK_EQ:
        return n == v->len && eq_fold(s, v->text, n, v->cased);
    case VK_PREFIX:
        return n >= v->len && eq_fold(s, v->text, v->len, v->cased);
    case VK_SUFFIX:
        return n >= v->len &&
               eq_fold(s + n - v->len, v->text, v->len, v->cased);
    case VK_CONTAINS:
        return contains(s, n, v->text, v->len, v->cased);
    case VK_GLOB:
        return glob(v->text, v->wild, v->len, s, n, v->cased);
    case VK_ANY:
        return true;
    case VK_RE:
        return re_match(r, v, s, n);
    case VK_NULL:
        return n == 0;
    case VK_ALT:
        for (size_t i = 0; i < v->len; i++) {
            if (value_match(r, &v->alts[i], str, n, ev))
                return true;
        }
        return false;
    case VK_CIDR:
        return cidr_match(v, s, n);
    case VK_CMP:
        return cmp_match(v, s, n);
    case VK_EXISTS:
        return v->op;
    case VK_FIELDREF:
        return fieldref_match(v, s, n, ev);
    default:
        return false;
    }
}

/* The whole URI of a web request: cs-uri-stem, then '?' and cs-uri-query
 * when there is a query (not empty, not IIS's "-"; HttpProxy's UrlQuery
 * brings its own '?'). Into stack when it fits, else into *heap (caller
 * frees); NULL when there is no stem or memory. */
static const char *whole_uri(const event *ev, char *stack, size_t cap,
                             char **heap, size_t *len)
{
    size_t sn = 0, qn = 0;
    const char *stem = event_get(ev, "cs-uri-stem", &sn);
    const char *query = event_get(ev, "cs-uri-query", &qn);
    if (!stem)
        return NULL;
    if (!query || qn == 0 || (qn == 1 && query[0] == '-'))
        qn = 0;
    bool mark = qn && query[0] != '?';
    size_t total = sn + mark + qn;
    char *out = stack;
    if (total + 1 > cap) {
        out = *heap = exh_malloc(total + 1);
        if (!out)
            return NULL;
    }
    memcpy(out, stem, sn);
    if (mark)
        out[sn] = '?';
    if (qn)
        memcpy(out + sn + mark, query, qn);
    out[total] = '\0';
    *len = total;
    return out;
}

/* Whether the values of f match s (n bytes) or, when d is not NULL, its
 * decoded form d (dn bytes): each value may match either. */
static bool values_match2(const sigma_rule *r, const sfield *f, const char *s,
                          size_t n, const char *d, size_t dn, const event *ev)
{
    for (size_t i = 0; i < f->count; i++) {
        bool m = value_match(r, &f->values[i], s, n, ev) ||
                 (d && value_match(r, &f->values[i], d, dn, ev));
        if (f->all && !m)
            return false;
        if (!f->all && m)
            return true;
    }
    return f->all;
}

static bool values_match(const sigma_rule *r, const sfield *f, const char *s,
                         size_t n, const event *ev)
{
    return values_match2(r, f, s, n, NULL, 0, ev);
}

/* A field of an event whose names repeat (ev->multi: EVTX's Data list)
 * matches when any of its values does; keywords try the whole record's
 * values joined by spaces (raw), then each value alone. */
static bool multi_match(const sigma_rule *r, const sfield *f, const event *ev)
{
    if (!f->name && values_match(r, f, ev->raw, ev->raw_len, ev))
        return true;
    bool seen = false;
    for (size_t i = 0; i < ev->count; i++) {
        if (f->name && util_strcasecmp(ev->names[i], f->name) != 0)
            continue;
        seen = true;
        if (values_match(r, f, ev->values[i], ev->lens[i], ev))
            return true;
    }
    return f->name && !seen && values_match(r, f, NULL, 0, ev);
}

static bool field_match(const sigma_rule *r, const sfield *f, const event *ev)
{
    if (ev->multi)
        return multi_match(r, f, ev);
    const char *s;
    size_t n = 0;
    char stack[2048], *heap = NULL;
    if (f->whole_uri) {
        s = whole_uri(ev, stack, sizeof stack, &heap, &n);
        if (!s)
            s = event_get(ev, f->name, &n);
    } else if (f->name) {
        s = event_get(ev, f->name, &n);
    } else {
        s = ev->raw;
        n = ev->raw_len;
    }
    // A URI with escapes is matched as it is and decoded (twice, for
    // "%2540"); a value matches if either form does.
    char dstack[2048], *dheap = NULL;
    const char *d = NULL;
    size_t dn = 0;
    if (f->decode && s && n >= 3 && memchr(s, '%', n)) {
        char *out = n < sizeof dstack ? dstack : (dheap = exh_malloc(n + 1));
        if (out) {
            dn = util_url_decode(s, n, out);
            if (memchr(out, '%', dn))
                dn = util_url_decode(out, dn, out);
            out[dn] = '\0';
            d = dn != n || memcmp(out, s, n) != 0 ? out : NULL;
        }
    }
    bool result = values_match2(r, f, s, n, d, dn, ev);
    exh_free(heap);
    exh_free(dheap);
    return result;
}

static bool conj_match(const sigma_rule *r, const sconj *cj, const event *ev)
{
    for (size_t i = 0; i < cj->count; i++) {
        if (!field_match(r, &cj->fields[i], ev))
            return false;
    }
    return true;
}

/* Evaluates selection i once per event (cache: 0 unknown, 1 no, 2 yes). */
static bool sel_match(const sigma_rule *r, size_t i, const event *ev,
                      unsigned char *cache)
{
    if (cache[i])
        return cache[i] == 2;
    bool m = false;
    for (size_t k = 0; k < r->sels[i].count && !m; k++)
        m = conj_match(r, &r->sels[i].conj[k], ev);
    cache[i] = m ? 2 : 1;
    return m;
}

static bool cond_eval(const sigma_rule *r, const cnode *n, const event *ev,
                      unsigned char *cache)
{
    switch (n->op) {
    case C_SEL:
        return sel_match(r, n->sel, ev, cache);
    case C_NOT:
        return !cond_eval(r, n->kids[0], ev, cache);
    case C_AND:
        for (size_t i = 0; i < n->count; i++) {
            if (!cond_eval(r, n->kids[i], ev, cache))
                return false;
        }
        return true;
    default:
        for (size_t i = 0; i < n->count; i++) {
            if (cond_eval(r, n->kids[i], ev, cache))
                return true;
        }
        return false;
    }
}

/* Appends the field names of the first matching map of each positive,
 * matching selection, without duplicates. */
static size_t evidence(const sigma_rule *r, const event *ev,
                       unsigned char *cache, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->sel_count; i++) {
        const ssel *s = &r->sels[i];
        if (!s->positive || !sel_match(r, i, ev, cache))
            continue;
        for (size_t k = 0; k < s->count; k++) {
            const sconj *cj = &s->conj[k];
            if (!conj_match(r, cj, ev))
                continue;
            for (size_t f = 0; f < cj->count; f++) {
                const char *name = cj->fields[f].name;
                bool dup = !name;
                for (size_t j = 0; j < n && !dup; j++)
                    dup = !util_strcasecmp(out[j], name);
                if (!dup && n < max)
                    out[n++] = name;
            }
            break;
        }
    }
    return n;
}

bool sigma_match(const sigma_rule *rule, const event *ev, const char **matched,
                 size_t max_matched, size_t *matched_count)
{
    unsigned char cache[MAX_SELECTIONS];
    memset(cache, 0, rule->sel_count);
    if (matched_count)
        *matched_count = 0;
    if (!cond_eval(rule, rule->cond, ev, cache))
        return false;
    if (matched && matched_count)
        *matched_count = evidence(rule, ev, cache, matched, max_matched);
    return true;
}

bool sigma_decodes_uri(const sigma_rule *rule)
{
    return rule->decodes;
}

bool sigma_literals(const sigma_rule *rule, const char *const **lits,
                    size_t *count)
{
    if (!rule->has_lits) {
        *lits = NULL;
        *count = 0;
        return false;
    }
    *lits = rule->lits;
    *count = rule->lit_count;
    return true;
}

bool sigma_clauses(const sigma_rule *rule, const sigma_clause **clauses,
                   size_t *count)
{
    if (!rule->has_lits || !rule->clauses) {
        *clauses = NULL;
        *count = 0;
        return false;
    }
    *clauses = rule->clauses;
    *count = rule->clause_count;
    return true;
}

bool sigma_field_clauses(const sigma_rule *rule, const sigma_fclause **out,
                         size_t *count)
{
    *out = rule->fclauses;
    *count = rule->fclause_count;
    return rule->fclause_count > 0;
}
