/* SPDX-License-Identifier: Apache-2.0 */
/*
 * archive.c - the collection backend: .zip, .tar, .tar.gz (also bzip2 and
 * xz) read in place through libarchive; nothing is extracted to disk.
 *
 * Members are delivered in archive order, regular files only, with inner
 * paths normalised ('\' to '/', no leading "./" or "/"); a member whose
 * path climbs out with ".." is refused. entry.path is the normalised path,
 * %XX-decoded under a Velociraptor uploads/ folder only (as in dir.c), and
 * decoding never adds or climbs components; display_path is
 * "ARCHIVE!/inner/path", undecoded.
 * libarchive converts names to the locale's charset, so names are read
 * under a thread-local UTF-8 locale and the caller's locale is restored
 * before every callback. A first pass over the headers (data skipped)
 * tells whether the archive holds a volume's root (Windows/System32 or
 * Program Files at its top: on_volume) and reads the KAPE copy logs,
 * before any file is delivered, so the archive is read twice: fd must be
 * a regular file (archive_walk_fd). A zip member whose data breaks
 * libarchive's reader hides none of the members after it: the zip is
 * opened again past it (archive_resume()).
 * A stream that cannot seek (stdin, a pipe, a compressed file) is read in
 * one pass instead, a zip by its local headers, with libarchive's raw
 * format besides: gzip, bzip2 or xz data holding no tar is one file, the
 * data it holds (archive_walk_stream, archive_unpack_open). It has no
 * first pass (no volume is detected; a copy log counts only for the files
 * stored after it) and no reopen (a damaged member ends the walk).
 * docs/internals/archives.md says more.
 */
#include "sources.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* libarchive is loaded on first use (lazylib.h): archive_walk_fd() loads
 * it. */
#define LAZY_ARCHIVE 1
#include "lazylib.h"

#define AR_BLOCK        (64 * 1024) /* libarchive read block; prefetch */
#define AR_MAX_FAILURES 64          /* consecutive bad headers, then stop */
#define AR_MAX_REOPENS  64          /* damaged zip members passed, then stop */

static const char archive_open_err[] =
    "not a readable archive (corrupt, truncated, or not a zip or tar file)";

typedef struct archive_walker {
    struct archive *a;
    int fd;      /* the archive, when it is read from a file (src NULL) */
    stream *src; /* else the stream it is read from, one pass, after: */
    char *head;  /* a copy of its first bytes, already read from src */
    size_t head_len;
    bool head_given;     /* head handed to libarchive */
    bool raw_ok;         /* data that is no archive (format raw) is one file */
    bool raw_only;       /* no archive formats: only compressed data */
    const entry *as_one; /* the file that raw data is delivered as */
    char *rbuf;          /* read buffer of src, AR_BLOCK bytes */
    const char *src_error; /* the last failed read of src, or NULL */
    const char *display;   /* the archive's display path */
    const char *prefix;    /* put before entry paths: "" or "CHILD/" */
    const source_opts *opts;
    const source_cbs *cbs;
    collection_logs logs;
    locale_t utf8; /* for name conversion, or (locale_t)0 */
    stream s;      /* the current member's content */
    char *pre;     /* prefetched start of an encrypted member */
    size_t pre_len;
    size_t pre_off;
    bool member_failed;  /* a read of the current member failed */
    bool fatal;          /* libarchive cannot go on with the archive */
    unsigned long index; /* header reads since the archive was opened */
    unsigned reopens;    /* reopens of this pass (archive_resume) */
    bool stopped;        /* on_entry returned false */
    bool volume;         /* its root is a Windows volume's (prepass) */
    exh_status st;       /* EXH_ERR_NOMEM when memory ran out */
    char msg[512];       /* text of the last failure */
} archive_walker;

static locale_t archive_enter(const archive_walker *w)
{
    return w->utf8 ? uselocale(w->utf8) : (locale_t)0;
}

static void archive_leave(const archive_walker *w, locale_t old)
{
    if (w->utf8)
        uselocale(old);
}

/* Copies libarchive's message for the last failure into w->msg. */
static void archive_note(archive_walker *w, const char *what)
{
    const char *text = w->src_error ? w->src_error : archive_error_string(w->a);

    snprintf(w->msg, sizeof(w->msg), "%s%s", what,
             text ? text : "unknown archive error");
}

static ssize_t archive_stream_read(stream *s, void *dst, size_t len)
{
    archive_walker *w = s->ctx;
    la_ssize_t n;

    if (w->pre_off < w->pre_len) {
        size_t k = w->pre_len - w->pre_off;
        if (k > len)
            k = len;
        memcpy(dst, w->pre + w->pre_off, k);
        w->pre_off += k;
        return (ssize_t)k;
    }
    if (w->member_failed || w->fatal) {
        errno = EIO;
        return -1;
    }
    n = archive_read_data(w->a, dst, len);
    if (n >= 0)
        return (ssize_t)n;
    archive_note(w, "");
    s->error = w->msg;
    w->member_failed = true;
    if (n == ARCHIVE_FATAL)
        w->fatal = true;
    errno = EIO;
    return -1;
}

/* libarchive's read callback over w->src: the head, then src's data. */
static la_ssize_t archive_src_read(struct archive *a, void *user,
                                   const void **out)
{
    archive_walker *w = user;
    ssize_t n;

    (void)a;
    if (!w->head_given) {
        w->head_given = true;
        if (w->head_len) {
            *out = w->head;
            return (la_ssize_t)w->head_len;
        }
    }
    n = w->src->read(w->src, w->rbuf, AR_BLOCK);
    if (n < 0) {
        w->src_error = w->src->error ? w->src->error : "read error";
        return ARCHIVE_FATAL;
    }
    *out = w->rbuf;
    return (la_ssize_t)n;
}

/* Opens a libarchive reader on w->fd from its start, or on w->src (once
 * only: a stream cannot be read again); NULL on failure (w->st is set to
 * EXH_ERR_NOMEM when memory ran out). */
static struct archive *archive_open(archive_walker *w)
{
    struct archive *a = archive_read_new();
    locale_t old;
    int r;

    if (!a) {
        w->st = EXH_ERR_NOMEM;
        return NULL;
    }
    if (!w->raw_only) {
        archive_read_support_format_zip(a);
        archive_read_support_format_tar(a);
    }
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    // Bids only when no other format does: compressed data, no archive.
    if (w->raw_ok)
        archive_read_support_format_raw(a);
    if (w->opts->password &&
        archive_read_add_passphrase(a, w->opts->password) != ARCHIVE_OK) {
        archive_read_free(a);
        w->st = EXH_ERR_NOMEM;
        return NULL;
    }
    if (!w->src && lseek(w->fd, 0, SEEK_SET) < 0) {
        archive_read_free(a);
        return NULL;
    }
    old = archive_enter(w);
    if (w->src)
        r = archive_read_open(a, w, NULL, archive_src_read, NULL);
    else
        r = archive_read_open_fd(a, w->fd, AR_BLOCK);
    archive_leave(w, old);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        archive_read_free(a);
        return NULL;
    }
    w->index = 0;
    w->fatal = false;
    return a;
}

/*
 * The normalised inner path of raw: '\' becomes '/', empty and "."
 * components go. Sets *refused (and returns NULL) for a ".." component;
 * returns NULL without *refused when out of memory. "" for no name.
 */
static char *archive_norm(const char *raw, bool *refused)
{
    size_t len = strlen(raw), n = 0;
    char *out = exh_malloc(len + 1);

    *refused = false;
    if (!out)
        return NULL;
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && raw[j] != '/' && raw[j] != '\\')
            j++;
        size_t clen = j - i;
        if (clen == 2 && raw[i] == '.' && raw[i + 1] == '.') {
            exh_free(out);
            *refused = true;
            return NULL;
        }
        if (clen > 0 && !(clen == 1 && raw[i] == '.')) {
            if (n > 0)
                out[n++] = '/';
            memcpy(out + n, raw + i, clen);
            n += clen;
        }
        i = j + 1;
    }
    out[n] = '\0';
    return out;
}

/* a followed by b as a new string; NULL when out of memory. */
static char *archive_concat(const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b), total;
    char *out;

    if (__builtin_add_overflow(alen, blen, &total) ||
        __builtin_add_overflow(total, 1, &total))
        return NULL;
    out = exh_malloc(total);
    if (!out)
        return NULL;
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen + 1);
    return out;
}

/* The entry path of the normalised inner path norm: %XX-decoded when it
 * lies in a Velociraptor collection (uploads/ or HOST/uploads/), else a
 * copy. NULL when out of memory. */
static char *archive_decoded(const char *norm)
{
    return collection_is_velociraptor_path(norm) ? collection_url_decode(norm)
                                                 : exh_strdup(norm);
}

/* "ARCHIVE!/inner"; NULL when out of memory. */
static char *archive_display(const archive_walker *w, const char *inner)
{
    size_t dlen = strlen(w->display), ilen = strlen(inner), total;
    char *out;

    if (__builtin_add_overflow(dlen, ilen, &total) ||
        __builtin_add_overflow(total, 3, &total))
        return NULL;
    out = exh_malloc(total);
    if (!out)
        return NULL;
    memcpy(out, w->display, dlen);
    memcpy(out + dlen, "!/", 2);
    memcpy(out + dlen + 2, inner, ilen + 1);
    return out;
}

/* Reads the next header and a copy of its name (NULL when it has none).
 * Returns libarchive's status. */
static int archive_next(archive_walker *w, struct archive_entry **e,
                        char **name)
{
    locale_t old = archive_enter(w);
    int r = archive_read_next_header(w->a, e);
    const char *n = NULL;

    *name = NULL;
    if (r != ARCHIVE_EOF && r != ARCHIVE_FATAL)
        w->index++;
    if (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
        n = archive_entry_pathname(*e);
        if (!n)
            n = archive_entry_pathname_utf8(*e);
    }
    archive_leave(w, old);
    if (n) {
        *name = exh_strdup(n);
        if (!*name)
            w->st = EXH_ERR_NOMEM;
    }
    return r;
}

/*
 * After a member whose data stopped libarchive's reader for good
 * (w->fatal: a broken deflate stream, a member cut short), reopens a zip
 * and reads again as many headers as had been read, data skipped, so the
 * next header read is that of the member after the damaged one. The
 * central directory of a zip says where each member starts, so one
 * damaged member need not hide the rest; the headers are read again
 * from the start, since libarchive cannot seek to a member. A tar (and
 * any compressed stream) has no such index: there the rest is lost.
 * Returns false, the reason in w->msg, when the archive is read from a
 * stream (it cannot be read again; w->msg keeps the member's failure) or
 * is no zip, when this pass reopened it AR_MAX_REOPENS times already, or
 * when the headers cannot be read again (the damage is in them, the file
 * is cut short); w->a is then NULL or unusable and the pass must end.
 */
static bool archive_resume(archive_walker *w)
{
    unsigned long skip = w->index;
    bool zip =
        (archive_format(w->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;

    if (w->src || !zip)
        return false;
    if (w->reopens >= AR_MAX_REOPENS) {
        snprintf(w->msg, sizeof(w->msg), "more than %d damaged members",
                 AR_MAX_REOPENS);
        return false;
    }
    w->reopens++;
    archive_read_free(w->a);
    w->a = archive_open(w);
    if (!w->a) {
        snprintf(w->msg, sizeof(w->msg), "it cannot be opened again");
        return false;
    }
    while (w->index < skip) {
        struct archive_entry *e;
        locale_t old = archive_enter(w);
        int r = archive_read_next_header(w->a, &e);
        archive_leave(w, old);
        if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL) {
            archive_note(w, "");
            w->fatal = true;
            return false;
        }
        w->index++;
    }
    w->member_failed = false;
    return true;
}

/* Number of '/' in s: 0 for a member at the root. */
static size_t archive_depth(const char *s)
{
    size_t d = 0;

    for (; *s; s++)
        d += *s == '/';
    return d;
}

/* Parses the member just read as a copy log when its name says it is one
 * and it sits at the root or in a direct child folder. decoded is the
 * decoded inner path. Returns true when it was parsed (stream used). */
static bool archive_copylog(archive_walker *w, const char *decoded)
{
    const char *slash = strrchr(decoded, '/');
    const char *base = slash ? slash + 1 : decoded;
    size_t plen = slash ? (size_t)(slash - decoded) + 1 : 0;
    copylog *log;
    char *prefix;

    if (archive_depth(decoded) > 1 || !collection_is_copylog_name(base))
        return false;
    w->member_failed = false;
    w->pre_len = w->pre_off = 0;
    w->s.error = NULL;
    log = copylog_parse(&w->s);
    if (!log)
        return true;
    prefix = exh_strndup(decoded, plen);
    if (!prefix) {
        copylog_free(log);
        w->st = EXH_ERR_NOMEM;
        return true;
    }
    if (collection_logs_add(&w->logs, prefix, log) != EXH_OK)
        w->st = EXH_ERR_NOMEM;
    exh_free(prefix);
    return true;
}

/* True when the normalised inner path norm shows a Windows volume's root
 * at the archive's root: it starts with "Program Files" or
 * "Windows/System32" (any case), as is_volume_dir() in scanner.c judges a
 * folder. */
static bool archive_volume_mark(const char *norm)
{
    const char *slash = strchr(norm, '/');
    size_t len = slash ? (size_t)(slash - norm) : strlen(norm);

    if (util_ieq(norm, len, "Program Files", 13))
        return true;
    if (!slash || !util_ieq(norm, len, "Windows", 7))
        return false;
    norm = slash + 1;
    slash = strchr(norm, '/');
    len = slash ? (size_t)(slash - norm) : strlen(norm);
    return util_ieq(norm, len, "System32", 8);
}

/*
 * The first pass, over every header with the data skipped (a zip's and a
 * plain tar's by seeking; a compressed tar's is decompressed): finds
 * whether the archive's root is a volume's (w->volume) and reads the KAPE
 * copy logs (bounded: copylog_parse() caps rows and fields), so both are
 * known before any file is delivered, in whatever order the members are
 * stored. Silent: the main pass reports what is wrong.
 */
static void archive_prepass(archive_walker *w)
{
    struct archive_entry *e;
    unsigned failures = 0;
    char *name;

    w->a = archive_open(w);
    if (!w->a) {
        if (w->st == EXH_OK)
            w->st = EXH_ERR_IO;
        return;
    }
    w->reopens = 0;
    while (w->st == EXH_OK) {
        if (w->fatal && !archive_resume(w))
            break;
        int r = archive_next(w, &e, &name);
        if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL)
            break;
        if (r < ARCHIVE_WARN) {
            if (++failures > AR_MAX_FAILURES)
                break;
            continue;
        }
        failures = 0;
        bool refused;
        char *norm = name ? archive_norm(name, &refused) : NULL;
        if (name && !norm && !refused)
            w->st = EXH_ERR_NOMEM;
        if (norm && archive_volume_mark(norm))
            w->volume = true;
        // An encrypted copy log is read with the password; without one,
        // or with a wrong one, it gives nothing (the main pass says why).
        if (norm && archive_entry_filetype(e) == AE_IFREG &&
            (w->opts->password || !archive_entry_is_data_encrypted(e))) {
            char *dec = archive_decoded(norm);
            if (dec)
                (void)archive_copylog(w, dec);
            else
                w->st = EXH_ERR_NOMEM;
            exh_free(dec);
        }
        exh_free(norm);
        exh_free(name);
    }
    if (w->a)
        archive_read_free(w->a);
    w->a = NULL;
    w->fatal = false;
}

/* Reads the first block of an encrypted member, so a missing or wrong
 * password is known before the member is delivered. Returns NULL when it
 * can be read, else why not (static, or w->msg). */
static const char *archive_prefetch(archive_walker *w)
{
    la_ssize_t n;

    if (!w->opts->password)
        return "member is encrypted; give the password with --password";
    if (!w->pre) {
        w->pre = exh_malloc(AR_BLOCK);
        if (!w->pre) {
            w->st = EXH_ERR_NOMEM;
            return "out of memory";
        }
    }
    n = archive_read_data(w->a, w->pre, AR_BLOCK);
    if (n < 0) {
        if (n == ARCHIVE_FATAL)
            w->fatal = true;
        archive_note(w, "member is encrypted and cannot be decrypted; "
                        "is --password wrong? ");
        return w->msg;
    }
    w->pre_len = (size_t)n;
    return NULL;
}

/* Fills the times of e from the member ae. */
static void archive_times(archive_walker *w, struct archive_entry *ae, entry *e)
{
    bool zip =
        (archive_format(w->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;

    e->modified_ms =
        archive_entry_mtime_is_set(ae)
            ? source_ms(archive_entry_mtime(ae), archive_entry_mtime_nsec(ae))
            : INT64_MIN;
    e->created_ms = archive_entry_birthtime_is_set(ae)
                        ? source_ms(archive_entry_birthtime(ae),
                                    archive_entry_birthtime_nsec(ae))
                        : INT64_MIN;
    if (!zip)
        e->time_source = "posix";
    else if (archive_entry_birthtime_is_set(ae))
        e->time_source = "zip-ntfs-extra";
    else
        e->time_source = "zip-dos-local";
}

/* Delivers one regular member whose raw name is name. */
static void archive_member(archive_walker *w, struct archive_entry *ae,
                           const char *name)
{
    bool refused;
    char *norm = archive_norm(name, &refused);
    char *disp = NULL, *dec = NULL, *path = NULL;
    entry e;

    if (!norm) {
        if (!refused) {
            w->st = EXH_ERR_NOMEM;
            return;
        }
        disp = archive_display(w, name);
        if (disp)
            w->cbs->on_error(w->cbs->user, disp,
                             "path leaves the archive; not read");
        goto out;
    }
    if (!*norm)
        goto out;
    disp = archive_display(w, norm);
    dec = archive_decoded(norm);
    path = dec ? archive_concat(w->prefix, dec) : NULL;
    if (!disp || !path) {
        w->st = EXH_ERR_NOMEM;
        goto out;
    }
    memset(&e, 0, sizeof(e));
    e.path = path;
    e.display_path = disp;
    e.size =
        archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;
    archive_times(w, ae, &e);
    e.in = &w->s;
    w->member_failed = false;
    w->pre_len = w->pre_off = 0;
    w->s.error = NULL;
    if (w->src && (w->opts->password || !archive_entry_is_data_encrypted(ae)) &&
        archive_copylog(w, dec)) {
        // A stream is read once, with no first pass: the copy log was
        // consumed here, so it is listed, and counts for the files after
        // it only.
        e.in = NULL;
    } else if (archive_entry_is_data_encrypted(ae)) {
        // A member that cannot be decrypted is still a file of the
        // collection: delivered without content, with the reason.
        e.not_read = archive_prefetch(w);
        if (w->st != EXH_OK)
            goto out;
        if (e.not_read)
            e.in = NULL;
    }
    if (w->logs.count &&
        collection_logs_lookup(&w->logs, dec, &e.created_ms, &e.modified_ms))
        e.time_source = "kape-copylog";
    if (!w->cbs->on_entry(w->cbs->user, &e))
        w->stopped = true;
out:
    exh_free(norm);
    exh_free(disp);
    exh_free(dec);
    exh_free(path);
}

/* Delivers the data of compressed data that holds no archive as the one
 * file w->as_one describes. */
static void archive_one(archive_walker *w)
{
    entry e = *w->as_one;

    e.in = &w->s;
    w->member_failed = false;
    w->pre_len = w->pre_off = 0;
    w->s.error = NULL;
    if (!w->cbs->on_entry(w->cbs->user, &e))
        w->stopped = true;
}

/* The main pass: delivers every regular member. */
static void archive_deliver(archive_walker *w)
{
    struct archive_entry *ae;
    unsigned failures = 0;
    char *name;

    while (w->st == EXH_OK && !w->stopped) {
        int r = archive_next(w, &ae, &name);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_FATAL) {
            archive_note(w, "the archive is damaged; the rest is not "
                            "read: ");
            w->cbs->on_error(w->cbs->user, w->display, w->msg);
            break;
        }
        if (r < ARCHIVE_WARN) {
            archive_note(w, "a member cannot be read: ");
            w->cbs->on_error(w->cbs->user, w->display, w->msg);
            if (++failures > AR_MAX_FAILURES)
                break;
            continue;
        }
        failures = 0;
        if (w->raw_ok && (archive_format(w->a) & ARCHIVE_FORMAT_BASE_MASK) ==
                             ARCHIVE_FORMAT_RAW) {
            exh_free(name);
            archive_one(w);
            break;
        }
        if (!name) {
            if (w->st == EXH_OK)
                w->cbs->on_error(w->cbs->user, w->display,
                                 "a member's name cannot be read; "
                                 "not read");
            continue;
        }
        // Regular files only; a tar hard link repeats an earlier member.
        if (archive_entry_filetype(ae) == AE_IFREG &&
            !(archive_entry_hardlink(ae) && archive_entry_size(ae) == 0))
            archive_member(w, ae, name);
        exh_free(name);
        // The member's reader has said why it failed; the next ones may
        // still be read, in a zip read from a file (not from a stream).
        if (w->fatal && !w->stopped && w->st == EXH_OK && !archive_resume(w)) {
            char note[600];
            snprintf(note, sizeof(note),
                     "the archive is damaged; the rest is not read: %s",
                     w->msg);
            w->cbs->on_error(w->cbs->user, w->display, note);
            break;
        }
    }
}

/* A thread-local UTF-8 locale for libarchive's name conversion. */
static locale_t archive_utf8_locale(void)
{
    static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        locale_t l = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
        if (l)
            return l;
    }
    return (locale_t)0;
}

/* Reads the archive w is set up for (fd or src) and delivers its files:
 * from a file, after the first pass (archive_prepass); from a stream, in
 * its one pass. */
static exh_status archive_walk(archive_walker *w, bool *stopped,
                               const char **err)
{
    const char *why = lazy_archive_load();
    if (why) {
        if (err)
            *err = why;
        return EXH_ERR_IO;
    }
    w->s.read = archive_stream_read;
    w->s.ctx = w;
    w->utf8 = archive_utf8_locale();
    if (!w->src) {
        archive_prepass(w);
        if (w->st == EXH_OK && w->volume && w->cbs->on_volume)
            w->cbs->on_volume(w->cbs->user, w->prefix);
    }
    if (w->st == EXH_OK) {
        w->a = archive_open(w);
        if (!w->a && w->st == EXH_OK)
            w->st = EXH_ERR_IO;
    }
    w->reopens = 0;
    if (w->a)
        archive_deliver(w);
    if (w->a)
        archive_read_free(w->a);
    collection_logs_free(&w->logs);
    exh_free(w->pre);
    if (w->utf8)
        freelocale(w->utf8);
    if (stopped)
        *stopped = w->stopped;
    if (w->st == EXH_ERR_IO && err)
        *err = w->src_error ? w->src_error : archive_open_err;
    else if (w->st == EXH_ERR_NOMEM && err)
        *err = "out of memory";
    return w->st;
}

exh_status archive_walk_fd(int fd, const char *display, const char *prefix,
                           const source_opts *opts, const source_cbs *cbs,
                           bool *stopped, const char **err)
{
    archive_walker w;

    memset(&w, 0, sizeof(w));
    w.fd = fd;
    w.display = display;
    w.prefix = prefix;
    w.opts = opts;
    w.cbs = cbs;
    return archive_walk(&w, stopped, err);
}

exh_status archive_walk_stream(stream *src, const void *head, size_t head_len,
                               const entry *as_one, const source_opts *opts,
                               const source_cbs *cbs, bool *stopped,
                               const char **err)
{
    archive_walker w;
    exh_status st;

    memset(&w, 0, sizeof(w));
    w.fd = -1;
    w.src = src;
    w.display = as_one->display_path;
    w.prefix = "";
    w.raw_ok = true;
    w.as_one = as_one;
    w.opts = opts;
    w.cbs = cbs;
    w.rbuf = exh_malloc(AR_BLOCK);
    w.head = exh_malloc(head_len ? head_len : 1);
    if (!w.rbuf || !w.head) {
        exh_free(w.rbuf);
        exh_free(w.head);
        if (err)
            *err = "out of memory";
        return EXH_ERR_NOMEM;
    }
    memcpy(w.head, head, head_len);
    w.head_len = head_len;
    st = archive_walk(&w, stopped, err);
    if (st == EXH_ERR_IO && err && *err == archive_open_err)
        *err = "not readable: corrupt or truncated compressed data, or a "
               "damaged zip or tar archive";
    exh_free(w.rbuf);
    exh_free(w.head);
    return st;
}

struct archive_unpack {
    archive_walker w;
    source_opts opts; /* none: no password */
};

void archive_unpack_free(archive_unpack *u)
{
    if (!u)
        return;
    if (u->w.a)
        archive_read_free(u->w.a);
    exh_free(u->w.rbuf);
    exh_free(u->w.head);
    exh_free(u);
}

stream *archive_unpack_open(archive_unpack **out, stream *src, const void *head,
                            size_t head_len, const char **err)
{
    static const char no_mem[] = "out of memory";
    struct archive_entry *ae;
    archive_unpack *u;
    const char *why;
    int r;

    *out = NULL;
    *err = NULL;
    if ((why = lazy_archive_load()) != NULL) {
        *err = why;
        return NULL;
    }
    u = exh_calloc(1, sizeof(*u));
    if (!u) {
        *err = no_mem;
        return NULL;
    }
    *out = u;
    u->w.fd = -1;
    u->w.src = src;
    u->w.raw_ok = true;
    u->w.raw_only = true;
    u->w.opts = &u->opts;
    u->w.s.read = archive_stream_read;
    u->w.s.ctx = &u->w;
    u->w.rbuf = exh_malloc(AR_BLOCK);
    u->w.head = exh_malloc(head_len ? head_len : 1);
    if (!u->w.rbuf || !u->w.head) {
        *err = no_mem;
        return NULL;
    }
    memcpy(u->w.head, head, head_len);
    u->w.head_len = head_len;
    u->w.a = archive_open(&u->w);
    if (!u->w.a) {
        *err = u->w.st == EXH_ERR_NOMEM ? no_mem
               : u->w.src_error         ? u->w.src_error
                                        : "corrupt or truncated data";
        return NULL;
    }
    r = archive_read_next_header(u->w.a, &ae);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        archive_note(&u->w, "cannot be decompressed: ");
        *err = u->w.msg;
        return NULL;
    }
    return &u->w.s;
}
