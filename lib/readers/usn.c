/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usn.c - our reader of the NTFS change journal, $Extend/$UsnJrnl:$J, by
 * Microsoft's published layouts (USN_RECORD_V2, USN_RECORD_V3,
 * USN_RECORD_V4: learn.microsoft.com/windows/win32/api/winioctl/). The
 * stream is mostly sparse: everything before the oldest record kept reads
 * as zeros, and pages end in zero padding, so zero runs are stepped over a
 * word at a time. Records are 8-byte aligned; one that fails a check (a
 * length that is not a multiple of 8, under the fixed part or over 64 KiB,
 * an unknown version, a name outside the record) is stepped over 8 bytes
 * at a time until a record starts again. Streaming, bounded buffer.
 */
#include "readers/ntfsmeta.h"

#include <string.h>

#define USN_MAX_RECORD 65536
#define USN_CHUNK      (1u << 20)

/* Parses the record at p (len bytes available, at least 8) into *r.
 * Returns its length, 0 when it is a V4 record (length in *skip), or -1
 * when the bytes are no record. */
static long usn_parse(const unsigned char *p, size_t len, usn_record *r,
                      char *name, size_t name_cap, size_t *skip)
{
    uint32_t rlen = le32(p);
    uint16_t major = le16(p + 4);
    size_t fixed, noff, nlen;

    if (rlen % 8 != 0 || rlen > USN_MAX_RECORD || rlen > len)
        return -1;
    memset(r, 0, sizeof(*r));
    if (major == 2) {
        fixed = 60;
        if (rlen < fixed)
            return -1;
        r->file_ref = le64(p + 8);
        r->parent_ref = le64(p + 16);
        r->usn = (int64_t)le64(p + 24);
        r->time_ms = ntfsmeta_filetime_ms(le64(p + 32));
        r->reason = le32(p + 40);
        r->attributes = le32(p + 52);
        nlen = le16(p + 56);
        noff = le16(p + 58);
    } else if (major == 3) {
        fixed = 76;
        if (rlen < fixed)
            return -1;
        r->file_ref = le64(p + 8); // low half of the 128-bit id
        r->parent_ref = le64(p + 24);
        r->usn = (int64_t)le64(p + 40);
        r->time_ms = ntfsmeta_filetime_ms(le64(p + 48));
        r->reason = le32(p + 56);
        r->attributes = le32(p + 68);
        nlen = le16(p + 72);
        noff = le16(p + 74);
    } else if (major == 4) {
        // Range-tracking record: extents of changed data, no name.
        if (rlen < 64)
            return -1;
        *skip = rlen;
        return 0;
    } else {
        return -1;
    }
    if (nlen % 2 != 0 || noff < fixed || noff > rlen || nlen > rlen - noff)
        return -1;
    r->major = major;
    r->name_len = ntfsmeta_utf16(p + noff, nlen / 2, name, name_cap);
    r->name = name;
    return (long)rlen;
}

exh_status usn_read(stream *in, usn_record_cb cb, void *user, usn_stats *stats)
{
    size_t cap = USN_CHUNK + USN_MAX_RECORD;
    unsigned char *data = exh_malloc(cap);
    size_t name_cap = 3 * (USN_MAX_RECORD / 2) + 8;
    char *name = exh_malloc(name_cap);
    size_t len = 0, pos = 0;
    bool eof = false, stop = false;
    exh_status st = EXH_OK;

    memset(stats, 0, sizeof(*stats));
    if (!data || !name) {
        st = EXH_ERR_NOMEM;
        goto out;
    }
    while (!stop) {
        // Keep at least one whole record ahead, unless the input ended.
        if (!eof && len - pos < USN_MAX_RECORD) {
            memmove(data, data + pos, len - pos);
            len -= pos;
            pos = 0;
            while (!eof && len < cap) {
                ssize_t n = in->read(in, data + len, cap - len);
                if (n < 0) {
                    st = EXH_ERR_IO;
                    goto out;
                }
                if (n == 0)
                    eof = true;
                len += (size_t)n;
            }
        }
        if (len - pos < 8) {
            stats->truncated = len - pos > 0 && data[pos] != 0;
            break;
        }
        // Zero runs (sparse start, page padding): a word at a time.
        if (le64(data + pos) == 0) {
            static const unsigned char zeros[256];
            size_t from = pos;
            while (pos + sizeof(zeros) <= len &&
                   memcmp(data + pos, zeros, sizeof(zeros)) == 0)
                pos += sizeof(zeros);
            while (pos + 8 <= len && le64(data + pos) == 0)
                pos += 8;
            stats->zero_bytes += pos - from;
            continue;
        }
        usn_record r;
        size_t skip = 0;
        long n = usn_parse(data + pos, len - pos, &r, name, name_cap, &skip);
        if (n < 0) {
            uint32_t rlen = le32(data + pos);
            if (eof && rlen % 8 == 0 && rlen >= 60 && rlen <= USN_MAX_RECORD &&
                rlen > len - pos &&
                (le16(data + pos + 4) == 2 || le16(data + pos + 4) == 3)) {
                stats->truncated = true; // cut inside its last record
                break;
            }
            stats->bad++;
            pos += 8;
            continue;
        }
        if (n == 0) {
            stats->v4++;
            pos += skip;
            continue;
        }
        stats->records++;
        pos += (size_t)n;
        if (!cb(user, &r))
            stop = true;
    }
out:
    exh_free(data);
    exh_free(name);
    return st;
}
