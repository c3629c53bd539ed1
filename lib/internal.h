/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - private declarations shared across lib/ files.
 *
 * Functions are prefixed with the name of the file that defines them
 * (buf_* in buf.c, csvlog_* in readers/csvlog.c, ...), so grep finds them.
 * Nothing here is API: only include/exhunt.h is.
 */
#ifndef EXH_INTERNAL_H
#define EXH_INTERNAL_H

#include "exhunt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXH_TRY(expr)                                                          \
    do {                                                                       \
        exh_status try_st_ = (expr);                                           \
        if (try_st_ != EXH_OK)                                                 \
            return try_st_;                                                    \
    } while (0)

/* ---- alloc.c: every allocation of lib/ goes through these ---------------- */
void *exh_malloc(size_t len);
void *exh_calloc(size_t count, size_t len);
void *exh_realloc(void *p, size_t len);
void exh_free(void *p);
char *exh_strdup(const char *s);
char *exh_strndup(const char *s, size_t len);
/* Tests: make the Nth allocation from now on fail (0 turns it off). */
void alloc_fail_after(unsigned long n);

/* ---- buf.c: bounded growable byte buffer --------------------------------- */
typedef struct buf {
    char *data;       /* always NUL-terminated when non-NULL */
    size_t len;       /* bytes used, EXCLUDING the NUL */
    size_t cap;       /* bytes allocated */
    size_t max_bytes; /* appends beyond this are dropped and flag toobig */
    bool toobig;      /* set when an append was cut at max_bytes */
} buf;

void buf_init(buf *b, size_t max_bytes);
void buf_free(buf *b);
void buf_reset(buf *b); /* len = 0, toobig = false; keeps memory */
/* Appends; past max_bytes appends what fits, sets toobig and returns
 * EXH_ERR_LIMIT. EXH_ERR_NOMEM on allocation failure. */
exh_status buf_append(buf *b, const void *p, size_t len);
exh_status buf_putc(buf *b, char c);
exh_status buf_puts(buf *b, const char *s);
exh_status buf_printf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- util.c: strings, times, escaping ------------------------------------ */
/* ASCII case-insensitive helpers (Windows paths, Sigma matching). */
int util_strcasecmp(const char *a, const char *b);
/* FNV-1a of the bytes p[0..len), for hash tables. */
uint64_t util_hash(const void *p, size_t len);
/* Splits s in place at commas into at most max items, spaces around each
 * trimmed, empty ones dropped ("CVE-a, CVE-b"); returns how many. */
size_t util_split_commas(char *s, const char **out, size_t max);
bool util_ieq(const char *a, size_t a_len, const char *b, size_t b_len);
/* Case-insensitive search of needle in hay; returns a pointer or NULL. */
const char *util_memcasemem(const char *hay, size_t hay_len, const char *needle,
                            size_t needle_len);
/* The value 0-15 of one hex digit (0-9, a-f, A-F), or -1 for any other
 * byte. */
int util_hexval(unsigned char c);
/* Writes code point c (at most 0x10FFFF) as UTF-8 to out (room for 4
 * bytes); returns the bytes written. */
size_t util_utf8_put(uint32_t c, char *out);
/* The little-endian 16-, 32- and 64-bit integers at p (the binary readers
 * of untrusted bytes; the caller checks that the bytes are there). */
static inline uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}
/* Percent-decodes n bytes of s into out (room for n bytes; may be s): each
 * "%XX" of two hex digits becomes its byte, everything else is copied
 * ('+' too). Returns the length written (at most n). */
size_t util_url_decode(const char *s, size_t n, char *out);
/* Parses ISO 8601 (see exh_time_parse) from exactly len bytes. */
bool util_time_parse(const char *s, size_t len, int64_t *out_ms);
/* The minute of the last time parsed by util_time_parse_cached(). */
typedef struct util_time_cache {
    char key[17]; /* "YYYY-MM-DDTHH:MM:" (or ' ' for 'T') */
    int64_t base; /* that minute, in ms since the epoch */
    bool valid;
} util_time_cache;
/* util_time_parse() for a run of times that mostly share their minute:
 * "YYYY-MM-DDTHH:MM:SS.fffZ" and "YYYY-MM-DD HH:MM:SS" whose first 17
 * bytes match the last time parsed cost only their seconds. */
bool util_time_parse_cached(util_time_cache *c, const char *s, size_t len,
                            int64_t *out_ms);
/* The UTC span a log file's name dates it to, [*from_ms, *to_ms): an
 * Exchange log's "<name>YYYYMMDDHH-N.LOG" (an hour) or "<name>YYYYMMDD-N.LOG"
 * (a day), an IIS log's "[u_]exYYMMDD[HH].log" (also in/nc: a day or an
 * hour; local time when localTimeRollover is on, so callers keep a margin).
 * name is a base name or a path; false when it dates nothing. */
bool util_log_name_span(const char *name, int64_t *from_ms, int64_t *to_ms);
/* Formats ms since epoch as "2021-03-02T04:12:33.120Z" (24 chars + NUL). */
void util_time_format(int64_t ms, char out[32]);
/* The proleptic Gregorian date of a count of days since 1970-01-01 (any
 * sign): year, month 1-12, day 1-31. */
void util_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* ---- json.c: JSON output ------------------------------------------------ */
/* Appends s as a JSON string (with quotes) to b. Bytes that are not valid
 * UTF-8 become the six characters \\xNN (a JSON-escaped backslash, then
 * xNN), control characters \u00NN; the result is always valid UTF-8. */
exh_status json_string(buf *b, const char *s, size_t len);
/* The length of the longest prefix of s[0..len) of at most max bytes that
 * does not end inside a well-formed UTF-8 sequence (json_string() writes
 * such a sequence whole, so a cut there would become \xNN text). */
size_t json_utf8_cut(const char *s, size_t len, size_t max);
/* ,"timeline":[...]: the steps of a build timeline (summary, kind build). */
exh_status json_build_steps(buf *b, const exh_build_step *steps, size_t count);

/* ---- sources/: evidence backends ----------------------------------------- */

/* A readable byte stream, valid only while its entry callback runs. read()
 * returns bytes read, 0 at the end, -1 on error (with errno). */
typedef struct stream stream;
struct stream {
    ssize_t (*read)(stream *s, void *dst, size_t len);
    void *ctx;
    const char *error; /* message after a failed read, else NULL */
};

/* What an NTFS volume of a disk image knows of an entry (sources/image.c).
 * Times are ms since the epoch, INT64_MIN when unknown. Strings are
 * borrowed, valid while the entry callback runs. */
typedef struct entry_ntfs {
    int64_t si_created, si_modified, si_changed, si_accessed; /* $SI */
    int64_t fn_created, fn_modified, fn_changed, fn_accessed; /* $FN */
    const char *owner;  /* "S-1-5-18", or NULL when unknown */
    const char *stream; /* an alternate data stream's name, else NULL */
    bool deleted;       /* the MFT entry is no longer in use */
    /* read from a volume shadow copy (--shadows): its label ("vol2@vss1")
     * and creation time (ms, INT64_MIN when unknown); NULL for live */
    const char *snapshot;
    int64_t snapshot_ms;
    /* Snapshot entries of a volume whose live file system is open, else
     * NULL: compares the entry's data with the first bytes of the live
     * volume's file at the same path, without touching the entry's stream.
     * 1 when the entry's data is a prefix of the live file (or the whole
     * of it), with the count of '\n' bytes in the entry's data in *lines;
     * 0 when it is not, the live volume holds no such regular file, or
     * either could not be read. Called with the entry's n, during its
     * callback only. */
    int (*prefix_of_live)(const struct entry_ntfs *n, uint64_t *lines);
    void *ctx; /* for prefix_of_live */
    /* Where a live volume's entry lies, for image_reader_open() on another
     * thread: the image file, its kind, the volume's byte offset, the MFT
     * entry and its data stream (attr_ads: the named stream attr_id);
     * image is NULL when the entry cannot be opened again (snapshots,
     * deleted entries). */
    const char *image;
    int image_kind;
    int64_t vol_offset;
    uint64_t inum;
    uint16_t attr_id;
    bool attr_ads;
} entry_ntfs;

/* A thread's own handles on a disk image and one of its NTFS volumes
 * (sources/image.c): entries the walk delivered are read there again, by
 * MFT entry, while the walk goes on. */
/* True when target is a regular file of 64 KiB or more named like a disk
 * image (.raw, .dd, .img, .001, .vhd, .vhdx, .vmdk, .qcow2, .E01, ...),
 * whatever its content. */
bool image_named_like(const char *target);
typedef struct image_reader image_reader;
/* Opens the data of entry n (size bytes) on *r's handles, made or changed
 * as n needs; the stream is valid until the next call or
 * image_reader_free(). NULL with a message in *err when it cannot. */
stream *image_reader_open(image_reader **r, const entry_ntfs *n, uint64_t size,
                          const char **err);
void image_reader_free(image_reader *r);

/* One file of a target, as every backend delivers it. */
typedef struct entry {
    const char *path;         /* inside the target, '/'-separated, decoded
                                 (Velociraptor %XX names unescaped); "" when
                                 the target is itself the file */
    const char *display_path; /* source.path: target joined with the raw
                                 path; "ARCHIVE!/raw/path" inside archives */
    uint64_t size;
    int64_t modified_ms;     /* INT64_MIN when unknown */
    int64_t created_ms;      /* INT64_MIN when unknown */
    const char *time_source; /* "posix", "zip-dos-local", ... or NULL */
    const char *open_path;   /* a path open() reaches again later (plain
                                files of folder targets), else NULL */
    stream *in;              /* the content; NULL for entries only listed */
    const entry_ntfs *ntfs;  /* disk images only, else NULL */
    /* Why the content cannot be read (in is then NULL): an encrypted
     * archive member without its password or with a wrong one. The entry
     * is a file of the evidence all the same (counted in entries), and
     * unreadable, with this reason, like a file a folder will not open. */
    const char *not_read;
} entry;

typedef struct source_cbs {
    /* Called once per regular file. Return false to stop the walk. */
    bool (*on_entry)(void *user, entry *e);
    /* Called for each thing that could not be read: a folder, a link that
     * leaves the target, a loop, a corrupt archive member. */
    void (*on_error)(void *user, const char *display_path, const char *message);
    void *user;
    /* Optional (NULL): a fact about the evidence that is no error ("no
     * volume shadow copies", "shadow copy 1 of vol1 ... read"). */
    void (*on_note)(void *user, const char *display_path, const char *message);
    /* Optional (NULL): the archive at prefix ("" when it is the target,
     * else "CHILD/", as entry paths start) holds a Windows volume's root:
     * Windows/System32 or Program Files at its top. Told before any of its
     * entries. Folders are not told: their caller can look at them. */
    void (*on_volume)(void *user, const char *prefix);
} source_cbs;

typedef struct source_opts {
    const char *password; /* for encrypted zips, or NULL */
    bool open_archives;   /* open .zip/.tar/.tar.gz files that are direct
                             children of a folder target as collections */
    bool deleted;         /* disk images: deleted files too (--deleted) */
    bool shadows;         /* disk images: volume shadow copies too */
} source_opts;

/* Walks target ("-" is stdin; a folder; an archive; a file). Returns EXH_OK
 * when the target itself could be opened (problems inside go to on_error),
 * EXH_ERR_IO when it could not (message in *err, static or NULL). */
exh_status source_walk(const char *target, const source_opts *opts,
                       const source_cbs *cbs, const char **err);
/* openat() read-only with O_CLOEXEC, extra_flags (O_NOFOLLOW, O_DIRECTORY,
 * O_NONBLOCK...) and O_NOATIME, retried without O_NOATIME when the kernel
 * refuses it (EPERM: we do not own the file). Retries EINTR. -1 on error.
 * Every open of evidence, a file or a folder, goes through it: reading a
 * folder updates its access time as reading a file does. */
int source_openat(int dirfd, const char *name, int extra_flags);
/* Opens e->open_path again for reading in a worker thread: read-only,
 * O_NOATIME where permitted, never following a final link. -1 on error. */
int source_reopen(const char *open_path);
/* What data starting with head (len bytes; 262 or more to know a tar)
 * is: "gzip", "bzip2" or "xz" (compressed data), "zip" or "tar" (an
 * archive), else NULL. */
const char *source_packed_kind(const void *head, size_t len);
/* True when kind (of source_packed_kind()) is compressed data. */
bool source_is_compressed(const char *kind);
/* The data that gzip, bzip2 or xz data holds (archive.c). head (head_len
 * bytes, copied) is what was already read from src. Returns the stream of
 * the data it holds, valid until archive_unpack_free(*u), which the caller
 * calls in any case; NULL with *err (valid until then) when it cannot be
 * read at all. */
typedef struct archive_unpack archive_unpack;
stream *archive_unpack_open(archive_unpack **u, stream *src, const void *head,
                            size_t head_len, const char **err);
void archive_unpack_free(archive_unpack *u);
/* True when name ends in .zip, .tar, .tar.gz or .tgz (case-insensitive). */
bool source_is_archive_name(const char *name);
/* True when the file target is a disk image by its first bytes (raw disk
 * or volume, E01/Ex01, VHD/VHDX, VMDK, QCOW). */
bool source_is_image(const char *target);

/* Collection metadata (sources/collection.c). */
typedef struct copylog copylog;
/* Parses a KAPE *_CopyLog.csv read from in; NULL when it is not one. */
copylog *copylog_parse(stream *in);
/* Looks up original times of a file by its path inside the collection's
 * drive folder ("C/Windows/..."), case-insensitively. */
bool copylog_lookup(const copylog *log, const char *path, int64_t *created_ms,
                    int64_t *modified_ms);
void copylog_free(copylog *log);
/* Reads "hostname" (or "Hostname"/"Fqdn") from a Velociraptor
 * client_info.json; returns a new string or NULL. */
char *collection_client_hostname(stream *in);
/* Decodes Velociraptor's %XX escapes of one '/'-separated path into a new
 * string, component by component. A component whose decoded form would
 * change the path's shape (it holds a '/', is "." or "..", or has a ".."
 * between '\'s) is kept as stored, so decoding never makes a component
 * or climbs out. NULL when out of memory. */
char *collection_url_decode(const char *path);

/* ---- paths.c: Windows paths and volumes ---------------------------------- */
/* Finds the volume a path lies in. On success sets *drive ('C', or '?' when
 * unknown) and *rest_offset (offset in path of the text after the volume
 * root, e.g. "Program Files/...") and returns true. */
bool paths_volume(const char *path, char *drive, size_t *rest_offset);
/* "C:\\Program Files\\..." for a path in a volume, else NULL. New string. */
char *paths_windows(const char *path);
/* True when the OAB download path path[0..len) lies in the Exchange
 * install's ClientAccess\OAB folder, both paths compared after
 * normalising: drive letter dropped, '/' read as '\', "." and ".."
 * resolved, ASCII case ignored. install_root ("C:\\...\\V15") may be
 * NULL when unknown: then the folder's parent must look like an install
 * root (ends in \V15 or \V14, or has an "Exchange Server" or "Exchange"
 * folder) and no folder may be inetpub, wwwroot or aspnet_client. False
 * for a path longer than 1 KiB or with a segment of only dots and spaces
 * other than "." and "..". */
bool paths_in_oab_folder(const char *path, size_t len,
                         const char *install_root);
/* ---- sources/ntfs.c: NTFS structures read by exhunt itself ------------ */
/* The text form ("S-1-5-18") of the binary SID in sid[0..len); false when
 * malformed or out_len (at least 32) is too small. */
bool ntfs_sid_text(const unsigned char *sid, size_t len, char *out,
                   size_t out_len);
/* The owner SID of a self-relative security descriptor, as text. */
bool ntfs_sd_owner(const unsigned char *sd, size_t len, char *out,
                   size_t out_len);
/* "SYSTEM", "Administrators", ... for a well-known SID, else NULL. */
const char *ntfs_sid_name(const char *sid);
/* The descriptors of a $Secure:$SDS stream, by security id. Takes
 * ownership of data (exh_malloc'd; may be NULL); NULL when out of memory. */
typedef struct ntfs_sds ntfs_sds;
ntfs_sds *ntfs_sds_parse(unsigned char *data, size_t len);
/* The owner SID of the descriptor with security id id, as text. */
bool ntfs_sds_owner(const ntfs_sds *s, uint32_t id, char *out, size_t out_len);
size_t ntfs_sds_count(const ntfs_sds *s);
void ntfs_sds_free(ntfs_sds *s);

/* Length of a leading "volN/" (N: 1 to 3 digits), the folder of a disk
 * image's volume (sources/image.c), else 0. */
size_t paths_image_volume(const char *path);

/* ---- events: what readers hand to matchers ------------------------------- */

/* A record as field/value pairs. Values are NUL-terminated copies owned by
 * the reader, valid until the next record. Field names are compared
 * case-insensitively. raw is the record's whole text (keyword searches). */
typedef struct event {
    size_t count;
    const char *const *names;
    const char *const *values;
    const size_t *lens;
    const char *raw;
    size_t raw_len;
    /* Optional accelerator: a reader's hash of names[0..indexed), so that
     * event_get() needs no linear search over a log's 80 columns. */
    const struct name_index *index;
    size_t indexed;
    /* Set when values are split out of raw only as event_get() asks for
     * them (HttpProxy records: most rules read two or three of eighty). */
    struct csvlog *lazy;
    /* Names may repeat (EVTX's unnamed <Data> list): a field matches when
     * any of its values does, and keywords also try each value alone. */
    bool multi;
} event;

/* The value of field name, or NULL (and *len untouched) when absent. */
const char *event_get(const event *ev, const char *name, size_t *len);

/* ---- readers/csvlog.c: Exchange CSV logs --------------------------------- */

typedef struct prefilter prefilter; /* match/prefilter.c */

/* The log families exhunt reads (DESIGN.md coverage families). */
typedef enum log_family {
    FAM_NONE = 0,
    FAM_HTTPPROXY,
    FAM_ECP_SERVER,
    FAM_ECP_ACTIVITY,
    FAM_OABGENERATOR,
    FAM_RPS,  /* remote-PowerShell logs: CmdletInfra Http and Cmdlet */
    FAM_IIS,  /* IIS W3C logs: space-separated, "#Fields:" names */
    FAM_EVTX, /* Windows event logs (readers/evtx.c): "evtx:<Channel>" */
    FAM_EWS,  /* EWS protocol logs (Logging/Ews): one row per SOAP call */
    FAM__COUNT
} log_family;

const char *csvlog_family_name(log_family fam); /* "httpproxy", ... */

typedef struct csvlog csvlog;

/* One record as the reader first sees it: cheap fields only. Parsing into
 * fields happens on demand with csvlog_event(). */
typedef struct logrec {
    const char *text; /* the record's bytes without the line end */
    size_t len;
    uint64_t line;        /* 1-based line number where the record starts */
    int64_t time_ms;      /* INT64_MIN when the record has no readable time */
    bool truncated;       /* longer than the record limit: cut, still matched */
    bool maybe;           /* the reader's pre-filter (csvlog_set_prefilter)
                             lets the record through, or there is none */
    const uint64_t *bits; /* the literals the record holds (prefilter_bits,
                             prefilter_rule_pass), or NULL: unknown */
    const char *dec;      /* the record percent-decoded, or text when decoding
                             adds no literal (prefilter_rule_pass) */
    size_t dec_len;
    const uint64_t *rules; /* the gate's rules the record passes
                              (prefilter_pass_rules), or NULL: unknown */
} logrec;

/* Called once per record. Return false to stop reading. */
typedef bool (*csvlog_record_cb)(void *user, csvlog *reader, const logrec *r);

typedef struct csvlog_stats {
    uint64_t records;        /* data records seen */
    uint64_t bad_records;    /* malformed, binary or truncated records */
    uint64_t header_changes; /* #Fields: directives after the first */
    uint64_t headless;       /* records before any header (OABGenerator's plain
                                text aside): their fields are unknown */
    const char *software_version; /* "#Version:" value, or NULL */
    bool binary;                  /* the input is not a text log at all */
} csvlog_stats;

/* Creates a reader for one family. max_record_bytes bounds one record
 * (longer ones are cut and flagged). */
exh_status csvlog_new(log_family fam, size_t max_record_bytes, csvlog **out);
void csvlog_free(csvlog *reader);
/* Reads in to its end, calling cb per data record. Handles "#Fields:"
 * directives or a bare header line, RFC 4180 quoting (quoted line ends
 * too), CRLF, a UTF-8 BOM, header changes mid-file and a truncated last
 * line; memory stays flat. Returns EXH_ERR_IO on a read error, else EXH_OK
 * (malformed input is counted in stats). */
exh_status csvlog_read(csvlog *reader, stream *in, csvlog_record_cb cb,
                       void *user, csvlog_stats *stats);
/* Gives the reader a pre-filter to run over whole buffers rather than
 * record by record; logrec.maybe then tells whether a record may match.
 * NULL (the default) makes every record a maybe. pf must outlive reads.
 * decode: some rule matches URI fields percent-decoded, so a record with
 * '%' is also judged decoded (its bits then cover both forms). */
void csvlog_set_prefilter(csvlog *reader, const prefilter *pf, bool decode);
/* Splits the current record into fields named by the current header (plus
 * the derived fields of the family) and returns them as an event, valid
 * until the callback returns. */
const event *csvlog_event(csvlog *reader, const logrec *r);
/* True when head, the first len bytes of a file, is not text by the rule
 * csvlog_read() applies to its first 4 KiB (stats.binary). */
bool csvlog_sniff_binary(const char *head, size_t len);

/* ---- match/sigma.c: the Sigma engine ------------------------------------- */

typedef struct sigma_rule sigma_rule;

typedef struct sigma_meta {
    char *name, *id, *title, *author, *description, *status;
    char *product, *service, *category; /* logsource; NULL when absent */
    exh_severity severity;
    exh_category category_value;
    char **cve;
    size_t cve_count;
    char **attack;
    size_t attack_count;
    char **references;
    size_t reference_count;
} sigma_meta;

/* Compiles one Sigma YAML document set from text. source names the file in
 * messages. On EXH_OK sets *out; else returns EXH_ERR_RULE_SYNTAX with a
 * message "SOURCE:LINE: reason" in *msg (new string, caller frees with
 * exh_free). A file may hold several rules ("---"); each becomes one entry
 * of *out (count in *out_count). */
exh_status sigma_compile(const char *text, size_t len, const char *source,
                         sigma_rule ***out, size_t *out_count, char **msg);
void sigma_rule_free(sigma_rule *rule);
const sigma_meta *sigma_rule_meta(const sigma_rule *rule);

/* Evaluates rule on ev. When it matches and matched is non-NULL, the names
 * of the fields that decided it are appended (at most max_matched, owned by
 * the rule, no copies) and *matched_count set. */
bool sigma_match(const sigma_rule *rule, const event *ev, const char **matched,
                 size_t max_matched, size_t *matched_count);

/* Pre-filter: a set of lower-case literals such that the rule can only
 * match a record whose raw text contains at least one of them
 * (case-insensitively). Returns false when no such set exists (the rule
 * must see every record). Literals are owned by the rule.
 * A literal may be a field sequence: runs joined by PREFILTER_SEQ, taken
 * from a glob on one field ('Server~*' + '/' ...). A record matching such a
 * glob holds, if the field is a CSV column, every run in order with no ','
 * or line end between them when the record has no '"' (an unquoted value),
 * and the longest run in any case. For fields that are not CSV columns, use
 * the longest run alone (prefilter_longest_run). */
#define PREFILTER_SEQ '\x1f'
bool sigma_literals(const sigma_rule *rule, const char *const **lits,
                    size_t *count);
/* A set of literals as sigma_literals() gives one, and the estimated
 * share of records that hold one of them (0..1 and a little more). */
typedef struct sigma_clause {
    const char *const *lits;
    size_t count;
    double cost;
} sigma_clause;
/* Every set the rule requires: a record it matches holds one literal of
 * each clause (a conjunction of the literal sets of its selections, "not"
 * contributing nothing). The first clause is sigma_literals()' set; the
 * others may hold runs shorter than 3 bytes ('@' of an e-mail address),
 * which are worth checking in a record but not searching for.
 * False (count 0) when the rule has no literal set. */
bool sigma_clauses(const sigma_rule *rule, const sigma_clause **clauses,
                   size_t *count);
/* A literal set bound to one field (named field, case-insensitively).
 * Positive: a record the rule matches holds one of lits inside that
 * field's value, as it stands or percent-decoded (twice); a field
 * sequence's runs in order. negative: a record whose value of that field
 * is, as it stands, one of lits whole (case-insensitively) cannot match
 * the rule (a "not" selection such as a list of stock pages). */
typedef struct sigma_fclause {
    const char *field;
    const char *const *lits;
    size_t count;
    bool negative;
} sigma_fclause;
/* The field clauses a rule requires: positive ones from the selections
 * its condition ANDs (each of one map, its named fields with a literal
 * set), negative ones from the selections it ANDs a "not" of. False
 * (count 0) when there are none. */
bool sigma_field_clauses(const sigma_rule *rule, const sigma_fclause **out,
                         size_t *count);
/* Whether the rule matches URI fields (cs-uri-stem, cs-uri-query, UrlStem,
 * ...) percent-decoded too: its literals may then stand in a record only
 * once the record is decoded (see csvlog_set_prefilter). */
bool sigma_decodes_uri(const sigma_rule *rule);

/* ---- match/winproc.c: Security 4688 seen as process_creation ------------ */
typedef struct winproc winproc;
EXH_NODISCARD exh_status winproc_new(winproc **out);
void winproc_free(winproc *p);
/* Forgets the processes of the previous file (links stay within a file). */
void winproc_reset(winproc *p);
/* For a Security 4688 record, the event with Sysmon 1's field names added
 * (Image, ParentImage, ParentProcessId, User, IntegrityLevel; the parent
 * linked by process id when ParentProcessName is absent), valid until the
 * next call; any other record: ev itself. Remembers the process 4688
 * creates. */
const event *winproc_event(winproc *p, const event *ev, const char *channel,
                           const char *event_id);

/* ---- match/winlog.c: Sigma logsources of product windows --------------- */
typedef struct winlog_source winlog_source;
/* The channels (and event ids) a logsource reads; NULL when the product is
 * not windows or its service or category is unknown. */
const winlog_source *winlog_source_of(const char *product, const char *service,
                                      const char *category);
/* True when a record of channel with EventID event_id is for s. */
bool winlog_applies(const winlog_source *s, const char *channel,
                    const char *event_id);

/* ---- match/ioc.c: IOC lists ---------------------------------------------- */
/* One address or network of an address IOC list. */
typedef struct addr_ioc {
    unsigned char net[16]; /* IPv4 in the first 4 bytes; host bits clear */
    unsigned char family;  /* 4 or 6 */
    unsigned char bits;    /* the prefix: 32 or 128 for one address */
    unsigned list;         /* index into addr_set.lists */
} addr_ioc;

/* The addresses and networks of every address IOC list loaded, to tell
 * which client addresses of the pivot a list names (correlate.c). */
typedef struct addr_set {
    addr_ioc *items; /* sorted by addr_set_finish */
    size_t count, cap;
    char **lists; /* the lists' names: their file stems, as "ioc_<stem>" */
    size_t list_count;
    bool bits4[33], bits6[129]; /* the prefix lengths some entry has */
} addr_set;

/* Sorts the entries once every list is added. */
void addr_set_finish(addr_set *s);
/* Writes to names (room for s->list_count) the names of the lists that
 * hold the address value or a network around it (an IPv4-mapped IPv6
 * address is its IPv4 one), in load order, each once; returns how many.
 * 0 when value is no address. */
size_t addr_set_lists(const addr_set *s, const char *value, const char **names);
void addr_set_free(addr_set *s);

/* Appends to out the Sigma text (one or more documents, "---" separated)
 * of an address IOC list (text, len): rules named "ioc_<stem>" matching
 * the client (or remote) addresses and hosts of web, Exchange and event
 * logs (docs/output.md lists the fields). *values counts the entries read,
 * *rejected those that are no address, network or domain (skipped).
 * Returns EXH_ERR_LIMIT when the list is too large, else EXH_OK (out may
 * stay empty when no entry is usable). Its addresses and networks are
 * added to set too, under the list name stem, unless set is NULL. */
exh_status ioc_address_rules(const char *text, size_t len, const char *stem,
                             const char *source, buf *out, size_t *values,
                             size_t *rejected, addr_set *set);

/* ---- match/yara_glue.c: libyara (the only file that includes <yara.h>) --- */

typedef struct yara_set yara_set;   /* compiled rules, shared, immutable */
typedef struct yara_scan yara_scan; /* one per thread */

/* The external variables community rule sets expect (LOKI/THOR). */
typedef struct yara_externals {
    const char *filename;  /* "shell.aspx" */
    const char *filepath;  /* "C:\inetpub\wwwroot\aspnet_client" (the
                              folder, Windows form when known) */
    const char *extension; /* ".aspx" (lower case, with the dot) or "" */
    const char *filetype;  /* "ASPX", "EXE", "ZIP", ... or "" */
    const char *owner;     /* "" when unknown */
} yara_externals;

/* One rule that matched, borrowed during the callback. */
typedef struct yara_hit {
    const char *rule;
    const char *ns;          /* namespace: "builtin" or the rule file */
    const char *source;      /* "builtin:yara/x.yar" or the file path */
    const char *author;      /* meta author, or NULL */
    const char *description; /* meta description, or NULL */
    const char *category;    /* meta exhunt_category, or NULL */
    const char *severity;    /* meta exhunt_severity, or NULL */
    const char *cve;         /* meta cve ("CVE-a, CVE-b"), or NULL */
    int64_t score;           /* meta score (signature-base), or -1 */
    const char *const *tags;
    size_t tag_count;
    /* matched strings: identifier and first offset, at most 8 */
    const char *string_ids[8];
    uint64_t string_offsets[8];
    size_t string_count;
} yara_hit;

/* Called per matching rule; return false to stop the scan. */
typedef bool (*yara_hit_cb)(void *user, const yara_hit *hit);

/* A new empty set. libyara is loaded and initialised (reference-counted)
 * when the set first needs it: a user's text to check, or compiling. */
exh_status yara_set_new(yara_set **out);
/* Why libyara could not be loaded, once a set or yara_pe_version() tried
 * and failed (EXH_ERR_ENGINE); else NULL. Never loads it. */
const char *yara_load_error(void);
/* Adds rule text (a built-in file) under namespace ns. On a compile error
 * returns EXH_ERR_RULE_SYNTAX and *msg ("SOURCE:LINE: message", caller
 * frees with exh_free); the set stays usable. */
exh_status yara_set_add_text(yara_set *ys, const char *text, size_t len,
                             const char *ns, const char *source, char **msg);
/* As yara_set_add_text() for text known to compile (our built-in rules):
 * no throwaway compile. If it does not compile after all, returns
 * EXH_ERR_RULE_SYNTAX with *msg and the set is unusable. */
exh_status yara_set_add_trusted(yara_set *ys, const char *text, size_t len,
                                const char *ns, const char *source, char **msg);
/* Adds a rule file, in its own namespace (its path). The file is first
 * compiled alone in a throwaway compiler with the externals defined: a file
 * that does not compile (or needs a newer YARA) is left out with *msg. */
exh_status yara_set_add_file(yara_set *ys, const char *path, char **msg);
/* Compiles what was added, once, on first call (thread-safe; later calls
 * return the first one's status); after this nothing can be added.
 * yara_scan_new() and yara_set_rule() call it, so a set that is never used
 * is never compiled. yara_set_compile() is the same, for a mutable set. */
exh_status yara_set_ready(const yara_set *ys);
exh_status yara_set_compile(yara_set *ys);
/* Rules the accepted texts declare (known without compiling). */
size_t yara_set_count(const yara_set *ys);
/* Fills *out with compiled rule i's name, namespace, source and metas (no
 * strings, no tags); false when i is out of range. */
bool yara_set_rule(const yara_set *ys, size_t i, yara_hit *out);
/* A finding's severity and category from a YARA rule's metas (scanner.c):
 * exhunt_severity, else signature-base's score, else medium;
 * exhunt_category, else suspicious. */
exh_severity yara_severity(const yara_hit *h);
exh_category yara_category(const yara_hit *h);
void yara_set_free(yara_set *ys);

exh_status yara_scan_new(const yara_set *ys, yara_scan **out);
void yara_scan_free(yara_scan *sc);
/* Scans data[0..len) with the externals; calls cb per matching rule.
 * timeout_s bounds one scan (0: none); EXH_ERR_TIMEOUT when it ran out
 * (hits found so far were reported). */
exh_status yara_scan_mem(yara_scan *sc, const uint8_t *data, size_t len,
                         const yara_externals *ext, int timeout_s,
                         yara_hit_cb cb, void *user);

/* ---- match/baseline.c: known-good lists (rules/baselines/) --------------- */
typedef struct baseline baseline;
/* Adds the list of a built-in file (path "baselines/NAME.txt"; the list is
 * named NAME) to *b, created on first use. EXH_ERR_NOMEM only. */
exh_status baseline_add(baseline **b, const char *path, const char *text,
                        size_t len);
void baseline_free(baseline *b);
/* True when list `list` holds entry (len bytes), case-insensitively. */
bool baseline_has(const baseline *b, const char *list, const char *entry,
                  size_t len);
bool baseline_has_list(const baseline *b, const char *list);
/* For a file at Windows path wp: NULL when it lies outside the Exchange
 * front end's owa\auth and ecp\auth folders or is expected there (list
 * exchange_auth_files); else why it is not (a static sentence). */
const char *baseline_auth_check(const baseline *b, const char *wp);
/* True when a file name (or path) ends in a type IIS hands to a script
 * engine or handler (.aspx, .ashx, .asmx, .asp, .svc, .php, ...). */
bool baseline_page_name(const char *name);

/* ---- readers/xmltags.c: tags of XML configuration files ----------------- */
#define XML_MAX_ATTRS 16
typedef struct xml_attr {
    const char *name, *value; /* into the text; not NUL-terminated */
    size_t name_len, value_len;
} xml_attr;
typedef struct xml_tag {
    const char *name; /* "add", "task:Command" (prefix kept) */
    size_t name_len;
    bool closing;                  /* </name> */
    bool self_closing;             /* <name ... /> */
    size_t depth;                  /* open elements around it */
    xml_attr attrs[XML_MAX_ATTRS]; /* the first XML_MAX_ATTRS */
    size_t attr_count;
    const char *text; /* character data after the tag, up to the next '<' */
    size_t text_len;
} xml_tag;
/* Called per tag (borrowed); return false to stop. */
typedef bool (*xml_tag_cb)(void *user, const xml_tag *tag);
/* Walks the tags of text[0..len) (ASCII or UTF-8), skipping comments,
 * CDATA, <?...?> and <!...>; a malformed tag ends the walk. Returns the
 * number of tags handed to cb. */
size_t xml_walk(const char *text, size_t len, xml_tag_cb cb, void *user);
/* An attribute's raw value (length in *len), or NULL. */
const char *xml_attr_get(const xml_tag *tag, const char *name, size_t *len);
/* True when a tag name, without its namespace prefix, is name (any case). */
bool xml_name_is(const char *s, size_t len, const char *name);
/* Decodes the five predefined entities of s into out (NUL-terminated, cut
 * to cap - 1 bytes); returns the length written. */
size_t xml_unescape(const char *s, size_t len, char *out, size_t cap);
/* True when data looks like UTF-16LE XML (BOM, or '<' then NUL). */
bool xml_is_utf16(const unsigned char *data, size_t len);
/* Narrows UTF-16LE (BOM skipped) to ASCII, other characters as '?', into
 * out (cap bytes, not NUL-terminated); returns the length written. */
size_t xml_narrow(const unsigned char *in, size_t len, char *out, size_t cap);

/* ---- match/deobf.c: canonical text of server pages ---------------------- */
/* Writes the canonical text of a page (in[0..len), UTF-8 or UTF-16LE with
 * a BOM) to out, which holds at least len bytes: escapes of ASCII decoded,
 * block comments removed, char arrays and reversals turned into literals,
 * adjacent literals merged. Returns its length (never more than len). */
size_t deobf_page(const unsigned char *in, size_t len, char *out);

/* ---- match/rpscat.c: the account in a ProxyShell X-Rps-CAT token ------- */
/* Reads the X-Rps-CAT parameter of a URL query (len bytes, untrusted):
 * its logon name into logon and its user SID into sid (each NUL-terminated,
 * empty when absent, printable ASCII only). True when either was read. */
bool rpscat_account(const char *query, size_t len, char *logon,
                    size_t logon_cap, char *sid, size_t sid_cap);

/* ---- match/persist.c: persistence in configuration files ---------------- */
enum { PERSIST_NONE, PERSIST_IIS, PERSIST_AGENTS, PERSIST_TASK };
/* One registration judged not stock; strings borrowed. */
typedef struct persist_hit {
    const char *rule, *title;
    exh_severity severity;
    exh_category category;
    const char *keys[3], *values[3];
    size_t count;
} persist_hit;
typedef bool (*persist_cb)(void *user, const persist_hit *hit);
/* Which configuration a file is, from its Windows path: applicationHost.
 * config or web.config (PERSIST_IIS), agents.config, a scheduled task
 * (below Windows\System32\Tasks), else PERSIST_NONE. */
int persist_kind(const char *windows_path);
/* Judges the registrations of a configuration file of kind (ASCII/UTF-8
 * text: narrow UTF-16 first) against the lists of b; calls cb per hit. */
void persist_check(const baseline *b, int kind, const char *text, size_t len,
                   persist_cb cb, void *user);
/* Judges one service of a SYSTEM hive (ImagePath and ServiceDll, "" when
 * absent): a command shell or PowerShell as its program, or a program in a
 * drop zone; calls cb per hit (evidence: name, image_path or service_dll,
 * reason). */
void persist_service(const char *name, const char *image, const char *dll,
                     persist_cb cb, void *user);

/* ---- sha256.c ------------------------------------------------------------ */
typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
} sha256_ctx;
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes the digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(sha256_ctx *c, char out[65]);

/* ---- md5sha1.c ----------------------------------------------------------- */
/* The digest of a buffer as lower-case hex digits and a NUL. */
void md5_hex(const void *data, size_t len, char out[33]);
void sha1_hex(const void *data, size_t len, char out[41]);

/* ---- match/relit.c: literals a regular expression requires -------------- */
/* Receives one literal (folded to lower case, not NUL-terminated); false
 * stops and makes relit_required() return 0. */
typedef bool (*relit_cb)(void *user, const char *lit, size_t len);
/* Calls cb with each string of a set that every match of the PCRE2
 * pattern re[0..len) holds one of (case-insensitively), each at least
 * min_len bytes long; returns how many, 0 when no such set is known (the
 * pattern may then match anything). */
size_t relit_required(const char *re, size_t len, size_t min_len, relit_cb cb,
                      void *user);

/* ---- match/prefilter.c: multi-literal search ----------------------------- */
/* Builds a case-insensitive searcher for count literals; count 0 gives a
 * filter that never matches. Field sequences (see sigma_literals) are
 * searched as such where Hyperscan is built in, else by their longest run:
 * either way no record that holds one is missed. */
exh_status prefilter_new(const char *const *lits, size_t count,
                         prefilter **out);
void prefilter_free(prefilter *pf);
/* The longest run of a field sequence, as a new string (a plain literal
 * is copied whole); NULL when out of memory. */
char *prefilter_longest_run(const char *lit);
/* True when text contains any literal (case-insensitively). Thread-safe. */
bool prefilter_any(const prefilter *pf, const char *text, size_t len);
/* What separates values in the records searched (for field sequences:
 * all runs stand between two of them or line ends): ',' (the default) or
 * ' ' for IIS W3C logs. Set before any search. */
void prefilter_set_separator(prefilter *pf, char sep);
/* Sets of literals are bit sets of prefilter_words() uint64_t words: bit
 * i % 64 of word i / 64 for literal i (in the order given to
 * prefilter_new). */
size_t prefilter_words(const prefilter *pf);
/* Adds to bits the literals text holds, as prefilter_any() judges them;
 * loose: a field sequence counts by its search run alone, as in a quoted
 * value (for text whose separators are not to be trusted: a record
 * URL-decoded, where "%2C" became ','). Thread-safe. */
void prefilter_bits(const prefilter *pf, const char *text, size_t len,
                    bool loose, uint64_t *bits);
/* The gate: rule k (0 .. rules - 1) needs, for each of its clauses
 * [rule_clauses[k], rule_clauses[k + 1]), one of the entries
 * [clause_lits[j], clause_lits[j + 1]) of clause j: literal ids[e] of the
 * filter, or, where texts (NULL or one per entry) has a string, that
 * literal checked in the record itself (a deferred clause: its literals
 * are common, so searching every buffer for them would cost more than
 * checking the few records that hold the rule's other clauses; a field
 * sequence counts by its longest run). Every rule needs one clause that
 * is not deferred. decode: records with '%' may hold deferred literals
 * only once decoded, so they satisfy deferred clauses. Copied. */
exh_status prefilter_set_gate(prefilter *pf, size_t rules,
                              const size_t *rule_clauses,
                              const size_t *clause_lits, const uint32_t *ids,
                              const char *const *texts, bool decode);
/* Whether a record (text, or NULL when unknown) holding the literals in
 * bits satisfies rule k's clauses (true without a gate or for k out of
 * range). dec: the record percent-decoded as the reader does, or text
 * itself when decoding cannot add a literal (no escape stands for a byte
 * prefilter_escape_matters() names), or NULL: unknown (then decoded here
 * when needed). */
bool prefilter_rule_pass(const prefilter *pf, size_t rule, const uint64_t *bits,
                         const char *text, size_t len, const char *dec,
                         size_t dec_len);
/* Words of a set of the gate's rules (0 without a gate). */
size_t prefilter_rule_words(const prefilter *pf);
/* prefilter_pass() that also fills rules (prefilter_rule_words() words)
 * with every rule whose clauses hold, each judged as prefilter_rule_pass()
 * judges it, so a caller need not judge them again. */
bool prefilter_pass_rules(const prefilter *pf, const uint64_t *bits,
                          const char *text, size_t len, const char *dec,
                          size_t dec_len, uint64_t *rules);
/* Whether bits (and text, as above) satisfy some rule of the gate;
 * without a gate, whether bits hold any literal. */
bool prefilter_pass(const prefilter *pf, const uint64_t *bits, const char *text,
                    size_t len, const char *dec, size_t dec_len);
/* Field clauses, for records whose values stand at known columns (IIS
 * W3C: split at the separator, no quoting): rule k (numbered as in the
 * gate) needs, for each of its clauses [rule_fc[k], rule_fc[k + 1]), one
 * of the literals lits[fc_lit[j] .. fc_lit[j + 1]) of clause j inside the
 * value of field names[j], or where negative[j], that value to be none of
 * them whole (see sigma_field_clauses). Copied. */
exh_status
prefilter_set_field_clauses(prefilter *pf, size_t rules, const size_t *rule_fc,
                            const char *const *names, const bool *negative,
                            const size_t *fc_lit, const char *const *lits);
/* How many field clauses there are, and the field clause j names. */
size_t prefilter_field_clauses(const prefilter *pf);
const char *prefilter_field_name(const prefilter *pf, size_t j);
/* Where the fields stand in the records of one header: cols[j] is the
 * column of field clause j's field (SIZE_MAX: not known, the clause tells
 * nothing); columns the header's count; a row with more values than that
 * has its extra ones joined into column spread (SIZE_MAX: none), so
 * columns from spread on are not known in it. */
typedef struct prefilter_layout {
    const size_t *cols;
    size_t columns;
    size_t spread;
} prefilter_layout;
/* Holds each rule of rules (a set prefilter_pass_rules() filled) to its
 * field clauses as lay locates them in text (the raw record), clearing the
 * rules that fail; whether any is left. rules NULL or lay NULL: true
 * (nothing known to narrow). */
bool prefilter_pass_fields(const prefilter *pf, uint64_t *rules,
                           const char *text, size_t len,
                           const prefilter_layout *lay);
/* Whether percent-decoding an escape into byte c may add a literal to
 * text whose every search-run occurrence is a hit of ids[0..n) (the
 * loose ones of prefilter_hits() kept; ids NULL: not known, any byte of
 * any run or deferred clause). A search run holds no decoded byte that no
 * search run has, so without c in one, the decoded text holds the same
 * runs at the same places: only a found sequence's other runs, a
 * deferred clause, or a new separator can then change the judgement. */
bool prefilter_escape_matters(const prefilter *pf, unsigned char c,
                              const uint32_t *ids, size_t n);
/* Whether decoding text as the reader does (util_url_decode(), twice when
 * the first leaves a '%') makes a byte prefilter_escape_matters() names,
 * with the same ids. */
bool prefilter_decode_matters(const prefilter *pf, const char *text, size_t len,
                              const uint32_t *ids, size_t n);
/* The offset of a byte inside the first literal occurrence in text (the
 * one that ends first), or SIZE_MAX when there is none. Field sequences
 * count only as unquoted values: a record with a '"' must be judged by
 * prefilter_any() instead. Thread-safe. */
size_t prefilter_find(const prefilter *pf, const char *text, size_t len);
/* Like prefilter_find() for every hit: fills hits[] with up to max offsets
 * (ascending; one per hit, its last byte) and returns how many. *upto gets
 * the offset before which every hit is in hits[]: len when the search ran
 * to the end, less when hits[] filled up. ids (NULL or max
 * entries) gets the literal of each hit, one entry per literal (several
 * literals ending at one byte repeat its offset), or PREFILTER_UNKNOWN
 * where the search does not tell (the portable one). With ids, *loose
 * (when not NULL) comes back true when hits[] also holds, as the literal's
 * id | PREFILTER_LOOSE, every place a field sequence's search run stands
 * where the unquoted check failed: a span of text without any hit then
 * holds no literal's search run at all, quoted or not. Thread-safe. */
#define PREFILTER_UNKNOWN UINT32_MAX
#define PREFILTER_LOOSE   0x80000000u
size_t prefilter_hits(const prefilter *pf, const char *text, size_t len,
                      size_t *hits, uint32_t *ids, size_t max, bool *loose,
                      size_t *upto);
/* The bits prefilter_bits(pf, text, len, false, bits) sets, from the hits
 * a prefilter_hits() search (loose hits kept) found over a span that held
 * the whole of text[0..len) at offset base: adds the literals of hits that
 * stand inside text and hold there (field sequences judged as in that
 * record alone, quotes read), without a search of its own. False when an
 * id is unknown: the record must then be searched. */
bool prefilter_bits_of_hits(const prefilter *pf, const char *text, size_t len,
                            const size_t *hits, const uint32_t *ids, size_t n,
                            size_t base, uint64_t *bits);
/* Adds to bits the literals prefilter_bits(pf, text, len, false, bits)
 * finds that hold a byte at one of the offsets marks[0..n) (ascending) or,
 * for field sequences, stand in a value that does: what a percent-decoded
 * record holds beyond the raw one, when the escapes decoded at marks made
 * no separator, quote or line end and the raw record's literals are in bits
 * already. Searches only around the marks. False when it cannot tell
 * (quoted values, no Hyperscan): search the whole text then. */
bool prefilter_bits_near(const prefilter *pf, const char *text, size_t len,
                         const size_t *marks, size_t n, uint64_t *bits);
/* The bounds [*fs, *fe) of the CSV value of text[0..len) that holds pos,
 * quotes read as the CSV reader reads them; false when pos is on a
 * separator or in a quoted value left open. */
bool prefilter_csv_bounds(const char *text, size_t len, size_t pos, size_t *fs,
                          size_t *fe);

/* Reads the FileVersion (and ProductName, when product is not NULL) of the
 * PE version resource in data through libyara's pe module. EXH_OK with
 * both copied (truncated to their sizes), EXH_ERR_UNSUPPORTED when data is
 * not a PE file or has no FileVersion, or the engine's error. Thread-safe. */
exh_status yara_pe_version(const uint8_t *data, size_t len, char *version,
                           size_t version_size, char *product,
                           size_t product_size);

/* ---- readers/hive.c: registry hives ------------------------------------- */
#define HIVE_MAX_KBS 64 /* distinct Exchange update KB numbers kept */
typedef struct hive_facts {
    bool have_build;   /* SOFTWARE: the Exchange Setup key's Msi* values */
    uint16_t build[4]; /* the installed CU's build (SUs do not change it) */
    bool is_system;    /* SYSTEM: a Select\Current control set */
    bool um_disabled;  /* MSExchangeUM and MSExchangeUMCR have Start=4 */
    /* SOFTWARE: Exchange updates installed (Uninstall DisplayName
     * "Security Update for Exchange Server ... (KBnnnnnnn)", Updates\
     * Exchange 20xx\* PackageName): how many, the highest KB number and
     * the name that carried it, and the distinct KB numbers (the first
     * HIVE_MAX_KBS). */
    unsigned updates;
    uint32_t max_kb;
    char max_kb_name[160];
    uint32_t kbs[HIVE_MAX_KBS];
    unsigned kb_count;
} hive_facts;
/* Reads the facts of a hive held whole in data. False when it is not a
 * hive libregf can open (out is then zeroed). Thread-safe. */
bool hive_read(const uint8_t *data, size_t len, hive_facts *out);
/* One service of a SYSTEM hive's current control set (UTF-8, "" when
 * absent; values longer than their field are "" too). */
typedef struct hive_service {
    char name[256];
    char key[320]; /* "ControlSet001\Services\NAME" */
    char image_path[2048];
    char service_dll[2048]; /* Parameters\ServiceDll */
} hive_service;
typedef bool (*hive_service_cb)(void *user, const hive_service *s);
#define HIVE_MAX_SERVICES 8192
/* Calls cb for each service (at most HIVE_MAX_SERVICES) with an ImagePath
 * or ServiceDll under the control set Select\Current names, until cb
 * returns false. False when data is not a hive libregf can open. */
bool hive_services(const uint8_t *data, size_t len, hive_service_cb cb,
                   void *user);

/* ---- build.c: the Exchange build table ---------------------------------- */
typedef struct build_table build_table;
/* Parses "a.b.c" or "a.b.c.d" (decimal, each <= 65535, surrounding blanks
 * allowed) into v (v[3] = 0 for three parts); *parts = 3 or 4. */
bool build_parse_version(const char *s, uint16_t v[4], int *parts);
exh_status build_table_load(build_table **out);
void build_table_free(build_table *t);
size_t build_table_count(const build_table *t);
void build_table_version(const build_table *t, size_t i, char out[32]);
const char *build_table_update(const build_table *t, size_t i);
/* The KB number of row i's update (rules/build_kbs.csv), 0 when none. */
uint32_t build_table_kb(const build_table *t, size_t i);
exh_status build_info_json(const exh_build_info *info, buf *out);
/* The best build number found so far in one unit or target. Ranks: higher
 * is better; a zeroed struct has none. */
enum {
    BUILD_RANK_NONE = 0,
    BUILD_RANK_OWA,         /* an OWA version folder: CU level only */
    BUILD_RANK_LOG,         /* Exchange log headers: the build that wrote
                               the logs, last seen when they end */
    BUILD_RANK_REGISTRY,    /* the SOFTWARE hive's Setup key: CU level */
    BUILD_RANK_EXSETUP,     /* ExSetup.exe's version resource */
    BUILD_RANK_EXSETUP_BIN, /* the same, of the copy in a Bin folder */
};
typedef struct build_cand {
    int rank;
    uint16_t v[4];
    int parts;            /* 3 (CU level) or 4 */
    char *source;         /* a sentence: where it was found; owned */
    char *path;           /* source.path of the file it came from; owned */
    char *windows_path;   /* its Windows path, or NULL; owned */
    unsigned mitigations; /* MITIGATION_* found in the unit */
    int64_t seen_ms;      /* BUILD_RANK_LOG: when the logs last showed it */
} build_cand;
/* Keeps v when it outranks c's candidate (same rank: the higher version).
 * EXH_ERR_NOMEM leaves c as it was. */
exh_status build_cand_offer(build_cand *c, int rank, const uint16_t v[4],
                            int parts, const char *source, const char *path,
                            const char *windows_path);
void build_cand_free(build_cand *c);
/* The candidate's version as text ("15.1.2176.9" or "15.1.2176"). */
void build_cand_version(const build_cand *c, char *out, size_t size);
/* The build of an ExSetup.exe read whole into data, or false (not a PE,
 * no FileVersion, not Exchange). */
bool build_exsetup_version(const uint8_t *data, size_t len, uint16_t v[4]);
/* Offers the build of an ExSetup.exe read whole (path inside the target,
 * display its source.path, windows_path may be NULL); nothing when it has
 * none. */
exh_status build_offer_exsetup(build_cand *c, const uint8_t *data, size_t len,
                               const char *path, const char *display,
                               const char *windows_path);
/* Offers the OWA version folder of path, if it has one. */
exh_status build_offer_owa(build_cand *c, const char *path, const char *display,
                           const char *windows_path);
/* Mitigations found in evidence (bits of build_cand.mitigations). */
enum {
    MITIGATION_REWRITE_PROXYLOGON = 1u << 0,    /* EOMT: X-BEResource /
                                                   X-AnonResource-Backend abort */
    MITIGATION_REWRITE_PROXYNOTSHELL = 1u << 1, /* EOMTv2/EEMS: autodiscover
                                                   + powershell abort */
    MITIGATION_UM_DISABLED = 1u << 2,           /* MSExchangeUM(CR) Start=4 */
    MITIGATION_ECP_POOL_OFF = 1u << 3, /* MSExchangeECPAppPool autoStart
                                          false */
    MITIGATION_OAB_POOL_OFF = 1u << 4, /* MSExchangeOABAppPool autoStart
                                          false */
    MITIGATION__COUNT = 5
};
/* The mitigations an IIS configuration file (web.config,
 * applicationHost.config: base is its name) holds: URL Rewrite rules that
 * abort the exploit requests, application pools that do not start. 0 for
 * any other file. Bounded by len; data need not be NUL-terminated. */
unsigned build_sniff_config(const char *base, const uint8_t *data, size_t len);
/* A sentence naming mitigation bit i, and the CVEs it covers. */
const char *build_mitigation_text(unsigned i);
const char *const *build_mitigation_cves(unsigned i, size_t *count);

/* True when base is the name of a hive exhunt reads (SOFTWARE, SYSTEM). */
bool build_is_hive_name(const char *base);
/* Reads a hive entry whole from in (at most BUILD_HIVE_MAX_BYTES) and
 * offers what it holds: the SOFTWARE hive's build (CU level), the SYSTEM
 * hive's UM services mitigation. EXH_ERR_NOMEM only; a hive that cannot be
 * read is nothing. */
#define BUILD_HIVE_MAX_BYTES ((uint64_t)1 << 30)
exh_status build_offer_hive(build_cand *c, stream *in, uint64_t size,
                            const char *display, const char *windows_path);
/* The same for a hive already in memory. */
exh_status build_offer_hive_mem(build_cand *c, const uint8_t *data, size_t len,
                                const char *display, const char *windows_path);

/* The Exchange build an Exchange log's header names: "#Software:
 * Microsoft Exchange..." with "#Version: 15.01.2176.002" among the '#'
 * lines at the start of head (UTF-8 BOM allowed). False for other
 * software (IIS) and for the format versions some logs write instead of
 * a build ("15.0.0.0": a build part of 0). *date_ms (may be NULL) gets the
 * header's "#Date:", or INT64_MIN. Bounded by len. */
bool build_sniff_log_header(const char *head, size_t len, uint16_t v[4],
                            int64_t *date_ms);
/* The build of one record's MajorVersion, MinorVersion, BuildVersion and
 * RevisionVersion values (HttpProxy, RPS, EWS rows): decimal, a build
 * part above 0, of Exchange 2010 SP3 (14.3) or 2013 to SE (15.0-15.2). */
bool build_parse_row_fields(const char *const part[4], const size_t len[4],
                            uint16_t v[4]);

/* The build an ECP Server or Activity row names in its EventData
 * ("S:BLD=15.1.2375.7;", Activity's "S:Bld=": any case), found in the raw
 * record text (len bytes): four
 * decimal parts of a covered product, as build_parse_row_fields() takes.
 * False when the row has none, when one is malformed, or when two
 * disagree (a value forged into an attacker's parameter is never taken
 * for the build). */
bool build_parse_ecp_bld(const char *text, size_t len, uint16_t v[4]);

/* True when base (a file name) is "ExSetup.exe", any case. */
bool build_is_exsetup(const char *base);

/* True when path has an OWA version folder ("owa/15.1.2176/" or
 * "owa/auth/15.1.2176/", any case); v gets its three parts. */
bool build_sniff_owa_path(const char *path, uint16_t v[4]);

/* ---- probe.c: parsing of server answers (fuzzed) ------------------------ */
/* A 4-part Exchange build in a header value (X-OWA-Version). */
bool probe_parse_version_header(const char *value, size_t len, char *out,
                                size_t size);
/* The version of <assemblyIdentity> in the ECP export tool manifest. */
bool probe_parse_exporttool(const char *body, size_t len, char *out,
                            size_t size);
/* A 3-part build in "/owa/auth/15.1.2176/" or "/owa/15.1.2176/". */
bool probe_parse_owa_path(const char *body, size_t len, char *out, size_t size);
/* The value of a header in a raw header block (case-insensitive name). */
const char *probe_header(const char *headers, size_t len, const char *name,
                         size_t *value_len);

/* ---- rules_builtin.c (generated at build time from rules/) --------------- */
typedef struct builtin_rule_file {
    const char *path; /* "exchange/proxylogon_ssrf.yml", relative to rules/ */
    const char *text;
    size_t len;
} builtin_rule_file;
extern const builtin_rule_file builtin_rule_files[];
extern const size_t builtin_rule_file_count;

#endif /* EXH_INTERNAL_H */
