/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_cmd.c - `exhunt report [-f FMT] [-o FILE] FILE.jsonl`: renders
 * saved JSON lines (`scan -f jsonl`) as text, csv, html or jsonl again,
 * without rescanning, through the same writers as scan.
 *
 * Exit status (DESIGN.md): 1 when a finding is at or above --fail-on
 * (default medium); else 3 when the input cannot be read whole (missing,
 * truncated, not exhunt's, of a newer schema: what came before is still
 * rendered and stderr says which line); 2 for a usage error; else 0.
 */
#include "commands.h"
#include "options.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

enum { R_CLEAN = 0, R_FINDINGS = 1, R_USAGE = 2, R_UNREADABLE = 3 };

typedef struct rctx {
    out_format fmt;
    FILE *out;
    exh_severity min_severity, fail_on;
    report_text *text;
    report_csv *csv;
    report_html *html;
    bool fail, write_failed;
    uint64_t open_findings; /* findings since the last summary */
} rctx;

static exh_cb_result on_finding(const exh_finding *f, void *user)
{
    rctx *c = user;
    bool ok = true;
    if (f->severity <= c->fail_on)
        c->fail = true;
    c->open_findings++;
    if (c->text)
        ok = report_text_finding(c->text, f);
    else if (c->csv)
        ok = report_csv_finding(c->csv, f);
    else if (c->html)
        ok = report_html_finding(c->html, f);
    else
        ok = report_jsonl_finding(c->out, c->min_severity, f);
    c->write_failed |= !ok;
    return ok ? EXH_CONTINUE : EXH_STOP;
}

static exh_cb_result on_summary(const exh_summary *s, void *user)
{
    rctx *c = user;
    bool ok = true;
    c->open_findings = 0;
    if (c->text)
        ok = report_text_summary(c->text, s);
    else if (c->csv)
        ok = report_csv_summary(c->csv, s);
    else if (c->html)
        ok = report_html_summary(c->html, s);
    else
        ok = report_jsonl_summary(c->out, s);
    c->write_failed |= !ok;
    return ok ? EXH_CONTINUE : EXH_STOP;
}

int cmd_report(int argc, char **argv)
{
    enum { OPT_MIN = 256, OPT_FAIL };
    static const struct option longs[] = {
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"min-severity", required_argument, 0, OPT_MIN},
        {"fail-on", required_argument, 0, OPT_FAIL},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    rctx c = {.fmt = FORMAT_TEXT,
              .min_severity = EXH_SEV_INFO,
              .fail_on = EXH_SEV_MEDIUM};
    const char *output = NULL;
    int opt;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":f:o:h", longs, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!options_format(optarg, &c.fmt))
                return R_USAGE;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_MIN:
            if (!options_level("--min-severity", optarg, &c.min_severity))
                return R_USAGE;
            break;
        case OPT_FAIL:
            if (!options_level("--fail-on", optarg, &c.fail_on))
                return R_USAGE;
            break;
        case 'h':
            return options_help();
        default:
            options_getopt_error(opt, argv);
            return R_USAGE;
        }
    }
    if (argc - optind != 1) {
        options_usage_error("report needs one file of JSON lines (- for "
                            "standard input)");
        return R_USAGE;
    }
    const char *path = argv[optind];
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!in) {
        fputs("exhunt: cannot read '", stderr);
        report_text_put_escaped(stderr, path, strlen(path), 0);
        fprintf(stderr, "': %s\n", strerror(errno));
        return R_UNREADABLE;
    }
    c.out = stdout;
    if (output && !(c.out = fopen(output, "w"))) {
        fprintf(stderr, "exhunt: cannot write '%s': %s\n", output,
                strerror(errno));
        if (in != stdin)
            fclose(in);
        return R_USAGE;
    }
    if (c.fmt == FORMAT_TEXT)
        c.text = report_text_new(c.out, c.min_severity, false, false);
    else if (c.fmt == FORMAT_CSV)
        c.csv = report_csv_new(c.out, c.min_severity);
    else if (c.fmt == FORMAT_HTML)
        c.html = report_html_new(c.out, c.min_severity);
    char why[256];
    exh_replay_result res;
    exh_status st =
        exh_jsonl_replay(in, on_finding, on_summary, &c, &res, why, sizeof why);
    if (in != stdin)
        fclose(in);
    bool ok = !c.write_failed;
    if (c.text)
        ok = report_text_end_target(c.text) && ok;
    if (c.csv)
        ok = report_csv_finish(c.csv) && ok;
    if (c.html)
        ok = report_html_finish(c.html) && ok;
    report_text_free(c.text);
    report_csv_free(c.csv);
    report_html_free(c.html);
    if (fflush(c.out) != 0 || ferror(c.out))
        ok = false;
    if (c.out != stdout && fclose(c.out) != 0)
        ok = false;
    int status = c.fail ? R_FINDINGS : R_CLEAN;
    if (st != EXH_OK) {
        fputs("exhunt: ", stderr);
        report_text_put_escaped(stderr, path, strlen(path), 0);
        fprintf(stderr, ": %s\n", why[0] ? why : exh_status_str(st));
        status = c.fail ? R_FINDINGS : R_UNREADABLE;
    } else if (c.open_findings) {
        fputs("exhunt: ", stderr);
        report_text_put_escaped(stderr, path, strlen(path), 0);
        fputs(": ends after findings without their unit's summary: the file "
              "is truncated\n",
              stderr);
        status = c.fail ? R_FINDINGS : R_UNREADABLE;
    } else if (res.summaries == 0) {
        fputs("exhunt: ", stderr);
        report_text_put_escaped(stderr, path, strlen(path), 0);
        fputs(": holds no scan summary: not the output of exhunt scan -f "
              "jsonl\n",
              stderr);
        status = c.fail ? R_FINDINGS : R_UNREADABLE;
    }
    if (!ok) {
        fprintf(stderr, "exhunt: cannot write the report: %s\n",
                strerror(errno));
        return R_UNREADABLE;
    }
    return status;
}
