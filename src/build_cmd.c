/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_cmd.c - `exhunt build [-f FMT] VERSION|TARGET`: the patch status of
 * a build number, or of the Exchange install found in evidence, from the
 * library's built-in build table.
 *
 * Exit statuses (DESIGN.md): 0 no covered CVE open, 1 one is open, 2 a
 * malformed build string or usage error, 3 a TARGET with no detectable
 * build (or output that cannot be written).
 */
#include "commands.h"
#include "exhunt.h"
#include "options.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

enum { BUILD_CLEAN = 0, BUILD_OPEN = 1, BUILD_USAGE = 2, BUILD_NONE = 3 };

/* True when s has the shape of a build number: digits and dots only. */
static bool looks_like_version(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if ((*s < '0' || *s > '9') && *s != '.')
            return false;
    return true;
}

static void put(FILE *out, const char *s)
{
    report_text_put_escaped(out, s, strlen(s), 0);
}

static void print_text(FILE *out, const exh_build_info *i,
                       const exh_build_found *found)
{
    const char *source = found ? found->source : NULL;
    put(out, i->version);
    fputs(": ", out);
    put(out, i->name ? i->name : i->product);
    if (i->released) {
        fputs(" (released ", out);
        put(out, i->released);
        fputc(')', out);
    }
    fputc('\n', out);
    if (source) {
        fputs("  found in: ", out);
        put(out, source);
        fputc('\n', out);
    }
    if (i->placement) {
        fputs("  placed:   ", out);
        put(out, i->placement);
        fputc('\n', out);
    }
    if (i->note) {
        fputs("  note:     ", out);
        put(out, i->note);
        fputc('\n', out);
    }
    if (i->open_count == 0)
        fputs("  open:     none of the covered CVEs\n", out);
    for (size_t k = 0; k < i->open_count; k++) {
        fputs(k ? "            " : "  open:     ", out);
        fprintf(out, "%s (%s: %s)\n", i->open_cve[k], i->open_severity[k],
                i->open_title[k]);
    }
    fputs("  fixed:    ", out);
    if (i->fixed_count == 0)
        fputs("none of the covered CVEs", out);
    for (size_t k = 0; k < i->fixed_count; k++)
        fprintf(out, "%s%s", k ? " " : "", i->fixed_cve[k]);
    fputc('\n', out);
    for (size_t k = 0; found && k < found->timeline_count; k++) {
        const exh_build_step *t = &found->timeline[k];
        fputs(k ? "            " : "  logs:     ", out);
        put(out, t->version);
        fputs(" from ", out);
        put(out, t->first);
        fputs(" to ", out);
        put(out, t->last);
        fputs(" (", out);
        for (size_t n = 0; n < t->source_count; n++) {
            if (n)
                fputc('+', out);
            put(out, t->sources[n]);
        }
        fputs(")\n", out);
    }
}

/* Prints the status of one version string; returns the exit status. */
static int show(const char *version, const exh_build_found *found, bool jsonl)
{
    exh_build *b = NULL;
    exh_status st = exh_build_lookup(version, &b);

    if (st == EXH_ERR_INVALID_ARG) {
        fputs("exhunt: '", stderr);
        put(stderr, version);
        fputs("' is not a build number (expected four numbers such as "
              "15.1.2176.2, or three for the CU level)\n",
              stderr);
        return BUILD_USAGE;
    }
    if (st == EXH_ERR_UNSUPPORTED) {
        fputs("exhunt: '", stderr);
        put(stderr, version);
        fputs("' is not a build of Exchange Server 2010 SP3, 2013, 2016, "
              "2019 or Subscription Edition\n",
              stderr);
        return BUILD_USAGE;
    }
    if (st != EXH_OK) {
        fprintf(stderr, "exhunt: %s\n", exh_status_str(st));
        return BUILD_NONE;
    }
    const exh_build_info *i = exh_build_get(b);
    int status = i->open_count ? BUILD_OPEN : BUILD_CLEAN;
    if (jsonl) {
        if (exh_build_write_json_found(b, found, stdout) != EXH_OK)
            status = BUILD_NONE;
    } else {
        print_text(stdout, i, found);
    }
    exh_build_free(b);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "exhunt: cannot write standard output: %s\n",
                strerror(errno));
        return BUILD_NONE;
    }
    return status;
}

/* `exhunt build TARGET`: the build found in the evidence. */
static int from_target(const char *target, bool jsonl)
{
    exh_build_found *found = NULL;
    exh_status st = exh_build_find(target, &found);
    if (st == EXH_ERR_UNSUPPORTED) {
        fputs("exhunt: no Exchange build found in '", stderr);
        put(stderr, target);
        fputs("' (looked for ExSetup.exe's version resource, the SOFTWARE "
              "hive, Exchange log headers, ECP rows' S:BLD= and OWA's version "
              "folders)\n",
              stderr);
        return BUILD_NONE;
    }
    if (st != EXH_OK) {
        fputs("exhunt: cannot read '", stderr);
        put(stderr, target);
        fprintf(stderr, "': %s\n", exh_status_str(st));
        return BUILD_NONE;
    }
    int status = show(found->version, found, jsonl);
    exh_build_found_free(found);
    return status;
}

int cmd_build(int argc, char **argv)
{
    static const struct option longs[] = {{"format", required_argument, 0, 'f'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    bool jsonl = false;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "jsonl") == 0)
                jsonl = true;
            else if (strcmp(optarg, "text") != 0) {
                options_usage_error("unknown format '%s' (expected text or "
                                    "jsonl)",
                                    optarg);
                return BUILD_USAGE;
            }
            break;
        case 'h':
            return options_help();
        default:
            options_usage_error("unknown option '%s'", argv[optind - 1]);
            return BUILD_USAGE;
        }
    }
    if (argc - optind != 1) {
        options_usage_error("build needs one build number or one target");
        return BUILD_USAGE;
    }
    const char *arg = argv[optind];
    struct stat sb;
    if (looks_like_version(arg))
        return show(arg, NULL, jsonl);
    if (stat(arg, &sb) != 0) {
        fputs("exhunt: '", stderr);
        put(stderr, arg);
        fprintf(stderr,
                "' is neither a build number (such as 15.1.2176.2) nor a "
                "readable file or folder: %s\n",
                strerror(errno));
        return BUILD_USAGE;
    }
    return from_target(arg, jsonl);
}
