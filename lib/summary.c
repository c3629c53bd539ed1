/* SPDX-License-Identifier: Apache-2.0 */
/*
 * summary.c - a unit's summary: log coverage per family and the three
 * verdicts, decided exactly as DESIGN.md's "Verdicts" says.
 *
 * Coverage is built from spans (stretches of a file's records with no
 * silence over six hours inside): sorted, they give the family's first and
 * last record and every family-wide silence longer than six hours. A
 * family whose first record is later than an exploitation wave's first
 * known exploitation (rules/waves.csv) cannot rule that wave out, and says
 * so in one warning that names every such wave.
 *
 * Event log channels also carry runs of consecutive EventRecordIDs and
 * their cleared-log events: a break between runs (records missing from the
 * sequence) and each clear are gaps too, with their record ids.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

exh_status coverage_add_spans(coverage_acc *c, const span *spans, size_t count)
{
    if (count == 0)
        return EXH_OK; // nothing to copy, and c->spans may still be NULL
    if (c->span_count + count > c->span_cap) {
        size_t cap = c->span_cap ? c->span_cap : 256;
        while (cap < c->span_count + count)
            cap *= 2;
        span *p = exh_realloc(c->spans, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        c->spans = p;
        c->span_cap = cap;
    }
    memcpy(c->spans + c->span_count, spans, count * sizeof *spans);
    c->span_count += count;
    return EXH_OK;
}

void coverage_note_time(coverage_acc *c, int64_t t)
{
    if (c->span_count) {
        span *s = &c->spans[c->span_count - 1];
        if (t >= s->first_ms && t - s->last_ms <= COVERAGE_GAP_MS) {
            if (t > s->last_ms)
                s->last_ms = t;
            return;
        }
    }
    span one = {t, t};
    (void)coverage_add_spans(c, &one, 1); // on failure: coarser coverage
}

/* Makes room for one more element of size `size` in *items; false when
 * full (COVERAGE_MAX_MARKS) or out of memory. */
static bool grow(void **items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return true;
    if (count >= COVERAGE_MAX_MARKS)
        return false;
    size_t more = *cap ? *cap * 2 : 16;
    void *p = exh_realloc(*items, more * size);
    if (!p)
        return false;
    *items = p;
    *cap = more;
    return true;
}

void coverage_note_id(coverage_acc *c, uint64_t id, int64_t t)
{
    if (c->run_count) {
        idrun *r = &c->runs[c->run_count - 1];
        if (id == r->last_id + 1) {
            r->last_id = id;
            r->last_ms = t;
            return;
        }
        if (id == r->last_id)
            return;
    }
    if (!grow((void **)&c->runs, c->run_count, &c->run_cap, sizeof *c->runs)) {
        c->marks_cut = true;
        return;
    }
    c->runs[c->run_count++] = (idrun){id, id, t, t};
}

void coverage_note_clear(coverage_acc *c, uint64_t record, int64_t t)
{
    if (!grow((void **)&c->clears, c->clear_count, &c->clear_cap,
              sizeof *c->clears)) {
        c->marks_cut = true;
        return;
    }
    c->clears[c->clear_count++] = (clear_mark){record, t};
}

void coverage_note_deleted(coverage_acc *c, const char *name, int64_t at_ms)
{
    deleted_log d = {INT64_MIN, INT64_MIN, at_ms};
    c->del_total++;
    if (!util_log_name_span(name, &d.from_ms, &d.to_ms))
        d.from_ms = d.to_ms = INT64_MIN;
    if (!grow((void **)&c->dels, c->del_count, &c->del_cap, sizeof *c->dels))
        return; // counted in del_total all the same
    c->dels[c->del_count++] = d;
}

exh_status coverage_merge(coverage_acc *c, const coverage_acc *from)
{
    c->files += from->files;
    c->records += from->records;
    c->marks_cut |= from->marks_cut;
    for (size_t i = 0; i < from->run_count; i++) {
        if (!grow((void **)&c->runs, c->run_count, &c->run_cap,
                  sizeof *c->runs)) {
            c->marks_cut = true;
            break;
        }
        c->runs[c->run_count++] = from->runs[i];
    }
    for (size_t i = 0; i < from->clear_count; i++)
        coverage_note_clear(c, from->clears[i].record, from->clears[i].time_ms);
    return coverage_add_spans(c, from->spans, from->span_count);
}

void coverage_acc_free(coverage_acc *c)
{
    exh_free(c->spans);
    exh_free(c->runs);
    exh_free(c->clears);
    exh_free(c->dels);
}

/* Everything a summary points to, freed together. */
struct summary_holder {
    exh_summary s;
    exh_coverage *cov;
    size_t cov_count;
    char **strings; /* owned strings */
    size_t string_count, string_cap;
    exh_gap **gaps;         /* per coverage entry */
    const char ***warnings; /* per coverage entry */
    const char *mitigations[MITIGATION__COUNT];
    exh_build_step steps[LOG_BUILDS_LISTED]; /* build.timeline */
    const char *step_sources[LOG_BUILDS_LISTED][2];
};

/* Keeps a copy of text in the holder; NULL on failure. */
static const char *keep(summary_holder *h, const char *text)
{
    if (!text)
        return NULL;
    if (h->string_count == h->string_cap) {
        size_t cap = h->string_cap ? h->string_cap * 2 : 32;
        char **p = exh_realloc(h->strings, cap * sizeof *p);
        if (!p)
            return NULL;
        h->strings = p;
        h->string_cap = cap;
    }
    char *copy = exh_strdup(text);
    if (copy)
        h->strings[h->string_count++] = copy;
    return copy;
}

static const char *keep_time(summary_holder *h, int64_t ms)
{
    char t[32];
    util_time_format(ms, t);
    return keep(h, t);
}

/* One sentence naming every wave (rules/waves.csv, oldest first) that began
 * before first, the family's first record: "The logs begin on D, after
 * ProxyLogon exploitation began (D): they cannot rule it out." for one,
 * "... after exploitation of A (D), B (D) and C (D) began: they cannot
 * rule out any of these waves." for more. NULL when the logs reach back
 * to every wave (or memory runs out). */
static const char *wave_warning(const exh_ruleset *rs, int64_t first,
                                summary_holder *h)
{
    size_t count = 0, last = 0;
    for (size_t i = 0; i < rs->wave_count; i++) {
        if (first > rs->waves[i].start_ms) {
            count++;
            last = i;
        }
    }
    if (count == 0)
        return NULL;
    char a[32], b[32];
    util_time_format(first, a);
    a[10] = '\0';
    buf text;
    buf_init(&text, 64u << 10);
    if (count == 1) {
        util_time_format(rs->waves[last].start_ms, b);
        b[10] = '\0';
        buf_printf(&text,
                   "The logs begin on %s, after %s exploitation began (%s): "
                   "they cannot rule it out.",
                   a, rs->waves[last].name, b);
    } else {
        buf_printf(&text, "The logs begin on %s, after exploitation of ", a);
        for (size_t i = 0, n = 0; i < rs->wave_count; i++) {
            if (first <= rs->waves[i].start_ms)
                continue;
            util_time_format(rs->waves[i].start_ms, b);
            b[10] = '\0';
            n++;
            buf_printf(&text, "%s%s (%s)",
                       n == 1 ? "" : (n == count ? " and " : ", "),
                       rs->waves[i].name, b);
        }
        buf_printf(&text, " began: they cannot rule out %s.",
                   count == 2 ? "either wave" : "any of these waves");
    }
    const char *kept = text.data && !text.toobig ? keep(h, text.data) : NULL;
    buf_free(&text);
    return kept;
}

static int cmp_error(const void *a, const void *b)
{
    const exh_error *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : strcmp(x->message, y->message);
}

static int cmp_site(const void *a, const void *b)
{
    return strcmp(((const site_cov *)a)->name, ((const site_cov *)b)->name);
}

static int cmp_run(const void *a, const void *b)
{
    const idrun *x = a, *y = b;
    if (x->first_id != y->first_id)
        return x->first_id < y->first_id ? -1 : 1;
    return (x->last_id > y->last_id) - (x->last_id < y->last_id);
}

/* A gap before its times become strings. */
typedef struct raw_gap {
    int64_t from_ms, to_ms;
    const char *reason; /* NULL for a silence */
    uint64_t from_record, to_record;
} raw_gap;

static int cmp_gap(const void *a, const void *b)
{
    const raw_gap *x = a, *y = b;
    if (x->from_ms != y->from_ms)
        return x->from_ms < y->from_ms ? -1 : 1;
    if (x->to_ms != y->to_ms)
        return x->to_ms < y->to_ms ? -1 : 1;
    return (x->to_record > y->to_record) - (x->to_record < y->to_record);
}

/* Appends to raw the breaks between c's EventRecordID runs (sorted and
 * merged first: files of one channel may overlap) and its clears. */
static size_t id_gaps(coverage_acc *c, raw_gap *raw, size_t n)
{
    if (c->run_count > 1)
        qsort(c->runs, c->run_count, sizeof *c->runs, cmp_run);
    for (size_t i = 0; i < c->run_count; i++) {
        idrun cur = c->runs[i];
        while (i + 1 < c->run_count &&
               c->runs[i + 1].first_id <= cur.last_id + 1) {
            if (c->runs[i + 1].last_id > cur.last_id) {
                cur.last_id = c->runs[i + 1].last_id;
                cur.last_ms = c->runs[i + 1].last_ms;
            }
            i++;
        }
        if (i + 1 < c->run_count)
            raw[n++] =
                (raw_gap){cur.last_ms, c->runs[i + 1].first_ms, "records",
                          cur.last_id, c->runs[i + 1].first_id};
    }
    for (size_t i = 0; i < c->clear_count; i++)
        raw[n++] = (raw_gap){c->clears[i].time_ms, c->clears[i].time_ms,
                             "cleared", 0, c->clears[i].record};
    return n;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->first_ms != y->first_ms)
        return x->first_ms < y->first_ms ? -1 : 1;
    return (x->last_ms > y->last_ms) - (x->last_ms < y->last_ms);
}

/* Fills h->cov[n] from one family's (or IIS site's) accumulator. */
static exh_status build_coverage(const exh_ruleset *rs, summary_holder *h,
                                 const char *family, coverage_acc *c, size_t n)
{
    exh_coverage *cv = &h->cov[n];
    cv->family = keep(h, family);
    if (!cv->family)
        return EXH_ERR_NOMEM;
    cv->files = c->files;
    cv->records = c->records;
    if (c->span_count)
        qsort(c->spans, c->span_count, sizeof *c->spans, cmp_span);
    size_t gap_count = 0,
           most = c->span_count + c->run_count + c->clear_count + c->del_count;
    exh_gap *gaps = exh_calloc(most + 1, sizeof *gaps);
    raw_gap *raw = exh_calloc(most + 1, sizeof *raw);
    const char **warns = exh_calloc(rs->wave_count + 4, sizeof *warns);
    h->gaps[n] = gaps;
    h->warnings[n] = warns;
    if (!gaps || !warns || !raw) {
        exh_free(raw);
        return EXH_ERR_NOMEM;
    }
    int64_t first = INT64_MIN, reach = INT64_MIN;
    for (size_t i = 0; i < c->span_count; i++) {
        const span *sp = &c->spans[i];
        if (first == INT64_MIN)
            first = sp->first_ms;
        else if (sp->first_ms - reach > COVERAGE_GAP_MS)
            raw[gap_count++] = (raw_gap){reach, sp->first_ms, NULL, 0, 0};
        if (reach == INT64_MIN || sp->last_ms > reach)
            reach = sp->last_ms;
    }
    gap_count = id_gaps(c, raw, gap_count);
    // Logs the USN journal saw deleted: the span each one's name dates.
    int64_t last_del = INT64_MIN;
    for (size_t i = 0; i < c->del_count; i++) {
        if (c->dels[i].at_ms > last_del)
            last_del = c->dels[i].at_ms;
        if (c->dels[i].from_ms != INT64_MIN)
            raw[gap_count++] = (raw_gap){c->dels[i].from_ms, c->dels[i].to_ms,
                                         "deleted", 0, 0};
    }
    qsort(raw, gap_count, sizeof *raw, cmp_gap);
    for (size_t i = 0; i < gap_count; i++) {
        gaps[i].from = keep_time(h, raw[i].from_ms);
        gaps[i].to = keep_time(h, raw[i].to_ms);
        gaps[i].reason = raw[i].reason;
        gaps[i].from_record = raw[i].from_record;
        gaps[i].to_record = raw[i].to_record;
    }
    exh_free(raw);
    cv->gaps = gaps;
    cv->gap_count = gap_count;
    cv->first = first == INT64_MIN ? NULL : keep_time(h, first);
    cv->last = reach == INT64_MIN ? NULL : keep_time(h, reach);
    size_t wc = 0;
    if (c->marks_cut)
        warns[wc++] = keep(h, "The EventRecordID sequence breaks too often "
                              "to list every break: some are left out.");
    if (c->records && first == INT64_MIN)
        warns[wc++] = keep(h, "No record has a readable time, so the logs "
                              "cannot be placed in time.");
    if (c->del_total) {
        char at[32], text[256];
        if (last_del != INT64_MIN)
            util_time_format(last_del, at);
        snprintf(text, sizeof text,
                 "%llu log file%s of this family %s deleted (the "
                 "collection's USN journal or $MFT says so)%s%s: what %s held "
                 "is missing.",
                 (unsigned long long)c->del_total, c->del_total == 1 ? "" : "s",
                 c->del_total == 1 ? "was" : "were",
                 last_del != INT64_MIN ? ", the last at " : "",
                 last_del != INT64_MIN ? at : "",
                 c->del_total == 1 ? "it" : "they");
        warns[wc++] = keep(h, text);
    }
    if (c->snap_files) {
        char text[256];
        snprintf(text, sizeof text,
                 "%llu log file%s of this family %s read from volume shadow "
                 "copies (older or other than on the live volume): the "
                 "window includes %s records.",
                 (unsigned long long)c->snap_files,
                 c->snap_files == 1 ? "" : "s",
                 c->snap_files == 1 ? "was" : "were",
                 c->snap_files == 1 ? "its" : "their");
        warns[wc++] = keep(h, text);
    }
    if (first != INT64_MIN) {
        const char *text = wave_warning(rs, first, h);
        if (text)
            warns[wc++] = text;
    }
    cv->warnings = warns;
    cv->warning_count = wc;
    return EXH_OK;
}

/* Why HttpProxy logs hp, which reach back to every wave's start, still
 * cannot rule exploitation out: they fall silent for more than
 * COVERAGE_GAP_MS after the first wave began, or end before a wave began.
 * Written to text as clauses that follow "but "; false when neither
 * holds. */
static bool coverage_hole(const exh_ruleset *rs, const exh_coverage *hp,
                          char *text, size_t size)
{
    if (rs->wave_count == 0 || !hp->last)
        return false;
    char start[32];
    buf b;
    buf_init(&b, size);
    // Silences after the first wave began (gaps are in time order).
    util_time_format(rs->waves[0].start_ms, start);
    size_t silent = 0;
    const exh_gap *first = NULL;
    for (size_t i = 0; i < hp->gap_count; i++) {
        if (strcmp(hp->gaps[i].to, start) <= 0)
            continue;
        silent++;
        first = first ? first : &hp->gaps[i];
    }
    if (silent == 1)
        buf_printf(&b,
                   "the logs fall silent from %s to %s, after %s "
                   "exploitation began (%.10s): what happened then is not "
                   "in them",
                   first->from, first->to, rs->waves[0].name, start);
    else if (silent)
        buf_printf(&b,
                   "the logs fall silent %zu times after %s exploitation "
                   "began (%.10s), the first from %s to %s: what happened "
                   "then is not in them",
                   silent, rs->waves[0].name, start, first->from, first->to);
    size_t after = 0;
    for (size_t i = 0; i < rs->wave_count; i++) {
        util_time_format(rs->waves[i].start_ms, start);
        after += strcmp(start, hp->last) > 0;
    }
    if (after) {
        buf_printf(&b, "%sthe logs end on %.10s, before ",
                   silent ? "; and " : "", hp->last);
        for (size_t i = 0, k = 0; i < rs->wave_count; i++) {
            util_time_format(rs->waves[i].start_ms, start);
            if (strcmp(start, hp->last) <= 0)
                continue;
            k++;
            buf_printf(&b, "%s%s (%.10s)",
                       k == 1 ? "" : (k == after ? " and " : ", "),
                       rs->waves[i].name, start);
        }
        buf_printf(&b, " exploitation began: they cannot rule %s out",
                   after == 1 ? "it" : "these waves");
    }
    bool hole = silent || after;
    snprintf(text, size, "%s.",
             b.data && !b.toobig ? b.data : "the logs do not cover every wave");
    buf_free(&b);
    return hole;
}

static void decide_exploited(const exh_ruleset *rs, summary_holder *h,
                             const unit *u, const ifinding *fs, size_t count)
{
    exh_summary *s = &h->s;
    size_t yes = 0, tried = 0;
    const ifinding *first_yes = NULL, *first_try = NULL;
    for (size_t i = 0; i < count; i++) {
        const ifinding *fi = &fs[i];
        exh_category cat = finding_category(rs, fi);
        if (cat == EXH_CAT_EXPLOITATION &&
            finding_severity(rs, fi) <= EXH_SEV_HIGH) {
            yes++;
            first_yes = first_yes ? first_yes : &fs[i];
        } else if (cat == EXH_CAT_ATTEMPT || cat == EXH_CAT_EXPLOITATION) {
            tried += fs[i].count;
            first_try = first_try ? first_try : &fs[i];
        }
    }
    if (first_try)
        tried += (size_t)u->suppressed_tried; // the cap's, not written
    char text[1024], t[32] = "an unknown time", hole[768];
    if (yes) {
        const char *title = finding_title(rs, first_yes);
        if (first_yes->time_ms != INT64_MIN)
            util_time_format(first_yes->time_ms, t);
        snprintf(text, sizeof text,
                 "%zu exploitation finding%s of high or critical severity; "
                 "the first: %s, at %s.",
                 yes, yes == 1 ? "" : "s", title, t);
        s->exploited = "yes";
        s->reason_exploited = keep(h, text);
        return;
    }
    if (tried) {
        if (first_try->time_ms != INT64_MIN)
            util_time_format(first_try->time_ms, t);
        snprintf(text, sizeof text,
                 "%zu exploitation attempt%s (the first at %s) and no sign "
                 "that one succeeded.",
                 tried, tried == 1 ? "" : "s", t);
        s->exploited = "attempted";
        s->reason_exploited = keep(h, text);
        return;
    }
    const exh_coverage *hp = NULL;
    for (size_t i = 0; i < s->coverage_count; i++) {
        if (strcmp(h->cov[i].family, "httpproxy") == 0)
            hp = &h->cov[i];
    }
    s->exploited = "unknown";
    if (s->coverage_count == 0) {
        s->reason_exploited = "No Exchange logs were found, so nothing can "
                              "be said about exploitation.";
    } else if (!hp || !hp->first) {
        s->reason_exploited = "No HttpProxy logs with readable times were "
                              "found: they hold the evidence of ProxyLogon.";
    } else if (hp->warning_count) {
        snprintf(text, sizeof text, "No sign of exploitation, but %s",
                 hp->warnings[0]);
        text[sizeof "No sign of exploitation, but " - 1] = 't';
        s->reason_exploited = keep(h, text);
    } else if (coverage_hole(rs, hp, hole, sizeof hole)) {
        snprintf(text, sizeof text, "No sign of exploitation, but %s", hole);
        s->reason_exploited = keep(h, text);
    } else {
        snprintf(text, sizeof text,
                 "No sign of exploitation in HttpProxy logs that run from "
                 "%.10s, before every known exploitation wave began, to "
                 "%.10s with no silence of more than 6 hours since the "
                 "first began.",
                 hp->first, hp->last);
        s->exploited = "no-sign";
        s->reason_exploited = keep(h, text);
    }
}

static void decide_backdoored(const exh_ruleset *rs, summary_holder *h,
                              const unit *u, const ifinding *fs, size_t count)
{
    exh_summary *s = &h->s;
    size_t strong = 0, weak = 0;
    for (size_t i = 0; i < count; i++) {
        const ifinding *fi = &fs[i];
        exh_category cat = finding_category(rs, fi);
        bool implant =
            cat == EXH_CAT_WEBSHELL || cat == EXH_CAT_POST_EXPLOITATION;
        if (implant && finding_severity(rs, fi) <= EXH_SEV_HIGH)
            strong++;
        else if (implant || cat == EXH_CAT_SUSPICIOUS)
            weak++;
    }
    char text[512];
    if (strong) {
        snprintf(text, sizeof text,
                 "%zu web-shell or post-exploitation finding%s of high or "
                 "critical severity.",
                 strong, strong == 1 ? "" : "s");
        s->backdoored = "yes";
        s->reason_backdoored = keep(h, text);
    } else if (weak) {
        snprintf(text, sizeof text,
                 "%zu suspicious finding%s worth a look, none proof of a "
                 "backdoor.",
                 weak, weak == 1 ? "" : "s");
        s->backdoored = "suspicious";
        s->reason_backdoored = keep(h, text);
    } else if (u->files_scanned && ruleset_has_file_rules(rs)) {
        snprintf(text, sizeof text,
                 "%llu file%s in scope (the drop zones of a volume, all "
                 "files elsewhere) %s hashed and matched against the file "
                 "rules: none is a known web shell or post-exploitation "
                 "artifact.",
                 (unsigned long long)u->files_scanned,
                 u->files_scanned == 1 ? "" : "s",
                 u->files_scanned == 1 ? "was" : "were");
        s->backdoored = "no-sign";
        s->reason_backdoored = keep(h, text);
    } else {
        s->backdoored = "unknown";
        s->reason_backdoored =
            u->files_scanned
                ? "Files were read, but no file rules (YARA rules, hash "
                  "lists) are loaded to judge them."
                : "No files were scanned for web shells: the evidence "
                  "holds logs only.";
    }
}

/* build.timeline: the builds the unit's logs show, oldest first. */
static exh_status timeline(summary_holder *h, const unit *u)
{
    const log_build *sorted[LOG_BUILDS_MAX];
    size_t n = log_build_sorted(u, sorted);
    if (n > LOG_BUILDS_LISTED)
        n = LOG_BUILDS_LISTED;
    exh_summary *s = &h->s;
    for (size_t i = 0; i < n; i++) {
        exh_build_step *t = &h->steps[i];
        char v[32];
        snprintf(v, sizeof v, "%u.%u.%u.%u", sorted[i]->v[0], sorted[i]->v[1],
                 sorted[i]->v[2], sorted[i]->v[3]);
        t->version = keep(h, v);
        t->first = keep_time(h, sorted[i]->first_ms);
        t->last = keep_time(h, sorted[i]->last_ms);
        t->source = sorted[i]->source;
        t->path = keep(h, sorted[i]->path);
        static const char *const kinds[2] = {LOG_SOURCE_HEADER, LOG_SOURCE_ECP};
        for (unsigned k = 0; k < 2; k++)
            if (sorted[i]->sources & (1u << k))
                h->step_sources[i][t->source_count++] = kinds[k];
        t->sources = h->step_sources[i];
        if (!t->version || !t->first || !t->last || !t->path)
            return EXH_ERR_NOMEM;
    }
    s->build_timeline = h->steps;
    s->build_timeline_count = n;
    return EXH_OK;
}

/* The vulnerable verdict from the unit's build (build_scan.c). */
static exh_status decide_vulnerable(summary_holder *h, const unit *u)
{
    exh_summary *s = &h->s;
    if (!u->build_result) {
        s->vulnerable = "unknown";
        s->reason_vulnerable =
            "No Exchange build was found: the evidence holds neither "
            "ExSetup.exe's version resource, nor the SOFTWARE hive's "
            "Exchange Setup key, nor Exchange logs with a build in their "
            "headers or ECP rows (S:BLD=), nor OWA's version folders.";
        return EXH_OK;
    }
    const exh_build_info *i = exh_build_get(u->build_result);
    s->build = i;
    s->build_source = u->build.source;
    for (unsigned m = 0; m < MITIGATION__COUNT; m++) {
        if (!(u->build.mitigations & (1u << m)))
            continue;
        const char *t = keep(h, build_mitigation_text(m));
        if (!t)
            return EXH_ERR_NOMEM;
        h->mitigations[s->mitigation_count++] = t;
    }
    s->mitigations = h->mitigations;
    size_t mitigated = 0;
    for (size_t k = 0; k < i->open_count; k++)
        mitigated += build_unit_mitigation(u, i->open_cve[k]) >= 0;
    buf r;
    buf_init(&r, 8192);
    buf_printf(&r, "%s (%s%s) ", i->name ? i->name : i->product, i->version,
               i->cu_only ? ", CU level only" : "");
    if (i->open_count == 0) {
        s->vulnerable = "no";
        buf_puts(&r, "leaves none of the covered CVEs open.");
    } else {
        s->vulnerable = mitigated == i->open_count ? "mitigated" : "yes";
        buf_printf(&r, "leaves %zu covered CVE%s open:", i->open_count,
                   i->open_count > 1 ? "s" : "");
        for (size_t k = 0; k < i->open_count; k++)
            buf_printf(&r, "%s %s", k ? "," : "", i->open_cve[k]);
        buf_putc(&r, '.');
        if (mitigated == i->open_count)
            buf_puts(&r, " Mitigations in place cover every one of them.");
        else if (mitigated)
            buf_printf(&r,
                       " Mitigations in place cover %zu of them; the "
                       "others are not mitigated.",
                       mitigated);
        if (i->cu_only)
            buf_puts(&r, " Only the CU level is known: security updates "
                         "installed on top cannot be seen.");
    }
    for (size_t k = 0; k < s->mitigation_count; k++)
        buf_printf(&r, "%s%s",
                   k ? "; " : " Mitigations found: ", s->mitigations[k]);
    if (s->mitigation_count)
        buf_putc(&r, '.');
    if (i->placement && !i->cu_only)
        buf_printf(&r, " The build is %s.", i->placement);
    if (u->build.rank == BUILD_RANK_LOG) {
        char seen[32];
        util_time_format(u->build.seen_ms, seen);
        bool ecp = u->log_build_source &&
                   strcmp(u->log_build_source, LOG_SOURCE_ECP) == 0;
        buf_printf(&r,
                   " The build comes from %s: the server ran it when they "
                   "were last written (%s); it may have been updated since.",
                   ecp ? "the S:BLD= values of Exchange's ECP log rows"
                       : "the headers of Exchange's logs",
                   seen);
    }
    s->reason_vulnerable = r.data ? keep(h, r.data) : NULL;
    buf_free(&r);
    if (!s->reason_vulnerable)
        return EXH_ERR_NOMEM;
    return timeline(h, u);
}

exh_status summary_build(const exh_ruleset *rs, const char *target, unit *u,
                         const ifinding *fs, size_t count, summary_holder **out,
                         const exh_summary **sp)
{
    summary_holder *h = exh_calloc(1, sizeof *h);
    if (!h)
        return EXH_ERR_NOMEM;
    exh_summary *s = &h->s;
    s->target = target;
    s->unit = u->root;
    s->host = u->host;
    size_t n = 0, most = FAM__COUNT + u->site_count;
    h->cov = exh_calloc(most, sizeof *h->cov);
    h->gaps = exh_calloc(most, sizeof *h->gaps);
    h->warnings = exh_calloc(most, sizeof *h->warnings);
    exh_status st = h->cov && h->gaps && h->warnings ? EXH_OK : EXH_ERR_NOMEM;
    h->cov_count = most;
    for (int f = 1; f < FAM__COUNT && st == EXH_OK; f++) {
        if (u->cov[f].files == 0 && u->cov[f].del_total == 0)
            continue;
        st = build_coverage(rs, h, csvlog_family_name((log_family)f),
                            &u->cov[f], n++);
    }
    // Sites in name order: the order files finished in depends on threads.
    if (u->site_count > 1)
        qsort(u->sites, u->site_count, sizeof *u->sites, cmp_site);
    for (size_t i = 0; i < u->site_count && st == EXH_OK; i++) {
        if (u->sites[i].acc.files || u->sites[i].acc.clear_count ||
            u->sites[i].acc.del_total)
            st = build_coverage(rs, h, u->sites[i].name, &u->sites[i].acc, n++);
    }
    if (st != EXH_OK) {
        summary_free(h);
        return st;
    }
    s->coverage = h->cov;
    s->coverage_count = n;
    st = decide_vulnerable(h, u);
    if (st != EXH_OK) {
        summary_free(h);
        return st;
    }
    decide_exploited(rs, h, u, fs, count);
    decide_backdoored(rs, h, u, fs, count);
    s->entries = u->entries;
    s->scanned = u->scanned;
    s->skipped = u->skipped;
    s->unreadable = u->unreadable;
    s->suppressed = u->suppressed;
    s->bad_records = u->bad_records;
    s->outside_window = u->outside_window;
    s->records = u->records;
    s->prefilter_passed = u->prefilter_passed;
    for (size_t i = 0; i < count; i++) {
        s->findings[finding_severity(rs, &fs[i])]++;
    }
    // In path order: the order files finished in depends on threads.
    if (u->error_count > 1)
        qsort(u->errors, u->error_count, sizeof *u->errors, cmp_error);
    s->errors = u->errors;
    s->error_count = u->error_count;
    s->errors_omitted = u->errors_omitted;
    s->notes = shadow_notes(u, &s->note_count);
    *out = h;
    *sp = s;
    return EXH_OK;
}

void summary_free(summary_holder *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->string_count; i++)
        exh_free(h->strings[i]);
    exh_free(h->strings);
    for (size_t i = 0; i < h->cov_count && h->gaps && h->warnings; i++) {
        exh_free(h->gaps[i]);
        exh_free(h->warnings[i]);
    }
    exh_free(h->gaps);
    exh_free(h->warnings);
    exh_free(h->cov);
    exh_free(h);
}
