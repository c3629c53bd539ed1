/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ntfs.c - NTFS structures exhunt interprets itself, beside what The
 * Sleuth Kit reads: the owner of a self-relative security descriptor (an
 * ntfs-3g volume keeps one per file in a $SECURITY_DESCRIPTOR attribute,
 * where Windows shares them through $Secure:$SDS, which TSK reads) and
 * the names of well-known SIDs. All input is untrusted: every offset and
 * count is checked against the bytes given.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ntfs_sid_text(const unsigned char *sid, size_t len, char *out,
                   size_t out_len)
{
    uint64_t authority = 0;
    size_t used;
    int n;

    if (len < 8 || out_len < 32 || sid[0] != 1 || sid[1] > 15 ||
        len < 8 + 4 * (size_t)sid[1])
        return false;
    for (int i = 2; i < 8; i++)
        authority = authority << 8 | sid[i];
    n = snprintf(out, out_len, "S-1-%llu", (unsigned long long)authority);
    if (n < 0 || (size_t)n >= out_len)
        return false;
    used = (size_t)n;
    for (unsigned i = 0; i < sid[1]; i++) {
        n = snprintf(out + used, out_len - used, "-%lu",
                     (unsigned long)le32(sid + 8 + 4 * i));
        if (n < 0 || (size_t)n >= out_len - used)
            return false;
        used += (size_t)n;
    }
    return true;
}

bool ntfs_sd_owner(const unsigned char *sd, size_t len, char *out,
                   size_t out_len)
{
    uint32_t off;

    // Revision 1, then Sbz1, Control, and the owner's offset at 4.
    if (len < 20 || sd[0] != 1)
        return false;
    off = le32(sd + 4);
    if (off < 20 || off >= len)
        return false;
    return ntfs_sid_text(sd + off, len - off, out, out_len);
}

const char *ntfs_sid_name(const char *sid)
{
    static const char *const known[][2] = {
        {"S-1-1-0", "Everyone"},
        {"S-1-3-0", "CREATOR OWNER"},
        {"S-1-5-17", "IUSR"},
        {"S-1-5-18", "SYSTEM"},
        {"S-1-5-19", "LOCAL SERVICE"},
        {"S-1-5-20", "NETWORK SERVICE"},
        {"S-1-5-32-544", "Administrators"},
        {"S-1-5-32-545", "Users"},
        {"S-1-5-32-568", "IIS_IUSRS"},
        {"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
         "TrustedInstaller"},
    };

    for (size_t i = 0; sid && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(sid, known[i][0]) == 0)
            return known[i][1];
    return NULL;
}

/* One security descriptor of $Secure:$SDS. */
typedef struct sds_item {
    uint32_t id;
    uint32_t len;
    size_t off; /* of the descriptor (after the 20-byte entry header) */
} sds_item;

struct ntfs_sds {
    unsigned char *data; /* owned */
    size_t len;
    sds_item *items;
    size_t count;
};

static int sds_cmp(const void *a, const void *b)
{
    uint32_t x = ((const sds_item *)a)->id, y = ((const sds_item *)b)->id;
    return x < y ? -1 : x > y;
}

/*
 * $SDS is a sequence of 16-byte aligned entries: hash (4), security id
 * (4), the entry's own offset in the stream (8), its length with the
 * header (4), then the descriptor. Every 256 KiB block is followed by a
 * mirror copy whose entries still name the first copy's offset, so an
 * entry counts only where its own offset says it is: anything else (the
 * mirror, free space, damage) is stepped over 16 bytes at a time.
 */
ntfs_sds *ntfs_sds_parse(unsigned char *data, size_t len)
{
    ntfs_sds *s = exh_calloc(1, sizeof(*s));
    size_t cap = 0, pos = 0;

    if (!s) {
        exh_free(data);
        return NULL;
    }
    s->data = data;
    s->len = len;
    while (data && pos + 20 <= len) {
        uint64_t self = le64(data + pos + 8);
        uint32_t id = le32(data + pos + 4);
        uint32_t elen = le32(data + pos + 16);
        if (self != pos || id == 0 || elen <= 20 || elen > len - pos) {
            pos += 16;
            continue;
        }
        if (s->count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            sds_item *items = exh_realloc(s->items, ncap * sizeof(*items));
            if (!items)
                break;
            s->items = items;
            cap = ncap;
        }
        s->items[s->count++] = (sds_item){id, elen - 20, pos + 20};
        pos += ((size_t)elen + 15) & ~(size_t)15;
    }
    if (s->count)
        qsort(s->items, s->count, sizeof(*s->items), sds_cmp);
    return s;
}

bool ntfs_sds_owner(const ntfs_sds *s, uint32_t id, char *out, size_t out_len)
{
    sds_item key = {id, 0, 0};
    const sds_item *it;

    if (!s || !s->count)
        return false;
    it = bsearch(&key, s->items, s->count, sizeof(*s->items), sds_cmp);
    return it && ntfs_sd_owner(s->data + it->off, it->len, out, out_len);
}

size_t ntfs_sds_count(const ntfs_sds *s)
{
    return s ? s->count : 0;
}

void ntfs_sds_free(ntfs_sds *s)
{
    if (!s)
        return;
    exh_free(s->data);
    exh_free(s->items);
    exh_free(s);
}
