/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_text.c - the report a tired responder reads on a terminal.
 *
 * Per unit: one header line (target, unit, host), the three verdicts with
 * their reasons, the incidents told in sentences, the attacker pivot, the
 * findings grouped by severity (most severe first), the
 * log coverage per family, then counts and errors. The verdicts arrive with
 * the unit's summary, after its findings, so findings are rendered into one
 * memory stream per severity and printed when the summary comes.
 *
 * Every string that comes from the evidence or from rules goes through
 * exh_escape_text(): no control character ever reaches the terminal raw.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define EVIDENCE_MAX_BYTES 200 /* longer evidence values end in "…" */
#define SEVERITY_COUNT     5

struct report_text {
    FILE *out;
    exh_severity min_severity;
    bool quiet;
    bool color;
    unsigned units;                /* units printed so far */
    FILE *pending[SEVERITY_COUNT]; /* rendered findings of the unit */
    char *pending_text[SEVERITY_COUNT];
    size_t pending_len[SEVERITY_COUNT];
    uint64_t shown[SEVERITY_COUNT]; /* findings rendered, per severity */
    uint64_t hidden;                /* below --min-severity */
};

/* ANSI attributes, used only when color is on. */
#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_DIM    "\033[2m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"

static const char *paint(const report_text *r, const char *attr)
{
    return r->color ? attr : "";
}

static const char *severity_color(exh_severity sev)
{
    switch (sev) {
    case EXH_SEV_CRITICAL:
        return C_BOLD C_RED;
    case EXH_SEV_HIGH:
        return C_RED;
    case EXH_SEV_MEDIUM:
        return C_YELLOW;
    case EXH_SEV_LOW:
        return C_CYAN;
    default:
        return C_DIM;
    }
}

bool report_text_put_escaped(FILE *out, const char *s, size_t len,
                             size_t max_bytes)
{
    char small[1024];
    char *text = small;
    size_t cut = len;
    bool more = false;

    if (!s)
        s = "";
    if (max_bytes > 0 && len > max_bytes) {
        // Cut at the start of a character, at most 3 bytes back.
        cut = max_bytes;
        for (int i = 0;
             i < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; i++)
            cut--;
        more = true;
    }
    size_t need = exh_escape_text(s, cut, small, sizeof(small));
    if (need >= sizeof(small)) {
        text = malloc(need + 1);
        if (!text)
            return false;
        exh_escape_text(s, cut, text, need + 1);
    }
    bool ok = fwrite(text, 1, need, out) == need;
    if (text != small)
        free(text);
    if (more)
        ok = fputs("\xe2\x80\xa6", out) >= 0 && ok; // "…"
    return ok;
}

/* The length of v before the mark the library ends a value it cut with
 * (EXH_TRUNCATED_MARK, digits, " bytes]"), or len when there is none. */
static size_t before_mark(const char *v, size_t len)
{
    static const char mark[] = EXH_TRUNCATED_MARK, tail[] = " bytes]";
    size_t mark_len = sizeof mark - 1, tail_len = sizeof tail - 1;
    if (!v || len < mark_len + 1 + tail_len ||
        memcmp(v + len - tail_len, tail, tail_len) != 0)
        return len;
    size_t d = len - tail_len;
    while (d > mark_len && v[d - 1] >= '0' && v[d - 1] <= '9')
        d--;
    if (d == len - tail_len || memcmp(v + d - mark_len, mark, mark_len) != 0)
        return len;
    return d - mark_len;
}

/* An evidence value, escaped and cut at EVIDENCE_MAX_BYTES with "…"; the
 * library's mark of a value it cut stays visible after that "…". */
static void put_value(FILE *out, const char *v, size_t len)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    size_t body = before_mark(v, len);
    report_text_put_escaped(out, v, body, EVIDENCE_MAX_BYTES);
    if (body == len)
        return;
    size_t skip = body > EVIDENCE_MAX_BYTES ? sizeof ellipsis - 1 : 0;
    fwrite(v + body + skip, 1, len - body - skip, out); // ASCII after "…"
}

/* A NUL-terminated untrusted string, escaped, uncapped. */
static void put_esc(FILE *out, const char *s)
{
    report_text_put_escaped(out, s, s ? strlen(s) : 0, 0);
}

report_text *report_text_new(FILE *out, exh_severity min_severity, bool quiet,
                             bool color)
{
    report_text *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->out = out;
    r->min_severity = min_severity;
    r->quiet = quiet;
    r->color = color;
    return r;
}

static void put_list(FILE *out, const char *const *items, size_t count,
                     const char *sep)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputs(sep, out);
        put_esc(out, items[i]);
    }
}

/* The evidence of f, one "key  value" line each, keys aligned. */
static void render_evidence(FILE *m, const exh_finding *f)
{
    int width = 0;
    for (size_t i = 0; i < f->evidence_count; i++) {
        size_t len = f->evidence[i].key ? strlen(f->evidence[i].key) : 0;
        if ((int)len > width)
            width = len > 24 ? 24 : (int)len;
    }
    for (size_t i = 0; i < f->evidence_count; i++) {
        const exh_kv *kv = &f->evidence[i];
        size_t len = kv->key ? strlen(kv->key) : 0;
        fputs("      ", m);
        put_esc(m, kv->key);
        fprintf(m, "%*s  ", len < (size_t)width ? width - (int)len : 0, "");
        put_value(m, kv->value, kv->value ? kv->value_len : 0);
        fputc('\n', m);
    }
}

/* The lines of one finding: time and title; aggregation; rule, category
 * and CVEs; source; evidence; file; where seen; related findings. */
static void render_finding(const report_text *r, FILE *m, const exh_finding *f)
{
    const char *cat = exh_category_name(f->category);

    fprintf(m, "  %-24s  %s", f->time ? f->time : "-", paint(r, C_BOLD));
    put_esc(m, f->title);
    fprintf(m, "%s\n", paint(r, C_RESET));
    if (f->count > 1)
        fprintf(m, "      \xc3\x97%" PRIu64 ", first %s, last %s\n", f->count,
                f->time ? f->time : "-", f->last_time ? f->last_time : "-");
    fputs("      ", m);
    put_esc(m, f->rule);
    fprintf(m, " \xc2\xb7 %s", cat ? cat : "suspicious");
    if (f->cve_count) {
        fputs(" \xc2\xb7 ", m);
        put_list(m, f->cve, f->cve_count, ", ");
    }
    fputs(" \xc2\xb7 ", m);
    put_esc(m, f->id);
    fputs("\n      ", m);
    put_esc(m, f->source_path);
    if (f->line)
        fprintf(m, ":%" PRIu64, f->line);
    if (f->record)
        fprintf(m, " (record %" PRIu64 ")", f->record);
    fputc('\n', m);
    render_evidence(m, f);
    if (f->file) {
        fputs("      file: sha256 ", m);
        put_esc(m, f->file->sha256 ? f->file->sha256 : "-");
        fprintf(m, ", %" PRIu64 " bytes, modified %s (%s)\n", f->file->size,
                f->file->modified ? f->file->modified : "-",
                f->file->time_source ? f->file->time_source : "unknown");
    }
    // Shadow copies: only when the finding is not simply on the live volume.
    if (f->seen_in_count &&
        (f->seen_in_count > 1 || strcmp(f->seen_in[0], "live") != 0)) {
        fputs("      seen in: ", m);
        put_list(m, f->seen_in, f->seen_in_count, ", ");
        fputc('\n', m);
    }
    if (f->related_count) {
        fputs("      related: ", m);
        put_list(m, f->related, f->related_count, ", ");
        fputc('\n', m);
    }
}

bool report_text_finding(report_text *r, const exh_finding *f)
{
    unsigned sev = f->severity < SEVERITY_COUNT ? f->severity : EXH_SEV_INFO;

    if (f->severity > r->min_severity) {
        r->hidden++;
        return true;
    }
    r->shown[sev]++;
    if (r->quiet)
        return true;
    if (!r->pending[sev]) {
        r->pending[sev] =
            open_memstream(&r->pending_text[sev], &r->pending_len[sev]);
        if (!r->pending[sev])
            return false;
    }
    render_finding(r, r->pending[sev], f);
    return !ferror(r->pending[sev]);
}

/* Prints and drops the rendered findings of the unit. */
static bool flush_pending(report_text *r)
{
    bool ok = true;
    for (int sev = 0; sev < SEVERITY_COUNT; sev++) {
        if (!r->pending[sev])
            continue;
        if (fclose(r->pending[sev]) != 0)
            ok = false;
        const char *name = exh_severity_name((exh_severity)sev);
        fprintf(r->out, "\n%s", paint(r, severity_color((exh_severity)sev)));
        for (const char *p = name; *p; p++)
            fputc(*p - ('a' - 'A'), r->out);
        fprintf(r->out, " (%" PRIu64 ")%s\n", r->shown[sev], paint(r, C_RESET));
        if (r->pending_text[sev])
            fwrite(r->pending_text[sev], 1, r->pending_len[sev], r->out);
        free(r->pending_text[sev]);
        r->pending[sev] = NULL;
        r->pending_text[sev] = NULL;
        r->pending_len[sev] = 0;
    }
    return ok;
}

/* Color and display form of a verdict value. */
static const char *verdict_color(const char *value)
{
    if (strcmp(value, "yes") == 0)
        return C_BOLD C_RED;
    if (strcmp(value, "attempted") == 0 || strcmp(value, "suspicious") == 0 ||
        strcmp(value, "mitigated") == 0)
        return C_YELLOW;
    if (strcmp(value, "no") == 0 || strcmp(value, "no-sign") == 0)
        return C_GREEN;
    return "";
}

static void put_verdict(report_text *r, const char *label, const char *value,
                        const char *reason)
{
    if (!value)
        value = "unknown";
    fprintf(r->out, "  %-13s%s", label, paint(r, verdict_color(value)));
    if (strcmp(value, "yes") == 0)
        fputs("YES", r->out);
    else
        put_esc(r->out, value);
    fprintf(r->out, "%s%*s \xe2\x80\x94 ", paint(r, C_RESET),
            strlen(value) < 10 ? 10 - (int)strlen(value) : 0, "");
    put_esc(r->out, reason && *reason ? reason : "(no reason given)");
    fputc('\n', r->out);
}

/* One line per unit: TARGET[ [unit U]]: vulnerable=V exploited=E ... */
static void put_quiet(report_text *r, const exh_summary *s)
{
    put_esc(r->out, s->target);
    if (s->unit && strcmp(s->unit, ".") != 0) {
        fputs(" [unit ", r->out);
        put_esc(r->out, s->unit);
        fputc(']', r->out);
    }
    fputs(": vulnerable=", r->out);
    put_esc(r->out, s->vulnerable ? s->vulnerable : "unknown");
    fputs(" exploited=", r->out);
    put_esc(r->out, s->exploited ? s->exploited : "unknown");
    fputs(" backdoored=", r->out);
    put_esc(r->out, s->backdoored ? s->backdoored : "unknown");
    fputc('\n', r->out);
}

/* The builds the unit's logs show, oldest first (build.timeline). */
static void put_build_timeline(report_text *r, const exh_summary *s)
{
    if (!s->build || s->build_timeline_count == 0)
        return;
    fprintf(r->out, "\n%sBuild timeline from the logs%s\n", paint(r, C_BOLD),
            paint(r, C_RESET));
    for (size_t i = 0; i < s->build_timeline_count; i++) {
        const exh_build_step *t = &s->build_timeline[i];
        const char *v = t->version ? t->version : "-";
        fputs("  ", r->out);
        put_esc(r->out, v);
        size_t len = strlen(v);
        fprintf(r->out, "%*s ", len < 14 ? 14 - (int)len : 0, "");
        put_esc(r->out, t->first ? t->first : "-");
        fputs(" \xe2\x86\x92 ", r->out);
        put_esc(r->out, t->last ? t->last : "-");
        fputs("  ", r->out);
        for (size_t k = 0; k < t->source_count; k++) {
            if (k)
                fputc('+', r->out);
            put_esc(r->out, t->sources[k]);
        }
        fputs("\n      ", r->out);
        put_esc(r->out, t->path ? t->path : "-");
        fputc('\n', r->out);
    }
}

static void put_wrapped(FILE *out, const char *s, int indent, size_t width);

static void put_coverage(report_text *r, const exh_summary *s)
{
    fprintf(r->out, "\n%sLog coverage%s\n", paint(r, C_BOLD),
            paint(r, C_RESET));
    if (s->coverage_count == 0)
        fputs("  no Exchange logs were found\n", r->out);
    for (size_t i = 0; i < s->coverage_count; i++) {
        const exh_coverage *c = &s->coverage[i];
        fputs("  ", r->out);
        put_esc(r->out, c->family);
        size_t len = c->family ? strlen(c->family) : 0;
        fprintf(r->out,
                "%*s %6" PRIu64 " files %9" PRIu64 " records  %s \xe2\x86\x92 "
                "%s\n",
                len < 14 ? 14 - (int)len : 0, "", c->files, c->records,
                c->first ? c->first : "-", c->last ? c->last : "-");
        for (size_t g = 0; g < c->gap_count; g++) {
            const exh_gap *gp = &c->gaps[g];
            if (gp->reason && strcmp(gp->reason, "cleared") == 0)
                fprintf(r->out, "      cleared  %s (record %" PRIu64 ")\n",
                        gp->to ? gp->to : "-", gp->to_record);
            else if (gp->reason && strcmp(gp->reason, "deleted") == 0)
                fprintf(r->out,
                        "      deleted  %s \xe2\x86\x92 %s (a deleted log)\n",
                        gp->from ? gp->from : "-", gp->to ? gp->to : "-");
            else if (gp->reason)
                fprintf(r->out,
                        "      gap      %s \xe2\x86\x92 %s (records %" PRIu64
                        " \xe2\x86\x92 %" PRIu64 ")\n",
                        gp->from ? gp->from : "-", gp->to ? gp->to : "-",
                        gp->from_record, gp->to_record);
            else
                fprintf(r->out, "      gap      %s \xe2\x86\x92 %s\n",
                        gp->from ? gp->from : "-", gp->to ? gp->to : "-");
        }
        for (size_t w = 0; w < c->warning_count; w++) {
            // "      warning  " is 15 columns: the text wraps at 90
            fprintf(r->out, "      %swarning%s  ", paint(r, C_YELLOW),
                    paint(r, C_RESET));
            put_wrapped(r->out, c->warnings[w], 15, 75);
            fputc('\n', r->out);
        }
    }
}

static void put_counts(report_text *r, const exh_summary *s)
{
    fprintf(r->out,
            "\nFiles: %" PRIu64 " seen, %" PRIu64 " read, %" PRIu64
            " skipped, %" PRIu64 " unreadable; %" PRIu64 " bad records\n",
            s->entries, s->scanned, s->skipped, s->unreadable, s->bad_records);
    if (s->outside_window)
        fprintf(r->out,
                "%" PRIu64
                " log file%s dated by name or #Date: outside --since/--until "
                "(with a day's margin): not read\n",
                s->outside_window, s->outside_window == 1 ? "" : "s");
    if (s->records)
        fprintf(r->out,
                "Log records: %" PRIu64 " read, %" PRIu64
                " (%.2f%%) held a rule's literal and went to the rules\n",
                s->records, s->prefilter_passed,
                100.0 * (double)s->prefilter_passed / (double)s->records);
    fprintf(r->out,
            "Findings: %" PRIu64 " critical, %" PRIu64 " high, %" PRIu64
            " medium, %" PRIu64 " low, %" PRIu64 " info",
            s->findings[EXH_SEV_CRITICAL], s->findings[EXH_SEV_HIGH],
            s->findings[EXH_SEV_MEDIUM], s->findings[EXH_SEV_LOW],
            s->findings[EXH_SEV_INFO]);
    if (s->suppressed)
        fprintf(r->out,
                "; %" PRIu64 " more low/info not written (cap of "
                "1000 per rule)",
                s->suppressed);
    fputc('\n', r->out);
    if (s->note_count)
        fprintf(r->out, "Notes:\n");
    for (size_t i = 0; i < s->note_count; i++) {
        fputs("  ", r->out);
        put_esc(r->out, s->notes[i]);
        fputc('\n', r->out);
    }
    if (s->error_count == 0)
        return;
    fprintf(r->out, "Errors:\n");
    for (size_t i = 0; i < s->error_count; i++) {
        fputs("  ", r->out);
        put_esc(r->out, s->errors[i].path);
        fputs(": ", r->out);
        put_esc(r->out, s->errors[i].message);
        fputc('\n', r->out);
    }
    if (s->errors_omitted)
        fprintf(r->out, "  (%" PRIu64 " more errors not listed)\n",
                s->errors_omitted);
}

/* Writes untrusted text escaped and wrapped at width columns (counted in
 * bytes of the escaped text), each line after the first indented. */
static void put_wrapped(FILE *out, const char *s, int indent, size_t width)
{
    size_t len = s ? strlen(s) : 0;
    size_t need = exh_escape_text(s ? s : "", len, NULL, 0);
    char *text = malloc(need + 1);
    if (!text)
        return;
    exh_escape_text(s ? s : "", len, text, need + 1);
    size_t col = 0;
    for (char *p = text; *p;) {
        char *sp = strchr(p, ' ');
        size_t w = sp ? (size_t)(sp - p) : strlen(p);
        if (col && col + 1 + w > width) {
            fprintf(out, "\n%*s", indent, "");
            col = 0;
        } else if (col) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += w;
        p += w;
        while (*p == ' ')
            p++;
    }
    free(text);
}

/* The incidents in plain sentences, right after the verdicts. */
static void put_incidents(report_text *r, const exh_summary *s)
{
    if (!s->incident_count)
        return;
    fprintf(r->out, "\n%sWhat happened%s (%zu incident%s)\n", paint(r, C_BOLD),
            paint(r, C_RESET), s->incident_count,
            s->incident_count == 1 ? "" : "s");
    for (size_t i = 0; i < s->incident_count; i++) {
        const exh_incident *in = &s->incidents[i];
        fputs("  ", r->out);
        put_esc(r->out, in->id);
        fputs("  ", r->out);
        put_list(r->out, in->stages, in->stage_count, " \xe2\x86\x92 ");
        fputs("\n      ", r->out);
        put_wrapped(r->out, in->story, 6, 90);
        fputc('\n', r->out);
        fputs("      findings: ", r->out);
        size_t n = in->finding_count > 12 ? 12 : in->finding_count;
        put_list(r->out, in->findings, n, ", ");
        if (n < in->finding_count)
            fprintf(r->out, " and %zu more", in->finding_count - n);
        fputc('\n', r->out);
    }
}

#define PIVOT_SHOWN 15 /* values per list; the JSON lines hold all */

/* The attacker pivot: what to block, reset and remove. */
static void put_pivot(report_text *r, const exh_summary *s)
{
    static const char *const names[EXH_PIVOT__COUNT] = {"Addresses", "Accounts",
                                                        "User agents", "Files"};
    size_t total = 0;
    for (int l = 0; l < EXH_PIVOT__COUNT; l++)
        total += s->pivot_count[l];
    if (!total)
        return;
    fprintf(r->out, "\n%sAttacker pivot%s\n", paint(r, C_BOLD),
            paint(r, C_RESET));
    for (int l = 0; l < EXH_PIVOT__COUNT; l++) {
        if (!s->pivot_count[l])
            continue;
        fprintf(r->out, "  %s\n", names[l]);
        size_t n =
            s->pivot_count[l] > PIVOT_SHOWN ? PIVOT_SHOWN : s->pivot_count[l];
        for (size_t i = 0; i < n; i++) {
            const exh_pivot_item *it = &s->pivot[l][i];
            fputs("      ", r->out);
            put_value(r->out, it->value, it->value ? strlen(it->value) : 0);
            fprintf(r->out, "  (%" PRIu64 " record%s, %s \xe2\x86\x92 %s)",
                    it->count, it->count == 1 ? "" : "s",
                    it->first ? it->first : "-", it->last ? it->last : "-");
            // An address an IOC list holds: the lists that name it.
            for (size_t k = 0; k < it->ioc_count; k++) {
                fputs(k                   ? ", "
                      : it->ioc_count > 1 ? "  [IOC lists "
                                          : "  [IOC list ",
                      r->out);
                report_text_put_escaped(r->out, it->ioc[k],
                                        it->ioc[k] ? strlen(it->ioc[k]) : 0,
                                        EVIDENCE_MAX_BYTES);
            }
            fputs(it->ioc_count ? "]\n" : "\n", r->out);
        }
        if (n < s->pivot_count[l])
            fprintf(r->out, "      and %zu more (see -f jsonl)\n",
                    s->pivot_count[l] - n);
    }
}

static void put_header(report_text *r, const exh_summary *s)
{
    if (r->units++)
        fputc('\n', r->out);
    fprintf(r->out, "%sTarget ", paint(r, C_BOLD));
    put_esc(r->out, s->target);
    fputs("  \xc2\xb7  unit ", r->out);
    put_esc(r->out, s->unit ? s->unit : ".");
    fputs("  \xc2\xb7  host ", r->out);
    put_esc(r->out, s->host ? s->host : "unknown");
    fprintf(r->out, "%s\n\n", paint(r, C_RESET));
}

bool report_text_summary(report_text *r, const exh_summary *s)
{
    bool ok = true;
    uint64_t shown = 0;

    if (r->quiet) {
        put_quiet(r, s);
    } else {
        put_header(r, s);
        put_verdict(r, "Vulnerable:", s->vulnerable, s->reason_vulnerable);
        put_verdict(r, "Exploited:", s->exploited, s->reason_exploited);
        put_verdict(r, "Backdoored:", s->backdoored, s->reason_backdoored);
        put_incidents(r, s);
        put_pivot(r, s);
        for (int sev = 0; sev < SEVERITY_COUNT; sev++)
            shown += r->shown[sev];
        if (shown == 0 && r->hidden == 0)
            fputs("\nNo findings.\n", r->out);
        ok = flush_pending(r);
        if (r->hidden)
            fprintf(r->out,
                    "\n%" PRIu64 " lower-severity finding%s not shown "
                    "(--min-severity %s)\n",
                    r->hidden, r->hidden == 1 ? "" : "s",
                    exh_severity_name(r->min_severity));
        put_build_timeline(r, s);
        put_coverage(r, s);
        put_counts(r, s);
    }
    memset(r->shown, 0, sizeof(r->shown));
    r->hidden = 0;
    return ok && !ferror(r->out);
}

bool report_text_end_target(report_text *r)
{
    uint64_t shown = 0;
    for (int sev = 0; sev < SEVERITY_COUNT; sev++)
        shown += r->shown[sev];
    if (shown == 0 || r->quiet) {
        memset(r->shown, 0, sizeof(r->shown));
        r->hidden = 0;
        return true;
    }
    // Findings without a summary: the scan stopped inside a unit.
    fputs("\nFindings of a unit whose scan did not finish:\n", r->out);
    bool ok = flush_pending(r);
    memset(r->shown, 0, sizeof(r->shown));
    r->hidden = 0;
    return ok && !ferror(r->out);
}

void report_text_free(report_text *r)
{
    if (!r)
        return;
    for (int sev = 0; sev < SEVERITY_COUNT; sev++) {
        if (r->pending[sev])
            fclose(r->pending[sev]);
        free(r->pending_text[sev]);
    }
    free(r);
}

/* Escaped copy of s for the rules table (caller frees), or NULL. */
static char *esc_dup(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    size_t need = exh_escape_text(s ? s : "", len, NULL, 0);
    char *copy = malloc(need + 1);
    if (copy)
        exh_escape_text(s ? s : "", len, copy, need + 1);
    return copy;
}

/* Width of a column: at least min, at most max. */
static void widen(int *width, size_t len, int max)
{
    if (len > (size_t)max)
        len = (size_t)max;
    if ((int)len > *width)
        *width = (int)len;
}

/* Column widths of the rules table, capped so a long name cannot push the
 * table off the screen. */
/* Rule i of the listing: the log rules, then the YARA rules. */
static bool list_checks; /* rules list: the built-in checks too */

static exh_status listed_rule(const exh_ruleset *rules, size_t i,
                              exh_rule_info *info)
{
    size_t n = exh_ruleset_count(rules), y = exh_ruleset_yara_count(rules);
    return i < n       ? exh_ruleset_rule(rules, i, info)
           : i < n + y ? exh_ruleset_yara_rule(rules, i - n, info)
                       : exh_check_info(i - n - y, info);
}

static size_t listed_count(const exh_ruleset *rules)
{
    return exh_ruleset_count(rules) + exh_ruleset_yara_count(rules) +
           (list_checks ? exh_check_count() : 0);
}

static void rules_widths(const exh_ruleset *rules, int *name_w, int *log_w,
                         int *cve_w)
{
    *name_w = 4;
    *log_w = 9;
    *cve_w = 3;
    for (size_t i = 0; i < listed_count(rules); i++) {
        exh_rule_info info;
        if (listed_rule(rules, i, &info) != EXH_OK)
            continue;
        size_t cves = info.cve_count ? info.cve_count - 1 : 1;
        for (size_t c = 0; c < info.cve_count; c++)
            cves += info.cve[c] ? strlen(info.cve[c]) : 0;
        widen(name_w, info.name ? strlen(info.name) : 0, 48);
        widen(log_w, info.logsource ? strlen(info.logsource) : 0, 32);
        widen(cve_w, cves, 48);
    }
}

bool report_text_rules(FILE *out, const exh_ruleset *rules, bool checks)
{
    int name_w, log_w, cves_w;
    list_checks = checks;
    size_t count = listed_count(rules);

    rules_widths(rules, &name_w, &log_w, &cves_w);
    fprintf(out, "%-*s  %-8s  %-17s  %-*s  %-*s  %s\n", name_w, "NAME",
            "SEVERITY", "CATEGORY", log_w, "LOGSOURCE", cves_w, "CVE",
            "SOURCE");
    for (size_t i = 0; i < count; i++) {
        exh_rule_info info;
        if (listed_rule(rules, i, &info) != EXH_OK)
            continue;
        char *name = esc_dup(info.name);
        char *log = esc_dup(info.logsource ? info.logsource : "-");
        char *source = esc_dup(info.source);
        const char *cat = exh_category_name(info.category);
        fprintf(out, "%-*s  %-8s  %-17s  %-*s  ", name_w, name ? name : "",
                exh_severity_name(info.severity), cat ? cat : "-", log_w,
                log ? log : "");
        int cve_w = 0;
        for (size_t c = 0; c < info.cve_count; c++) {
            cve_w += fprintf(out, "%s", c ? "," : "");
            char *cve = esc_dup(info.cve[c]);
            cve_w += fprintf(out, "%s", cve ? cve : "");
            free(cve);
        }
        if (info.cve_count == 0)
            cve_w = fprintf(out, "-");
        fprintf(out, "%*s  %s%s\n", cve_w < cves_w ? cves_w - cve_w : 0, "",
                source ? source : "",
                info.has_reader ? "" : "  (no reader yet)");
        free(name);
        free(log);
        free(source);
    }
    size_t iocs =
        exh_ruleset_file_rule_count(rules) - exh_ruleset_yara_count(rules);
    if (iocs)
        fprintf(out,
                "%zu rules (and %zu hash and file-name IOC entries, not "
                "listed)\n",
                count, iocs);
    else
        fprintf(out, "%zu rules\n", count);
    return !ferror(out);
}
