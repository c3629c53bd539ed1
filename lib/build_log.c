/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_log.c - the Exchange builds a unit's own logs show, and what they
 * tell about each exploitation record.
 *
 * Exchange writes its build in the header of every log it creates
 * ("#Version: 15.01.2176.002"), in the version fields of HttpProxy, RPS
 * and EWS rows and in the EventData of ECP rows ("S:BLD=15.1.2375.7;",
 * whose header names a format version instead). Each log file adds its
 * header's build, and each ECP file the builds of its rows (read from one
 * row a minute: scanner.c), to the unit's timeline over the times of
 * their records: (build, first seen, last seen).
 * The latest build seen is the unit's build from logs (BUILD_RANK_LOG,
 * below the ExSetup.exe version resource and the SOFTWARE hive: it is the
 * build the server ran when the logs end, not necessarily now).
 *
 * An exploitation finding from a log record is judged against the build
 * that logged it: the record's own version fields, else its file's header
 * (both as the record is found, so judged attempts aggregate like other
 * attempts), else, once every log is read, the timeline at the record's
 * time (the build last seen at or before it; the lowest one when several
 * files of that time disagree). When that build had fixed every CVE the
 * rule names, the request could not work: the finding becomes an attempt
 * at severity low, and its evidence says which build, from where, and
 * why.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

static int vcmp(const uint16_t a[4], const uint16_t b[4])
{
    for (int i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static void vtext(const uint16_t v[4], char out[32])
{
    snprintf(out, 32, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
}

/* Whether the file (path, last) should name the entry instead of the one
 * it names: the later last record, then the smaller path, so the choice
 * does not depend on which thread finished first. */
static bool takes_path(const log_build *b, int64_t last, const char *path,
                       const char *source)
{
    if (!b->path || last > b->last_ms)
        return true;
    if (last < b->last_ms)
        return false;
    int c = strcmp(path, b->path);
    return c < 0 || (c == 0 && strcmp(source, b->source) < 0);
}

exh_status log_timeline_add(log_build **items, size_t *count,
                            const uint16_t v[4], int64_t first_ms,
                            int64_t last_ms, const char *path,
                            const char *windows_path, const char *source)
{
    log_build *b = NULL;
    for (size_t i = 0; i < *count && !b; i++)
        if (vcmp((*items)[i].v, v) == 0)
            b = &(*items)[i];
    if (!b) {
        if (*count == LOG_BUILDS_MAX)
            return EXH_OK; // a hostile timeline: the first builds stay
        log_build *p = exh_realloc(*items, (*count + 1) * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        *items = p;
        b = &p[(*count)++];
        memset(b, 0, sizeof *b);
        memcpy(b->v, v, sizeof b->v);
        b->first_ms = first_ms;
        b->last_ms = INT64_MIN;
    }
    if (takes_path(b, last_ms, path, source)) {
        char *np = exh_strdup(path);
        char *nw = windows_path ? exh_strdup(windows_path) : NULL;
        if (!np || (windows_path && !nw)) {
            exh_free(np);
            exh_free(nw);
            return EXH_ERR_NOMEM;
        }
        exh_free(b->path);
        exh_free(b->windows_path);
        b->path = np;
        b->windows_path = nw;
        b->source = source;
    }
    b->sources |= strcmp(source, LOG_SOURCE_ECP) == 0 ? 2u : 1u;
    if (first_ms < b->first_ms)
        b->first_ms = first_ms;
    if (last_ms > b->last_ms)
        b->last_ms = last_ms;
    return EXH_OK;
}

exh_status log_build_note(unit *u, const uint16_t v[4], int64_t first_ms,
                          int64_t last_ms, const char *path,
                          const char *windows_path, const char *source)
{
    return log_timeline_add(&u->log_builds, &u->log_build_count, v, first_ms,
                            last_ms, path, windows_path, source);
}

void log_timeline_free(log_build *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        exh_free(items[i].path);
        exh_free(items[i].windows_path);
    }
    exh_free(items);
}

void log_builds_free(unit *u)
{
    log_timeline_free(u->log_builds, u->log_build_count);
    u->log_builds = NULL;
    u->log_build_count = 0;
}

static int by_first_seen(const void *a, const void *b)
{
    const log_build *x = *(const log_build *const *)a;
    const log_build *y = *(const log_build *const *)b;
    if (x->first_ms != y->first_ms)
        return x->first_ms < y->first_ms ? -1 : 1;
    return vcmp(x->v, y->v);
}

size_t log_timeline_sorted(const log_build *items, size_t count,
                           const log_build **out)
{
    for (size_t i = 0; i < count; i++)
        out[i] = &items[i];
    qsort(out, count, sizeof *out, by_first_seen);
    return count;
}

size_t log_build_sorted(const unit *u, const log_build **out)
{
    return log_timeline_sorted(u->log_builds, u->log_build_count, out);
}

/* The sentence of build.source for the latest build: what it is, when
 * it was last seen, where, and the timeline (count builds). */
static void source_sentence(const log_build *items, size_t count,
                            const log_build *latest, buf *s)
{
    const log_build *sorted[LOG_BUILDS_MAX];
    char t1[32], t2[32], v[32];
    util_time_format(latest->last_ms, t1);
    if (strcmp(latest->source, LOG_SOURCE_ECP) == 0)
        buf_printf(s,
                   "Exchange ECP log rows (ecp-row: the S:BLD= build the "
                   "server ran when it wrote them, weaker evidence than "
                   "ExSetup.exe), last seen %s: %s; the logs show",
                   t1, latest->path);
    else
        buf_printf(s,
                   "Exchange log headers (log-header: the build the server "
                   "ran when it wrote its logs, weaker evidence than "
                   "ExSetup.exe), last seen %s: %s; the logs show",
                   t1, latest->path);
    log_timeline_sorted(items, count, sorted);
    for (size_t i = 0; i < count && i < LOG_BUILDS_LISTED; i++) {
        vtext(sorted[i]->v, v);
        util_time_format(sorted[i]->first_ms, t1);
        util_time_format(sorted[i]->last_ms, t2);
        buf_printf(s, "%s %s from %s to %s", i ? "," : "", v, t1, t2);
    }
    if (count > LOG_BUILDS_LISTED)
        buf_printf(s, " and %zu more builds", count - LOG_BUILDS_LISTED);
}

exh_status log_timeline_offer(build_cand *c, const log_build *items,
                              size_t count, const char **source)
{
    const log_build *latest = NULL;
    for (size_t i = 0; i < count; i++) {
        const log_build *b = &items[i];
        if (!latest || b->last_ms > latest->last_ms ||
            (b->last_ms == latest->last_ms && vcmp(b->v, latest->v) > 0))
            latest = b;
    }
    if (!latest || c->rank > BUILD_RANK_LOG)
        return EXH_OK;
    buf s;
    buf_init(&s, 16384);
    source_sentence(items, count, latest, &s);
    exh_status st = s.data && !s.toobig ? EXH_OK : EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = build_cand_offer(c, BUILD_RANK_LOG, latest->v, 4, s.data,
                              latest->path, latest->windows_path);
    if (st == EXH_OK && c->rank == BUILD_RANK_LOG) {
        c->seen_ms = latest->last_ms;
        *source = latest->source;
    }
    buf_free(&s);
    return st;
}

exh_status log_build_offer(unit *u)
{
    return log_timeline_offer(&u->build, u->log_builds, u->log_build_count,
                              &u->log_build_source);
}

/* The build the timeline shows at time t: among the builds seen over a
 * span holding t the lowest, else the one last seen before t (builds only
 * go up as updates are installed); NULL before the first. */
static const log_build *build_at(const unit *u, int64_t t)
{
    const log_build *in = NULL, *before = NULL;
    for (size_t i = 0; i < u->log_build_count; i++) {
        const log_build *b = &u->log_builds[i];
        if (b->first_ms <= t && t <= b->last_ms) {
            if (!in || vcmp(b->v, in->v) < 0)
                in = b;
        } else if (b->last_ms < t && (!before || b->last_ms > before->last_ms ||
                                      (b->last_ms == before->last_ms &&
                                       vcmp(b->v, before->v) < 0))) {
            before = b;
        }
    }
    return in ? in : before;
}

void build_lookups_free(build_lookups *c)
{
    for (size_t i = 0; i < c->count; i++)
        exh_build_free(c->b[i]);
    exh_build_free(c->spare);
    memset(c, 0, sizeof *c);
}

/* The build table's word on v, cached; NULL when it has none (a build of
 * no covered product) or on EXH_ERR_NOMEM (*st). */
static const exh_build_info *lookup(build_lookups *c, const uint16_t v[4],
                                    exh_status *st)
{
    for (size_t i = 0; i < c->count; i++)
        if (vcmp(c->v[i], v) == 0)
            return c->b[i] ? exh_build_get(c->b[i]) : NULL;
    char text[32];
    exh_build *b = NULL;
    vtext(v, text);
    exh_status ls = exh_build_lookup(text, &b);
    if (ls == EXH_ERR_NOMEM) {
        *st = ls;
        return NULL;
    }
    if (c->count < BUILD_LOOKUPS_CACHED) {
        memcpy(c->v[c->count], v, sizeof c->v[0]);
        c->b[c->count++] = b;
    } else {
        exh_build_free(c->spare);
        c->spare = b;
    }
    return b ? exh_build_get(b) : NULL;
}

static bool has_fix(const exh_build_info *i, const char *cve)
{
    for (size_t k = 0; k < i->fixed_count; k++)
        if (util_strcasecmp(i->fixed_cve[k], cve) == 0)
            return true;
    return false;
}

/* Adds one evidence pair (copies) to a finding, growing its array. */
static exh_status add_pair(ifinding *f, const char *key, const char *value)
{
    exh_kv *ev = exh_realloc(f->evidence, (f->evidence_count + 1) * sizeof *ev);
    if (!ev)
        return EXH_ERR_NOMEM;
    f->evidence = ev;
    exh_kv *kv = &ev[f->evidence_count];
    kv->key = exh_strdup(key);
    kv->value = exh_strdup(value);
    kv->value_len = kv->value ? strlen(kv->value) : 0;
    if (!kv->key || !kv->value) {
        exh_free((char *)kv->key);
        exh_free((char *)kv->value);
        return EXH_ERR_NOMEM;
    }
    f->evidence_count++;
    return EXH_OK;
}

static const char *const source_words[] = {
    "the record's own version fields", "its log file's #Version header",
    "the build timeline of the unit's logs at the record's time",
    "the record's own S:BLD= value"};

/* Makes f an attempt: the build v (from source by) had fixed every CVE of
 * its rule (m). */
static exh_status judge(ifinding *f, const sigma_meta *m,
                        const exh_build_info *i, const char *by,
                        const char *by_words)
{
    buf r;
    buf_init(&r, 8192);
    buf_printf(&r,
               "The build that logged this record, %s (%s), from %s, "
               "already had the fix for",
               i->version, i->name ? i->name : i->product, by_words);
    for (size_t k = 0; k < m->cve_count; k++)
        buf_printf(&r, "%s %s", k ? "," : "", m->cve[k]);
    buf_printf(&r,
               ": the request could not work on it, so it is an attempt "
               "(the rule says exploitation, severity %s).",
               exh_severity_name(m->severity));
    exh_status st = r.data && !r.toobig ? EXH_OK : EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = add_pair(f, "logged_by_build", i->version);
    if (st == EXH_OK)
        st = add_pair(f, "logged_by_build_source", by);
    if (st == EXH_OK)
        st = add_pair(f, "reason", r.data);
    buf_free(&r);
    if (st == EXH_OK) {
        f->judged = true;
        f->judged_category = EXH_CAT_ATTEMPT;
        f->judged_severity = EXH_SEV_LOW;
    }
    return st;
}

/* Judges one finding against the build that logged it (f->logged_by), else
 * (u not NULL) the unit's timeline; EXH_OK when it is left as it is. */
static exh_status judge_one(const unit *u, const exh_ruleset *rs, ifinding *f,
                            build_lookups *c)
{
    if (f->judged || f->rule == SIZE_MAX || f->file || f->family == FAM_NONE ||
        finding_category(rs, f) != EXH_CAT_EXPLOITATION)
        return EXH_OK;
    const sigma_meta *m = sigma_rule_meta(rs->rules[f->rule].sigma);
    if (m->cve_count == 0)
        return EXH_OK;
    const uint16_t *v = NULL;
    const char *by = NULL, *words = NULL;
    if (f->logged_by) {
        v = f->logged_build;
        by = f->logged_by;
        words = strcmp(by, "row") != 0 ? source_words[1]
                : f->family == FAM_ECP_SERVER || f->family == FAM_ECP_ACTIVITY
                    ? source_words[3]
                    : source_words[0];
    } else if (u && f->time_ms != INT64_MIN) {
        const log_build *b = build_at(u, f->time_ms);
        if (!b)
            return EXH_OK;
        v = b->v;
        by = "log-timeline";
        words = source_words[2];
    } else {
        return EXH_OK;
    }
    exh_status st = EXH_OK;
    const exh_build_info *i = lookup(c, v, &st);
    if (!i)
        return st;
    for (size_t k = 0; k < m->cve_count; k++)
        if (!has_fix(i, m->cve[k]))
            return EXH_OK; // open, or not a CVE the table covers
    return judge(f, m, i, by, words);
}

exh_status log_build_judge_record(const exh_ruleset *rs, ifinding *f,
                                  build_lookups *c)
{
    return f->logged_by ? judge_one(NULL, rs, f, c) : EXH_OK;
}

exh_status log_build_judge(unit *u, const exh_ruleset *rs)
{
    build_lookups c = {.count = 0};
    exh_status st = EXH_OK;
    flist *lists[2] = {&u->plain, &u->agg};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count && st == EXH_OK; i++)
            if (!lists[l]->items[i].logged_by) // judged when it was found
                st = judge_one(u, rs, &lists[l]->items[i], &c);
    build_lookups_free(&c);
    return st;
}
