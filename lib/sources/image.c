/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c - the disk image backend: raw/dd (also split .001, .002...),
 * E01 (libewf, through The Sleuth Kit), VHD/VHDX (libvhdi, through TSK),
 * VMDK (libvmdk, through TSK) and QCOW2 (libqcow, through our own glue
 * handed to TSK as an external image). Partition tables (MBR, GPT) and NTFS
 * are read by TSK; every NTFS volume of the image is walked, and with
 * --shadows (opts->shadows) each of its volume shadow copies after it
 * (libvshadow over a libbfio handle of our own that reads the volume
 * through TSK; each store handed back to TSK as an external image), as
 * "volN@vssK" in display paths and "volN" in entry paths.
 *
 * Nothing is extracted or copied: the walk reads file-system metadata
 * only, and the data of an entry is read from the image when the consumer
 * reads its stream. entry.path is "volN/..." (N counts the readable
 * volumes, 1-based); paths.c knows "volN" as a drive folder of unknown
 * letter, so scope and windows_path work as on a mounted volume.
 * display_path is "IMAGE!/volN/...". Images are recognised by their first
 * bytes (image_kind()), never only by their name.
 * Invariant: the image is opened read-only (TSK, libewf, libvhdi, libvmdk
 * and libqcow open their files O_RDONLY; our libbfio handle refuses
 * writes) and never written.
 */
#include "sources.h"

#include <errno.h>
#include <fcntl.h>
#include <libbfio.h>
#include <libewf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* libtsk, libqcow and libvshadow are loaded on first use (lazylib.h):
 * image_open_img() loads the first two, image_shadows() the third. */
#define LAZY_TSK     1
#define LAZY_QCOW    1
#define LAZY_VSHADOW 1
#include "lazylib.h"

#define IMAGE_MAX_DIRS  (1u << 22) /* folders per volume, then stop */
#define IMAGE_MAX_VOLS  64         /* volumes walked per image */
#define IMAGE_SNIFF_LEN 4096
#define IMAGE_MAX_STORES                                                       \
    64 /* shadow copies read per volume (Windows                               \
          keeps at most 64) */

static const char ewf_magic[8] = {'E',  'V',  'F',        0x09,
                                  0x0d, 0x0a, (char)0xff, 0x00};
static const char ewf2_magic[8] = {'E',  'V',  'F',        '2',
                                   0x0d, 0x0a, (char)0x81, 0x00};
static const char lvf_magic[8] = {'L',  'V',  'F',        0x09,
                                  0x0d, 0x0a, (char)0xff, 0x00};

/* Reads up to len bytes at off; the count read (0 on error). */
static size_t image_pread(int fd, void *dst, size_t len, off_t off)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n =
            pread(fd, (char *)dst + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return done;
}

/* True when the 16-byte MBR partition entry p looks like a used one. */
static bool image_mbr_entry_used(const unsigned char *p)
{
    uint32_t start = le32(p + 8);
    uint32_t count = le32(p + 12);

    return p[4] != 0 && start != 0 && count != 0;
}

/* True when sector 0 (512 bytes) is an MBR: the 0x55AA signature, status
 * bytes 0x00 or 0x80 only, and at least one used entry. */
static bool image_is_mbr(const unsigned char *s)
{
    bool used = false;

    if (s[510] != 0x55 || s[511] != 0xAA)
        return false;
    for (int i = 0; i < 4; i++) {
        const unsigned char *p = s + 446 + 16 * i;
        if (p[0] != 0x00 && p[0] != 0x80)
            return false;
        used = used || image_mbr_entry_used(p);
    }
    return used;
}

image_kind_t image_kind(int fd, uint64_t size)
{
    unsigned char head[IMAGE_SNIFF_LEN];
    size_t n;

    memset(head, 0, sizeof(head));
    n = image_pread(fd, head, sizeof(head), 0);
    if (n < 8)
        return IMAGE_NONE;
    if (memcmp(head, ewf_magic, 8) == 0)
        return IMAGE_EWF;
    if (memcmp(head, ewf2_magic, 8) == 0)
        return IMAGE_EWF2;
    if (memcmp(head, lvf_magic, 8) == 0)
        return IMAGE_LEF;
    if (memcmp(head, "vhdxfile", 8) == 0)
        return IMAGE_VHDX;
    if (memcmp(head, "conectix", 8) == 0)
        return IMAGE_VHD;
    if (memcmp(head, "KDMV", 4) == 0 ||
        (n >= 21 && memcmp(head, "# Disk DescriptorFile", 21) == 0))
        return IMAGE_VMDK;
    if (memcmp(head, "QFI\xfb", 4) == 0)
        return IMAGE_QCOW;
    if (n >= 512) {
        if (memcmp(head + 3, "NTFS    ", 8) == 0 && head[510] == 0x55 &&
            head[511] == 0xAA)
            return IMAGE_RAW;
        if (memcmp(head + 3, "ReFS", 4) == 0 ||
            memcmp(head + 3, "-FVE-FS-", 8) == 0)
            return IMAGE_RAW;
        if (n >= 520 && memcmp(head + 512, "EFI PART", 8) == 0)
            return IMAGE_RAW;
        if (image_is_mbr(head))
            return IMAGE_RAW;
    }
    // A fixed VHD has its footer only at the end.
    if (size >= 1024) {
        char foot[8];
        if (image_pread(fd, foot, 8, (off_t)(size - 512)) == 8 &&
            memcmp(foot, "conectix", 8) == 0)
            return IMAGE_VHD;
    }
    return IMAGE_NONE;
}

bool image_named_like(const char *target)
{
    static const char *const exts[] = {".raw",   ".dd",   ".img",  ".001",
                                       ".vhd",   ".vhdx", ".vmdk", ".qcow",
                                       ".qcow2", ".e01",  ".ex01", NULL};
    const char *dot = target ? strrchr(target, '.') : NULL;
    struct stat st;

    if (!dot || strchr(dot, '/') || stat(target, &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size < 65536)
        return false;
    for (size_t i = 0; exts[i]; i++) {
        if (util_strcasecmp(dot, exts[i]) == 0)
            return true;
    }
    return false;
}

bool source_is_image(const char *target)
{
    struct stat st;
    int fd;
    image_kind_t k;

    if (!target || strcmp(target, "-") == 0 || stat(target, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return false;
    fd = source_openat(AT_FDCWD, target, O_NONBLOCK);
    if (fd < 0)
        return false;
    k = image_kind(fd, (uint64_t)st.st_size);
    close(fd);
    return k != IMAGE_NONE;
}

/* The TSK image type of a kind TSK reads itself. */
static TSK_IMG_TYPE_ENUM image_tsk_type(image_kind_t kind)
{
    switch (kind) {
    case IMAGE_EWF:
        return TSK_IMG_TYPE_EWF_EWF;
    case IMAGE_VHD:
    case IMAGE_VHDX:
        return TSK_IMG_TYPE_VHD_VHD;
    case IMAGE_VMDK:
        return TSK_IMG_TYPE_VMDK_VMDK;
    default:
        return TSK_IMG_TYPE_RAW;
    }
}

/* ---- QCOW2 through libqcow, handed to TSK as an external image ---------- */

typedef struct qcow_img {
    TSK_IMG_INFO info; /* first: TSK casts the struct to this */
    libqcow_file_t *file;
} qcow_img;

static ssize_t qcow_img_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *dst,
                             size_t len)
{
    qcow_img *q = (qcow_img *)img;
    libqcow_error_t *error = NULL;
    ssize_t n;

    if (off < 0 || off >= img->size)
        return -1;
    if ((TSK_OFF_T)len > img->size - off)
        len = (size_t)(img->size - off);
    n = libqcow_file_read_buffer_at_offset(q->file, dst, len, off, &error);
    if (n < 0) {
        libqcow_error_free(&error);
        tsk_error_reset();
        tsk_error_set_errno(TSK_ERR_IMG_READ);
        tsk_error_set_errstr("qcow: read error at offset %lld", (long long)off);
        return -1;
    }
    return n;
}

static void qcow_img_close(TSK_IMG_INFO *img)
{
    qcow_img *q = (qcow_img *)img;

    if (q->file) {
        libqcow_file_close(q->file, NULL);
        libqcow_file_free(&q->file, NULL);
    }
    exh_free(q);
}

static void qcow_img_stat(TSK_IMG_INFO *img, FILE *out)
{
    (void)img;
    (void)out;
}

/* Opens a QCOW image; NULL with *msg set when it cannot be read. */
static TSK_IMG_INFO *qcow_open(const char *path, const char **msg)
{
    libqcow_error_t *error = NULL;
    libqcow_file_t *file = NULL;
    size64_t size = 0;
    qcow_img *q;
    int encrypted = 0;

    if (libqcow_file_initialize(&file, &error) != 1)
        goto fail;
    if (libqcow_file_open(file, path, LIBQCOW_OPEN_READ, &error) != 1) {
        *msg = "not a readable QCOW image (corrupt, truncated, or it needs "
               "a backing file)";
        goto fail;
    }
    if (libqcow_file_get_encryption_method(file, (uint32_t *)&encrypted,
                                           &error) == 1 &&
        encrypted != 0) {
        *msg = "the QCOW image is encrypted; not read";
        goto fail_close;
    }
    if (libqcow_file_get_media_size(file, &size, &error) != 1 || size == 0 ||
        size > (size64_t)INT64_MAX) {
        *msg = "the QCOW image has no readable media size";
        goto fail_close;
    }
    // TSK's own allocator is internal; the caller sets the tag.
    q = exh_calloc(1, sizeof(*q));
    if (!q) {
        *msg = "out of memory";
        goto fail_close;
    }
    q->file = file;
    q->info.tag = TSK_IMG_INFO_TAG;
    if (!tsk_img_open_external(q, (TSK_OFF_T)size, 512, qcow_img_read,
                               qcow_img_close, qcow_img_stat)) {
        exh_free(q);
        *msg = "the QCOW image cannot be opened";
        goto fail_close;
    }
    return &q->info;
fail_close:
    libqcow_file_close(file, NULL);
fail:
    if (!*msg)
        *msg = "not a readable QCOW image";
    libqcow_error_free(&error);
    if (file)
        libqcow_file_free(&file, NULL);
    return NULL;
}

/* ---- the walk ------------------------------------------------------------ */

/* A set of folder addresses already walked in one volume (MFT loops). */
typedef struct inum_set {
    uint64_t *slots; /* value + 1, 0 = empty */
    size_t n;        /* power of two */
    size_t count;
} inum_set;

/* Adds v; false when it was there already or memory ran out (*nomem). */
static bool inum_set_add(inum_set *s, uint64_t v, bool *nomem)
{
    if (s->count * 2 >= s->n) {
        size_t n = s->n ? s->n * 2 : 1024;
        uint64_t *slots = exh_calloc(n, sizeof(*slots));
        if (!slots) {
            *nomem = true;
            return false;
        }
        for (size_t i = 0; i < s->n; i++) {
            if (!s->slots[i])
                continue;
            size_t j = (size_t)(s->slots[i] * 0x9E3779B97F4A7C15ull) & (n - 1);
            while (slots[j])
                j = (j + 1) & (n - 1);
            slots[j] = s->slots[i];
        }
        exh_free(s->slots);
        s->slots = slots;
        s->n = n;
    }
    size_t j = (size_t)((v + 1) * 0x9E3779B97F4A7C15ull) & (s->n - 1);
    while (s->slots[j]) {
        if (s->slots[j] == v + 1)
            return false;
        j = (j + 1) & (s->n - 1);
    }
    s->slots[j] = v + 1;
    s->count++;
    return true;
}

/* The data stream of one entry, read through TSK: the walk's, and each
 * image_reader's. */
typedef struct image_data {
    stream s; /* reads through image_data_read() */
    TSK_FS_FILE *file;
    TSK_OFF_T off, size;
    bool ads; /* the alternate data stream ads_id */
    uint16_t ads_id;
    char msg[256]; /* the last read error */
} image_data;

typedef struct image_walker {
    const char *target;   /* the image's display path */
    const char *img_path; /* the image file, opened again by readers */
    image_kind_t kind;
    TSK_OFF_T vol_off;  /* the volume being walked */
    const char *prefix; /* put before "volN": "" or "CHILD/" */
    const source_opts *opts;
    const source_cbs *cbs;
    TSK_FS_INFO *fs;
    buf rel;  /* "volN/..." */
    buf disp; /* "IMAGE!/volN/..." */
    inum_set seen;
    ntfs_sds *sds; /* the volume's $Secure:$SDS, or NULL */
    size_t dirs;
    bool stopped;
    exh_status st;
    image_data d;    /* the data of the entry being delivered */
    entry_ntfs ntfs; /* what NTFS knows of the entry */
    /* the shadow copy being walked: "vol2@vss1" and its creation time */
    char snap_label[48];
    int64_t snap_ms;
    /* while a volume's shadow copies are walked: its live file system,
     * opened again for image_prefix_of_live() (NULL when it cannot be),
     * and the length of "PREFIX volN" on w->rel */
    TSK_FS_INFO *live_fs;
    size_t vol_mark;
    char owner[192];
    char msg[256];
} image_walker;

/* Copies TSK's last error, prefixed by what, into w->msg. */
static void image_note(image_walker *w, const char *what)
{
    const char *text = tsk_error_get();

    snprintf(w->msg, sizeof(w->msg), "%s%s", what,
             text && *text ? text : "unknown error");
    tsk_error_reset();
}

/* Reads up to len bytes of the entry's data stream (s->ctx, an
 * image_data): 0 at its end, -1 with errno EIO and TSK's error when TSK
 * cannot. */
static ssize_t image_data_read(stream *s, void *dst, size_t len)
{
    image_data *d = s->ctx;
    ssize_t n;

    if (d->off >= d->size)
        return 0;
    if ((TSK_OFF_T)len > d->size - d->off)
        len = (size_t)(d->size - d->off);
    if (d->ads)
        n = tsk_fs_file_read_type(d->file, TSK_FS_ATTR_TYPE_NTFS_DATA,
                                  d->ads_id, d->off, dst, len,
                                  TSK_FS_FILE_READ_FLAG_NONE);
    else
        n = tsk_fs_file_read(d->file, d->off, dst, len,
                             TSK_FS_FILE_READ_FLAG_NONE);
    if (n <= 0) {
        const char *text = tsk_error_get();
        snprintf(d->msg, sizeof(d->msg), "read failed: %s",
                 text && *text ? text : "unknown error");
        tsk_error_reset();
        s->error = d->msg;
        errno = EIO;
        return -1;
    }
    d->off += n;
    return n;
}

/* Starts reading f's data stream (the named stream ads when not NULL)
 * of size bytes. */
static stream *image_data_start(image_data *d, TSK_FS_FILE *f, bool ads,
                                uint16_t ads_id, TSK_OFF_T size)
{
    d->file = f;
    d->off = 0;
    d->size = size > 0 ? size : 0;
    d->ads = ads;
    d->ads_id = ads ? ads_id : 0;
    d->s.read = image_data_read;
    d->s.ctx = d;
    d->s.error = NULL;
    return &d->s;
}

/* Cuts a path buffer back to len bytes. */
static void image_cut(buf *b, size_t len)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
}

static void image_error(image_walker *w, const char *msg)
{
    w->cbs->on_error(w->cbs->user, w->disp.data ? w->disp.data : w->target,
                     msg);
}

static int64_t image_ms(time_t sec, uint32_t nsec)
{
    if (sec == 0)
        return INT64_MIN;
    return source_ms((int64_t)sec, (int64_t)nsec);
}

/* The owner SID of f into w->owner ("" when unknown): from $Secure:$SDS
 * through TSK (Windows), else from the file's own $SECURITY_DESCRIPTOR
 * attribute (ntfs-3g, NTFS 1.x). */
static void image_owner(image_walker *w, TSK_FS_FILE *f)
{
    const TSK_FS_ATTR *a;
    unsigned char *sd;
    char *sid = NULL;
    ssize_t n;

    w->owner[0] = '\0';
    if (tsk_fs_file_get_owner_sid(f, &sid) == 0 && sid) {
        snprintf(w->owner, sizeof(w->owner), "%s", sid);
        free(sid); // TSK allocates with malloc()
        return;
    }
    tsk_error_reset();
    // The security id in $STANDARD_INFORMATION (NTFS 3.x), looked up in
    // $Secure:$SDS by our own reader (TSK's lookup misses ntfs-3g's).
    unsigned char si[72];
    n = tsk_fs_file_read_type(f, TSK_FS_ATTR_TYPE_NTFS_SI, 0, 0, (char *)si,
                              sizeof(si), TSK_FS_FILE_READ_FLAG_NOID);
    tsk_error_reset();
    if (n >= 0x38 && w->sds) {
        uint32_t id = le32(si + 0x34);
        if (id && ntfs_sds_owner(w->sds, id, w->owner, sizeof(w->owner)))
            return;
        w->owner[0] = '\0';
    }
    // ntfs-3g without a security id: a descriptor in the file's record.
    a = tsk_fs_file_attr_get_type(f, TSK_FS_ATTR_TYPE_NTFS_SEC, 0, 0);
    tsk_error_reset();
    if (!a || a->size < 20 || a->size > 65536)
        return;
    sd = exh_malloc((size_t)a->size);
    if (!sd)
        return;
    n = tsk_fs_file_read_type(f, TSK_FS_ATTR_TYPE_NTFS_SEC, 0, 0, (char *)sd,
                              (size_t)a->size, TSK_FS_FILE_READ_FLAG_NOID);
    tsk_error_reset();
    if (n <= 0 || !ntfs_sd_owner(sd, (size_t)n, w->owner, sizeof(w->owner)))
        w->owner[0] = '\0';
    exh_free(sd);
}

#define IMAGE_CMP_CHUNK (64u << 10) /* bytes compared per read */

/* entry_ntfs.prefix_of_live: compares the snapshot file being delivered
 * with the live volume's file at the same path, a chunk of each at a time
 * (read at offsets: the entry's stream is not moved). */
static int image_prefix_of_live(const entry_ntfs *n, uint64_t *lines)
{
    image_walker *w = n->ctx;
    TSK_FS_FILE *live;
    char *mine, *theirs;
    int same = 0;

    *lines = 0;
    if (!w->live_fs || !w->d.file || w->d.ads || n->deleted ||
        w->rel.len <= w->vol_mark || w->rel.data[w->vol_mark] != '/')
        return 0;
    // TSK looks the path up in the live volume's folder indexes (NTFS
    // names compare case-insensitively).
    live = tsk_fs_file_open(w->live_fs, NULL, w->rel.data + w->vol_mark);
    tsk_error_reset();
    if (!live)
        return 0;
    mine = exh_malloc(2 * (size_t)IMAGE_CMP_CHUNK);
    if (mine && live->meta && live->meta->type == TSK_FS_META_TYPE_REG &&
        live->meta->size >= w->d.size) {
        theirs = mine + IMAGE_CMP_CHUNK;
        same = 1;
        for (TSK_OFF_T off = 0; off < w->d.size && same;
             off += IMAGE_CMP_CHUNK) {
            size_t len = IMAGE_CMP_CHUNK;
            if ((TSK_OFF_T)len > w->d.size - off)
                len = (size_t)(w->d.size - off);
            ssize_t a = tsk_fs_file_read(w->d.file, off, mine, len,
                                         TSK_FS_FILE_READ_FLAG_NONE);
            ssize_t b = tsk_fs_file_read(live, off, theirs, len,
                                         TSK_FS_FILE_READ_FLAG_NONE);
            if (a != (ssize_t)len || b != (ssize_t)len ||
                memcmp(mine, theirs, len) != 0)
                same = 0;
            for (const char *p = mine; same && p < mine + len; p++) {
                p = memchr(p, '\n', (size_t)(mine + len - p));
                if (!p)
                    break;
                (*lines)++;
            }
        }
    }
    tsk_error_reset();
    exh_free(mine);
    tsk_fs_file_close(live);
    if (!same)
        *lines = 0;
    return same;
}

/* Fills w->ntfs for f. */
static void image_ntfs_facts(image_walker *w, TSK_FS_FILE *f, bool deleted)
{
    const TSK_FS_META *m = f->meta;

    memset(&w->ntfs, 0, sizeof(w->ntfs));
    w->ntfs.si_created = image_ms(m->crtime, m->crtime_nano);
    w->ntfs.si_modified = image_ms(m->mtime, m->mtime_nano);
    w->ntfs.si_changed = image_ms(m->ctime, m->ctime_nano);
    w->ntfs.si_accessed = image_ms(m->atime, m->atime_nano);
    w->ntfs.fn_created = image_ms(m->time2.ntfs.fn_crtime,
                                  (uint32_t)m->time2.ntfs.fn_crtime_nano);
    w->ntfs.fn_modified =
        image_ms(m->time2.ntfs.fn_mtime, (uint32_t)m->time2.ntfs.fn_mtime_nano);
    w->ntfs.fn_changed =
        image_ms(m->time2.ntfs.fn_ctime, (uint32_t)m->time2.ntfs.fn_ctime_nano);
    w->ntfs.fn_accessed =
        image_ms(m->time2.ntfs.fn_atime, (uint32_t)m->time2.ntfs.fn_atime_nano);
    image_owner(w, f);
    w->ntfs.owner = w->owner[0] ? w->owner : NULL;
    w->ntfs.deleted = deleted;
    w->ntfs.snapshot = w->snap_label[0] ? w->snap_label : NULL;
    w->ntfs.snapshot_ms = w->snap_ms;
    if (w->snap_label[0] && w->live_fs) {
        w->ntfs.prefix_of_live = image_prefix_of_live;
        w->ntfs.ctx = w;
    }
}

/* Delivers one stream of f: the default one (ads NULL) or the alternate
 * data stream ads, whose name is already on w->rel/w->disp. data false:
 * listed only (a deleted file whose clusters were reused). */
static void image_deliver(image_walker *w, TSK_FS_FILE *f,
                          const TSK_FS_ATTR *ads, bool data)
{
    TSK_OFF_T size = ads ? ads->size : f->meta->size;
    entry e;

    memset(&e, 0, sizeof(e));
    e.path = w->rel.data;
    e.display_path = w->disp.data;
    e.size = size > 0 ? (uint64_t)size : 0;
    // $SI times, unless $SI creation was set before $FN creation (the
    // mark of timestomping): then $FN's, which user-mode tools cannot set.
    if (w->ntfs.fn_created != INT64_MIN && w->ntfs.si_created != INT64_MIN &&
        w->ntfs.si_created < w->ntfs.fn_created) {
        e.modified_ms = w->ntfs.fn_modified;
        e.created_ms = w->ntfs.fn_created;
        e.time_source = "ntfs-fn";
    } else {
        e.modified_ms = w->ntfs.si_modified;
        e.created_ms = w->ntfs.si_created;
        e.time_source = "ntfs-si";
    }
    e.open_path = NULL;
    w->ntfs.stream = ads ? ads->name : NULL;
    w->ntfs.image = w->ntfs.snapshot || w->ntfs.deleted ? NULL : w->img_path;
    w->ntfs.image_kind = (int)w->kind;
    w->ntfs.vol_offset = (int64_t)w->vol_off;
    w->ntfs.inum = (uint64_t)f->meta->addr;
    w->ntfs.attr_ads = ads != NULL;
    w->ntfs.attr_id = ads ? ads->id : 0;
    e.ntfs = &w->ntfs;
    stream *in =
        image_data_start(&w->d, f, ads != NULL, ads ? ads->id : 0, size);
    e.in = data ? in : NULL;
    if (!w->cbs->on_entry(w->cbs->user, &e))
        w->stopped = true;
    w->d.file = NULL;
    w->d.ads = false;
}

/* True when every cluster of the non-resident attribute a is free, so a
 * deleted file's data is still what it was (resident data always is). */
static bool image_clusters_free(TSK_FS_INFO *fs, const TSK_FS_ATTR *a)
{
    uint64_t checked = 0;

    if (!a || !(a->flags & TSK_FS_ATTR_NONRES))
        return true;
    for (const TSK_FS_ATTR_RUN *r = a->nrd.run; r; r = r->next) {
        if (r->flags &
            (TSK_FS_ATTR_RUN_FLAG_FILLER | TSK_FS_ATTR_RUN_FLAG_SPARSE))
            continue;
        for (TSK_DADDR_T b = 0; b < r->len; b++) {
            if (r->addr + b > fs->last_block ||
                (fs->block_getflags(fs, r->addr + b) & TSK_FS_BLOCK_FLAG_ALLOC))
                return false;
            // Bounded: a corrupt run list must not take forever.
            if (++checked > (1u << 20))
                return false;
        }
    }
    return true;
}

#define IMAGE_REPARSE_WOF 0x80000017u /* IO_REPARSE_TAG_WOF */

/* The tag of f's reparse point, 0 when it has none. */
static uint32_t image_reparse_tag(TSK_FS_FILE *f)
{
    unsigned char tag[4];
    const TSK_FS_ATTR *a =
        tsk_fs_file_attr_get_type(f, TSK_FS_ATTR_TYPE_NTFS_REPARSE, 0, 0);
    ssize_t n = -1;

    if (a)
        n = tsk_fs_file_read_type(f, TSK_FS_ATTR_TYPE_NTFS_REPARSE, 0, 0,
                                  (char *)tag, sizeof(tag),
                                  TSK_FS_FILE_READ_FLAG_NOID);
    tsk_error_reset();
    return n == (ssize_t)sizeof(tag) ? le32(tag) : 0;
}

/* Delivers the regular file f (its name already on w->rel/w->disp) and
 * its alternate data streams ("name:stream"). */
static void image_file(image_walker *w, TSK_FS_FILE *f, bool deleted)
{
    size_t rel_mark = w->rel.len, disp_mark = w->disp.len;
    bool data = true, wof = false;
    int count;

    image_ntfs_facts(w, f, deleted);
    if (deleted) {
        const TSK_FS_ATTR *a =
            tsk_fs_file_attr_get_type(f, TSK_FS_ATTR_TYPE_NTFS_DATA, 0, 0);
        tsk_error_reset();
        data = image_clusters_free(w->fs, a);
    }
    // Windows' own file compression (compact.exe, CompactOS: XPRESS or
    // LZX in the WofCompressedData stream, the unnamed stream left sparse)
    // is one TSK does not undo: listed, said so, not scanned.
    if (image_reparse_tag(f) == IMAGE_REPARSE_WOF) {
        wof = true;
        data = false;
        image_error(w, "compressed by Windows (WOF: XPRESS or LZX, as "
                       "compact.exe leaves files): not readable here, "
                       "not scanned");
    } else if (!deleted && !tsk_fs_file_attr_get_type(
                               f, TSK_FS_ATTR_TYPE_NTFS_DATA, 0, 0)) {
        // Every NTFS file has an unnamed $DATA; TSK drops the attributes
        // of a record whose run list it cannot use (a run past the end of
        // the volume) and would hand on an empty file.
        tsk_error_reset();
        data = false;
        image_error(w, "its data cannot be read: the file's NTFS attributes "
                       "are damaged (e.g. a data run past the end of the "
                       "volume); not scanned");
    }
    image_deliver(w, f, NULL, data);
    count = tsk_fs_file_attr_getsize(f);
    for (int i = 0; i < count && !w->stopped && !deleted; i++) {
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
        if (!a || a->type != TSK_FS_ATTR_TYPE_NTFS_DATA || !a->name ||
            !a->name[0])
            continue;
        if (wof && strcmp(a->name, "WofCompressedData") == 0)
            continue;
        if (buf_putc(&w->rel, ':') == EXH_ERR_NOMEM ||
            buf_puts(&w->rel, a->name) == EXH_ERR_NOMEM ||
            buf_putc(&w->disp, ':') == EXH_ERR_NOMEM ||
            buf_puts(&w->disp, a->name) == EXH_ERR_NOMEM) {
            w->st = EXH_ERR_NOMEM;
            break;
        }
        if (!w->rel.toobig && !w->disp.toobig)
            image_deliver(w, f, a, true);
        image_cut(&w->rel, rel_mark);
        image_cut(&w->disp, disp_mark);
    }
    tsk_error_reset();
}

static void image_dir(image_walker *w, TSK_INUM_T inum, unsigned depth);

/* Handles entry i of folder d. */
static void image_child(image_walker *w, TSK_FS_DIR *d, size_t i,
                        unsigned depth)
{
    const TSK_FS_NAME *nm = tsk_fs_dir_get_name(d, i);
    size_t rel_mark = w->rel.len, disp_mark = w->disp.len;
    TSK_FS_FILE *f;

    bool deleted;

    if (!nm || !nm->name)
        return;
    deleted = !(nm->flags & TSK_FS_NAME_FLAG_ALLOC);
    if (deleted && !w->opts->deleted)
        return;
    if (strcmp(nm->name, ".") == 0 || strcmp(nm->name, "..") == 0)
        return;
    // NTFS metadata files ($MFT, $Extend...) sit at the root only.
    if (depth == 0 && nm->name[0] == '$')
        return;
    if (nm->type != TSK_FS_NAME_TYPE_DIR && nm->type != TSK_FS_NAME_TYPE_REG &&
        nm->type != TSK_FS_NAME_TYPE_UNDEF)
        return;
    if (buf_putc(&w->rel, '/') == EXH_ERR_NOMEM ||
        buf_puts(&w->rel, nm->name) == EXH_ERR_NOMEM ||
        buf_putc(&w->disp, '/') == EXH_ERR_NOMEM ||
        buf_puts(&w->disp, nm->name) == EXH_ERR_NOMEM) {
        w->st = EXH_ERR_NOMEM;
        goto out;
    }
    if (w->rel.toobig || w->disp.toobig) {
        image_cut(&w->disp, disp_mark);
        image_error(w, "path longer than 64 KiB; not read");
        goto out;
    }
    // TSK's tsk_fs_dir_get() refuses a deleted name whose entry's sequence
    // number moved on, as deletion itself does: open the entry directly.
    f = deleted ? tsk_fs_file_open_meta(w->fs, NULL, nm->meta_addr)
                : tsk_fs_dir_get(d, i);
    if (deleted && (!f || !f->meta)) {
        if (f)
            tsk_fs_file_close(f);
        tsk_error_reset();
        goto out;
    }
    if (!f || !f->meta) {
        image_note(w, "entry cannot be read: ");
        image_error(w, w->msg);
        if (f)
            tsk_fs_file_close(f);
        goto out;
    }
    // A deleted name whose MFT entry was reused names another file now:
    // deletion adds one to the sequence number, reuse more, and the entry
    // keeps its last name.
    if (deleted &&
        (!(f->meta->flags & TSK_FS_META_FLAG_UNALLOC) ||
         (f->meta->seq != nm->meta_seq &&
          f->meta->seq != (uint16_t)(nm->meta_seq + 1)) ||
         !f->meta->name2 || strcmp(f->meta->name2->name, nm->name) != 0)) {
        tsk_fs_file_close(f);
        goto out;
    }
    if (f->meta->type == TSK_FS_META_TYPE_DIR) {
        tsk_fs_file_close(f);
        // Deleted folders are not entered: their index is gone or stale.
        if (deleted)
            goto out;
        if (depth + 1 >= SOURCES_MAX_DEPTH) {
            image_error(w, "folder nested deeper than 64 levels; not read");
            goto out;
        }
        image_dir(w, nm->meta_addr, depth + 1);
    } else if (f->meta->type == TSK_FS_META_TYPE_REG) {
        image_file(w, f, deleted);
        tsk_fs_file_close(f);
    } else {
        tsk_fs_file_close(f);
    }
out:
    image_cut(&w->rel, rel_mark);
    image_cut(&w->disp, disp_mark);
}

/* Walks the folder at inum (its path is on w->rel/w->disp). */
static void image_dir(image_walker *w, TSK_INUM_T inum, unsigned depth)
{
    TSK_FS_DIR *d;
    bool nomem = false;

    if (!inum_set_add(&w->seen, (uint64_t)inum, &nomem)) {
        if (nomem)
            w->st = EXH_ERR_NOMEM;
        else
            image_error(w, "folder loop in the file system; not read again");
        return;
    }
    if (++w->dirs > IMAGE_MAX_DIRS) {
        if (w->dirs == IMAGE_MAX_DIRS + 1)
            image_error(w, "more than 4194304 folders in the volume; the "
                           "rest is not read");
        return;
    }
    d = tsk_fs_dir_open_meta(w->fs, inum);
    if (!d) {
        image_note(w, "folder cannot be read: ");
        image_error(w, w->msg);
        return;
    }
    size_t n = tsk_fs_dir_getsize(d);
    for (size_t i = 0; i < n && !w->stopped && w->st == EXH_OK; i++)
        image_child(w, d, i, depth);
    tsk_fs_dir_close(d);
}

/* Reads the volume's $Secure:$SDS (at most 64 MiB) for owners. */
static ntfs_sds *image_load_sds(TSK_FS_INFO *fs)
{
    TSK_FS_FILE *sec = tsk_fs_file_open_meta(fs, NULL, 9); // $Secure
    const TSK_FS_ATTR *a = NULL;
    unsigned char *data = NULL;
    ntfs_sds *sds = NULL;
    ssize_t n;

    if (!sec || !sec->meta)
        goto out;
    int count = tsk_fs_file_attr_getsize(sec);
    for (int i = 0; i < count && !a; i++) {
        const TSK_FS_ATTR *c = tsk_fs_file_attr_get_idx(sec, i);
        if (c && c->type == TSK_FS_ATTR_TYPE_NTFS_DATA && c->name &&
            strcmp(c->name, "$SDS") == 0)
            a = c;
    }
    if (!a || a->size <= 0 || a->size > ((TSK_OFF_T)64 << 20))
        goto out;
    data = exh_malloc((size_t)a->size);
    if (!data)
        goto out;
    n = tsk_fs_file_read_type(sec, TSK_FS_ATTR_TYPE_NTFS_DATA, a->id, 0,
                              (char *)data, (size_t)a->size,
                              TSK_FS_FILE_READ_FLAG_NONE);
    if (n <= 0) {
        exh_free(data);
        goto out;
    }
    sds = ntfs_sds_parse(data, (size_t)n);
out:
    if (sec)
        tsk_fs_file_close(sec);
    tsk_error_reset();
    return sds;
}

/* Walks the file system open in w->fs from its root, then closes it. */
static void image_walk_fs(image_walker *w)
{
    memset(&w->seen, 0, sizeof(w->seen));
    w->dirs = 0;
    w->sds = image_load_sds(w->fs);
    image_dir(w, w->fs->root_inum, 0);
    ntfs_sds_free(w->sds);
    w->sds = NULL;
    exh_free(w->seen.slots);
    memset(&w->seen, 0, sizeof(w->seen));
    tsk_fs_close(w->fs);
    w->fs = NULL;
}

/* ---- volume shadow copies: libvshadow over the volume's bytes ------------
 * libvshadow reads a volume through a libbfio handle; ours reads the
 * volume's byte range of the TSK image (so every image format works), and
 * each store is handed back to TSK as an external image whose reads are
 * libvshadow_store_read_buffer_at_offset(). Nothing here parses VSS bytes:
 * libvshadow does. */

typedef struct vss_io {
    TSK_IMG_INFO *img; /* borrowed */
    TSK_OFF_T base;    /* the volume's offset in img */
    TSK_OFF_T size;    /* its length */
    TSK_OFF_T pos;
    bool open;
} vss_io;

static int vss_io_free(intptr_t **io, libbfio_error_t **error)
{
    (void)error;
    if (io && *io) {
        exh_free(*io);
        *io = NULL;
    }
    return 1;
}

static int vss_io_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **error)
{
    vss_io *c;

    (void)error;
    if (!dst || !src)
        return -1;
    c = exh_malloc(sizeof(*c));
    if (!c)
        return -1;
    *c = *(vss_io *)src;
    c->open = false;
    c->pos = 0;
    *dst = (intptr_t *)c;
    return 1;
}

static int vss_io_open(intptr_t *io, int flags, libbfio_error_t **error)
{
    (void)error;
    // Evidence is read only.
    if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1;
    ((vss_io *)io)->open = true;
    ((vss_io *)io)->pos = 0;
    return 1;
}

static int vss_io_close(intptr_t *io, libbfio_error_t **error)
{
    (void)error;
    ((vss_io *)io)->open = false;
    return 0;
}

static ssize_t vss_io_read(intptr_t *io, uint8_t *dst, size_t len,
                           libbfio_error_t **error)
{
    vss_io *v = (vss_io *)io;
    ssize_t n;

    (void)error;
    if (!v->open || v->pos < 0)
        return -1;
    if (v->pos >= v->size)
        return 0;
    if ((TSK_OFF_T)len > v->size - v->pos)
        len = (size_t)(v->size - v->pos);
    n = tsk_img_read(v->img, v->base + v->pos, (char *)dst, len);
    if (n < 0) {
        tsk_error_reset();
        return -1;
    }
    v->pos += n;
    return n;
}

static ssize_t vss_io_write(intptr_t *io, const uint8_t *src, size_t len,
                            libbfio_error_t **error)
{
    (void)io;
    (void)src;
    (void)len;
    (void)error;
    return -1;
}

static off64_t vss_io_seek(intptr_t *io, off64_t off, int whence,
                           libbfio_error_t **error)
{
    vss_io *v = (vss_io *)io;
    TSK_OFF_T at;

    (void)error;
    if (whence == SEEK_SET)
        at = off;
    else if (whence == SEEK_CUR)
        at = v->pos + off;
    else if (whence == SEEK_END)
        at = v->size + off;
    else
        return -1;
    if (at < 0)
        return -1;
    v->pos = at;
    return at;
}

static int vss_io_exists(intptr_t *io, libbfio_error_t **error)
{
    (void)io;
    (void)error;
    return 1;
}

static int vss_io_is_open(intptr_t *io, libbfio_error_t **error)
{
    (void)error;
    return ((vss_io *)io)->open ? 1 : 0;
}

static int vss_io_size(intptr_t *io, size64_t *size, libbfio_error_t **error)
{
    (void)error;
    *size = (size64_t)((vss_io *)io)->size;
    return 1;
}

/* One store as a TSK image. */
typedef struct vss_img {
    TSK_IMG_INFO info; /* first: TSK casts the struct to this */
    libvshadow_store_t *store;
} vss_img;

static ssize_t vss_img_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *dst,
                            size_t len)
{
    vss_img *v = (vss_img *)img;
    libvshadow_error_t *error = NULL;
    ssize_t n;

    if (off < 0 || off >= img->size)
        return -1;
    if ((TSK_OFF_T)len > img->size - off)
        len = (size_t)(img->size - off);
    n = libvshadow_store_read_buffer_at_offset(v->store, dst, len, off, &error);
    if (n < 0) {
        libvshadow_error_free(&error);
        tsk_error_reset();
        tsk_error_set_errno(TSK_ERR_IMG_READ);
        tsk_error_set_errstr("shadow copy: read error at offset %lld",
                             (long long)off);
        return -1;
    }
    return n;
}

static void vss_img_close(TSK_IMG_INFO *img)
{
    vss_img *v = (vss_img *)img;

    if (v->store)
        libvshadow_store_free(&v->store, NULL);
    exh_free(v);
}

/* A FILETIME as ms since the epoch; INT64_MIN for 0. */
static int64_t vss_filetime_ms(uint64_t ft)
{
    if (ft == 0)
        return INT64_MIN;
    return (int64_t)(ft / 10000) - 11644473600000LL;
}

/* w->msg = what + libvshadow's error (its last line), and frees error. */
static void vss_note(image_walker *w, const char *what,
                     libvshadow_error_t **error)
{
    char text[512] = "";

    if (error && *error)
        libvshadow_error_sprint(*error, text, sizeof(text));
    libvshadow_error_free(error);
    // The message is a backtrace, one call per line: keep the first.
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    snprintf(w->msg, sizeof(w->msg), "%s%s", what,
             text[0] ? text : "unknown error");
}

/* Walks store index i of volume as "label@vssN" (N = i + 1). */
static void image_store(image_walker *w, libvshadow_volume_t *volume, int i,
                        const char *label)
{
    libvshadow_error_t *error = NULL;
    libvshadow_store_t *store = NULL;
    uint64_t ft = 0;
    size64_t size = 0;
    vss_img *v;

    w->vol_mark = w->rel.len;
    snprintf(w->snap_label, sizeof(w->snap_label), "%s@vss%d", label, i + 1);
    buf_reset(&w->disp);
    buf_puts(&w->disp, w->target);
    buf_puts(&w->disp, "!/");
    buf_puts(&w->disp, w->snap_label);
    if (libvshadow_volume_get_store(volume, i, &store, &error) != 1) {
        vss_note(w, "shadow copy cannot be read: ", &error);
        image_error(w, w->msg);
        return;
    }
    if (libvshadow_store_get_creation_time(store, &ft, &error) != 1)
        libvshadow_error_free(&error);
    if (libvshadow_store_get_volume_size(store, &size, &error) != 1 ||
        size == 0 || size > (size64_t)INT64_MAX) {
        vss_note(w, "shadow copy has no readable size: ", &error);
        image_error(w, w->msg);
        libvshadow_store_free(&store, NULL);
        return;
    }
    w->snap_ms = vss_filetime_ms(ft);
    v = exh_calloc(1, sizeof(*v));
    if (!v) {
        libvshadow_store_free(&store, NULL);
        w->st = EXH_ERR_NOMEM;
        return;
    }
    v->store = store;
    v->info.tag = TSK_IMG_INFO_TAG;
    if (!tsk_img_open_external(v, (TSK_OFF_T)size, 512, vss_img_read,
                               vss_img_close, qcow_img_stat)) {
        tsk_error_reset();
        vss_img_close(&v->info);
        image_error(w, "shadow copy cannot be opened");
        return;
    }
    w->fs = tsk_fs_open_img(&v->info, 0, TSK_FS_TYPE_NTFS);
    if (!w->fs) {
        image_note(w, "shadow copy is not a readable NTFS volume: ");
        image_error(w, w->msg);
    } else {
        if (w->cbs->on_note) {
            char when[32] = "an unknown time", note[128];
            if (w->snap_ms != INT64_MIN)
                util_time_format(w->snap_ms, when);
            snprintf(note, sizeof(note), "shadow copy %d of %s, made %s: read",
                     i + 1, label, when);
            w->cbs->on_note(w->cbs->user, w->disp.data, note);
        }
        image_walk_fs(w);
    }
    tsk_img_close(&v->info);
}

/* Walks every shadow copy of the volume at off (len bytes) of img, whose
 * live file system was just walked as label ("vol2"). */
static void image_shadows(image_walker *w, TSK_IMG_INFO *img, TSK_OFF_T off,
                          TSK_OFF_T len, const char *label)
{
    libbfio_handle_t *h = NULL;
    libbfio_error_t *berr = NULL;
    libvshadow_error_t *error = NULL;
    libvshadow_volume_t *volume = NULL;
    vss_io *io;
    int stores = 0, sig;
    size_t rel_mark = w->rel.len;
    const char *why = lazy_vshadow_load();

    if (why) {
        snprintf(w->msg, sizeof(w->msg), "shadow copies cannot be read: %s",
                 why);
        image_error(w, w->msg);
        return;
    }
    io = exh_calloc(1, sizeof(*io));
    if (!io) {
        w->st = EXH_ERR_NOMEM;
        return;
    }
    io->img = img;
    io->base = off;
    io->size = len;
    if (libbfio_handle_initialize(&h, (intptr_t *)io, vss_io_free, vss_io_clone,
                                  vss_io_open, vss_io_close, vss_io_read,
                                  vss_io_write, vss_io_seek, vss_io_exists,
                                  vss_io_is_open, vss_io_size,
                                  LIBBFIO_FLAG_IO_HANDLE_MANAGED |
                                      LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION,
                                  &berr) != 1) {
        libbfio_error_free(&berr);
        exh_free(io);
        image_error(w, "shadow copies cannot be read: libbfio failed");
        return;
    }
    sig = libvshadow_check_volume_signature_file_io_handle(h, &error);
    libvshadow_error_free(&error);
    if (sig != 1) {
        if (w->cbs->on_note)
            w->cbs->on_note(w->cbs->user, w->disp.data,
                            "no volume shadow copies (no VSS volume header)");
        goto out;
    }
    if (libvshadow_volume_initialize(&volume, &error) != 1) {
        libvshadow_error_free(&error);
        w->st = EXH_ERR_NOMEM;
        goto out;
    }
    if (libvshadow_volume_open_file_io_handle(volume, h, LIBVSHADOW_OPEN_READ,
                                              &error) != 1) {
        vss_note(w,
                 "shadow copies cannot be read (corrupt VSS data): ", &error);
        image_error(w, w->msg);
        goto out;
    }
    if (libvshadow_volume_get_number_of_stores(volume, &stores, &error) != 1) {
        vss_note(w, "shadow copies cannot be read: ", &error);
        image_error(w, w->msg);
        stores = 0;
    } else if (stores == 0 && w->cbs->on_note) {
        w->cbs->on_note(w->cbs->user, w->disp.data,
                        "no volume shadow copies (VSS is on, its catalog "
                        "lists none)");
    }
    if (stores > IMAGE_MAX_STORES) {
        image_error(w, "more than 64 shadow copies; the rest is not read");
        stores = IMAGE_MAX_STORES;
    }
    // The live file system again, for the consumer's question whether a
    // snapshot's log is the start of the live one (image_prefix_of_live);
    // without it every snapshot file is read in full.
    if (stores > 0) {
        w->live_fs = tsk_fs_open_img(img, off, TSK_FS_TYPE_NTFS);
        tsk_error_reset();
    }
    for (int i = 0; i < stores && !w->stopped && w->st == EXH_OK; i++) {
        image_cut(&w->rel, rel_mark);
        image_store(w, volume, i, label);
    }
    if (w->live_fs)
        tsk_fs_close(w->live_fs);
    w->live_fs = NULL;
    w->snap_label[0] = '\0';
    w->snap_ms = 0;
    libvshadow_volume_close(volume, NULL);
out:
    if (volume)
        libvshadow_volume_free(&volume, NULL);
    libbfio_handle_free(&h, NULL);
}

/* Walks one file system at byte offset off of img (len bytes long) as
 * volume number vol, then its shadow copies when asked to. */
static void image_volume(image_walker *w, TSK_IMG_INFO *img, TSK_OFF_T off,
                         TSK_OFF_T len, unsigned vol)
{
    char label[32];
    unsigned char boot[16];

    snprintf(label, sizeof(label), "vol%u", vol);
    buf_reset(&w->rel);
    buf_puts(&w->rel, w->prefix);
    buf_puts(&w->rel, label);
    buf_reset(&w->disp);
    buf_puts(&w->disp, w->target);
    buf_puts(&w->disp, "!/");
    buf_puts(&w->disp, label);
    if (w->rel.toobig || w->disp.toobig) {
        w->st = EXH_ERR_NOMEM;
        return;
    }
    memset(boot, 0, sizeof(boot));
    (void)tsk_img_read(img, off, (char *)boot, sizeof(boot));
    tsk_error_reset();
    if (memcmp(boot + 3, "ReFS", 4) == 0) {
        image_error(w, "ReFS volume: not readable (exhunt reads NTFS)");
        return;
    }
    if (memcmp(boot + 3, "-FVE-FS-", 8) == 0) {
        image_error(w, "BitLocker-encrypted volume: not readable (decrypt "
                       "it first, e.g. with dislocker)");
        return;
    }
    w->vol_off = off;
    w->fs = tsk_fs_open_img(img, off, TSK_FS_TYPE_NTFS);
    if (!w->fs) {
        image_note(w, "not a readable NTFS volume: ");
        image_error(w, w->msg);
        return;
    }
    image_walk_fs(w);
    if (w->opts->shadows && !w->stopped && w->st == EXH_OK)
        image_shadows(w, img, off, len, label);
}

/* True when the partition p may hold a file system worth trying. */
static bool image_part_wanted(const TSK_VS_PART_INFO *p)
{
    return (p->flags & TSK_VS_PART_FLAG_ALLOC) != 0 && p->len > 0;
}

/* ---- damaged partition tables: our own reading --------------------------
 * TSK reads one table or none: a GPT whose primary header or entries are
 * damaged gives no volume (the protective MBR, or garbage entries), an MBR
 * with one damaged entry none at all. Then the MBR's four entries and the
 * backup GPT (its header in the image's last sector) are read here, and
 * every candidate whose first sector is an NTFS, ReFS or BitLocker boot
 * sector is walked. */

#define IMAGE_GUESS_MAX 128 /* candidate partitions looked at */

bool image_gpt_entries(const unsigned char *hdr, uint64_t sectors,
                       uint64_t *lba, size_t *len)
{
    uint64_t at = le64(hdr + 72);
    uint32_t count = le32(hdr + 80), size = le32(hdr + 84);

    if (memcmp(hdr, "EFI PART", 8) != 0 || size < 128 || size > 4096 ||
        size % 8 != 0 || count == 0 || count > 65536u / size || at < 2 ||
        at >= sectors)
        return false;
    *lba = at;
    *len = (size_t)count * size;
    // The entries must lie inside the image.
    return (*len + 511) / 512 <= sectors - at;
}

/* Adds the candidate [first, first + n) when it lies inside the image and
 * is new; false when the list is full. */
static bool image_guess_add(uint64_t first, uint64_t n, uint64_t sectors,
                            uint64_t *start, uint64_t *count, size_t *used,
                            size_t max)
{
    if (first == 0 || n == 0 || first >= sectors)
        return true;
    for (size_t i = 0; i < *used; i++)
        if (start[i] == first)
            return true;
    if (*used >= max)
        return false;
    start[*used] = first;
    count[*used] = n > sectors - first ? sectors - first : n;
    (*used)++;
    return true;
}

size_t image_guess_parts(const unsigned char *mbr, const unsigned char *hdr,
                         const unsigned char *entries, size_t len,
                         uint64_t sectors, uint64_t *start, uint64_t *count,
                         size_t max)
{
    size_t used = 0;

    if (mbr && mbr[510] == 0x55 && mbr[511] == 0xAA)
        for (int i = 0; i < 4; i++) {
            const unsigned char *e = mbr + 446 + 16 * i;
            // 0xEE: GPT's protective entry; 0x05/0x0F: extended, whose
            // logical volumes TSK alone follows.
            if (e[4] == 0 || e[4] == 0xEE || e[4] == 0x05 || e[4] == 0x0F)
                continue;
            if (!image_guess_add(le32(e + 8), le32(e + 12), sectors, start,
                                 count, &used, max))
                return used;
        }
    if (!hdr || !entries)
        return used;
    uint32_t size = le32(hdr + 84);
    if (size < 128 || size > 4096)
        return used;
    for (size_t off = 0; off + size <= len; off += size) {
        const unsigned char *e = entries + off;
        static const unsigned char zero[16];
        uint64_t first = le64(e + 32), last = le64(e + 40);
        if (memcmp(e, zero, 16) == 0 || last < first)
            continue;
        if (!image_guess_add(first, last - first + 1, sectors, start, count,
                             &used, max))
            break;
    }
    return used;
}

/* True when the sector at off of img begins an NTFS, ReFS or BitLocker
 * volume. */
static bool image_volume_at(TSK_IMG_INFO *img, TSK_OFF_T off)
{
    unsigned char boot[16];

    memset(boot, 0, sizeof(boot));
    (void)tsk_img_read(img, off, (char *)boot, sizeof(boot));
    tsk_error_reset();
    return memcmp(boot + 3, "NTFS    ", 8) == 0 ||
           memcmp(boot + 3, "ReFS", 4) == 0 ||
           memcmp(boot + 3, "-FVE-FS-", 8) == 0;
}

/* Walks the volumes our own reading of img's MBR and backup GPT finds
 * (image_guess_parts), after TSK found none: why says why (TSK's message).
 * Returns how many were walked. */
static unsigned image_fallback(image_walker *w, TSK_IMG_INFO *img,
                               const char *why)
{
    uint64_t sectors = (uint64_t)img->size / 512, lba = 0;
    uint64_t start[IMAGE_GUESS_MAX], count[IMAGE_GUESS_MAX];
    unsigned char mbr[512], hdr[512];
    unsigned char *entries = NULL;
    size_t len = 0, n;
    unsigned vol = 0;
    char note[512];

    if (sectors < 2)
        return 0;
    memset(mbr, 0, sizeof(mbr));
    memset(hdr, 0, sizeof(hdr));
    (void)tsk_img_read(img, 0, (char *)mbr, sizeof(mbr));
    (void)tsk_img_read(img, (TSK_OFF_T)(sectors - 1) * 512, (char *)hdr,
                       sizeof(hdr));
    tsk_error_reset();
    if (image_gpt_entries(hdr, sectors, &lba, &len) &&
        (entries = exh_malloc(len)) != NULL &&
        tsk_img_read(img, (TSK_OFF_T)lba * 512, (char *)entries, len) !=
            (ssize_t)len) {
        exh_free(entries);
        entries = NULL;
    }
    tsk_error_reset();
    n = image_guess_parts(mbr, hdr, entries, entries ? len : 0, sectors, start,
                          count, IMAGE_GUESS_MAX);
    exh_free(entries);
    for (size_t i = 0; i < n && !w->stopped && w->st == EXH_OK; i++) {
        TSK_OFF_T off = (TSK_OFF_T)(start[i] * 512);
        if (!image_volume_at(img, off))
            continue;
        if (++vol > IMAGE_MAX_VOLS) {
            vol--;
            break;
        }
        if (vol == 1) {
            snprintf(note, sizeof(note),
                     "%s; the volumes below were found from the MBR's "
                     "entries and the backup GPT instead",
                     why);
            w->cbs->on_error(w->cbs->user, w->target, note);
        }
        image_volume(w, img, off, (TSK_OFF_T)(count[i] * 512), vol);
    }
    return vol;
}

/* Walks every partition of img, or img as one volume when it has no
 * partition table. */
static void image_volumes(image_walker *w, TSK_IMG_INFO *img)
{
    TSK_VS_INFO *vs = tsk_vs_open(img, 0, TSK_VS_TYPE_DETECT);
    unsigned vol = 0;

    if (!vs) {
        const char *text = tsk_error_get();
        if (text && *text)
            image_note(w, "the partition table cannot be read: ");
        else // TSK says nothing when no table type accepts the bytes
            snprintf(w->msg, sizeof(w->msg),
                     "the partition table cannot be read: no table type "
                     "The Sleuth Kit knows accepts it");
        // No table TSK accepts: a bare volume, or a damaged table.
        if (image_volume_at(img, 0))
            image_volume(w, img, 0, img->size, 1);
        else if (image_fallback(w, img, w->msg) == 0)
            w->cbs->on_error(w->cbs->user, w->target, w->msg);
        return;
    }
    for (TSK_PNUM_T i = 0; i < vs->part_count && !w->stopped && w->st == EXH_OK;
         i++) {
        const TSK_VS_PART_INFO *p = tsk_vs_part_get(vs, i);
        unsigned char boot[16];
        TSK_OFF_T off;
        if (!p || !image_part_wanted(p))
            continue;
        off = (TSK_OFF_T)p->start * vs->block_size;
        if (off < 0 || off >= img->size) {
            char note[160];
            snprintf(note, sizeof(note),
                     "partition %u starts past the end of the image; "
                     "not read",
                     (unsigned)i);
            w->cbs->on_error(w->cbs->user, w->target, note);
            continue;
        }
        memset(boot, 0, sizeof(boot));
        (void)tsk_img_read(img, off, (char *)boot, sizeof(boot));
        tsk_error_reset();
        // Only NTFS, ReFS and BitLocker volumes are of interest: an EFI
        // system partition or Microsoft's reserved partition is skipped.
        if (memcmp(boot + 3, "NTFS    ", 8) != 0 &&
            memcmp(boot + 3, "ReFS", 4) != 0 &&
            memcmp(boot + 3, "-FVE-FS-", 8) != 0)
            continue;
        if (++vol > IMAGE_MAX_VOLS) {
            w->cbs->on_error(w->cbs->user, w->target,
                             "more than 64 volumes; the rest is not read");
            break;
        }
        TSK_OFF_T len = (TSK_OFF_T)p->len * vs->block_size;
        if (len > img->size - off)
            len = img->size - off;
        image_volume(w, img, off, len, vol);
    }
    tsk_vs_close(vs);
    if (vol == 0 && w->st == EXH_OK &&
        image_fallback(w, img, "the partition table names no NTFS volume") == 0)
        w->cbs->on_error(w->cbs->user, w->target,
                         "no NTFS volume in the partition table; nothing "
                         "read");
}

/* True when the E01 set whose first segment is path lacks a segment file
 * or holds one cut short or damaged: libewf (as TSK opens it) then reads
 * the missing data as zeros without an error. */
static bool image_ewf_incomplete(const char *path)
{
    libewf_error_t *error = NULL;
    libewf_handle_t *handle = NULL;
    char **names = NULL;
    int count = 0, bad = 0;

    if (libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &count,
                    &error) != 1) {
        libewf_error_free(&error);
        return false;
    }
    if (libewf_handle_initialize(&handle, &error) == 1 &&
        libewf_handle_open(handle, names, count, LIBEWF_OPEN_READ, &error) ==
            1) {
        bad = libewf_handle_segment_files_corrupted(handle, &error);
        libewf_handle_close(handle, NULL);
    }
    libewf_error_free(&error);
    if (handle)
        libewf_handle_free(&handle, NULL);
    libewf_glob_free(names, count, NULL);
    return bad == 1;
}

/* Images are opened one at a time: libewf reads its header's dates with
 * tzset() and mktime(), whose shared state a walk and the scanner's
 * workers (image_reader_open) must not touch together. */
static pthread_mutex_t image_open_lock = PTHREAD_MUTEX_INITIALIZER;

/* Opens the image target of a readable kind; NULL with *msg (static or
 * thread-local) when it cannot. */
static TSK_IMG_INFO *image_open_img(const char *target, image_kind_t kind,
                                    const char **msg)
{
    TSK_IMG_INFO *img;

    if ((*msg = lazy_tsk_load()) != NULL ||
        (kind == IMAGE_QCOW && (*msg = lazy_qcow_load()) != NULL))
        return NULL;
    pthread_mutex_lock(&image_open_lock);
    if (kind == IMAGE_QCOW) {
        img = qcow_open(target, msg);
    } else {
        // The type is given, never detected: TSK's detection tries
        // afflib first, whose VMDK code reads freed memory.
        img = tsk_img_open_utf8_sing(target, image_tsk_type(kind), 0);
        if (!img) {
            static _Thread_local char note[256];
            snprintf(note, sizeof(note), "not a readable disk image: %s",
                     tsk_error_get() ? tsk_error_get() : "unknown error");
            tsk_error_reset();
            *msg = note;
        }
    }
    pthread_mutex_unlock(&image_open_lock);
    return img;
}

struct image_reader {
    char *path; /* the image the handles below are on */
    int kind;
    int64_t off; /* the volume's offset */
    TSK_IMG_INFO *img;
    TSK_FS_INFO *fs;
    image_data d; /* the entry being read */
    char msg[256];
};

/* Closes r's handles, keeping r. */
static void image_reader_close(image_reader *r)
{
    if (r->d.file)
        tsk_fs_file_close(r->d.file);
    if (r->fs)
        tsk_fs_close(r->fs);
    if (r->img)
        tsk_img_close(r->img);
    exh_free(r->path);
    r->d.file = NULL;
    r->fs = NULL;
    r->img = NULL;
    r->path = NULL;
}

stream *image_reader_open(image_reader **rp, const entry_ntfs *n, uint64_t size,
                          const char **err)
{
    image_reader *r = *rp;

    if (!n->image) {
        *err = "cannot be opened again (a snapshot's or deleted entry)";
        return NULL;
    }
    if (!r && !(r = *rp = exh_calloc(1, sizeof(*r)))) {
        *err = "out of memory";
        return NULL;
    }
    if (r->d.file) {
        tsk_fs_file_close(r->d.file);
        r->d.file = NULL;
    }
    if (r->path && (strcmp(r->path, n->image) != 0 ||
                    r->kind != n->image_kind || r->off != n->vol_offset))
        image_reader_close(r);
    if (!r->path) {
        const char *msg = NULL;
        r->path = exh_strdup(n->image);
        r->kind = n->image_kind;
        r->off = n->vol_offset;
        r->img = r->path ? image_open_img(r->path, (image_kind_t)r->kind, &msg)
                         : NULL;
        r->fs = r->img ? tsk_fs_open_img(r->img, (TSK_OFF_T)r->off,
                                         TSK_FS_TYPE_NTFS)
                       : NULL;
        if (!r->fs) {
            snprintf(r->msg, sizeof(r->msg), "%s",
                     msg ? msg : "the volume cannot be opened again");
            tsk_error_reset();
            image_reader_close(r);
            *err = r->msg;
            return NULL;
        }
    }
    TSK_FS_FILE *f = tsk_fs_file_open_meta(r->fs, NULL, (TSK_INUM_T)n->inum);
    if (!f || !f->meta) {
        const char *text = tsk_error_get();
        snprintf(r->msg, sizeof(r->msg), "entry cannot be read: %s",
                 text && *text ? text : "unknown error");
        tsk_error_reset();
        if (f)
            tsk_fs_file_close(f);
        *err = r->msg;
        return NULL;
    }
    return image_data_start(&r->d, f, n->attr_ads, n->attr_id, (TSK_OFF_T)size);
}

void image_reader_free(image_reader *r)
{
    if (!r)
        return;
    image_reader_close(r);
    exh_free(r);
}

exh_status image_walk(const char *target, const source_opts *opts,
                      const source_cbs *cbs, const char **err)
{
    return image_walk_at(target, target, "", opts, cbs, err);
}

exh_status image_walk_at(const char *target, const char *display,
                         const char *prefix, const source_opts *opts,
                         const source_cbs *cbs, const char **err)
{
    image_walker w;
    TSK_IMG_INFO *img = NULL;
    struct stat st;
    image_kind_t kind;
    const char *msg = NULL;
    int fd;

    fd = source_openat(AT_FDCWD, target, O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        *err = "cannot be opened for reading";
        return EXH_ERR_IO;
    }
    kind = image_kind(fd, (uint64_t)st.st_size);
    close(fd);
    switch (kind) {
    case IMAGE_EWF2:
        // Naming libewf here also keeps it first among exhunt's libraries
        // (meson.build explains why).
        *err = libewf_get_version()[0] ? "an Ex01 (EWF2) image: not supported "
                                         "by this system's libewf (convert it "
                                         "to E01 or raw first)"
                                       : "an Ex01 (EWF2) image: not supported";
        return EXH_ERR_IO;
    case IMAGE_LEF:
        *err = "an L01 logical evidence file: not supported";
        return EXH_ERR_IO;
    case IMAGE_NONE:
        *err = "not a disk image";
        return EXH_ERR_IO;
    default:
        img = image_open_img(target, kind, &msg);
        break;
    }
    if (!img) {
        *err = msg ? msg : "not a readable disk image";
        return EXH_ERR_IO;
    }
    memset(&w, 0, sizeof(w));
    w.target = display;
    w.img_path = target;
    w.kind = kind;
    w.prefix = prefix;
    w.opts = opts;
    w.cbs = cbs;
    buf_init(&w.rel, 65536);
    buf_init(&w.disp, 65536);
    if (kind == IMAGE_EWF && image_ewf_incomplete(target))
        cbs->on_error(cbs->user, display,
                      "the E01 set is incomplete or damaged (a segment file "
                      "missing or cut short, libewf says): the data it held "
                      "reads as zeros; what can be read is scanned");
    image_volumes(&w, img);
    buf_free(&w.rel);
    buf_free(&w.disp);
    tsk_img_close(img);
    if (w.st == EXH_ERR_NOMEM && err)
        *err = "out of memory";
    return w.st;
}
