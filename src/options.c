/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.c - parses the command line of `exhunt scan` and `exhunt rules
 * list` with getopt_long, and holds the --help text.
 *
 * Every bad value is a usage error (exit status 2) with a message that names
 * the option and what it expects.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Long-only options. */
enum {
    OPT_RULES = 256,
    OPT_NO_BUILTIN,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_MIN_SEVERITY,
    OPT_FAIL_ON,
    OPT_PASSWORD,
    OPT_ALL_FILES,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_IOC,
    OPT_DELETED,
    OPT_SHADOWS,
    OPT_MAX_FILE_SIZE
};

static const struct option scan_long[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN},
    {"threads", required_argument, NULL, 'j'},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"min-severity", required_argument, NULL, OPT_MIN_SEVERITY},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"all-files", no_argument, NULL, OPT_ALL_FILES},
    {"quiet", no_argument, NULL, 'q'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"ioc", required_argument, NULL, OPT_IOC},
    {"deleted", no_argument, NULL, OPT_DELETED},
    {"shadows", no_argument, NULL, OPT_SHADOWS},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct option rules_long[] = {
    {"format", required_argument, NULL, 'f'},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN},
    {"ioc", required_argument, NULL, OPT_IOC},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void options_usage(FILE *out)
{
    fputs("Usage: exhunt scan [OPTIONS] TARGET...\n"
          "       exhunt rules list [-f FORMAT] [--rules DIR]... [--ioc "
          "PATH]...\n"
          "       exhunt rules check DIR...\n"
          "       exhunt build [-f FORMAT] VERSION|TARGET\n"
          "       exhunt probe [OPTIONS] URL...\n"
          "       exhunt report [-f FORMAT] [-o FILE] FILE.jsonl\n"
          "       exhunt --version | --help\n"
          "\n"
          "Tells whether a Microsoft Exchange server was exploited, from its\n"
          "evidence: a folder (mounted volume, KAPE or Velociraptor\n"
          "collection, log folder), a .zip/.tar/.tar.gz collection, a file,\n"
          "or - for standard input. Evidence is only ever read.\n"
          "\n"
          "Options of scan:\n"
          "  -f, --format FORMAT    text (default), jsonl, csv (a timeline)\n"
          "                         or html (a self-contained page)\n"
          "  -o, --output FILE      write the report to FILE, not stdout\n"
          "      --rules DIR        also load the Sigma rules under DIR "
          "(repeatable)\n"
          "      --no-builtin-rules use only the rules of --rules\n"
          "  -j, --threads N        worker threads (default: one per core)\n"
          "      --since TIME       match only log records at or after TIME\n"
          "      --until TIME       match only log records at or before TIME\n"
          "                         (ISO 8601, e.g. 2021-03-02T04:00Z; UTC\n"
          "                         unless an offset is given)\n"
          "      --min-severity LEVEL  print findings at or above LEVEL\n"
          "                         (default info; counts and verdicts stay)\n"
          "      --fail-on LEVEL    exit 1 when a finding is at or above "
          "LEVEL\n"
          "                         (default medium)\n"
          "      --ioc PATH         IOC lists of addresses (signature-base's\n"
          "                         c2 files; a file or a folder; repeatable)\n"
          "      --password PASS    password of encrypted zip collections\n"
          "      --all-files        read every file of a volume\n"
          "      --max-file-size SIZE  files larger are counted, not hashed "
          "or\n"
          "                         scanned (bytes, or with K, M or G; 4K to "
          "1G;\n"
          "                         default 64M)\n"
          "      --deleted          disk images: also deleted files whose "
          "data\n"
          "                         is intact\n"
          "      --shadows          disk images: also every volume shadow "
          "copy\n"
          "  -q, --quiet            print one verdict line per unit; no "
          "progress\n"
          "      --progress, --no-progress\n"
          "                         progress bar on stderr (default: when "
          "stderr\n"
          "                         is a terminal)\n"
          "LEVEL is critical, high, medium, low or info.\n"
          "\n"
          "build: which covered CVEs a build number (15.1.2176.2, or\n"
          "15.1.2176 for the CU level) leaves open, or the build installed\n"
          "in TARGET (ExSetup.exe's version resource, else the SOFTWARE\n"
          "hive, else Exchange log headers and ECP rows' S:BLD=, else\n"
          "OWA's version folders). -f text|jsonl. Exit 0 none open, 1 one\n"
          "open, 2 a malformed build string, 3 no build found in TARGET.\n"
          "\n"
          "probe: checks live servers over the network, GET requests only,\n"
          "redirects never followed. Passive by default: the build from\n"
          "X-OWA-Version, the ECP export tool manifest or OWA's resource\n"
          "paths. --active adds the CVE-2021-26855 (X-BEResource cookie) and\n"
          "ProxyShell (autodiscover) checks, which touch the vulnerable code\n"
          "and leave ServerInfo~localhost rows in the server's logs (scan\n"
          "reports them as attempts). Options: --active, --targets FILE,\n"
          "--concurrency N (default 50), --per-host N (connections to one\n"
          "host:port at a time, default 4), --timeout SECONDS (default 10),\n"
          "--rate PER_SECOND, --insecure (skip TLS verification: a server\n"
          "whose certificate does not verify is an error otherwise), -f, -o.\n"
          "\n"
          "report: renders the JSON lines of an earlier scan -f jsonl (or -\n"
          "for stdin) as text, jsonl, csv or html without rescanning;\n"
          "--min-severity and --fail-on as for scan. Exit 3 when the file is\n"
          "truncated, not exhunt's or of a newer schema (the message names\n"
          "the line).\n"
          "\n"
          "Exit status: 0 no finding at or above --fail-on; 1 a finding at\n"
          "or above --fail-on; 2 usage error; 3 a target or unit could not\n"
          "be read.\n",
          out);
}

int options_stdout_status(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "exhunt: cannot write standard output: %s\n",
            strerror(errno));
    return 3;
}

int options_help(void)
{
    options_usage(stdout);
    return options_stdout_status();
}

void options_usage_error(const char *fmt, ...)
{
    // The message quotes the command line, which may hold anything (a
    // value pasted from a log): escaped like log text on the terminal.
    char msg[1024], shown[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0                    ? 0
                 : (size_t)n < sizeof msg ? (size_t)n
                                          : sizeof msg - 1;
    exh_escape_text(msg, len, shown, sizeof shown);
    fprintf(stderr, "exhunt: %s\nTry 'exhunt --help' for more information.\n",
            shown);
}

bool options_format(const char *value, out_format *out)
{
    if (strcmp(value, "text") == 0) {
        *out = FORMAT_TEXT;
    } else if (strcmp(value, "jsonl") == 0) {
        *out = FORMAT_JSONL;
    } else if (strcmp(value, "csv") == 0) {
        *out = FORMAT_CSV;
    } else if (strcmp(value, "html") == 0) {
        *out = FORMAT_HTML;
    } else {
        options_usage_error(
            "unknown format '%s' (expected text, jsonl, csv or html)", value);
        return false;
    }
    return true;
}

bool options_level(const char *option, const char *value, exh_severity *out)
{
    if (exh_severity_parse(value, out) == EXH_OK)
        return true;
    options_usage_error("invalid %s '%s' (expected critical, high, medium, "
                        "low or info)",
                        option, value);
    return false;
}

static bool parse_time(const char *option, const char *value, int64_t *out)
{
    if (exh_time_parse(value, out) == EXH_OK)
        return true;
    options_usage_error("invalid %s '%s' (expected an ISO 8601 time such as "
                        "2021-03-02 or 2021-03-02T04:12:33Z)",
                        option, value);
    return false;
}

static bool parse_threads(const char *value, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || n > 1024) {
        options_usage_error("invalid --threads '%s' (expected a number "
                            "from 0 to 1024; 0 means one per core)",
                            value);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

/* --max-file-size: bytes, or a number with K, M or G (binary units). */
static bool parse_size(const char *value, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    unsigned shift = 0;
    if (!errno && end != value && value[0] != '-' && end[0] && !end[1]) {
        switch (end[0]) {
        case 'k':
        case 'K':
            shift = 10;
            end++;
            break;
        case 'm':
        case 'M':
            shift = 20;
            end++;
            break;
        case 'g':
        case 'G':
            shift = 30;
            end++;
            break;
        default:
            break;
        }
    }
    if (errno || end == value || *end || value[0] == '-' ||
        n > (EXH_MAX_FILE_SIZE_MAX >> shift) ||
        (n << shift) < EXH_MAX_FILE_SIZE_MIN) {
        options_usage_error("invalid --max-file-size '%s' (expected a size "
                            "from 4K to 1G: bytes, or a number with K, M or "
                            "G)",
                            value);
        return false;
    }
    *out = (uint64_t)n << shift;
    return true;
}

/* Appends a --rules path after checking that it exists. */
/* Appends path (which must exist) to a list of paths of option name. */
static bool add_path(const char *name, const char ***list, size_t *count,
                     const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        options_usage_error("%s '%s': %s", name, path, strerror(errno));
        return false;
    }
    const char **grown = realloc(*list, (*count + 1) * sizeof(**list));
    if (!grown) {
        options_usage_error("out of memory");
        return false;
    }
    *list = grown;
    (*list)[(*count)++] = path;
    return true;
}

static bool add_rules(scan_opts *o, const char *path)
{
    return add_path("--rules", &o->rules, &o->rule_count, path);
}

/* The option getopt_long complained about, as typed, for messages. */
static const char *bad_option_name(int opt, char **argv, char *shortname)
{
    const char *typed = argv[optind - 1];
    if (opt > 0 && opt < 256 && strncmp(typed, "--", 2) != 0) {
        shortname[0] = '-';
        shortname[1] = (char)opt;
        shortname[2] = '\0';
        return shortname;
    }
    return typed;
}

void options_getopt_error(int opt, char **argv)
{
    char shortname[3];
    const char *name = bad_option_name(optopt, argv, shortname);
    if (opt == ':')
        options_usage_error("option '%s' needs a value", name);
    else
        options_usage_error("unknown option '%s'", name);
}

static void set_defaults(scan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = FORMAT_TEXT;
    o->min_severity = EXH_SEV_INFO;
    o->fail_on = EXH_SEV_MEDIUM;
    o->progress = -1;
}

/* Handles the options both commands share and the getopt errors. Returns
 * 1 when handled, 0 when not, -1 on a usage error. */
static int common_option(int opt, scan_opts *o, char **argv)
{
    switch (opt) {
    case 'f':
        return options_format(optarg, &o->format) ? 1 : -1;
    case OPT_RULES:
        return add_rules(o, optarg) ? 1 : -1;
    case OPT_NO_BUILTIN:
        o->no_builtin_rules = true;
        return 1;
    case OPT_IOC:
        return add_path("--ioc", &o->iocs, &o->ioc_count, optarg) ? 1 : -1;
    case ':':
    case '?':
        options_getopt_error(opt, argv);
        return -1;
    default:
        return 0;
    }
}

static int scan_option(int opt, scan_opts *o)
{
    switch (opt) {
    case 'o':
        o->output = optarg;
        return 1;
    case 'j':
        return parse_threads(optarg, &o->threads) ? 1 : -1;
    case OPT_SINCE:
        o->have_since = true;
        return parse_time("--since", optarg, &o->since_ms) ? 1 : -1;
    case OPT_UNTIL:
        o->have_until = true;
        return parse_time("--until", optarg, &o->until_ms) ? 1 : -1;
    case OPT_MIN_SEVERITY:
        return options_level("--min-severity", optarg, &o->min_severity) ? 1
                                                                         : -1;
    case OPT_FAIL_ON:
        return options_level("--fail-on", optarg, &o->fail_on) ? 1 : -1;
    case OPT_PASSWORD:
        o->password = optarg;
        return 1;
    case OPT_ALL_FILES:
        o->all_files = true;
        return 1;
    case 'q':
        o->quiet = true;
        return 1;
    case OPT_PROGRESS:
    case OPT_NO_PROGRESS:
        o->progress = opt == OPT_PROGRESS;
        return 1;
    case OPT_DELETED:
        o->deleted = true;
        return 1;
    case OPT_SHADOWS:
        o->shadows = true;
        return 1;
    case OPT_MAX_FILE_SIZE:
        return parse_size(optarg, &o->max_file_size) ? 1 : -1;
    default:
        return 0;
    }
}

parse_result options_parse_scan(int argc, char **argv, scan_opts *o)
{
    int opt;

    set_defaults(o);
    optind = 0; // full re-initialisation of GNU getopt
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":f:o:j:qh", scan_long, NULL)) !=
           -1) {
        if (opt == 'h') {
            options_usage(stdout);
            options_free(o);
            return PARSE_DONE;
        }
        int done = common_option(opt, o, argv);
        if (done == 0)
            done = scan_option(opt, o);
        if (done != 1) {
            options_free(o);
            return PARSE_USAGE;
        }
    }
    if (o->have_since && o->have_until && o->since_ms > o->until_ms) {
        options_usage_error("--since is later than --until");
        options_free(o);
        return PARSE_USAGE;
    }
    if (optind >= argc) {
        options_usage_error("scan needs at least one TARGET (a folder, "
                            "a collection, a file, or - for stdin)");
        options_free(o);
        return PARSE_USAGE;
    }
    o->targets = (const char **)(argv + optind);
    o->target_count = (size_t)(argc - optind);
    return PARSE_OK;
}

parse_result options_parse_rules_list(int argc, char **argv, scan_opts *o)
{
    int opt;

    set_defaults(o);
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":f:h", rules_long, NULL)) != -1) {
        if (opt == 'h') {
            options_usage(stdout);
            options_free(o);
            return PARSE_DONE;
        }
        if (common_option(opt, o, argv) != 1) {
            options_free(o);
            return PARSE_USAGE;
        }
    }
    if (optind < argc) {
        options_usage_error("rules list takes no argument ('%s')",
                            argv[optind]);
        options_free(o);
        return PARSE_USAGE;
    }
    if (o->format == FORMAT_CSV || o->format == FORMAT_HTML) {
        options_usage_error("rules list writes text or jsonl only");
        options_free(o);
        return PARSE_USAGE;
    }
    return PARSE_OK;
}

void options_free(scan_opts *o)
{
    free(o->rules);
    o->rules = NULL;
    o->rule_count = 0;
    free(o->iocs);
    o->iocs = NULL;
    o->ioc_count = 0;
}
