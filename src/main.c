/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the exhunt command: dispatches `scan`, `rules list`, `--help` and
 * `--version`, runs scans through the public API only (include/exhunt.h),
 * draws the progress bar and decides the exit status.
 *
 * Exit statuses are DESIGN.md's and listed in docs/exhunt.1. Messages go to
 * stderr as "exhunt: message"; the report goes to stdout or -o FILE.
 */
#include "commands.h"
#include "exhunt.h"
#include "options.h"
#include "report.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Exit statuses (DESIGN.md, exit status). */
enum exit_status {
    EXIT_CLEAN = 0,     /* no finding at or above --fail-on, all read */
    EXIT_FINDINGS = 1,  /* a finding at or above --fail-on */
    EXIT_USAGE = 2,     /* bad command line, or a command not built yet */
    EXIT_UNREADABLE = 3 /* a target or unit could not be read at all, or
                           the report could not be written */
};

#define PROGRESS_INTERVAL_MS 200 /* at most five redraws a second */

/* State shared by the scan callbacks. */
typedef struct scan_ctx {
    const scan_opts *opts;
    FILE *out;
    report_text *text; /* -f text, else NULL */
    report_csv *csv;   /* -f csv, else NULL */
    report_html *html; /* -f html, else NULL */
    bool fail;         /* a finding at or above --fail-on was seen */
    bool write_failed;
    const char *target; /* the target being scanned */
    char *first_error;  /* first error of the target's summaries */
    pthread_mutex_t progress_lock;
    bool progress_visible; /* a bar is drawn on stderr */
    int64_t progress_last_ms;
} scan_ctx;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Erases the progress bar so that other output starts on a clean line. */
static void progress_clear(scan_ctx *c)
{
    if (c->progress_visible) {
        fputs("\r\033[K", stderr);
        c->progress_visible = false;
    }
}

static void on_progress(uint64_t files_done, uint64_t files_known,
                        uint64_t bytes_done, void *user)
{
    scan_ctx *c = user;
    char bar[21];

    if (pthread_mutex_trylock(&c->progress_lock) != 0)
        return;
    int64_t now = now_ms();
    if (now - c->progress_last_ms >= PROGRESS_INTERVAL_MS) {
        c->progress_last_ms = now;
        unsigned filled =
            files_known ? (unsigned)(20 * files_done / files_known) : 0;
        for (unsigned i = 0; i < 20; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[20] = '\0';
        fprintf(stderr, "\r\033[Kexhunt: [%s] %llu/%llu files, %.1f MiB  ", bar,
                (unsigned long long)files_done, (unsigned long long)files_known,
                (double)bytes_done / (1024.0 * 1024.0));
        report_text_put_escaped(stderr, c->target, strlen(c->target), 40);
        fflush(stderr);
        c->progress_visible = true;
    }
    pthread_mutex_unlock(&c->progress_lock);
}

static exh_cb_result on_finding(const exh_finding *f, void *user)
{
    scan_ctx *c = user;
    bool ok;

    // Exit status counts every finding, printed or not.
    if (f->severity <= c->opts->fail_on)
        c->fail = true;
    if (c->text) {
        ok = report_text_finding(c->text, f);
    } else if (c->csv) {
        ok = report_csv_finding(c->csv, f);
    } else if (c->html) {
        ok = report_html_finding(c->html, f);
    } else {
        if (f->severity <= c->opts->min_severity)
            progress_clear(c);
        ok = report_jsonl_finding(c->out, c->opts->min_severity, f);
    }
    if (!ok) {
        c->write_failed = true;
        return EXH_STOP;
    }
    return EXH_CONTINUE;
}

static exh_cb_result on_summary(const exh_summary *s, void *user)
{
    scan_ctx *c = user;
    bool ok;

    if (!c->first_error && s->error_count > 0 && s->errors[0].message) {
        c->first_error = strdup(s->errors[0].message);
    }
    progress_clear(c);
    if (c->text)
        ok = report_text_summary(c->text, s);
    else if (c->csv)
        ok = report_csv_summary(c->csv, s);
    else if (c->html)
        ok = report_html_summary(c->html, s);
    else
        ok = report_jsonl_summary(c->out, s);
    if (!ok) {
        c->write_failed = true;
        return EXH_STOP;
    }
    return EXH_CONTINUE;
}

/* Prints "exhunt: warning: MESSAGE" for each rule the loader rejected. */
static void print_diag(const exh_diag *diag)
{
    for (size_t i = 0; i < exh_diag_count(diag); i++) {
        const char *msg = exh_diag_message(diag, i);
        fputs("exhunt: warning: ", stderr);
        report_text_put_escaped(stderr, msg, msg ? strlen(msg) : 0, 0);
        fputc('\n', stderr);
    }
}

/* Prints text and a newline with control characters escaped: rule files
 * are as untrusted as evidence. */
static void escaped_line(FILE *out, const char *text)
{
    char small[4096];
    size_t need = exh_escape_text(text, strlen(text), small, sizeof small);
    if (need < sizeof small) {
        fprintf(out, "%s\n", small);
        return;
    }
    char *big = malloc(need + 1);
    if (big) {
        exh_escape_text(text, strlen(text), big, need + 1);
        fprintf(out, "%s\n", big);
        free(big);
    }
}

/* Warns about rules that load but that no reader feeds (their logsource
 * is not read yet): they are never silently skipped. */
static void warn_readerless(const exh_ruleset *rules)
{
    size_t count = exh_ruleset_count(rules), shown = 0, more = 0;
    for (size_t i = 0; i < count; i++) {
        exh_rule_info info;
        if (exh_ruleset_rule(rules, i, &info) != EXH_OK || info.has_reader)
            continue;
        if (shown++ >= 20) {
            more++;
            continue;
        }
        fprintf(stderr,
                "exhunt: warning: %s: no reader for logsource %s yet: the "
                "rule is loaded but not used\n",
                info.source, info.logsource);
    }
    if (more)
        fprintf(stderr,
                "exhunt: warning: %zu more rules have no reader yet "
                "('exhunt rules check DIR' lists them all)\n",
                more);
}

/* Loads the ruleset of the options; prints warnings and errors. Returns
 * NULL after printing a message. */
static exh_ruleset *load_rules(const scan_opts *o)
{
    exh_ruleset *rules = NULL;
    exh_diag *diag = NULL;
    unsigned flags = o->no_builtin_rules ? EXH_LOAD_NO_BUILTIN : 0;

    exh_status st = exh_ruleset_load_with_iocs(
        o->rules, o->rule_count, o->iocs, o->ioc_count, flags, &rules, &diag);
    print_diag(diag);
    exh_diag_free(diag);
    if (st != EXH_OK) {
        fprintf(stderr, "exhunt: cannot load the rules: %s\n",
                exh_status_str(st));
        return NULL;
    }
    if (exh_ruleset_count(rules) == 0 &&
        exh_ruleset_file_rule_count(rules) == 0)
        fputs("exhunt: warning: no rules are loaded\n", stderr);
    warn_readerless(rules);
    return rules;
}

/* True when path lies at or inside dir (both resolved, absolute). */
static bool path_within(const char *path, const char *dir)
{
    size_t len = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(path, dir, len) == 0 &&
           (path[len] == '\0' || path[len] == '/');
}

/* The absolute path output will have: realpath of the file when it exists,
 * else realpath of its folder joined with its name. */
static bool resolve_output(const char *output, char *out, size_t out_size)
{
    char dir_copy[PATH_MAX], base_copy[PATH_MAX], dir_real[PATH_MAX];

    if (realpath(output, out))
        return true;
    if (snprintf(dir_copy, sizeof(dir_copy), "%s", output) >=
            (int)sizeof(dir_copy) ||
        snprintf(base_copy, sizeof(base_copy), "%s", output) >=
            (int)sizeof(base_copy))
        return false;
    if (!realpath(dirname(dir_copy), dir_real))
        return false;
    return snprintf(out, out_size, "%s/%s", dir_real, basename(base_copy)) <
           (int)out_size;
}

/* Refuses an -o FILE that lies inside a target: the scan never writes to
 * the evidence. Returns false after printing a message. */
static bool output_allowed(const scan_opts *o)
{
    char out_real[PATH_MAX], target_real[PATH_MAX];

    if (!o->output)
        return true;
    if (!resolve_output(o->output, out_real, sizeof(out_real)))
        return true; // fopen() reports the real problem
    for (size_t i = 0; i < o->target_count; i++) {
        if (strcmp(o->targets[i], "-") == 0 ||
            !realpath(o->targets[i], target_real))
            continue;
        if (path_within(out_real, target_real)) {
            options_usage_error("refusing to write '%s' inside the evidence "
                                "'%s'",
                                o->output, o->targets[i]);
            return false;
        }
    }
    return true;
}

static void configure(exh_scanner *scanner, const scan_opts *o, scan_ctx *c)
{
    exh_scanner_set_threads(scanner, o->threads);
    if (o->have_since)
        exh_scanner_set_since_ms(scanner, o->since_ms);
    if (o->have_until)
        exh_scanner_set_until_ms(scanner, o->until_ms);
    exh_scanner_set_all_files(scanner, o->all_files);
    exh_scanner_set_deleted(scanner, o->deleted);
    exh_scanner_set_shadows(scanner, o->shadows);
    if (o->max_file_size)
        exh_scanner_set_max_file_size(scanner, o->max_file_size);
    bool progress = o->progress >= 0 ? o->progress == 1
                                     : !o->quiet && isatty(STDERR_FILENO);
    if (progress)
        exh_scanner_set_progress(scanner, on_progress, c);
}

/* Scans one target; returns true when it (and every unit) could be read. */
static bool scan_target(exh_scanner *scanner, scan_ctx *c, const char *target)
{
    exh_scan_result res;
    bool readable = true;

    memset(&res, 0, sizeof(res));
    c->target = target;
    free(c->first_error);
    c->first_error = NULL;
    exh_status st =
        exh_scanner_scan(scanner, target, on_finding, on_summary, c, &res);
    progress_clear(c);
    if (c->text && !report_text_end_target(c->text))
        c->write_failed = true;
    if (st != EXH_OK) {
        fputs("exhunt: ", stderr);
        report_text_put_escaped(stderr, target, strlen(target), 0);
        fprintf(stderr, ": scan failed: %s\n", exh_scanner_errmsg(scanner));
        return false;
    }
    if (res.target_unreadable) {
        fputs("exhunt: cannot read '", stderr);
        report_text_put_escaped(stderr, target, strlen(target), 0);
        fputs("': ", stderr);
        const char *why = c->first_error ? c->first_error : "unreadable";
        report_text_put_escaped(stderr, why, strlen(why), 0);
        fputc('\n', stderr);
        readable = false;
    } else if (res.units_unreadable) {
        fputs("exhunt: ", stderr);
        report_text_put_escaped(stderr, target, strlen(target), 0);
        fprintf(stderr, ": %d unit(s) could not be read\n",
                res.units_unreadable);
        readable = false;
    }
    return readable;
}

/* Opens -o FILE (or stdout) and the report writer. Returns EXIT_CLEAN,
 * EXIT_USAGE (FILE cannot be created) or EXIT_UNREADABLE (no memory). */
static int open_report(const scan_opts *o, scan_ctx *c)
{
    c->out = stdout;
    if (o->output) {
        c->out = fopen(o->output, "w");
        if (!c->out) {
            c->out = stdout;
            fprintf(stderr, "exhunt: cannot write '%s': %s\n", o->output,
                    strerror(errno));
            return EXIT_USAGE;
        }
    }
    if (o->format == FORMAT_TEXT) {
        const char *no_color = getenv("NO_COLOR");
        const char *term = getenv("TERM");
        bool color = !o->output && isatty(STDOUT_FILENO) &&
                     !(no_color && *no_color) &&
                     !(term && strcmp(term, "dumb") == 0);
        c->text = report_text_new(c->out, o->min_severity, o->quiet, color);
        if (!c->text) {
            fputs("exhunt: out of memory\n", stderr);
            return EXIT_UNREADABLE;
        }
    } else if (o->format == FORMAT_CSV) {
        c->csv = report_csv_new(c->out, o->min_severity);
        if (!c->csv) {
            fputs("exhunt: out of memory\n", stderr);
            return EXIT_UNREADABLE;
        }
    } else if (o->format == FORMAT_HTML) {
        c->html = report_html_new(c->out, o->min_severity);
        if (!c->html) {
            fputs("exhunt: out of memory\n", stderr);
            return EXIT_UNREADABLE;
        }
    }
    return EXIT_CLEAN;
}

/* Flushes and closes the report; false when any write failed. */
static bool close_report(const scan_opts *o, scan_ctx *c)
{
    bool ok = !c->write_failed;
    report_text_free(c->text);
    if (c->csv && !report_csv_finish(c->csv))
        ok = false;
    report_csv_free(c->csv);
    if (c->html && !report_html_finish(c->html))
        ok = false;
    report_html_free(c->html);
    if (fflush(c->out) != 0 || ferror(c->out))
        ok = false;
    if (c->out != stdout && fclose(c->out) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "exhunt: cannot write '%s': %s\n",
                o->output ? o->output : "standard output", strerror(errno));
    return ok;
}

static int cmd_scan(int argc, char **argv)
{
    scan_opts o;
    scan_ctx c;
    exh_ruleset *rules = NULL;
    exh_scanner *scanner = NULL;
    int status = EXIT_USAGE;
    bool all_read = true;

    parse_result pr = options_parse_scan(argc, argv, &o);
    if (pr != PARSE_OK)
        return pr == PARSE_DONE ? EXIT_CLEAN : EXIT_USAGE;
    memset(&c, 0, sizeof(c));
    c.opts = &o;
    pthread_mutex_init(&c.progress_lock, NULL);
    if (!output_allowed(&o))
        goto out;
    rules = load_rules(&o);
    if (!rules)
        goto out;
    if (exh_scanner_new(rules, &scanner) != EXH_OK ||
        (o.password && exh_scanner_set_password(scanner, o.password))) {
        fputs("exhunt: out of memory\n", stderr);
        status = EXIT_UNREADABLE;
        goto out;
    }
    configure(scanner, &o, &c);
    status = open_report(&o, &c);
    if (status != EXIT_CLEAN) {
        if (c.out != stdout)
            fclose(c.out);
        goto out;
    }
    for (size_t i = 0; i < o.target_count && !c.write_failed; i++)
        all_read = scan_target(scanner, &c, o.targets[i]) && all_read;
    if (!close_report(&o, &c))
        all_read = false;
    status = c.fail ? EXIT_FINDINGS : all_read ? EXIT_CLEAN : EXIT_UNREADABLE;
out:
    free(c.first_error);
    pthread_mutex_destroy(&c.progress_lock);
    exh_scanner_free(scanner);
    exh_ruleset_free(rules);
    options_free(&o);
    return status;
}

/* `exhunt rules check DIR...`: what loads, what does not and why. One line
 * per rejected file ("FILE:LINE: reason"), one per rule without a reader,
 * one per rule without a pre-filter literal, then the counts. Exit 0 when
 * nothing is rejected, 1 when something is, 2 for a usage error. */
static int cmd_rules_check(int argc, char **argv)
{
    if (argc < 2) {
        options_usage_error("rules check needs one or more folders or files");
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            options_usage_error("unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        }
        if (access(argv[i], R_OK) != 0) {
            fprintf(stderr, "exhunt: cannot read '%s': %s\n", argv[i],
                    strerror(errno));
            return EXIT_USAGE;
        }
    }
    exh_ruleset *rules = NULL;
    exh_diag *diag = NULL;
    exh_status st =
        exh_ruleset_load((const char *const *)(argv + 1), (size_t)argc - 1,
                         EXH_LOAD_NO_BUILTIN, &rules, &diag);
    size_t rejected = exh_diag_count(diag);
    for (size_t i = 0; i < rejected; i++)
        escaped_line(stdout, exh_diag_message(diag, i));
    exh_diag_free(diag);
    if (st != EXH_OK) {
        fprintf(stderr, "exhunt: cannot load the rules: %s\n",
                exh_status_str(st));
        return st == EXH_ERR_IO ? EXIT_USAGE : EXIT_UNREADABLE;
    }
    size_t loaded = exh_ruleset_count(rules), readerless = 0;
    for (size_t i = 0; i < loaded; i++) {
        exh_rule_info info;
        if (exh_ruleset_rule(rules, i, &info) != EXH_OK)
            continue;
        char line[4096];
        if (!info.has_reader) {
            readerless++;
            snprintf(line, sizeof line,
                     "%s: loads, but no reader for logsource "
                     "%s yet",
                     info.source, info.logsource);
        } else if (info.literal_count == 0) {
            // It works, but the pre-filter cannot spare it a record.
            snprintf(line, sizeof line,
                     "%s: loads, but has no literal for the pre-filter: "
                     "every record of its logs goes to it",
                     info.source);
        } else {
            continue;
        }
        escaped_line(stdout, line);
    }
    // YARA rules (and hash entries) load too; they need no reader.
    loaded += exh_ruleset_file_rule_count(rules);
    printf("%zu rules, %zu loaded, %zu without a reader, %zu rejected\n",
           loaded + rejected, loaded, readerless, rejected);
    exh_ruleset_free(rules);
    if (fflush(stdout) != 0)
        return EXIT_UNREADABLE;
    return rejected ? EXIT_FINDINGS : EXIT_CLEAN;
}

static int cmd_rules(int argc, char **argv)
{
    scan_opts o;
    exh_ruleset *rules;
    bool ok;

    if (argc < 2) {
        options_usage_error("rules needs a subcommand: list or check");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "check") == 0)
        return cmd_rules_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") != 0) {
        options_usage_error(
            "unknown rules subcommand '%s' (expected list or check)", argv[1]);
        return EXIT_USAGE;
    }
    parse_result pr = options_parse_rules_list(argc - 1, argv + 1, &o);
    if (pr != PARSE_OK)
        return pr == PARSE_DONE ? EXIT_CLEAN : EXIT_USAGE;
    rules = load_rules(&o);
    if (!rules) {
        options_free(&o);
        return EXIT_USAGE;
    }
    if (o.format == FORMAT_JSONL)
        ok = report_jsonl_rules(stdout, rules, !o.no_builtin_rules);
    else
        ok = report_text_rules(stdout, rules, !o.no_builtin_rules);
    if (fflush(stdout) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "exhunt: cannot write standard output: %s\n",
                strerror(errno));
    exh_ruleset_free(rules);
    options_free(&o);
    return ok ? EXIT_CLEAN : EXIT_UNREADABLE;
}

static void print_version(void)
{
    printf("exhunt %s (library %s, JSON schema %d)\n", EXH_VERSION_STRING,
           exh_version_string(), EXH_SCHEMA_VERSION);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        options_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        return options_help();
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        print_version();
        return options_stdout_status();
    }
    if (exh_version_number() != EXH_VERSION_NUMBER)
        fputs("exhunt: warning: the library version differs from the "
              "header's\n",
              stderr);
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(cmd, "probe") == 0)
        return cmd_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (cmd[0] == '-')
        options_usage_error("unknown option '%s'", cmd);
    else
        options_usage_error("unknown command '%s'", cmd);
    return EXIT_USAGE;
}
