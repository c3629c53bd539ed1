/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mft.c - our reader of a standalone $MFT, as KAPE and Velociraptor copy
 * it: a sequence of fixed-size FILE records (1024 bytes on every Windows
 * volume, 4096 on some 4Kn disks; the first record's header says). Each
 * record's update sequence fixups are checked and applied, then its
 * resident attributes read: $STANDARD_INFORMATION (times, security id),
 * $FILE_NAME (the long name, the parent folder, its times), a resident
 * $SECURITY_DESCRIPTOR (ntfs-3g, NTFS 1.x) and the size of the unnamed
 * $DATA. When a file's attributes do not fit in its base record, NTFS
 * moves some ($FILE_NAMEs of a file with many hard links, the $DATA of a
 * fragmented or many-stream file) to extension records that name the base
 * record, and lists where each is in the base's $ATTRIBUTE_LIST: such a
 * base is held until the end of the $MFT, the names and sizes of
 * extension records are gathered by their base reference, and the two are
 * joined then (docs/internals/triage.md). Streaming: one batch of records
 * in memory, plus what is gathered for files with a list (bounded).
 * All input is untrusted.
 */
#include "readers/ntfsmeta.h"

#include <string.h>

#include <stdlib.h>

#define MFT_DEFAULT_RECORD 1024
#define MFT_MAX_ATTRS      256         /* attributes looked at per record */
#define MFT_BATCH          (1u << 20)  /* bytes read at once */
#define MFT_MAX_HELD       (1u << 16)  /* files with a list held to the end */
#define MFT_MAX_FACTS      (1u << 18)  /* names and sizes gathered */
#define MFT_MAX_TEXT       (16u << 20) /* bytes of names and descriptors */
#define MFT_MAX_LIST_REFS  256         /* records one attribute list names */
#define MFT_MAX_JOIN       4096        /* gathered facts looked at per file */

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
static void mft_attr(mft_parsed *out, uint32_t type, const unsigned char *v,
                     size_t vlen, unsigned attr_name_len)
{
    mft_record *r = &out->r;
    if (type == 0x10 && vlen >= 32) {
        mft_times(v, r->si);
        if (vlen >= 0x38)
            r->security_id = le32(v + 0x34);
    } else if (type == 0x20) {
        out->list = v;
        out->list_len = vlen;
    } else if (type == 0x30 && vlen >= 66) {
        size_t nlen = v[64];
        if (66 + 2 * nlen > vlen || out->name_count == MFT_MAX_NAMES)
            return;
        mft_name *n = &out->names[out->name_count];
        char *text = out->text + out->name_count * MFT_NAME_MAX;
        out->name_count++;
        n->parent_ref = le64(v);
        mft_times(v + 8, n->fn);
        n->space = v[65];
        n->len = ntfsmeta_utf16(v + 66, nlen, text, MFT_NAME_MAX);
        n->name = text;
    } else if (type == 0x50 && vlen >= 20) {
        r->sd = v;
        r->sd_len = vlen;
    } else if (type == 0x80 && attr_name_len == 0) {
        r->size = vlen;
        out->has_data = true;
    }
}

/* Sets r's name, parent and $FN times from n (NULL: none). */
static void mft_use_name(mft_record *r, const mft_name *n)
{
    static const char none[] = "";
    r->has_fn = n != NULL;
    if (n) {
        r->name = n->name;
        r->name_len = n->len;
        r->parent_ref = n->parent_ref;
        memcpy(r->fn, n->fn, sizeof(r->fn));
        return;
    }
    r->name = none;
    r->name_len = 0;
    r->parent_ref = 0;
    for (int i = 0; i < 4; i++)
        r->fn[i] = INT64_MIN;
}

/* The name a record is known by: its first non-DOS one, else the first. */
static const mft_name *mft_first_name(const mft_name *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (names[i].space != 2)
            return &names[i];
    return count ? &names[0] : NULL;
}

int mft_parse_record(unsigned char *rec, size_t len, uint64_t number,
                     mft_parsed *out)
{
    mft_record *r = &out->r;

    memset(r, 0, sizeof(*r));
    out->base_ref = 0;
    out->has_data = out->has_list = false;
    out->list = NULL;
    out->list_len = 0;
    out->name_count = 0;
    for (int i = 0; i < 4; i++)
        r->si[i] = INT64_MIN;
    r->number = number;
    int k = len >= 48 && memcmp(rec, "FILE", 4) == 0
                ? (mft_fixups(rec, len) ? 1 : -1)
                : 0;
    if (k < 1) {
        mft_use_name(r, NULL); // never used (0) or torn (-1)
        return k;
    }
    out->base_ref = le64(rec + 0x20);
    uint16_t flags = le16(rec + 0x16);
    r->seq = le16(rec + 0x10);
    r->in_use = flags & 1;
    r->dir = (flags & 2) != 0;
    size_t used = le32(rec + 0x18), off = le16(rec + 0x14);
    if (used > len)
        used = len;
    int result = 1;
    for (int n = 0; n < MFT_MAX_ATTRS && off + 8 <= used; n++) {
        const unsigned char *a = rec + off;
        uint32_t type = le32(a);
        if (type == 0xFFFFFFFFu)
            break;
        size_t alen = le32(a + 4);
        if (alen < 16 || alen > used - off || (alen & 7) != 0) {
            result = -1;
            break;
        }
        unsigned attr_name_len = a[9];
        if (type == 0x20)
            out->has_list = true;
        if (a[8] == 0) {
            size_t vlen = alen >= 24 ? le32(a + 16) : 0;
            size_t voff = alen >= 24 ? le16(a + 20) : 0;
            if (alen < 24 || voff > alen || vlen > alen - voff) {
                result = -1;
                break;
            }
            mft_attr(out, type, a + voff, vlen, attr_name_len);
        } else if (type == 0x80 && attr_name_len == 0 && alen >= 56 &&
                   le64(a + 16) == 0) {
            // The first extent of a non-resident $DATA holds the size.
            r->size = le64(a + 48);
            out->has_data = true;
        }
        off += alen;
    }
    if (!out->has_list)
        out->list = NULL; // a type 0x20 value only counts as a list
    r->names = (uint32_t)out->name_count;
    mft_use_name(r, mft_first_name(out->names, out->name_count));
    return result;
}

/* ---- joining extension records ----------------------------------------- */

/* A name or a size found in a record, kept for the file it belongs to. */
typedef struct mft_fact {
    uint64_t base;  /* the file's base record number */
    uint64_t from;  /* the record it is in */
    uint32_t order; /* arrival, for a stable order */
    uint16_t seq;   /* sequence number in the base reference */
    bool is_name;   /* else the unnamed $DATA's size */
    uint8_t space;  /* of a name */
    uint64_t parent_ref, size;
    int64_t fn[4];
    size_t text_off; /* of a name, in text */
    size_t text_len;
} mft_fact;

/* A base record with an $ATTRIBUTE_LIST, held to the end. */
typedef struct mft_held {
    mft_record r;    /* name, sd: set when handed over */
    size_t sd_off;   /* in text, when r.sd_len */
    size_t refs_off; /* the records its list names, in refs */
    size_t refs_count;
    bool refs_known; /* a resident list read whole */
    bool has_data;
} mft_held;

typedef struct mft_join {
    mft_held *held;
    size_t held_count, held_cap;
    mft_fact *facts;
    size_t fact_count, fact_cap;
    uint64_t *refs;
    size_t ref_count, ref_cap;
    char *text;
    size_t text_len, text_cap;
    mft_name names[MFT_MAX_NAMES]; /* the names of the file handed over */
} mft_join;

static void mft_join_free(mft_join *j)
{
    exh_free(j->held);
    exh_free(j->facts);
    exh_free(j->refs);
    exh_free(j->text);
}

/* Makes room for one more item of size size in *arr (count, cap); false
 * when the cap max is reached or memory ran out. */
static bool mft_grow(void **arr, size_t count, size_t *cap, size_t size,
                     size_t max)
{
    if (count < *cap)
        return true;
    if (count >= max)
        return false;
    size_t n = *cap ? *cap * 2 : 256;
    if (n > max)
        n = max;
    void *p = exh_realloc(*arr, n * size);
    if (!p)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

/* Copies len bytes into the text store; its offset, or SIZE_MAX. */
static size_t mft_keep_text(mft_join *j, const void *s, size_t len)
{
    if (len + 1 > MFT_MAX_TEXT - j->text_len)
        return SIZE_MAX;
    if (j->text_len + len + 1 > j->text_cap) {
        size_t cap = j->text_cap ? j->text_cap : 65536;
        while (cap < j->text_len + len + 1)
            cap *= 2;
        if (cap > MFT_MAX_TEXT)
            cap = MFT_MAX_TEXT;
        char *p = exh_realloc(j->text, cap);
        if (!p)
            return SIZE_MAX;
        j->text = p;
        j->text_cap = cap;
    }
    size_t off = j->text_len;
    memcpy(j->text + off, s, len);
    j->text[off + len] = '\0';
    j->text_len += len + 1;
    return off;
}

/* Keeps the names and size of record p for the file whose base record
 * number is base (reference sequence seq). False when a cap was hit. */
static bool mft_keep_facts(mft_join *j, const mft_parsed *p, uint64_t base,
                           uint16_t seq)
{
    size_t total = p->name_count + (p->has_data ? 1 : 0);
    for (size_t i = 0; i < total; i++) {
        if (!mft_grow((void **)&j->facts, j->fact_count, &j->fact_cap,
                      sizeof(*j->facts), MFT_MAX_FACTS))
            return false;
        mft_fact *f = &j->facts[j->fact_count];
        memset(f, 0, sizeof(*f));
        f->base = base;
        f->from = p->r.number;
        f->order = (uint32_t)j->fact_count;
        f->seq = seq;
        if (i < p->name_count) {
            const mft_name *n = &p->names[i];
            f->is_name = true;
            f->space = n->space;
            f->parent_ref = n->parent_ref;
            memcpy(f->fn, n->fn, sizeof(f->fn));
            f->text_off = mft_keep_text(j, n->name, n->len);
            f->text_len = n->len;
            if (f->text_off == SIZE_MAX)
                return false;
        } else {
            f->size = p->r.size;
        }
        j->fact_count++;
    }
    return true;
}

/* The record numbers a resident attribute list names (entries: type,
 * length, name length and offset, start VCN, the reference of the record
 * holding the attribute, id). False when it cannot be read whole. */
static bool mft_list_refs(mft_join *j, const unsigned char *v, size_t len,
                          size_t *count)
{
    *count = 0;
    for (size_t off = 0; off < len;) {
        if (len - off < 26)
            return false;
        size_t elen = le16(v + off + 4);
        if (elen < 26 || elen > len - off)
            return false;
        uint64_t number = le64(v + off + 16) & 0xFFFFFFFFFFFFull;
        bool seen = false;
        for (size_t i = 0; i < *count && !seen; i++)
            seen = j->refs[j->ref_count + i] == number;
        if (!seen) {
            if (*count == MFT_MAX_LIST_REFS ||
                !mft_grow((void **)&j->refs, j->ref_count + *count, &j->ref_cap,
                          sizeof(*j->refs), SIZE_MAX / 16))
                return false;
            j->refs[j->ref_count + (*count)++] = number;
        }
        off += elen;
    }
    return true;
}

/* Holds base record p to the end. False when a cap was hit. */
static bool mft_hold(mft_join *j, const mft_parsed *p)
{
    if (!mft_grow((void **)&j->held, j->held_count, &j->held_cap,
                  sizeof(*j->held), MFT_MAX_HELD))
        return false;
    mft_held *h = &j->held[j->held_count];
    memset(h, 0, sizeof(*h));
    h->r = p->r;
    h->has_data = p->has_data;
    if (p->r.sd) {
        h->sd_off = mft_keep_text(j, p->r.sd, p->r.sd_len);
        if (h->sd_off == SIZE_MAX)
            return false;
    }
    h->r.sd = NULL;
    if (!mft_keep_facts(j, p, p->r.number, p->r.seq))
        return false;
    h->refs_off = j->ref_count;
    if (p->list) {
        h->refs_known = mft_list_refs(j, p->list, p->list_len, &h->refs_count);
        if (h->refs_known)
            j->ref_count += h->refs_count;
        else
            h->refs_count = 0;
    }
    j->held_count++;
    return true;
}

static int mft_fact_cmp(const void *a, const void *b)
{
    const mft_fact *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    bool xo = x->from != x->base, yo = y->from != y->base; // own ones first
    if (xo != yo)
        return xo ? 1 : -1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Hands r over once per name (the DOS name only when it has no other). */
static bool mft_hand_over(mft_record *r, const mft_name *names, size_t count,
                          mft_record_cb cb, void *user)
{
    const mft_name *first = mft_first_name(names, count);
    bool dos_only = first && first->space == 2;
    r->names = 0;
    for (size_t i = 0; i < count; i++)
        r->names += names[i].space != 2 || dos_only;
    if (!first) {
        mft_use_name(r, NULL);
        return cb(user, r);
    }
    for (size_t i = 0; i < count; i++) {
        if (names[i].space == 2 && !dos_only)
            continue;
        mft_use_name(r, &names[i]);
        if (!cb(user, r))
            return false;
    }
    return true;
}

/* Whether fact f may be joined to held file h: its own, or from a record
 * whose base reference names h (its sequence number, or the one before
 * for a deleted file, whose number was stepped when it was freed) and
 * that h's list names when the list could be read. */
static bool mft_fact_joins(const mft_join *j, const mft_held *h,
                           const mft_fact *f)
{
    if (f->from == h->r.number)
        return true;
    if (f->seq != h->r.seq &&
        (h->r.in_use || (uint16_t)(f->seq + 1) != h->r.seq))
        return false;
    if (!h->refs_known)
        return true;
    for (size_t i = 0; i < h->refs_count; i++)
        if (j->refs[h->refs_off + i] == f->from)
            return true;
    return false;
}

/* Hands over every held file with what its extension records hold. */
static bool mft_join_all(mft_join *j, mft_record_cb cb, void *user)
{
    if (j->fact_count)
        qsort(j->facts, j->fact_count, sizeof(*j->facts), mft_fact_cmp);
    for (size_t k = 0; k < j->held_count; k++) {
        mft_held *h = &j->held[k];
        mft_record r = h->r;
        if (r.sd_len)
            r.sd = (const unsigned char *)j->text + h->sd_off;
        // The first fact of this file.
        size_t lo = 0, hi = j->fact_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (j->facts[mid].base < r.number)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t count = 0;
        uint64_t last_from = r.number;
        bool has_data = h->has_data;
        for (size_t i = lo, seen = 0;
             i < j->fact_count && j->facts[i].base == r.number &&
             seen < MFT_MAX_JOIN;
             i++, seen++) {
            const mft_fact *f = &j->facts[i];
            if (!mft_fact_joins(j, h, f))
                continue;
            if (f->from != r.number && f->from != last_from) {
                r.extensions++;
                last_from = f->from;
            }
            if (!f->is_name) {
                if (!has_data)
                    r.size = f->size;
                has_data = true;
            } else if (count < MFT_MAX_NAMES) {
                mft_name *n = &j->names[count++];
                n->parent_ref = f->parent_ref;
                memcpy(n->fn, f->fn, sizeof(n->fn));
                n->name = j->text + f->text_off;
                n->len = f->text_len;
                n->space = f->space;
            }
        }
        if (!mft_hand_over(&r, j->names, count, cb, user))
            return false;
    }
    return true;
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

/* Takes one parsed record: hands a plain base record over, holds one with
 * a list, keeps what an extension record holds. *stop when cb said so. */
static void mft_take(mft_join *j, mft_parsed *p, mft_stats *stats,
                     mft_record_cb cb, void *user, bool *stop)
{
    if (p->base_ref) {
        stats->extensions++;
        if (p->name_count || p->has_data) {
            size_t keep = j->fact_count, text = j->text_len;
            if (!mft_keep_facts(j, p, p->base_ref & 0xFFFFFFFFFFFFull,
                                (uint16_t)(p->base_ref >> 48))) {
                j->fact_count = keep; // none of a record, or all of it
                j->text_len = text;
                stats->unjoined++;
            }
        }
        return;
    }
    stats->records++;
    if (p->has_list) {
        stats->lists++;
        size_t facts = j->fact_count, text = j->text_len, refs = j->ref_count;
        if (mft_hold(j, p))
            return;
        j->fact_count = facts;
        j->text_len = text;
        j->ref_count = refs;
        stats->unjoined++; // handed over with what its base record holds
    }
    *stop = !mft_hand_over(&p->r, p->names, p->name_count, cb, user);
}

exh_status mft_read(stream *in, mft_record_cb cb, void *user, mft_stats *stats)
{
    // Records are read a batch at a time (the batch is a multiple of every
    // record size), then parsed in place.
    unsigned char *batch = exh_malloc(MFT_BATCH);
    mft_parsed *p = exh_malloc(sizeof(*p));
    mft_join j;
    exh_status st = EXH_OK;
    size_t size = MFT_DEFAULT_RECORD, have;
    uint64_t number = 0;
    ssize_t got;
    bool stop = false;

    memset(stats, 0, sizeof(*stats));
    memset(&j, 0, sizeof(j));
    if (!batch || !p) {
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
    while (!stop) {
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
            int k = mft_parse_record(batch + off, size, number, p);
            if (k < 0)
                stats->bad++;
            else if (k == 0)
                stats->empty++;
            else
                mft_take(&j, p, stats, cb, user, &stop);
        }
        if (!more) {
            if (!stop && off < have)
                stats->bad++; // the input ends inside a record
            break;
        }
        have = 0;
    }
    if (!stop)
        (void)mft_join_all(&j, cb, user);
out:
    mft_join_free(&j);
    exh_free(batch);
    exh_free(p);
    return st;
}
