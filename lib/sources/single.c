/* SPDX-License-Identifier: Apache-2.0 */
/*
 * single.c - the one-entry backends: a single file given as target, a FIFO
 * given as target (a shell's process substitution, a named pipe) and stdin
 * ("-"). The entry's path is "" because the target is itself the file; its
 * display path is the target as given ("-" for stdin). A regular file is
 * opened only when the consumer first reads it, after a look at its first
 * bytes. What the first bytes show to be compressed (gzip, bzip2, xz) is
 * read as what it holds: an archive's files (a .tar.gz), else the one file
 * it holds. stdin and FIFOs, read once, are also read as an archive when
 * they hold a zip or a tar (archive.c, archive_walk_stream).
 */
#include "sources.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes read to tell what a stream holds: a tar's magic ends at 262. */
#define SINGLE_HEAD 512

/* A stream over fd that first hands out the bytes already read from it. */
typedef struct head_stream {
    stream s;
    const char *head; /* borrowed */
    size_t len, off;
    int fd;
    char msg[160]; /* text of s.error */
} head_stream;

static ssize_t head_read(stream *s, void *dst, size_t len)
{
    head_stream *h = s->ctx;

    if (h->off < h->len) {
        size_t k = h->len - h->off < len ? h->len - h->off : len;
        memcpy(dst, h->head + h->off, k);
        h->off += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t n = read(h->fd, dst, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        int e = errno;
        const char *text = strerror_r(e, h->msg, sizeof(h->msg));
        if (text != h->msg)
            snprintf(h->msg, sizeof(h->msg), "%s", text);
        s->error = h->msg;
        errno = e;
        return -1;
    }
}

static void head_stream_init(head_stream *h, int fd, const char *head,
                             size_t len)
{
    memset(h, 0, sizeof(*h));
    h->s.read = head_read;
    h->s.ctx = h;
    h->fd = fd;
    h->head = head;
    h->len = len;
}

/* Reads up to cap bytes of fd into dst, fewer only at the end of its data.
 * The count, or -1 (errno set) when nothing could be read. */
static ssize_t single_fill(int fd, char *dst, size_t cap)
{
    size_t got = 0;

    while (got < cap) {
        ssize_t n = read(fd, dst + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return got ? (ssize_t)got : -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Delivers what fd holds from its current offset (stdin, a FIFO): the
 * entry as_one over it, or what its archive or compressed data holds. */
static exh_status single_walk_fd(int fd, entry *as_one, const source_opts *opts,
                                 const source_cbs *cbs, const char **err)
{
    char head[SINGLE_HEAD];
    ssize_t n = single_fill(fd, head, sizeof(head));
    head_stream hs;

    if (n > 0 && source_packed_kind(head, (size_t)n)) {
        head_stream_init(&hs, fd, NULL, 0);
        return archive_walk_stream(&hs.s, head, (size_t)n, as_one, opts, cbs,
                                   NULL, err);
    }
    // A failed first read fails again for the consumer, who reports it.
    head_stream_init(&hs, fd, head, n > 0 ? (size_t)n : 0);
    as_one->in = &hs.s;
    (void)cbs->on_entry(cbs->user, as_one);
    return EXH_OK;
}

/* Birth time of path in ms, INT64_MIN when the file system has none. */
static int64_t single_birth_ms(const char *path)
{
    struct statx stx;

    if (statx(AT_FDCWD, path, AT_STATX_SYNC_AS_STAT, STATX_BTIME, &stx) != 0)
        return INT64_MIN;
    if (!(stx.stx_mask & STATX_BTIME))
        return INT64_MIN;
    return source_ms(stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec);
}

/* Delivers a regular file whose first bytes show compressed data, open on
 * fd at its start, as what it holds. */
static exh_status single_walk_compressed(int fd, entry *as_one,
                                         const source_opts *opts,
                                         const source_cbs *cbs,
                                         const char **err)
{
    char head[SINGLE_HEAD];
    ssize_t n = single_fill(fd, head, sizeof(head));
    head_stream hs;

    if (n < 0)
        n = 0;
    head_stream_init(&hs, fd, NULL, 0);
    // The size and the path to open again are the compressed file's.
    as_one->size = 0;
    as_one->open_path = NULL;
    return archive_walk_stream(&hs.s, head, (size_t)n, as_one, opts, cbs, NULL,
                               err);
}

exh_status single_walk_file(const char *target, const struct stat *st,
                            const source_opts *opts, const source_cbs *cbs,
                            const char **err)
{
    bool regular = S_ISREG(st->st_mode);
    struct stat lst;
    char *real = NULL;
    char magic[8];
    source_file f;
    exh_status status = EXH_OK;
    entry e;
    int fd;

    memset(&e, 0, sizeof(e));
    e.path = "";
    e.display_path = target;
    e.modified_ms = INT64_MIN;
    e.created_ms = INT64_MIN;
    if (!regular) {
        // A FIFO: the open waits for its writer, as a read of stdin does.
        fd = source_openat(AT_FDCWD, target, 0);
        if (fd < 0) {
            if (err)
                *err = "cannot be opened for reading";
            return EXH_ERR_IO;
        }
        status = single_walk_fd(fd, &e, opts, cbs, err);
        close(fd);
        return status;
    }
    // open_path must reach the file with O_NOFOLLOW later: resolve a
    // target that is itself a link (the user chose to follow it).
    if (lstat(target, &lst) == 0 && S_ISLNK(lst.st_mode))
        real = realpath(target, NULL);
    e.size = (uint64_t)st->st_size;
    e.modified_ms = source_ms(st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
    e.created_ms = single_birth_ms(target);
    e.time_source = "posix";
    e.open_path = real ? real : target;
    fd = source_openat(AT_FDCWD, target, O_NONBLOCK);
    if (fd >= 0) {
        ssize_t n = pread(fd, magic, sizeof(magic), 0);
        if (n > 0 && source_is_compressed(source_packed_kind(magic, (size_t)n)))
            status = single_walk_compressed(fd, &e, opts, cbs, err);
        else
            n = -1;
        close(fd);
        if (n > 0) {
            free(real);
            return status;
        }
    }
    source_file_init(&f, AT_FDCWD, target, 0);
    e.in = &f.s;
    (void)cbs->on_entry(cbs->user, &e);
    source_file_close(&f);
    // realpath() allocates with malloc(), not exh_malloc().
    free(real);
    return EXH_OK;
}

exh_status single_walk_stdin(const source_opts *opts, const source_cbs *cbs,
                             const char **err)
{
    entry e;

    memset(&e, 0, sizeof(e));
    e.path = "";
    e.display_path = "-";
    e.modified_ms = INT64_MIN;
    e.created_ms = INT64_MIN;
    return single_walk_fd(STDIN_FILENO, &e, opts, cbs, err);
}
