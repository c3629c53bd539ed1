/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mft.c - our reader of a standalone $MFT, as KAPE and Velociraptor copy
 * it: a sequence of fixed-size FILE records (1024 bytes on every Windows
 * volume, 4096 on some 4Kn disks; the first record's header says). Each
 * record's update sequence fixups are checked and applied, then its
 * resident attributes read: $STANDARD_INFORMATION (times, security id),
 * $FILE_NAME (the long name, the parent folder, its times), a resident
 * $SECURITY_DESCRIPTOR (ntfs-3g, NTFS 1.x) and the size of the unnamed
 * $DATA. Extension records and $ATTRIBUTE_LIST are not followed: the base
 * record holds $SI and the first names (docs/internals/triage.md).
 * Streaming, with one record in memory; all input is untrusted.
 */
#include "readers/ntfsmeta.h"

#include <errno.h>
#include <string.h>

#define MFT_DEFAULT_RECORD 1024
#define MFT_MAX_ATTRS      256 /* attributes looked at per record */
#define MFT_NAME_CAP       1024
#define MFT_BATCH          (1u << 20) /* bytes read at once */

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int64_t ntfsmeta_filetime_ms(uint64_t ticks)
{
    if (ticks == 0)
        return INT64_MIN;
    return (int64_t)(ticks / 10000u) - 11644473600000LL;
}

size_t ntfsmeta_utf16(const unsigned char *p, size_t count, char *out,
                      size_t cap)
{
    size_t n = 0;

    for (size_t i = 0; i < count && n + 4 < cap; i++) {
        uint32_t c = le16(p + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < count) {
            uint32_t lo = le16(p + 2 * i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                c = 0xFFFD;
            }
        } else if ((c >= 0xD800 && c <= 0xDFFF) || c == 0) {
            c = 0xFFFD;
        }
        n += util_utf8_put(c, out + n);
    }
    if (cap)
        out[n] = '\0';
    return n;
}

/* Checks and applies the update sequence fixups of a record: the last two
 * bytes of each 512-byte sector hold the sequence number, the real bytes
 * are in the array. False when they do not match (a torn write). */
static bool mft_fixups(unsigned char *rec, size_t len)
{
    size_t off = le16(rec + 4), count = le16(rec + 6);

    if (count < 2 || off < 8 || off + 2 * count > len ||
        (count - 1) * 512 > len)
        return false;
    uint16_t usn = le16(rec + off);
    for (size_t i = 1; i < count; i++) {
        unsigned char *end = rec + i * 512 - 2;
        if (le16(end) != usn)
            return false;
        memcpy(end, rec + off + 2 * i, 2);
    }
    return true;
}

static void mft_times(const unsigned char *v, int64_t out[4])
{
    for (int i = 0; i < 4; i++)
        out[i] = ntfsmeta_filetime_ms(le64(v + 8 * i));
}

/* Takes one resident attribute's value (type, v, vlen, name_len of the
 * attribute itself) into out. */
static void mft_attr(mft_record *out, uint32_t type, const unsigned char *v,
                     size_t vlen, unsigned attr_name_len, char *name_buf,
                     size_t name_cap, bool *name_dos)
{
    if (type == 0x10 && vlen >= 32) {
        mft_times(v, out->si);
        if (vlen >= 0x38)
            out->security_id = le32(v + 0x34);
    } else if (type == 0x30 && vlen >= 66) {
        size_t nlen = v[64];
        unsigned ns = v[65];
        if (66 + 2 * nlen > vlen)
            return;
        // The DOS 8.3 name only when nothing better comes.
        if (out->has_fn && (ns == 2 || !*name_dos))
            return;
        out->has_fn = true;
        *name_dos = ns == 2;
        out->parent_ref = le64(v);
        mft_times(v + 8, out->fn);
        out->name_len = ntfsmeta_utf16(v + 66, nlen, name_buf, name_cap);
        out->name = name_buf;
    } else if (type == 0x50 && vlen >= 20) {
        out->sd = v;
        out->sd_len = vlen;
    } else if (type == 0x80 && attr_name_len == 0) {
        out->size = vlen;
    }
}

int mft_parse_record(unsigned char *rec, size_t len, uint64_t number,
                     mft_record *out, char *name_buf, size_t name_cap,
                     bool *extension)
{
    bool name_dos = false;

    *extension = false;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 4; i++)
        out->si[i] = out->fn[i] = INT64_MIN;
    out->number = number;
    name_buf[0] = '\0';
    out->name = name_buf;
    if (len < 48 || memcmp(rec, "FILE", 4) != 0)
        return 0;
    if (!mft_fixups(rec, len))
        return -1;
    if (le64(rec + 0x20) != 0) {
        *extension = true;
        return 0;
    }
    uint16_t flags = le16(rec + 0x16);
    out->seq = le16(rec + 0x10);
    out->in_use = flags & 1;
    out->dir = (flags & 2) != 0;
    size_t used = le32(rec + 0x18), off = le16(rec + 0x14);
    if (used > len)
        used = len;
    for (int n = 0; n < MFT_MAX_ATTRS && off + 8 <= used; n++) {
        const unsigned char *a = rec + off;
        uint32_t type = le32(a);
        if (type == 0xFFFFFFFFu)
            return 1;
        size_t alen = le32(a + 4);
        if (alen < 16 || alen > used - off || (alen & 7) != 0)
            return -1;
        unsigned attr_name_len = a[9];
        if (a[8] == 0) {
            if (alen < 24)
                return -1;
            size_t vlen = le32(a + 16), voff = le16(a + 20);
            if (voff > alen || vlen > alen - voff)
                return -1;
            mft_attr(out, type, a + voff, vlen, attr_name_len, name_buf,
                     name_cap, &name_dos);
        } else if (type == 0x80 && attr_name_len == 0 && alen >= 56 &&
                   le64(a + 16) == 0) {
            // The first extent of a non-resident $DATA holds the size.
            out->size = le64(a + 48);
        }
        off += alen;
    }
    return 1;
}

/* Reads exactly len bytes unless the input ends; the count read, or -1. */
static ssize_t mft_fill(stream *in, unsigned char *dst, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = in->read(in, dst + done, len - done);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

exh_status mft_read(stream *in, mft_record_cb cb, void *user, mft_stats *stats)
{
    // Records are read a batch at a time (the batch is a multiple of every
    // record size), then parsed in place.
    unsigned char *batch = exh_malloc(MFT_BATCH);
    char *name = exh_malloc(MFT_NAME_CAP);
    exh_status st = EXH_OK;
    size_t size = MFT_DEFAULT_RECORD, have;
    uint64_t number = 0;
    ssize_t got;

    memset(stats, 0, sizeof(*stats));
    if (!batch || !name) {
        st = EXH_ERR_NOMEM;
        goto out;
    }
    // The first record's header names the record size.
    got = mft_fill(in, batch, MFT_DEFAULT_RECORD);
    if (got < 0) {
        st = EXH_ERR_IO;
        goto out;
    }
    have = (size_t)got;
    if (got >= 48 && memcmp(batch, "FILE", 4) == 0) {
        uint32_t alloc = le32(batch + 0x1C);
        if (alloc >= 512 && alloc <= 65536 && (alloc & (alloc - 1)) == 0)
            size = alloc;
    }
    stats->record_size = (uint32_t)size;
    bool more = have == MFT_DEFAULT_RECORD;
    for (bool stop = false; !stop;) {
        if (more) {
            got = mft_fill(in, batch + have, MFT_BATCH - have);
            if (got < 0) {
                st = EXH_ERR_IO;
                break;
            }
            more = (size_t)got == MFT_BATCH - have;
            have += (size_t)got;
        }
        size_t off = 0;
        for (; off + size <= have && !stop; off += size, number++) {
            mft_record r;
            bool ext;
            int k = mft_parse_record(batch + off, size, number, &r, name,
                                     MFT_NAME_CAP, &ext);
            if (k < 0)
                stats->bad++;
            else if (k == 0 && ext)
                stats->extensions++;
            else if (k == 0)
                stats->empty++;
            else {
                stats->records++;
                stop = !cb(user, &r);
            }
        }
        if (!more) {
            if (!stop && off < have)
                stats->bad++; // the input ends inside a record
            break;
        }
        have = 0;
    }
out:
    exh_free(batch);
    exh_free(name);
    return st;
}
