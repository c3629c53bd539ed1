/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - the JSON lines writer (schema 1) and the terminal text escaper.
 *
 * Everything written is valid UTF-8 whatever the input: a byte that does not
 * start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) is written as the text \xNN, which in
 * JSON source reads "\\xNN". Objects are built in a bounded buffer and
 * written with one fwrite, so a line is never split between two writers.
 * Key order is fixed: it is the order of docs/output.md.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Upper bound of one JSON line; evidence values are bounded by the readers,
 * so this is only reached by a broken caller. */
#define JSON_MAX_LINE_BYTES (64u * 1024 * 1024)

static const char hex_digits[] = "0123456789ABCDEF";

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the
 * byte at s does not start one within len bytes (Unicode Table 3-7).
 */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; // bounds of the second byte

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; // overlong below U+0800
        else if (c == 0xED)
            hi = 0x9F; // surrogates U+D800..U+DFFF
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; // overlong below U+10000
        else if (c == 0xF4)
            hi = 0x8F; // above U+10FFFF
    } else {
        return 0;
    }
    if (len < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return need;
}

exh_status json_string(buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; // run: start of bytes copied as they are
    char esc[8];
    exh_status st;

    EXH_TRY(buf_putc(b, '"'));
    while (i < len) {
        unsigned char c = p[i];
        size_t n = (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
                       ? 1
                       : (c >= 0x80 ? utf8_seq_len(p + i, len - i) : 0);
        if (n > 0) {
            i += n;
            continue;
        }
        // c needs an escape: flush the run first.
        EXH_TRY(buf_append(b, p + run, i - run));
        size_t elen;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : (c == '\r' ? 'r' : 't');
            elen = 2;
        } else if (c < 0x80) { // other C0 controls and DEL
            memcpy(esc, "\\u00", 4);
            esc[4] = hex_digits[c >> 4];
            esc[5] = hex_digits[c & 0xF];
            elen = 6;
        } else { // a byte that is not UTF-8: the text \xNN
            memcpy(esc, "\\\\x", 3);
            esc[3] = hex_digits[c >> 4];
            esc[4] = hex_digits[c & 0xF];
            elen = 5;
        }
        EXH_TRY(buf_append(b, esc, elen));
        i++;
        run = i;
    }
    st = buf_append(b, p + run, i - run);
    if (st != EXH_OK)
        return st;
    return buf_putc(b, '"');
}

/* A NUL-terminated string, or null when s is NULL. */
static exh_status json_str_or_null(buf *b, const char *s)
{
    if (!s)
        return buf_puts(b, "null");
    return json_string(b, s, strlen(s));
}

/* A required string: "" when a broken caller passes NULL. */
static exh_status json_str(buf *b, const char *s)
{
    return json_string(b, s ? s : "", s ? strlen(s) : 0);
}

/* ,"key": (the keys are ours: plain ASCII). */
static exh_status json_key(buf *b, const char *key)
{
    return buf_printf(b, ",\"%s\":", key);
}

static exh_status json_str_array(buf *b, const char *const *items, size_t count)
{
    EXH_TRY(buf_putc(b, '['));
    for (size_t i = 0; i < count; i++) {
        if (i)
            EXH_TRY(buf_putc(b, ','));
        EXH_TRY(json_str(b, items[i]));
    }
    return buf_putc(b, ']');
}

/* Writes the buffered line with one fwrite. */
static exh_status json_flush(buf *b, FILE *out)
{
    if (b->toobig)
        return EXH_ERR_LIMIT;
    EXH_TRY(buf_putc(b, '\n'));
    if (fwrite(b->data, 1, b->len, out) != b->len)
        return EXH_ERR_IO;
    return EXH_OK;
}

static exh_status json_source(buf *b, const exh_finding *f)
{
    EXH_TRY(buf_puts(b, ",\"source\":{\"type\":"));
    EXH_TRY(json_str(b, f->source_type));
    EXH_TRY(json_key(b, "path"));
    EXH_TRY(json_str(b, f->source_path));
    if (f->line > 0)
        EXH_TRY(buf_printf(b, ",\"line\":%" PRIu64, f->line));
    if (f->record > 0)
        EXH_TRY(buf_printf(b, ",\"record\":%" PRIu64, f->record));
    if (f->source_url) {
        EXH_TRY(json_key(b, "url"));
        EXH_TRY(json_str(b, f->source_url));
    }
    EXH_TRY(json_key(b, "windows_path"));
    EXH_TRY(json_str_or_null(b, f->windows_path));
    return buf_putc(b, '}');
}

static exh_status json_evidence(buf *b, const exh_finding *f)
{
    EXH_TRY(buf_puts(b, ",\"evidence\":{"));
    for (size_t i = 0; i < f->evidence_count; i++) {
        const exh_kv *kv = &f->evidence[i];
        if (i)
            EXH_TRY(buf_putc(b, ','));
        EXH_TRY(json_str(b, kv->key));
        EXH_TRY(buf_putc(b, ':'));
        EXH_TRY(json_string(b, kv->value ? kv->value : "",
                            kv->value ? kv->value_len : 0));
    }
    if (f->last_time) {
        if (f->evidence_count)
            EXH_TRY(buf_putc(b, ','));
        EXH_TRY(buf_puts(b, "\"last_time\":"));
        EXH_TRY(json_str(b, f->last_time));
    }
    return buf_putc(b, '}');
}

static exh_status json_file(buf *b, const exh_file_info *file)
{
    EXH_TRY(buf_puts(b, ",\"file\":{\"sha256\":"));
    EXH_TRY(json_str_or_null(b, file->sha256));
    EXH_TRY(buf_printf(b, ",\"size\":%" PRIu64, file->size));
    EXH_TRY(json_key(b, "modified"));
    EXH_TRY(json_str_or_null(b, file->modified));
    EXH_TRY(json_key(b, "created"));
    EXH_TRY(json_str_or_null(b, file->created));
    EXH_TRY(json_key(b, "time_source"));
    EXH_TRY(json_str_or_null(b, file->time_source));
    if (file->ntfs) {
        static const char *const names[8] = {
            "si_created", "si_modified", "si_changed", "si_accessed",
            "fn_created", "fn_modified", "fn_changed", "fn_accessed"};
        EXH_TRY(buf_puts(b, ",\"times\":{"));
        for (size_t i = 0; i < 8; i++) {
            if (i)
                EXH_TRY(buf_putc(b, ','));
            EXH_TRY(json_str(b, names[i]));
            EXH_TRY(buf_putc(b, ':'));
            EXH_TRY(json_str_or_null(b, file->times[i]));
        }
        EXH_TRY(buf_putc(b, '}'));
        EXH_TRY(json_key(b, "owner"));
        EXH_TRY(json_str_or_null(b, file->owner));
        EXH_TRY(json_key(b, "owner_name"));
        EXH_TRY(json_str_or_null(b, file->owner_name));
        EXH_TRY(
            buf_printf(b, ",\"deleted\":%s", file->deleted ? "true" : "false"));
        EXH_TRY(json_key(b, "stream"));
        EXH_TRY(json_str_or_null(b, file->stream));
    }
    if (file->snapshot) { // read from a volume shadow copy
        EXH_TRY(json_key(b, "snapshot"));
        EXH_TRY(json_str(b, file->snapshot));
    }
    return buf_putc(b, '}');
}

/* The finding's fields up to "count", in schema order. */
static exh_status json_finding_head(buf *b, const exh_finding *f)
{
    const char *sev = exh_severity_name(f->severity);
    const char *cat = exh_category_name(f->category);

    EXH_TRY(buf_printf(
        b, "{\"schema\":%d,\"kind\":\"finding\",\"id\":", EXH_SCHEMA_VERSION));
    EXH_TRY(json_str(b, f->id));
    EXH_TRY(json_key(b, "target"));
    EXH_TRY(json_str(b, f->target));
    EXH_TRY(json_key(b, "unit"));
    EXH_TRY(json_str(b, f->unit));
    EXH_TRY(json_key(b, "host"));
    EXH_TRY(json_str_or_null(b, f->host));
    EXH_TRY(json_key(b, "rule"));
    EXH_TRY(json_str(b, f->rule));
    EXH_TRY(json_key(b, "rule_id"));
    EXH_TRY(json_str_or_null(b, f->rule_id));
    EXH_TRY(json_key(b, "rule_source"));
    EXH_TRY(json_str(b, f->rule_source));
    EXH_TRY(json_key(b, "rule_author"));
    EXH_TRY(json_str_or_null(b, f->rule_author));
    EXH_TRY(json_key(b, "title"));
    EXH_TRY(json_str(b, f->title));
    EXH_TRY(json_key(b, "severity"));
    EXH_TRY(json_str(b, sev ? sev : "info"));
    EXH_TRY(json_key(b, "category"));
    EXH_TRY(json_str(b, cat ? cat : "suspicious"));
    EXH_TRY(json_key(b, "cve"));
    EXH_TRY(json_str_array(b, f->cve, f->cve_count));
    EXH_TRY(json_key(b, "attack"));
    EXH_TRY(json_str_array(b, f->attack, f->attack_count));
    EXH_TRY(json_key(b, "time"));
    EXH_TRY(json_str_or_null(b, f->time));
    return buf_printf(b, ",\"count\":%" PRIu64, f->count ? f->count : 1);
}

static exh_status json_finding(buf *b, const exh_finding *f)
{
    EXH_TRY(json_finding_head(b, f));
    EXH_TRY(json_source(b, f));
    EXH_TRY(json_evidence(b, f));
    if (f->file)
        EXH_TRY(json_file(b, f->file));
    EXH_TRY(json_key(b, "seen_in"));
    EXH_TRY(json_str_array(b, f->seen_in, f->seen_in_count));
    EXH_TRY(json_key(b, "related"));
    EXH_TRY(json_str_array(b, f->related, f->related_count));
    return buf_putc(b, '}');
}

exh_status exh_finding_write_json(const exh_finding *f, FILE *out)
{
    buf b;
    exh_status st;

    if (!f || !out)
        return EXH_ERR_INVALID_ARG;
    buf_init(&b, JSON_MAX_LINE_BYTES);
    st = json_finding(&b, f);
    if (st == EXH_OK)
        st = json_flush(&b, out);
    buf_free(&b);
    return st;
}

static exh_status json_verdict(buf *b, const exh_summary *s)
{
    EXH_TRY(buf_puts(b, ",\"verdict\":{\"vulnerable\":"));
    EXH_TRY(json_str(b, s->vulnerable ? s->vulnerable : "unknown"));
    EXH_TRY(json_key(b, "exploited"));
    EXH_TRY(json_str(b, s->exploited ? s->exploited : "unknown"));
    EXH_TRY(json_key(b, "backdoored"));
    EXH_TRY(json_str(b, s->backdoored ? s->backdoored : "unknown"));
    EXH_TRY(buf_puts(b, ",\"reasons\":{\"vulnerable\":"));
    EXH_TRY(json_str(b, s->reason_vulnerable));
    EXH_TRY(json_key(b, "exploited"));
    EXH_TRY(json_str(b, s->reason_exploited));
    EXH_TRY(json_key(b, "backdoored"));
    EXH_TRY(json_str(b, s->reason_backdoored));
    return buf_puts(b, "}}");
}

static exh_status json_coverage_one(buf *b, const exh_coverage *c)
{
    EXH_TRY(buf_puts(b, "{\"family\":"));
    EXH_TRY(json_str(b, c->family));
    EXH_TRY(buf_printf(b, ",\"files\":%" PRIu64 ",\"records\":%" PRIu64,
                       c->files, c->records));
    EXH_TRY(json_key(b, "first"));
    EXH_TRY(json_str_or_null(b, c->first));
    EXH_TRY(json_key(b, "last"));
    EXH_TRY(json_str_or_null(b, c->last));
    EXH_TRY(buf_puts(b, ",\"gaps\":["));
    for (size_t i = 0; i < c->gap_count; i++) {
        EXH_TRY(buf_puts(b, i ? ",{\"from\":" : "{\"from\":"));
        EXH_TRY(json_str(b, c->gaps[i].from));
        EXH_TRY(json_key(b, "to"));
        EXH_TRY(json_str(b, c->gaps[i].to));
        if (c->gaps[i].reason) {
            EXH_TRY(json_key(b, "reason"));
            EXH_TRY(json_str(b, c->gaps[i].reason));
            if (c->gaps[i].from_record)
                EXH_TRY(buf_printf(b, ",\"from_record\":%" PRIu64,
                                   c->gaps[i].from_record));
            // A deleted log's gap names no record.
            if (c->gaps[i].from_record || c->gaps[i].to_record ||
                strcmp(c->gaps[i].reason, "deleted") != 0)
                EXH_TRY(buf_printf(b, ",\"to_record\":%" PRIu64,
                                   c->gaps[i].to_record));
        }
        EXH_TRY(buf_putc(b, '}'));
    }
    EXH_TRY(buf_putc(b, ']'));
    EXH_TRY(json_key(b, "warnings"));
    EXH_TRY(json_str_array(b, c->warnings, c->warning_count));
    return buf_putc(b, '}');
}

static exh_status json_counts(buf *b, const exh_summary *s)
{
    EXH_TRY(buf_printf(
        b,
        ",\"counts\":{\"entries\":%" PRIu64 ",\"scanned\":%" PRIu64
        ",\"skipped\":%" PRIu64 ",\"unreadable\":%" PRIu64
        ",\"suppressed\":%" PRIu64 ",\"bad_records\":%" PRIu64
        ",\"outside_window\":%" PRIu64 ",\"records\":%" PRIu64
        ",\"prefilter_passed\":%" PRIu64,
        s->entries, s->scanned, s->skipped, s->unreadable, s->suppressed,
        s->bad_records, s->outside_window, s->records, s->prefilter_passed));
    return buf_printf(b,
                      ",\"findings\":{\"critical\":%" PRIu64
                      ",\"high\":%" PRIu64 ",\"medium\":%" PRIu64
                      ",\"low\":%" PRIu64 ",\"info\":%" PRIu64 "}}",
                      s->findings[EXH_SEV_CRITICAL], s->findings[EXH_SEV_HIGH],
                      s->findings[EXH_SEV_MEDIUM], s->findings[EXH_SEV_LOW],
                      s->findings[EXH_SEV_INFO]);
}

/* "build": the installed build with its open CVEs and the mitigations in
 * place, or null. */
static exh_status json_build(buf *b, const exh_summary *s)
{
    const exh_build_info *i = s->build;
    if (!i)
        return buf_puts(b, ",\"build\":null");
    EXH_TRY(buf_puts(b, ",\"build\":{\"version\":"));
    EXH_TRY(json_str(b, i->version));
    EXH_TRY(json_key(b, "product"));
    EXH_TRY(json_str_or_null(b, i->product));
    EXH_TRY(json_key(b, "update"));
    EXH_TRY(json_str_or_null(b, i->update));
    EXH_TRY(json_key(b, "source"));
    EXH_TRY(json_str_or_null(b, s->build_source));
    EXH_TRY(buf_printf(b, ",\"listed\":%s,\"cu_only\":%s",
                       i->exact ? "true" : "false",
                       i->cu_only ? "true" : "false"));
    EXH_TRY(json_key(b, "placement"));
    EXH_TRY(json_str_or_null(b, i->placement));
    EXH_TRY(json_key(b, "open_cve"));
    EXH_TRY(json_str_array(b, i->open_cve, i->open_count));
    EXH_TRY(json_key(b, "fixed_cve"));
    EXH_TRY(json_str_array(b, i->fixed_cve, i->fixed_count));
    EXH_TRY(json_key(b, "mitigations"));
    EXH_TRY(json_str_array(b, s->mitigations, s->mitigation_count));
    EXH_TRY(json_build_steps(b, s->build_timeline, s->build_timeline_count));
    return buf_putc(b, '}');
}

exh_status json_build_steps(buf *b, const exh_build_step *steps, size_t count)
{
    EXH_TRY(json_key(b, "timeline"));
    EXH_TRY(buf_putc(b, '['));
    for (size_t k = 0; k < count; k++) {
        const exh_build_step *t = &steps[k];
        EXH_TRY(buf_puts(b, k ? ",{\"version\":" : "{\"version\":"));
        EXH_TRY(json_str(b, t->version));
        EXH_TRY(json_key(b, "first"));
        EXH_TRY(json_str_or_null(b, t->first));
        EXH_TRY(json_key(b, "last"));
        EXH_TRY(json_str_or_null(b, t->last));
        EXH_TRY(json_key(b, "source"));
        EXH_TRY(json_str_or_null(b, t->source));
        EXH_TRY(json_key(b, "path"));
        EXH_TRY(json_str_or_null(b, t->path));
        EXH_TRY(json_key(b, "sources"));
        EXH_TRY(json_str_array(b, t->sources, t->source_count));
        EXH_TRY(buf_putc(b, '}'));
    }
    return buf_putc(b, ']');
}

/* "incidents": the unit's attack stories (correlate.c). */
static exh_status json_incidents(buf *b, const exh_summary *s)
{
    EXH_TRY(buf_puts(b, ",\"incidents\":["));
    for (size_t i = 0; i < s->incident_count; i++) {
        const exh_incident *in = &s->incidents[i];
        EXH_TRY(buf_puts(b, i ? ",{\"id\":" : "{\"id\":"));
        EXH_TRY(json_str(b, in->id));
        EXH_TRY(json_key(b, "start"));
        EXH_TRY(json_str_or_null(b, in->start));
        EXH_TRY(json_key(b, "end"));
        EXH_TRY(json_str_or_null(b, in->end));
        EXH_TRY(json_key(b, "stages"));
        EXH_TRY(json_str_array(b, in->stages, in->stage_count));
        EXH_TRY(json_key(b, "findings"));
        EXH_TRY(json_str_array(b, in->findings, in->finding_count));
        EXH_TRY(json_key(b, "story"));
        EXH_TRY(json_str(b, in->story));
        EXH_TRY(buf_putc(b, '}'));
    }
    return buf_putc(b, ']');
}

/* "pivot": addresses, accounts, user agents and files, each with where
 * they were seen; an address an IOC list holds names the list ("ioc"). */
static exh_status json_pivot(buf *b, const exh_summary *s)
{
    static const char *const names[EXH_PIVOT__COUNT] = {"addresses", "accounts",
                                                        "user_agents", "files"};
    EXH_TRY(buf_puts(b, ",\"pivot\":{"));
    for (int l = 0; l < EXH_PIVOT__COUNT; l++) {
        EXH_TRY(buf_printf(b, "%s\"%s\":[", l ? "," : "", names[l]));
        for (size_t i = 0; i < s->pivot_count[l]; i++) {
            const exh_pivot_item *it = &s->pivot[l][i];
            EXH_TRY(buf_puts(b, i ? ",{\"value\":" : "{\"value\":"));
            EXH_TRY(json_str(b, it->value));
            EXH_TRY(json_key(b, "first"));
            EXH_TRY(json_str_or_null(b, it->first));
            EXH_TRY(json_key(b, "last"));
            EXH_TRY(json_str_or_null(b, it->last));
            EXH_TRY(buf_printf(b, ",\"count\":%" PRIu64, it->count));
            EXH_TRY(json_key(b, "findings"));
            EXH_TRY(json_str_array(b, it->findings, it->finding_count));
            if (it->ioc_count) {
                EXH_TRY(json_key(b, "ioc"));
                EXH_TRY(json_str_array(b, it->ioc, it->ioc_count));
            }
            EXH_TRY(buf_putc(b, '}'));
        }
        EXH_TRY(buf_putc(b, ']'));
    }
    return buf_putc(b, '}');
}

static exh_status json_summary(buf *b, const exh_summary *s)
{
    EXH_TRY(buf_printf(b, "{\"schema\":%d,\"kind\":\"summary\",\"target\":",
                       EXH_SCHEMA_VERSION));
    EXH_TRY(json_str(b, s->target));
    EXH_TRY(json_key(b, "unit"));
    EXH_TRY(json_str(b, s->unit));
    EXH_TRY(json_key(b, "host"));
    EXH_TRY(json_str_or_null(b, s->host));
    EXH_TRY(json_verdict(b, s));
    EXH_TRY(json_build(b, s));
    EXH_TRY(buf_puts(b, ",\"coverage\":["));
    for (size_t i = 0; i < s->coverage_count; i++) {
        if (i)
            EXH_TRY(buf_putc(b, ','));
        EXH_TRY(json_coverage_one(b, &s->coverage[i]));
    }
    EXH_TRY(buf_putc(b, ']'));
    EXH_TRY(json_counts(b, s));
    EXH_TRY(json_incidents(b, s));
    EXH_TRY(json_pivot(b, s));
    EXH_TRY(buf_puts(b, ",\"errors\":["));
    for (size_t i = 0; i < s->error_count; i++) {
        EXH_TRY(buf_puts(b, i ? ",{\"path\":" : "{\"path\":"));
        EXH_TRY(json_str(b, s->errors[i].path));
        EXH_TRY(json_key(b, "message"));
        EXH_TRY(json_str(b, s->errors[i].message));
        EXH_TRY(buf_putc(b, '}'));
    }
    EXH_TRY(buf_printf(b, "],\"errors_omitted\":%" PRIu64, s->errors_omitted));
    if (s->note_count) { // --shadows: what the volumes hold
        EXH_TRY(json_key(b, "notes"));
        EXH_TRY(json_str_array(b, s->notes, s->note_count));
    }
    return buf_putc(b, '}');
}

exh_status exh_summary_write_json(const exh_summary *s, FILE *out)
{
    buf b;
    exh_status st;

    if (!s || !out)
        return EXH_ERR_INVALID_ARG;
    buf_init(&b, JSON_MAX_LINE_BYTES);
    st = json_summary(&b, s);
    if (st == EXH_OK)
        st = json_flush(&b, out);
    buf_free(&b);
    return st;
}

/*
 * True when the valid sequence p[0..n) must still be escaped on a terminal:
 * the C1 controls U+0080..U+009F (C2 80..C2 9F), which some terminals obey
 * as escape sequences, and the bidirectional overrides and isolates
 * U+202A..U+202E and U+2066..U+2069, which reorder what is displayed.
 */
static bool escape_is_hidden(const unsigned char *p, size_t n)
{
    if (n == 2)
        return p[0] == 0xC2 && p[1] <= 0x9F;
    if (n == 3 && p[0] == 0xE2 && p[1] == 0x80)
        return p[2] >= 0xAA && p[2] <= 0xAE;
    if (n == 3 && p[0] == 0xE2 && p[1] == 0x81)
        return p[2] >= 0xA6 && p[2] <= 0xA9;
    return false;
}

size_t json_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len <= max)
        return len;
    // A lead byte is never a continuation byte: a sequence that starts in
    // the last three bytes before max is one json_string() would see.
    for (size_t back = 1; back <= 3 && back <= max; back++) {
        if (utf8_seq_len(p + max - back, len - (max - back)) > back)
            return max - back;
    }
    return max;
}

/* Output of exh_escape_text: units (a character or an escape) are written
 * whole or not at all, so a cut result is still valid UTF-8. */
typedef struct escape_out {
    char *out;
    size_t size; /* bytes of out, including the NUL */
    size_t used; /* bytes the full escape needs so far */
    bool full;   /* a unit did not fit: write nothing more */
} escape_out;

static void escape_put(escape_out *e, const void *p, size_t len)
{
    if (!e->full && e->out && e->used + len < e->size)
        memcpy(e->out + e->used, p, len);
    else
        e->full = true;
    e->used += len;
}

static void escape_hex(escape_out *e, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char esc[4] = {'\\', 'x', hex_digits[p[i] >> 4],
                       hex_digits[p[i] & 0xF]};
        escape_put(e, esc, 4);
    }
}

/* True when the bytes at p would be escaped themselves, or begin with a
 * backslash or 'x': a backslash before them must be doubled to read
 * unambiguously. */
static bool backslash_ambiguous(const unsigned char *p, size_t left)
{
    if (left == 0)
        return false;
    size_t n = utf8_seq_len(p, left);
    return p[0] == '\\' || p[0] == 'x' || n == 0 || p[0] < 0x20 ||
           p[0] == 0x7F || escape_is_hidden(p, n);
}

size_t exh_escape_text(const char *in, size_t in_len, char *out,
                       size_t out_size)
{
    const unsigned char *p = (const unsigned char *)in;
    escape_out e = {out_size ? out : NULL, out_size, 0, false};
    size_t i = 0, written = 0;

    while (in && i < in_len) {
        unsigned char c = p[i];
        size_t n = utf8_seq_len(p + i, in_len - i);
        if (c == '\\') {
            // A Windows path keeps its single backslashes; one that could
            // start an escape (before a backslash, an 'x' or an escaped
            // byte) is doubled.
            if (backslash_ambiguous(p + i + 1, in_len - i - 1))
                escape_put(&e, "\\\\", 2);
            else
                escape_put(&e, "\\", 1);
            i++;
        } else if (n == 0 || c < 0x20 || c == 0x7F) {
            escape_hex(&e, p + i, 1);
            i++;
        } else if (escape_is_hidden(p + i, n)) {
            escape_hex(&e, p + i, n);
            i += n;
        } else {
            escape_put(&e, p + i, n);
            i += n;
        }
        if (!e.full)
            written = e.used;
    }
    if (e.out)
        e.out[written] = '\0';
    return e.used;
}
