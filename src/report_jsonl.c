/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_jsonl.c - JSON lines output (schema 1, docs/output.md).
 *
 * Findings and summaries are written by the library (exh_*_write_json), so
 * the CLI and any other caller emit the same bytes. Only `rules list -f
 * jsonl` is written here: its strings go through exh_escape_text() first,
 * which leaves valid UTF-8 without control characters, so JSON then only
 * needs '"' and '\' escaped.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

bool report_jsonl_finding(FILE *out, exh_severity min_severity,
                          const exh_finding *f)
{
    if (f->severity > min_severity)
        return true;
    return exh_finding_write_json(f, out) == EXH_OK;
}

bool report_jsonl_summary(FILE *out, const exh_summary *s)
{
    return exh_summary_write_json(s, out) == EXH_OK;
}

/* A JSON string of s, or null. */
static void put_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    size_t len = strlen(s);
    size_t need = exh_escape_text(s, len, NULL, 0);
    char *text = malloc(need + 1);
    if (!text) {
        fputs("\"\"", out);
        return;
    }
    exh_escape_text(s, len, text, need + 1);
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        fputc(*p, out);
    }
    fputc('"', out);
    free(text);
}

static void put_key(FILE *out, const char *key, const char *value)
{
    fprintf(out, ",\"%s\":", key);
    put_string(out, value);
}

static void put_array(FILE *out, const char *key, const char *const *items,
                      size_t count)
{
    fprintf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc(',', out);
        put_string(out, items[i]);
    }
    fputc(']', out);
}

bool report_jsonl_rules(FILE *out, const exh_ruleset *rules, bool checks)
{
    size_t n = exh_ruleset_count(rules), y = exh_ruleset_yara_count(rules);
    size_t c = checks ? exh_check_count() : 0;
    for (size_t i = 0; i < n + y + c; i++) {
        exh_rule_info info;
        if ((i < n       ? exh_ruleset_rule(rules, i, &info)
             : i < n + y ? exh_ruleset_yara_rule(rules, i - n, &info)
                         : exh_check_info(i - n - y, &info)) != EXH_OK)
            continue;
        fprintf(out, "{\"schema\":%d,\"kind\":\"rule\"", EXH_SCHEMA_VERSION);
        put_key(out, "name", info.name ? info.name : "");
        put_key(out, "id", info.id);
        put_key(out, "title", info.title ? info.title : "");
        put_key(out, "severity", exh_severity_name(info.severity));
        put_key(out, "category", exh_category_name(info.category));
        put_key(out, "logsource", info.logsource);
        put_array(out, "cve", info.cve, info.cve_count);
        put_array(out, "attack", info.attack, info.attack_count);
        put_key(out, "author", info.author);
        put_key(out, "source", info.source ? info.source : "");
        if (i < n)
            put_array(out, "literals", info.literals, info.literal_count);
        fprintf(out, ",\"has_reader\":%s}\n",
                info.has_reader ? "true" : "false");
    }
    return !ferror(out);
}
