/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mft_fuzz.c - feeds bytes to the $MFT reader (readers/mft.c): first as a
 * whole $MFT stream, in reads of odd sizes, which exercises the record
 * size and the update sequence checks; then laid into four 1024-byte
 * records whose fixups the harness makes right, parsed one by one and
 * read as a $MFT, so that the attribute parsing behind the fixups and the
 * joining of extension records to a base with an $ATTRIBUTE_LIST (base
 * references, lists naming records, loops) are what gets fuzzed. Aborts
 * when a record breaks the reader's promises (a UTF-8 name of exactly
 * name_len bytes, a descriptor inside the record, at most MFT_MAX_NAMES
 * names, a name count that matches the hand-overs).
 */
#include "internal.h"
#include "mem_stream.h"
#include "readers/ntfsmeta.h"

#include <stdlib.h>
#include <string.h>

#define RECORDS 4

typedef struct seen {
    uint64_t number, calls;
    uint32_t names;
} seen;

static bool check(void *user, const mft_record *r)
{
    seen *s = user;
    if (!r->name || strlen(r->name) != r->name_len)
        abort();
    if (r->sd && r->sd_len < 20)
        abort();
    if (r->names > MFT_MAX_NAMES || r->has_fn != (r->names != 0))
        abort();
    if (s) {
        // Every name of a file comes in a row, names times in all.
        if (s->calls && s->number == r->number && s->calls < s->names)
            s->calls++;
        else if (s->calls && s->calls != s->names)
            abort();
        else {
            s->number = r->number;
            s->names = r->names ? r->names : 1;
            s->calls = 1;
        }
    }
    char sid[192];
    if (r->sd)
        (void)ntfs_sd_owner(r->sd, r->sd_len, sid, sizeof(sid));
    return true;
}

/* Lays data into a 1024-byte record rec whose fixups are right: the first
 * 0x30 bytes are a header, the update sequence array sits at 0x30. */
static void make_record(unsigned char *rec, const uint8_t *data, size_t size)
{
    memset(rec, 0, 1024);
    memcpy(rec, "FILE", 4);
    size_t n = size < 1024 - 4 ? size : 1024 - 4;
    memcpy(rec + 4, data, n);
    rec[4] = 0x30;
    rec[5] = 0;
    rec[6] = 3;
    rec[7] = 0;
    memcpy(rec + 0x32, rec + 510, 2);
    memcpy(rec + 0x34, rec + 1022, 2);
    rec[510] = rec[1022] = rec[0x30];
    rec[511] = rec[1023] = rec[0x31];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char recs[RECORDS * 1024];
    static mft_parsed p;
    mem_stream m;
    mft_stats st;

    mem_stream_init(&m, data, size, 777, 0);
    (void)mft_read(&m.s, check, NULL, &st);

    // Up to four records cut from the input, each with its fixups made
    // right (a record's size field is forced to 1024).
    size_t each = size / RECORDS + 1;
    for (size_t k = 0; k < RECORDS; k++) {
        size_t from = k * each < size ? k * each : size;
        size_t n = size - from < each ? size - from : each;
        unsigned char *rec = recs + 1024 * k;
        make_record(rec, data + from, n);
        rec[0x1C] = 0;
        rec[0x1D] = 4;
        rec[0x1E] = rec[0x1F] = 0;
    }
    seen s = {0, 0, 0};
    mem_stream_init(&m, recs, sizeof(recs), 1024, 0);
    (void)mft_read(&m.s, check, &s, &st);
    if (s.calls && s.calls != s.names)
        abort();

    make_record(recs, data, size);
    if (mft_parse_record(recs, 1024, 7, &p) > 0) {
        if (p.name_count > MFT_MAX_NAMES)
            abort();
        for (size_t i = 0; i < p.name_count; i++)
            if (strlen(p.names[i].name) != p.names[i].len)
                abort();
        (void)check(NULL, &p.r);
    }
    return 0;
}
