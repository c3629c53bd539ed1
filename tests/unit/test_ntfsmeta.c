/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ntfsmeta.c - golden cases of lib/readers/mft.c and usn.c: records
 * laid out here by the published layouts (an MFT FILE record with its
 * update sequence, $SI, a DOS and a Win32 $FILE_NAME, a resident
 * descriptor and a non-resident $DATA; USN_RECORD_V2, V3 and V4 behind a
 * sparse start) and the damage each reader must step over: torn fixups,
 * an attribute running past the record, a cut-off input, lengths that are
 * no record, odd reads; files whose names and $DATA sit in extension
 * records named by a resident or non-resident $ATTRIBUTE_LIST, extension
 * records that must not be joined (not listed, an old sequence number,
 * pointing at themselves or at another extension), hard links. The
 * real-volume cases are in tests/triage.py.
 */
#include "harness.h"
#include "internal.h"
#include "readers/ntfsmeta.h"

#include <stdlib.h>

#define FT_2021 132590000000000000ULL /* 2021-02-25T... in FILETIME */

typedef struct mem {
    stream s;
    const unsigned char *data;
    size_t len, pos, step;
} mem;

static ssize_t mem_read(stream *s, void *dst, size_t len)
{
    mem *m = s->ctx;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;
    if (m->step && n > m->step)
        n = m->step;
    memcpy(dst, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* Writes a resident attribute at a; returns its length. */
static size_t attr(unsigned char *a, uint32_t type, const unsigned char *v,
                   size_t vlen)
{
    size_t len = (24 + vlen + 7) & ~(size_t)7;
    memset(a, 0, len);
    put32(a, type);
    put32(a + 4, (uint32_t)len);
    put32(a + 16, (uint32_t)vlen);
    put16(a + 20, 24);
    memcpy(a + 24, v, vlen);
    return len;
}

static size_t fn_value(unsigned char *v, uint64_t parent, uint64_t t,
                       const char *name, unsigned ns)
{
    size_t n = strlen(name);
    memset(v, 0, 66 + 2 * n);
    put64(v, parent);
    for (int i = 0; i < 4; i++)
        put64(v + 8 + 8 * i, t + (uint64_t)i);
    v[64] = (unsigned char)n;
    v[65] = (unsigned char)ns;
    for (size_t i = 0; i < n; i++)
        v[66 + 2 * i] = (unsigned char)name[i];
    return 66 + 2 * n;
}

/* Starts a 1024-byte record at rec: sequence seq, flags, base reference
 * base (0: a base record); returns where its first attribute goes. */
static size_t rec_begin(unsigned char *rec, uint16_t seq, uint16_t flags,
                        uint64_t base)
{
    memset(rec, 0, 1024);
    memcpy(rec, "FILE", 4);
    put16(rec + 4, 0x30);
    put16(rec + 6, 3);
    put16(rec + 0x10, seq);
    put16(rec + 0x14, 0x38);
    put16(rec + 0x16, flags);
    put32(rec + 0x1C, 1024);
    put64(rec + 0x20, base);
    return 0x38;
}

/* Ends the record at off and applies its update sequence (0x0303). */
static void rec_end(unsigned char *rec, size_t off)
{
    put32(rec + off, 0xFFFFFFFFu);
    put32(rec + 0x18, (uint32_t)off + 8);
    put16(rec + 0x30, 0x0303);
    memcpy(rec + 0x32, rec + 510, 2);
    memcpy(rec + 0x34, rec + 1022, 2);
    put16(rec + 510, 0x0303);
    put16(rec + 1022, 0x0303);
}

/* A non-resident attribute header at a (type, first extent, size). */
static size_t nonresident(unsigned char *a, uint32_t type, uint64_t size)
{
    memset(a, 0, 72);
    put32(a, type);
    put32(a + 4, 72);
    a[8] = 1;
    put64(a + 48, size);
    return 72;
}

/* A 1024-byte FILE record, fixups applied for writing. */
static void make_record(unsigned char *rec, uint16_t flags, uint64_t si_created)
{
    unsigned char v[600];
    size_t off = rec_begin(rec, 7, flags, 0);

    memset(v, 0, 72);
    for (int i = 0; i < 4; i++)
        put64(v + 8 * i, si_created + (uint64_t)i);
    put32(v + 0x34, 0x101);
    off += attr(rec + off, 0x10, v, 72);
    off += attr(rec + off, 0x30, v,
                fn_value(v, 5 | (uint64_t)5 << 48, FT_2021, "SHELL~1.ASP", 2));
    off += attr(rec + off, 0x30, v,
                fn_value(v, 5 | (uint64_t)5 << 48, FT_2021, "shell.aspx", 1));
    static const unsigned char sd[] = {1, 0, 4, 0x80, 20, 0, 0,  0, 0, 0, 0,
                                       0, 0, 0, 0,    0,  0, 0,  0, 0, 1, 1,
                                       0, 0, 0, 0,    0,  5, 18, 0, 0, 0};
    off += attr(rec + off, 0x50, sd, sizeof(sd));
    // A non-resident $DATA: the size at 48 of the attribute.
    off += nonresident(rec + off, 0x80, 123456);
    rec_end(rec, off);
}

typedef struct got {
    mft_record r[8];
    char names[8][64];
    char owner[8][64];
    size_t count;
} got;

static bool keep_mft(void *user, const mft_record *r)
{
    got *g = user;
    if (g->count < 8) {
        g->r[g->count] = *r;
        snprintf(g->names[g->count], 64, "%s", r->name);
        g->owner[g->count][0] = '\0';
        if (r->sd)
            (void)ntfs_sd_owner(r->sd, r->sd_len, g->owner[g->count], 64);
        g->count++;
    }
    return true;
}

static void test_mft(void)
{
    unsigned char *m = calloc(4, 1024);
    got g;
    mft_stats st;

    make_record(m, 1, FT_2021 - 10000000ULL * 3600); // $SI an hour earlier
    make_record(m + 1024, 0, FT_2021);               // deleted
    m[1024 + 1022] ^= 1;                             // ... and torn
    make_record(m + 2048, 3, FT_2021);               // a folder
    put64(m + 2048 + 0x20, 0);
    memset(m + 3072, 0, 1024); // never used
    memset(&g, 0, sizeof(g));
    mem in = {{mem_read, NULL, NULL}, m, 4 * 1024, 0, 333};
    in.s.ctx = &in;
    CHECK(mft_read(&in.s, keep_mft, &g, &st) == EXH_OK);
    CHECK(st.record_size == 1024 && st.records == 2 && st.bad == 1 &&
          st.empty == 1);
    CHECK(g.count == 2);
    CHECK_STR(g.names[0], "shell.aspx"); // the Win32 name, not the DOS one
    CHECK(g.r[0].number == 0 && g.r[0].seq == 7 && g.r[0].in_use &&
          !g.r[0].dir && g.r[0].has_fn);
    CHECK(g.r[0].parent_ref == (5 | (uint64_t)5 << 48));
    CHECK(g.r[0].fn[0] == ntfsmeta_filetime_ms(FT_2021));
    CHECK(g.r[0].si[0] == g.r[0].fn[0] - 3600 * 1000);
    CHECK(g.r[0].fn[3] == ntfsmeta_filetime_ms(FT_2021 + 3));
    CHECK(g.r[0].security_id == 0x101 && g.r[0].size == 123456);
    CHECK_STR(g.owner[0], "S-1-5-18");
    CHECK(g.r[1].number == 2 && g.r[1].dir && g.r[1].in_use);

    // An extension record is counted, not handed over; an attribute that
    // runs past the record makes it damaged.
    make_record(m, 1, FT_2021);
    put64(m + 0x20, 44);
    make_record(m + 1024, 1, FT_2021);
    put32(m + 1024 + 0x38 + 4, 4000);
    memset(&g, 0, sizeof(g));
    mem in2 = {{mem_read, NULL, NULL}, m, 2 * 1024 + 100, 0, 0};
    in2.s.ctx = &in2;
    CHECK(mft_read(&in2.s, keep_mft, &g, &st) == EXH_OK);
    CHECK(g.count == 0 && st.extensions == 1 && st.bad == 2); // + cut-off
    free(m);
}

static size_t with_name(unsigned char *rec, size_t off, const char *name,
                        unsigned ns)
{
    unsigned char v[600];
    return off + attr(rec + off, 0x30, v,
                      fn_value(v, 5 | (uint64_t)5 << 48, FT_2021, name, ns));
}

static size_t with_si(unsigned char *rec, size_t off)
{
    unsigned char v[72];
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 4; i++)
        put64(v + 8 * i, FT_2021 - 10000000ULL * 60);
    return off + attr(rec + off, 0x10, v, 72);
}

/* An extension record at rec (flags, base reference) holding one name. */
static void ext_named(unsigned char *rec, uint16_t flags, uint64_t base,
                      const char *name)
{
    rec_end(rec, with_name(rec, rec_begin(rec, 1, flags, base), name, 1));
}

/* A base record at rec with $SI and a non-resident $ATTRIBUTE_LIST. */
static void base_listed(unsigned char *rec, uint16_t seq, uint16_t flags)
{
    size_t off = with_si(rec, rec_begin(rec, seq, flags, 0));
    rec_end(rec, off + nonresident(rec + off, 0x20, 4096));
}

/* Attributes moved to extension records ($ATTRIBUTE_LIST): what may be
 * joined to a base is, what may not is not, and nothing loops. */
static void test_mft_lists(void)
{
    unsigned char *m = calloc(12, 1024);
    unsigned char list[64];
    got g;
    mft_stats st;
    size_t off;

    // 0: a base whose resident list names itself and record 2 (32-byte
    // entries: type, length, name, VCN, the holding record, id).
    memset(list, 0, sizeof(list));
    for (int i = 0; i < 2; i++) {
        put32(list + 32 * i, i ? 0x30 : 0x10);
        put16(list + 32 * i + 4, 32);
        list[32 * i + 7] = 26;
        put64(list + 32 * i + 16, (i ? 2 : 0) | (uint64_t)7 << 48);
    }
    off = with_si(m, rec_begin(m, 7, 1, 0));
    off += attr(m + off, 0x20, list, 64);
    rec_end(m, off);
    // 1: an extension naming base 0 that the list does not name.
    ext_named(m + 1024, 1, 0 | (uint64_t)7 << 48, "notlisted.aspx");
    // 2: listed, with the DOS and the Win32 name and the $DATA.
    off = rec_begin(m + 2048, 1, 1, 0 | (uint64_t)7 << 48);
    off = with_name(m + 2048, off, "EXT~1.ASP", 2);
    off = with_name(m + 2048, off, "ext.aspx", 1);
    off += nonresident(m + 2048 + off, 0x80, 4242);
    rec_end(m + 2048, off);
    // 3: an extension whose base is itself; 4: one whose base is 2.
    ext_named(m + 3072, 1, 3 | (uint64_t)1 << 48, "self.aspx");
    ext_named(m + 4096, 1, 2 | (uint64_t)1 << 48, "chain.aspx");
    // 5: a base with a non-resident list; 6 names it with an old
    // sequence number, 7 with its own.
    base_listed(m + 5120, 9, 1);
    ext_named(m + 6144, 1, 5 | (uint64_t)8 << 48, "old.aspx");
    ext_named(m + 7168, 1, 5 | (uint64_t)9 << 48, "nr.aspx");
    // 8: an extension before its base 9, which is deleted (its sequence
    // number stepped when it was freed).
    ext_named(m + 8192, 0, 9 | (uint64_t)3 << 48, "early.aspx");
    base_listed(m + 9216, 4, 0);
    // 10: two hard links in a plain base record.
    off = with_si(m + 10240, rec_begin(m + 10240, 1, 1, 0));
    off = with_name(m + 10240, off, "one.aspx", 1);
    rec_end(m + 10240, with_name(m + 10240, off, "two.aspx", 0));
    memset(&g, 0, sizeof(g));
    mem in = {{mem_read, NULL, NULL}, m, 11 * 1024, 0, 999};
    in.s.ctx = &in;
    CHECK(mft_read(&in.s, keep_mft, &g, &st) == EXH_OK);
    CHECK(st.records == 4 && st.extensions == 7 && st.lists == 3 &&
          st.bad == 0 && st.unjoined == 0);
    CHECK(g.count == 5);
    // The plain record comes first, once per name.
    CHECK(g.r[0].number == 10 && g.r[1].number == 10 && g.r[0].names == 2);
    CHECK_STR(g.names[0], "one.aspx");
    CHECK_STR(g.names[1], "two.aspx");
    // Then the held ones, in record order, with what was joined.
    CHECK(g.r[2].number == 0 && g.r[2].has_fn && g.r[2].names == 1 &&
          g.r[2].extensions == 1 && g.r[2].size == 4242 && g.r[2].seq == 7);
    CHECK_STR(g.names[2], "ext.aspx");
    CHECK(g.r[2].si[0] == ntfsmeta_filetime_ms(FT_2021) - 60 * 1000 &&
          g.r[2].fn[0] == ntfsmeta_filetime_ms(FT_2021) &&
          g.r[2].parent_ref == (5 | (uint64_t)5 << 48));
    CHECK(g.r[3].number == 5 && g.r[3].names == 1 && g.r[3].extensions == 1);
    CHECK_STR(g.names[3], "nr.aspx");
    CHECK(g.r[4].number == 9 && !g.r[4].in_use && g.r[4].names == 1);
    CHECK_STR(g.names[4], "early.aspx");
    for (size_t i = 0; i < g.count; i++)
        CHECK(strcmp(g.names[i], "self.aspx") != 0 &&
              strcmp(g.names[i], "chain.aspx") != 0 &&
              strcmp(g.names[i], "notlisted.aspx") != 0 &&
              strcmp(g.names[i], "old.aspx") != 0);

    // A list whose extension records are missing: the file comes without
    // a name, once.
    memset(&g, 0, sizeof(g));
    mem in2 = {{mem_read, NULL, NULL}, m, 1024, 0, 0};
    in2.s.ctx = &in2;
    CHECK(mft_read(&in2.s, keep_mft, &g, &st) == EXH_OK);
    CHECK(g.count == 1 && !g.r[0].has_fn && g.r[0].names == 0 &&
          g.names[0][0] == '\0' && st.lists == 1);
    free(m);
}

static bool count_names(void *user, const mft_record *r)
{
    size_t *n = user;
    if (r->names != MFT_MAX_NAMES || !r->has_fn)
        return false;
    (*n)++;
    return true;
}

/* A file with more names than a file keeps: MFT_MAX_NAMES, each once. */
static void test_mft_many_names(void)
{
    unsigned char *m = calloc(10, 1024);
    mft_stats st;
    size_t calls = 0;

    // Eight 104-byte $FILE_NAMEs fill an extension record; nine of them.
    base_listed(m, 2, 1);
    for (int k = 1; k < 10; k++) {
        unsigned char *rec = m + 1024 * k;
        size_t off = rec_begin(rec, 1, 1, (uint64_t)2 << 48);
        for (int i = 0; i < 8; i++) {
            char name[8];
            snprintf(name, sizeof(name), "%d%d.asp", k, i);
            off = with_name(rec, off, name, 1);
        }
        rec_end(rec, off);
    }
    mem in = {{mem_read, NULL, NULL}, m, 10 * 1024, 0, 0};
    in.s.ctx = &in;
    CHECK(mft_read(&in.s, count_names, &calls, &st) == EXH_OK);
    CHECK(st.extensions == 9 && st.lists == 1 && st.bad == 0 &&
          calls == MFT_MAX_NAMES);
    free(m);
}

/* 4 KiB records (4Kn disks): the size from the header, nine fixups. */
static void test_mft_4k(void)
{
    unsigned char *m = calloc(2, 4096);
    unsigned char v[128];
    got g;
    mft_stats st;

    for (int k = 0; k < 2; k++) {
        unsigned char *rec = m + 4096 * k;
        memcpy(rec, "FILE", 4);
        put16(rec + 4, 0x30);
        put16(rec + 6, 9);
        put16(rec + 0x14, 0x48);
        put16(rec + 0x16, 1);
        put32(rec + 0x1C, 4096);
        size_t off = 0x48;
        off += attr(rec + off, 0x30, v,
                    fn_value(v, 5 | (uint64_t)5 << 48, FT_2021, "big.aspx", 1));
        put32(rec + off, 0xFFFFFFFFu);
        put32(rec + 0x18, (uint32_t)off + 8);
        rec[4000] = 0x5A; // data under a fixup elsewhere is restored
        put16(rec + 0x30, 0x0909);
        for (int i = 1; i <= 8; i++) {
            memcpy(rec + 0x30 + 2 * i, rec + 512 * i - 2, 2);
            put16(rec + 512 * i - 2, 0x0909);
        }
    }
    memset(&g, 0, sizeof(g));
    mem in = {{mem_read, NULL, NULL}, m, 2 * 4096, 0, 1000};
    in.s.ctx = &in;
    CHECK(mft_read(&in.s, keep_mft, &g, &st) == EXH_OK);
    CHECK(st.record_size == 4096 && st.records == 2 && st.bad == 0);
    CHECK(g.count == 2 && g.r[1].number == 1);
    CHECK_STR(g.names[1], "big.aspx");
    free(m);
}

/* A V2 record into p; returns its length. */
static size_t usn_v2(unsigned char *p, uint64_t ref, uint64_t parent,
                     uint32_t reason, const char *name)
{
    size_t n = strlen(name), len = (60 + 2 * n + 7) & ~(size_t)7;
    memset(p, 0, len);
    put32(p, (uint32_t)len);
    put16(p + 4, 2);
    put64(p + 8, ref);
    put64(p + 16, parent);
    put64(p + 24, 4096);
    put64(p + 32, FT_2021);
    put32(p + 40, reason);
    put32(p + 52, 0x20);
    put16(p + 56, (uint16_t)(2 * n));
    put16(p + 58, 60);
    for (size_t i = 0; i < n; i++)
        p[60 + 2 * i] = (unsigned char)name[i];
    return len;
}

typedef struct usn_got {
    char names[8][64];
    uint64_t refs[8], parents[8];
    uint32_t reasons[8];
    uint16_t majors[8];
    size_t count;
} usn_got;

static bool keep_usn(void *user, const usn_record *r)
{
    usn_got *g = user;
    if (g->count < 8) {
        snprintf(g->names[g->count], 64, "%s", r->name);
        g->refs[g->count] = r->file_ref;
        g->parents[g->count] = r->parent_ref;
        g->reasons[g->count] = r->reason;
        g->majors[g->count] = r->major;
        g->count++;
    }
    return r->time_ms == ntfsmeta_filetime_ms(FT_2021);
}

static void test_usn(void)
{
    size_t cap = 300000, len = 200000; // a sparse start of 200000 zeros
    unsigned char *j = calloc(1, cap);
    usn_got g;
    usn_stats st;

    len += usn_v2(j + len, 40 | (uint64_t)2 << 48, 39, 0x100, "a.aspx");
    // V3: the 128-bit ids, Usn at 40, the name at 76.
    unsigned char *p = j + len;
    put32(p, 96);
    put16(p + 4, 3);
    put64(p + 8, 41);
    put64(p + 24, 39);
    put64(p + 48, FT_2021);
    put32(p + 56, 0x200);
    put16(p + 72, 8);
    put16(p + 74, 76);
    memcpy(p + 76, "b\0.\0l\0g\0", 8);
    len += 96;
    // V4: skipped whole.
    p = j + len;
    put32(p, 80);
    put16(p + 4, 4);
    len += 80;
    // Garbage: a length that is no multiple of 8, then page padding.
    put32(j + len, 13);
    put16(j + len + 4, 2);
    len += 8 + 4000;
    // A name past its record; then an unknown version.
    size_t at = len;
    len += usn_v2(j + len, 42, 39, 0x100, "c.aspx");
    put16(j + at + 56, 200);
    at = len;
    len += usn_v2(j + len, 43, 39, 0x100, "d.aspx");
    put16(j + at + 4, 9);
    len += usn_v2(j + len, 44, 39, 0x2000, "e.ashx");
    // Cut inside its last record.
    len += usn_v2(j + len, 45, 39, 0x100, "f.aspx") - 10;
    memset(&g, 0, sizeof(g));
    mem in = {{mem_read, NULL, NULL}, j, len, 0, 4093};
    in.s.ctx = &in;
    CHECK(usn_read(&in.s, keep_usn, &g, &st) == EXH_OK);
    CHECK(g.count == 3);
    CHECK_STR(g.names[0], "a.aspx");
    CHECK(g.refs[0] == (40 | (uint64_t)2 << 48) && g.parents[0] == 39 &&
          g.reasons[0] == 0x100 && g.majors[0] == 2);
    CHECK_STR(g.names[1], "b.lg");
    CHECK(g.refs[1] == 41 && g.reasons[1] == 0x200 && g.majors[1] == 3);
    CHECK_STR(g.names[2], "e.ashx");
    CHECK(st.records == 3 && st.v4 == 1 && st.truncated);
    CHECK(st.bad >= 3 && st.zero_bytes >= 200000 + 4000);
    free(j);
}

static void test_utf16(void)
{
    // "é" (U+00E9), a surrogate pair (U+1F600), an unpaired surrogate.
    static const unsigned char u[] = {0xE9, 0,    0x3D, 0xD8, 0x00,
                                      0xDE, 0x00, 0xD8, 0x41, 0};
    char out[64];
    size_t n = ntfsmeta_utf16(u, 5, out, sizeof(out));
    CHECK(n == 2 + 4 + 3 + 1);
    CHECK(memcmp(out,
                 "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd"
                 "A",
                 n) == 0);
    CHECK(ntfsmeta_filetime_ms(0) == INT64_MIN);
    CHECK(ntfsmeta_filetime_ms(116444736000000000ULL) == 0);
}

int main(void)
{
    test_mft();
    test_mft_4k();
    test_mft_lists();
    test_mft_many_names();
    test_usn();
    test_utf16();
    TEST_MAIN_END();
}
