/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collection.c - metadata of triage collections.
 *
 * KAPE writes a *_CopyLog.csv beside what it copied: one row per file with
 * its original Windows path (SourceFile) and original times (CreatedOnUtc,
 * ModifiedOnUtc), which the copies on disk have lost. copylog_parse() reads
 * it into a hash table keyed by the drive-folder path ("c/windows/...",
 * ASCII-lowercased) so a collection of 10^5 files costs one probe a file.
 * Velociraptor stores %XX-encoded names and a client_info.json naming the
 * host. All input here is untrusted: lines, fields and files are bounded.
 */
#include "sources.h"

#include <string.h>

#define COPYLOG_MAX_FIELD  (32 * 1024) /* longer fields spoil the row */
#define COPYLOG_MAX_FIELDS 32          /* later columns are ignored */
#define COPYLOG_MAX_ROWS   (8u << 20)  /* rows beyond are ignored */
#define COPYLOG_CHUNK      (64 * 1024)
#define CLIENT_INFO_MAX    (1024 * 1024)

typedef struct copylog_item {
    char *key; /* lowercased "c/windows/..." */
    uint64_t hash;
    int64_t created_ms;
    int64_t modified_ms;
} copylog_item;

struct copylog {
    copylog_item *items;
    size_t count;
    size_t cap;
    uint32_t *slots; /* index + 1 into items, 0 = empty */
    size_t nslots;   /* power of two */
};

static char collection_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Decodes the %XX escapes of src[0..len) into out (at least len bytes);
 * returns the decoded length. %00 stays literal: a C string cannot hold a
 * NUL. */
static size_t collection_decode(const char *src, size_t len, char *out)
{
    size_t j = 0;

    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (src[i] == '%' && i + 2 < len &&
            (hi = util_hexval((unsigned char)src[i + 1])) >= 0 &&
            (lo = util_hexval((unsigned char)src[i + 2])) >= 0 &&
            (hi | lo) != 0) {
            out[j++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[j++] = src[i];
        }
    }
    return j;
}

/* True when a decoded component c[0..len) would change the path's shape:
 * it holds a '/', is "." or "..", or has a ".." segment between '\'s
 * (Windows would climb out there). */
static bool collection_unsafe(const char *c, size_t len)
{
    if (memchr(c, '/', len) || (len == 1 && c[0] == '.'))
        return true;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && c[j] != '\\')
            j++;
        if (j - i == 2 && c[i] == '.' && c[i + 1] == '.')
            return true;
        i = j + 1;
    }
    return false;
}

char *collection_url_decode(const char *path)
{
    size_t len = strlen(path), j = 0;
    char *out = exh_malloc(len + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i <= len;) {
        const char *slash = memchr(path + i, '/', len - i);
        size_t clen = slash ? (size_t)(slash - (path + i)) : len - i;
        size_t dlen = collection_decode(path + i, clen, out + j);
        if (collection_unsafe(out + j, dlen)) {
            memcpy(out + j, path + i, clen);
            dlen = clen;
        }
        j += dlen;
        if (!slash)
            break;
        out[j++] = '/';
        i += clen + 1;
    }
    out[j] = '\0';
    return out;
}

bool collection_is_velociraptor_path(const char *path)
{
    const char *slash = strchr(path, '/');

    if (!strchr(path, '%'))
        return false;
    if (strncmp(path, "uploads/", 8) == 0)
        return true;
    return slash && strncmp(slash + 1, "uploads/", 8) == 0;
}

bool collection_is_copylog_name(const char *name)
{
    static const char suffix[] = "_CopyLog.csv";
    size_t len = strlen(name), slen = sizeof(suffix) - 1;

    return len > slen && util_ieq(name + len - slen, slen, suffix, slen);
}

/* FNV-1a over the ASCII-lowercased bytes of s[0..len). */
static uint64_t copylog_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)collection_lower(s[i]);
        h *= 1099511628211ull;
    }
    return h;
}

/*
 * Parses a copy-log time ("2021-03-05 10:12:13", with 'T', fractional
 * seconds, 'Z' or "+00:00"; leading and trailing blanks ignored) with the
 * shared ISO 8601 parser. Returns INT64_MIN when the text is empty or not
 * such a time.
 */
static int64_t copylog_time(const char *s)
{
    const char *end = s + strlen(s);
    while (*s == ' ')
        s++;
    while (end > s && end[-1] == ' ')
        end--;
    int64_t ms;
    return util_time_parse(s, (size_t)(end - s), &ms) ? ms : INT64_MIN;
}

/*
 * Turns a SourceFile ("C:\Windows\x", "\\?\C:\x", "\\.\C:\x") into the
 * key "c/windows/x" in place; false when it has no drive letter.
 */
static bool copylog_key(char *s, size_t *out_len)
{
    char *p = s;
    size_t n = 0;

    if ((p[0] == '\\' && p[1] == '\\' && (p[2] == '?' || p[2] == '.') &&
         p[3] == '\\'))
        p += 4;
    if (!((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') || p[1] != ':' ||
        (p[2] != '\\' && p[2] != '/'))
        return false;
    s[n++] = collection_lower(p[0]);
    for (p += 2; *p; p++) {
        char c = *p == '\\' ? '/' : collection_lower(*p);
        if (c == '/' && s[n - 1] == '/')
            continue;
        s[n++] = c;
    }
    s[n] = '\0';
    *out_len = n;
    return n > 2;
}

/* Finds the slot of key (len bytes, any case) or the empty slot for it. */
static size_t copylog_slot(const copylog *log, const char *key, size_t len,
                           uint64_t hash)
{
    size_t mask = log->nslots - 1, i = (size_t)hash & mask;

    for (;;) {
        uint32_t v = log->slots[i];
        if (v == 0)
            return i;
        const copylog_item *it = &log->items[v - 1];
        if (it->hash == hash && strlen(it->key) == len) {
            size_t k = 0;
            while (k < len && it->key[k] == collection_lower(key[k]))
                k++;
            if (k == len)
                return i;
        }
        i = (i + 1) & mask;
    }
}

static exh_status copylog_grow(copylog *log)
{
    size_t nslots = log->nslots ? log->nslots * 2 : 1024;
    uint32_t *slots;

    if (log->count >= log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 512, bytes;
        copylog_item *items;
        if (__builtin_mul_overflow(cap, sizeof(*items), &bytes))
            return EXH_ERR_NOMEM;
        items = exh_realloc(log->items, bytes);
        if (!items)
            return EXH_ERR_NOMEM;
        log->items = items;
        log->cap = cap;
    }
    if (log->nslots && log->count * 2 < log->nslots)
        return EXH_OK;
    slots = exh_calloc(nslots, sizeof(*slots));
    if (!slots)
        return EXH_ERR_NOMEM;
    exh_free(log->slots);
    log->slots = slots;
    log->nslots = nslots;
    for (size_t i = 0; i < log->count; i++) {
        copylog_item *it = &log->items[i];
        size_t s = copylog_slot(log, it->key, strlen(it->key), it->hash);
        log->slots[s] = (uint32_t)(i + 1);
    }
    return EXH_OK;
}

/* Adds (or, for a file copied twice, updates) one row. */
static exh_status copylog_add(copylog *log, char *source, int64_t created,
                              int64_t modified)
{
    size_t len, slot;
    uint64_t hash;

    if (!copylog_key(source, &len))
        return EXH_OK;
    if (log->count >= COPYLOG_MAX_ROWS)
        return EXH_OK;
    EXH_TRY(copylog_grow(log));
    hash = copylog_hash(source, len);
    slot = copylog_slot(log, source, len, hash);
    if (log->slots[slot]) {
        copylog_item *it = &log->items[log->slots[slot] - 1];
        it->created_ms = created;
        it->modified_ms = modified;
        return EXH_OK;
    }
    copylog_item *it = &log->items[log->count];
    it->key = exh_strndup(source, len);
    if (!it->key)
        return EXH_ERR_NOMEM;
    it->hash = hash;
    it->created_ms = created;
    it->modified_ms = modified;
    log->slots[slot] = (uint32_t)(++log->count);
    return EXH_OK;
}

/* State of the copy-log CSV reader. */
typedef struct copylog_csv {
    char *row; /* fields of the current row, each NUL-ended */
    size_t len;
    size_t starts[COPYLOG_MAX_FIELDS];
    size_t nfields;
    size_t field_len; /* bytes in the current field */
    bool quoted;      /* inside a quoted field */
    bool after_quote; /* just saw a quote inside a quoted field */
    bool bad;         /* the row overflowed; drop it */
    bool header_done;
    bool is_log;
    int col_source, col_created, col_modified;
    size_t rows;
} copylog_csv;

/* Looks up the columns in the header row; false if it is no copy log. */
static bool copylog_header(copylog_csv *c)
{
    c->col_source = c->col_created = c->col_modified = -1;
    for (size_t i = 0; i < c->nfields; i++) {
        const char *f = c->row + c->starts[i];
        if (i == 0 && (unsigned char)f[0] == 0xEF &&
            (unsigned char)f[1] == 0xBB && (unsigned char)f[2] == 0xBF)
            f += 3;
        if (util_strcasecmp(f, "SourceFile") == 0)
            c->col_source = (int)i;
        else if (util_strcasecmp(f, "CreatedOnUtc") == 0)
            c->col_created = (int)i;
        else if (util_strcasecmp(f, "ModifiedOnUtc") == 0)
            c->col_modified = (int)i;
    }
    return c->col_source >= 0 && (c->col_created >= 0 || c->col_modified >= 0);
}

static const char *copylog_field(const copylog_csv *c, int col)
{
    if (col < 0 || (size_t)col >= c->nfields)
        return "";
    return c->row + c->starts[col];
}

/* Records where the current field starts, before its first byte. */
static void copylog_mark(copylog_csv *c)
{
    if (c->field_len == 0 && c->nfields < COPYLOG_MAX_FIELDS)
        c->starts[c->nfields] = c->len;
}

/* Ends the current field (NUL-terminates it in the row buffer). */
static void copylog_end_field(copylog_csv *c)
{
    copylog_mark(c);
    if (c->nfields < COPYLOG_MAX_FIELDS) {
        c->row[c->len++] = '\0';
        c->nfields++;
    }
    c->field_len = 0;
}

/* Ends a row: the header, or a data row added to log. */
static exh_status copylog_end_row(copylog_csv *c, copylog *log)
{
    exh_status st = EXH_OK;

    copylog_end_field(c);
    if (!c->header_done) {
        c->header_done = true;
        c->is_log = !c->bad && copylog_header(c);
    } else if (!c->bad && (size_t)c->col_source < c->nfields) {
        st = copylog_add(log, c->row + c->starts[c->col_source],
                         copylog_time(copylog_field(c, c->col_created)),
                         copylog_time(copylog_field(c, c->col_modified)));
    }
    c->len = 0;
    c->nfields = 0;
    c->field_len = 0;
    c->bad = false;
    c->rows++;
    return st;
}

/* Appends one byte to the current field. */
static void copylog_put(copylog_csv *c, char ch)
{
    if (c->nfields >= COPYLOG_MAX_FIELDS)
        return;
    if (c->field_len >= COPYLOG_MAX_FIELD) {
        c->bad = true;
        return;
    }
    copylog_mark(c);
    c->row[c->len++] = ch;
    c->field_len++;
}

/* Feeds bytes through the RFC 4180 state machine. */
static exh_status copylog_feed(copylog_csv *c, copylog *log, const char *p,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (c->quoted) {
            if (!c->after_quote) {
                if (ch == '"')
                    c->after_quote = true;
                else
                    copylog_put(c, ch);
                continue;
            }
            c->after_quote = false;
            if (ch == '"') {
                copylog_put(c, '"');
                continue;
            }
            c->quoted = false;
        }
        if (ch == '"' && c->field_len == 0) {
            c->quoted = true;
        } else if (ch == ',') {
            copylog_end_field(c);
        } else if (ch == '\n') {
            EXH_TRY(copylog_end_row(c, log));
            if (!c->is_log)
                return EXH_OK;
        } else if (ch != '\r') {
            copylog_put(c, ch);
        }
    }
    return EXH_OK;
}

copylog *copylog_parse(stream *in)
{
    size_t row_cap = (COPYLOG_MAX_FIELD + 1) * COPYLOG_MAX_FIELDS;
    copylog_csv c;
    copylog *log = exh_calloc(1, sizeof(*log));
    char *chunk = exh_malloc(COPYLOG_CHUNK);
    bool ok = false;

    memset(&c, 0, sizeof(c));
    c.row = exh_malloc(row_cap);
    if (!log || !chunk || !c.row || !in)
        goto out;
    for (;;) {
        ssize_t n = in->read(in, chunk, COPYLOG_CHUNK);
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        if (copylog_feed(&c, log, chunk, (size_t)n) != EXH_OK)
            goto out;
        if (c.header_done && !c.is_log)
            goto out;
    }
    if (c.len > 0 || c.nfields > 0 || c.quoted) {
        if (copylog_end_row(&c, log) != EXH_OK)
            goto out;
    }
    ok = c.header_done && c.is_log;
out:
    exh_free(chunk);
    exh_free(c.row);
    if (!ok) {
        copylog_free(log);
        return NULL;
    }
    return log;
}

bool copylog_lookup(const copylog *log, const char *path, int64_t *created_ms,
                    int64_t *modified_ms)
{
    size_t len, slot;
    uint32_t v;

    if (!log || !log->nslots || !path)
        return false;
    len = strlen(path);
    slot = copylog_slot(log, path, len, copylog_hash(path, len));
    v = log->slots[slot];
    if (!v)
        return false;
    if (created_ms)
        *created_ms = log->items[v - 1].created_ms;
    if (modified_ms)
        *modified_ms = log->items[v - 1].modified_ms;
    return true;
}

void copylog_free(copylog *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->count; i++)
        exh_free(log->items[i].key);
    exh_free(log->items);
    exh_free(log->slots);
    exh_free(log);
}

exh_status collection_logs_add(collection_logs *set, const char *prefix,
                               copylog *log)
{
    size_t n = set->count + 1, bytes;
    char **prefixes;
    copylog **logs;
    char *copy = exh_strdup(prefix);

    if (!copy || __builtin_mul_overflow(n, sizeof(char *), &bytes))
        goto fail;
    prefixes = exh_realloc(set->prefixes, bytes);
    if (!prefixes)
        goto fail;
    set->prefixes = prefixes;
    logs = exh_realloc(set->logs, n * sizeof(copylog *));
    if (!logs)
        goto fail;
    set->logs = logs;
    set->prefixes[set->count] = copy;
    set->logs[set->count] = log;
    set->count = n;
    return EXH_OK;
fail:
    exh_free(copy);
    copylog_free(log);
    return EXH_ERR_NOMEM;
}

bool collection_logs_lookup(const collection_logs *set, const char *path,
                            int64_t *created_ms, int64_t *modified_ms)
{
    // Later logs are more specific (child folders come after the root).
    for (size_t i = set->count; i-- > 0;) {
        size_t plen = strlen(set->prefixes[i]);
        if (strncmp(path, set->prefixes[i], plen) != 0)
            continue;
        if (copylog_lookup(set->logs[i], path + plen, created_ms, modified_ms))
            return true;
    }
    return false;
}

void collection_logs_free(collection_logs *set)
{
    for (size_t i = 0; i < set->count; i++) {
        exh_free(set->prefixes[i]);
        copylog_free(set->logs[i]);
    }
    exh_free(set->prefixes);
    exh_free(set->logs);
    memset(set, 0, sizeof(*set));
}

/* Reads a JSON string starting after its opening quote at s[*i]; decodes
 * escapes into out (NULL to skip). Returns false when unterminated. */
static bool collection_json_string(const char *s, size_t len, size_t *i,
                                   buf *out)
{
    while (*i < len) {
        char ch = s[(*i)++];
        if (ch == '"')
            return true;
        if (ch != '\\') {
            if (out)
                (void)buf_putc(out, ch);
            continue;
        }
        if (*i >= len)
            return false;
        ch = s[(*i)++];
        if (ch == 'u') {
            unsigned cp = 0;
            for (int k = 0; k < 4; k++) {
                int v = *i < len ? util_hexval((unsigned char)s[*i]) : -1;
                if (v < 0)
                    return false;
                cp = cp << 4 | (unsigned)v;
                (*i)++;
            }
            if (!out || cp == 0)
                continue;
            if (cp < 0x80) {
                (void)buf_putc(out, (char)cp);
            } else if (cp < 0x800) {
                (void)buf_putc(out, (char)(0xC0 | cp >> 6));
                (void)buf_putc(out, (char)(0x80 | (cp & 0x3F)));
            } else {
                (void)buf_putc(out, (char)(0xE0 | cp >> 12));
                (void)buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
                (void)buf_putc(out, (char)(0x80 | (cp & 0x3F)));
            }
            continue;
        }
        if (out) {
            static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
            const char *m = strchr(from, ch);
            (void)buf_putc(out, m && ch ? to[m - from] : ch);
        }
    }
    return false;
}

/* The string value of the first key named like want (either spelling),
 * at any depth; a new string or NULL. */
static char *collection_json_value(const char *s, size_t len, const char *want1,
                                   const char *want2)
{
    buf key, val;
    char *res = NULL;
    size_t i = 0;

    buf_init(&key, 256);
    buf_init(&val, 4096);
    while (i < len && !res) {
        if (s[i++] != '"')
            continue;
        buf_reset(&key);
        if (!collection_json_string(s, len, &i, &key))
            break;
        size_t j = i;
        while (j < len &&
               (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
            j++;
        if (j >= len || s[j] != ':' || !key.data)
            continue;
        if (strcmp(key.data, want1) != 0 && strcmp(key.data, want2) != 0)
            continue;
        for (j++; j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' ||
                              s[j] == '\n');)
            j++;
        if (j >= len || s[j] != '"')
            continue;
        j++;
        buf_reset(&val);
        if (collection_json_string(s, len, &j, &val) && val.data && val.len > 0)
            res = exh_strndup(val.data, val.len);
        i = j;
    }
    buf_free(&key);
    buf_free(&val);
    return res;
}

char *collection_client_hostname(stream *in)
{
    char *text = exh_malloc(CLIENT_INFO_MAX);
    size_t len = 0;
    char *res = NULL;

    if (!text || !in)
        goto out;
    while (len < CLIENT_INFO_MAX) {
        ssize_t n = in->read(in, text + len, CLIENT_INFO_MAX - len);
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    res = collection_json_value(text, len, "Hostname", "hostname");
    if (!res)
        res = collection_json_value(text, len, "Fqdn", "fqdn");
out:
    exh_free(text);
    return res;
}
