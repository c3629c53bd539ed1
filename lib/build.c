/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.c - the Exchange build table (rules/builds.csv, rules/build_cves.csv,
 * rules/build_kbs.csv, all compiled into the library) and the patch status
 * of a build number.
 *
 * Each row of builds.csv names one release and the covered CVEs it has
 * fixed; a CVE of build_cves.csv that applies to the row's product and is
 * not fixed is open. A build the table does not list is placed between its
 * neighbours of the same product: an unlisted update of a listed CU counts
 * as fixed what the update below it fixes; a build between two CUs counts
 * as fixed only what both neighbours fix. The table is parsed on each
 * lookup (a few hundred rows, microseconds), so there is no global state.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CVES     32 /* fixed sets are bit masks */
#define MAX_PREFIXES 8  /* products one CVE applies to */

typedef struct build_row {
    uint16_t v[4];
    char *product, *update, *released, *note;
    uint32_t fixed; /* bit i: cves[i] is fixed */
    uint32_t kb;    /* the update's KB number (build_kbs.csv), or 0 */
} build_row;

typedef struct build_cve {
    char *id, *severity, *name;
    uint16_t prefix[MAX_PREFIXES][2]; /* major.minor it applies to */
    size_t prefix_count;
} build_cve;

struct build_table {
    build_row *rows; /* ascending by version */
    size_t row_count;
    build_cve cves[MAX_CVES];
    size_t cve_count;
};

struct exh_build {
    exh_build_info info;
    char version[32];
    char *name, *update, *placement;
    const char *open[MAX_CVES], *fixed[MAX_CVES], *open_severity[MAX_CVES];
    const char *open_title[MAX_CVES];
    build_table *table;
};

bool build_parse_version(const char *s, uint16_t v[4], int *parts)
{
    int n = 0;
    const char *p = s;

    while (*p == ' ' || *p == '\t')
        p++;
    for (;;) {
        unsigned long x = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (++digits > 5)
                return false;
            x = x * 10 + (unsigned long)(*p++ - '0');
        }
        if (digits == 0 || x > 65535 || n == 4)
            return false;
        v[n++] = (uint16_t)x;
        if (*p != '.')
            break;
        p++;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p != '\0' || n < 3)
        return false;
    if (n == 3)
        v[3] = 0;
    *parts = n;
    return true;
}

static int vcmp(const uint16_t a[4], const uint16_t b[4])
{
    for (int i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Splits line (NUL-terminated, modified) at the first max-1 commas. */
static size_t split_fields(char *line, char **out, size_t max)
{
    size_t n = 0;
    out[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            out[n++] = p + 1;
        }
    return n;
}

/* Calls fn for each non-comment line of a built-in file. */
static exh_status each_line(const char *path, build_table *t,
                            exh_status (*fn)(build_table *, char *))
{
    const builtin_rule_file *bf = NULL;
    for (size_t i = 0; i < builtin_rule_file_count; i++)
        if (builtin_rule_files[i].path &&
            strcmp(builtin_rule_files[i].path, path) == 0)
            bf = &builtin_rule_files[i];
    if (!bf)
        return EXH_ERR_IO;
    const char *p = bf->text, *end = bf->text + bf->len;
    exh_status st = EXH_OK;
    while (p < end && st == EXH_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && p[0] != '#') {
            char *line = exh_strndup(p, len);
            if (!line)
                return EXH_ERR_NOMEM;
            st = fn(t, line);
            exh_free(line);
        }
        p += len + 1;
    }
    return st;
}

static int cve_index(const build_table *t, const char *id, size_t len)
{
    for (size_t i = 0; i < t->cve_count; i++)
        if (strlen(t->cves[i].id) == len && memcmp(t->cves[i].id, id, len) == 0)
            return (int)i;
    return -1;
}

static exh_status add_cve(build_table *t, char *line)
{
    char *f[4];
    if (split_fields(line, f, 4) != 4 || t->cve_count == MAX_CVES)
        return EXH_ERR_RULE_SYNTAX;
    build_cve *c = &t->cves[t->cve_count];
    for (char *p = f[2]; *p;) {
        uint16_t v[4] = {0};
        char *sp = strchr(p, ' ');
        if (sp)
            *sp = '\0';
        char part[16];
        int n = snprintf(part, sizeof part, "%s.0", p);
        int parts;
        if (n <= 0 || (size_t)n >= sizeof part ||
            !build_parse_version(part, v, &parts) ||
            c->prefix_count == MAX_PREFIXES)
            return EXH_ERR_RULE_SYNTAX;
        c->prefix[c->prefix_count][0] = v[0];
        c->prefix[c->prefix_count++][1] = v[1];
        p = sp ? sp + 1 : p + strlen(p);
    }
    c->id = exh_strdup(f[0]);
    c->severity = exh_strdup(f[1]);
    c->name = exh_strdup(f[3]);
    t->cve_count++;
    if (!c->id || !c->severity || !c->name)
        return EXH_ERR_NOMEM;
    return EXH_OK;
}

static char *dup_or_null(const char *s)
{
    return *s ? exh_strdup(s) : NULL;
}

static exh_status add_row(build_table *t, char *line)
{
    char *f[6];
    int parts;
    build_row r = {0};

    if (split_fields(line, f, 6) != 6 ||
        !build_parse_version(f[0], r.v, &parts) || parts != 4)
        return EXH_ERR_RULE_SYNTAX;
    for (char *p = f[4]; *p;) {
        char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        int i = cve_index(t, p, len);
        if (i < 0)
            return EXH_ERR_RULE_SYNTAX;
        r.fixed |= 1u << i;
        p = sp ? sp + 1 : p + len;
    }
    if (t->row_count > 0 && vcmp(t->rows[t->row_count - 1].v, r.v) >= 0)
        return EXH_ERR_RULE_SYNTAX; // rows must ascend
    build_row *rows =
        exh_realloc(t->rows, (t->row_count + 1) * sizeof *t->rows);
    if (!rows)
        return EXH_ERR_NOMEM;
    t->rows = rows;
    r.product = exh_strdup(f[1]);
    r.update = exh_strdup(f[2]);
    r.released = dup_or_null(f[3]);
    r.note = dup_or_null(f[5]);
    t->rows[t->row_count++] = r;
    if (!r.product || !r.update || (f[3][0] && !r.released) ||
        (f[5][0] && !r.note))
        return EXH_ERR_NOMEM;
    return EXH_OK;
}

/* A "version,kb" line of build_kbs.csv: the version must be a row of
 * builds.csv without a KB yet, the KB seven digits. */
static exh_status add_kb(build_table *t, char *line)
{
    char *f[2];
    uint16_t v[4];
    int parts;
    if (split_fields(line, f, 2) != 2 ||
        !build_parse_version(f[0], v, &parts) || parts != 4 ||
        strlen(f[1]) != 7 || strspn(f[1], "0123456789") != 7)
        return EXH_ERR_RULE_SYNTAX;
    for (size_t i = 0; i < t->row_count; i++)
        if (vcmp(t->rows[i].v, v) == 0) {
            if (t->rows[i].kb)
                return EXH_ERR_RULE_SYNTAX;
            t->rows[i].kb = (uint32_t)strtoul(f[1], NULL, 10);
            return EXH_OK;
        }
    return EXH_ERR_RULE_SYNTAX;
}

void build_table_free(build_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->row_count; i++) {
        exh_free(t->rows[i].product);
        exh_free(t->rows[i].update);
        exh_free(t->rows[i].released);
        exh_free(t->rows[i].note);
    }
    exh_free(t->rows);
    for (size_t i = 0; i < t->cve_count; i++) {
        exh_free(t->cves[i].id);
        exh_free(t->cves[i].severity);
        exh_free(t->cves[i].name);
    }
    exh_free(t);
}

exh_status build_table_load(build_table **out)
{
    build_table *t = exh_calloc(1, sizeof *t);
    if (!t)
        return EXH_ERR_NOMEM;
    exh_status st = each_line("build_cves.csv", t, add_cve);
    if (st == EXH_OK)
        st = each_line("builds.csv", t, add_row);
    if (st == EXH_OK)
        st = each_line("build_kbs.csv", t, add_kb);
    if (st != EXH_OK) {
        build_table_free(t);
        return st;
    }
    *out = t;
    return EXH_OK;
}

size_t build_table_count(const build_table *t)
{
    return t->row_count;
}

void build_table_version(const build_table *t, size_t i, char out[32])
{
    const uint16_t *v = t->rows[i].v;
    snprintf(out, 32, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
}

const char *build_table_update(const build_table *t, size_t i)
{
    return t->rows[i].update;
}

uint32_t build_table_kb(const build_table *t, size_t i)
{
    return t->rows[i].kb;
}

static bool applies(const build_cve *c, const uint16_t v[4])
{
    for (size_t i = 0; i < c->prefix_count; i++)
        if (c->prefix[i][0] == v[0] && c->prefix[i][1] == v[1])
            return true;
    return false;
}

static bool same_product(const build_row *r, const uint16_t v[4])
{
    return r->v[0] == v[0] && r->v[1] == v[1];
}

/* The CU part of an update name ("CU19 Mar21SU" -> "CU19"), in out. */
static void cu_label(const char *update, char *out, size_t size)
{
    const char *sp = strstr(update, "SU");
    size_t len = strlen(update);
    // "CU4 (SP1) Mar21SU", "SP3 RU32": cut the last word when it is an update
    const char *last = strrchr(update, ' ');
    if (last && (sp > last || strstr(last, "HU")))
        len = (size_t)(last - update);
    snprintf(out, size, "%.*s", (int)len, update);
}

/* Fills b from the table for version v (parts: 3 or 4 given). */
static exh_status place(exh_build *b, const build_table *t, const uint16_t v[4],
                        int parts)
{
    const build_row *lo = NULL, *hi = NULL, *exact = NULL;
    uint32_t fixed = 0;
    char lo_v[32], hi_v[32], cu[64];
    buf msg;

    for (size_t i = 0; i < t->row_count; i++) {
        const build_row *r = &t->rows[i];
        if (!same_product(r, v))
            continue;
        if (parts == 3 && r->v[2] == v[2] && !exact)
            exact = r; // the first row of a CU line is the CU itself
        int c = vcmp(r->v, v);
        if (c == 0 && parts == 4)
            exact = r;
        else if (c < 0)
            lo = r;
        else if (c > 0 && !hi)
            hi = r;
    }
    if (!exact && !lo && !hi)
        return EXH_ERR_UNSUPPORTED;
    buf_init(&msg, 1024);
    const build_row *who = exact ? exact : lo ? lo : hi;
    b->info.product = who->product;
    if (exact) {
        fixed = exact->fixed;
        b->info.exact = parts == 4;
        b->info.update = exact->update;
        b->info.released = exact->released;
        b->info.note = exact->note;
        if (parts == 3)
            buf_printf(&msg,
                       "only the CU level is known (%s): security updates "
                       "cannot be seen, so the CVEs they fix count as open",
                       exact->update);
    } else if (lo && lo->v[2] == v[2]) {
        fixed = lo->fixed;
        cu_label(lo->update, cu, sizeof cu);
        b->update = exh_strdup(cu);
        b->info.update = b->update;
        build_table_version(t, (size_t)(lo - t->rows), lo_v);
        buf_printf(&msg,
                   "not listed: an update of %s newer than %s (%s), so it "
                   "counts as fixed what that build fixes",
                   cu, lo_v, lo->update);
        if (hi) {
            build_table_version(t, (size_t)(hi - t->rows), hi_v);
            buf_printf(&msg, "; the next listed build is %s (%s)", hi_v,
                       hi->update);
        }
    } else if (lo && hi) {
        fixed = lo->fixed & hi->fixed;
        build_table_version(t, (size_t)(lo - t->rows), lo_v);
        build_table_version(t, (size_t)(hi - t->rows), hi_v);
        buf_printf(&msg,
                   "not listed: between %s (%s) and %s (%s); only the CVEs "
                   "both fix count as fixed",
                   lo_v, lo->update, hi_v, hi->update);
    } else if (lo) {
        fixed = lo->fixed;
        build_table_version(t, (size_t)(lo - t->rows), lo_v);
        buf_printf(&msg,
                   "not listed: newer than every listed build (the newest is "
                   "%s, %s); it counts as fixed what that build fixes",
                   lo_v, lo->update);
    } else {
        build_table_version(t, (size_t)(hi - t->rows), hi_v);
        buf_printf(&msg,
                   "not listed: older than every listed build (the oldest is "
                   "%s, %s); no covered CVE counts as fixed",
                   hi_v, hi->update);
    }
    bool want_msg = !(exact && parts == 4);
    if (want_msg && msg.data && msg.len > 0) {
        b->placement = exh_strndup(msg.data, msg.len);
        b->info.placement = b->placement;
    }
    bool nomem = want_msg && !b->placement;
    buf_free(&msg);
    if (nomem || (!exact && lo && lo->v[2] == v[2] && !b->update))
        return EXH_ERR_NOMEM;
    b->info.cu_only = parts == 3;
    for (size_t i = 0; i < t->cve_count; i++) {
        const build_cve *c = &t->cves[i];
        if (!applies(c, v))
            continue;
        if (fixed & (1u << i)) {
            b->fixed[b->info.fixed_count++] = c->id;
        } else {
            b->open_severity[b->info.open_count] = c->severity;
            b->open_title[b->info.open_count] = c->name;
            b->open[b->info.open_count++] = c->id;
        }
    }
    return EXH_OK;
}

exh_status exh_build_lookup(const char *version, exh_build **out)
{
    uint16_t v[4];
    int parts;
    build_table *t = NULL;

    if (!version || !out || !build_parse_version(version, v, &parts))
        return EXH_ERR_INVALID_ARG;
    exh_build *b = exh_calloc(1, sizeof *b);
    if (!b)
        return EXH_ERR_NOMEM;
    exh_status st = build_table_load(&t);
    if (st == EXH_OK) {
        b->table = t;
        if (parts == 4)
            snprintf(b->version, sizeof b->version, "%u.%u.%u.%u", v[0], v[1],
                     v[2], v[3]);
        else
            snprintf(b->version, sizeof b->version, "%u.%u.%u", v[0], v[1],
                     v[2]);
        b->info.version = b->version;
        b->info.open_cve = b->open;
        b->info.fixed_cve = b->fixed;
        b->info.open_severity = b->open_severity;
        b->info.open_title = b->open_title;
        st = place(b, t, v, parts);
    }
    if (st == EXH_OK && b->info.product && b->info.update) {
        size_t n = strlen(b->info.product) + strlen(b->info.update) + 2;
        b->name = exh_malloc(n);
        if (!b->name)
            st = EXH_ERR_NOMEM;
        else
            snprintf(b->name, n, "%s %s", b->info.product, b->info.update);
        b->info.name = b->name;
    }
    if (st != EXH_OK) {
        exh_build_free(b);
        return st;
    }
    *out = b;
    return EXH_OK;
}

const exh_build_info *exh_build_get(const exh_build *b)
{
    return &b->info;
}

void exh_build_free(exh_build *b)
{
    if (!b)
        return;
    build_table_free(b->table);
    exh_free(b->name);
    exh_free(b->update);
    exh_free(b->placement);
    exh_free(b);
}

static exh_status json_field(buf *j, const char *key, const char *value)
{
    buf_printf(j, ",\"%s\":", key);
    if (!value)
        return buf_puts(j, "null");
    return json_string(j, value, strlen(value));
}

static exh_status json_list(buf *j, const char *key, const char *const *items,
                            size_t count)
{
    buf_printf(j, ",\"%s\":[", key);
    for (size_t i = 0; i < count; i++) {
        if (i)
            buf_putc(j, ',');
        json_string(j, items[i], strlen(items[i]));
    }
    return buf_putc(j, ']');
}

/* The long form of a build number, as Microsoft's build numbers page
 * writes it: 15.1.2176.2 is 15.01.2176.002 (a CU level, 15.01.2176). */
static void long_form(const char *version, char *out, size_t size)
{
    uint16_t v[4];
    int parts;
    out[0] = '\0';
    if (!version || !build_parse_version(version, v, &parts))
        return;
    if (parts == 4)
        snprintf(out, size, "%u.%02u.%04u.%03u", v[0], v[1], v[2], v[3]);
    else if (parts == 3)
        snprintf(out, size, "%u.%02u.%04u", v[0], v[1], v[2]);
}

exh_status build_info_json(const exh_build_info *i, buf *j)
{
    char long_version[40];
    long_form(i->version, long_version, sizeof long_version);
    buf_puts(j, "{\"schema\":1,\"kind\":\"build\"");
    json_field(j, "version", i->version);
    json_field(j, "version_long", long_version[0] ? long_version : NULL);
    json_field(j, "product", i->product);
    json_field(j, "update", i->update);
    json_field(j, "name", i->name);
    json_field(j, "released", i->released);
    buf_printf(j, ",\"listed\":%s,\"cu_only\":%s", i->exact ? "true" : "false",
               i->cu_only ? "true" : "false");
    json_field(j, "placement", i->placement);
    json_field(j, "note", i->note);
    json_list(j, "open_cve", i->open_cve, i->open_count);
    json_list(j, "fixed_cve", i->fixed_cve, i->fixed_count);
    exh_status st = buf_putc(j, '}');
    if (st == EXH_OK && (j->toobig || !j->data))
        st = EXH_ERR_NOMEM;
    return st;
}

/* Writes b with source (may be NULL) and, when steps is not NULL, the
 * timeline. */
static exh_status write_json(const exh_build *b, const char *source,
                             const exh_build_step *steps, size_t count,
                             FILE *out)
{
    buf j;
    buf_init(&j, 1 << 16);
    exh_status st = build_info_json(&b->info, &j);
    if (st == EXH_OK && (source || steps)) {
        j.len--; // reopen the object for "source" and "timeline"
        if (source)
            json_field(&j, "source", source);
        if (steps)
            json_build_steps(&j, steps, count);
        st = buf_putc(&j, '}');
    }
    if (st == EXH_OK && (j.toobig || !j.data))
        st = EXH_ERR_NOMEM;
    if (st == EXH_OK &&
        (fwrite(j.data, 1, j.len, out) != j.len || fputc('\n', out) == EOF))
        st = EXH_ERR_IO;
    buf_free(&j);
    return st;
}

exh_status exh_build_write_json(const exh_build *b, const char *source,
                                FILE *out)
{
    return write_json(b, source, NULL, 0, out);
}

exh_status exh_build_write_json_found(const exh_build *b,
                                      const exh_build_found *found, FILE *out)
{
    static const exh_build_step none[1];
    if (!found)
        return write_json(b, NULL, NULL, 0, out);
    return write_json(b, found->source,
                      found->timeline ? found->timeline : none,
                      found->timeline_count, out);
}
