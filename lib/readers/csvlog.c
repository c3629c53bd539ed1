/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvlog.c - the reader of Exchange's CSV logs: HttpProxy, ECP Server, ECP
 * Activity, remote PowerShell (RPS), OABGenerator (which may also be plain
 * text) and IIS W3C logs (space-separated, unquoted).
 *
 * The file is streamed through one fixed 128 KiB buffer. Each line is found
 * with memchr and handed to the callback straight from that buffer; only a
 * record that spans lines (a quoted line end), crosses a refill or holds a
 * NUL is copied, into a buffer bounded by max_record_bytes. Fields are
 * split only when csvlog_event() asks. docs/internals/csvlog.md explains
 * the header rules, the quoting fast path and the limits.
 */
#include "internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdio.h>
#include <string.h>

#define CSVLOG_IO_BYTES    ((size_t)128 << 10) /* the read buffer: fits L2 */
#define CSVLOG_SNIFF_BYTES 4096 /* bytes judged for binary input */
#define CSVLOG_MAX_FIELDS  4096 /* columns of one record in an event */
#define CSVLOG_MAX_DERIVED 256  /* derived fields of one record */
#define CSVLOG_NAME_BYTES  16   /* room for one "Field<N>" name */

/* Where the quote scanner is inside a record (RFC 4180, leniently). */
enum quote_state {
    Q_START,  /* at the start of a field */
    Q_PLAIN,  /* inside an unquoted field: '"' is literal */
    Q_QUOTED, /* inside a quoted field: ',' and line ends are data */
    Q_CLOSING /* just after a '"' inside a quoted field */
};

/* A hash of a header's column names and their aliases, for event_get(). */
#define NAME_INDEX_SLOTS   1024 /* power of two, over twice the columns */
#define NAME_INDEX_COLUMNS 448
#define NAME_INDEX_ENTRIES 896 /* columns plus aliases: keeps slots free */
struct name_index {
    uint32_t hash[NAME_INDEX_SLOTS];
    uint16_t col[NAME_INDEX_SLOTS];     /* column + 1; 0 is an empty slot */
    const char *name[NAME_INDEX_SLOTS]; /* the name hashed in the slot */
    size_t count;                       /* columns hashed */
};

/* Another name of a column: a Sigma webserver taxonomy name. plus: the
 * value is the column's with '+' read as a space (IIS cs(User-Agent)). */
struct alias {
    const char *name;
    size_t col;
    bool plus;
};

#define PF_HITS          1024 /* pre-filter hits kept per search of io */
#define DEC_MARKS        64   /* decoded escapes a record is searched around */
#define NAME_CACHE_SLOTS 1024 /* field names rules ask for, by address */

/* What an assembled line is. */
enum line_kind { KIND_RECORD, KIND_DIRECTIVE, KIND_HEADER };

struct csvlog {
    log_family fam;
    size_t max_record_bytes;
    char *io;       /* CSVLOG_IO_BYTES + 1: room for a final NUL */
    buf rec;        /* a record copied out of io, bounded */
    char *hdr_text; /* the header's names, NUL-separated */
    const char **hdr_names;
    size_t hdr_count;
    size_t time_col;       /* column of the time field, SIZE_MAX when none */
    size_t clock_col;      /* IIS: column of "time" (time_col is "date") */
    size_t agent_col;      /* IIS: column of cs(User-Agent), or SIZE_MAX */
    struct alias *aliases; /* the current header's aliases */
    size_t alias_count;
    char *alias_text; /* IIS alias names, NUL-separated */
    size_t data_col;  /* EventData (ECP) or Message (OAB), or SIZE_MAX */
    bool have_header;
    /* the last header made in full, for files that repeat it */
    char *hdr_raw; /* its line as read, hdr_raw_len bytes */
    size_t hdr_raw_len, hdr_raw_cap;
    bool hdr_raw_valid;
    struct {
        size_t count, time_col, clock_col, agent_col, data_col, alias_count;
    } hdr_saved;
    char *version;         /* "#Version:" of the file being read */
    util_time_cache times; /* the minute of the last record's time */
    uint64_t seq;          /* bumped per record and header: event cache key */
    /* csvlog_event() scratch, reused for every record */
    char *work;
    size_t work_cap;
    const char **names;
    const char **values;
    size_t *lens;
    char *field_names; /* "Field1".."Field<CSVLOG_MAX_FIELDS>" */
    event ev;
    uint64_t ev_seq;
    const char *ev_text;
    size_t ev_len;
    bool ev_valid;
    bool oom;            /* csvlog_event() failed to allocate */
    const prefilter *pf; /* see csvlog_set_prefilter(), or NULL */
    bool pf_decode;      /* ... also judge records URL-decoded */
    char *dec;           /* a record URL-decoded, dec_cap bytes */
    size_t dec_cap;
    uint64_t *pf_bits;       /* the current record's literals (logrec.bits) */
    size_t pf_words;         /* words pf_bits holds */
    uint64_t *pf_rules;      /* the rules it passes (logrec.rules) */
    size_t pf_rule_words;    /* words pf_rules holds */
    struct name_index *nidx; /* the current header's names, hashed */
    uint64_t hdr_seq;        /* bumped per header */
    uint64_t nidx_seq;       /* hdr_seq nidx was built for */
    size_t nidx_count;       /* columns nidx was built for */
    /* lazy splitting of the current record (see lazy_field) */
    const char *lz_text;
    size_t lz_len;
    size_t lz_pos;         /* where the next unlocated field starts */
    size_t lz_located;     /* fields whose value is known */
    bool lz_end;           /* the record's last field is located */
    char *lz_out;          /* next free byte of work for values */
    uint64_t lz_names_seq; /* hdr_seq names[] holds the header for */
    bool names_dirty;      /* names[] was used by a full split since */
    /* name pointer -> column, for the field names rules ask for again and
     * again (their strings live as long as the rules) */
    struct {
        const char *name;
        uint64_t seq;
        size_t col;
    } name_cache[NAME_CACHE_SLOTS];

    /* IIS: the column of each field clause's field (field_columns()) */
    size_t *pf_cols;
    size_t pf_cols_cap;          /* entries allocated */
    uint64_t pf_cols_seq;        /* the hdr_seq they were found for */
    const prefilter *pf_cols_pf; /* ... and the filter */
};

/* The state of one csvlog_read() call. */
typedef struct reading {
    csvlog *r;
    stream *in;
    csvlog_record_cb cb;
    void *user;
    csvlog_stats *st;
    exh_status status;
    bool stop;         /* the callback asked to stop */
    uint64_t line;     /* physical lines begun so far */
    bool mid_line;     /* the last fragment did not end its line */
    size_t pos, fill;  /* unread bytes of io are [pos, fill) */
    size_t no_eol;     /* io[pos, no_eol) is known to hold no '\n' */
    size_t quote_next; /* offset of the next '"' at or after a line */
    size_t nul_next;   /* offset of the next NUL, likewise */
    size_t pct_next;   /* offset of the next '%', likewise */
    bool quote_valid, nul_valid, pct_valid;
    /* the record or line being assembled in r->rec */
    bool open;
    enum line_kind kind;
    uint64_t open_line;
    enum quote_state quote;
    bool has_nul, cut, malformed;
    bool crlf; /* the line end to insert when the record goes on */
    /* the pre-filter's search ahead in io: [pf_from, pf_to) was searched
     * and holds literals exactly at pf_hits[0..pf_count) */
    size_t pf_from, pf_to;
    size_t pf_hits[PF_HITS];
    uint32_t pf_ids[PF_HITS]; /* the literal of each hit */
    bool pf_loose;            /* ... loose hits kept (PREFILTER_LOOSE) */
    size_t pf_count, pf_next;
    bool pf_valid;
    /* the record being delivered: pf_ids[rec_hit .. rec_hit + rec_hits)
     * are every search run it holds, when rec_known */
    size_t rec_hit, rec_hits;
    bool rec_known;
} reading;

static const char *const family_names[FAM__COUNT] = {
    "none", "httpproxy", "ecp-server", "ecp-activity", "oabgenerator",
    "rps",  "iis",       "evtx",       "ews",
};

/* Names of a time column, in any case. */
static const char *const time_names[] = {"DateTime", "TimeStamp", "date-time"};

const char *csvlog_family_name(log_family fam)
{
    if ((int)fam < 0 || fam >= FAM__COUNT)
        return "none";
    return family_names[fam];
}

static const char *lazy_field(csvlog *r, size_t col, size_t *len);
static void materialize(csvlog *r);
static const event *csvlog_event_full(csvlog *r, const logrec *rec);

/* Webserver taxonomy names of HttpProxy columns (docs/internals/csvlog.md),
 * so that Sigma webserver rules run on HttpProxy rows. */
static const char *const httpproxy_aliases[][2] = {
    {"cs-uri-stem", "UrlStem"},
    {"cs-uri-query", "UrlQuery"},
    {"cs-method", "Method"},
    {"sc-status", "HttpStatus"},
    {"c-ip", "ClientIpAddress"},
    {"cs-user-agent", "UserAgent"},
    {"cs-username", "AuthenticatedUser"},
    {"cs-host", "UrlHost"},
};

/* FNV-1a of a name folded to lower case. */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c =
            (*p >= 'A' && *p <= 'Z') ? (unsigned char)(*p + 32) : *p;
        h = (h ^ c) * 16777619u;
    }
    return h;
}

/* The column of name among the hashed ones, or SIZE_MAX. */
static size_t index_find(const struct name_index *x, const char *name)
{
    uint32_t h = name_hash(name);
    for (size_t i = h & (NAME_INDEX_SLOTS - 1); x->col[i];
         i = (i + 1) & (NAME_INDEX_SLOTS - 1)) {
        if (x->hash[i] == h && util_strcasecmp(x->name[i], name) == 0)
            return (size_t)x->col[i] - 1;
    }
    return SIZE_MAX;
}

/* Adds name for column col unless the name is hashed already. */
static void index_add(struct name_index *x, const char *name, size_t col)
{
    if (index_find(x, name) != SIZE_MAX)
        return;
    uint32_t h = name_hash(name);
    size_t i = h & (NAME_INDEX_SLOTS - 1);
    while (x->col[i])
        i = (i + 1) & (NAME_INDEX_SLOTS - 1);
    x->hash[i] = h;
    x->col[i] = (uint16_t)(col + 1);
    x->name[i] = name;
}

/* Hashes the first count names, then the aliases of those columns (not
 * those whose value differs from the column's: they are derived fields);
 * the first of equal names wins, so a real column shadows an alias. */
static void index_build(struct name_index *x, const char *const *names,
                        size_t count, const struct alias *aliases,
                        size_t alias_count)
{
    memset(x->col, 0, sizeof x->col);
    x->count = count < NAME_INDEX_COLUMNS ? count : NAME_INDEX_COLUMNS;
    for (size_t c = 0; c < x->count; c++)
        index_add(x, names[c], c);
    size_t entries = x->count;
    for (size_t k = 0; k < alias_count && entries < NAME_INDEX_ENTRIES; k++) {
        if (aliases[k].plus || aliases[k].col >= x->count)
            continue;
        index_add(x, aliases[k].name, aliases[k].col);
        entries++;
    }
}

const char *event_get(const event *ev, const char *name, size_t *len)
{
    if (!ev || !name)
        return NULL;
    size_t from = 0;
    if (ev->lazy) {
        csvlog *r = ev->lazy;
        size_t slot = ((uintptr_t)name >> 3) & (NAME_CACHE_SLOTS - 1);
        size_t col;
        if (r->name_cache[slot].name == name &&
            r->name_cache[slot].seq == r->hdr_seq) {
            col = r->name_cache[slot].col;
        } else {
            col = index_find(ev->index, name);
            r->name_cache[slot].name = name;
            r->name_cache[slot].seq = r->hdr_seq;
            r->name_cache[slot].col = col;
        }
        if (col != SIZE_MAX)
            return lazy_field(r, col, len);
        materialize(ev->lazy); // a name outside the header: split it all
    }
    if (ev->index && ev->indexed <= ev->count) {
        size_t col = index_find(ev->index, name);
        if (col < ev->indexed) {
            if (len)
                *len = ev->lens[col];
            return ev->values[col];
        }
        from = ev->indexed; // hashed names are not searched again
    }
    for (size_t i = from; i < ev->count; i++) {
        if (util_strcasecmp(ev->names[i], name) == 0) {
            if (len)
                *len = ev->lens[i];
            return ev->values[i];
        }
    }
    return NULL;
}

exh_status csvlog_new(log_family fam, size_t max_record_bytes, csvlog **out)
{
    if (!out || fam <= FAM_NONE || fam >= FAM__COUNT || max_record_bytes == 0)
        return EXH_ERR_INVALID_ARG;
    csvlog *r = exh_calloc(1, sizeof *r);
    if (!r)
        return EXH_ERR_NOMEM;
    r->fam = fam;
    r->max_record_bytes = max_record_bytes;
    r->time_col = SIZE_MAX;
    r->clock_col = SIZE_MAX;
    r->agent_col = SIZE_MAX;
    r->data_col = SIZE_MAX;
    buf_init(&r->rec, max_record_bytes);
    r->io = exh_malloc(CSVLOG_IO_BYTES + 1);
    if (!r->io) {
        csvlog_free(r);
        return EXH_ERR_NOMEM;
    }
    *out = r;
    return EXH_OK;
}

/* Grows the bit set *set (of *have words) to hold want words; on failure
 * it stays as it is, which its users check. */
static void grow_words(uint64_t **set, size_t *have, size_t want)
{
    if (want <= *have)
        return;
    uint64_t *b = exh_realloc(*set, want * sizeof *b);
    if (b) {
        *set = b;
        *have = want;
    }
}

void csvlog_set_prefilter(csvlog *r, const prefilter *pf, bool decode)
{
    r->pf = pf;
    r->pf_decode = decode;
    grow_words(&r->pf_bits, &r->pf_words, pf ? prefilter_words(pf) : 0);
    grow_words(&r->pf_rules, &r->pf_rule_words,
               pf ? prefilter_rule_words(pf) : 0);
}

void csvlog_free(csvlog *r)
{
    if (!r)
        return;
    exh_free(r->io);
    buf_free(&r->rec);
    exh_free(r->hdr_text);
    exh_free(r->hdr_raw);
    exh_free(r->hdr_names);
    exh_free(r->aliases);
    exh_free(r->alias_text);
    exh_free(r->nidx);
    exh_free(r->version);
    exh_free(r->work);
    exh_free(r->dec);
    exh_free(r->pf_bits);
    exh_free(r->pf_rules);
    exh_free(r->pf_cols);
    exh_free(r->names);
    exh_free(r->values);
    exh_free(r->lens);
    exh_free(r->field_names);
    exh_free(r);
}

/* ---- small scanners --------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when s starts with prefix, ignoring ASCII case. */
static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && util_ieq(s, n, prefix, n);
}

/* Advances the quote state over s. Only a '"' at the start of a field
 * opens a quoted field; elsewhere it is literal, so a stray quote in an
 * unquoted value cannot swallow the lines after it. */
static enum quote_state quote_scan(const char *s, size_t len,
                                   enum quote_state q)
{
    size_t i = 0;
    while (i < len) {
        if (q == Q_CLOSING) {
            char c = s[i++];
            q = c == '"' ? Q_QUOTED : (c == ',' ? Q_START : Q_PLAIN);
            continue;
        }
        const char *hit = memchr(s + i, '"', len - i);
        if (q == Q_QUOTED) {
            if (!hit)
                return Q_QUOTED;
            i = (size_t)(hit - s) + 1;
            q = Q_CLOSING;
            continue;
        }
        if (!hit)
            return s[len - 1] == ',' ? Q_START : Q_PLAIN;
        size_t k = (size_t)(hit - s);
        bool at_start = k == i ? q == Q_START : s[k - 1] == ',';
        q = at_start ? Q_QUOTED : Q_PLAIN;
        i = k + 1;
    }
    return q;
}

/* True when s begins like a record of these logs, "YYYY-MM-DDTHH:MM", or
 * like a header block. Ends a quoted field left open by a line before. */
static bool looks_like_record_start(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd";
    if (starts_with(s, len, "#Fields:") || starts_with(s, len, "#Software:"))
        return true;
    if (len < sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        char c = s[i];
        bool ok = shape[i] == 'd'   ? is_digit(c)
                  : shape[i] == 'T' ? (c == 'T' || c == ' ')
                                    : c == shape[i];
        if (!ok)
            return false;
    }
    return true;
}

/* True when s is a bare header line: a time field name, then a comma. */
static bool is_header_line(const char *s, size_t len)
{
    if (len == 0 || is_digit(s[0]))
        return false;
    for (size_t i = 0; i < sizeof time_names / sizeof time_names[0]; i++) {
        size_t n = strlen(time_names[i]);
        if (len > n && s[n] == ',' && util_ieq(s, n, time_names[i], n))
            return true;
    }
    return false;
}

static bool is_time_name(const char *name)
{
    for (size_t i = 0; i < sizeof time_names / sizeof time_names[0]; i++) {
        if (util_strcasecmp(name, time_names[i]) == 0)
            return true;
    }
    return false;
}

/* Splits CSV text s into NUL-terminated, unquoted values written to dst
 * (room for len + 1 bytes is enough). Stores at most max_fields values
 * and returns how many were stored. Lenient: text after a closing quote
 * is kept, an unterminated quote runs to the end. */
static size_t split_csv(char *dst, const char *s, size_t len,
                        const char **values, size_t *lens, size_t max_fields)
{
    size_t count = 0, i = 0;
    char *o = dst;
    for (;;) {
        char *start = o;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                const char *q = memchr(s + i, '"', len - i);
                size_t k = q ? (size_t)(q - (s + i)) : len - i;
                memcpy(o, s + i, k);
                o += k;
                i += k;
                if (!q)
                    break;
                i++;
                if (i < len && s[i] == '"') {
                    *o++ = '"';
                    i++;
                    continue;
                }
                break;
            }
        }
        const char *comma = memchr(s + i, ',', len - i);
        size_t k = comma ? (size_t)(comma - (s + i)) : len - i;
        memcpy(o, s + i, k);
        o += k;
        i += k;
        *o++ = '\0';
        if (count < max_fields) {
            values[count] = start;
            lens[count] = (size_t)(o - 1 - start);
            count++;
        }
        if (!comma)
            return count;
        i++;
    }
}

/* Splits IIS W3C text s at single spaces (runs: at runs of blanks, with
 * none at the ends, as for a "#Fields:" value) into NUL-terminated values
 * written to dst (room for len + 1 bytes). No quoting: '-' stays a value.
 * Stores at most max_fields values and returns how many were stored. */
static size_t split_spaces(char *dst, const char *s, size_t len,
                           const char **values, size_t *lens, size_t max_fields,
                           bool runs)
{
    size_t count = 0, i = 0;
    memcpy(dst, s, len);
    dst[len] = '\0';
    for (;;) {
        if (runs) {
            while (i < len && (dst[i] == ' ' || dst[i] == '\t'))
                i++;
            if (i == len)
                return count;
        }
        size_t start = i;
        while (i < len && dst[i] != ' ' && !(runs && dst[i] == '\t'))
            i++;
        dst[i] = '\0';
        if (count < max_fields) {
            values[count] = dst + start;
            lens[count] = i - start;
            count++;
        }
        if (i >= len)
            return count;
        i++;
    }
}

/* Finds field col of IIS text s (split at single spaces); false when the
 * record has fewer fields. */
static bool locate_space_field(const char *s, size_t len, size_t col,
                               const char **out, size_t *out_len)
{
    size_t start = 0;
    for (size_t field = 0;; field++) {
        const char *sp = memchr(s + start, ' ', len - start);
        size_t end = sp ? (size_t)(sp - s) : len;
        if (field == col) {
            *out = s + start;
            *out_len = end - start;
            return true;
        }
        if (!sp)
            return false;
        start = end + 1;
    }
}

/* Finds the raw bytes of field col of s (quotes kept); false when the
 * record has fewer fields. */
static bool locate_field(const char *s, size_t len, size_t col,
                         const char **out, size_t *out_len)
{
    size_t i = 0, field = 0, start = 0;
    enum quote_state q = Q_START;
    for (; i <= len; i++) {
        if (i == len || (s[i] == ',' && q != Q_QUOTED)) {
            if (field == col) {
                *out = s + start;
                *out_len = i - start;
                return true;
            }
            field++;
            start = i + 1;
            q = Q_START;
            continue;
        }
        q = quote_scan(s + i, 1, q);
    }
    return false;
}

/* Parses a time field, without its quotes when it has them. */
static int64_t parse_time_field(csvlog *r, const char *s, size_t len)
{
    int64_t ms;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    return util_time_parse_cached(&r->times, s, len, &ms) ? ms : INT64_MIN;
}

/* The time at the start of a plain-text line ("2021-03-03T04:12:33.1Z
 * text" or "2021-03-03 04:12:33 text"), or INT64_MIN. */
static int64_t plain_time(csvlog *r, const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-dd";
    if (len < sizeof shape - 1)
        return INT64_MIN;
    for (size_t k = 0; k < sizeof shape - 1; k++) {
        if (shape[k] == 'd' ? !is_digit(s[k]) : s[k] != shape[k])
            return INT64_MIN;
    }
    size_t i = sizeof shape - 1;
    if (i + 1 < len && (s[i] == 'T' || s[i] == ' ') && is_digit(s[i + 1]))
        i++;
    while (i < len && (is_digit(s[i]) || s[i] == ':' || s[i] == '.' ||
                       s[i] == '+' || s[i] == '-' || s[i] == 'Z'))
        i++;
    return parse_time_field(r, s, i);
}

/* True while the OABGenerator reader has seen no header: lines are then
 * plain text, one record each, without CSV quoting. */
static bool plain_mode(const csvlog *r)
{
    return r->fam == FAM_OABGENERATOR && !r->have_header;
}

/* True when records have no CSV quoting: plain OABGenerator text and IIS
 * W3C logs (IIS encodes spaces in values, quotes are plain bytes). */
static bool unquoted(const csvlog *r)
{
    return plain_mode(r) || r->fam == FAM_IIS;
}

/* The UTC time of an IIS record from its "date" and "time" fields: when
 * they come first (every real header), the raw "2021-03-02 04:12:33"
 * prefix; else the two fields joined. */
static int64_t iis_time(csvlog *r, const char *s, size_t len)
{
    size_t date = r->have_header ? r->time_col : 0;
    size_t clock = r->have_header ? r->clock_col : 1;
    if (date == 0 && clock == 1) {
        const char *sp = memchr(s, ' ', len);
        if (!sp)
            return INT64_MIN;
        size_t rest = len - (size_t)(sp - s) - 1;
        const char *end = memchr(sp + 1, ' ', rest);
        return parse_time_field(r, s, end ? (size_t)(end - s) : len);
    }
    const char *d, *t;
    size_t d_len, t_len;
    char joined[64];
    if (date == SIZE_MAX || clock == SIZE_MAX ||
        !locate_space_field(s, len, date, &d, &d_len) ||
        !locate_space_field(s, len, clock, &t, &t_len) ||
        d_len + t_len + 1 > sizeof joined)
        return INT64_MIN;
    memcpy(joined, d, d_len);
    joined[d_len] = ' ';
    memcpy(joined + d_len + 1, t, t_len);
    return parse_time_field(r, joined, d_len + 1 + t_len);
}

/* The time of a record: the time column, found without splitting. */
static int64_t record_time(csvlog *r, const char *s, size_t len)
{
    if (plain_mode(r))
        return plain_time(r, s, len);
    if (r->fam == FAM_IIS)
        return iis_time(r, s, len);
    size_t col = r->have_header ? r->time_col : 0;
    if (col == SIZE_MAX)
        return INT64_MIN;
    if (col == 0 && (len == 0 || s[0] != '"')) {
        const char *comma = memchr(s, ',', len);
        return parse_time_field(r, s, comma ? (size_t)(comma - s) : len);
    }
    const char *field;
    size_t field_len;
    if (!locate_field(s, len, col, &field, &field_len))
        return INT64_MIN;
    return parse_time_field(r, field, field_len);
}

/* ---- headers and directives ------------------------------------------- */

/* The column named name in the current header, or SIZE_MAX. */
static size_t header_column(const csvlog *r, const char *name)
{
    for (size_t i = 0; i < r->hdr_count; i++) {
        if (util_strcasecmp(r->hdr_names[i], name) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* IIS: the "date" and "time" columns and cs(User-Agent). */
static void iis_columns(csvlog *r)
{
    r->time_col = header_column(r, "date");
    r->clock_col = header_column(r, "time");
    r->agent_col = header_column(r, "cs(User-Agent)");
}

/* Adds an alias. A real column of the same name wins over it: in the name
 * index, where columns come first, and in add_field(). */
static void alias_add(csvlog *r, const char *name, size_t col, bool plus)
{
    r->aliases[r->alias_count++] = (struct alias){name, col, plus};
}

/* The webserver taxonomy name of IIS column name into out (room for its
 * length + 2): "cs(User-Agent)" -> "cs-user-agent", "cs(Referer)" ->
 * "cs-referrer", generally "cs(X)"/"sc(X)" -> "cs-x"/"sc-x". False when the
 * name has no such form. *plus: values read '+' as a space. */
static bool iis_alias_name(const char *name, char *out, bool *plus)
{
    size_t n = strlen(name);
    if (n < 5 || name[n - 1] != ')' || name[2] != '(' ||
        !(starts_with(name, n, "cs(") || starts_with(name, n, "sc(")))
        return false;
    size_t k = 0;
    out[k++] = (char)(name[0] | 0x20);
    out[k++] = (char)(name[1] | 0x20);
    out[k++] = '-';
    for (size_t i = 3; i < n - 1; i++) {
        char c = name[i];
        out[k++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[k] = '\0';
    if (strcmp(out, "cs-referer") == 0)
        memcpy(out, "cs-referrer", sizeof "cs-referrer");
    *plus = strcmp(out, "cs-user-agent") == 0 ||
            strcmp(out, "cs-referrer") == 0 || strcmp(out, "cs-cookie") == 0;
    return true;
}

/* Builds the current header's aliases: the HttpProxy map, or the IIS
 * taxonomy names of cs(X) and sc(X) columns. */
static exh_status header_aliases(csvlog *r)
{
    r->alias_count = 0;
    size_t slots = sizeof httpproxy_aliases / sizeof httpproxy_aliases[0];
    if (r->fam == FAM_IIS)
        slots = r->hdr_count;
    else if (r->fam != FAM_HTTPPROXY)
        return EXH_OK;
    exh_free(r->aliases);
    r->aliases = exh_calloc(slots ? slots : 1, sizeof *r->aliases);
    if (!r->aliases)
        return EXH_ERR_NOMEM;
    if (r->fam == FAM_HTTPPROXY) {
        for (size_t k = 0; k < slots; k++) {
            size_t col = header_column(r, httpproxy_aliases[k][1]);
            // Checked here too: a short row must not see the alias.
            if (col != SIZE_MAX &&
                header_column(r, httpproxy_aliases[k][0]) == SIZE_MAX)
                alias_add(r, httpproxy_aliases[k][0], col, false);
        }
        return EXH_OK;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < r->hdr_count; i++)
        bytes += strlen(r->hdr_names[i]) + 3;
    exh_free(r->alias_text);
    r->alias_text = exh_malloc(bytes ? bytes : 1);
    if (!r->alias_text)
        return EXH_ERR_NOMEM;
    char *o = r->alias_text;
    for (size_t i = 0; i < r->hdr_count; i++) {
        bool plus;
        if (!iis_alias_name(r->hdr_names[i], o, &plus))
            continue;
        alias_add(r, o, i, plus);
        o += strlen(o) + 1;
    }
    return EXH_OK;
}

/* The header read again, byte for byte the last one made in full: its
 * names, columns and aliases are still in place, and so are the name
 * index and caches keyed by hdr_seq, which stays. */
static exh_status header_again(reading *d)
{
    csvlog *r = d->r;
    if (r->have_header)
        d->st->header_changes++;
    r->hdr_count = r->hdr_saved.count;
    r->time_col = r->hdr_saved.time_col;
    r->clock_col = r->hdr_saved.clock_col;
    r->agent_col = r->hdr_saved.agent_col;
    r->data_col = r->hdr_saved.data_col;
    r->alias_count = r->hdr_saved.alias_count;
    r->have_header = true;
    r->seq++;
    return EXH_OK;
}

/* Makes s (a "#Fields:" value or a bare header line) the header. */
static exh_status set_header(reading *d, const char *s, size_t len)
{
    csvlog *r = d->r;
    if (r->hdr_raw_valid && r->hdr_raw_len == len &&
        memcmp(r->hdr_raw, s, len) == 0)
        return header_again(d);
    r->hdr_raw_valid = false;
    size_t text_len;
    if (__builtin_add_overflow(len, 1, &text_len))
        return EXH_ERR_LIMIT;
    char *text = exh_realloc(r->hdr_text, text_len);
    if (!text)
        return EXH_ERR_NOMEM;
    r->hdr_text = text;
    if (!r->hdr_names) {
        r->hdr_names = exh_calloc(CSVLOG_MAX_FIELDS, sizeof *r->hdr_names);
        if (!r->lens)
            r->lens = exh_calloc(CSVLOG_MAX_FIELDS + CSVLOG_MAX_DERIVED + 2,
                                 sizeof *r->lens);
        if (!r->hdr_names || !r->lens)
            return EXH_ERR_NOMEM;
    }
    if (r->have_header)
        d->st->header_changes++;
    if (r->fam == FAM_IIS)
        r->hdr_count = split_spaces(text, s, len, r->hdr_names, r->lens,
                                    CSVLOG_MAX_FIELDS, true);
    else
        r->hdr_count =
            split_csv(text, s, len, r->hdr_names, r->lens, CSVLOG_MAX_FIELDS);
    r->time_col = SIZE_MAX;
    r->clock_col = SIZE_MAX;
    r->agent_col = SIZE_MAX;
    r->data_col = SIZE_MAX;
    const char *data_name =
        r->fam == FAM_OABGENERATOR ? "Message" : "EventData";
    for (size_t i = 0; i < r->hdr_count; i++) {
        char *name = (char *)r->hdr_names[i];
        size_t n = r->lens[i];
        while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
            name[--n] = '\0';
        while (*name == ' ' || *name == '\t')
            name++;
        r->hdr_names[i] = name;
        if (r->time_col == SIZE_MAX && is_time_name(name))
            r->time_col = i;
        if (r->data_col == SIZE_MAX && util_strcasecmp(name, data_name) == 0)
            r->data_col = i;
    }
    if (r->fam == FAM_IIS)
        iis_columns(r);
    EXH_TRY(header_aliases(r));
    r->have_header = true;
    r->seq++;
    r->hdr_seq++;
    // Kept for the next file: most repeat the header byte for byte.
    if (len > r->hdr_raw_cap) {
        char *p = exh_realloc(r->hdr_raw, len);
        if (!p)
            return EXH_OK;
        r->hdr_raw = p;
        r->hdr_raw_cap = len;
    }
    if (len)
        memcpy(r->hdr_raw, s, len);
    r->hdr_raw_len = len;
    r->hdr_saved.count = r->hdr_count;
    r->hdr_saved.time_col = r->time_col;
    r->hdr_saved.clock_col = r->clock_col;
    r->hdr_saved.agent_col = r->agent_col;
    r->hdr_saved.data_col = r->data_col;
    r->hdr_saved.alias_count = r->alias_count;
    r->hdr_raw_valid = true;
    return EXH_OK;
}

/* Handles one "#..." line: "#Fields:" and "#Version:"; others are
 * comments. */
static exh_status directive(reading *d, const char *s, size_t len)
{
    static const char fields[] = "Fields:", version[] = "Version:";
    size_t skip = 1; // the '#', then blanks: "# Fields:" is seen too
    while (skip < len && (s[skip] == ' ' || s[skip] == '\t'))
        skip++;
    bool is_fields = starts_with(s + skip, len - skip, fields);
    if (is_fields)
        skip += sizeof fields - 1;
    else if (starts_with(s + skip, len - skip, version))
        skip += sizeof version - 1;
    else
        return EXH_OK;
    const char *v = s + skip;
    size_t n = len - skip;
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (is_fields)
        return set_header(d, v, n);
    if (d->r->version)
        return EXH_OK;
    d->r->version = exh_strndup(v, n);
    if (!d->r->version)
        return EXH_ERR_NOMEM;
    d->st->software_version = d->r->version;
    return EXH_OK;
}

/* ---- delivering records ----------------------------------------------- */

/* Hands one record (text NUL-terminated at len) to the callback. */
static bool io_has(reading *d, char c, size_t from, size_t to);

/* Whether the literals of rec->bits (and the record) satisfy some rule's
 * clauses; rec->rules gets the rules they satisfy, when known. */
static bool judge(csvlog *r, logrec *rec, const char *text, size_t len,
                  const char *dec, size_t dec_len)
{
    size_t rw = prefilter_rule_words(r->pf);
    uint64_t *rules = rw && rw <= r->pf_rule_words ? r->pf_rules : NULL;
    rec->rules = rules;
    return prefilter_pass_rules(r->pf, rec->bits, text, len, dec, dec_len,
                                rules);
}

/* Whether the pre-filter lets a record through: whether the literals it
 * holds (rec->bits) satisfy some rule's clauses. Records that lie in io are
 * judged by one search running ahead through the buffer, so most records
 * cost no search of their own; assembled ones are searched alone. */
static bool record_maybe(reading *d, const char *text, size_t len, logrec *rec)
{
    csvlog *r = d->r;
    d->rec_known = false;
    if (!r->pf)
        return true;
    size_t words = prefilter_words(r->pf);
    if (words > r->pf_words) { // csvlog_set_prefilter() could not allocate
        r->oom = true;
        return true;
    }
    uint64_t *bits = r->pf_bits;
    memset(bits, 0, words * sizeof *bits);
    rec->bits = bits;
    if (text < r->io || text >= r->io + d->fill) { // assembled
        prefilter_bits(r->pf, text, len, false, bits);
        return judge(r, rec, text, len, text, len);
    }
    size_t start = (size_t)(text - r->io), end = start + len;
    bool quoted = io_has(d, '"', start, end);
    if (!d->pf_valid || start < d->pf_from || end > d->pf_to) {
        // One search from here to the end of what io holds, every hit kept.
        size_t upto = 0;
        size_t n = prefilter_hits(r->pf, text, d->fill - start, d->pf_hits,
                                  d->pf_ids, PF_HITS, &d->pf_loose, &upto);
        for (size_t k = 0; k < n; k++)
            d->pf_hits[k] += start;
        d->pf_count = n;
        d->pf_next = 0;
        d->pf_from = start;
        d->pf_to = start + upto; // records ending before hold all theirs
        d->pf_valid = true;
    }
    while (d->pf_next < d->pf_count && d->pf_hits[d->pf_next] < start)
        d->pf_next++;
    bool any = false, literal = false, known = end <= d->pf_to;
    size_t k = d->pf_next;
    for (; k < d->pf_count && d->pf_hits[k] < end; k++) {
        uint32_t id = d->pf_ids[k];
        any = true;
        if (id == PREFILTER_UNKNOWN) {
            literal = true;
            known = false;
            continue;
        }
        if (id & PREFILTER_LOOSE)
            continue;
        literal = true;
        bits[id / 64] |= 1ull << (id % 64);
    }
    // Loose hits kept and none cut off: every search run the record holds.
    d->rec_known = known && d->pf_loose;
    d->rec_hit = d->pf_next;
    d->rec_hits = k - d->pf_next;
    if (quoted) {
        // Quoted values (see prefilter_find()) are judged on their own: by
        // the search ahead's hits, loose ones kept, where it saw them all.
        if (!any && d->pf_loose && known)
            return false;
        memset(bits, 0, words * sizeof *bits);
        if (!known || !d->pf_loose ||
            !prefilter_bits_of_hits(r->pf, text, len, d->pf_hits + d->pf_next,
                                    d->pf_ids + d->pf_next, k - d->pf_next,
                                    start, bits))
            prefilter_bits(r->pf, text, len, false, bits);
        return judge(r, rec, text, len, text, len);
    }
    if (!literal)
        return false; // no literal at all
    if (!known) // the portable search or a cut-off search: search the record
        prefilter_bits(r->pf, text, len, false, bits);
    return judge(r, rec, text, len, text, len);
}

/* Whether a record holds c ('%' or '"'): by the cached search of io where
 * it lies. */
static bool io_or_memchr(reading *d, char c, const char *text, size_t len)
{
    const csvlog *r = d->r;
    if (text >= r->io && text < r->io + d->fill) {
        size_t start = (size_t)(text - r->io);
        return io_has(d, c, start, start + len);
    }
    return memchr(text, c, len) != NULL;
}

/* Percent-decodes s[0..n) into out (which may be s) as util_url_decode()
 * does; *made is set when an escape gave a value separator, a quote or a
 * line end. */
static size_t decode_watch(const char *s, size_t n, char *out, bool *made,
                           size_t *marks, size_t *nmarks)
{
    size_t o = 0, i = 0;
    while (i < n) {
        const char *p = memchr(s + i, '%', n - i);
        size_t run = p ? (size_t)(p - (s + i)) : n - i;
        memmove(out + o, s + i, run);
        o += run;
        i += run;
        if (!p)
            break;
        char one[3];
        if (i + 2 < n && util_url_decode(s + i, 3, one) == 1) {
            *made = *made || strchr(", \"\n\r", one[0]) != NULL;
            if (marks && *nmarks < DEC_MARKS)
                marks[*nmarks] = o;
            if (nmarks)
                (*nmarks)++;
            out[o++] = one[0];
            i += 3;
        } else {
            out[o++] = s[i++];
        }
    }
    return o;
}

/* A record with '%' where some rule matches URI fields decoded: the
 * literals the decoded record holds count too (judged loosely when
 * decoding made a separator: a decoded "%2C" is none). rec->bits then
 * covers both forms. */
static void decoded_maybe(reading *d, const char *text, size_t len, logrec *rec)
{
    csvlog *r = d->r;
    // Decoding matters only if an escape (or one escaped again, "%2579")
    // stands for a byte that may add a literal: one of a search run, or,
    // when the record holds some, of what else judges them
    // (prefilter_escape_matters()).
    const uint32_t *ids = d->rec_known ? d->pf_ids + d->rec_hit : NULL;
    size_t nids = d->rec_known ? d->rec_hits : 0;
    bool matters = prefilter_decode_matters(r->pf, text, len, ids, nids);
    if (!matters)
        return;
    if (len + 1 > r->dec_cap) {
        char *p = exh_realloc(r->dec, len + 1);
        if (!p) {
            rec->maybe = true; // cannot judge: let the rules see it
            rec->bits = NULL;
            return;
        }
        r->dec = p;
        r->dec_cap = len + 1;
    }
    // Decoding adds bytes, never removes them: when no escape gave a
    // separator, quote or line end, the decoded values stand where the raw
    // ones do and field sequences can be judged strictly.
    // Where escapes were decoded (one decoding only): the literals the
    // decoded record holds beyond the raw one's stand around them.
    bool loose = false;
    size_t marks[DEC_MARKS], nmarks = 0;
    size_t n = decode_watch(text, len, r->dec, &loose, marks, &nmarks);
    bool twice = memchr(r->dec, '%', n) != NULL;
    if (twice)
        n = decode_watch(r->dec, n, r->dec, &loose, NULL, NULL);
    if (n == len && memcmp(r->dec, text, len) == 0)
        return;
    if (!rec->bits)
        return;
    rec->dec = r->dec;
    rec->dec_len = n;
    if (twice || loose || nmarks > DEC_MARKS || rec->bits != r->pf_bits ||
        !prefilter_bits_near(r->pf, r->dec, n, marks, nmarks, r->pf_bits))
        prefilter_bits(r->pf, r->dec, n, loose, r->pf_bits);
    rec->maybe = judge(r, rec, text, len, r->dec, n);
}

/* The column of each field clause's field in the current header (SIZE_MAX
 * when absent or named twice), found as event_get() finds it: a name the
 * header lacks may be an alias (HttpProxy's UrlStem for cs-uri-stem); NULL
 * when out of memory. */
static const size_t *field_columns(csvlog *r)
{
    size_t n = prefilter_field_clauses(r->pf);
    if (r->pf_cols_seq == r->hdr_seq && r->pf_cols_pf == r->pf)
        return r->pf_cols;
    if (n > r->pf_cols_cap) {
        size_t *p = exh_realloc(r->pf_cols, n * sizeof *p);
        if (!p)
            return NULL;
        r->pf_cols = p;
        r->pf_cols_cap = n;
    }
    for (size_t j = 0; j < n; j++) {
        const char *name = prefilter_field_name(r->pf, j);
        size_t col = SIZE_MAX;
        for (size_t i = 0; i < r->hdr_count; i++) {
            if (util_strcasecmp(r->hdr_names[i], name) != 0)
                continue;
            col = col == SIZE_MAX ? i : SIZE_MAX - 1;
        }
        // an alias whose value is its column's, as index_build() hashes
        for (size_t k = 0; col == SIZE_MAX && k < r->alias_count; k++) {
            const struct alias *al = &r->aliases[k];
            if (!al->plus && al->col < r->hdr_count &&
                al->col < NAME_INDEX_COLUMNS &&
                util_strcasecmp(al->name, name) == 0)
                col = al->col;
        }
        r->pf_cols[j] = col == SIZE_MAX - 1 ? SIZE_MAX : col;
    }
    r->pf_cols_seq = r->hdr_seq;
    r->pf_cols_pf = r->pf;
    return r->pf_cols;
}

/* Each rule a record the gate let through passes is held to the literals
 * it needs inside one field (prefilter_pass_fields). IIS: values split at
 * spaces, the user agent's raw ones joined; CSV (an unquoted row): values
 * split at commas, the last column unknown in a row with more values. */
static bool fields_maybe(csvlog *r, const logrec *rec)
{
    const size_t *cols = field_columns(r);
    if (!cols)
        return true;
    size_t spread = r->fam == FAM_IIS ? r->agent_col
                    : r->hdr_count    ? r->hdr_count - 1
                                      : SIZE_MAX;
    prefilter_layout lay = {.cols = cols,
                            .columns = r->hdr_count,
                            .spread =
                                spread < r->hdr_count ? spread : SIZE_MAX};
    // rec->rules, when known, is r->pf_rules: narrowed in place, so the
    // scanner skips the rules that fail their field clauses too.
    return prefilter_pass_fields(r->pf, rec->rules ? r->pf_rules : NULL,
                                 rec->text, rec->len, &lay);
}

static void deliver(reading *d, const char *text, size_t len, uint64_t line,
                    bool truncated)
{
    csvlog *r = d->r;
    logrec rec = {
        .text = text,
        .len = len,
        .line = line,
        .time_ms = record_time(r, text, len),
        .truncated = truncated,
        .dec = text,
        .dec_len = len,
    };
    rec.maybe = record_maybe(d, text, len, &rec);
    if (r->pf && r->pf_decode && len >= 3 && io_or_memchr(d, '%', text, len))
        decoded_maybe(d, text, len, &rec);
    // Field clauses: IIS values are split at spaces; HttpProxy rows only
    // where no value is quoted (a quoted one may hold commas).
    if (rec.maybe && rec.bits && r->have_header &&
        (r->fam == FAM_IIS ||
         (r->fam == FAM_HTTPPROXY && !io_or_memchr(d, '"', text, len))) &&
        prefilter_field_clauses(r->pf))
        rec.maybe = fields_maybe(r, &rec);
    d->st->records++;
    if (!r->have_header && r->fam != FAM_OABGENERATOR)
        d->st->headless++;
    r->seq++;
    if (!d->cb(d->user, r, &rec))
        d->stop = true;
    if (r->oom)
        d->status = EXH_ERR_NOMEM;
}

/* Ends the line or record assembled in r->rec. */
static void finish_open(reading *d)
{
    csvlog *r = d->r;
    const char *text = r->rec.data ? r->rec.data : "";
    d->open = false;
    if (d->has_nul) {
        d->st->bad_records++;
        return;
    }
    if (d->kind == KIND_DIRECTIVE) {
        d->status = directive(d, text, r->rec.len);
        return;
    }
    if (d->kind == KIND_HEADER) {
        d->status = set_header(d, text, r->rec.len);
        return;
    }
    if (d->cut || d->malformed)
        d->st->bad_records++;
    deliver(d, text, r->rec.len, d->open_line, d->cut);
}

/* Appends to the assembled record; past the limit, drops and flags. */
static void append(reading *d, const char *s, size_t len)
{
    if (d->cut || len == 0)
        return;
    exh_status st = buf_append(&d->r->rec, s, len);
    if (st == EXH_ERR_LIMIT)
        d->cut = true;
    else if (st != EXH_OK)
        d->status = st;
}

/* Feeds one fragment of a physical line to the record being assembled. */
static void feed_open(reading *d, const char *s, size_t len, bool complete,
                      bool crlf)
{
    bool quoting = d->kind == KIND_RECORD && !unquoted(d->r);
    append(d, s, len);
    if (!d->has_nul && len && memchr(s, '\0', len))
        d->has_nul = true;
    if (quoting && len)
        d->quote = quote_scan(s, len, d->quote);
    if (!complete)
        return;
    if (quoting && d->quote == Q_QUOTED) {
        d->crlf = crlf;
        return;
    }
    finish_open(d);
}

/* True when the byte c occurs in io[from, to); uses and refreshes the
 * cached offset of its next occurrence, so each byte is searched once. */
static bool io_has(reading *d, char c, size_t from, size_t to)
{
    size_t *next = c == '"'   ? &d->quote_next
                   : c == '%' ? &d->pct_next
                              : &d->nul_next;
    bool *valid = c == '"'   ? &d->quote_valid
                  : c == '%' ? &d->pct_valid
                             : &d->nul_valid;
    if (!*valid || *next < from) {
        const char *p = memchr(d->r->io + from, c, d->fill - from);
        *next = p ? (size_t)(p - d->r->io) : d->fill;
        *valid = true;
    }
    return *next < to;
}

/* Starts a new line: a directive, a header or a record. Complete lines
 * without NUL, open quote or excess length go out straight from io. */
static void start_line(reading *d, char *s, size_t len, bool complete,
                       bool crlf)
{
    csvlog *r = d->r;
    bool bare = r->fam != FAM_IIS && is_header_line(s, len);
    enum line_kind kind = s[0] == '#' ? KIND_DIRECTIVE
                          : bare      ? KIND_HEADER
                                      : KIND_RECORD;
    if (complete) {
        size_t from = (size_t)(s - r->io);
        bool nul = io_has(d, '\0', from, from + len);
        if (nul && kind != KIND_RECORD) {
            d->st->bad_records++;
            return;
        }
        if (kind == KIND_DIRECTIVE) {
            d->status = directive(d, s, len);
            return;
        }
        if (kind == KIND_HEADER) {
            d->status = set_header(d, s, len);
            return;
        }
        enum quote_state q = Q_START;
        if (!unquoted(r) && io_has(d, '"', from, from + len))
            q = quote_scan(s, len, Q_START);
        if (!nul && q != Q_QUOTED && len <= r->max_record_bytes) {
            s[len] = '\0';
            deliver(d, s, len, d->line, false);
            return;
        }
    }
    buf_reset(&r->rec);
    d->open = true;
    d->kind = kind;
    d->open_line = d->line;
    d->quote = Q_START;
    d->has_nul = d->cut = d->malformed = false;
    feed_open(d, s, len, complete, crlf);
}

/* Handles one fragment of a physical line (the whole line when complete
 * and it was not longer than the buffer), line end excluded. */
static void fragment(reading *d, char *s, size_t len, bool complete, bool crlf)
{
    bool first = !d->mid_line;
    d->mid_line = !complete;
    if (first)
        d->line++;
    if (d->open && first) {
        // The record's last line ended inside quotes.
        if (looks_like_record_start(s, len)) {
            d->malformed = true;
            finish_open(d);
            if (d->stop || d->status != EXH_OK)
                return;
        } else {
            append(d, d->crlf ? "\r\n" : "\n", d->crlf ? 2 : 1);
        }
    }
    if (d->open) {
        feed_open(d, s, len, complete, crlf);
        return;
    }
    if (len == 0)
        return; // an empty line
    start_line(d, s, len, complete, crlf);
}

/* ---- the read loop ---------------------------------------------------- */

/* Reads more bytes into io[fill, CSVLOG_IO_BYTES). */
static exh_status refill(reading *d, bool *eof)
{
    size_t room = CSVLOG_IO_BYTES - d->fill;
    ssize_t n = d->in->read(d->in, d->r->io + d->fill, room);
    if (n < 0 || (size_t)n > room)
        return EXH_ERR_IO;
    if (n == 0)
        *eof = true;
    d->fill += (size_t)n;
    d->quote_valid = d->nul_valid = d->pct_valid = false;
    return EXH_OK;
}

/* Length of the UTF-8 sequence at s, or 0 when it is not one. A sequence
 * cut by the end of the sample counts as valid. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4   ? 4
               : s[0] >= 0xe0                 ? 3
               : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                              : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n && i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    return n;
}

/* True when the NULs of the sample say it is not text: a NUL in its first
 * line and in half or more of its complete lines (UTF-16 text, executables
 * and other binary formats have them throughout). A log whose header or
 * most lines are clean is text: one NUL in a request field must not hide
 * the rows around it. */
static bool nul_lines(const unsigned char *s, size_t len)
{
    const unsigned char *p = s, *end = s + len, *nl;
    size_t lines = 0, clean = 0;
    if (!memchr(s, '\0', len))
        return false;
    while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
        bool nul = memchr(p, '\0', (size_t)(nl - p)) != NULL;
        if (lines == 0 && !nul)
            return false; // the first line, a header as a rule, is clean
        lines++;
        clean += !nul;
        p = nl + 1;
    }
    return clean * 2 <= lines;
}

/* True when the sample is not text: NULs as nul_lines() judges them, or
 * over 30% of the other bytes control characters or not UTF-8. */
static bool sniff_binary(const unsigned char *s, size_t len)
{
    size_t odd = 0, nuls = 0;
    if (nul_lines(s, len))
        return true;
    for (size_t i = 0; i < len; i++) {
#ifdef __SSE2__
        // Sixteen plain bytes (printable ASCII, tab, CR, LF) at once: what
        // the loop below would pass over one by one.
        while (i + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            __m128i ctl = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            __m128i ok = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
            __m128i bad = _mm_or_si128(_mm_andnot_si128(ok, ctl),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
            // Bytes >= 0x80 are negative: ctl has them too.
            int m = _mm_movemask_epi8(bad);
            if (m != 0) {
                i += (size_t)__builtin_ctz((unsigned)m); // the loop takes it
                break;
            }
            i += 16;
        }
        if (i >= len)
            break;
#endif
        unsigned char c = s[i];
        if (c == '\0') {
            nuls++; // judged by line above, not as bytes
        } else if (c >= 0x80) {
            size_t n = utf8_len(s + i, len - i);
            if (n == 0)
                odd++;
            else
                i += n - 1;
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
                    c != '\f' && c != '\v' && c != 0x1b) ||
                   c == 0x7f) {
            odd++;
        }
    }
    return odd * 10 > (len - nuls) * 3;
}

bool csvlog_sniff_binary(const char *head, size_t len)
{
    const unsigned char *s = (const unsigned char *)head;
    if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
        s += 3;
        len -= 3;
    }
    return sniff_binary(s, len < CSVLOG_SNIFF_BYTES ? len : CSVLOG_SNIFF_BYTES);
}

/* Moves the unread bytes to the front of io; a line longer than all of io
 * is handed over as an incomplete fragment first (less a trailing CR, in
 * case its LF comes next). */
static void make_room(reading *d)
{
    char *io = d->r->io;
    if (d->pos == 0 && d->fill == CSVLOG_IO_BYTES) {
        size_t len = CSVLOG_IO_BYTES - (io[CSVLOG_IO_BYTES - 1] == '\r');
        fragment(d, io, len, false, false);
        d->pos = len;
    }
    if (d->pos > 0) {
        memmove(io, io + d->pos, d->fill - d->pos);
        d->fill -= d->pos;
        d->no_eol = d->no_eol > d->pos ? d->no_eol - d->pos : 0;
        d->pos = 0;
    }
    d->quote_valid = d->nul_valid = d->pct_valid = false;
    d->pf_valid = false; // offsets in io moved
}

/* Hands every complete line in io to fragment(). */
static void scan_lines(reading *d)
{
    char *io = d->r->io;
    while (d->pos < d->fill && !d->stop && d->status == EXH_OK) {
        char *p = io + d->pos;
        size_t from = d->no_eol > d->pos ? d->no_eol : d->pos;
        char *nl = memchr(io + from, '\n', d->fill - from);
        if (!nl) {
            d->no_eol = d->fill; // a slow stream: never rescan a long line
            return;
        }
        size_t len = (size_t)(nl - p);
        bool crlf = len && p[len - 1] == '\r';
        d->pos = (size_t)(nl - io) + 1;
        fragment(d, p, len - crlf, true, crlf);
    }
}

/* The last line, without a line end, and a record left open at EOF. */
static void finish_input(reading *d)
{
    if (d->pos < d->fill) {
        char *p = d->r->io + d->pos;
        size_t len = d->fill - d->pos;
        len -= p[len - 1] == '\r';
        d->pos = d->fill;
        fragment(d, p, len, true, false);
    }
    if (d->open && !d->stop && d->status == EXH_OK) {
        if (d->kind == KIND_RECORD && d->quote == Q_QUOTED)
            d->malformed = true;
        finish_open(d);
    }
}

static exh_status read_loop(reading *d)
{
    bool eof = false;
    while (!eof && d->fill < 3 + CSVLOG_SNIFF_BYTES)
        EXH_TRY(refill(d, &eof));
    const unsigned char *io = (const unsigned char *)d->r->io;
    if (d->fill >= 3 && io[0] == 0xef && io[1] == 0xbb && io[2] == 0xbf)
        d->pos = 3;
    size_t sample = d->fill - d->pos;
    if (sample > CSVLOG_SNIFF_BYTES)
        sample = CSVLOG_SNIFF_BYTES;
    if (sniff_binary(io + d->pos, sample)) {
        d->st->binary = true;
        return EXH_OK;
    }
    for (;;) {
        scan_lines(d);
        if (d->stop || d->status != EXH_OK)
            return d->status;
        if (eof) {
            finish_input(d);
            return d->status;
        }
        make_room(d);
        if (d->stop || d->status != EXH_OK)
            return d->status;
        EXH_TRY(refill(d, &eof));
    }
}

exh_status csvlog_read(csvlog *r, stream *in, csvlog_record_cb cb, void *user,
                       csvlog_stats *stats)
{
    csvlog_stats local;
    if (!r || !in || !in->read || !cb)
        return EXH_ERR_INVALID_ARG;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    exh_free(r->version);
    r->version = NULL;
    r->have_header = false;
    r->hdr_count = 0;
    r->time_col = r->data_col = SIZE_MAX;
    r->clock_col = r->agent_col = SIZE_MAX;
    r->alias_count = 0;
    r->oom = false;
    r->seq++;
    buf_reset(&r->rec);
    reading d = {.r = r, .in = in, .cb = cb, .user = user, .st = stats};
    exh_status st = read_loop(&d);
    r->seq++;
    return st;
}

/* ---- csvlog_event() --------------------------------------------------- */

/* Makes room for the event arrays and need bytes of scratch. */
static bool event_room(csvlog *r, size_t need)
{
    size_t slots = CSVLOG_MAX_FIELDS + CSVLOG_MAX_DERIVED + 2;
    if (!r->names)
        r->names = exh_calloc(slots, sizeof *r->names);
    if (!r->values)
        r->values = exh_calloc(slots, sizeof *r->values);
    if (!r->lens)
        r->lens = exh_calloc(slots, sizeof *r->lens);
    if (!r->names || !r->values || !r->lens)
        return false;
    if (need <= r->work_cap)
        return true;
    size_t cap = need < 4096 ? 4096 : need;
    char *work = exh_realloc(r->work, cap);
    if (!work)
        return false;
    r->work = work;
    r->work_cap = cap;
    return true;
}

/* "Field<N>" for the 0-based column i (N = i + 1). */
static const char *field_name(csvlog *r, size_t i)
{
    if (!r->field_names) {
        r->field_names = exh_malloc(CSVLOG_MAX_FIELDS * CSVLOG_NAME_BYTES);
        if (!r->field_names)
            return NULL;
        // "Field" and the decimal digits of k + 1, written out: snprintf()
        // 4,096 times cost more than reading a small log.
        for (size_t k = 0; k < CSVLOG_MAX_FIELDS; k++) {
            char *p = r->field_names + k * CSVLOG_NAME_BYTES, digits[24];
            size_t n = 0;
            for (size_t v = k + 1; v; v /= 10)
                digits[n++] = (char)('0' + v % 10);
            memcpy(p, "Field", 5);
            for (size_t d = 0; d < n; d++)
                p[5 + d] = digits[n - 1 - d];
            p[5 + n] = '\0';
        }
    }
    return r->field_names + i * CSVLOG_NAME_BYTES;
}

/* Adds a derived field unless the event already has one of that name. */
static void add_field(csvlog *r, const char *name, const char *value,
                      size_t len)
{
    size_t max = CSVLOG_MAX_FIELDS + CSVLOG_MAX_DERIVED + 2;
    if (r->ev.count >= max || event_get(&r->ev, name, NULL))
        return;
    r->names[r->ev.count] = name;
    r->values[r->ev.count] = value;
    r->lens[r->ev.count] = len;
    r->ev.count++;
}

static bool is_key_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

/* Recognises an ECP pair "T:KEY=" or "T:KEY[...]=" at s (T: up to eight
 * letters and digits, such as S, Dbl, I32, F). Sets the key's offset and
 * length; the value starts after the '='. */
static bool ecp_token(const char *s, size_t len, size_t *key, size_t *key_len)
{
    size_t i = 1;
    if (len == 0 || !is_alpha(s[0]))
        return false;
    while (i < len && i < 8 && (is_alpha(s[i]) || is_digit(s[i])))
        i++;
    if (i >= len || s[i] != ':')
        return false;
    size_t start = ++i;
    while (i < len && is_key_char(s[i]))
        i++;
    if (i == start)
        return false;
    if (i < len && s[i] == '[') {
        size_t inner = ++i;
        while (i < len && i - inner < 256 && s[i] != ']' && s[i] != ';' &&
               s[i] != '=' && (unsigned char)s[i] >= 0x20)
            i++;
        if (i >= len || s[i] != ']')
            return false;
        i++;
    }
    if (i >= len || s[i] != '=')
        return false;
    *key = start;
    *key_len = i - start;
    return true;
}

/* Exposes the "T:KEY=value" pairs of ECP EventData as fields named KEY.
 * A ';' splits only when a pair token follows it; one trailing ';' is
 * dropped. dst has room for len + 1 bytes. */
static void ecp_pairs(csvlog *r, char *dst, const char *s, size_t len)
{
    memcpy(dst, s, len);
    dst[len] = '\0';
    if (len && dst[len - 1] == ';')
        dst[--len] = '\0';
    size_t seg = 0, derived = 0, key, key_len;
    for (;;) {
        size_t next = len, i = seg;
        while (i < len) {
            char *semi = memchr(dst + i, ';', len - i);
            if (!semi)
                break;
            size_t k = (size_t)(semi - dst);
            if (ecp_token(semi + 1, len - k - 1, &key, &key_len)) {
                next = k;
                break;
            }
            i = k + 1;
        }
        if (ecp_token(dst + seg, next - seg, &key, &key_len) &&
            derived < CSVLOG_MAX_DERIVED) {
            size_t value = seg + key + key_len + 1;
            dst[seg + key + key_len] = '\0';
            dst[next] = '\0';
            add_field(r, dst + seg + key, dst + value, next - value);
            derived++;
        }
        if (next >= len)
            return;
        dst[next] = '\0';
        seg = next + 1;
    }
}

/* Adds OABGenerator's Message (unless a column has it) and DownloadPath.
 * dst has room for 2 * (len + 1) bytes. */
static void oab_fields(csvlog *r, char *dst, const char *text, size_t len,
                       size_t columns)
{
    static const char head[] = "Download failed and temporary file ";
    static const char tail[] = " needs to be removed";
    const char *msg = text;
    size_t msg_len = len;
    if (r->have_header && r->data_col < columns) {
        msg = r->values[r->data_col];
        msg_len = r->lens[r->data_col];
    } else {
        memcpy(dst, text, len);
        dst[len] = '\0';
        add_field(r, "Message", dst, len);
        dst += len + 1;
    }
    const char *p = util_memcasemem(msg, msg_len, head, sizeof head - 1);
    if (!p)
        return;
    p += sizeof head - 1;
    size_t rest = msg_len - (size_t)(p - msg);
    const char *e = util_memcasemem(p, rest, tail, sizeof tail - 1);
    if (!e)
        return;
    size_t n = (size_t)(e - p);
    if (n >= 2 && p[0] == '\'' && p[n - 1] == '\'') {
        p++;
        n -= 2;
    }
    memcpy(dst, p, n);
    dst[n] = '\0';
    add_field(r, "DownloadPath", dst, n);
}

/* IIS writes a space in a value as '+', so a row with more values than its
 * header has names holds spaces written raw (hand-made or converted logs).
 * When the header has cs(User-Agent), where they occur, the excess values
 * are joined back into it. Returns the new column count. */
static size_t iis_join_agent(csvlog *r, size_t columns)
{
    size_t a = r->agent_col;
    if (!r->have_header || a >= r->hdr_count || columns <= r->hdr_count)
        return columns;
    size_t extra = columns - r->hdr_count;
    char *start = (char *)r->values[a];
    char *end = (char *)r->values[a + extra] + r->lens[a + extra];
    for (char *p = start; p < end; p++) {
        if (*p == '\0')
            *p = ' ';
    }
    r->lens[a] = (size_t)(end - start);
    for (size_t i = a + 1; i + extra < columns; i++) {
        r->values[i] = r->values[i + extra];
        r->lens[i] = r->lens[i + extra];
    }
    return columns - extra;
}

/* Adds the IIS aliases whose value reads '+' as a space (cs-user-agent,
 * cs-referrer, cs-cookie). dst has room for the record's length + 1. */
static void iis_plus_fields(csvlog *r, char *dst, size_t columns)
{
    for (size_t k = 0; k < r->alias_count; k++) {
        const struct alias *al = &r->aliases[k];
        if (!al->plus || al->col >= columns)
            continue;
        size_t n = r->lens[al->col];
        const char *v = r->values[al->col];
        for (size_t i = 0; i < n; i++)
            dst[i] = v[i] == '+' ? ' ' : v[i];
        dst[n] = '\0';
        add_field(r, al->name, dst, n);
        dst += n + 1;
    }
}

/* Scratch bytes csvlog_event() needs for a record of len bytes. */
static bool event_need(const csvlog *r, size_t len, size_t *need)
{
    size_t copies = r->fam == FAM_HTTPPROXY || r->fam == FAM_RPS ? 1
                    : r->fam == FAM_OABGENERATOR                 ? 3
                                                                 : 2;
    size_t one;
    return !__builtin_add_overflow(len, 1, &one) &&
           !__builtin_mul_overflow(one, copies, need);
}

/* Points the event at the hash of the header's names, rebuilt when the
 * header changed. Only the columns this record has and the header names
 * are hashed; extra and derived fields are searched one by one. */
static void index_names(csvlog *r, size_t columns)
{
    size_t count = columns < r->hdr_count ? columns : r->hdr_count;
    if (!r->nidx) {
        r->nidx = exh_calloc(1, sizeof *r->nidx);
        r->nidx_seq = 0;
        if (!r->nidx)
            return;
    }
    if (r->nidx_seq != r->hdr_seq || r->nidx_count != count) {
        index_build(r->nidx, (const char *const *)r->names, count, r->aliases,
                    r->alias_count);
        r->nidx_seq = r->hdr_seq;
        r->nidx_count = count;
    }
    r->ev.index = r->nidx;
    r->ev.indexed = r->nidx->count;
}

/* Locates the next field of the lazy record: its raw bytes (quotes kept)
 * become values[i] until lazy_field() unquotes them. */
static void lazy_next(csvlog *r)
{
    const char *s = r->lz_text;
    size_t len = r->lz_len, i = r->lz_pos;
    size_t start = i;
    if (i < len && s[i] == '"') {
        i++;
        for (;;) {
            const char *q = memchr(s + i, '"', len - i);
            if (!q) {
                i = len;
                break;
            }
            i = (size_t)(q - s) + 1;
            if (i < len && s[i] == '"') {
                i++;
                continue;
            }
            break;
        }
    }
    const char *comma = i < len ? memchr(s + i, ',', len - i) : NULL;
    size_t end = comma ? (size_t)(comma - s) : len;
    size_t k = r->lz_located++;
    r->lens[k] = end - start;
    r->values[k] = s + start;
    r->lz_pos = end + 1;
    r->lz_end = comma == NULL;
}

/* Records a located field [start, end) of the lazy record. */
static inline void lazy_put(csvlog *r, size_t start, size_t end)
{
    size_t k = r->lz_located++;
    r->lens[k] = end - start;
    r->values[k] = r->lz_text + start;
    r->lz_pos = end + 1;
}

/* Locates fields up to col: unquoted ones by the commas of 16 bytes at a
 * time (one compare for all the fields in them), a quoted one by
 * lazy_next(). */
static void lazy_locate(csvlog *r, size_t col)
{
    const char *s = r->lz_text;
    size_t len = r->lz_len;
    while (r->lz_located <= col && !r->lz_end) {
        size_t i = r->lz_pos;
        if (i < len && s[i] == '"') {
            lazy_next(r);
            continue;
        }
#ifdef __SSE2__
        const __m128i comma = _mm_set1_epi8(',');
        bool quoted = false;
        while (i + 16 <= len && r->lz_located <= col && !quoted) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma));
            while (m && r->lz_located <= col) {
                size_t at = i + (size_t)__builtin_ctz(m);
                m &= m - 1;
                lazy_put(r, r->lz_pos, at);
                if (at + 1 < len && s[at + 1] == '"') {
                    quoted = true; // the next field is quoted
                    break;
                }
            }
            i += 16;
        }
        if (quoted || r->lz_located > col)
            continue;
        // The rest of the record is shorter than 16 bytes: byte by byte.
        if (i < r->lz_pos)
            i = r->lz_pos;
#endif
        while (i < len && s[i] != ',')
            i++;
        if (i >= len) {
            lazy_put(r, r->lz_pos, len);
            r->lz_end = true;
            return;
        }
        lazy_put(r, r->lz_pos, i);
    }
}

/* The value of column col of the lazy record, unquoted and NUL-terminated
 * in the work buffer on first use; NULL when the record is shorter. */
static const char *lazy_field(csvlog *r, size_t col, size_t *len)
{
    if (col >= r->hdr_count)
        return NULL;
    lazy_locate(r, col);
    if (col >= r->lz_located)
        return NULL;
    const char *raw = r->values[col];
    size_t n = r->lens[col];
    if (raw >= r->work && raw < r->lz_out) { // unquoted already
        if (len)
            *len = n;
        return raw;
    }
    char *o = r->lz_out, *start = o;
    split_csv(o, raw, n, &r->values[col], &r->lens[col], 1);
    r->lz_out = start + r->lens[col] + 1;
    if (len)
        *len = r->lens[col];
    return r->values[col];
}

/* Replaces the lazy event by a fully split one. */
static void materialize(csvlog *r)
{
    if (!r->ev.lazy)
        return;
    logrec rec = {.text = r->lz_text, .len = r->lz_len};
    r->ev_valid = false;
    r->ev_text = NULL;
    csvlog_event_full(r, &rec);
}

const event *csvlog_event(csvlog *r, const logrec *rec)
{
    if (r->ev_valid && r->ev_seq == r->seq && r->ev_text == rec->text &&
        r->ev_len == rec->len)
        return &r->ev;
    size_t need = 0;
    bool lazy = r->fam == FAM_HTTPPROXY || r->fam == FAM_RPS;
    if (!lazy || !r->have_header || r->hdr_count == 0)
        return csvlog_event_full(r, rec);
    if (!event_need(r, rec->len, &need) || !event_room(r, need) ||
        !field_name(r, 0)) {
        r->oom = true;
        r->ev = (event){.raw = rec->text, .raw_len = rec->len};
        return &r->ev;
    }
    // Names are the header's; values are found when asked for.
    if (r->lz_names_seq != r->hdr_seq || r->names_dirty) {
        for (size_t i = 0; i < r->hdr_count; i++)
            r->names[i] =
                r->hdr_names[i][0] ? r->hdr_names[i] : field_name(r, i);
        r->lz_names_seq = r->hdr_seq;
        r->names_dirty = false;
    }
    r->ev = (event){.raw = rec->text, .raw_len = rec->len};
    r->ev.names = r->names;
    r->ev.values = r->values;
    r->ev.lens = r->lens;
    r->ev.count = 0;
    index_names(r, r->hdr_count);
    if (!r->ev.index) {
        r->oom = true;
        r->ev = (event){.raw = rec->text, .raw_len = rec->len};
        return &r->ev;
    }
    r->ev.lazy = r;
    r->lz_text = rec->text;
    r->lz_len = rec->len;
    r->lz_pos = 0;
    r->lz_located = 0;
    r->lz_end = false;
    r->lz_out = r->work;
    r->ev_valid = true;
    r->ev_seq = r->seq;
    r->ev_text = rec->text;
    r->ev_len = rec->len;
    return &r->ev;
}

static const event *csvlog_event_full(csvlog *r, const logrec *rec)
{
    if (r->ev_valid && r->ev_seq == r->seq && r->ev_text == rec->text &&
        r->ev_len == rec->len)
        return &r->ev;
    r->names_dirty = true; // names[] is rewritten below
    size_t need = 0;
    r->ev = (event){.raw = rec->text, .raw_len = rec->len};
    r->ev_valid = false;
    if (!event_need(r, rec->len, &need) || !event_room(r, need) ||
        !field_name(r, 0)) {
        r->oom = true;
        return &r->ev;
    }
    r->ev.names = r->names;
    r->ev.values = r->values;
    r->ev.lens = r->lens;
    char *work = r->work;
    size_t columns = 0;
    if (!plain_mode(r)) {
        if (r->fam == FAM_IIS)
            columns = iis_join_agent(r, split_spaces(work, rec->text, rec->len,
                                                     r->values, r->lens,
                                                     CSVLOG_MAX_FIELDS, false));
        else
            columns = split_csv(work, rec->text, rec->len, r->values, r->lens,
                                CSVLOG_MAX_FIELDS);
        for (size_t i = 0; i < columns; i++) {
            bool named = i < r->hdr_count && r->hdr_names[i][0];
            r->names[i] = named ? r->hdr_names[i] : field_name(r, i);
        }
        work += rec->len + 1;
        index_names(r, columns);
    }
    r->ev.count = columns;
    if ((r->fam == FAM_ECP_SERVER || r->fam == FAM_ECP_ACTIVITY) &&
        r->have_header && r->data_col < columns)
        ecp_pairs(r, work, r->values[r->data_col], r->lens[r->data_col]);
    if (r->fam == FAM_OABGENERATOR)
        oab_fields(r, work, rec->text, rec->len, columns);
    if (r->fam == FAM_IIS)
        iis_plus_fields(r, work, columns);
    r->ev_valid = true;
    r->ev_seq = r->seq;
    r->ev_text = rec->text;
    r->ev_len = rec->len;
    return &r->ev;
}
