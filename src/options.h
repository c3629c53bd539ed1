/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.h - command-line parsing of the exhunt tool (options.c).
 *
 * The parser fills a plain struct and prints its own usage errors as
 * "exhunt: message"; main.c only decides what to run. Options may follow
 * targets (getopt_long permutes).
 */
#ifndef EXH_OPTIONS_H
#define EXH_OPTIONS_H

#include "exhunt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Output formats that exist in this version. */
typedef enum out_format {
    FORMAT_TEXT = 0,
    FORMAT_JSONL,
    FORMAT_CSV,
    FORMAT_HTML
} out_format;

/* Outcome of parsing. */
typedef enum parse_result {
    PARSE_OK = 0, /* run the command */
    PARSE_DONE,   /* --help was printed: exit 0 */
    PARSE_USAGE   /* a usage error was printed: exit 2 */
} parse_result;

/* Options of `exhunt scan` (DESIGN.md, command line). */
typedef struct scan_opts {
    out_format format;
    const char *output; /* -o FILE, or NULL for stdout */
    const char **rules; /* --rules DIR, in the order given */
    size_t rule_count;
    const char **iocs; /* --ioc PATH, in the order given */
    size_t ioc_count;
    bool no_builtin_rules;
    unsigned threads; /* -j N; 0 = one per core */
    bool have_since, have_until;
    int64_t since_ms, until_ms; /* --since/--until, ms since the epoch */
    exh_severity min_severity;  /* what is printed; default info */
    exh_severity fail_on;       /* what sets exit status 1; default medium */
    const char *password;
    bool all_files;
    bool deleted;
    bool shadows;           /* --shadows */
    uint64_t max_file_size; /* --max-file-size; 0 = the default */
    bool quiet;
    int progress; /* -1 automatic, 0 off, 1 on */
    const char **targets;
    size_t target_count;
} scan_opts;

/* Parses `exhunt scan ARGS` (argv[0] is "scan"). Returns PARSE_OK with *o
 * filled (free with options_free), PARSE_DONE or PARSE_USAGE. */
parse_result options_parse_scan(int argc, char **argv, scan_opts *o);

/* Parses `exhunt rules list ARGS` (argv[0] is "list"): -f, --rules,
 * --no-builtin-rules. Uses the same struct; targets stay empty. */
parse_result options_parse_rules_list(int argc, char **argv, scan_opts *o);

void options_free(scan_opts *o);

/* The whole --help text. */
void options_usage(FILE *out);
/* Exit status of a command that only wrote to stdout: 0, or 3 (said on
 * stderr) when writing failed (a full disk, a closed pipe). */
int options_stdout_status(void);
/* --help: the usage on stdout; options_stdout_status(). */
int options_help(void);

/* Sets *out from a -f value (text, jsonl, csv, html); false after printing
 * the usage error. */
bool options_format(const char *value, out_format *out);

/* Sets *out from the severity value of option (e.g. "--fail-on"); false
 * after printing the usage error. */
bool options_level(const char *option, const char *value, exh_severity *out);

/* Prints the usage error for what getopt_long returned, ':' (a missing
 * value; the option string starts with ':') or '?' (an unknown option),
 * naming the option as typed. */
void options_getopt_error(int opt, char **argv);

/* Prints "exhunt: MESSAGE" and the --help hint to stderr. */
void options_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* EXH_OPTIONS_H */
