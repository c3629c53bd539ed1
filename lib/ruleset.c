/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset.c - compiles built-in and user rules once into an immutable
 * exh_ruleset that every scanner and thread shares.
 *
 * Each Sigma rule is mapped to the log readers its logsource names; per
 * reader, the literals that every rule requires are joined into one
 * pre-filter, so records that no rule can match are never split into
 * fields. A user rule that does not compile is reported in the diagnostic
 * list and the rest still load.
 */
#include "ruleset.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct exh_diag {
    char **messages;
    size_t count;
};

size_t exh_diag_count(const exh_diag *diag)
{
    return diag ? diag->count : 0;
}

const char *exh_diag_message(const exh_diag *diag, size_t i)
{
    return diag && i < diag->count ? diag->messages[i] : NULL;
}

void exh_diag_free(exh_diag *diag)
{
    if (!diag)
        return;
    for (size_t i = 0; i < diag->count; i++)
        exh_free(diag->messages[i]);
    exh_free(diag->messages);
    exh_free(diag);
}

/* Appends a copy of msg; takes ownership of nothing. */
static exh_status diag_add(exh_diag **diag, const char *msg)
{
    if (!*diag) {
        *diag = exh_calloc(1, sizeof **diag);
        if (!*diag)
            return EXH_ERR_NOMEM;
    }
    char **m = exh_realloc((*diag)->messages, ((*diag)->count + 1) * sizeof *m);
    if (!m)
        return EXH_ERR_NOMEM;
    (*diag)->messages = m;
    m[(*diag)->count] = exh_strdup(msg);
    if (!m[(*diag)->count])
        return EXH_ERR_NOMEM;
    (*diag)->count++;
    return EXH_OK;
}

/* Which readers a logsource feeds: product exchange, service = family;
 * category webserver: IIS logs, and HttpProxy rows through the reader's
 * map of webserver field names (docs/internals/csvlog.md). */
static unsigned families_of(const sigma_meta *m)
{
    if (m->category && util_strcasecmp(m->category, "webserver") == 0)
        return (1u << FAM_IIS) | (1u << FAM_HTTPPROXY);
    static const struct {
        const char *service;
        log_family fam;
    } map[] = {
        {"httpproxy", FAM_HTTPPROXY},
        {"ecp-server", FAM_ECP_SERVER},
        {"ecp-activity", FAM_ECP_ACTIVITY},
        {"oabgenerator", FAM_OABGENERATOR},
        {"rps", FAM_RPS},
        {"ews", FAM_EWS},
        {"iis", FAM_IIS},
    };
    if (!m->product || util_strcasecmp(m->product, "exchange") != 0 ||
        !m->service)
        return 0;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (util_strcasecmp(m->service, map[i].service) == 0)
            return 1u << map[i].fam;
    }
    return 0;
}

/* The file name without folders and extension, as a new string. */
static char *file_stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return exh_strndup(base, len);
}

static exh_status add_rule(exh_ruleset *rs, sigma_rule *sigma,
                           const char *source, const char *path)
{
    rule_entry *r = exh_realloc(rs->rules, (rs->count + 1) * sizeof *r);
    if (!r) {
        sigma_rule_free(sigma);
        return EXH_ERR_NOMEM;
    }
    rs->rules = r;
    rule_entry *e = &r[rs->count];
    memset(e, 0, sizeof *e);
    e->sigma = sigma;
    rs->count++;
    const sigma_meta *m = sigma_rule_meta(sigma);
    e->name = m->name ? exh_strdup(m->name) : file_stem(path);
    e->source = exh_strdup(source);
    buf ls;
    buf_init(&ls, 256);
    buf_puts(&ls, m->product ? m->product : "*");
    buf_putc(&ls, '/');
    buf_puts(&ls, m->service ? m->service : (m->category ? m->category : "*"));
    e->logsource = ls.data ? ls.data : exh_strdup("*/*");
    e->families = families_of(m);
    e->winlog = winlog_source_of(m->product, m->service, m->category);
    if (e->winlog)
        e->families |= 1u << FAM_EVTX;
    if (!e->name || !e->source || !e->logsource)
        return EXH_ERR_NOMEM;
    // The literals for listing: a field sequence's runs joined by '*'.
    const char *const *lits;
    size_t lc;
    if (sigma_literals(sigma, &lits, &lc) && lc) {
        e->literals = exh_calloc(lc, sizeof *e->literals);
        if (!e->literals)
            return EXH_ERR_NOMEM;
        for (size_t i = 0; i < lc; i++) {
            char *t = exh_strdup(lits[i]);
            if (!t)
                return EXH_ERR_NOMEM;
            for (char *p = t; *p; p++)
                *p = *p == PREFILTER_SEQ ? '*' : *p;
            e->literals[e->literal_count++] = t;
        }
    }
    return EXH_OK;
}

/* Compiles one file's text. User rules that fail are diagnosed; a broken
 * built-in rule fails the load. */
static exh_status compile_text(exh_ruleset *rs, const char *text, size_t len,
                               const char *source, const char *path,
                               bool builtin, exh_diag **diag)
{
    sigma_rule **rules = NULL;
    size_t count = 0;
    char *msg = NULL;
    exh_status st = sigma_compile(text, len, source, &rules, &count, &msg);
    if (st == EXH_ERR_NOMEM) {
        exh_free(msg);
        return st;
    }
    if (st != EXH_OK) {
        exh_status dst = diag_add(diag, msg ? msg : source);
        exh_free(msg);
        if (dst != EXH_OK)
            return dst;
        return builtin ? EXH_ERR_RULE_SYNTAX : EXH_OK;
    }
    exh_free(msg);
    for (size_t i = 0; i < count && st == EXH_OK; i++)
        st = add_rule(rs, rules[i], source, path);
    for (size_t i = st == EXH_OK ? count : 0; i < count; i++)
        sigma_rule_free(rules[i]);
    exh_free(rules);
    return st;
}

static bool is_rule_file(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && util_strcasecmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && util_strcasecmp(name + n - 5, ".yaml") == 0);
}

/* Reads a whole rule file, at most 4 MiB. */
static exh_status read_file(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return EXH_ERR_IO;
    buf b;
    buf_init(&b, 4u << 20);
    char chunk[65536];
    ssize_t n;
    exh_status st = EXH_OK;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        st = buf_append(&b, chunk, (size_t)n);
        if (st != EXH_OK)
            break;
    }
    if (n < 0)
        st = EXH_ERR_IO;
    close(fd);
    if (st == EXH_OK && !b.data)
        st = buf_append(&b, "", 0);
    if (st != EXH_OK) {
        buf_free(&b);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return EXH_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static exh_status load_path(exh_ruleset *rs, const char *path, int depth,
                            exh_diag **diag);
static bool is_yara_file(const char *name);
static exh_status load_yara_file(exh_ruleset *rs, const char *path,
                                 exh_diag **diag);

typedef exh_status (*child_fn)(exh_ruleset *rs, const char *path, int depth,
                               exh_diag **diag);

/* Calls fn on every entry of a folder in name order (names starting with
 * '.' left out; with suffix, only names holding it). EXH_ERR_IO when the
 * folder cannot be read. */
static exh_status each_child(exh_ruleset *rs, const char *path, int depth,
                             const char *suffix, child_fn fn, exh_diag **diag)
{
    DIR *d = opendir(path);
    if (!d)
        return EXH_ERR_IO;
    char **names = NULL;
    size_t count = 0;
    exh_status st = EXH_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || (suffix && !strstr(de->d_name, suffix)))
            continue;
        char **n = exh_realloc(names, (count + 1) * sizeof *n);
        if (!n || !(n[count] = exh_strdup(de->d_name))) {
            names = n ? n : names;
            st = EXH_ERR_NOMEM;
            break;
        }
        names = n;
        count++;
    }
    closedir(d);
    if (names)
        qsort(names, count, sizeof *names, cmp_names);
    for (size_t i = 0; i < count; i++) {
        if (st == EXH_OK) {
            buf child;
            buf_init(&child, 8192);
            buf_printf(&child, "%s/%s", path, names[i]);
            st = child.data ? fn(rs, child.data, depth + 1, diag)
                            : EXH_ERR_NOMEM;
            buf_free(&child);
        }
        exh_free(names[i]);
    }
    exh_free(names);
    return st;
}

/* Loads every rule file under a folder, in name order. */
static exh_status load_dir(exh_ruleset *rs, const char *path, int depth,
                           exh_diag **diag)
{
    return each_child(rs, path, depth, NULL, load_path, diag);
}

/* Records a folder or file met while loading; *first is false when it
 * was met before (through another link, or given twice). */
static exh_status note_loaded(exh_ruleset *rs, const struct stat *stt,
                              bool *first)
{
    *first = false;
    for (size_t i = 0; i < rs->loaded_count; i++) {
        if (rs->loaded[i].dev == stt->st_dev &&
            rs->loaded[i].ino == stt->st_ino)
            return EXH_OK;
    }
    file_id *l = exh_realloc(rs->loaded, (rs->loaded_count + 1) * sizeof *l);
    if (!l)
        return EXH_ERR_NOMEM;
    rs->loaded = l;
    l[rs->loaded_count].dev = stt->st_dev;
    l[rs->loaded_count].ino = stt->st_ino;
    rs->loaded_count++;
    *first = true;
    return EXH_OK;
}

/* Loads a rule file or every rule file under a folder. Links are followed
 * (the folders are the user's own), but each folder is walked and each
 * file read once: a link to one already met, a loop among them, is
 * skipped without a word. */
static exh_status load_path(exh_ruleset *rs, const char *path, int depth,
                            exh_diag **diag)
{
    struct stat stt;
    bool first;
    if (depth > 32)
        return EXH_OK;
    if (stat(path, &stt) != 0) {
        if (depth > 0)
            return EXH_OK;
        buf m;
        buf_init(&m, 8192);
        buf_printf(&m, "%s: %s", path, strerror(errno));
        exh_status st = diag_add(diag, m.data ? m.data : path);
        buf_free(&m);
        return st == EXH_OK ? EXH_ERR_IO : st;
    }
    if (S_ISDIR(stt.st_mode)) {
        exh_status st = note_loaded(rs, &stt, &first);
        if (st != EXH_OK || !first)
            return st;
        st = load_dir(rs, path, depth, diag);
        if (st == EXH_ERR_IO) {
            buf m;
            buf_init(&m, 8192);
            buf_printf(&m, "%s: cannot read folder", path);
            exh_status dst = diag_add(diag, m.data ? m.data : path);
            buf_free(&m);
            return depth == 0 ? (dst ? dst : EXH_ERR_IO) : dst;
        }
        return st;
    }
    bool yara = S_ISREG(stt.st_mode) && is_yara_file(path);
    if (!yara && (!S_ISREG(stt.st_mode) || (depth > 0 && !is_rule_file(path))))
        return EXH_OK;
    exh_status st = note_loaded(rs, &stt, &first);
    if (st != EXH_OK || !first)
        return st;
    if (yara)
        return load_yara_file(rs, path, diag);
    char *text = NULL;
    size_t len = 0;
    st = read_file(path, &text, &len);
    if (st != EXH_OK) {
        buf m;
        buf_init(&m, 8192);
        buf_printf(&m, "%s: cannot read rule file", path);
        exh_status dst = diag_add(diag, m.data ? m.data : path);
        buf_free(&m);
        return dst ? dst : (st == EXH_ERR_NOMEM ? st : EXH_OK);
    }
    st = compile_text(rs, text, len, path, path, false, diag);
    exh_free(text);
    return st;
}

/* Parses rules/waves.csv: "name,YYYY-MM-DD" lines, '#' comments. */
static exh_status load_waves(exh_ruleset *rs, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *comma = memchr(p, ',', (size_t)(eol - p));
        int64_t ms;
        size_t tlen = comma ? (size_t)(eol - comma - 1) : 0;
        if (tlen && comma[tlen] == '\r')
            tlen--;
        if (*p != '#' && comma && util_time_parse(comma + 1, tlen, &ms)) {
            wave *w = exh_realloc(rs->waves, (rs->wave_count + 1) * sizeof *w);
            if (!w)
                return EXH_ERR_NOMEM;
            rs->waves = w;
            w[rs->wave_count].name = exh_strndup(p, (size_t)(comma - p));
            w[rs->wave_count].start_ms = ms;
            if (!w[rs->wave_count].name)
                return EXH_ERR_NOMEM;
            rs->wave_count++;
        }
        p = eol + 1;
    }
    return EXH_OK;
}

/* True when a literal must be cut down for a family: OAB generator lines
 * are text, so a field sequence's "no comma between runs" holds only for
 * CSV columns. IIS separates values by spaces (a value holds no space: a
 * user agent's are written '+'), so a field sequence there means "no
 * space between runs" (the filter's separator is ' ', and sigma.c makes
 * no sequence for the user agent, which may hold raw spaces); a literal
 * with a space or '+' is cut to a piece without them. */
static bool needs_plain(int fam, const char *lit)
{
    if (fam == FAM_OABGENERATOR || fam == FAM_EVTX)
        return strchr(lit, PREFILTER_SEQ) != NULL;
    if (fam == FAM_IIS)
        return strpbrk(lit, " +") != NULL;
    return false;
}

/* The search run of a field sequence (for IIS: the longest part without a
 * space or '+'), kept until the ruleset is freed. */
static char *keep_run(exh_ruleset *rs, const char *lit, bool iis)
{
    char **p = exh_realloc(rs->owned, (rs->owned_count + 1) * sizeof *p);
    if (!p)
        return NULL;
    rs->owned = p;
    char *run = prefilter_longest_run(lit);
    if (run && iis) {
        // Spaces and '+' split runs too: keep the longest piece.
        const char *best = run, *q = run;
        size_t best_len = 0;
        while (*q) {
            size_t n = strcspn(q, " +");
            if (n > best_len) {
                best = q;
                best_len = n;
            }
            q += n + (q[n] != '\0');
        }
        memmove(run, best, best_len);
        run[best_len] = '\0';
    }
    if (run)
        p[rs->owned_count++] = run;
    return run;
}

/* Merges equal literals (rules share them: 'autodiscover.json' is in four)
 * in place, so the search reports each hit once; slot[i] gets the index
 * literal i now has. Returns the number of distinct literals. Hashed:
 * families gather hundreds of literals. */
static size_t dedupe(const char **lits, size_t count, size_t *slot)
{
    size_t cap = 64;
    while (cap < count * 2)
        cap *= 2;
    size_t *table = exh_calloc(cap, sizeof *table); // index + 1, 0 empty
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        size_t j = n;
        if (table) {
            size_t at = (size_t)util_hash(lits[i], strlen(lits[i])) & (cap - 1);
            while (table[at] && strcmp(lits[table[at] - 1], lits[i]) != 0)
                at = (at + 1) & (cap - 1);
            if (table[at])
                j = table[at] - 1;
            else
                table[at] = n + 1;
        } else {
            j = 0;
            while (j < n && strcmp(lits[j], lits[i]) != 0)
                j++;
        }
        if (j == n)
            lits[n++] = lits[i];
        slot[i] = j;
    }
    exh_free(table);
    return n;
}

/* A growing family index: literals of every clause of every rule, and
 * where each rule's clauses and each clause's literals begin. */
typedef struct gate_build {
    const char **lits;
    size_t lit_count, lit_cap;
    size_t *clause_at; /* per clause: its first literal */
    bool *deferred;    /* per clause: checked on the record, not searched */
    size_t clause_count, clause_cap, def_cap;
    size_t *rule_at; /* per rule: its first clause */
} gate_build;

/* Clauses after a rule's first that cost this much or more (common
 * literals: 'post', '/owa/', '200') are not searched for in every buffer,
 * which would report a hit in most records, but checked in the records
 * whose searched clauses hold (see prefilter_set_gate). */
#define DEFER_COST 0.05

/* p grown to hold need items of size bytes (*cap items now); NULL when
 * out of memory (p is then unchanged). */
static void *gb_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap && p)
        return p;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = exh_realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}

/* Whether a clause holds a literal shorter than 3 bytes (see
 * sigma_clauses): searching for it would stop at most bytes. */
static bool has_short(const sigma_clause *cl)
{
    for (size_t k = 0; k < cl->count; k++) {
        if (strlen(cl->lits[k]) < 3)
            return true;
    }
    return false;
}

/* Adds a rule's clauses for family f. A clause holding a literal that is
 * empty once cut for the family knows nothing and is left out. *gated
 * says whether any clause remains. */
static exh_status gate_add_rule(exh_ruleset *rs, gate_build *g, int f,
                                const sigma_rule *sigma, bool *gated)
{
    const sigma_clause *cl;
    size_t cc;
    *gated = false;
    if (!sigma_clauses(sigma, &cl, &cc))
        return EXH_OK;
    for (size_t j = 0; j < cc; j++) {
        if (cl[j].count == 0 || (!*gated && has_short(&cl[j])))
            continue; // a run like '@' is only ever checked, not searched
        bool defer = *gated && (cl[j].cost >= DEFER_COST || has_short(&cl[j]));
        size_t mark = g->lit_count;
        bool empty = false;
        const char **gl =
            gb_grow(g->lits, &g->lit_cap, mark + cl[j].count, sizeof *gl);
        if (!gl)
            return EXH_ERR_NOMEM;
        g->lits = gl;
        for (size_t k = 0; k < cl[j].count && !empty; k++) {
            const char *lit = cl[j].lits[k];
            char *own = NULL;
            if (needs_plain(f, lit) &&
                (own = keep_run(rs, lit, f == FAM_IIS)) == NULL)
                return EXH_ERR_NOMEM;
            lit = own ? own : lit;
            empty = lit[0] == '\0';
            g->lits[g->lit_count++] = lit;
        }
        if (empty) {
            g->lit_count = mark;
            continue;
        }
        size_t *ca = gb_grow(g->clause_at, &g->clause_cap, g->clause_count + 2,
                             sizeof *ca);
        if (ca)
            g->clause_at = ca;
        bool *de = ca ? gb_grow(g->deferred, &g->def_cap, g->clause_count + 1,
                                sizeof *de)
                      : NULL;
        if (!ca || !de)
            return EXH_ERR_NOMEM;
        g->deferred = de;
        de[g->clause_count] = defer;
        g->clause_at[g->clause_count++] = mark;
        g->clause_at[g->clause_count] = g->lit_count;
        *gated = true;
    }
    return EXH_OK;
}

/* The family's pre-filter over every literal of its rules' clauses, with
 * the gate that lets a record meet a rule only when it holds a literal of
 * each of the rule's clauses. */
static exh_status gate_finish(family_rules *fr, gate_build *g, int f)
{
    size_t n = g->lit_count ? g->lit_count : 1;
    size_t *slot = exh_calloc(n, sizeof *slot);
    uint32_t *ids = exh_calloc(n, sizeof *ids);
    const char **texts = exh_calloc(n, sizeof *texts);
    const char **searched = exh_calloc(n, sizeof *searched);
    exh_status st = EXH_ERR_NOMEM;
    if (slot && ids && texts && searched) {
        // the literals of searched clauses go to the filter, deduplicated
        size_t m = 0;
        for (size_t j = 0; j < g->clause_count; j++) {
            for (size_t k = g->clause_at[j]; k < g->clause_at[j + 1]; k++) {
                if (g->deferred[j])
                    texts[k] = g->lits[k];
                else
                    searched[m++] = g->lits[k];
            }
        }
        size_t distinct = dedupe(searched, m, slot);
        for (size_t j = 0, i = 0; j < g->clause_count; j++) {
            for (size_t k = g->clause_at[j]; k < g->clause_at[j + 1]; k++)
                ids[k] = g->deferred[j] ? 0 : (uint32_t)slot[i++];
        }
        st = prefilter_new(searched, distinct, &fr->pf);
        if (st == EXH_OK && f == FAM_IIS)
            prefilter_set_separator(fr->pf, ' ');
        if (st == EXH_OK)
            st = prefilter_set_gate(fr->pf, fr->count, g->rule_at, g->clause_at,
                                    ids, texts, fr->decode);
    }
    exh_free(slot);
    exh_free(ids);
    exh_free(texts);
    exh_free(searched);
    return st;
}

/* IIS and HttpProxy: the field clauses of the family's rules
 * (sigma_field_clauses), so the reader can hold a record to literals
 * inside the right fields. */
static exh_status field_gate(exh_ruleset *rs, family_rules *fr)
{
    size_t clauses = 0, lits = 0;
    for (size_t i = 0; i < fr->count; i++) {
        const sigma_fclause *fc;
        size_t n = 0;
        sigma_field_clauses(rs->rules[fr->idx[i]].sigma, &fc, &n);
        clauses += n;
        for (size_t j = 0; j < n; j++)
            lits += fc[j].count;
    }
    if (clauses == 0)
        return EXH_OK;
    size_t *rule_fc = exh_calloc(fr->count + 1, sizeof *rule_fc);
    size_t *fc_lit = exh_calloc(clauses + 1, sizeof *fc_lit);
    const char **names = exh_calloc(clauses, sizeof *names);
    bool *neg = exh_calloc(clauses, sizeof *neg);
    const char **all = exh_calloc(lits, sizeof *all);
    exh_status st = EXH_ERR_NOMEM;
    if (rule_fc && fc_lit && names && neg && all) {
        size_t c = 0, l = 0;
        for (size_t i = 0; i < fr->count; i++) {
            const sigma_fclause *fc;
            size_t n = 0;
            sigma_field_clauses(rs->rules[fr->idx[i]].sigma, &fc, &n);
            rule_fc[i] = c;
            for (size_t j = 0; j < n; j++, c++) {
                names[c] = fc[j].field;
                neg[c] = fc[j].negative;
                fc_lit[c] = l;
                for (size_t e = 0; e < fc[j].count; e++)
                    all[l++] = fc[j].lits[e];
            }
        }
        rule_fc[fr->count] = c;
        fc_lit[c] = l;
        st = prefilter_set_field_clauses(fr->pf, fr->count, rule_fc, names, neg,
                                         fc_lit, all);
    }
    exh_free(rule_fc);
    exh_free(fc_lit);
    exh_free(names);
    exh_free(neg);
    exh_free(all);
    return st;
}

/* Builds the per-family rule lists and pre-filters. */
static exh_status index_families(exh_ruleset *rs)
{
    for (int f = 1; f < FAM__COUNT; f++) {
        family_rules *fr = &rs->fam[f];
        gate_build g = {0};
        bool all_filtered = true;
        exh_status st = EXH_OK;
        for (size_t i = 0; i < rs->count && st == EXH_OK; i++) {
            if (!(rs->rules[i].families & (1u << f)))
                continue;
            size_t *idx = exh_realloc(fr->idx, (fr->count + 1) * sizeof *idx);
            size_t *ra =
                idx ? exh_realloc(g.rule_at, (fr->count + 2) * sizeof *ra)
                    : NULL;
            if (idx)
                fr->idx = idx;
            if (ra)
                g.rule_at = ra;
            if (!idx || !ra) {
                st = EXH_ERR_NOMEM;
                break;
            }
            fr->decode |= sigma_decodes_uri(rs->rules[i].sigma);
            g.rule_at[fr->count] = g.clause_count;
            idx[fr->count++] = i;
            bool gated = false;
            st = gate_add_rule(rs, &g, f, rs->rules[i].sigma, &gated);
            all_filtered = all_filtered && gated;
            g.rule_at[fr->count] = g.clause_count;
        }
        if (st == EXH_OK && all_filtered && fr->count > 0)
            st = gate_finish(fr, &g, f);
        if (st == EXH_OK && fr->pf && (f == FAM_IIS || f == FAM_HTTPPROXY))
            st = field_gate(rs, fr);
        exh_free(g.lits);
        exh_free(g.clause_at);
        exh_free(g.deferred);
        exh_free(g.rule_at);
        if (st != EXH_OK)
            return st;
    }
    return EXH_OK;
}

static int cmp_hash(const void *a, const void *b)
{
    return strcmp(((const hash_ioc *)a)->hex, ((const hash_ioc *)b)->hex);
}

const hash_ioc *ruleset_hash_lookup(const exh_ruleset *rs, const char *hex)
{
    if (!rs->hash_count)
        return NULL;
    hash_ioc key;
    snprintf(key.hex, sizeof key.hex, "%s", hex);
    return bsearch(&key, rs->hashes, rs->hash_count, sizeof key, cmp_hash);
}

bool ruleset_has_file_rules(const exh_ruleset *rs)
{
    return rs->hash_count > 0 || rs->name_count > 0 || rs->baseline ||
           (rs->yara && yara_set_count(rs->yara) > 0);
}

static bool is_yara_file(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && util_strcasecmp(name + n - 4, ".yar") == 0) ||
           (n > 5 && util_strcasecmp(name + n - 5, ".yara") == 0);
}

/* The ruleset's YARA set, made on first use. */
static exh_status yara_of(exh_ruleset *rs, yara_set **out)
{
    if (!rs->yara) {
        exh_status st = yara_set_new(&rs->yara);
        if (st != EXH_OK)
            return st;
    }
    *out = rs->yara;
    return EXH_OK;
}

/* True when a YARA file declares a rule tagged LOG ("rule NAME : LOG {",
 * signature-base's mark for rules meant for log lines). Reads at most the
 * first 8 MiB. */
static bool has_log_rule(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 8u << 20, len = 0;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && (unsigned long)size < cap)
        cap = (size_t)size + 1;
    rewind(f);
    char *text = exh_malloc(cap);
    if (text)
        len = fread(text, 1, cap, f);
    fclose(f);
    bool found = false;
    for (size_t i = 0; text && !found && i + 4 < len; i++) {
        bool start = i == 0 || text[i - 1] == '\n' || text[i - 1] == ' ' ||
                     text[i - 1] == '\t';
        if (!start || memcmp(text + i, "rule", 4) != 0)
            continue;
        // the header up to '{': tags follow a ':' after the name
        const char *brace = memchr(text + i, '{', len - i);
        size_t end = brace ? (size_t)(brace - text) : len;
        const char *colon = memchr(text + i, ':', end - i);
        if (!colon || end - i > 512)
            continue;
        for (size_t k = (size_t)(colon - text) + 1; k + 3 <= end; k++) {
            bool before =
                text[k - 1] == ' ' || text[k - 1] == ':' || text[k - 1] == '\t';
            bool after = k + 3 == end || text[k + 3] == ' ' ||
                         text[k + 3] == '\t' || text[k + 3] == '\r' ||
                         text[k + 3] == '\n';
            if (before && after && memcmp(text + k, "LOG", 3) == 0)
                found = true;
        }
    }
    exh_free(text);
    return found;
}

/* Adds a YARA rule file of the user's: one that does not compile is
 * named in the diagnostics and the rest still load. A file with rules
 * tagged LOG also goes to the set run per log line. */
static exh_status load_yara_file(exh_ruleset *rs, const char *path,
                                 exh_diag **diag)
{
    yara_set *ys;
    EXH_TRY(yara_of(rs, &ys));
    char *msg = NULL;
    exh_status st = yara_set_add_file(ys, path, &msg);
    if (st == EXH_ERR_NOMEM) {
        exh_free(msg);
        return st;
    }
    if (st != EXH_OK) {
        st = diag_add(diag, msg ? msg : path);
        exh_free(msg);
        return st;
    }
    exh_free(msg);
    msg = NULL;
    if (has_log_rule(path)) {
        if (!rs->yara_log)
            EXH_TRY(yara_set_new(&rs->yara_log));
        st = yara_set_add_file(rs->yara_log, path, &msg);
        exh_free(msg);
        if (st == EXH_ERR_NOMEM)
            return st;
    }
    return EXH_OK;
}

/* Adds the entries of a hash IOC list ("HASH;COMMENT" per line,
 * signature-base's format; MD5, SHA-1 or SHA-256). Lines that hold no hash
 * are counted in *m. */
static exh_status add_hashes(exh_ruleset *rs, const char *text, size_t len,
                             const char *stem, const char *source, buf *m)
{
    // The digests of an empty file and of a lone line break (LF, CRLF):
    // listed by mistake, they would flag every such file.
    static const char *const trivial[] = {
        "d41d8cd98f00b204e9800998ecf8427e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "68b329da9893e34099c7d8ad5cb9c940",
        "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc",
        "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
        "81051bcc2cf1bedf378224b0a93e2877",
        "ba8ab5a0280b953aa97435ff8946cbcbb2755a27",
        "7eb70257593da06f682a3ddda54a9d260d4fc514f645237f5ca74b08f8da61a6"};
    size_t bad = 0, skipped = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        const char *semi = memchr(p, ';', (size_t)(stop - p));
        const char *v = p, *ve = semi ? semi : stop;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\r' || ve[-1] == '\t'))
            ve--;
        size_t n = (size_t)(ve - v), hex = 0;
        while (hex < n && isxdigit((unsigned char)v[hex]))
            hex++;
        if (n && *v != '#') {
            bool is_trivial = false;
            for (size_t i = 0; i < sizeof trivial / sizeof *trivial; i++) {
                size_t k = 0;
                while (k < n && trivial[i][k] &&
                       tolower((unsigned char)v[k]) == trivial[i][k])
                    k++;
                is_trivial |= k == n && trivial[i][k] == '\0';
            }
            if (is_trivial) {
                skipped++;
            } else if (hex == n && (n == 32 || n == 40 || n == 64)) {
                hash_ioc *h =
                    exh_realloc(rs->hashes, (rs->hash_count + 1) * sizeof *h);
                if (!h)
                    return EXH_ERR_NOMEM;
                rs->hashes = h;
                hash_ioc *e = &h[rs->hash_count];
                for (size_t i = 0; i < n; i++)
                    e->hex[i] = (char)tolower((unsigned char)v[i]);
                e->hex[n] = '\0';
                rs->hash_md5 |= n == 32;
                rs->hash_sha1 |= n == 40;
                const char *c = semi ? semi + 1 : stop;
                size_t clen = (size_t)(stop - c);
                while (clen && (c[clen - 1] == '\r' || c[clen - 1] == ' '))
                    clen--;
                e->comment = exh_strndup(c, clen);
                e->source = exh_strdup(source);
                buf r;
                buf_init(&r, 4096);
                buf_printf(&r, "ioc_%s", stem);
                e->rule = r.data;
                buf t;
                buf_init(&t, 4096);
                buf_printf(&t, "File hash listed in the IOC list %s", stem);
                e->title = t.data;
                if (!e->comment || !e->source || !e->rule || !e->title) {
                    exh_free(e->comment);
                    exh_free(e->source);
                    exh_free(e->rule);
                    exh_free(e->title);
                    return EXH_ERR_NOMEM;
                }
                rs->hash_count++;
            } else {
                bad++;
            }
        }
        p = eol ? eol + 1 : end;
    }
    if (skipped)
        buf_printf(m,
                   "%s: %zu entr%s for an empty or line-break-only file "
                   "skipped (every such file would match)%s",
                   source, skipped, skipped == 1 ? "y" : "ies",
                   bad ? "; " : "");
    if (bad)
        buf_printf(m,
                   "%s%s%zu line%s that hold%s no MD5, SHA-1 or SHA-256 "
                   "skipped",
                   skipped ? "" : source, skipped ? "" : ": ", bad,
                   bad == 1 ? "" : "s", bad == 1 ? "s" : "");
    return EXH_OK;
}

static bool is_yara_file(const char *name);
static exh_status yara_of(exh_ruleset *rs, yara_set **out);

/* Fills rs->ylist from the compiled YARA rules (exh_ruleset_yara_rule),
 * compiling them if no scan has yet. */
static exh_status list_yara(exh_ruleset *rs)
{
    EXH_TRY(yara_set_ready(rs->yara));
    size_t n = yara_set_count(rs->yara);
    if (!n)
        return EXH_OK;
    rs->ylist = exh_calloc(n, sizeof *rs->ylist);
    if (!rs->ylist)
        return EXH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        yara_hit h;
        if (!yara_set_rule(rs->yara, i, &h))
            break;
        yara_listing *y = &rs->ylist[rs->ylist_count++];
        exh_rule_info *o = &y->info;
        o->name = h.rule;
        o->title = h.description ? h.description : h.rule;
        o->source = h.source;
        o->author = h.author;
        o->logsource = "file";
        o->severity = yara_severity(&h);
        o->category = yara_category(&h);
        o->has_reader = 1;
        o->cve = y->cves;
        if (!h.cve)
            continue;
        y->cvebuf = exh_strdup(h.cve);
        if (!y->cvebuf)
            return EXH_ERR_NOMEM;
        o->cve_count = util_split_commas(y->cvebuf, y->cves, 8);
    }
    return EXH_OK;
}

/* Adds a built-in YARA file (namespace "builtin"): a broken one fails the
 * load, as a broken built-in Sigma rule does. */
static exh_status
load_builtin_yara(exh_ruleset *rs, const builtin_rule_file *bf, exh_diag **diag)
{
    yara_set *ys;
    EXH_TRY(yara_of(rs, &ys));
    buf src;
    buf_init(&src, 4096);
    buf_printf(&src, "builtin:%s", bf->path);
    if (!src.data)
        return EXH_ERR_NOMEM;
    char *msg = NULL;
    exh_status st =
        yara_set_add_trusted(ys, bf->text, bf->len, "builtin", src.data, &msg);
    if (st == EXH_ERR_RULE_SYNTAX) {
        exh_status dst = diag_add(diag, msg ? msg : src.data);
        st = dst != EXH_OK ? dst : EXH_ERR_RULE_SYNTAX;
    }
    exh_free(msg);
    buf_free(&src);
    return st;
}

/* Adds the entries of one IOC list's text; what it skips goes to *m. */
typedef exh_status (*ioc_list_adder)(exh_ruleset *rs, const char *text,
                                     size_t len, const char *stem,
                                     const char *source, buf *m);

/* Loads a built-in IOC list (rules/iocs/): hashes through add_hashes, file
 * names through nameioc_add. */
static exh_status load_builtin_list(exh_ruleset *rs,
                                    const builtin_rule_file *bf,
                                    ioc_list_adder add, exh_diag **diag)
{
    buf src, m;
    buf_init(&src, 4096);
    buf_init(&m, 4096);
    buf_printf(&src, "builtin:%s", bf->path);
    char *stem = file_stem(bf->path);
    exh_status st = src.data && stem
                        ? add(rs, bf->text, bf->len, stem, src.data, &m)
                        : EXH_ERR_NOMEM;
    if (st == EXH_OK && m.len)
        st = diag_add(diag, m.data);
    exh_free(stem);
    buf_free(&src);
    buf_free(&m);
    return st;
}

/* Loads a hash IOC list file. */
static exh_status load_hash_list(exh_ruleset *rs, const char *path, buf *m)
{
    char *text = NULL, *stem = file_stem(path);
    size_t len = 0;
    exh_status st = stem ? read_file(path, &text, &len) : EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = add_hashes(rs, text, len, stem, path, m);
    else if (st == EXH_ERR_IO || st == EXH_ERR_LIMIT) {
        buf_printf(m, "%s: cannot read the IOC list", path);
        st = EXH_OK;
    }
    exh_free(text);
    exh_free(stem);
    return st;
}

/* Loads one IOC file by its name's kind. */
static exh_status load_ioc_file(exh_ruleset *rs, const char *path, int depth,
                                exh_diag **diag)
{
    (void)depth; // an IOC folder is read one level deep
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char lower[256];
    size_t n =
        strlen(base) < sizeof lower - 1 ? strlen(base) : sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] =
            (char)((base[i] >= 'A' && base[i] <= 'Z') ? base[i] + 32 : base[i]);
    lower[n] = '\0';
    buf m;
    buf_init(&m, 8192);
    exh_status st = EXH_OK;
    if (strstr(lower, "hash")) {
        st = load_hash_list(rs, path, &m);
    } else if (strstr(lower, "filename")) {
        char *text = NULL, *stem = file_stem(path);
        size_t len = 0;
        st = stem ? read_file(path, &text, &len) : EXH_ERR_NOMEM;
        if (st == EXH_OK)
            st = nameioc_add(rs, text, len, stem, path, &m);
        else if (st == EXH_ERR_IO || st == EXH_ERR_LIMIT) {
            buf_printf(&m, "%s: cannot read the IOC list", path);
            st = EXH_OK;
        }
        exh_free(text);
        exh_free(stem);
    } else if (!strstr(lower, "c2") && !strstr(lower, "address")) {
        buf_printf(&m,
                   "%s: not an IOC list by its name (c2, address, hash, "
                   "filename): not loaded",
                   path);
    } else {
        char *text = NULL, *stem = file_stem(path);
        size_t len = 0, values = 0, rejected = 0;
        buf yaml;
        buf_init(&yaml, 256u << 20);
        st = stem ? read_file(path, &text, &len) : EXH_ERR_NOMEM;
        // The stem names the rules: keep it to plain characters.
        for (char *c = stem; st == EXH_OK && *c; c++) {
            if (!((*c >= '0' && *c <= '9') ||
                  ((*c | 32) >= 'a' && (*c | 32) <= 'z') || *c == '-' ||
                  *c == '_' || *c == '.'))
                *c = '_';
        }
        if (st == EXH_OK)
            st = ioc_address_rules(text, len, stem, stem, &yaml, &values,
                                   &rejected, &rs->addrs);
        if (st == EXH_OK && yaml.len)
            st = compile_text(rs, yaml.data, yaml.len, path, path, false, diag);
        if (st == EXH_OK && rejected)
            buf_printf(&m,
                       "%s: %zu of %zu entries are no address, network "
                       "or domain: skipped",
                       path, rejected, values);
        else if (st == EXH_ERR_IO || st == EXH_ERR_LIMIT) {
            buf_printf(&m, "%s: %s", path,
                       st == EXH_ERR_IO ? "cannot read the IOC list"
                                        : "the IOC list is too large");
            st = EXH_OK;
        }
        buf_free(&yaml);
        exh_free(text);
        exh_free(stem);
    }
    if (st == EXH_OK && m.len)
        st = diag_add(diag, m.data);
    buf_free(&m);
    return st;
}

/* Loads IOC lists from a file or every file of a folder (not recursive,
 * as signature-base's iocs/ folder). */
static exh_status load_iocs(exh_ruleset *rs, const char *path, exh_diag **diag)
{
    struct stat stt;
    if (stat(path, &stt) != 0) {
        buf m;
        buf_init(&m, 8192);
        buf_printf(&m, "%s: %s", path, strerror(errno));
        exh_status st = diag_add(diag, m.data ? m.data : path);
        buf_free(&m);
        return st == EXH_OK ? EXH_ERR_IO : st;
    }
    if (!S_ISDIR(stt.st_mode))
        return load_ioc_file(rs, path, 0, diag);
    return each_child(rs, path, 0, ".txt", load_ioc_file, diag);
}

exh_status exh_ruleset_load(const char *const *paths, size_t path_count,
                            unsigned flags, exh_ruleset **out, exh_diag **diag)
{
    return exh_ruleset_load_with_iocs(paths, path_count, NULL, 0, flags, out,
                                      diag);
}

exh_status exh_ruleset_load_with_iocs(const char *const *paths,
                                      size_t path_count,
                                      const char *const *ioc_paths,
                                      size_t ioc_count, unsigned flags,
                                      exh_ruleset **out, exh_diag **diag)
{
    exh_diag *local = NULL;
    exh_status st = EXH_OK;
    exh_ruleset *rs = exh_calloc(1, sizeof *rs);
    if (!rs) {
        st = EXH_ERR_NOMEM;
        goto out;
    }
    pthread_mutex_init(&rs->ylock, NULL);
    for (size_t i = 0; i < builtin_rule_file_count && st == EXH_OK; i++) {
        const builtin_rule_file *bf = &builtin_rule_files[i];
        if (strcmp(bf->path, "waves.csv") == 0) {
            st = load_waves(rs, bf->text, bf->len);
            continue;
        }
        if (!(flags & EXH_LOAD_NO_BUILTIN) &&
            strncmp(bf->path, "iocs/", 5) == 0 && strstr(bf->path, "hash")) {
            st = load_builtin_list(rs, bf, add_hashes, &local);
            continue;
        }
        if (!(flags & EXH_LOAD_NO_BUILTIN) &&
            strncmp(bf->path, "iocs/", 5) == 0 &&
            strstr(bf->path, "filename")) {
            st = load_builtin_list(rs, bf, nameioc_add, &local);
            continue;
        }
        if (!(flags & EXH_LOAD_NO_BUILTIN) &&
            strncmp(bf->path, "baselines/", 10) == 0) {
            st = baseline_add(&rs->baseline, bf->path, bf->text, bf->len);
            continue;
        }
        if (!(flags & EXH_LOAD_NO_BUILTIN) && is_yara_file(bf->path)) {
            st = load_builtin_yara(rs, bf, &local);
            continue;
        }
        if ((flags & EXH_LOAD_NO_BUILTIN) || !is_rule_file(bf->path))
            continue;
        buf src;
        buf_init(&src, 4096);
        buf_printf(&src, "builtin:%s", bf->path);
        if (!src.data) {
            st = EXH_ERR_NOMEM;
            break;
        }
        st = compile_text(rs, bf->text, bf->len, src.data, bf->path, true,
                          &local);
        buf_free(&src);
    }
    for (size_t i = 0; i < path_count && st == EXH_OK; i++)
        st = load_path(rs, paths[i], 0, &local);
    exh_free(rs->loaded);
    rs->loaded = NULL;
    rs->loaded_count = 0;
    for (size_t i = 0; i < ioc_count && st == EXH_OK; i++)
        st = load_iocs(rs, ioc_paths[i], &local);
    if (st == EXH_OK)
        st = index_families(rs);
    if (st == EXH_OK && rs->hash_count > 1)
        qsort(rs->hashes, rs->hash_count, sizeof *rs->hashes, cmp_hash);
    if (st == EXH_OK)
        addr_set_finish(&rs->addrs);
out:
    if (st != EXH_OK) {
        exh_ruleset_free(rs);
    } else {
        *out = rs;
    }
    if (diag)
        *diag = local;
    else
        exh_diag_free(local);
    return st;
}

void exh_ruleset_free(exh_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->count; i++) {
        sigma_rule_free(rs->rules[i].sigma);
        exh_free(rs->rules[i].name);
        exh_free(rs->rules[i].source);
        exh_free(rs->rules[i].logsource);
        for (size_t k = 0; k < rs->rules[i].literal_count; k++)
            exh_free(rs->rules[i].literals[k]);
        exh_free(rs->rules[i].literals);
    }
    exh_free(rs->rules);
    for (int f = 0; f < FAM__COUNT; f++) {
        exh_free(rs->fam[f].idx);
        prefilter_free(rs->fam[f].pf);
    }
    for (size_t i = 0; i < rs->wave_count; i++)
        exh_free(rs->waves[i].name);
    for (size_t i = 0; i < rs->owned_count; i++)
        exh_free(rs->owned[i]);
    exh_free(rs->owned);
    for (size_t i = 0; i < rs->hash_count; i++) {
        exh_free(rs->hashes[i].comment);
        exh_free(rs->hashes[i].rule);
        exh_free(rs->hashes[i].title);
        exh_free(rs->hashes[i].source);
    }
    exh_free(rs->hashes);
    for (size_t i = 0; i < rs->name_count; i++)
        nameioc_free(&rs->names[i]);
    exh_free(rs->names);
    for (size_t i = 0; i < rs->ylist_count; i++)
        exh_free(rs->ylist[i].cvebuf);
    exh_free(rs->ylist);
    pthread_mutex_destroy(&rs->ylock);
    yara_set_free(rs->yara);
    yara_set_free(rs->yara_log);
    baseline_free(rs->baseline);
    addr_set_free(&rs->addrs);
    exh_free(rs->waves);
    exh_free(rs);
}

size_t exh_ruleset_file_rule_count(const exh_ruleset *rs)
{
    if (!rs)
        return 0;
    return rs->hash_count + rs->name_count +
           (rs->yara ? yara_set_count(rs->yara) : 0);
}

size_t exh_ruleset_count(const exh_ruleset *rs)
{
    return rs ? rs->count : 0;
}

size_t exh_ruleset_yara_count(const exh_ruleset *rs)
{
    return rs && rs->yara ? yara_set_count(rs->yara) : 0;
}

exh_status exh_ruleset_yara_rule(const exh_ruleset *rs, size_t i,
                                 exh_rule_info *out)
{
    if (!rs || !out)
        return EXH_ERR_INVALID_ARG;
    // The listing is made on first use: the ruleset is immutable to its
    // users, and this fills in a cache of it once.
    exh_ruleset *m = (exh_ruleset *)rs;
    pthread_mutex_lock(&m->ylock);
    if (!m->ylisted) {
        m->ystatus = m->yara ? list_yara(m) : EXH_OK;
        m->ylisted = true;
    }
    exh_status st = m->ystatus;
    pthread_mutex_unlock(&m->ylock);
    if (st != EXH_OK)
        return st;
    if (i >= rs->ylist_count)
        return EXH_ERR_INVALID_ARG;
    *out = rs->ylist[i].info;
    return EXH_OK;
}

exh_status exh_ruleset_rule(const exh_ruleset *rs, size_t i, exh_rule_info *out)
{
    if (!rs || i >= rs->count || !out)
        return EXH_ERR_INVALID_ARG;
    const rule_entry *e = &rs->rules[i];
    const sigma_meta *m = sigma_rule_meta(e->sigma);
    out->name = e->name;
    out->id = m->id;
    out->title = m->title ? m->title : e->name;
    out->source = e->source;
    out->author = m->author;
    out->logsource = e->logsource;
    out->severity = m->severity;
    out->category = m->category_value;
    out->cve = (const char *const *)m->cve;
    out->cve_count = m->cve_count;
    out->attack = (const char *const *)m->attack;
    out->attack_count = m->attack_count;
    out->has_reader = e->families != 0;
    out->literals = (const char *const *)e->literals;
    out->literal_count = e->literal_count;
    return EXH_OK;
}
