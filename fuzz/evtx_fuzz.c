/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evtx_fuzz.c - feeds bytes to the EVTX reader. Input that starts with the
 * file signature is read as a file (in reads of odd sizes); any other input
 * is laid into one chunk, padded with zeros, its header checksum made right
 * so that the binary XML behind it is what gets fuzzed. Aborts when a
 * record breaks the reader's promises (NUL-terminated, lengths exact).
 * Each record also goes through winproc (Security 4688 as
 * process_creation), whose added fields keep the same promises.
 */
#include "internal.h"
#include "mem_stream.h"
#include "readers/evtx.h"

#include <stdlib.h>
#include <string.h>

static void check_event(const event *ev)
{
    for (size_t i = 0; i < ev->count; i++)
        if (strlen(ev->values[i]) > ev->lens[i] || !ev->names[i])
            abort();
    if (strlen(ev->raw) > ev->raw_len)
        abort();
}

static bool touch(void *user, const evtx_record *r)
{
    check_event(r->ev);
    if (!r->channel)
        abort();
    const event *ev = winproc_event(user, r->ev, r->channel,
                                    event_get(r->ev, "EventID", NULL));
    if (ev != r->ev)
        check_event(ev);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static evtx *r;
    static winproc *proc;
    static unsigned char *chunk;
    if (!r && evtx_new(&r) != EXH_OK)
        abort();
    if (!proc && winproc_new(&proc) != EXH_OK)
        abort();
    winproc_reset(proc);
    if (!chunk && !(chunk = malloc(EVTX_CHUNK_BYTES)))
        abort();
    evtx_stats st = {0};
    if (evtx_magic(data, size)) {
        mem_stream m;
        mem_stream_init(&m, data, size, 40000, 0);
        if (evtx_read(r, &m.s, touch, proc, &st) != EXH_OK)
            abort();
        return 0;
    }
    size_t n = size < EVTX_CHUNK_BYTES ? size : EVTX_CHUNK_BYTES;
    memset(chunk, 0, EVTX_CHUNK_BYTES);
    memcpy(chunk, data, n);
    if (n >= 8 && memcmp(chunk, "ElfChnk", 7) == 0) {
        uint32_t crc = evtx_crc32(0, chunk, 120);
        crc = evtx_crc32(crc, chunk + 128, 512 - 128);
        memcpy(chunk + 124, &crc, 4); // little-endian hosts
    }
    evtx_read_chunk(r, chunk, touch, proc, &st);
    return 0;
}
