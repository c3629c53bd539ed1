/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c - reads back the JSON lines `exhunt scan -f jsonl` wrote and
 * hands their findings and summaries to callbacks, as a scan would, so
 * `exhunt report` renders any format without rescanning.
 *
 * The input is untrusted (a file passed around a fleet): a small JSON
 * parser of our own (RFC 8259) builds one line's tree, bounded in depth and
 * line length; strings are decoded to UTF-8 (\u escapes, surrogate pairs;
 * a lone surrogate becomes U+FFFD). A line that is not a whole JSON object
 * (a truncated file), or of a schema newer than ours, stops the replay with
 * a message naming the line. Kinds other than finding and summary (rule,
 * build, probe) are skipped and counted.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (64u * 1024 * 1024)
#define DEPTH_MAX      32

typedef enum { JN_NULL, JN_BOOL, JN_NUM, JN_STR, JN_ARR, JN_OBJ } jtype;

typedef struct jval {
    jtype t;
    char *s; /* JN_STR: NUL-terminated; len bytes (may hold NULs) */
    size_t len;
    bool b;
    bool is_uint;
    uint64_t u;
    struct jval *kids; /* JN_ARR, JN_OBJ */
    char **keys;       /* JN_OBJ */
    size_t n, cap;
} jval;

typedef struct jparser {
    const char *p, *end;
    int depth;
} jparser;

static void jfree(jval *v)
{
    if (!v)
        return;
    exh_free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->kids[i]);
        if (v->keys)
            exh_free(v->keys[i]);
    }
    exh_free(v->kids);
    exh_free(v->keys);
    memset(v, 0, sizeof *v);
}

static void skip_ws(jparser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool read_hex4(jparser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = util_hexval((unsigned char)ps->p[i]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    ps->p += 4;
    *out = v;
    return true;
}

static exh_status put_utf8(buf *b, unsigned cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | cp >> 6);
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | cp >> 12);
        t[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | cp >> 18);
        t[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        t[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, t, n);
}

/* A string at ps->p (the opening quote). */
static exh_status parse_string(jparser *ps, char **out, size_t *len)
{
    buf b;
    buf_init(&b, LINE_MAX_BYTES);
    exh_status st = EXH_ERR_INVALID_ARG;
    ps->p++;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c == '"') {
            if (buf_append(&b, "", 0) != EXH_OK) // make data non-NULL
                break;
            *out = b.data;
            *len = b.len;
            return EXH_OK;
        }
        if (c < 0x20)
            break;
        if (c != '\\') {
            if ((st = buf_putc(&b, (char)c)) != EXH_OK)
                break;
            st = EXH_ERR_INVALID_ARG;
            continue;
        }
        if (ps->p >= ps->end)
            break;
        char e = *ps->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            if (buf_putc(&b, map[simple - "\"\\/bfnrt"]) != EXH_OK)
                break;
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || !read_hex4(ps, &cp))
            break;
        if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 &&
            ps->p[0] == '\\' && ps->p[1] == 'u') {
            jparser save = *ps;
            ps->p += 2;
            if (read_hex4(ps, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else
                *ps = save;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        if (put_utf8(&b, cp) != EXH_OK)
            break;
    }
    buf_free(&b);
    return st == EXH_OK ? EXH_ERR_INVALID_ARG : st;
}

static exh_status parse_value(jparser *ps, jval *v);

static exh_status add_kid(jval *v, char *key)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        jval *k = exh_realloc(v->kids, cap * sizeof *k);
        if (!k)
            return EXH_ERR_NOMEM;
        v->kids = k;
        if (v->t == JN_OBJ) {
            char **ks = exh_realloc(v->keys, cap * sizeof *ks);
            if (!ks)
                return EXH_ERR_NOMEM;
            v->keys = ks;
        }
        v->cap = cap;
    }
    memset(&v->kids[v->n], 0, sizeof *v->kids);
    if (v->t == JN_OBJ)
        v->keys[v->n] = key;
    v->n++;
    return EXH_OK;
}

static exh_status parse_container(jparser *ps, jval *v, char close)
{
    if (++ps->depth > DEPTH_MAX)
        return EXH_ERR_LIMIT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return EXH_OK;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (v->t == JN_OBJ) {
            size_t kl;
            if (ps->p >= ps->end || *ps->p != '"')
                return EXH_ERR_INVALID_ARG;
            EXH_TRY(parse_string(ps, &key, &kl));
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                exh_free(key);
                return EXH_ERR_INVALID_ARG;
            }
            ps->p++;
        }
        exh_status st = add_kid(v, key);
        if (st != EXH_OK) {
            exh_free(key);
            return st;
        }
        EXH_TRY(parse_value(ps, &v->kids[v->n - 1]));
        skip_ws(ps);
        if (ps->p >= ps->end)
            return EXH_ERR_INVALID_ARG;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close)
            return EXH_ERR_INVALID_ARG;
        ps->p++;
        ps->depth--;
        return EXH_OK;
    }
}

static exh_status parse_number(jparser *ps, jval *v)
{
    const char *s = ps->p;
    bool neg = false;
    if (ps->p < ps->end && *ps->p == '-') {
        neg = true;
        ps->p++;
    }
    const char *digits = ps->p;
    uint64_t u = 0;
    bool overflow = false;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        unsigned d = (unsigned)(*ps->p - '0');
        if (u > (UINT64_MAX - d) / 10)
            overflow = true;
        u = u * 10 + d;
        ps->p++;
    }
    if (ps->p == digits || (*digits == '0' && ps->p - digits > 1))
        return EXH_ERR_INVALID_ARG;
    bool frac = false;
    if (ps->p < ps->end && *ps->p == '.') {
        frac = true;
        ps->p++;
        const char *f = ps->p;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
        if (ps->p == f)
            return EXH_ERR_INVALID_ARG;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        frac = true;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        const char *f = ps->p;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
        if (ps->p == f)
            return EXH_ERR_INVALID_ARG;
    }
    (void)s;
    v->t = JN_NUM;
    v->is_uint = !neg && !frac && !overflow;
    v->u = v->is_uint ? u : 0;
    return EXH_OK;
}

static bool literal(jparser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static exh_status parse_value(jparser *ps, jval *v)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return EXH_ERR_INVALID_ARG;
    switch (*ps->p) {
    case '{':
        v->t = JN_OBJ;
        return parse_container(ps, v, '}');
    case '[':
        v->t = JN_ARR;
        return parse_container(ps, v, ']');
    case '"':
        v->t = JN_STR;
        return parse_string(ps, &v->s, &v->len);
    case 't':
        v->t = JN_BOOL;
        v->b = true;
        return literal(ps, "true") ? EXH_OK : EXH_ERR_INVALID_ARG;
    case 'f':
        v->t = JN_BOOL;
        return literal(ps, "false") ? EXH_OK : EXH_ERR_INVALID_ARG;
    case 'n':
        v->t = JN_NULL;
        return literal(ps, "null") ? EXH_OK : EXH_ERR_INVALID_ARG;
    default:
        return parse_number(ps, v);
    }
}

/* Parses one whole line into v (freed by the caller either way). */
static exh_status jparse(const char *s, size_t len, jval *v)
{
    jparser ps = {s, s + len, 0};
    memset(v, 0, sizeof *v);
    EXH_TRY(parse_value(&ps, v));
    skip_ws(&ps);
    return ps.p == ps.end ? EXH_OK : EXH_ERR_INVALID_ARG;
}

/* ---- tree access ----------------------------------------------------------
 */

static const jval *get(const jval *o, const char *key)
{
    if (!o || o->t != JN_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++) {
        if (o->keys[i] && strcmp(o->keys[i], key) == 0)
            return &o->kids[i];
    }
    return NULL;
}

static const char *str(const jval *o, const char *key)
{
    const jval *v = get(o, key);
    return v && v->t == JN_STR ? v->s : NULL;
}

static uint64_t num(const jval *o, const char *key)
{
    const jval *v = get(o, key);
    return v && v->t == JN_NUM && v->is_uint ? v->u : 0;
}

/* Everything one line's callback structures point to. */
typedef struct holder {
    void **ptrs;
    size_t n, cap;
} holder;

static void *hold(holder *h, void *p)
{
    if (!p)
        return NULL;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 32;
        void **q = exh_realloc(h->ptrs, cap * sizeof *q);
        if (!q) {
            exh_free(p);
            return NULL;
        }
        h->ptrs = q;
        h->cap = cap;
    }
    h->ptrs[h->n++] = p;
    return p;
}

static void holder_free(holder *h)
{
    for (size_t i = 0; i < h->n; i++)
        exh_free(h->ptrs[i]);
    exh_free(h->ptrs);
    memset(h, 0, sizeof *h);
}

/* The strings of an array of strings (others skipped); NULL when none. */
static const char *const *strs(holder *h, const jval *o, const char *key,
                               size_t *n)
{
    const jval *a = get(o, key);
    *n = 0;
    if (!a || a->t != JN_ARR || !a->n)
        return NULL;
    const char **out = hold(h, exh_calloc(a->n, sizeof *out));
    if (!out)
        return NULL;
    for (size_t i = 0; i < a->n; i++) {
        if (a->kids[i].t == JN_STR)
            out[(*n)++] = a->kids[i].s;
    }
    return out;
}

/* Fills one element of an array of objects into item; *keep false drops
 * it (the array then holds fewer items than the JSON). */
typedef exh_status (*fill_fn)(holder *h, const jval *e, void *item, bool *keep);

/* The array of objects a as a new array of size-byte items (held by h),
 * each filled by fill from its element (of any type: the getters read a
 * key of a non-object as absent); *count gets how many were kept. NULL
 * when a is missing, not an array or empty, or when *st is already an
 * error or becomes one (no memory): errors stick, so calls chain. */
static const void *objects(holder *h, const jval *a, size_t size, fill_fn fill,
                           size_t *count, exh_status *st)
{
    *count = 0;
    if (*st != EXH_OK || !a || a->t != JN_ARR || !a->n)
        return NULL;
    unsigned char *items = hold(h, exh_calloc(a->n, size));
    if (!items) {
        *st = EXH_ERR_NOMEM;
        return NULL;
    }
    for (size_t i = 0; i < a->n && *st == EXH_OK; i++) {
        bool keep = true;
        *st = fill(h, &a->kids[i], items + *count * size, &keep);
        if (keep)
            (*count)++;
    }
    return *st == EXH_OK ? items : NULL;
}

static exh_status fill_gap(holder *h, const jval *e, void *item, bool *keep)
{
    (void)h;
    (void)keep;
    *(exh_gap *)item = (exh_gap){.from = str(e, "from"),
                                 .to = str(e, "to"),
                                 .reason = str(e, "reason"),
                                 .from_record = num(e, "from_record"),
                                 .to_record = num(e, "to_record")};
    return EXH_OK;
}

static exh_status fill_coverage(holder *h, const jval *e, void *item,
                                bool *keep)
{
    exh_coverage *x = item;
    (void)keep;
    x->family = str(e, "family");
    x->files = num(e, "files");
    x->records = num(e, "records");
    x->first = str(e, "first");
    x->last = str(e, "last");
    x->warnings = strs(h, e, "warnings", &x->warning_count);
    exh_status st = EXH_OK;
    x->gaps = objects(h, get(e, "gaps"), sizeof *x->gaps, fill_gap,
                      &x->gap_count, &st);
    return st;
}

static exh_status fill_step(holder *h, const jval *e, void *item, bool *keep)
{
    exh_build_step *x = item;
    *x = (exh_build_step){.version = str(e, "version"),
                          .first = str(e, "first"),
                          .last = str(e, "last"),
                          .source = str(e, "source"),
                          .path = str(e, "path")};
    x->sources = strs(h, e, "sources", &x->source_count);
    *keep = x->version != NULL; // the one key json.c needs
    return EXH_OK;
}

static exh_status fill_incident(holder *h, const jval *e, void *item,
                                bool *keep)
{
    exh_incident *x = item;
    (void)keep;
    x->id = str(e, "id");
    x->start = str(e, "start");
    x->end = str(e, "end");
    x->stages = strs(h, e, "stages", &x->stage_count);
    x->findings = strs(h, e, "findings", &x->finding_count);
    x->story = str(e, "story");
    return EXH_OK;
}

/* A pivot element without a value is dropped. */
static exh_status fill_pivot(holder *h, const jval *e, void *item, bool *keep)
{
    exh_pivot_item *x = item;
    if (!str(e, "value")) {
        *keep = false;
        return EXH_OK;
    }
    x->value = str(e, "value");
    x->first = str(e, "first");
    x->last = str(e, "last");
    x->count = num(e, "count");
    x->findings = strs(h, e, "findings", &x->finding_count);
    x->ioc = strs(h, e, "ioc", &x->ioc_count); // absent before it was added
    return EXH_OK;
}

static exh_status fill_error(holder *h, const jval *e, void *item, bool *keep)
{
    (void)h;
    (void)keep;
    *(exh_error *)item = (exh_error){str(e, "path"), str(e, "message")};
    return EXH_OK;
}

static int sev_of(const char *s)
{
    exh_severity v;
    return s && exh_severity_parse(s, &v) == EXH_OK ? (int)v : EXH_SEV_INFO;
}

static exh_category cat_of(const char *s)
{
    for (int c = EXH_CAT_VULNERABLE; c <= EXH_CAT_SUSPICIOUS; c++) {
        if (s && strcmp(s, exh_category_name((exh_category)c)) == 0)
            return (exh_category)c;
    }
    return EXH_CAT_SUSPICIOUS;
}

static exh_status to_finding(holder *h, const jval *o, exh_finding *f,
                             exh_file_info *fi)
{
    memset(f, 0, sizeof *f);
    f->id = str(o, "id");
    f->target = str(o, "target");
    f->unit = str(o, "unit");
    f->host = str(o, "host");
    f->rule = str(o, "rule");
    f->rule_id = str(o, "rule_id");
    f->rule_source = str(o, "rule_source");
    f->rule_author = str(o, "rule_author");
    f->title = str(o, "title");
    f->severity = (exh_severity)sev_of(str(o, "severity"));
    f->category = cat_of(str(o, "category"));
    f->cve = strs(h, o, "cve", &f->cve_count);
    f->attack = strs(h, o, "attack", &f->attack_count);
    f->time = str(o, "time");
    f->count = num(o, "count");
    const jval *src = get(o, "source");
    f->source_type = str(src, "type");
    f->source_path = str(src, "path");
    f->windows_path = str(src, "windows_path");
    f->line = num(src, "line");
    f->record = num(src, "record");
    f->source_url = str(src, "url");
    const jval *ev = get(o, "evidence");
    if (ev && ev->t == JN_OBJ && ev->n) {
        exh_kv *kv = hold(h, exh_calloc(ev->n, sizeof *kv));
        if (!kv)
            return EXH_ERR_NOMEM;
        for (size_t i = 0; i < ev->n; i++) {
            if (ev->kids[i].t != JN_STR || !ev->keys[i])
                continue;
            if (strcmp(ev->keys[i], "last_time") == 0) {
                f->last_time = ev->kids[i].s;
                continue;
            }
            kv[f->evidence_count++] =
                (exh_kv){ev->keys[i], ev->kids[i].s, ev->kids[i].len};
        }
        f->evidence = kv;
    }
    const jval *file = get(o, "file");
    if (file && file->t == JN_OBJ) {
        *fi = (exh_file_info){.sha256 = str(file, "sha256"),
                              .size = num(file, "size"),
                              .modified = str(file, "modified"),
                              .created = str(file, "created"),
                              .time_source = str(file, "time_source")};
        const jval *times = get(file, "times");
        if (times && times->t == JN_OBJ) { // a file of a disk image
            static const char *const names[8] = {
                "si_created", "si_modified", "si_changed", "si_accessed",
                "fn_created", "fn_modified", "fn_changed", "fn_accessed"};
            fi->ntfs = 1;
            for (size_t k = 0; k < 8; k++)
                fi->times[k] = str(times, names[k]);
            fi->owner = str(file, "owner");
            fi->owner_name = str(file, "owner_name");
            const jval *del = get(file, "deleted");
            fi->deleted = del && del->t == JN_BOOL && del->b;
            fi->stream = str(file, "stream");
        }
        fi->snapshot = str(file, "snapshot");
        f->file = fi;
    }
    f->seen_in = strs(h, o, "seen_in", &f->seen_in_count);
    f->related = strs(h, o, "related", &f->related_count);
    if (!f->id || !f->title || !f->rule)
        return EXH_ERR_INVALID_ARG;
    return EXH_OK;
}

static exh_status to_summary(holder *h, const jval *o, exh_summary *s,
                             exh_build_info *bi)
{
    memset(s, 0, sizeof *s);
    s->target = str(o, "target");
    s->unit = str(o, "unit");
    s->host = str(o, "host");
    const jval *v = get(o, "verdict");
    const jval *r = get(v, "reasons");
    s->vulnerable = str(v, "vulnerable");
    s->exploited = str(v, "exploited");
    s->backdoored = str(v, "backdoored");
    s->reason_vulnerable = str(r, "vulnerable");
    s->reason_exploited = str(r, "exploited");
    s->reason_backdoored = str(r, "backdoored");
    if (!s->target || !s->vulnerable || !s->exploited || !s->backdoored)
        return EXH_ERR_INVALID_ARG;
    const jval *b = get(o, "build");
    if (b && b->t == JN_OBJ) {
        memset(bi, 0, sizeof *bi);
        bi->version = str(b, "version");
        bi->product = str(b, "product");
        bi->update = str(b, "update");
        bi->placement = str(b, "placement");
        const jval *listed = get(b, "listed"), *cu = get(b, "cu_only");
        bi->exact = listed && listed->t == JN_BOOL && listed->b;
        bi->cu_only = cu && cu->t == JN_BOOL && cu->b;
        bi->open_cve = strs(h, b, "open_cve", &bi->open_count);
        bi->fixed_cve = strs(h, b, "fixed_cve", &bi->fixed_count);
        s->build = bi;
        s->build_source = str(b, "source");
        s->mitigations = strs(h, b, "mitigations", &s->mitigation_count);
    }
    exh_status st = EXH_OK;
    if (s->build)
        s->build_timeline =
            objects(h, get(b, "timeline"), sizeof *s->build_timeline, fill_step,
                    &s->build_timeline_count, &st);
    s->coverage = objects(h, get(o, "coverage"), sizeof *s->coverage,
                          fill_coverage, &s->coverage_count, &st);
    const jval *n = get(o, "counts");
    s->entries = num(n, "entries");
    s->scanned = num(n, "scanned");
    s->skipped = num(n, "skipped");
    s->unreadable = num(n, "unreadable");
    s->suppressed = num(n, "suppressed");
    s->bad_records = num(n, "bad_records");
    s->outside_window = num(n, "outside_window");
    s->records = num(n, "records");
    s->prefilter_passed = num(n, "prefilter_passed");
    const jval *fc = get(n, "findings");
    for (int k = 0; k < 5; k++)
        s->findings[k] = num(fc, exh_severity_name((exh_severity)k));
    s->incidents = objects(h, get(o, "incidents"), sizeof *s->incidents,
                           fill_incident, &s->incident_count, &st);
    static const char *const lists[EXH_PIVOT__COUNT] = {"addresses", "accounts",
                                                        "user_agents", "files"};
    const jval *pv = get(o, "pivot");
    for (int l = 0; l < EXH_PIVOT__COUNT; l++)
        s->pivot[l] = objects(h, get(pv, lists[l]), sizeof *s->pivot[l],
                              fill_pivot, &s->pivot_count[l], &st);
    s->errors = objects(h, get(o, "errors"), sizeof *s->errors, fill_error,
                        &s->error_count, &st);
    if (st != EXH_OK)
        return st;
    s->errors_omitted = num(o, "errors_omitted");
    s->notes = strs(h, o, "notes", &s->note_count);
    return EXH_OK;
}

/* Handles one line; *why says what was wrong with it. */
static exh_status replay_line(const char *line, size_t len,
                              exh_finding_cb on_finding,
                              exh_summary_cb on_summary, void *user,
                              exh_replay_result *res, const char **why,
                              bool *stop)
{
    jval v;
    holder h = {0};
    exh_status st = jparse(line, len, &v);
    if (st != EXH_OK || v.t != JN_OBJ) {
        *why = st == EXH_ERR_LIMIT ? "nests deeper than 32 levels"
               : st == EXH_ERR_NOMEM
                   ? "is too large for memory"
                   : "is not a whole JSON object (a truncated file?)";
        jfree(&v);
        return st == EXH_ERR_NOMEM ? st : EXH_ERR_INVALID_ARG;
    }
    const jval *schema = get(&v, "schema");
    const char *kind = str(&v, "kind");
    if (!schema || schema->t != JN_NUM || !schema->is_uint || !kind) {
        *why = "has no \"schema\" number or \"kind\": not exhunt JSON lines";
        jfree(&v);
        return EXH_ERR_INVALID_ARG;
    }
    if (schema->u > EXH_SCHEMA_VERSION) {
        *why = "is of a newer schema than this exhunt reads: upgrade exhunt";
        jfree(&v);
        return EXH_ERR_UNSUPPORTED;
    }
    if (strcmp(kind, "finding") == 0) {
        exh_finding f;
        exh_file_info fi;
        st = to_finding(&h, &v, &f, &fi);
        if (st == EXH_OK) {
            res->findings++;
            if (on_finding && on_finding(&f, user) == EXH_STOP)
                *stop = true;
        } else {
            *why = "is a finding without id, rule or title";
        }
    } else if (strcmp(kind, "summary") == 0) {
        exh_summary s;
        exh_build_info bi;
        st = to_summary(&h, &v, &s, &bi);
        if (st == EXH_OK) {
            res->summaries++;
            if (on_summary && on_summary(&s, user) == EXH_STOP)
                *stop = true;
        } else {
            *why = "is a summary without target or verdicts";
        }
    } else {
        res->skipped++;
    }
    holder_free(&h);
    jfree(&v);
    return st == EXH_ERR_NOMEM ? st : st != EXH_OK ? EXH_ERR_INVALID_ARG : st;
}

exh_status exh_jsonl_replay(FILE *in, exh_finding_cb on_finding,
                            exh_summary_cb on_summary, void *user,
                            exh_replay_result *result, char *errmsg,
                            size_t errmsg_size)
{
    exh_replay_result res = {0};
    if (errmsg && errmsg_size)
        errmsg[0] = '\0';
    if (!in)
        return EXH_ERR_INVALID_ARG;
    buf line;
    buf_init(&line, LINE_MAX_BYTES);
    char chunk[65536];
    exh_status st = EXH_OK;
    bool stop = false, eof = false;
    while (!stop && st == EXH_OK && !eof) {
        buf_reset(&line);
        bool nl = false, toolong = false;
        while (!nl) {
            if (!fgets(chunk, sizeof chunk, in)) {
                eof = true;
                break;
            }
            size_t n = strlen(chunk);
            // fgets stops at NUL too: a NUL byte is not JSON anyway.
            nl = n > 0 && chunk[n - 1] == '\n';
            if (buf_append(&line, chunk, n) != EXH_OK)
                toolong = true;
        }
        if (ferror(in)) {
            st = EXH_ERR_IO;
            if (errmsg)
                snprintf(errmsg, errmsg_size, "read error after line %" PRIu64,
                         res.lines);
            break;
        }
        if (eof && line.len == 0)
            break;
        res.lines++;
        const char *why = NULL;
        size_t len = line.len;
        while (len &&
               (line.data[len - 1] == '\n' || line.data[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if (toolong) {
            why = "is longer than 64 MiB";
            st = EXH_ERR_LIMIT;
        } else {
            st = replay_line(line.data, len, on_finding, on_summary, user, &res,
                             &why, &stop);
            if (st == EXH_ERR_INVALID_ARG && !nl)
                why = "is cut short: the file is truncated";
        }
        if (st != EXH_OK) {
            res.error_line = res.lines;
            if (errmsg)
                snprintf(errmsg, errmsg_size, "line %" PRIu64 " %s", res.lines,
                         why ? why : "cannot be read");
        }
    }
    buf_free(&line);
    if (result)
        *result = res;
    return st;
}
