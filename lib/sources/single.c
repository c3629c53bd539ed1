/* SPDX-License-Identifier: Apache-2.0 */
/*
 * single.c - the two one-entry backends: a single file given as target
 * (or a FIFO, such as a shell's process substitution) and stdin ("-").
 * The entry's path is "" because the target is itself the file; its
 * display path is the target as given ("-" for stdin). A file is opened
 * only when the consumer first reads it.
 */
#include "sources.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

exh_status single_walk_file(const char *target, const struct stat *st,
                            const source_cbs *cbs)
{
    bool regular = S_ISREG(st->st_mode);
    struct stat lst;
    char *real = NULL;
    source_file f;
    entry e;

    // open_path must reach the file with O_NOFOLLOW later: resolve a
    // target that is itself a link (the user chose to follow it).
    if (regular && lstat(target, &lst) == 0 && S_ISLNK(lst.st_mode))
        real = realpath(target, NULL);
    memset(&e, 0, sizeof(e));
    e.path = "";
    e.display_path = target;
    e.size = regular ? (uint64_t)st->st_size : 0;
    e.modified_ms = regular ? source_ms(st->st_mtim.tv_sec, st->st_mtim.tv_nsec)
                            : INT64_MIN;
    e.created_ms = regular ? single_birth_ms(target) : INT64_MIN;
    e.time_source = regular ? "posix" : NULL;
    e.open_path = regular ? (real ? real : target) : NULL;
    source_file_init(&f, AT_FDCWD, target, 0);
    f.need_regular = regular;
    e.in = &f.s;
    (void)cbs->on_entry(cbs->user, &e);
    source_file_close(&f);
    // realpath() allocates with malloc(), not exh_malloc().
    free(real);
    return EXH_OK;
}

exh_status single_walk_stdin(const source_cbs *cbs)
{
    source_file f;
    entry e;

    memset(&e, 0, sizeof(e));
    e.path = "";
    e.display_path = "-";
    e.size = 0;
    e.modified_ms = INT64_MIN;
    e.created_ms = INT64_MIN;
    e.time_source = NULL;
    e.open_path = NULL;
    source_file_init_fd(&f, STDIN_FILENO);
    e.in = &f.s;
    (void)cbs->on_entry(cbs->user, &e);
    source_file_close(&f);
    return EXH_OK;
}
