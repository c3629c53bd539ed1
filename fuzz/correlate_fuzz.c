/* SPDX-License-Identifier: Apache-2.0 */
/*
 * correlate_fuzz.c - libFuzzer harness for lib/correlate.c: the links,
 * incidents and pivot of findings whose evidence is attacker text (URLs,
 * command lines with -Mailbox/-User/-FilePath, paths of shares).
 *
 * Input: up to 64 lines, each one finding: byte 0 picks the category, the
 * family and whether it is a file; byte 1 its time (minutes) and line; byte
 * 2 the evidence key (bit 4: a URL query's, for X-Rps-CAT tokens); the
 * rest of the line is the evidence value (a file's Windows path for a file
 * finding). Aborts when a related id, an
 * incident's finding or a pivot list's finding is not one of the input's
 * ids, or a pivot value is empty.
 */
#include "scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
    "Parameters",        "c-ip",         "cs-uri-stem",
    "ClientIpAddress",   "UserAgent",    "AnchorMailbox",
    "AuthenticatedUser", "DownloadPath", "Image",
    "CommandLine",       "User",         "cs-method",
    "sc-status",         "Data",         "TargetUserName",
    "UrlStem",
};
/* Picked when byte 2's bit 4 is set: URL queries (X-Rps-CAT tokens). */
static const char *const query_keys[] = {"cs-uri-query", "UrlQuery"};

static bool known_id(const char *id, size_t count)
{
    if (!id || strncmp(id, "f-", 2) != 0)
        return false;
    char *end = NULL;
    unsigned long long n = strtoull(id + 2, &end, 10);
    return end && !*end && n >= 1 && n <= count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    static const exh_category cats[] = {
        EXH_CAT_EXPLOITATION, EXH_CAT_WEBSHELL,   EXH_CAT_POST_EXPLOITATION,
        EXH_CAT_ATTEMPT,      EXH_CAT_SUSPICIOUS, EXH_CAT_VULNERABLE};
    static const log_family fams[] = {FAM_IIS,          FAM_HTTPPROXY, FAM_RPS,
                                      FAM_ECP_SERVER,   FAM_EVTX,      FAM_NONE,
                                      FAM_OABGENERATOR, FAM_EWS};
    ifinding fs[MAX_FINDINGS];
    exh_kv ev[MAX_FINDINGS];
    ifile files[MAX_FINDINGS];
    char *values[MAX_FINDINGS];
    size_t n = 0;
    memset(fs, 0, sizeof fs);
    const char *p = (const char *)data, *end = p + size;
    while (p < end && n < MAX_FINDINGS) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        unsigned char b0 = len > 0 ? (unsigned char)p[0] : 0;
        unsigned char b1 = len > 1 ? (unsigned char)p[1] : 0;
        unsigned char b2 = len > 2 ? (unsigned char)p[2] : 0;
        const char *v = len > 3 ? p + 3 : "";
        size_t vlen = len > 3 ? len - 3 : 0;
        // Evidence values are NUL-terminated strings: cut at a NUL.
        const char *z = memchr(v, '\0', vlen);
        if (z)
            vlen = (size_t)(z - v);
        values[n] = exh_strndup(v, vlen);
        if (!values[n])
            break;
        ifinding *f = &fs[n];
        memset(f, 0, sizeof *f);
        f->rule = SIZE_MAX;
        f->fr.name = (char *)"fuzz";
        f->fr.title = (char *)"fuzz";
        f->fr.category = cats[b0 % 6];
        f->fr.severity = (exh_severity)((b0 >> 3) % 5);
        f->family = fams[(b0 >> 5) % 8];
        f->time_ms =
            b1 == 0xff ? INT64_MIN : 1614737000000LL + (int64_t)b1 * 60000LL;
        f->last_ms = INT64_MIN;
        f->count = 1 + (b2 >> 6);
        f->line = b1 % 4;
        f->source_path = (char *)"fuzz.log";
        if (b2 & 0x20) {
            memset(&files[n], 0, sizeof files[n]);
            f->file = &files[n];
            f->windows_path = values[n];
        } else {
            const char *key = b2 & 0x10 ? query_keys[b2 & 1] : keys[b2 % 16];
            ev[n] = (exh_kv){(char *)key, values[n], vlen};
            f->evidence = &ev[n];
            f->evidence_count = 1;
        }
        n++;
        p = nl ? nl + 1 : end;
    }
    exh_ruleset rs;
    memset(&rs, 0, sizeof rs);
    correlation *c = NULL;
    if (correlate_unit(&rs, fs, n, 0, &c) == EXH_OK) {
        for (size_t i = 0; i < n; i++) {
            size_t k;
            const char *const *r = correlation_related(c, i, &k);
            for (size_t j = 0; j < k; j++) {
                if (!known_id(r[j], n))
                    abort();
            }
        }
        exh_summary s;
        memset(&s, 0, sizeof s);
        correlation_fill(c, &s);
        for (size_t i = 0; i < s.incident_count; i++) {
            const exh_incident *in = &s.incidents[i];
            if (!in->story || in->finding_count > n)
                abort();
            for (size_t j = 0; j < in->finding_count; j++) {
                if (!known_id(in->findings[j], n))
                    abort();
            }
        }
        for (int l = 0; l < EXH_PIVOT__COUNT; l++) {
            for (size_t i = 0; i < s.pivot_count[l]; i++) {
                const exh_pivot_item *it = &s.pivot[l][i];
                if (!it->value || !*it->value)
                    abort();
                for (size_t j = 0; j < it->finding_count; j++) {
                    if (!known_id(it->findings[j], n))
                        abort();
                }
            }
        }
        correlation_free(c);
    }
    for (size_t i = 0; i < n; i++)
        exh_free(values[i]);
    return 0;
}
