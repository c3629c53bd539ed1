/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evtx.c - our reader of Windows event log files (.evtx).
 *
 * The file is read as a stream, one 64 KiB chunk at a time: a chunk holds
 * everything its records refer to (names, template definitions), so no
 * seeking is needed and memory stays flat. A chunk whose signature, header
 * checksum or offsets are wrong is skipped and counted; the records of the
 * chunks around it are read. Each record's binary XML is interpreted
 * directly into fields (no XML text is built): templates are expanded with
 * their substitution values, names are decoded from UTF-16 once per chunk
 * (a cache by offset), template definitions are validated once per chunk.
 * Every offset is checked against the chunk; nesting (elements, templates,
 * embedded binary XML) is bounded, and so is the work per record (a token
 * budget), so that a template that includes itself ends. The field naming
 * is described in docs/internals/evtx.md.
 */
#include "evtx.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH        48    /* element nesting */
#define MAX_NEST         12    /* templates and embedded binary XML */
#define MAX_TOKENS       65536 /* tokens interpreted per record */
#define MAX_FIELDS       1024  /* fields of one record */
#define MAX_VALUES       4096  /* substitution values of one template */
#define MAX_OUT_BYTES    ((size_t)4 << 20) /* field text of one record */
#define NAME_SLOTS       4096              /* name cache slots per chunk */
#define NAME_ARENA_BYTES ((size_t)256 << 10)
#define NAME_MAX_CHARS   255 /* longer names are cut */
#define TPL_SLOTS        512

#define ARRAY_SEP '\x1f' /* between the items of an array value in tx */

#define FILETIME_UNIX_TICKS 116444736000000000ULL /* 1601 -> 1970 */

/* What an element is for field naming, from its place in the tree. */
enum sect { SECT_NONE, SECT_SYSTEM, SECT_EVENTDATA, SECT_USERDATA };

/* One field of the record: offsets into out. */
typedef struct field {
    size_t name_off, name_len, val_off, val_len;
} field;

/* One open element. */
typedef struct level {
    const char *name; /* decoded name (cache or namebuf) */
    size_t name_len;
    size_t tx_start;  /* its text begins at tx[tx_start] */
    size_t dname_off; /* Data: the Name attribute's text in out */
    size_t dname_len; /* SIZE_MAX when there is no Name attribute */
    bool has_child;   /* an element opened inside it */
    bool has_text;    /* a value token appeared inside it */
    bool skipped;     /* an optional substitution without a value */
    bool array;       /* its text is array items split by ARRAY_SEP */
    enum sect sect;
    char namebuf[NAME_MAX_CHARS * 3 + 1]; /* when the cache was full */
} level;

/* A substitution value of a template instance. */
typedef struct subst {
    uint32_t off; /* in the chunk */
    uint16_t size;
    uint8_t type;
} subst;

typedef struct name_slot {
    uint32_t gen;   /* the chunk it belongs to: older slots are empty */
    uint32_t off;   /* chunk offset of the name */
    uint32_t arena; /* offset of the UTF-8 text in names */
    uint32_t len;
} name_slot;

typedef struct tpl_slot {
    uint32_t gen; /* the chunk it belongs to: older slots are empty */
    uint32_t off; /* chunk offset of the definition */
    uint32_t data_off, data_len;
} tpl_slot;

struct evtx {
    unsigned char *chunk; /* the chunk being read */
    size_t chunk_len;     /* EVTX_CHUNK_BYTES */
    name_slot names[NAME_SLOTS];
    char *arena; /* NAME_ARENA_BYTES */
    size_t arena_len;
    tpl_slot tpls[TPL_SLOTS];
    uint32_t gen; /* bumped per chunk: empties both caches at once */
    buf tx;       /* text of open elements and attributes */
    buf out;      /* field names and values of the record */
    field *fields;
    size_t field_count;
    level *levels; /* MAX_DEPTH */
    size_t depth;
    subst *vals; /* template values, stacked by nesting */
    size_t val_top;
    size_t tokens;    /* budget used in the current record */
    unsigned data_no; /* unnamed <Data> elements so far */
    bool bad;         /* the record's binary XML is broken */
    bool cut;         /* a limit was reached */
    bool nomem;
    /* the event handed to the callback */
    const char **ev_names;
    const char **ev_values;
    size_t *ev_lens;
    buf raw;
    event ev;
};

/* ---- CRC-32 (slicing by 8) ---------------------------------------------- */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
                              crc_table[0][crc_table[t - 1][i] & 0xFF];
    }
}

uint32_t evtx_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    // Once, whichever thread reads an EVTX file first (a plain flag raced
    // when two workers opened event logs together: ThreadSanitizer).
    pthread_once(&crc_once, crc_init);
    crc = ~crc;
    while (len >= 8) {
        uint32_t a = crc ^ le32(p);
        crc = crc_table[7][a & 0xFF] ^ crc_table[6][(a >> 8) & 0xFF] ^
              crc_table[5][(a >> 16) & 0xFF] ^ crc_table[4][a >> 24] ^
              crc_table[3][p[4]] ^ crc_table[2][p[5]] ^ crc_table[1][p[6]] ^
              crc_table[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ---- little-endian reads --------------------------------------------- */

bool evtx_magic(const void *head, size_t len)
{
    return len >= 8 && memcmp(head, "ElfFile\0", 8) == 0;
}

/* ---- text ---------------------------------------------------------------- */

/* Appends UTF-16LE units (count of them) as UTF-8; unpaired surrogates
 * become U+FFFD. Trailing NULs are dropped. */
static void put_utf16(buf *b, const unsigned char *p, size_t count)
{
    while (count && le16(p + 2 * (count - 1)) == 0)
        count--;
    char tmp[256];
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = le16(p + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < count) {
            uint32_t d = le16(p + 2 * (i + 1));
            if (d >= 0xDC00 && d <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i++;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        n += util_utf8_put(c, tmp + n);
        if (n > sizeof tmp - 4) {
            buf_append(b, tmp, n);
            n = 0;
        }
    }
    if (n)
        buf_append(b, tmp, n);
}

/* Decodes UTF-16LE into out (room for NAME_MAX_CHARS * 3 + 1 bytes). */
static size_t utf16_small(const unsigned char *p, size_t count, char *out)
{
    if (count > NAME_MAX_CHARS)
        count = NAME_MAX_CHARS;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = le16(p + 2 * i);
        if (c == 0)
            break;
        if (c < 0x80) {
            out[n++] = (char)c;
        } else if (c < 0x800) {
            out[n++] = (char)(0xC0 | c >> 6);
            out[n++] = (char)(0x80 | (c & 0x3F));
        } else { // names hold no surrogate pairs worth keeping
            if (c >= 0xD800 && c <= 0xDFFF)
                c = 0xFFFD;
            out[n++] = (char)(0xE0 | c >> 12);
            out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[n] = '\0';
    return n;
}

/* ---- the chunk's caches -------------------------------------------------- */

static void caches_reset(evtx *r)
{
    if (++r->gen == 0) { // wrapped: clear for real once in 2^32 chunks
        memset(r->names, 0, sizeof r->names);
        memset(r->tpls, 0, sizeof r->tpls);
        r->gen = 1;
    }
    r->arena_len = 0;
}

/* The name at chunk offset off, decoded (from the cache when it can be);
 * tmp receives it otherwise. NULL when the name does not fit the chunk. */
static const char *name_at(evtx *r, uint32_t off, char *tmp, size_t *len,
                           size_t *bytes)
{
    if (off < 512 || (size_t)off + 8 > r->chunk_len)
        return NULL;
    size_t count = le16(r->chunk + off + 6);
    if ((size_t)off + 8 + 2 * count + 2 > r->chunk_len)
        return NULL;
    *bytes = 8 + 2 * count + 2;
    size_t slot = (off * 2654435761u) & (NAME_SLOTS - 1);
    for (size_t probe = 0; probe < 8; probe++) {
        name_slot *s = &r->names[(slot + probe) & (NAME_SLOTS - 1)];
        if (s->gen == r->gen && s->off == off) {
            *len = s->len;
            return r->arena + s->arena;
        }
        if (s->gen != r->gen) {
            size_t n = utf16_small(r->chunk + off + 8, count, tmp);
            if (r->arena_len + n + 1 <= NAME_ARENA_BYTES) {
                memcpy(r->arena + r->arena_len, tmp, n + 1);
                s->gen = r->gen;
                s->off = off;
                s->arena = (uint32_t)r->arena_len;
                s->len = (uint32_t)n;
                r->arena_len += n + 1;
                *len = n;
                return r->arena + s->arena;
            }
            *len = n;
            return tmp;
        }
    }
    *len = utf16_small(r->chunk + off + 8, count, tmp);
    return tmp;
}

/* The template definition at chunk offset off: its body's offset and
 * length. False when it does not fit the chunk. */
static bool template_at(evtx *r, uint32_t off, uint32_t *data_off,
                        uint32_t *data_len)
{
    size_t slot = (off * 2654435761u) & (TPL_SLOTS - 1);
    tpl_slot *s = &r->tpls[slot];
    if (s->gen == r->gen && s->off == off) {
        *data_off = s->data_off;
        *data_len = s->data_len;
        return true;
    }
    if (off < 512 || (size_t)off + 24 > r->chunk_len)
        return false;
    uint32_t n = le32(r->chunk + off + 20);
    if (n > r->chunk_len - off - 24)
        return false;
    *data_off = off + 24;
    *data_len = n;
    s->gen = r->gen;
    s->off = off;
    s->data_off = *data_off;
    s->data_len = n;
    return true;
}

/* ---- values -------------------------------------------------------------- */

static void put_hex(buf *b, const unsigned char *p, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    char tmp[128];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        tmp[n++] = digits[p[i] >> 4];
        tmp[n++] = digits[p[i] & 15];
        if (n == sizeof tmp) {
            buf_append(b, tmp, n);
            n = 0;
        }
    }
    buf_append(b, tmp, n);
}

/* Appends v in decimal, with a '-' when neg. */
static void put_dec(buf *b, uint64_t v, bool neg)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        tmp[--i] = '-';
    buf_append(b, tmp + i, sizeof tmp - i);
}

static void put_signed(buf *b, int64_t v)
{
    put_dec(b, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* Appends v as "0x" and lower-case hex digits, as Windows renders them. */
static void put_hexint(buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    buf_append(b, tmp + i, sizeof tmp - i);
}

static void put_filetime(buf *b, uint64_t ticks)
{
    int64_t secs = (int64_t)(ticks / 10000000ULL) - 11644473600LL;
    unsigned frac = (unsigned)(ticks % 10000000ULL);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    int m, d;
    util_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        buf_puts(b, "invalid");
        return;
    }
    // "YYYY-MM-DDTHH:MM:SS.fffffffZ", written digit by digit
    char t[28];
    uint64_t parts[] = {(uint64_t)y,
                        (uint64_t)m,
                        (uint64_t)d,
                        (uint64_t)(rem / 3600),
                        (uint64_t)(rem / 60 % 60),
                        (uint64_t)(rem % 60),
                        frac};
    static const unsigned char width[] = {4, 2, 2, 2, 2, 2, 7};
    static const char after[] = "--T::.Z";
    size_t n = 0;
    for (size_t i = 0; i < 7; i++) {
        for (size_t k = width[i]; k-- > 0;) {
            t[n + k] = (char)('0' + parts[i] % 10);
            parts[i] /= 10;
        }
        n += width[i];
        t[n++] = after[i];
    }
    buf_append(b, t, n);
}

static void put_guid(buf *b, const unsigned char *p)
{
    // {Data1-Data2-Data3-Data4[0..1]-Data4[2..7]}, the first three
    // little-endian, in upper case as Windows writes them
    static const unsigned char order[16] = {3, 2, 1,  0,  5,  4,  7,  6,
                                            8, 9, 10, 11, 12, 13, 14, 15};
    char t[38];
    size_t n = 0;
    t[n++] = '{';
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            t[n++] = '-';
        t[n++] = "0123456789ABCDEF"[p[order[i]] >> 4];
        t[n++] = "0123456789ABCDEF"[p[order[i]] & 15];
    }
    t[n++] = '}';
    buf_append(b, t, n);
}

static void put_sid(buf *b, const unsigned char *p, size_t len)
{
    if (len < 8 || (size_t)8 + 4 * (size_t)p[1] > len) {
        put_hex(b, p, len);
        return;
    }
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++)
        auth = auth << 8 | p[i];
    buf_puts(b, "S-");
    put_dec(b, p[0], false);
    buf_putc(b, '-');
    put_dec(b, auth, false);
    for (size_t i = 0; i < p[1]; i++) {
        buf_putc(b, '-');
        put_dec(b, le32(p + 8 + 4 * i), false);
    }
}

/* Size of one element of a fixed-size type, 0 for variable ones. */
static size_t type_size(unsigned type, size_t total)
{
    switch (type) {
    case 0x03:
    case 0x04:
        return 1;
    case 0x05:
    case 0x06:
        return 2;
    case 0x07:
    case 0x08:
    case 0x0b:
    case 0x0d:
    case 0x14:
        return 4;
    case 0x09:
    case 0x0a:
    case 0x0c:
    case 0x11:
    case 0x15:
        return 8;
    case 0x0f:
    case 0x12:
        return 16;
    case 0x10:
        return total % 8 == 0 ? 8 : 4;
    default:
        return 0;
    }
}

/* Appends one scalar value of a fixed-size type (len == type_size). */
static void put_scalar(buf *b, unsigned type, const unsigned char *p,
                       size_t len)
{
    switch (type) {
    case 0x03:
        put_signed(b, (int8_t)p[0]);
        break;
    case 0x04:
        put_dec(b, p[0], false);
        break;
    case 0x05:
        put_signed(b, (int16_t)le16(p));
        break;
    case 0x06:
        put_dec(b, le16(p), false);
        break;
    case 0x07:
        put_signed(b, (int32_t)le32(p));
        break;
    case 0x08:
        put_dec(b, le32(p), false);
        break;
    case 0x09:
        put_signed(b, (int64_t)le64(p));
        break;
    case 0x0a:
        put_dec(b, le64(p), false);
        break;
    case 0x0b: {
        float f;
        uint32_t u = le32(p);
        memcpy(&f, &u, 4);
        buf_printf(b, "%.9g", (double)f);
        break;
    }
    case 0x0c: {
        double d;
        uint64_t u = le64(p);
        memcpy(&d, &u, 8);
        buf_printf(b, "%.17g", d);
        break;
    }
    case 0x0d:
        buf_puts(b, le32(p) ? "true" : "false");
        break;
    case 0x0f:
        put_guid(b, p);
        break;
    case 0x10:
    case 0x14:
    case 0x15:
        put_hexint(b, len == 8 ? le64(p) : le32(p));
        break;
    case 0x11:
        put_filetime(b, le64(p));
        break;
    case 0x12:
        buf_printf(b, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", le16(p),
                   le16(p + 2), le16(p + 6), le16(p + 8), le16(p + 10),
                   le16(p + 12), le16(p + 14));
        break;
    default:
        break;
    }
}

/* Appends a value of any type but binary XML as text. */
static void put_value(buf *b, unsigned type, const unsigned char *p, size_t len,
                      const char *sep)
{
    unsigned base = type & 0x7F;
    if (base == 0x00 || len == 0)
        return;
    if (base == 0x01 && !(type & 0x80)) {
        put_utf16(b, p, len / 2);
        return;
    }
    if (base == 0x02 && !(type & 0x80)) {
        while (len && p[len - 1] == 0)
            len--;
        buf_append(b, p, len);
        return;
    }
    if (base == 0x13 && !(type & 0x80)) {
        put_sid(b, p, len);
        return;
    }
    if (type & 0x80) {
        // arrays: strings NUL-separated, fixed types packed; ", " between
        if (base == 0x01 || base == 0x02) {
            size_t unit = base == 0x01 ? 2 : 1, start = 0;
            bool first = true;
            for (size_t i = 0; i + unit <= len; i += unit) {
                bool nul = unit == 2 ? le16(p + i) == 0 : p[i] == 0;
                if (!nul && i + unit < len)
                    continue;
                size_t end = nul ? i : i + unit;
                if (!first)
                    buf_puts(b, sep);
                first = false;
                if (unit == 2)
                    put_utf16(b, p + start, (end - start) / 2);
                else
                    buf_append(b, p + start, end - start);
                start = i + unit;
            }
            return;
        }
        size_t es = type_size(base, len);
        if (!es) {
            put_hex(b, p, len);
            return;
        }
        for (size_t i = 0; i + es <= len; i += es) {
            if (i)
                buf_puts(b, sep);
            put_scalar(b, base, p + i, es);
        }
        return;
    }
    size_t es = type_size(base, len);
    if (es && len >= es) {
        put_scalar(b, base, p, es);
        return;
    }
    put_hex(b, p, len); // binary, handles, EvtXml, sizes that do not fit
}

/* ---- fields -------------------------------------------------------------- */

/* Copies s into out; returns its offset. */
static size_t out_put(evtx *r, const char *s, size_t len)
{
    size_t off = r->out.len;
    if (buf_append(&r->out, s, len) != EXH_OK ||
        buf_putc(&r->out, '\0') != EXH_OK)
        r->cut = true;
    return off;
}

static void add_field(evtx *r, size_t name_off, size_t name_len,
                      const char *val, size_t val_len)
{
    if (r->field_count >= MAX_FIELDS) {
        r->cut = true;
        return;
    }
    field *f = &r->fields[r->field_count++];
    f->name_off = name_off;
    f->name_len = name_len;
    f->val_len = val_len;
    f->val_off = out_put(r, val, val_len);
}

static void add_named(evtx *r, const char *name, size_t name_len,
                      const char *val, size_t val_len)
{
    size_t off = out_put(r, name, name_len);
    add_field(r, off, name_len, val, val_len);
}

/* An attribute ends: its text is tx[start..). */
static void on_attribute(evtx *r, const char *name, size_t name_len,
                         size_t start)
{
    if (r->depth == 0)
        return;
    level *lv = &r->levels[r->depth - 1];
    const char *val = r->tx.data ? r->tx.data + start : "";
    size_t len = r->tx.len - start;
    if (lv->sect == SECT_SYSTEM && r->depth == 3) {
        if (util_ieq(lv->name, lv->name_len, "TimeCreated", 11) &&
            util_ieq(name, name_len, "SystemTime", 10)) {
            add_named(r, "TimeCreated", 11, val, len);
            return;
        }
        char tmp[2 * (NAME_MAX_CHARS * 3) + 2];
        size_t n = 0;
        memcpy(tmp, lv->name, lv->name_len);
        n = lv->name_len;
        tmp[n++] = '_';
        memcpy(tmp + n, name, name_len);
        n += name_len;
        add_named(r, tmp, n, val, len);
    } else if (lv->sect == SECT_EVENTDATA &&
               util_ieq(name, name_len, "Name", 4)) {
        lv->dname_off = out_put(r, val, len);
        lv->dname_len = len;
    }
}

static void open_element(evtx *r, const char *name, size_t len)
{
    if (r->depth >= MAX_DEPTH) {
        r->bad = true;
        return;
    }
    level *up = r->depth ? &r->levels[r->depth - 1] : NULL;
    if (up)
        up->has_child = true;
    level *lv = &r->levels[r->depth];
    lv->name = name; // the cache's text, or lv->namebuf
    lv->name_len = len;
    lv->tx_start = r->tx.len;
    lv->dname_len = SIZE_MAX;
    lv->has_child = false;
    lv->has_text = false;
    lv->skipped = false;
    lv->array = false;
    if (r->depth == 1) {
        if (util_ieq(name, len, "System", 6))
            lv->sect = SECT_SYSTEM;
        else if (util_ieq(name, len, "EventData", 9))
            lv->sect = SECT_EVENTDATA;
        else if (util_ieq(name, len, "UserData", 8))
            lv->sect = SECT_USERDATA;
        else
            lv->sect = SECT_NONE;
    } else {
        lv->sect = up ? up->sect : SECT_NONE;
    }
    r->depth++;
}

/* The field of a leaf element of a record, named as docs/internals/evtx.md
 * says: a Data element by its Name, an unnamed one as Data and Data[n]. */
static void leaf_field(evtx *r, level *lv, const char *val, size_t len)
{
    if (lv->dname_len != SIZE_MAX) {
        add_field(r, lv->dname_off, lv->dname_len, val, len);
    } else if (lv->sect == SECT_EVENTDATA &&
               util_ieq(lv->name, lv->name_len, "Data", 4)) {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "Data[%u]", ++r->data_no);
        add_named(r, "Data", 4, val, len);
        add_named(r, tmp, (size_t)n, val, len);
    } else {
        add_named(r, lv->name, lv->name_len, val, len);
    }
}

/* An element filled by an array value: one field per item. */
static void close_array(evtx *r, level *lv, const char *val, size_t len)
{
    const char *end = val + len;
    for (;;) {
        const char *sep = memchr(val, ARRAY_SEP, (size_t)(end - val));
        const char *stop = sep ? sep : end;
        leaf_field(r, lv, val, (size_t)(stop - val));
        if (!sep)
            break;
        val = sep + 1;
    }
}

static void close_element(evtx *r)
{
    if (r->depth == 0) {
        r->bad = true;
        return;
    }
    level *lv = &r->levels[r->depth - 1];
    const char *val = r->tx.data ? r->tx.data + lv->tx_start : "";
    size_t len = r->tx.len - lv->tx_start;
    size_t d = r->depth;
    if (lv->skipped && !lv->has_text && !lv->has_child) {
        // only optional substitutions without values: no element at all
    } else if (lv->array && !lv->has_child && lv->sect != SECT_NONE) {
        close_array(r, lv, val, len);
    } else if (lv->sect == SECT_SYSTEM && d == 3 && !lv->has_child &&
               lv->has_text) {
        add_named(r, lv->name, lv->name_len, val, len);
    } else if (lv->sect == SECT_EVENTDATA && d >= 3 && !lv->has_child) {
        if (lv->has_text || lv->dname_len != SIZE_MAX ||
            util_ieq(lv->name, lv->name_len, "Data", 4))
            leaf_field(r, lv, val, len);
    } else if (lv->sect == SECT_USERDATA && d >= 4 && !lv->has_child) {
        add_named(r, lv->name, lv->name_len, val, len);
    }
    r->tx.len = lv->tx_start;
    if (r->tx.data)
        r->tx.data[r->tx.len] = '\0';
    r->depth--;
}

/* ---- binary XML ---------------------------------------------------------- */

/* The values of the innermost template instance. */
typedef struct values {
    const subst *v;
    size_t count;
} values;

static void parse_fragment(evtx *r, uint32_t pos, uint32_t end,
                           const values *vals, unsigned nest);
static uint32_t parse_element(evtx *r, uint32_t pos, uint32_t end,
                              const values *vals, unsigned nest);

static bool spend(evtx *r)
{
    if (++r->tokens > MAX_TOKENS) {
        r->bad = true;
        r->cut = true;
        return false;
    }
    return !r->bad;
}

/* A substitution in element content or an attribute value. */
static void substitute(evtx *r, const values *vals, unsigned idx, bool in_attr,
                       unsigned nest)
{
    if (!vals || idx >= vals->count)
        return; // an index out of range renders nothing
    const subst *s = &vals->v[idx];
    if (r->depth)
        r->levels[r->depth - 1].has_text = true;
    if (s->type == 0x21) {
        if (!in_attr && s->size)
            parse_fragment(r, s->off, s->off + s->size, NULL, nest + 1);
        return;
    }
    // An array fills its element once per item (as Windows renders it);
    // in attributes the items are joined.
    bool split = !in_attr && (s->type & 0x80) && r->depth;
    if (split)
        r->levels[r->depth - 1].array = true;
    put_value(&r->tx, s->type, r->chunk + s->off, s->size,
              split ? "\x1f" : ", ");
}

/* Reads the name reference at pos (inline or not); advances *pos. */
static const char *read_name(evtx *r, uint32_t *pos, uint32_t end, char *tmp,
                             size_t *len)
{
    if (*pos + 4 > end)
        return NULL;
    uint32_t off = le32(r->chunk + *pos);
    *pos += 4;
    size_t bytes = 0;
    const char *n = name_at(r, off, tmp, len, &bytes);
    if (n && off == *pos) {
        if (*pos + bytes > end)
            return NULL;
        *pos += (uint32_t)bytes;
    }
    return n;
}

/* Parses value tokens (text, substitutions, references) at pos into tx.
 * Returns the position after them. */
static uint32_t parse_values(evtx *r, uint32_t pos, uint32_t end,
                             const values *vals, bool in_attr, unsigned nest,
                             bool *any)
{
    while (pos < end && spend(r)) {
        unsigned tok = r->chunk[pos] & 0xBF;
        if (tok == 0x05) { // value text: type, count, UTF-16
            if (pos + 4 > end) {
                r->bad = true;
                break;
            }
            size_t count = le16(r->chunk + pos + 2);
            if (pos + 4 + 2 * count > end) {
                r->bad = true;
                break;
            }
            put_utf16(&r->tx, r->chunk + pos + 4, count);
            pos += 4 + 2 * (uint32_t)count;
        } else if (tok == 0x0d || tok == 0x0e) { // substitutions
            if (pos + 4 > end) {
                r->bad = true;
                break;
            }
            unsigned idx = le16(r->chunk + pos + 1);
            bool present = vals && idx < vals->count &&
                           vals->v[idx].type != 0 && vals->v[idx].size;
            if (tok == 0x0d || present) {
                substitute(r, vals, idx, in_attr, nest);
                *any = true;
            } else if (r->depth && !in_attr) {
                r->levels[r->depth - 1].skipped = true;
            }
            pos += 4;
            continue;
        } else if (tok == 0x07) { // CDATA
            if (pos + 3 > end) {
                r->bad = true;
                break;
            }
            size_t count = le16(r->chunk + pos + 1);
            if (pos + 3 + 2 * count > end) {
                r->bad = true;
                break;
            }
            put_utf16(&r->tx, r->chunk + pos + 3, count);
            pos += 3 + 2 * (uint32_t)count;
        } else if (tok == 0x08) { // character reference
            if (pos + 3 > end) {
                r->bad = true;
                break;
            }
            put_utf16(&r->tx, r->chunk + pos + 1, 1);
            pos += 3;
        } else if (tok == 0x09) { // entity reference
            uint32_t p = pos + 1;
            char tmp[NAME_MAX_CHARS * 3 + 1];
            size_t len = 0;
            const char *n = read_name(r, &p, end, tmp, &len);
            if (!n) {
                r->bad = true;
                break;
            }
            static const char *const ents[][2] = {{"amp", "&"},
                                                  {"lt", "<"},
                                                  {"gt", ">"},
                                                  {"quot", "\""},
                                                  {"apos", "'"}};
            size_t e = 0;
            while (e < 5 && !util_ieq(n, len, ents[e][0], strlen(ents[e][0])))
                e++;
            if (e < 5) {
                buf_puts(&r->tx, ents[e][1]);
            } else {
                buf_putc(&r->tx, '&');
                buf_append(&r->tx, n, len);
                buf_putc(&r->tx, ';');
            }
            pos = p;
        } else {
            break;
        }
        *any = true;
        if (r->depth)
            r->levels[r->depth - 1].has_text = true;
    }
    return pos;
}

/* A template instance at pos (token 0x0c). Returns the position after its
 * values. */
static uint32_t parse_template(evtx *r, uint32_t pos, uint32_t end,
                               unsigned nest)
{
    if (nest >= MAX_NEST || pos + 10 > end) {
        r->bad = true;
        return end;
    }
    uint32_t def = le32(r->chunk + pos + 6);
    pos += 10;
    uint32_t data_off, data_len;
    if (!template_at(r, def, &data_off, &data_len)) {
        r->bad = true;
        return end;
    }
    if (def == pos) { // the definition follows inline
        if ((uint64_t)data_off + data_len > end) {
            r->bad = true;
            return end;
        }
        pos = data_off + data_len;
    }
    if (pos + 4 > end) {
        r->bad = true;
        return end;
    }
    uint32_t count = le32(r->chunk + pos);
    pos += 4;
    if (count > MAX_VALUES || (uint64_t)pos + 4ULL * count > end) {
        r->bad = true;
        return end;
    }
    if (r->val_top + count > MAX_VALUES * 2) {
        r->bad = true;
        r->cut = true;
        return end;
    }
    subst *v = r->vals + r->val_top;
    uint32_t at = pos + 4 * count;
    for (uint32_t i = 0; i < count; i++) {
        v[i].size = le16(r->chunk + pos + 4 * i);
        v[i].type = r->chunk[pos + 4 * i + 2];
        v[i].off = at;
        if ((uint64_t)at + v[i].size > end) {
            r->bad = true;
            return end;
        }
        at += v[i].size;
    }
    values vals = {v, count};
    r->val_top += count;
    parse_fragment(r, data_off, data_off + data_len, &vals, nest + 1);
    r->val_top -= count;
    return at;
}

/* Content of an element (or a fragment's top) until EndElement or EOF.
 * Returns the position after the closing token. */
static uint32_t parse_content(evtx *r, uint32_t pos, uint32_t end,
                              const values *vals, unsigned nest, bool top)
{
    while (pos < end && spend(r)) {
        unsigned tok = r->chunk[pos] & 0xBF;
        bool any = false;
        switch (tok) {
        case 0x00: // EOF
            return top ? pos + 1 : (r->bad = true, end);
        case 0x04: // EndElement
            if (top) {
                r->bad = true;
                return end;
            }
            return pos + 1;
        case 0x01:
            pos = parse_element(r, pos, end, vals, nest);
            break;
        case 0x05:
        case 0x07:
        case 0x08:
        case 0x09:
        case 0x0d:
        case 0x0e:
            pos = parse_values(r, pos, end, vals, false, nest, &any);
            break;
        case 0x0a: { // processing instruction target, then its data
            uint32_t p = pos + 1;
            char tmp[NAME_MAX_CHARS * 3 + 1];
            size_t len;
            if (!read_name(r, &p, end, tmp, &len)) {
                r->bad = true;
                return end;
            }
            pos = p;
            break;
        }
        case 0x0b: {
            if (pos + 3 > end) {
                r->bad = true;
                return end;
            }
            pos += 3 + 2 * (uint32_t)le16(r->chunk + pos + 1);
            break;
        }
        case 0x0c:
            pos = parse_template(r, pos, end, nest);
            break;
        case 0x0f:
            pos += 4;
            break;
        default:
            r->bad = true;
            return end;
        }
    }
    return pos;
}

/* An element at pos (token 0x01/0x41). Returns the position after it. */
static uint32_t parse_element(evtx *r, uint32_t pos, uint32_t end,
                              const values *vals, unsigned nest)
{
    bool attrs = r->chunk[pos] & 0x40;
    // With the 2-byte dependency identifier the name offset sits at +7; a
    // few writers leave it out (+5). The name is inline or earlier.
    uint32_t p = pos + 7;
    if (p + 4 > end) {
        r->bad = true;
        return end;
    }
    uint32_t noff = le32(r->chunk + p);
    if (!(noff == p + 4 || (noff >= 512 && noff < pos))) {
        p = pos + 5;
        noff = le32(r->chunk + p);
        if (!(noff == p + 4 || (noff >= 512 && noff < pos))) {
            r->bad = true;
            return end;
        }
    }
    if (r->depth >= MAX_DEPTH) {
        r->bad = true;
        return end;
    }
    level *lv = &r->levels[r->depth];
    size_t nlen = 0;
    const char *name = read_name(r, &p, end, lv->namebuf, &nlen);
    if (!name) {
        r->bad = true;
        return end;
    }
    if (attrs)
        p += 4;
    open_element(r, name, nlen);
    if (r->bad)
        return end;
    while (p < end && spend(r)) {
        unsigned tok = r->chunk[p] & 0xBF;
        if (tok == 0x06) { // attribute: name, then value tokens
            uint32_t q = p + 1;
            char tmp[NAME_MAX_CHARS * 3 + 1];
            size_t alen = 0;
            const char *an = read_name(r, &q, end, tmp, &alen);
            if (!an) {
                r->bad = true;
                return end;
            }
            size_t start = r->tx.len;
            bool any = false;
            bool had_text = r->levels[r->depth - 1].has_text;
            p = parse_values(r, q, end, vals, true, nest, &any);
            r->levels[r->depth - 1].has_text = had_text;
            if (any)
                on_attribute(r, an, alen, start);
            r->tx.len = start;
            continue;
        }
        if (tok == 0x02) { // close start: content follows
            p = parse_content(r, p + 1, end, vals, nest, false);
            break;
        }
        if (tok == 0x03) { // close empty
            p++;
            break;
        }
        r->bad = true;
        return end;
    }
    close_element(r);
    return p;
}

/* A fragment: header, then content until EOF. nest counts templates and
 * embedded binary XML. */
static void parse_fragment(evtx *r, uint32_t pos, uint32_t end,
                           const values *vals, unsigned nest)
{
    if (nest > MAX_NEST || end > r->chunk_len || pos > end) {
        r->bad = true;
        return;
    }
    parse_content(r, pos, end, vals, nest, true);
}

/* ---- records and chunks -------------------------------------------------- */

static const char *field_value(const evtx *r, const char *name)
{
    for (size_t i = 0; i < r->field_count; i++) {
        if (util_strcasecmp(r->ev_names[i], name) == 0)
            return r->ev_values[i];
    }
    return "";
}

/* Builds the event of the fields read; false when out of memory. */
static bool make_event(evtx *r)
{
    buf_reset(&r->raw);
    for (size_t i = 0; i < r->field_count; i++) {
        const field *f = &r->fields[i];
        r->ev_names[i] = r->out.data + f->name_off;
        r->ev_values[i] = r->out.data + f->val_off;
        r->ev_lens[i] = f->val_len;
        if (f->name_len >= 6 && r->ev_names[i][4] == '[')
            continue; // Data[n] repeats a Data value
        if (r->raw.len)
            buf_putc(&r->raw, ' ');
        buf_append(&r->raw, r->ev_values[i], f->val_len);
    }
    memset(&r->ev, 0, sizeof r->ev);
    r->ev.count = r->field_count;
    r->ev.names = r->ev_names;
    r->ev.values = r->ev_values;
    r->ev.lens = r->ev_lens;
    r->ev.raw = r->raw.data ? r->raw.data : "";
    r->ev.raw_len = r->raw.len;
    r->ev.multi = true;
    return true;
}

/* Reads the record at off (size len, checked) of the chunk. */
static bool read_record(evtx *r, uint32_t off, uint32_t len, evtx_record_cb cb,
                        void *user, evtx_stats *st)
{
    buf_reset(&r->tx);
    buf_reset(&r->out);
    buf_putc(&r->out, '\0'); // offset 0 is never a field
    r->field_count = 0;
    r->depth = 0;
    r->val_top = 0;
    r->tokens = 0;
    r->data_no = 0;
    r->bad = r->cut = false;
    parse_fragment(r, off + 24, off + len - 4, NULL, 0);
    while (r->depth)
        close_element(r);
    if (r->out.toobig || r->tx.toobig)
        r->cut = true;
    if (r->field_count == 0 || !r->out.data) {
        st->bad_records++;
        return true;
    }
    if (r->bad)
        st->bad_records++;
    make_event(r);
    evtx_record rec = {0};
    rec.record_id = le64(r->chunk + off + 8);
    rec.filetime = le64(r->chunk + off + 16);
    rec.time_ms =
        (int64_t)((rec.filetime - FILETIME_UNIX_TICKS *
                                      (rec.filetime >= FILETIME_UNIX_TICKS)) /
                  10000);
    if (rec.filetime < FILETIME_UNIX_TICKS)
        rec.time_ms = -(int64_t)((FILETIME_UNIX_TICKS - rec.filetime) / 10000);
    rec.channel = field_value(r, "Channel");
    rec.computer = field_value(r, "Computer");
    // The record's time is its TimeCreated, what Event Viewer shows; the
    // header's time says when the record was written, later for records
    // forwarded or copied from another log, and serves only without one.
    const char *created = field_value(r, "TimeCreated");
    int64_t created_ms;
    if (created[0] && util_time_parse(created, strlen(created), &created_ms))
        rec.time_ms = created_ms;
    rec.ev = &r->ev;
    rec.truncated = r->cut || r->bad;
    st->records++;
    return cb(user, &rec);
}

static bool all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i])
            return false;
    }
    return true;
}

/* The size of the record at off when it frames (signature, a size that
 * fits before end, the size repeated at its end), else 0. */
static uint32_t framed(const unsigned char *chunk, uint32_t off, uint32_t end)
{
    const unsigned char *p = chunk + off;
    if (off + 28 > end || memcmp(p, "\x2a\x2a\x00\x00", 4) != 0)
        return 0;
    uint32_t len = le32(p + 4);
    if (len < 28 || len > end - off || le32(p + len - 4) != len)
        return 0;
    return len;
}

/* The offset of the next record that frames at or after off, else end. */
static uint32_t next_record(const unsigned char *chunk, uint32_t off,
                            uint32_t end)
{
    while (off + 28 <= end) {
        const unsigned char *p =
            memchr(chunk + off, 0x2a, (size_t)(end - 28 - off) + 1);
        if (!p)
            break;
        off = (uint32_t)(p - chunk);
        if (framed(chunk, off, end))
            return off;
        off++;
    }
    return end;
}

bool evtx_read_chunk(evtx *r, const unsigned char *chunk, evtx_record_cb cb,
                     void *user, evtx_stats *st)
{
    if (memcmp(chunk, "ElfChnk\0", 8) != 0) {
        if (all_zero(chunk, EVTX_CHUNK_BYTES))
            st->empty_chunks++;
        else
            st->bad_chunks++;
        return false;
    }
    // Chunk flag 4 says that the writer computed no checksums (newer
    // Windows may be set to skip them).
    bool no_crc = le32(chunk + 120) & 4;
    uint32_t crc = evtx_crc32(0, chunk, 120);
    crc = evtx_crc32(crc, chunk + 128, 512 - 128);
    if (!no_crc && le32(chunk + 124) != crc) {
        st->bad_chunks++;
        return false;
    }
    uint32_t free_off = le32(chunk + 48);
    if (free_off < 512 || free_off > EVTX_CHUNK_BYTES) {
        st->bad_chunks++;
        return false;
    }
    // A dirty file's last chunk may hold records written after its
    // checksum: those are read, each one's framing checked below.
    if (!no_crc &&
        evtx_crc32(0, chunk + 512, free_off - 512) != le32(chunk + 52))
        st->bad_checksums++;
    if (r->chunk != chunk)
        memcpy(r->chunk, chunk, EVTX_CHUNK_BYTES);
    caches_reset(r);
    st->chunks++;
    uint32_t off = 512;
    while (off + 28 <= free_off) {
        uint32_t len = framed(r->chunk, off, free_off);
        if (!len) {
            // A record cut or overwritten (a dirty file's, a zero-size
            // one): counted, and reading goes on at the next record that
            // frames, so the intact ones after it are not lost.
            st->bad_records++;
            off = next_record(r->chunk, off + 1, free_off);
            continue;
        }
        if (!read_record(r, off, len, cb, user, st))
            return true;
        off += len;
    }
    return true;
}

/* Reads up to len bytes; returns bytes read, -1 on error. */
static ssize_t read_full(stream *in, unsigned char *dst, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = in->read(in, dst + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Stops evtx_read_chunk's callback chain: a flag the wrapper sets. */
typedef struct stopper {
    evtx_record_cb cb;
    void *user;
    bool stopped;
} stopper;

static bool stop_cb(void *user, const evtx_record *rec)
{
    stopper *s = user;
    if (!s->cb(s->user, rec)) {
        s->stopped = true;
        return false;
    }
    return true;
}

exh_status evtx_read(evtx *r, stream *in, evtx_record_cb cb, void *user,
                     evtx_stats *st)
{
    ssize_t n = read_full(in, r->chunk, EVTX_HEADER_BYTES);
    if (n < 0)
        return EXH_ERR_IO;
    if (!evtx_magic(r->chunk, (size_t)n)) {
        st->not_evtx = true;
        return EXH_OK;
    }
    if (n >= 128 && (le32(r->chunk + 120) & 1))
        st->dirty = true;
    if (n < EVTX_HEADER_BYTES)
        return EXH_OK;
    stopper sp = {cb, user, false};
    for (;;) {
        n = read_full(in, r->chunk, EVTX_CHUNK_BYTES);
        if (n < 0)
            return EXH_ERR_IO;
        if (n == 0)
            break;
        if ((size_t)n < EVTX_CHUNK_BYTES) {
            // a truncated last chunk: what fits is still read
            memset(r->chunk + n, 0, EVTX_CHUNK_BYTES - (size_t)n);
            if (!all_zero(r->chunk, (size_t)n)) {
                if (memcmp(r->chunk, "ElfChnk\0", 8) == 0 && n >= 512) {
                    evtx_read_chunk(r, r->chunk, stop_cb, &sp, st);
                    st->bad_chunks++;
                } else {
                    st->bad_chunks++;
                }
            }
            break;
        }
        evtx_read_chunk(r, r->chunk, stop_cb, &sp, st);
        if (sp.stopped)
            break;
    }
    return r->nomem ? EXH_ERR_NOMEM : EXH_OK;
}

exh_status evtx_new(evtx **out)
{
    evtx *r = exh_calloc(1, sizeof *r);
    if (!r)
        return EXH_ERR_NOMEM;
    r->chunk_len = EVTX_CHUNK_BYTES;
    r->chunk = exh_malloc(EVTX_CHUNK_BYTES);
    r->arena = exh_malloc(NAME_ARENA_BYTES);
    r->fields = exh_calloc(MAX_FIELDS, sizeof *r->fields);
    r->levels = exh_calloc(MAX_DEPTH, sizeof *r->levels);
    r->vals = exh_calloc(MAX_VALUES * 2, sizeof *r->vals);
    r->ev_names = exh_calloc(MAX_FIELDS, sizeof *r->ev_names);
    r->ev_values = exh_calloc(MAX_FIELDS, sizeof *r->ev_values);
    r->ev_lens = exh_calloc(MAX_FIELDS, sizeof *r->ev_lens);
    buf_init(&r->tx, MAX_OUT_BYTES);
    buf_init(&r->out, MAX_OUT_BYTES);
    buf_init(&r->raw, MAX_OUT_BYTES);
    if (!r->chunk || !r->arena || !r->fields || !r->levels || !r->vals ||
        !r->ev_names || !r->ev_values || !r->ev_lens) {
        evtx_free(r);
        return EXH_ERR_NOMEM;
    }
    *out = r;
    return EXH_OK;
}

void evtx_free(evtx *r)
{
    if (!r)
        return;
    exh_free(r->chunk);
    exh_free(r->arena);
    exh_free(r->fields);
    exh_free(r->levels);
    exh_free(r->vals);
    exh_free(r->ev_names);
    exh_free(r->ev_values);
    exh_free(r->ev_lens);
    buf_free(&r->tx);
    buf_free(&r->out);
    buf_free(&r->raw);
    exh_free(r);
}
