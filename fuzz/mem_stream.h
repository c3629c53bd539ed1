/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mem_stream.h - the stream the harnesses of streaming readers (csvlog,
 * evtx, usn, mft) feed their input through: the fuzz bytes, served in
 * reads of at most step bytes (odd sizes, so that records straddle
 * reads), after pad zero bytes (the sparse start of a $J).
 */
#ifndef EXH_FUZZ_MEM_STREAM_H
#define EXH_FUZZ_MEM_STREAM_H

#include "internal.h"

#include <string.h>

typedef struct mem_stream {
    stream s;
    const uint8_t *data;
    size_t len, pos, step, pad;
} mem_stream;

static ssize_t mem_stream_read(stream *s, void *dst, size_t len)
{
    mem_stream *m = s->ctx;
    size_t n;
    if (m->pad) {
        n = m->pad < len ? m->pad : len;
        memset(dst, 0, n);
        m->pad -= n;
        return (ssize_t)n;
    }
    n = m->len - m->pos < len ? m->len - m->pos : len;
    n = n < m->step ? n : m->step;
    memcpy(dst, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

/* Sets m up to serve pad zeros, then data (len bytes), step at a time. */
static void mem_stream_init(mem_stream *m, const uint8_t *data, size_t len,
                            size_t step, size_t pad)
{
    memset(m, 0, sizeof(*m));
    m->s.read = mem_stream_read;
    m->s.ctx = m;
    m->data = data;
    m->len = len;
    m->step = step;
    m->pad = pad;
}

#endif
