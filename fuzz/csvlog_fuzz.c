/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvlog_fuzz.c - feeds bytes to the CSV log reader as every family (up to
 * FAM__COUNT: IIS and RPS too), in reads of at most 7 bytes with a 64-byte
 * record limit, looks up a few taxonomy names, splits every record with
 * csvlog_event(), reads every name and value, and aborts when one breaks
 * the reader's promises (bounded, NUL-terminated, lengths exact). IIS is
 * also read under a pre-filter with field clauses (positive, negative, a
 * field sequence), so records that pass the literal gate have their fields
 * located by the current header.
 */
#include "internal.h"
#include "mem_stream.h"

#include <stdlib.h>
#include <string.h>

static bool touch(void *user, csvlog *r, const logrec *rec)
{
    static const char *const names[] = {"cs-user-agent", "cs-uri-stem",
                                        "sc-status", "Field3", "c-ip"};
    size_t len;
    const event *ev = csvlog_event(r, rec);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = event_get(ev, names[i], &len); // lazy, then split
        if (v && strlen(v) != len)
            abort();
    }
    for (size_t i = 0; i < ev->count; i++)
        if (!*ev->names[i] || strlen(ev->values[i]) != ev->lens[i])
            abort();
    if (rec->len > 64 || rec->text[rec->len] != '\0' || ev->raw != rec->text)
        abort();
    (void)user;
    return true;
}

/* A filter over "aspx" and "401" for two rules: the first needs a
 * "/owa/...aspx" stem that is not the stock logon page, the second a 401
 * status. */
static prefilter *field_filter(void)
{
    static const char *const lits[] = {"aspx", "401"};
    static const size_t rule_at[] = {0, 1, 2}, clause_at[] = {0, 1, 2};
    static const uint32_t ids[] = {0, 1};
    static const size_t rule_fc[] = {0, 2, 3}, fc_lit[] = {0, 1, 2, 3};
    static const char *const names[] = {"cs-uri-stem", "CS-URI-STEM",
                                        "sc-status"};
    static const bool neg[] = {false, true, false};
    static const char *const flits[] = {"/owa/\x1f.aspx",
                                        "/owa/auth/logon.aspx", "401"};
    prefilter *pf = NULL;
    if (prefilter_new(lits, 2, &pf) != EXH_OK)
        abort();
    prefilter_set_separator(pf, ' ');
    if (prefilter_set_gate(pf, 2, rule_at, clause_at, ids, NULL, true) !=
            EXH_OK ||
        prefilter_set_field_clauses(pf, 2, rule_fc, names, neg, fc_lit,
                                    flits) != EXH_OK)
        abort();
    return pf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static csvlog *gated;
    static prefilter *pf;
    if (!gated) {
        pf = field_filter();
        if (csvlog_new(FAM_IIS, 64, &gated) != EXH_OK)
            abort();
        csvlog_set_prefilter(gated, pf, true);
    }
    mem_stream g;
    mem_stream_init(&g, data, size, 7, 0);
    if (csvlog_read(gated, &g.s, touch, NULL, NULL) != EXH_OK)
        abort();
    static csvlog *readers[FAM__COUNT];
    for (int f = FAM_NONE + 1; f < FAM__COUNT; f++) {
        mem_stream m;
        mem_stream_init(&m, data, size, 7, 0);
        if (!readers[f] && csvlog_new(f, 64, &readers[f]) != EXH_OK)
            abort();
        if (csvlog_read(readers[f], &m.s, touch, NULL, NULL) != EXH_OK)
            abort();
    }
    return 0;
}
