/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_scan.c - what a scan makes of the build found in a unit: the
 * lookup in the build table (kept on the unit for the summary) and one
 * finding of category vulnerable per covered CVE the build leaves open,
 * with the CVE's severity from rules/build_cves.csv. Its time is null (a
 * build has no time of its own); source.type is "build" and source.path
 * the file the build came from. A build from logs says so (evidence
 * build_source "log-header" or "ecp-row", last_seen): the server ran it
 * then.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

/* Appends one evidence pair (copies) unless value is NULL; false on
 * allocation failure. */
static bool evidence(ifinding *f, const char *key, const char *value)
{
    return !value ||
           finding_evidence_add(f, key, value, strlen(value)) == EXH_OK;
}

/* The first mitigation found in the unit that covers cve, or -1. */
int build_unit_mitigation(const unit *u, const char *cve)
{
    for (unsigned m = 0; m < MITIGATION__COUNT; m++) {
        if (!(u->build.mitigations & (1u << m)))
            continue;
        size_t count;
        const char *const *cves = build_mitigation_cves(m, &count);
        for (size_t k = 0; k < count; k++)
            if (strcmp(cves[k], cve) == 0)
                return (int)m;
    }
    return -1;
}

static exh_status open_cve_finding(unit *u, const exh_ruleset *rs,
                                   const exh_build_info *i, size_t k)
{
    ifinding f = {0};
    buf title;
    exh_severity sev;
    char seen[32];
    bool from_logs = u->build.rank == BUILD_RANK_LOG;
    if (from_logs)
        util_time_format(u->build.seen_ms, seen);

    if (exh_severity_parse(i->open_severity[k], &sev) != EXH_OK)
        sev = EXH_SEV_HIGH;
    // A mitigated CVE stays a finding, at low severity, naming the
    // mitigation: the build still lacks the fix.
    int m = build_unit_mitigation(u, i->open_cve[k]);
    if (m >= 0)
        sev = EXH_SEV_LOW;
    buf_init(&title, 1024);
    buf_printf(&title, "%s is open%s: %s (%s %s)", i->open_cve[k],
               m >= 0 ? " but mitigated" : "", i->open_title[k],
               i->name ? i->name : i->product, i->version);
    f.rule = SIZE_MAX;
    f.fr.name = exh_strdup("exchange_build_open_cve");
    f.fr.title = title.data ? exh_strdup(title.data) : NULL;
    f.fr.source = exh_strdup("builtin:builds.csv");
    f.fr.severity = sev;
    f.fr.category = EXH_CAT_VULNERABLE;
    f.fr.cve = exh_strdup(i->open_cve[k]);
    f.time_ms = INT64_MIN;
    f.last_ms = INT64_MIN;
    f.count = 1;
    f.source_type = "build";
    f.source_path = exh_strdup(u->build.path);
    f.windows_path =
        u->build.windows_path ? exh_strdup(u->build.windows_path) : NULL;
    f.evidence = exh_calloc(9, sizeof *f.evidence);
    buf_free(&title);
    exh_status st = f.fr.name && f.fr.title && f.fr.source && f.fr.cve &&
                            f.source_path && f.evidence &&
                            (f.windows_path || !u->build.windows_path)
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    if (st == EXH_OK &&
        !(evidence(&f, "build", i->version) &&
          evidence(&f, "product", i->product) &&
          evidence(&f, "update", i->update) &&
          evidence(&f, "found_in", u->build.source) &&
          evidence(&f, "placement", i->placement) &&
          evidence(&f, "build_source",
                   from_logs ? u->log_build_source : NULL) &&
          evidence(&f, "last_seen", from_logs ? seen : NULL) &&
          evidence(&f, "mitigated_by",
                   m >= 0 ? build_mitigation_text((unsigned)m) : NULL)))
        st = EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = finding_add(u, rs, &f, NULL);
    ifinding_free(&f);
    return st;
}

exh_status build_unit_findings(unit *u, const exh_ruleset *rs)
{
    char version[32];
    exh_build *b = NULL;

    if (u->build.rank == BUILD_RANK_NONE || u->build_result)
        return EXH_OK;
    build_cand_version(&u->build, version, sizeof version);
    exh_status st = exh_build_lookup(version, &b);
    if (st == EXH_ERR_UNSUPPORTED || st == EXH_ERR_INVALID_ARG)
        return EXH_OK; // a build of no covered product: none found
    if (st != EXH_OK)
        return st;
    u->build_result = b;
    const exh_build_info *i = exh_build_get(b);
    for (size_t k = 0; k < i->open_count && st == EXH_OK; k++)
        st = open_cve_finding(u, rs, i, k);
    return st;
}
