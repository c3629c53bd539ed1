/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evtx_dump.c - a test helper: prints each record our EVTX reader reads as
 * one JSON line {"record":ID,"ticks":FILETIME,"fields":[[name,value],...]}
 * and a last line {"stats":{...}}, for tests/evtx_reference.py.
 */
#include "internal.h"
#include "readers/evtx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static ssize_t fd_read(stream *s, void *dst, size_t len)
{
    ssize_t n;
    do
        n = read(*(int *)s->ctx, dst, len);
    while (n < 0 && errno == EINTR);
    return n;
}

static bool on_record(void *user, const evtx_record *r)
{
    buf *b = user;
    buf_reset(b);
    buf_printf(b, "{\"record\":%llu,\"ticks\":%llu,\"fields\":[",
               (unsigned long long)r->record_id,
               (unsigned long long)r->filetime);
    for (size_t i = 0; i < r->ev->count; i++) {
        buf_puts(b, i ? ",[" : "[");
        json_string(b, r->ev->names[i], strlen(r->ev->names[i]));
        buf_putc(b, ',');
        json_string(b, r->ev->values[i], r->ev->lens[i]);
        buf_putc(b, ']');
    }
    buf_puts(b, "]}\n");
    fwrite(b->data, 1, b->len, stdout);
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: evtx_dump FILE.evtx\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    stream in = {fd_read, &fd, NULL};
    evtx *r;
    if (evtx_new(&r) != EXH_OK)
        return 1;
    buf b;
    buf_init(&b, (size_t)64 << 20);
    evtx_stats st = {0};
    exh_status rc = evtx_read(r, &in, on_record, &b, &st);
    printf("{\"stats\":{\"records\":%llu,\"bad_records\":%llu,\"chunks\":%llu,"
           "\"bad_chunks\":%llu,\"empty_chunks\":%llu,\"bad_checksums\":%llu,"
           "\"not_evtx\":%s,\"dirty\":%s}}\n",
           (unsigned long long)st.records, (unsigned long long)st.bad_records,
           (unsigned long long)st.chunks, (unsigned long long)st.bad_chunks,
           (unsigned long long)st.empty_chunks,
           (unsigned long long)st.bad_checksums, st.not_evtx ? "true" : "false",
           st.dirty ? "true" : "false");
    buf_free(&b);
    evtx_free(r);
    close(fd);
    return rc == EXH_OK ? 0 : 1;
}
