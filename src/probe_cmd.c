/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe_cmd.c - `exhunt probe [OPTIONS] URL...`: checks of live servers
 * through the library's prober. Passive unless --active. Per target, one
 * finding per covered CVE its build leaves open and one per active check
 * that found it vulnerable (source.type "probe", source.url), then one
 * line of kind "probe" (JSON lines) or a paragraph (text).
 *
 * Exit statuses (DESIGN.md): 1 a finding at or above medium; else 3 a
 * target could not be checked; else 0. 2 is a usage error.
 */
#include "commands.h"
#include "exhunt.h"
#include "options.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { PROBE_CLEAN = 0, PROBE_FINDINGS = 1, PROBE_USAGE = 2, PROBE_ERROR = 3 };

#define MAX_TARGETS 1000000

typedef struct probe_ctx {
    bool jsonl;
    FILE *out;
    unsigned long next_id;
    bool findings, errors, write_failed;
} probe_ctx;

static void put(FILE *out, const char *s)
{
    report_text_put_escaped(out, s, strlen(s), 0);
}

static void finding(probe_ctx *c, const exh_probe_result *r, const char *rule,
                    const char *title, exh_severity sev, const char *cve,
                    const exh_kv *ev, size_t ev_count)
{
    char id[32];
    const char *cves[1] = {cve};
    snprintf(id, sizeof id, "f-%06lu", ++c->next_id);
    exh_finding f = {
        .id = id,
        .target = r->target,
        .unit = ".",
        .rule = rule,
        .rule_source = "builtin:probe",
        .title = title,
        .severity = sev,
        .category = EXH_CAT_VULNERABLE,
        .cve = cves,
        .cve_count = 1,
        .count = 1,
        .source_type = "probe",
        .source_path = r->target,
        .evidence = ev,
        .evidence_count = ev_count,
        .source_url = r->target,
    };
    if (sev <= EXH_SEV_MEDIUM)
        c->findings = true;
    if (c->jsonl) {
        if (exh_finding_write_json(&f, c->out) != EXH_OK)
            c->write_failed = true;
    } else {
        fprintf(c->out, "  %-9s ", exh_severity_name(sev));
        put(c->out, title);
        fputc('\n', c->out);
    }
}

static exh_cb_result on_result(const exh_probe_result *r, void *user)
{
    probe_ctx *c = user;
    const exh_build_info *i = r->build;
    char title[512];

    if (r->error)
        c->errors = true;
    if (!c->jsonl) {
        put(c->out, r->target);
        fputs(": ", c->out);
        if (r->error) {
            fputs("not checked: ", c->out);
            put(c->out, r->error);
        } else if (i) {
            fprintf(c->out, "%s (%s) from the ", i->name ? i->name : i->product,
                    i->version);
            put(c->out, r->version_source);
        } else {
            fputs("answered, but shows no Exchange build", c->out);
        }
        fputc('\n', c->out);
    }
    for (size_t k = 0; i && k < i->open_count; k++) {
        exh_severity sev;
        if (exh_severity_parse(i->open_severity[k], &sev) != EXH_OK)
            sev = EXH_SEV_HIGH;
        snprintf(title, sizeof title, "%s is open: %s (%s %s%s)",
                 i->open_cve[k], i->open_title[k],
                 i->name ? i->name : i->product, i->version,
                 i->cu_only ? ", CU level only" : "");
        exh_kv ev[2] = {
            {"build", i->version, strlen(i->version)},
            {"found_in", r->version_source, strlen(r->version_source)}};
        finding(c, r, "probe_build_open_cve", title, sev, i->open_cve[k], ev,
                2);
    }
    if (r->proxylogon == 1) {
        exh_kv ev[1] = {{"check",
                         "GET /owa/auth/x.js with X-BEResource="
                         "localhost cookies: X-CalculatedBETarget "
                         "names localhost",
                         0}};
        ev[0].value_len = strlen(ev[0].value);
        finding(c, r, "probe_proxylogon_ssrf",
                "CVE-2021-26855 (ProxyLogon) answers the SSRF check: "
                "X-CalculatedBETarget names localhost",
                EXH_SEV_CRITICAL, "CVE-2021-26855", ev, 1);
    }
    if (r->proxyshell == 1) {
        exh_kv ev[1] = {{"check",
                         "GET /autodiscover/autodiscover.json?"
                         "@test.com/owa/?&Email=autodiscover/"
                         "autodiscover.json%3F@test.com answered 302",
                         0}};
        ev[0].value_len = strlen(ev[0].value);
        finding(c, r, "probe_proxyshell_autodiscover",
                "CVE-2021-34473 (ProxyShell) answers the autodiscover path "
                "confusion check with a redirect",
                EXH_SEV_CRITICAL, "CVE-2021-34473", ev, 1);
    }
    if (c->jsonl) {
        if (exh_probe_result_write_json(r, c->out) != EXH_OK)
            c->write_failed = true;
    } else if (r->proxylogon >= 0 || r->proxyshell >= 0) {
        fprintf(c->out, "  checks:   proxylogon %s, proxyshell %s\n",
                exh_probe_check_name(r->proxylogon),
                exh_probe_check_name(r->proxyshell));
    }
    return c->write_failed ? EXH_STOP : EXH_CONTINUE;
}

/* Appends the non-blank, non-comment lines of path to *urls. */
static bool read_targets(const char *path, char ***urls, size_t *count)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "exhunt: cannot read '%s': %s\n", path,
                strerror(errno));
        return false;
    }
    char line[4096];
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        s[strcspn(s, " \t\r\n")] = '\0';
        if (!*s || *s == '#')
            continue;
        char **grown = *count < MAX_TARGETS
                           ? realloc(*urls, (*count + 1) * sizeof **urls)
                           : NULL;
        char *copy = grown ? strdup(s) : NULL;
        if (grown)
            *urls = grown;
        if (!copy) {
            fputs("exhunt: too many targets or out of memory\n", stderr);
            ok = false;
            break;
        }
        (*urls)[(*count)++] = copy;
    }
    if (f != stdin)
        fclose(f);
    return ok;
}

static bool number(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int cmd_probe(int argc, char **argv)
{
    enum {
        OPT_ACTIVE = 256,
        OPT_TARGETS,
        OPT_CONC,
        OPT_TIMEOUT,
        OPT_RATE,
        OPT_INSECURE,
        OPT_PER_HOST
    };
    static const struct option longs[] = {
        {"active", no_argument, 0, OPT_ACTIVE},
        {"targets", required_argument, 0, OPT_TARGETS},
        {"concurrency", required_argument, 0, OPT_CONC},
        {"per-host", required_argument, 0, OPT_PER_HOST},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"rate", required_argument, 0, OPT_RATE},
        {"insecure", no_argument, 0, OPT_INSECURE},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    probe_ctx c = {.out = stdout};
    exh_prober *p = NULL;
    char **urls = NULL;
    size_t count = 0;
    const char *output = NULL;
    double v;
    int opt, status = PROBE_USAGE;

    if (exh_prober_new(&p) != EXH_OK) {
        fputs("exhunt: out of memory\n", stderr);
        return PROBE_ERROR;
    }
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "f:o:h", longs, NULL)) != -1) {
        switch (opt) {
        case OPT_ACTIVE:
            exh_prober_set_active(p, 1);
            break;
        case OPT_INSECURE:
            exh_prober_set_insecure(p, 1);
            break;
        case OPT_TARGETS:
            if (!read_targets(optarg, &urls, &count))
                goto out;
            break;
        case OPT_CONC:
            if (!number(optarg, 1, 10000, &v)) {
                options_usage_error("--concurrency takes 1 to 10000");
                goto out;
            }
            exh_prober_set_concurrency(p, (unsigned)v);
            break;
        case OPT_PER_HOST:
            if (!number(optarg, 1, 10000, &v)) {
                options_usage_error("--per-host takes 1 to 10000");
                goto out;
            }
            exh_prober_set_per_host(p, (unsigned)v);
            break;
        case OPT_TIMEOUT:
            if (!number(optarg, 0.001, 3600, &v)) {
                options_usage_error("--timeout takes seconds, up to 3600");
                goto out;
            }
            exh_prober_set_timeout_ms(p, (long)(v * 1000));
            break;
        case OPT_RATE:
            if (!number(optarg, 0.001, 1e6, &v)) {
                options_usage_error("--rate takes requests per second");
                goto out;
            }
            exh_prober_set_rate(p, v);
            break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0)
                c.jsonl = true;
            else if (strcmp(optarg, "text") != 0) {
                options_usage_error("unknown format '%s' (expected text or "
                                    "jsonl)",
                                    optarg);
                goto out;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            status = options_help();
            goto out;
        default:
            options_usage_error("unknown or incomplete option '%s'",
                                argv[optind - 1]);
            goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        char **grown = realloc(urls, (count + 1) * sizeof *urls);
        if (!grown || !(grown[count] = strdup(argv[i]))) {
            free(grown);
            urls = NULL;
            fputs("exhunt: out of memory\n", stderr);
            goto out;
        }
        urls = grown;
        count++;
    }
    if (count == 0) {
        options_usage_error("probe needs one or more URLs (or --targets "
                            "FILE)");
        goto out;
    }
    if (output && !(c.out = fopen(output, "w"))) {
        fprintf(stderr, "exhunt: cannot write '%s': %s\n", output,
                strerror(errno));
        status = PROBE_ERROR;
        goto out;
    }
    exh_status st =
        exh_prober_run(p, (const char *const *)urls, count, on_result, &c);
    if (fflush(c.out) != 0)
        c.write_failed = true;
    if (c.out != stdout && fclose(c.out) != 0)
        c.write_failed = true;
    if (st == EXH_ERR_ENGINE)
        fprintf(stderr, "exhunt: probe failed: %s\n", exh_prober_errmsg(p));
    else if (st != EXH_OK)
        fprintf(stderr, "exhunt: probe failed: %s\n", exh_status_str(st));
    if (c.write_failed)
        fputs("exhunt: cannot write the report\n", stderr);
    status = c.findings                                     ? PROBE_FINDINGS
             : (c.errors || st != EXH_OK || c.write_failed) ? PROBE_ERROR
                                                            : PROBE_CLEAN;
out:
    for (size_t i = 0; i < count; i++)
        free(urls[i]);
    free(urls);
    exh_prober_free(p);
    return status;
}
