/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h - the report writers of the CLI: report_text.c (what a
 * responder reads on a terminal), report_jsonl.c (JSON lines, schema 1),
 * report_csv.c (a timeline) and report_html.c (a page to hand over).
 *
 * Both receive findings and summaries in the library's order. Functions
 * return false when writing failed (errno tells why).
 */
#ifndef EXH_REPORT_H
#define EXH_REPORT_H

#include "exhunt.h"

#include <stdbool.h>
#include <stdio.h>

/* ---- report_text.c ------------------------------------------------------- */
typedef struct report_text report_text;

/* A text report on out. Findings less severe than min_severity are counted
 * but not shown; quiet prints the verdicts only; color adds ANSI colors.
 * Returns NULL when out of memory. */
report_text *report_text_new(FILE *out, exh_severity min_severity, bool quiet,
                             bool color);
/* Keeps f (rendered) until its unit's summary arrives. */
bool report_text_finding(report_text *r, const exh_finding *f);
/* Prints the unit: header, verdicts, findings by severity, coverage,
 * counts and errors. */
bool report_text_summary(report_text *r, const exh_summary *s);
/* Called after each target: prints findings left without a summary (a
 * scan that stopped inside a unit), so none is lost. */
bool report_text_end_target(report_text *r);
void report_text_free(report_text *r);
/* The `rules list` table; checks: also the built-in checks written in code
 * (exh_check_info), listed after the rules. */
bool report_text_rules(FILE *out, const exh_ruleset *rules, bool checks);

/* ---- report_jsonl.c ------------------------------------------------------ */
/* Writes f when it is at or above min_severity. */
bool report_jsonl_finding(FILE *out, exh_severity min_severity,
                          const exh_finding *f);
bool report_jsonl_summary(FILE *out, const exh_summary *s);
/* `rules list -f jsonl`: one {"schema":1,"kind":"rule",...} per rule. */
bool report_jsonl_rules(FILE *out, const exh_ruleset *rules, bool checks);

/* ---- report_csv.c -------------------------------------------------------- */
/* The timeline: rows are kept and written, sorted by time, by
 * report_csv_finish(). */
typedef struct report_csv report_csv;
report_csv *report_csv_new(FILE *out, exh_severity min_severity);
bool report_csv_finding(report_csv *r, const exh_finding *f);
/* Tags the unit's rows with their incident and adds one row per incident. */
bool report_csv_summary(report_csv *r, const exh_summary *s);
bool report_csv_finish(report_csv *r);
void report_csv_free(report_csv *r);

/* ---- report_html.c ------------------------------------------------------- */
/* One self-contained HTML page: the head now, one section per unit as its
 * summary arrives (findings are kept until then), the script at the end. */
typedef struct report_html report_html;
report_html *report_html_new(FILE *out, exh_severity min_severity);
bool report_html_finding(report_html *r, const exh_finding *f);
bool report_html_summary(report_html *r, const exh_summary *s);
bool report_html_finish(report_html *r);
void report_html_free(report_html *r);

/* ---- text helpers shared by both (report_text.c) ------------------------ */
/* Writes len bytes of untrusted text escaped for a terminal
 * (exh_escape_text); when max_bytes > 0 and the input is longer, writes the
 * first max_bytes (cut at a character boundary) and then "…". */
bool report_text_put_escaped(FILE *out, const char *s, size_t len,
                             size_t max_bytes);

#endif /* EXH_REPORT_H */
