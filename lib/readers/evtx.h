/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evtx.h - the reader of Windows event log files (.evtx), our own (see
 * readers/evtx.c and docs/internals/evtx.md). Each record is handed over
 * as an event of named fields, the form Sigma rules see.
 */
#ifndef EXH_EVTX_H
#define EXH_EVTX_H

#include "internal.h"

#define EVTX_CHUNK_BYTES  65536 /* one chunk: header, records, caches */
#define EVTX_HEADER_BYTES 4096  /* the file header block */

typedef struct evtx evtx;

/* One record as the callback sees it; everything is borrowed and valid
 * until the callback returns. */
typedef struct evtx_record {
    uint64_t record_id;   /* EventRecordID of the record header */
    uint64_t filetime;    /* record header time: 100-ns ticks since 1601 */
    int64_t time_ms;      /* TimeCreated (else the header time), Unix ms */
    const char *channel;  /* the Channel field, "" when absent */
    const char *computer; /* the Computer field, "" when absent */
    const event *ev;      /* every field (see docs/internals/evtx.md) */
    bool truncated;       /* a limit cut the record: some fields missing */
} evtx_record;

/* Called once per record. Return false to stop reading. */
typedef bool (*evtx_record_cb)(void *user, const evtx_record *r);

typedef struct evtx_stats {
    uint64_t records;       /* records handed to the callback */
    uint64_t bad_records;   /* records that could not be read */
    uint64_t chunks;        /* chunks whose records were read */
    uint64_t bad_chunks;    /* chunks skipped: signature, checksum, size */
    uint64_t empty_chunks;  /* never-used chunks (all zero) */
    uint64_t bad_checksums; /* chunks whose record checksum failed (read) */
    bool not_evtx;          /* the input does not start with ElfFile */
    bool dirty;             /* the file was not closed cleanly */
} evtx_stats;

/* True when head (len bytes) starts with the EVTX file signature. */
bool evtx_magic(const void *head, size_t len);

exh_status evtx_new(evtx **out);
void evtx_free(evtx *reader);

/* Reads in to its end, calling cb per record. Memory stays flat: one
 * chunk is held at a time. Returns EXH_ERR_IO on a read error,
 * EXH_ERR_NOMEM when out of memory, else EXH_OK (damage is counted in
 * stats, which the caller zeroes). */
exh_status evtx_read(evtx *reader, stream *in, evtx_record_cb cb, void *user,
                     evtx_stats *stats);

/* Reads one chunk already in memory (EVTX_CHUNK_BYTES bytes); for tests
 * and the fuzz harness. Returns false when the chunk was skipped. */
bool evtx_read_chunk(evtx *reader, const unsigned char *chunk,
                     evtx_record_cb cb, void *user, evtx_stats *stats);

/* CRC-32 (IEEE, as EVTX and zip use) of len bytes, continuing from crc
 * (0 to start). */
uint32_t evtx_crc32(uint32_t crc, const void *data, size_t len);

#endif
