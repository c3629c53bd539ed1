/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c - the entry point of the evidence sources. source_walk() picks
 * the backend for a target: "-" is stdin, a folder is walked, a disk image
 * (known by its first bytes) is read through its file systems, a file named
 * like an archive is read as a collection, any other file is one entry
 * (single.c: or the data its compressed content holds).
 * The helpers all backends share live here too: read-only opens with
 * O_NOATIME, the lazily opened file stream and path joining.
 * Invariant: nothing here writes to evidence or changes its times.
 */
#include "sources.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int source_openat(int dirfd, const char *name, int extra_flags)
{
    int flags = O_RDONLY | O_CLOEXEC | extra_flags;
    int fd;

    do {
        fd = openat(dirfd, name, flags | O_NOATIME);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && errno == EPERM) {
        // O_NOATIME needs ownership of the file (or CAP_FOWNER).
        do {
            fd = openat(dirfd, name, flags);
        } while (fd < 0 && errno == EINTR);
    }
    return fd;
}

int source_reopen(const char *open_path)
{
    struct stat st;
    int fd;

    if (!open_path) {
        errno = EINVAL;
        return -1;
    }
    // O_NONBLOCK: a file swapped for a FIFO must not hang the open.
    fd = source_openat(AT_FDCWD, open_path, O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

bool source_is_archive_name(const char *name)
{
    static const char *const exts[] = {".zip", ".tar", ".tar.gz", ".tgz"};
    size_t len = name ? strlen(name) : 0;

    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t elen = strlen(exts[i]);
        if (len > elen && util_ieq(name + len - elen, elen, exts[i], elen))
            return true;
    }
    return false;
}

const char *source_packed_kind(const void *head, size_t len)
{
    const unsigned char *h = head;

    if (len >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8)
        return "gzip";
    if (len >= 4 && memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
        return "bzip2";
    if (len >= 6 && memcmp(h,
                           "\xfd"
                           "7zXZ\0",
                           6) == 0)
        return "xz";
    if (len >= 4 &&
        (memcmp(h, "PK\3\4", 4) == 0 || memcmp(h, "PK\5\6", 4) == 0))
        return "zip";
    if (len >= 262 && memcmp(h + 257, "ustar", 5) == 0)
        return "tar";
    return NULL;
}

bool source_is_compressed(const char *kind)
{
    return kind && (strcmp(kind, "gzip") == 0 || strcmp(kind, "bzip2") == 0 ||
                    strcmp(kind, "xz") == 0);
}

/* Sets f's error text from errno e. */
static void source_file_fail(source_file *f, int e)
{
    const char *text = strerror_r(e, f->msg, sizeof(f->msg));

    if (text != f->msg) {
        size_t n = strlen(text);
        if (n >= sizeof(f->msg))
            n = sizeof(f->msg) - 1;
        memcpy(f->msg, text, n);
        f->msg[n] = '\0';
    }
    f->s.error = f->msg;
}

/* Opens f's file; false (errno set, error text set) on failure. A file
 * that must be regular is opened with O_NONBLOCK, so one swapped for a
 * FIFO cannot hang the open; a FIFO target is opened blocking, like
 * stdin: the open waits for its writer (a non-blocking open would find
 * none yet and read end of file at once). */
static bool source_file_open(source_file *f)
{
    struct stat st;
    int fd = source_openat(f->dirfd, f->name,
                           f->open_flags | (f->need_regular ? O_NONBLOCK : 0));

    if (fd < 0)
        goto fail;
    if (f->need_regular) {
        if (fstat(fd, &st) != 0)
            goto fail_close;
        if (!S_ISREG(st.st_mode)) {
            errno = EINVAL;
            goto fail_close;
        }
    }
    f->fd = fd;
    f->owned = true;
    return true;
fail_close:
    f->saved_errno = errno;
    close(fd);
    errno = f->saved_errno;
fail:
    f->saved_errno = errno;
    f->failed = true;
    source_file_fail(f, f->saved_errno);
    errno = f->saved_errno;
    return false;
}

static ssize_t source_file_read(stream *s, void *dst, size_t len)
{
    source_file *f = s->ctx;

    if (f->fd < 0) {
        if (f->failed) {
            errno = f->saved_errno;
            return -1;
        }
        if (!source_file_open(f))
            return -1;
    }
    for (;;) {
        ssize_t n = read(f->fd, dst, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        int e = errno;
        source_file_fail(f, e);
        errno = e;
        return -1;
    }
}

void source_file_init(source_file *f, int dirfd, const char *name,
                      int open_flags)
{
    memset(f, 0, sizeof(*f));
    f->s.read = source_file_read;
    f->s.ctx = f;
    f->dirfd = dirfd;
    f->name = name;
    f->open_flags = open_flags;
    f->fd = -1;
    f->need_regular = true;
}

void source_file_init_fd(source_file *f, int fd)
{
    source_file_init(f, -1, NULL, 0);
    f->fd = fd;
    f->owned = false;
}

void source_file_close(source_file *f)
{
    if (f->fd >= 0 && f->owned)
        close(f->fd);
    f->fd = -1;
    f->owned = false;
}

char *source_join(const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b), total;
    bool slash = blen > 0 && alen > 0 && a[alen - 1] != '/';
    char *out;

    if (__builtin_add_overflow(alen, blen, &total) ||
        __builtin_add_overflow(total, 2, &total))
        return NULL;
    out = exh_malloc(total);
    if (!out)
        return NULL;
    memcpy(out, a, alen);
    if (slash)
        out[alen++] = '/';
    memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
    return out;
}

int64_t source_ms(int64_t sec, int64_t nsec)
{
    int64_t ms;

    if (__builtin_mul_overflow(sec, 1000, &ms))
        return INT64_MIN;
    return ms + nsec / 1000000;
}

exh_status source_walk(const char *target, const source_opts *opts,
                       const source_cbs *cbs, const char **err)
{
    static const source_opts no_opts;
    struct stat st;

    if (err)
        *err = NULL;
    if (!target || !cbs || !cbs->on_entry || !cbs->on_error) {
        if (err)
            *err = "invalid arguments";
        return EXH_ERR_INVALID_ARG;
    }
    if (!opts)
        opts = &no_opts;
    if (strcmp(target, "-") == 0)
        return single_walk_stdin(opts, cbs, err);
    // The target is the user's choice: a link given as target is followed.
    if (stat(target, &st) != 0) {
        if (err)
            *err = errno == ENOENT ? "no such file or folder"
                                   : "cannot be read (stat failed)";
        return EXH_ERR_IO;
    }
    if (S_ISDIR(st.st_mode))
        return dir_walk(target, opts, cbs, err);
    if (S_ISREG(st.st_mode) && source_is_image(target))
        return image_walk(target, opts, cbs, err);
    if (S_ISREG(st.st_mode) && source_is_archive_name(target)) {
        bool stopped = false;
        int fd = source_openat(AT_FDCWD, target, O_NONBLOCK);
        exh_status st2;
        if (fd < 0) {
            if (err)
                *err = "cannot be opened for reading";
            return EXH_ERR_IO;
        }
        st2 = archive_walk_fd(fd, target, "", opts, cbs, &stopped, err);
        close(fd);
        return st2;
    }
    if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
        return single_walk_file(target, &st, opts, cbs, err);
    if (err)
        *err = "not a file or folder";
    return EXH_ERR_IO;
}
