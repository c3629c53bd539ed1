/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_csv.c - the timeline (`-f csv`): one row per finding that has a
 * time and one per incident, sorted by time, in the columns Timesketch
 * imports (datetime, timestamp_desc, message) followed by ours.
 *
 * RFC 4180: CRLF line ends, a field holding a comma, quote or space at
 * either end is quoted and its quotes doubled. Every field goes through
 * exh_escape_text() first (valid UTF-8, no control character, so no line
 * break inside a field), and one that starts like a spreadsheet formula
 * ('=', '+', '-', '@' after any spaces, their full-width forms, or a tab or
 * carriage return in the raw text) gets a leading apostrophe, so a spreadsheet
 * shows it as text (OWASP, CSV injection). Rows are kept until the end: sorting
 * needs them all.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct csv_row {
    char *time;     /* ISO 8601 UTC; sorts as text */
    uint64_t seq;   /* arrival order: ties keep it */
    uint64_t id;    /* the finding's number, 0 for an incident row */
    char *body;     /* every column but the last, CSV-encoded */
    char *incident; /* the last column, filled by the unit's summary */
} csv_row;

struct report_csv {
    FILE *out;
    exh_severity min_severity;
    csv_row *rows;
    size_t count, cap;
    size_t unit_start; /* first row of the unit being read */
    bool failed;
};

static const char *const columns[] = {
    "datetime",   "timestamp_desc", "message",      "severity",
    "category",   "rule",           "title",        "cve",
    "attack",     "host",           "target",       "unit",
    "finding_id", "related",        "source_type",  "source_path",
    "line",       "record",         "windows_path", "client",
    "user_agent", "method",         "url",          "status",
    "count",      "last_time",      "sha256",       "incident",
};

report_csv *report_csv_new(FILE *out, exh_severity min_severity)
{
    report_csv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out = out;
    r->min_severity = min_severity;
    return r;
}

/* t starts like a spreadsheet formula: '=', '+', '-' or '@', after any
 * spaces (an importer that trims them would see the formula), or their
 * full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20 (which some spreadsheets
 * turn into the ASCII ones). */
static bool formula_start(const char *t)
{
    while (*t == ' ')
        t++;
    if (*t && strchr("=+-@", *t))
        return true;
    const unsigned char *u = (const unsigned char *)t;
    return u[0] == 0xEF && u[1] == 0xBC &&
           (u[2] == 0x9D || u[2] == 0x8B || u[2] == 0x8D || u[2] == 0xA0);
}

/* Appends s (untrusted) as one CSV field to m, preceded by a comma unless
 * first. */
static void cell(FILE *m, const char *s, bool first)
{
    if (!first)
        fputc(',', m);
    if (!s || !*s)
        return;
    size_t len = strlen(s);
    size_t need = exh_escape_text(s, len, NULL, 0);
    char *t = malloc(need + 1);
    if (!t)
        return;
    exh_escape_text(s, len, t, need + 1);
    bool formula = formula_start(t) || s[0] == '\t' || s[0] == '\r';
    bool quote = strpbrk(t, ",\"") != NULL || t[0] == ' ' ||
                 t[need ? need - 1 : 0] == ' ';
    if (quote)
        fputc('"', m);
    if (formula)
        fputc('\'', m);
    for (const char *p = t; *p; p++) {
        if (*p == '"')
            fputc('"', m);
        fputc(*p, m);
    }
    if (quote)
        fputc('"', m);
    free(t);
}

static void cell_u64(FILE *m, uint64_t v)
{
    if (v)
        fprintf(m, ",%" PRIu64, v);
    else
        fputc(',', m);
}

static void cell_list(FILE *m, const char *const *items, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&s, &len);
    if (!t) {
        fputc(',', m);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(t, "%s%s", i ? " " : "", items[i] ? items[i] : "");
    fclose(t);
    cell(m, s, false);
    free(s);
}

/* The first evidence value under one of keys (case-insensitive). */
static const char *ev(const exh_finding *f, const char *const *keys)
{
    for (size_t i = 0; i < f->evidence_count; i++) {
        for (size_t k = 0; keys[k]; k++) {
            if (f->evidence[i].key && f->evidence[i].value &&
                strcasecmp(f->evidence[i].key, keys[k]) == 0 &&
                strcmp(f->evidence[i].value, "-") != 0)
                return f->evidence[i].value;
        }
    }
    return NULL;
}

static const char *const k_client[] = {"ClientIpAddress", "c-ip", "ClientIp",
                                       "IpAddress", NULL};
static const char *const k_agent[] = {"UserAgent", "cs-user-agent",
                                      "cs(User-Agent)", NULL};
static const char *const k_method[] = {"Method", "cs-method", NULL};
static const char *const k_url[] = {"UrlStem", "cs-uri-stem", "URL", NULL};
static const char *const k_status[] = {"HttpStatus", "sc-status", NULL};

static bool push(report_csv *r, char *time, uint64_t id, char *body)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        csv_row *p = realloc(r->rows, cap * sizeof *p);
        if (!p) {
            free(time);
            free(body);
            return false;
        }
        r->rows = p;
        r->cap = cap;
    }
    r->rows[r->count] = (csv_row){time, r->count, id, body, NULL};
    r->count++;
    return true;
}

bool report_csv_finding(report_csv *r, const exh_finding *f)
{
    // Findings without a time (builds, probes) stay in the summary.
    if (f->severity > r->min_severity || !f->time)
        return true;
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (!m)
        return false;
    const char *cat = exh_category_name(f->category);
    const char *sev = exh_severity_name(f->severity);
    char desc[96];
    if (f->file)
        snprintf(desc, sizeof desc, "File time (%s)",
                 f->file->time_source ? f->file->time_source : "unknown");
    else
        snprintf(desc, sizeof desc, "%s record",
                 f->source_type ? f->source_type : "log");
    const char *client = ev(f, k_client), *url = ev(f, k_url);
    // message: the title, then who asked for what, or the file.
    size_t mlen = 0;
    char *msg = NULL;
    FILE *mm = open_memstream(&msg, &mlen);
    if (!mm) {
        fclose(m);
        free(body);
        return false;
    }
    fputs(f->title ? f->title : "", mm);
    if (f->count > 1)
        fprintf(mm, " (x%" PRIu64 ")", f->count);
    if (client || url) {
        fprintf(mm, ": %s %s %s", client ? client : "-",
                ev(f, k_method) ? ev(f, k_method) : "", url ? url : "");
        if (ev(f, k_status))
            fprintf(mm, " %s", ev(f, k_status));
    } else if (f->file || f->windows_path) {
        fprintf(mm, ": %s", f->windows_path ? f->windows_path : f->source_path);
    }
    fclose(mm);
    cell(m, f->time, true);
    cell(m, desc, false);
    cell(m, msg, false);
    free(msg);
    cell(m, sev, false);
    cell(m, cat, false);
    cell(m, f->rule, false);
    cell(m, f->title, false);
    cell_list(m, f->cve, f->cve_count);
    cell_list(m, f->attack, f->attack_count);
    cell(m, f->host, false);
    cell(m, f->target, false);
    cell(m, f->unit, false);
    cell(m, f->id, false);
    cell_list(m, f->related, f->related_count);
    cell(m, f->source_type, false);
    cell(m, f->source_path, false);
    cell_u64(m, f->line);
    cell_u64(m, f->record);
    cell(m, f->windows_path, false);
    cell(m, client, false);
    cell(m, ev(f, k_agent), false);
    cell(m, ev(f, k_method), false);
    cell(m, url, false);
    cell(m, ev(f, k_status), false);
    cell_u64(m, f->count);
    cell(m, f->last_time, false);
    cell(m, f->file ? f->file->sha256 : NULL, false);
    if (fclose(m) != 0) {
        free(body);
        return false;
    }
    char *time = strdup(f->time);
    if (!time) {
        free(body);
        return false;
    }
    uint64_t id =
        f->id && strlen(f->id) > 2 ? strtoull(f->id + 2, NULL, 10) : 0;
    return push(r, time, id, body);
}

/* The row of finding id among the unit's rows (in id order), or NULL. */
static csv_row *find_row(report_csv *r, uint64_t id)
{
    size_t lo = r->unit_start, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->count && r->rows[lo].id == id ? &r->rows[lo] : NULL;
}

bool report_csv_summary(report_csv *r, const exh_summary *s)
{
    size_t unit_end = r->count;
    bool ok = true;
    for (size_t i = 0; i < s->incident_count; i++) {
        const exh_incident *in = &s->incidents[i];
        for (size_t k = 0; k < in->finding_count; k++) {
            const char *fid = in->findings[k];
            if (!fid || strlen(fid) < 3)
                continue;
            // Rows of this unit's findings lie in [unit_start, unit_end).
            size_t saved = r->count;
            r->count = unit_end;
            csv_row *row = find_row(r, strtoull(fid + 2, NULL, 10));
            r->count = saved;
            if (row && !row->incident && in->id)
                row->incident = strdup(in->id);
        }
        if (!in->start)
            continue;
        char *body = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&body, &len);
        if (!m)
            return false;
        cell(m, in->start, true);
        cell(m, "Incident start", false);
        cell(m, in->story, false);
        cell(m, "", false);                        // severity
        cell_list(m, in->stages, in->stage_count); // category: the stages
        for (int c = 0; c < 5; c++)
            cell(m, "", false); // rule .. host
        cell(m, s->target, false);
        cell(m, s->unit, false);
        cell(m, "", false);
        cell_list(m, in->findings, in->finding_count);
        for (int c = 0; c < 13; c++)
            cell(m, "", false); // source_type .. sha256
        if (fclose(m) != 0) {
            free(body);
            return false;
        }
        char *time = strdup(in->start);
        if (!time || !push(r, time, 0, body)) {
            free(time);
            return false;
        }
        r->rows[r->count - 1].incident = in->id ? strdup(in->id) : NULL;
    }
    r->unit_start = r->count;
    return ok;
}

static int cmp_row(const void *a, const void *b)
{
    const csv_row *x = a, *y = b;
    int c = strcmp(x->time, y->time);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

bool report_csv_finish(report_csv *r)
{
    for (size_t i = 0; i < sizeof columns / sizeof *columns; i++)
        fprintf(r->out, "%s%s", i ? "," : "", columns[i]);
    fputs("\r\n", r->out);
    if (r->count)
        qsort(r->rows, r->count, sizeof *r->rows, cmp_row);
    for (size_t i = 0; i < r->count; i++) {
        fputs(r->rows[i].body, r->out);
        cell(r->out, r->rows[i].incident, false);
        fputs("\r\n", r->out);
    }
    return !ferror(r->out);
}

void report_csv_free(report_csv *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->rows[i].time);
        free(r->rows[i].body);
        free(r->rows[i].incident);
    }
    free(r->rows);
    free(r);
}
