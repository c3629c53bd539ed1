/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sources.h - declarations shared only among the files of lib/sources/.
 *
 * source.c holds the helpers every backend uses (the lazily opened file
 * stream, path joining; source_openat() is in internal.h); dir.c,
 * archive.c and single.c are the backends; collection.c reads collection
 * metadata (KAPE copy logs, Velociraptor names). Nothing here is used
 * outside lib/sources/.
 */
#ifndef EXH_SOURCES_H
#define EXH_SOURCES_H

#include "internal.h"

#include <sys/stat.h>

/* Deepest folder level a walk descends into (the target is level 0). */
#define SOURCES_MAX_DEPTH 64

/* ---- source.c ----------------------------------------------------------- */

/* A file stream that opens its file on the first read, so a consumer that
 * skips an entry never opens it. */
typedef struct source_file {
    stream s;          /* what the entry hands out; s.ctx is this struct */
    int dirfd;         /* folder name is relative to, or AT_FDCWD */
    const char *name;  /* borrowed; valid while the stream is used */
    int open_flags;    /* extra flags of source_openat() */
    int fd;            /* -1 until opened */
    bool owned;        /* close fd in source_file_close() */
    bool need_regular; /* refuse what is not a regular file once open */
    bool failed;       /* the open failed; reads keep failing */
    int saved_errno;   /* errno of the failed open */
    char msg[160];     /* text of stream.error */
} source_file;

/* Sets up f to open name (relative to dirfd) lazily. */
void source_file_init(source_file *f, int dirfd, const char *name,
                      int open_flags);
/* Sets up f over an already open fd, which f does not close (stdin). */
void source_file_init_fd(source_file *f, int fd);
/* Closes the file if f opened it. f may be reused after init again. */
void source_file_close(source_file *f);

/* "a/b" from a and b, with no doubled '/' when a ends in '/'; a copy of a
 * when b is empty. New string, NULL on allocation failure. */
char *source_join(const char *a, const char *b);
/* Milliseconds since the epoch of a time in seconds and nanoseconds. */
int64_t source_ms(int64_t sec, int64_t nsec);

/* ---- collection.c ------------------------------------------------------- */

/* Copy logs of one collection, each valid for the paths under its prefix
 * ("" for the collection root, "HOST/" for a direct child folder). */
typedef struct collection_logs {
    char **prefixes;
    copylog **logs;
    size_t count;
} collection_logs;

/* True when name (a file name, no folder) ends in "_CopyLog.csv". */
bool collection_is_copylog_name(const char *name);
/* Adds log for paths under prefix; takes ownership of log. */
exh_status collection_logs_add(collection_logs *set, const char *prefix,
                               copylog *log);
/* Original times of path (relative to the collection) from the copy log
 * whose prefix it lies under; false when none knows it. */
bool collection_logs_lookup(const collection_logs *set, const char *path,
                            int64_t *created_ms, int64_t *modified_ms);
void collection_logs_free(collection_logs *set);
/* True when a relative folder path belongs to a Velociraptor collection
 * ("uploads/..." or "HOST/uploads/..."), whose names are %XX-encoded. */
bool collection_is_velociraptor_path(const char *path);

/* ---- backends ----------------------------------------------------------- */

/* Walks the folder target. */
exh_status dir_walk(const char *target, const source_opts *opts,
                    const source_cbs *cbs, const char **err);

/* Reads the archive open on fd, a regular file (it is read twice: a first
 * pass over the headers and the copy logs), as a collection. display is
 * the archive's display path, prefix is put before every entry path (""
 * or "CHILD/"). Tells cbs->on_volume, before any entry, when the archive
 * holds a volume's root. Sets *stopped when on_entry
 * returned false. Returns EXH_ERR_IO (message in *err, static) when the
 * archive cannot be opened at all; then nothing was delivered. */
exh_status archive_walk_fd(int fd, const char *display, const char *prefix,
                           const source_opts *opts, const source_cbs *cbs,
                           bool *stopped, const char **err);

/* Reads an archive (zip, tar, either compressed) or compressed data
 * (gzip, bzip2, xz) from src in one pass, without seeking: stdin, a pipe,
 * a compressed file given as target. head (head_len bytes, copied) is what
 * was already read from src. Members are delivered as of an archive
 * target, with display paths "DISPLAY!/inner"; compressed data that holds
 * no archive is delivered as the one file as_one describes (its path,
 * display path and times; in is set here). With no first pass, copy logs
 * (zip or tar) count only for the files after them, no volume is told to
 * cbs->on_volume, and a member whose data breaks the reader ends the walk
 * (no reopen). Returns as archive_walk_fd(). */
exh_status archive_walk_stream(stream *src, const void *head, size_t head_len,
                               const entry *as_one, const source_opts *opts,
                               const source_cbs *cbs, bool *stopped,
                               const char **err);

/* What the first bytes of a file say it is (image.c). */
typedef enum image_kind_t {
    IMAGE_NONE = 0,
    IMAGE_RAW,  /* a partition table or a bare NTFS/ReFS/BitLocker volume */
    IMAGE_EWF,  /* E01 */
    IMAGE_EWF2, /* Ex01: recognised, not readable here */
    IMAGE_LEF,  /* L01: recognised, not readable */
    IMAGE_VHD,
    IMAGE_VHDX,
    IMAGE_VMDK,
    IMAGE_QCOW,
} image_kind_t;

/* Our own reading of a damaged disk's tables, for when TSK reads none or
 * one without an NTFS volume. image_gpt_entries(): where the entries of
 * the GPT whose 512-byte header is hdr lie (*lba, *len bytes, at most
 * 64 KiB) in an image of sectors 512-byte sectors; false when hdr is no
 * usable GPT header. image_guess_parts(): the partitions the MBR sector
 * mbr (512 bytes; NULL: none) lists, then those of the GPT entries (len
 * bytes of hdr's entries; NULL: none), as a first sector and a count of
 * sectors inside the image; at most max, the same start once; the count.
 * Only candidates: each is a volume when its first sector says so. */
bool image_gpt_entries(const unsigned char *hdr, uint64_t sectors,
                       uint64_t *lba, size_t *len);
size_t image_guess_parts(const unsigned char *mbr, const unsigned char *hdr,
                         const unsigned char *entries, size_t len,
                         uint64_t sectors, uint64_t *start, uint64_t *count,
                         size_t max);

/* The kind of the file open on fd (size bytes long), by its magic. */
image_kind_t image_kind(int fd, uint64_t size);
/* Walks the image at path as a child of a folder target: display is its
 * display path, prefix ("CHILD/") goes before every entry path. */
exh_status image_walk_at(const char *path, const char *display,
                         const char *prefix, const source_opts *opts,
                         const source_cbs *cbs, const char **err);
/* Walks every NTFS volume of the disk image target. EXH_ERR_IO (message in
 * *err, static or thread-local) when the image cannot be opened at all. */
exh_status image_walk(const char *target, const source_opts *opts,
                      const source_cbs *cbs, const char **err);

/* Delivers the single file target (st from stat()): one entry, or the
 * files of the archive or the data that its compressed content holds. A
 * FIFO is read as stdin is. */
exh_status single_walk_file(const char *target, const struct stat *st,
                            const source_opts *opts, const source_cbs *cbs,
                            const char **err);
/* Delivers stdin: one entry, or the files of the archive it holds (zip,
 * tar, compressed or not), or the data its compressed content holds. */
exh_status single_walk_stdin(const source_opts *opts, const source_cbs *cbs,
                             const char **err);

#endif /* EXH_SOURCES_H */
