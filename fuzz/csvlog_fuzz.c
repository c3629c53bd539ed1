/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvlog_fuzz.c - feeds bytes to the CSV log reader as every family (up to
 * FAM__COUNT: IIS and RPS too), in reads of at most 7 bytes with a 64-byte
 * record limit, looks up a few taxonomy names, splits every record with
 * csvlog_event(), reads every name and value, and aborts when one breaks
 * the reader's promises (bounded, NUL-terminated, lengths exact).
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
