/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mft_fuzz.c - feeds bytes to the $MFT reader (readers/mft.c): first as a
 * whole $MFT stream, in reads of odd sizes, which exercises the record
 * size and the update sequence checks; then laid into one 1024-byte
 * record whose fixups the harness makes right, so that the attribute
 * parsing behind them is what gets fuzzed. Aborts when a record breaks the
 * reader's promises (a UTF-8 name of exactly name_len bytes, a descriptor
 * inside the record).
 */
#include "internal.h"
#include "readers/ntfsmeta.h"

#include <stdlib.h>
#include <string.h>

typedef struct mem {
    stream s;
    const uint8_t *data;
    size_t len, pos;
} mem;

static ssize_t mem_read(stream *s, void *dst, size_t len)
{
    mem *m = s->ctx;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;
    n = n < 777 ? n : 777;
    memcpy(dst, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static bool check(void *user, const mft_record *r)
{
    (void)user;
    if (!r->name || strlen(r->name) != r->name_len)
        abort();
    if (r->sd && r->sd_len < 20)
        abort();
    char sid[192];
    if (r->sd)
        (void)ntfs_sd_owner(r->sd, r->sd_len, sid, sizeof(sid));
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mem m = {{mem_read, NULL, NULL}, data, size, 0};
    m.s.ctx = &m;
    mft_stats st;
    (void)mft_read(&m.s, check, NULL, &st);

    // One record with fixups made right: the first 0x30 bytes are a
    // header, the update sequence array sits at 0x30.
    unsigned char rec[1024];
    char name[1024];
    memset(rec, 0, sizeof(rec));
    memcpy(rec, "FILE", 4);
    size_t n = size < sizeof(rec) - 4 ? size : sizeof(rec) - 4;
    memcpy(rec + 4, data, n);
    rec[4] = 0x30;
    rec[5] = 0;
    rec[6] = 3;
    rec[7] = 0;
    memcpy(rec + 0x32, rec + 510, 2);
    memcpy(rec + 0x34, rec + 1022, 2);
    rec[510] = rec[1022] = rec[0x30];
    rec[511] = rec[1023] = rec[0x31];
    mft_record r;
    bool ext;
    if (mft_parse_record(rec, sizeof(rec), 7, &r, name, sizeof(name), &ext) > 0)
        (void)check(NULL, &r);
    return 0;
}
