/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dir.c - the folder backend: a recursive walk in strcmp order of names,
 * so every run delivers the same entries in the same order.
 *
 * Folders are opened relative to their parent's descriptor (openat with
 * O_NOFOLLOW and O_NOATIME), so a path renamed under us cannot redirect
 * the walk and reading a folder leaves its atime alone. Links are never
 * followed: one that stays inside the tree is skipped (its target is met
 * at its real place); one that leaves it, dangles or loops is reported.
 * FIFOs, sockets and devices are never opened. A KAPE copy log in the
 * root or a direct child folder is read before that folder's files.
 */
#include "sources.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR_STATX_MASK                                                         \
    (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_MTIME | STATX_BTIME)

/* A growable path that is extended by one name and cut back. */
typedef struct dir_path {
    char *data;
    size_t len;
    size_t cap;
} dir_path;

/* The names of one folder, sorted. */
typedef struct dir_list {
    char *names; /* NUL-separated */
    size_t len;
    size_t cap;
    size_t *offs; /* start of each name in names */
    size_t count;
    size_t offcap;
} dir_list;

typedef struct dir_walker {
    const source_opts *opts;
    const source_cbs *cbs;
    char *root_real;      /* realpath() of the target (malloc) */
    dir_path rel;         /* path of the current item inside the target */
    dir_path disp;        /* the target joined with rel */
    collection_logs logs; /* KAPE copy logs met so far */
    bool stop;            /* on_entry asked to stop, or out of memory */
    exh_status st;        /* EXH_ERR_NOMEM once memory ran out */
} dir_walker;

static void dir_folder(dir_walker *w, int fd, unsigned depth);

/* Appends "/name" (no '/' when p is empty or already ends in one). */
static bool dir_path_push(dir_path *p, const char *name)
{
    size_t nlen = strlen(name), need;
    bool sep = p->len > 0 && p->data[p->len - 1] != '/';

    if (__builtin_add_overflow(p->len, nlen, &need) ||
        __builtin_add_overflow(need, 2, &need))
        return false;
    if (need > p->cap) {
        size_t cap = p->cap ? p->cap : 256;
        while (cap < need)
            cap *= 2;
        char *d = exh_realloc(p->data, cap);
        if (!d)
            return false;
        p->data = d;
        p->cap = cap;
    }
    if (sep)
        p->data[p->len++] = '/';
    memcpy(p->data + p->len, name, nlen + 1);
    p->len += nlen;
    return true;
}

static void dir_path_cut(dir_path *p, size_t len)
{
    p->len = len;
    if (p->data)
        p->data[len] = '\0';
}

static void dir_nomem(dir_walker *w)
{
    w->st = EXH_ERR_NOMEM;
    w->stop = true;
}

/* Reports errno e for the current item. */
static void dir_error_errno(dir_walker *w, int e)
{
    char msg[160];
    const char *text = strerror_r(e, msg, sizeof(msg));

    w->cbs->on_error(w->cbs->user, w->disp.data, text);
}

static int dir_cmp(const void *a, const void *b, void *names)
{
    return strcmp((const char *)names + *(const size_t *)a,
                  (const char *)names + *(const size_t *)b);
}

static bool dir_list_add(dir_list *l, const char *name)
{
    size_t nlen = strlen(name) + 1, need;

    if (__builtin_add_overflow(l->len, nlen, &need))
        return false;
    if (need > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < need)
            cap *= 2;
        char *d = exh_realloc(l->names, cap);
        if (!d)
            return false;
        l->names = d;
        l->cap = cap;
    }
    if (l->count == l->offcap) {
        size_t cap = l->offcap ? l->offcap * 2 : 64, bytes;
        if (__builtin_mul_overflow(cap, sizeof(size_t), &bytes))
            return false;
        size_t *o = exh_realloc(l->offs, bytes);
        if (!o)
            return false;
        l->offs = o;
        l->offcap = cap;
    }
    memcpy(l->names + l->len, name, nlen);
    l->offs[l->count++] = l->len;
    l->len += nlen;
    return true;
}

static void dir_list_free(dir_list *l)
{
    exh_free(l->names);
    exh_free(l->offs);
}

/* Lists the folder open on fd into l, sorted. Reports problems; returns
 * false when nothing could be listed. */
static bool dir_read(dir_walker *w, int fd, dir_list *l)
{
    int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d;
    struct dirent *de;

    if (dfd < 0 || !(d = fdopendir(dfd))) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        dir_error_errno(w, e);
        return false;
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno)
                dir_error_errno(w, errno);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!dir_list_add(l, de->d_name)) {
            dir_nomem(w);
            break;
        }
    }
    closedir(d);
    if (l->count > 1)
        qsort_r(l->offs, l->count, sizeof(size_t), dir_cmp, l->names);
    return true;
}

/* A new copy of s with a '/' appended ("" stays ""); NULL on failure. */
static char *dir_with_slash(const char *s)
{
    size_t len = strlen(s);
    char *out = exh_malloc(len + 2);

    if (!out)
        return NULL;
    memcpy(out, s, len);
    if (len)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

/* Reads the KAPE copy logs among the names of a folder at depth 0 or 1. */
static void dir_copylogs(dir_walker *w, int fd, const dir_list *l,
                         unsigned depth)
{
    for (size_t i = 0; i < l->count && !w->stop; i++) {
        const char *name = l->names + l->offs[i];
        struct statx stx;
        source_file f;
        copylog *log;
        char *prefix;

        if (!collection_is_copylog_name(name) ||
            statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE,
                  &stx) != 0 ||
            !S_ISREG(stx.stx_mode))
            continue;
        source_file_init(&f, fd, name, O_NOFOLLOW);
        log = copylog_parse(&f.s);
        source_file_close(&f);
        if (!log)
            continue;
        prefix = dir_with_slash(depth == 0 ? "" : w->rel.data);
        if (!prefix || collection_logs_add(&w->logs, prefix, log)) {
            if (!prefix)
                copylog_free(log);
            dir_nomem(w);
        }
        exh_free(prefix);
    }
}

/* Delivers the regular file name (in the folder fd) as an entry. */
static void dir_file(dir_walker *w, int fd, const char *name,
                     const struct statx *stx)
{
    char *decoded = NULL;
    source_file f;
    entry e;

    if (collection_is_velociraptor_path(w->rel.data)) {
        decoded = collection_url_decode(w->rel.data);
        if (!decoded) {
            dir_nomem(w);
            return;
        }
    }
    memset(&e, 0, sizeof(e));
    e.path = decoded ? decoded : w->rel.data;
    e.display_path = w->disp.data;
    e.open_path = w->disp.data;
    e.size = stx->stx_size;
    e.modified_ms = source_ms(stx->stx_mtime.tv_sec, stx->stx_mtime.tv_nsec);
    e.created_ms =
        (stx->stx_mask & STATX_BTIME)
            ? source_ms(stx->stx_btime.tv_sec, stx->stx_btime.tv_nsec)
            : INT64_MIN;
    e.time_source = "posix";
    if (w->logs.count &&
        collection_logs_lookup(&w->logs, e.path, &e.created_ms, &e.modified_ms))
        e.time_source = "kape-copylog";
    source_file_init(&f, fd, name, O_NOFOLLOW);
    e.in = &f.s;
    if (!w->cbs->on_entry(w->cbs->user, &e))
        w->stop = true;
    source_file_close(&f);
    exh_free(decoded);
}

/* Reads an archive that is a direct child of the target as a collection. */
static void dir_archive(dir_walker *w, int fd, const char *name)
{
    bool stopped = false;
    const char *err = NULL;
    char *prefix;
    exh_status st;
    int afd = source_openat(fd, name, O_NOFOLLOW | O_NONBLOCK);

    if (afd < 0) {
        dir_error_errno(w, errno);
        return;
    }
    prefix = dir_with_slash(name);
    if (!prefix) {
        close(afd);
        dir_nomem(w);
        return;
    }
    st = archive_walk_fd(afd, w->disp.data, prefix, w->opts, w->cbs, &stopped,
                         &err);
    close(afd);
    exh_free(prefix);
    if (st == EXH_ERR_NOMEM)
        dir_nomem(w);
    else if (st != EXH_OK)
        w->cbs->on_error(w->cbs->user, w->disp.data,
                         err ? err : "not a readable archive");
    if (stopped)
        w->stop = true;
}

/* Reads the disk image name (a child of the target, open folder fd) with
 * its volumes as "NAME/volN/...". */
static void dir_image(dir_walker *w, const char *name)
{
    const char *err = NULL;
    char *prefix = dir_with_slash(name);
    exh_status st;

    if (!prefix) {
        dir_nomem(w);
        return;
    }
    st = image_walk_at(w->disp.data, w->disp.data, prefix, w->opts, w->cbs,
                       &err);
    exh_free(prefix);
    if (st == EXH_ERR_NOMEM)
        dir_nomem(w);
    else if (st != EXH_OK)
        w->cbs->on_error(w->cbs->user, w->disp.data,
                         err ? err : "not a readable disk image");
}

/* True when fd/name is a disk image by its first bytes. */
static bool dir_is_image(int fd, const char *name, uint64_t size)
{
    int ifd = source_openat(fd, name, O_NOFOLLOW | O_NONBLOCK);
    bool yes;

    if (ifd < 0)
        return false;
    yes = image_kind(ifd, size) != IMAGE_NONE;
    close(ifd);
    return yes;
}

/* True when path lies at or under folder (both absolute, no '/' at end
 * unless the folder is "/"). */
static bool dir_under(const char *path, const char *folder, size_t flen)
{
    if (strncmp(path, folder, flen) != 0)
        return false;
    return path[flen] == '\0' || path[flen] == '/' ||
           (flen > 0 && folder[flen - 1] == '/');
}

/* Reports a link that cannot be followed; rel_parent_len is the length of
 * the relative path of the folder holding it. Links that stay inside the
 * tree without looping are skipped silently. */
static void dir_link(dir_walker *w, size_t rel_parent_len)
{
    char msg[PATH_MAX + 96];
    char *real = realpath(w->disp.data, NULL);
    size_t rlen = strlen(w->root_real);

    if (!real) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            snprintf(msg, sizeof(msg), "link not followed: dangling link");
        else if (e == ELOOP)
            snprintf(msg, sizeof(msg), "link not followed: link loop");
        else {
            char etext[128];
            snprintf(msg, sizeof(msg), "link not followed: %s",
                     strerror_r(e, etext, sizeof(etext)));
        }
        w->cbs->on_error(w->cbs->user, w->disp.data, msg);
        return;
    }
    if (!dir_under(real, w->root_real, rlen)) {
        snprintf(msg, sizeof(msg),
                 "link not followed: points outside the target (to %s)", real);
        w->cbs->on_error(w->cbs->user, w->disp.data, msg);
        free(real);
        return;
    }
    // Inside: a loop when it names the folder holding it or one above.
    char *parent = exh_malloc(rlen + rel_parent_len + 2);
    if (!parent) {
        free(real);
        dir_nomem(w);
        return;
    }
    memcpy(parent, w->root_real, rlen);
    if (rel_parent_len) {
        size_t at = rlen;
        if (at == 0 || parent[at - 1] != '/')
            parent[at++] = '/';
        memcpy(parent + at, w->rel.data, rel_parent_len);
        parent[at + rel_parent_len] = '\0';
    } else {
        parent[rlen] = '\0';
    }
    if (dir_under(parent, real, strlen(real)))
        w->cbs->on_error(w->cbs->user, w->disp.data,
                         "link not followed: link loop (it points to a "
                         "folder that holds it)");
    exh_free(parent);
    free(real);
}

/* Handles one name of the folder open on fd. */
static void dir_child(dir_walker *w, int fd, const char *name, unsigned depth)
{
    size_t rel_mark = w->rel.len, disp_mark = w->disp.len;
    struct statx stx;

    if (!dir_path_push(&w->rel, name) || !dir_path_push(&w->disp, name)) {
        dir_nomem(w);
        goto out;
    }
    if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, DIR_STATX_MASK,
              &stx) != 0) {
        dir_error_errno(w, errno);
        goto out;
    }
    if (S_ISDIR(stx.stx_mode)) {
        if (depth + 1 > SOURCES_MAX_DEPTH) {
            w->cbs->on_error(w->cbs->user, w->disp.data,
                             "folder nested deeper than 64 levels; "
                             "not read");
            goto out;
        }
        int sub = source_openat(fd, name, O_DIRECTORY | O_NOFOLLOW);
        if (sub < 0) {
            dir_error_errno(w, errno);
            goto out;
        }
        dir_folder(w, sub, depth + 1);
        close(sub);
    } else if (S_ISREG(stx.stx_mode)) {
        if (w->opts->open_archives && depth == 0 &&
            source_is_archive_name(name))
            dir_archive(w, fd, name);
        else if (w->opts->open_archives && depth == 0 &&
                 dir_is_image(fd, name, stx.stx_size))
            dir_image(w, name);
        else
            dir_file(w, fd, name, &stx);
    } else if (S_ISLNK(stx.stx_mode)) {
        dir_link(w, rel_mark);
    }
    // FIFOs, sockets and devices are never opened.
out:
    dir_path_cut(&w->rel, rel_mark);
    dir_path_cut(&w->disp, disp_mark);
}

/* Walks the folder open on fd (its path is w->rel), at depth. */
static void dir_folder(dir_walker *w, int fd, unsigned depth)
{
    dir_list l;

    memset(&l, 0, sizeof(l));
    if (!dir_read(w, fd, &l)) {
        dir_list_free(&l);
        return;
    }
    if (depth <= 1)
        dir_copylogs(w, fd, &l, depth);
    for (size_t i = 0; i < l.count && !w->stop; i++)
        dir_child(w, fd, l.names + l.offs[i], depth);
    dir_list_free(&l);
}

exh_status dir_walk(const char *target, const source_opts *opts,
                    const source_cbs *cbs, const char **err)
{
    dir_walker w;
    int fd;

    memset(&w, 0, sizeof(w));
    w.opts = opts;
    w.cbs = cbs;
    // The target itself may be a link the user chose: follow it.
    fd = source_openat(AT_FDCWD, target, O_DIRECTORY);
    if (fd < 0) {
        if (err)
            *err = "the folder cannot be opened";
        return EXH_ERR_IO;
    }
    w.root_real = realpath(target, NULL);
    if (!w.root_real) {
        close(fd);
        if (err)
            *err = "the folder's real path cannot be resolved";
        return EXH_ERR_IO;
    }
    if (!dir_path_push(&w.rel, "") || !dir_path_push(&w.disp, target)) {
        dir_nomem(&w);
    } else {
        dir_folder(&w, fd, 0);
    }
    close(fd);
    free(w.root_real);
    exh_free(w.rel.data);
    exh_free(w.disp.data);
    collection_logs_free(&w.logs);
    if (w.st != EXH_OK && err)
        *err = "out of memory";
    return w.st;
}
