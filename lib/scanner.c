/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanner.c - one scan of one target: units, the walk, the workers, the
 * matching of every record, and the hand-over of findings and summaries.
 *
 * The walk runs on the calling thread. Entries that can be opened again by
 * path (plain files of folder targets) become jobs for a pool of worker
 * threads; entries that exist only as a stream (archive members, stdin) are
 * read on the spot. Each worker owns its readers and buffers; results go
 * into the unit under one lock, once per finding and once per file. When
 * the walk and the jobs are done, each unit's findings are ordered,
 * numbered and handed to the caller with the unit's summary, so the output
 * is the same whatever the number of threads.
 */
#include "classify.h"
#include "readers/evtx.h"
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_RECORD_BYTES (1u << 20)
#define HEAD_BYTES       4096
#define MAX_ERRORS       100
#define MAX_EVIDENCE     24
#define MAX_VALUE_BYTES  4096 /* an evidence value; longer ones are cut */
#define MAX_LINE_BYTES   1024 /* a YARA log line in evidence; cut alike */

struct exh_scanner {
    const exh_ruleset *rules;
    unsigned threads;
    int64_t since_ms, until_ms;
    char *password;
    bool all_files;
    bool deleted;      /* disk images: deleted files too */
    bool shadows;      /* disk images: volume shadow copies too */
    uint64_t file_cap; /* files larger are not scanned (--max-file-size) */
    exh_progress_cb progress;
    void *progress_user;
    uint64_t next_id; /* findings numbered so far, across scans */
    bool no_gate;     /* tests: no pre-filter (scanner_set_gate) */
    char errmsg[512];
};

/* A file to read in a worker. */
/* What is known of an entry before it is read. */
typedef struct item {
    const char *path, *display;
    uint64_t size;
    int64_t modified_ms, created_ms; /* INT64_MIN when unknown */
    const char *time_source;         /* static string, or NULL */
    bool explicit_file;              /* the target itself, or stdin */
    bool file_scope;                 /* scanned as a file unless a log */
    const entry_ntfs *ntfs; /* disk images (inline items only), or NULL */
    bool unpacked;          /* the data a compressed log holds */
    const char *name;       /* what classifies it (display without ".gz"),
                               or NULL: display */
} item;

typedef struct job {
    char *path, *display, *open_path;
    size_t unit;
    item it; /* it.path and it.display point to the strings above */
} job;

struct pool;

typedef struct scan_ctx {
    struct pool *pool; /* disk image entries scanned on workers, or NULL */
    exh_scanner *sc;
    const exh_ruleset *rs;
    const char *target;
    unit *units;
    size_t unit_count;
    pthread_mutex_t lock; /* guards units */
    job *jobs;
    size_t job_count, job_cap;
    atomic_size_t next_job;
    atomic_uint_fast64_t files_done, files_known, bytes_done;
    exh_status failure;        /* first fatal error (NOMEM), under lock */
    pthread_mutex_t done_lock; /* guards workers_running */
    pthread_cond_t done;       /* signalled when it drops to zero */
    unsigned workers_running;
} scan_ctx;

/* Distinct builds one ECP log file's rows add to the timeline (a server
 * updated while the file was open shows two; hostile rows may name many). */
#define ECP_FILE_BUILDS 4

/* Per-thread state: readers, buffers, the file being read. */
typedef struct worker {
    scan_ctx *ctx;
    image_reader *img_reader; /* pool workers: their handles on an image */
    csvlog *readers[FAM__COUNT];
    evtx *evtx;              /* made on the first event log */
    winproc *proc;           /* Security 4688 as process_creation */
    struct evtx_chan *chans; /* channels of the event log being read */
    size_t chan_count, chan_cap, chan_last;
    char head[HEAD_BYTES];
    /* the file being read */
    unit *u;
    log_family fam;
    const char *display;
    char *windows_path;
    char *install_win; /* Exchange install root, Windows form, or NULL */
    span *spans;
    size_t span_count, span_cap;
    bool host_done;
    uint64_t passed;        /* records of the file the pre-filter let through */
    build_lookups lookups;  /* judging records by their build */
    bool file_build_ok;     /* the file's header names an Exchange build */
    uint16_t file_build[4]; /* ... this one */
    /* the builds the file's ECP rows name ("S:BLD="), with the times of
     * the first and last rows read for them: the first ECP_FILE_BUILDS */
    struct {
        uint16_t v[4];
        int64_t first_ms, last_ms;
    } ecp_builds[ECP_FILE_BUILDS];
    size_t ecp_build_count;
    int64_t ecp_minute;   /* the minute whose row last gave a build */
    int64_t file_date_ms; /* its "#Date:", or INT64_MIN */
    /* a file read whole for hashing and YARA, bounded by the file cap */
    unsigned char *fbuf;
    size_t fcap;
    yara_scan *yara; /* made on first use */
    const item *yara_item;
    const ifile *yara_facts;
    unit *yara_unit;
    exh_status yara_status;
    bool yara_webshell;        /* a webshell-category rule matched the file */
    const char *yara_seen[32]; /* rules that matched the raw text */
    size_t yara_seen_count;
    bool yara_deobf; /* scanning the canonical text (deobf.c) */
    char *dbuf;      /* that text; grown to the largest page */
    size_t dcap;
    yara_scan *yara_log; /* rules tagged LOG, per log line; first use */
    const logrec *log_rec;
    exh_status log_status;
    uint64_t *pf_bits; /* an event log record's literals (prefilter_bits) */
    size_t pf_words;
    /* an event widened by derived fields */
    const char *names[256];
    const char *values[256];
    size_t lens[256];
} worker;

/* ---- settings ------------------------------------------------------------ */

exh_status exh_scanner_new(const exh_ruleset *rules, exh_scanner **out)
{
    if (!rules || !out)
        return EXH_ERR_INVALID_ARG;
    exh_scanner *sc = exh_calloc(1, sizeof *sc);
    if (!sc)
        return EXH_ERR_NOMEM;
    sc->rules = rules;
    sc->since_ms = INT64_MIN;
    sc->until_ms = INT64_MAX;
    sc->file_cap = EXH_MAX_FILE_SIZE_DEFAULT;
    *out = sc;
    return EXH_OK;
}

void exh_scanner_free(exh_scanner *sc)
{
    if (!sc)
        return;
    exh_free(sc->password);
    exh_free(sc);
}

void scanner_set_gate(exh_scanner *sc, bool on)
{
    if (sc)
        sc->no_gate = !on;
}

void exh_scanner_set_threads(exh_scanner *sc, unsigned threads)
{
    sc->threads = threads;
}

void exh_scanner_set_since_ms(exh_scanner *sc, int64_t since_ms)
{
    sc->since_ms = since_ms;
}

void exh_scanner_set_until_ms(exh_scanner *sc, int64_t until_ms)
{
    sc->until_ms = until_ms;
}

exh_status exh_scanner_set_password(exh_scanner *sc, const char *password)
{
    char *copy = NULL;
    if (password && !(copy = exh_strdup(password)))
        return EXH_ERR_NOMEM;
    exh_free(sc->password);
    sc->password = copy;
    return EXH_OK;
}

void exh_scanner_set_all_files(exh_scanner *sc, int all_files)
{
    sc->all_files = all_files != 0;
}

void exh_scanner_set_max_file_size(exh_scanner *sc, uint64_t bytes)
{
    if (bytes < EXH_MAX_FILE_SIZE_MIN)
        bytes = EXH_MAX_FILE_SIZE_MIN;
    if (bytes > EXH_MAX_FILE_SIZE_MAX)
        bytes = EXH_MAX_FILE_SIZE_MAX;
    sc->file_cap = bytes;
}

void exh_scanner_set_deleted(exh_scanner *sc, int deleted)
{
    sc->deleted = deleted != 0;
}

void exh_scanner_set_shadows(exh_scanner *sc, int shadows)
{
    sc->shadows = shadows != 0;
}

void exh_scanner_set_progress(exh_scanner *sc, exh_progress_cb progress,
                              void *user)
{
    sc->progress = progress;
    sc->progress_user = user;
}

const char *exh_scanner_errmsg(const exh_scanner *sc)
{
    return sc->errmsg[0] ? sc->errmsg : "no error";
}

/* ---- units ----------------------------------------------------------------
 */

/* True when name (no folder) ends in "_CopyLog.csv", KAPE's copy log. */
static bool is_copylog_name(const char *name)
{
    size_t len = strlen(name);
    return len > 12 && util_strcasecmp(name + len - 12, "_CopyLog.csv") == 0;
}

/* True when the one-letter name is a drive folder. */
static bool is_letter(const char *name)
{
    return ((name[0] | 32) >= 'a' && (name[0] | 32) <= 'z') && !name[1];
}

/* True when name (a child of dir) is a folder holding child (any case). */
static bool dir_has(int dirfd, const char *name, const char *child)
{
    int fd = source_openat(dirfd, name, O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0)
        return false;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return false;
    }
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d)) != NULL)
        found = util_strcasecmp(de->d_name, child) == 0;
    closedir(d);
    return found;
}

/* True when the folder at fd is the root of one server's evidence: a
 * volume, a KAPE collection (drive folders, a copy log) or a Velociraptor
 * collection. */
/* True when target/name is a disk image (by its first bytes). */
static bool child_is_image(const char *target, const char *name)
{
    buf b;
    buf_init(&b, 65536);
    buf_puts(&b, target);
    buf_putc(&b, '/');
    buf_puts(&b, name);
    bool yes = b.data && !b.toobig && source_is_image(b.data);
    buf_free(&b);
    return yes;
}

/* Whether some child of the folder at dirfd/name (name NULL: dirfd
 * itself) passes test(fd of that folder, the child's name). */
static bool dir_any(int dirfd, const char *name,
                    bool (*test)(int fd, const char *child))
{
    int fd = name ? source_openat(dirfd, name, O_DIRECTORY | O_NOFOLLOW)
                  : dup(dirfd);
    if (fd < 0)
        return false;
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d && dfd >= 0)
        close(dfd);
    bool yes = false;
    struct dirent *de;
    if (d)
        rewinddir(d); // the duplicate shares its offset with fd
    while (d && !yes && (de = readdir(d)) != NULL)
        yes = test(fd, de->d_name);
    if (d)
        closedir(d);
    close(fd);
    return yes;
}

static bool volume_entry(int fd, const char *child)
{
    if (util_strcasecmp(child, "Program Files") == 0)
        return true;
    return util_strcasecmp(child, "Windows") == 0 &&
           dir_has(fd, child, "System32");
}

/* True when the folder at dirfd/name (name NULL: dirfd itself) is the
 * root of a Windows volume: Windows/System32 or Program Files at its top. */
static bool is_volume_dir(int dirfd, const char *name)
{
    return dir_any(dirfd, name, volume_entry);
}

static bool collection_entry(int fd, const char *child)
{
    if (util_strcasecmp(child, "uploads") == 0)
        return dir_has(fd, child, "auto") || dir_has(fd, child, "ntfs");
    if (strlen(child) == 1 && is_letter(child))
        return dir_has(fd, child, "Windows") ||
               dir_has(fd, child, "Program Files");
    return util_strcasecmp(child, "client_info.json") == 0 ||
           is_copylog_name(child) || volume_entry(fd, child);
}

/* True when the folder fd holds a collection or a volume's root at its
 * top (a KAPE or Velociraptor collection, a mounted volume). */
static bool is_collection_dir(int fd)
{
    return dir_any(fd, NULL, collection_entry);
}

static bool kape_entry(int fd, const char *child)
{
    return is_copylog_name(child) ||
           (is_letter(child) && is_volume_dir(fd, child));
}

/* True when the folder at dirfd/name (name NULL: dirfd itself) is a KAPE
 * collection (DESIGN.md, Scope): a copy log at its top, or a one-letter
 * folder there that is a volume's root. Its other one-letter folders are
 * then drive folders too (KAPE's D/ holding only D:\Exchange). */
static bool is_kape_dir(int dirfd, const char *name)
{
    return dir_any(dirfd, name, kape_entry);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Finds the units of a folder target: its children that each hold one
 * server's evidence, when there are two or more; else the whole target. */
static exh_status detect_units(scan_ctx *ctx)
{
    char **roots = NULL;
    size_t count = 0;
    bool any_image = false;
    int fd = source_openat(AT_FDCWD, ctx->target, O_DIRECTORY);
    if (fd >= 0 && !is_collection_dir(fd)) {
        int dfd = dup(fd);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d && dfd >= 0)
            close(dfd);
        if (d)
            rewinddir(d); // is_collection_dir() read through the same offset
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            struct stat st;
            if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            bool unit_root = false;
            if (S_ISREG(st.st_mode)) {
                unit_root = source_is_archive_name(de->d_name);
                if (!unit_root) {
                    // A disk image beside others: one server each.
                    unit_root = child_is_image(ctx->target, de->d_name);
                    any_image |= unit_root;
                }
            } else if (S_ISDIR(st.st_mode)) {
                int cfd =
                    source_openat(fd, de->d_name, O_DIRECTORY | O_NOFOLLOW);
                unit_root = cfd >= 0 && is_collection_dir(cfd);
                if (cfd >= 0)
                    close(cfd);
            }
            if (!unit_root)
                continue;
            char **r = exh_realloc(roots, (count + 1) * sizeof *r);
            if (!r || !(r[count] = exh_strdup(de->d_name))) {
                roots = r ? r : roots;
                break;
            }
            roots = r;
            count++;
        }
        if (d)
            closedir(d);
    }
    if (fd >= 0)
        close(fd);
    if (count < 2) {
        for (size_t i = 0; i < count; i++)
            exh_free(roots[i]);
        count = 0;
    }
    if (count)
        qsort(roots, count, sizeof *roots, cmp_str);
    ctx->units = exh_calloc(count + 1, sizeof *ctx->units);
    exh_status st = ctx->units ? EXH_OK : EXH_ERR_NOMEM;
    if (st == EXH_OK) {
        ctx->unit_count = count + 1;
        for (size_t i = 0; i <= count; i++)
            ctx->units[i].host_rank = 2;
        ctx->units[0].root = exh_strdup(".");
        int tfd = source_openat(AT_FDCWD, ctx->target, O_DIRECTORY);
        ctx->units[0].volume_root = tfd >= 0 && is_volume_dir(tfd, NULL);
        ctx->units[0].drive_folders = tfd >= 0 && is_kape_dir(tfd, NULL);
        ctx->units[0].image = any_image; // "IMAGE/volN/..." below it
        for (size_t i = 0; i < count; i++) {
            ctx->units[i + 1].root = roots[i];
            ctx->units[i + 1].root_len = strlen(roots[i]);
            ctx->units[i + 1].volume_root =
                tfd >= 0 && is_volume_dir(tfd, roots[i]);
            ctx->units[i + 1].drive_folders =
                tfd >= 0 && is_kape_dir(tfd, roots[i]);
            ctx->units[i + 1].image = child_is_image(ctx->target, roots[i]);
            roots[i] = NULL;
        }
        if (tfd >= 0)
            close(tfd);
        if (!ctx->units[0].root)
            st = EXH_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        exh_free(roots[i]);
    exh_free(roots);
    return st;
}

/* The unit an entry path belongs to. */
static size_t unit_of(const scan_ctx *ctx, const char *path)
{
    for (size_t i = 1; i < ctx->unit_count; i++) {
        const unit *u = &ctx->units[i];
        // "ROOT!/..." names an entry of an archive or image unit.
        if (strncmp(path, u->root, u->root_len) == 0 &&
            (path[u->root_len] == '/' || path[u->root_len] == '\0' ||
             (path[u->root_len] == '!' && path[u->root_len + 1] == '/')))
            return i;
    }
    return 0;
}

/* Records a problem in a unit (the caller holds the lock). */
/* Orders errors by path, then message: the order threads finish in must
 * not show. */
static int cmp_error(const exh_error *a, const exh_error *b)
{
    int c = strcmp(a->path, b->path);
    return c ? c : strcmp(a->message, b->message);
}

/* Keeps an error of the unit. Past MAX_ERRORS the first ones in
 * cmp_error() order are kept and the rest counted, so which are listed
 * does not depend on the order threads report them in either. */
static void add_error(unit *u, const char *path, const char *message)
{
    exh_error add = {path ? path : "", message ? message : ""};
    size_t at = u->error_count;
    if (u->error_count >= MAX_ERRORS) {
        at = 0; // replace the last in order, if the new one comes before
        for (size_t i = 1; i < u->error_count; i++) {
            if (cmp_error(&u->errors[i], &u->errors[at]) > 0)
                at = i;
        }
        u->errors_omitted++;
        if (cmp_error(&add, &u->errors[at]) >= 0)
            return;
    } else {
        exh_error *e = exh_realloc(u->errors, (u->error_count + 1) * sizeof *e);
        if (!e)
            return;
        u->errors = e;
    }
    char *p = exh_strdup(add.path), *m = exh_strdup(add.message);
    if (!p || !m) {
        exh_free(p);
        exh_free(m);
        return;
    }
    if (at < u->error_count) {
        exh_free((char *)u->errors[at].path);
        exh_free((char *)u->errors[at].message);
    }
    u->errors[at].path = p;
    u->errors[at].message = m;
    if (at == u->error_count)
        u->error_count++;
}

/* ---- matching ------------------------------------------------------------ */

/* Key fields of each family, shown with every finding (DESIGN evidence). */
static const char *const key_fields[FAM__COUNT][12] = {
    [FAM_HTTPPROXY] = {"DateTime", "ClientIpAddress", "Method", "UrlHost",
                       "UrlStem", "UrlQuery", "HttpStatus", "AuthenticatedUser",
                       "UserAgent", "ServerHostName", NULL},
    [FAM_ECP_SERVER] = {"TimeStamp", "ServerName", "EventId", "CMD", "URL",
                        NULL},
    [FAM_ECP_ACTIVITY] = {"TimeStamp", "ServerName", "EventId", "URL", NULL},
    [FAM_OABGENERATOR] = {"Message", "DownloadPath", "DownloadPathInOabFolder",
                          NULL},
    [FAM_RPS] = {"DateTime", "AuthenticatedUser", "Cmdlet", "Parameters",
                 "CommandName", "ClientApplication", "ClientIpAddress",
                 "ClientInfo", "UrlStem", "HttpStatus", "ServerHostName", NULL},
    [FAM_IIS] = {"date", "time", "c-ip", "cs-method", "cs-uri-stem",
                 "cs-uri-query", "sc-status", "cs-username", "cs-user-agent",
                 "s-ip", NULL},
    [FAM_EVTX] = {"Provider_Name", "EventID", "Channel", "Computer",
                  "TimeCreated", "EventRecordID", NULL},
    [FAM_EWS] = {"DateTime", "ClientIpAddress", "AuthenticatedUser",
                 "ImpersonatedUser", "ActAsUser", "SoapAction", "HttpStatus",
                 "UserAgent", "ServerHostName", NULL},
};

static const char *const client_field[FAM__COUNT] = {
    [FAM_HTTPPROXY] = "ClientIpAddress",
    [FAM_RPS] = "ClientIpAddress",
    [FAM_IIS] = "c-ip",
    [FAM_EWS] = "ClientIpAddress",
};

static const char *const host_field[FAM__COUNT] = {
    [FAM_HTTPPROXY] = "ServerHostName", [FAM_ECP_SERVER] = "ServerName",
    [FAM_ECP_ACTIVITY] = "ServerName",  [FAM_RPS] = "ServerHostName",
    [FAM_IIS] = "s-computername",       [FAM_EVTX] = "Computer",
    [FAM_EWS] = "ServerHostName",
};

static exh_status add_evidence(ifinding *f, const event *ev, const char *name)
{
    for (size_t i = 0; i < f->evidence_count; i++) {
        if (util_strcasecmp(f->evidence[i].key, name) == 0)
            return EXH_OK;
    }
    size_t len = 0;
    const char *v = event_get(ev, name, &len);
    if (!v || len == 0 || f->evidence_count >= MAX_EVIDENCE)
        return EXH_OK;
    return finding_evidence_add_cut(f, name, v, len, MAX_VALUE_BYTES);
}

/* The build that logged a record: its own version fields (HttpProxy, RPS
 * and EWS rows carry MajorVersion..RevisionVersion, ECP rows "S:BLD="),
 * else its file's header. */
static void logged_build(const worker *w, const logrec *r, const event *ev,
                         ifinding *f)
{
    static const char *const names[4] = {"MajorVersion", "MinorVersion",
                                         "BuildVersion", "RevisionVersion"};
    const char *part[4];
    size_t len[4] = {0};
    for (int i = 0; i < 4; i++)
        part[i] = event_get(ev, names[i], &len[i]);
    if ((w->fam == FAM_ECP_SERVER || w->fam == FAM_ECP_ACTIVITY) &&
        build_parse_ecp_bld(r->text, r->len, f->logged_build)) {
        f->logged_by = "row";
    } else if (build_parse_row_fields(part, len, f->logged_build)) {
        f->logged_by = "row";
    } else if (w->file_build_ok) {
        memcpy(f->logged_build, w->file_build, sizeof f->logged_build);
        f->logged_by = "log-header";
    }
}

static exh_status report_match(worker *w, size_t rule, const logrec *r,
                               const event *ev, const char **matched,
                               size_t matched_count)
{
    scan_ctx *ctx = w->ctx;
    ifinding f = {0};
    f.rule = rule;
    f.time_ms = r->time_ms;
    f.last_ms = INT64_MIN;
    f.count = 1;
    f.family = w->fam;
    f.line = r->line;
    f.source_path = exh_strdup(w->display);
    f.windows_path = w->windows_path ? exh_strdup(w->windows_path) : NULL;
    f.evidence = exh_calloc(MAX_EVIDENCE, sizeof *f.evidence);
    exh_status st =
        (!f.source_path || !f.evidence || (w->windows_path && !f.windows_path))
            ? EXH_ERR_NOMEM
            : EXH_OK;
    logged_build(w, r, ev, &f);
    for (size_t i = 0; i < matched_count && st == EXH_OK; i++)
        st = add_evidence(&f, ev, matched[i]);
    for (size_t i = 0; key_fields[w->fam][i] && st == EXH_OK; i++)
        st = add_evidence(&f, ev, key_fields[w->fam][i]);
    if (st == EXH_OK)
        st = log_build_judge_record(ctx->rs, &f, &w->lookups);
    if (st != EXH_OK) {
        ifinding_free(&f);
        return st;
    }
    const char *client = NULL;
    size_t clen = 0;
    char cbuf[256] = "";
    if (client_field[w->fam] &&
        (client = event_get(ev, client_field[w->fam], &clen)) != NULL) {
        clen = clen < sizeof cbuf - 1 ? clen : sizeof cbuf - 1;
        memcpy(cbuf, client, clen);
        cbuf[clen] = '\0';
    }
    pthread_mutex_lock(&ctx->lock);
    st = finding_add(w->u, ctx->rs, &f, cbuf);
    pthread_mutex_unlock(&ctx->lock);
    ifinding_free(&f);
    return st;
}

/* Widens an OAB event by the install-root decision. */
static const event *derive(worker *w, const event *ev, event *wide)
{
    if (w->fam != FAM_OABGENERATOR || ev->count + 1 > 256)
        return ev;
    size_t len = 0;
    const char *p = event_get(ev, "DownloadPath", &len);
    if (!p)
        return ev;
    memcpy(w->names, ev->names, ev->count * sizeof *w->names);
    memcpy(w->values, ev->values, ev->count * sizeof *w->values);
    memcpy(w->lens, ev->lens, ev->count * sizeof *w->lens);
    const char *root =
        w->install_win && strlen(w->install_win) >= 2 ? w->install_win : NULL;
    bool inside = paths_in_oab_folder(p, len, root);
    w->names[ev->count] = "DownloadPathInOabFolder";
    w->values[ev->count] = inside ? "true" : "false";
    w->lens[ev->count] = inside ? 4 : 5;
    *wide = *ev;
    wide->count = ev->count + 1;
    wide->names = w->names;
    wide->values = w->values;
    wide->lens = w->lens;
    return wide;
}

/* Remembers a host name; the smallest (path, line) wins, so the choice
 * does not depend on thread timing. A file offers its first record that
 * names a host: records with an empty or overlong name are passed over. */
static void offer_host(worker *w, const event *ev, uint64_t line)
{
    size_t len = 0;
    if (!host_field[w->fam]) {
        w->host_done = true;
        return;
    }
    const char *h = event_get(ev, host_field[w->fam], &len);
    if (!h || len == 0 || len > 255)
        return;
    w->host_done = true;
    scan_ctx *ctx = w->ctx;
    unit *u = w->u;
    pthread_mutex_lock(&ctx->lock);
    int c = u->host_path ? strcmp(w->display, u->host_path) : -1;
    if (u->host_rank == 2 ||
        (u->host_rank == 1 && (c < 0 || (c == 0 && line < u->host_line)))) {
        char *nh = exh_strndup(h, len), *np = exh_strdup(w->display);
        if (nh && np) {
            exh_free(u->host);
            exh_free(u->host_path);
            u->host = nh;
            u->host_path = np;
            u->host_line = line;
            u->host_rank = 1;
        } else {
            exh_free(nh);
            exh_free(np);
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}

static void note_time(worker *w, int64_t t)
{
    if (w->span_count) {
        span *s = &w->spans[w->span_count - 1];
        // Coverage reports only silences over six hours: a record within
        // that of the last span extends it, so memory follows the
        // silences, not the minutes with records.
        if (t >= s->first_ms && t - s->last_ms <= COVERAGE_GAP_MS) {
            if (t > s->last_ms)
                s->last_ms = t;
            return;
        }
    }
    if (w->span_count == w->span_cap) {
        size_t cap = w->span_cap ? w->span_cap * 2 : 1024;
        span *p = exh_realloc(w->spans, cap * sizeof *p);
        if (!p)
            return; // coverage gets coarser; matching goes on
        w->spans = p;
        w->span_cap = cap;
    }
    w->spans[w->span_count].first_ms = t;
    w->spans[w->span_count].last_ms = t;
    w->span_count++;
}

/* True when a YARA rule carries the LOG tag (signature-base's mark for
 * rules meant for log lines). */
static bool log_tagged(const yara_hit *h)
{
    for (size_t i = 0; i < h->tag_count; i++)
        if (strcmp(h->tags[i], "LOG") == 0)
            return true;
    return false;
}

/* A rule tagged LOG matched one log line: a finding on that line. */
static bool on_log_yara_hit(void *user, const yara_hit *h)
{
    worker *w = user;
    if (!log_tagged(h))
        return true;
    const logrec *r = w->log_rec;
    scan_ctx *ctx = w->ctx;
    ifinding f = {0};
    f.rule = SIZE_MAX;
    f.fr = (frule){exh_strdup(h->rule),
                   exh_strdup(h->description ? h->description : h->rule),
                   exh_strdup(h->source),
                   h->author ? exh_strdup(h->author) : NULL,
                   yara_severity(h),
                   yara_category(h),
                   h->cve ? exh_strdup(h->cve) : NULL};
    f.time_ms = r->time_ms;
    f.last_ms = INT64_MIN;
    f.count = 1;
    f.family = w->fam;
    f.line = r->line;
    f.source_path = exh_strdup(w->display);
    f.windows_path = w->windows_path ? exh_strdup(w->windows_path) : NULL;
    f.evidence = exh_calloc(2, sizeof *f.evidence);
    exh_status st = f.fr.name && f.fr.title && f.fr.source && f.source_path &&
                            f.evidence && (!w->windows_path || f.windows_path)
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = finding_evidence_add(&f, "yara_rule", h->rule, strlen(h->rule));
    if (st == EXH_OK) // up to a NUL, as a C string of the line would end
        st = finding_evidence_add_cut(&f, "line", r->text,
                                      strnlen(r->text, r->len), MAX_LINE_BYTES);
    if (st == EXH_OK) {
        pthread_mutex_lock(&ctx->lock);
        st = finding_add(w->u, ctx->rs, &f, NULL);
        pthread_mutex_unlock(&ctx->lock);
    }
    ifinding_free(&f);
    w->log_status = st;
    return st == EXH_OK;
}

/* Runs the user's rules tagged LOG on one log line, as THOR does. */
static exh_status yara_line(worker *w, const logrec *r)
{
    const exh_ruleset *rs = w->ctx->rs;
    if (!w->yara_log)
        EXH_TRY(yara_scan_new(rs->yara_log, &w->yara_log));
    const char *base = strrchr(w->display, '/');
    base = base ? base + 1 : w->display;
    yara_externals ext = {base, w->windows_path ? w->windows_path : "", ".log",
                          "LOG", ""};
    w->log_rec = r;
    w->log_status = EXH_OK;
    exh_status st = yara_scan_mem(w->yara_log, (const uint8_t *)r->text, r->len,
                                  &ext, 10, on_log_yara_hit, w);
    if (st == EXH_ERR_TIMEOUT || st == EXH_ERR_ENGINE)
        st = EXH_OK; // one line: counted as a bad record by no one; skip
    return st != EXH_OK ? st : w->log_status;
}

/* Adds the "S:BLD=" build of an ECP record (whose time is known), over
 * its time, to the builds of the file: of one row a minute, the first
 * that names one, so that the search costs the reader nothing (a change
 * of build shows within a minute). */
static void ecp_row_build(worker *w, const logrec *r)
{
    uint16_t v[4];
    int64_t minute = r->time_ms / 60000;
    if (minute == w->ecp_minute || !build_parse_ecp_bld(r->text, r->len, v))
        return;
    w->ecp_minute = minute;
    size_t i = 0;
    while (i < w->ecp_build_count &&
           memcmp(w->ecp_builds[i].v, v, sizeof v) != 0)
        i++;
    if (i == w->ecp_build_count) {
        if (i == ECP_FILE_BUILDS)
            return; // the first builds of the file stay
        memcpy(w->ecp_builds[i].v, v, sizeof v);
        w->ecp_builds[i].first_ms = w->ecp_builds[i].last_ms = r->time_ms;
        w->ecp_build_count++;
    } else if (r->time_ms < w->ecp_builds[i].first_ms) {
        w->ecp_builds[i].first_ms = r->time_ms;
    } else if (r->time_ms > w->ecp_builds[i].last_ms) {
        w->ecp_builds[i].last_ms = r->time_ms;
    }
}

static bool on_record(void *user, csvlog *rd, const logrec *r)
{
    worker *w = user;
    const exh_scanner *sc = w->ctx->sc;
    if ((w->fam == FAM_ECP_SERVER || w->fam == FAM_ECP_ACTIVITY) &&
        r->time_ms != INT64_MIN)
        ecp_row_build(w, r);
    if (!w->host_done)
        offer_host(w, csvlog_event(rd, r), r->line);
    if (r->time_ms != INT64_MIN &&
        (r->time_ms < sc->since_ms || r->time_ms > sc->until_ms))
        return true; // nor in the coverage: the rules did not see it
    if (r->time_ms != INT64_MIN)
        note_time(w, r->time_ms);
    if (w->ctx->rs->yara_log) {
        exh_status lst = yara_line(w, r);
        if (lst != EXH_OK) {
            pthread_mutex_lock(&w->ctx->lock);
            w->ctx->failure = lst;
            pthread_mutex_unlock(&w->ctx->lock);
            return false;
        }
    }
    const family_rules *fr = &w->ctx->rs->fam[w->fam];
    if (fr->count == 0 || !r->maybe) // the reader ran the pre-filter
        return true;
    w->passed++;
    // The rules whose literal clauses the record satisfies: the others
    // cannot match.
    const uint64_t *found = fr->pf ? r->bits : NULL;
    const event *ev = NULL;
    event wide;
    for (size_t i = 0; i < fr->count; i++) {
        const char *matched[16];
        size_t mc = 0;
        size_t rule = fr->idx[i];
        if (found && r->rules) {
            if (!(r->rules[i / 64] >> (i % 64) & 1))
                continue; // judged by the reader
        } else if (found && !prefilter_rule_pass(fr->pf, i, found, r->text,
                                                 r->len, r->dec, r->dec_len)) {
            continue;
        }
        if (!ev)
            ev = derive(w, csvlog_event(rd, r), &wide);
        if (!sigma_match(w->ctx->rs->rules[rule].sigma, ev, matched, 16, &mc))
            continue;
        exh_status st = report_match(w, rule, r, ev, matched, mc);
        if (st != EXH_OK) {
            pthread_mutex_lock(&w->ctx->lock);
            w->ctx->failure = st;
            pthread_mutex_unlock(&w->ctx->lock);
            return false;
        }
    }
    return true;
}

/* ---- reading one file ---------------------------------------------------- */

/* A stream that first replays the bytes already read for sniffing. */
typedef struct replay {
    stream base;
    stream *inner;
    const char *head;
    size_t head_len, pos;
    uint64_t *bytes;
} replay;

static ssize_t replay_read(stream *s, void *dst, size_t len)
{
    replay *r = (replay *)s;
    if (r->pos < r->head_len) {
        size_t n = r->head_len - r->pos < len ? r->head_len - r->pos : len;
        memcpy(dst, r->head + r->pos, n);
        r->pos += n;
        return (ssize_t)n;
    }
    ssize_t n = r->inner->read(r->inner, dst, len);
    if (n < 0)
        s->error = r->inner->error;
    else
        *r->bytes += (uint64_t)n;
    return n;
}

/* Fills head with up to HEAD_BYTES; returns bytes or -1. */
static ssize_t read_head(stream *in, char *head)
{
    size_t got = 0;
    while (got < HEAD_BYTES) {
        ssize_t n = in->read(in, head + got, HEAD_BYTES - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* The Windows path of an entry. paths_windows() knows volumes by their
 * Windows/System32 or Program Files; a collection's drive folder that holds
 * neither (KAPE's D/ with only D:\Exchange) is known by where it stands:
 * first below the root of a unit that is a KAPE collection
 * (u->drive_folders) or of a disk image's volume (a KAPE container), or
 * Velociraptor's uploads/auto/X:/. A one-letter folder of any other unit
 * is no drive. */
static char *windows_path_of(const unit *u, const char *path)
{
    char *w = paths_windows(path);
    if (w)
        return w;
    const char *p = path;
    if (u->root_len && strncmp(p, u->root, u->root_len) == 0 &&
        p[u->root_len] == '/')
        p += u->root_len + 1;
    char drive = 0;
    bool drive_folders = u->drive_folders;
    if (u->volume_root && *p)
        drive = '?'; // a mounted volume: its letter is not known here
    size_t vlen = u->image ? paths_image_volume(p) : 0;
    if (u->image && !vlen && !u->root_len) {
        // A folder holding one image: "IMAGE/volN/...".
        const char *slash = strchr(p, '/');
        if (slash && (vlen = paths_image_volume(slash + 1)) != 0)
            p = slash + 1;
    }
    if (vlen && p[vlen]) {
        drive = '?'; // a volume of a disk image
        p += vlen;
        // A KAPE --vhdx/--vhd container: its volume holds the drive
        // folders (C/$MFT, C/inetpub/...).
        drive_folders = true;
    }
    if (strncmp(p, "uploads/auto/", 13) == 0 ||
        strncmp(p, "uploads/ntfs/", 13) == 0) {
        p += 13;
        if (strncmp(p, "\\\\.\\", 4) == 0)
            p += 4;
        if (((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':' &&
            p[2] == '/') {
            drive = p[0];
            p += 3;
        }
    } else if (drive_folders && ((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') &&
               p[1] == '/') {
        drive = p[0];
        p += 2;
    }
    if (!drive)
        return NULL;
    buf b;
    buf_init(&b, 65536);
    buf_putc(&b, drive == '?' ? '?' : (char)(drive & ~32));
    buf_puts(&b, ":\\");
    for (; *p; p++)
        buf_putc(&b, *p == '/' ? '\\' : *p);
    if (b.toobig) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* The Windows form of the Exchange install root above a log folder. */
static char *install_root(const char *windows_path)
{
    if (!windows_path)
        return NULL;
    const char *p =
        util_memcasemem(windows_path, strlen(windows_path), "\\Logging\\", 9);
    return p ? exh_strndup(windows_path, (size_t)(p - windows_path)) : NULL;
}

/* The coverage of a named family ("iis:W3SVC1", "evtx:Security"). The
 * caller holds the lock. NULL when out of memory. */
static coverage_acc *named_coverage(unit *u, const char *name)
{
    for (size_t i = 0; i < u->site_count; i++) {
        if (strcmp(u->sites[i].name, name) == 0)
            return &u->sites[i].acc;
    }
    site_cov *sites =
        exh_realloc(u->sites, (u->site_count + 1) * sizeof *sites);
    if (!sites)
        return NULL;
    u->sites = sites;
    memset(&sites[u->site_count], 0, sizeof *sites);
    if (!(sites[u->site_count].name = exh_strdup(name)))
        return NULL;
    return &sites[u->site_count++].acc;
}

/* The coverage of the IIS site whose folder (W3SVC<n>) holds the log:
 * family "iis:W3SVC<n>", or "iis" outside such a folder. The caller holds
 * the lock. NULL when out of memory. */
static coverage_acc *site_coverage(unit *u, const char *path)
{
    char name[64] = "iis";
    for (const char *p = path; (p = util_memcasemem(p, strlen(p), "w3svc", 5));
         p += 5) {
        if (p != path && p[-1] != '/')
            continue;
        size_t n = 5;
        while (p[n] >= '0' && p[n] <= '9' && n < 40)
            n++;
        if (n > 5 && (p[n] == '/' || p[n] == '\0')) {
            snprintf(name, sizeof name, "iis:W3SVC%.*s", (int)(n - 5), p + 5);
            break;
        }
    }
    return named_coverage(u, name);
}

/* The bookkeeping every log file (text or event log) ends with, under the
 * lock: its records and pre-filter passes, its bad records (bad_msg, when
 * there are any, as an error line) and how its reading ended. */
static void log_file_done(worker *w, uint64_t records, uint64_t bad,
                          const char *bad_msg, exh_status rst,
                          const char *read_error)
{
    unit *u = w->u;
    char msg[512];
    u->records += records;
    u->prefilter_passed += w->passed;
    u->bad_records += bad;
    if (bad)
        add_error(u, w->display, bad_msg);
    if (rst == EXH_ERR_IO) {
        u->unreadable++;
        snprintf(msg, sizeof msg, "read error after %llu records: %s",
                 (unsigned long long)records,
                 read_error ? read_error : "input/output error");
        add_error(u, w->display, msg);
    } else if (rst != EXH_OK) {
        w->ctx->failure = rst;
    }
}

/* Adds the build the file's header names to the unit's timeline, over
 * the time of its records (else its "#Date:"), and those its ECP rows
 * name over theirs. The caller holds the lock. */
static void note_file_build(worker *w)
{
    for (size_t i = 0; i < w->ecp_build_count; i++)
        if (log_build_note(w->u, w->ecp_builds[i].v, w->ecp_builds[i].first_ms,
                           w->ecp_builds[i].last_ms, w->display,
                           w->windows_path, LOG_SOURCE_ECP) != EXH_OK)
            w->ctx->failure = EXH_ERR_NOMEM;
    if (!w->file_build_ok)
        return;
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t i = 0; i < w->span_count; i++) {
        if (w->spans[i].first_ms < first)
            first = w->spans[i].first_ms;
        if (w->spans[i].last_ms > last)
            last = w->spans[i].last_ms;
    }
    if (w->span_count == 0)
        first = last = w->file_date_ms;
    else if (w->file_date_ms != INT64_MIN && w->file_date_ms < first)
        first = w->file_date_ms; // the build wrote the header first
    if (last == INT64_MIN)
        return; // no time at all: the timeline cannot place it
    if (log_build_note(w->u, w->file_build, first, last, w->display,
                       w->windows_path, LOG_SOURCE_HEADER) != EXH_OK)
        w->ctx->failure = EXH_ERR_NOMEM;
}

static void finish_file(worker *w, const csvlog_stats *stats, exh_status rst,
                        const char *read_error)
{
    scan_ctx *ctx = w->ctx;
    unit *u = w->u;
    char msg[512];
    pthread_mutex_lock(&ctx->lock);
    if (stats->binary) { // nothing read: no records, no passes
        u->skipped++;
        add_error(u, w->display, "binary data, not a text log: not read");
    } else {
        u->scanned++;
        coverage_acc *c =
            w->fam == FAM_IIS ? site_coverage(u, w->display) : &u->cov[w->fam];
        if (!c) {
            ctx->failure = EXH_ERR_NOMEM;
            pthread_mutex_unlock(&ctx->lock);
            return;
        }
        c->files++;
        c->snap_files += u->cur_snap != 0;
        c->records += stats->records;
        if (coverage_add_spans(c, w->spans, w->span_count) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        note_file_build(w);
        if (stats->headless) {
            snprintf(msg, sizeof msg,
                     "%llu record%s before any #Fields: or header line: "
                     "%s fields are unknown, so no rule could match %s",
                     (unsigned long long)stats->headless,
                     stats->headless == 1 ? "" : "s",
                     stats->headless == 1 ? "its" : "their",
                     stats->headless == 1 ? "it" : "them");
            add_error(u, w->display, msg);
        }
    }
    snprintf(msg, sizeof msg,
             "%llu malformed, binary or overlong record%s skipped or cut at "
             "%u bytes",
             (unsigned long long)stats->bad_records,
             stats->bad_records == 1 ? "" : "s", MAX_RECORD_BYTES);
    log_file_done(w, stats->records, stats->bad_records, msg, rst, read_error);
    pthread_mutex_unlock(&ctx->lock);
}

/* Reads one entry: sniff, classify, stream through its reader. */
static void process_file(worker *w, unit *u, const item *it, stream *in,
                         size_t head_len);

/* A problem with an entry: counted (as *counter) and named in errors. */
static void entry_problem(scan_ctx *ctx, unit *u, uint64_t *counter,
                          const char *path, const char *message)
{
    pthread_mutex_lock(&ctx->lock);
    (*counter)++;
    add_error(u, path, message);
    pthread_mutex_unlock(&ctx->lock);
}

/* Why a file over the cap was skipped (dump: only its start scanned). */
static void cap_message(char *out, size_t size, uint64_t cap, bool dump)
{
    char amount[32];
    if (cap % (1u << 20) == 0)
        snprintf(amount, sizeof amount, "%" PRIu64 " MiB", cap >> 20);
    else if (cap % (1u << 10) == 0)
        snprintf(amount, sizeof amount, "%" PRIu64 " KiB", cap >> 10);
    else
        snprintf(amount, sizeof amount, "%" PRIu64 " bytes", cap);
    if (dump)
        snprintf(out, size,
                 "a memory dump larger than %s: its first %s scanned, not "
                 "hashed",
                 amount, amount);
    else
        snprintf(out, size, "larger than %s: not hashed or scanned", amount);
}

/* Reads the rest of a file after its head into w->fbuf (head first).
 * Returns the length, or SIZE_MAX after reporting why it was not read. */
static size_t read_whole(worker *w, unit *u, const item *it, stream *in,
                         size_t head_len, bool *cut)
{
    scan_ctx *ctx = w->ctx;
    size_t cap = (size_t)ctx->sc->file_cap;
    size_t limit = cap + 1; /* one byte more tells a larger file */
    size_t len = head_len;
    bool allow_cut = *cut;
    *cut = false;
    if (w->fcap < HEAD_BYTES) {
        unsigned char *p = exh_realloc(w->fbuf, 1u << 20);
        if (!p)
            goto nomem;
        w->fbuf = p;
        w->fcap = 1u << 20;
    }
    memcpy(w->fbuf, w->head, head_len);
    for (;;) {
        if (len >= limit)
            break;
        if (len == w->fcap) {
            size_t grown = w->fcap * 2 > limit ? limit : w->fcap * 2;
            unsigned char *p = exh_realloc(w->fbuf, grown);
            if (!p)
                goto nomem;
            w->fbuf = p;
            w->fcap = grown;
        }
        size_t room = (w->fcap < limit ? w->fcap : limit) - len;
        ssize_t n = in->read(in, w->fbuf + len, room);
        if (n < 0) {
            entry_problem(ctx, u, &u->unreadable, it->display,
                          in->error ? in->error : "read error");
            return SIZE_MAX;
        }
        if (n == 0)
            return len;
        len += (size_t)n;
    }
    if (allow_cut) {
        *cut = true;
        return cap;
    }
    char why[96];
    cap_message(why, sizeof why, ctx->sc->file_cap, false);
    entry_problem(ctx, u, &u->skipped, it->display, why);
    return SIZE_MAX;
nomem:
    pthread_mutex_lock(&ctx->lock);
    ctx->failure = EXH_ERR_NOMEM;
    pthread_mutex_unlock(&ctx->lock);
    return SIZE_MAX;
}

/* Adds a file finding for a rule that is not Sigma (takes fr's strings). */
static exh_status file_finding(worker *w, unit *u, const item *it,
                               const ifile *facts, frule *fr,
                               const char *const *keys,
                               const char *const *values, size_t count)
{
    scan_ctx *ctx = w->ctx;
    ifinding f = {0};
    f.rule = SIZE_MAX;
    f.fr = *fr;
    memset(fr, 0, sizeof *fr);
    f.count = 1;
    f.last_ms = INT64_MIN;
    f.time_ms =
        facts->created_ms != INT64_MIN ? facts->created_ms : facts->modified_ms;
    f.source_path = exh_strdup(it->display);
    f.windows_path = windows_path_of(u, it->path);
    f.file = exh_malloc(sizeof *f.file);
    f.evidence = exh_calloc(count ? count : 1, sizeof *f.evidence);
    exh_status st = f.source_path && f.file && f.evidence && f.fr.name
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    if (f.file)
        *f.file = *facts;
    for (size_t i = 0; i < count && st == EXH_OK; i++)
        st = finding_evidence_add(&f, keys[i], values[i], strlen(values[i]));
    if (st == EXH_OK) {
        pthread_mutex_lock(&ctx->lock);
        st = finding_add(u, ctx->rs, &f, NULL);
        pthread_mutex_unlock(&ctx->lock);
    }
    ifinding_free(&f);
    return st;
}

/* A severity from a YARA rule: its exhunt_severity, else signature-base's
 * score (80 and above high, 60 medium, below low), else medium. */
exh_severity yara_severity(const yara_hit *h)
{
    exh_severity sev;
    if (h->severity && exh_severity_parse(h->severity, &sev) == EXH_OK)
        return sev;
    if (h->score >= 80)
        return EXH_SEV_HIGH;
    if (h->score >= 60)
        return EXH_SEV_MEDIUM;
    if (h->score >= 0)
        return EXH_SEV_LOW;
    return EXH_SEV_MEDIUM;
}

/* A category from a YARA rule: its exhunt_category, else suspicious (a
 * foreign rule, DESIGN.md). */
exh_category yara_category(const yara_hit *h)
{
    static const char *const names[] = {"vulnerable",        "attempt",
                                        "exploitation",      "webshell",
                                        "post-exploitation", "suspicious"};
    for (size_t i = 0; h->category && i < sizeof names / sizeof *names; i++) {
        if (util_strcasecmp(h->category, names[i]) == 0)
            return (exh_category)i;
    }
    return EXH_CAT_SUSPICIOUS;
}

static bool on_yara_hit(void *user, const yara_hit *h)
{
    worker *w = user;
    if (log_tagged(h)) // meant for log lines (yara_line), not files
        return true;
    // The canonical text's pass reports only what the raw text hid.
    for (size_t i = 0; w->yara_deobf && i < w->yara_seen_count; i++)
        if (w->yara_seen[i] == h->rule)
            return true;
    if (!w->yara_deobf && w->yara_seen_count < 32)
        w->yara_seen[w->yara_seen_count++] = h->rule;
    char strings[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < h->string_count && used < sizeof strings - 64; i++)
        used += (size_t)snprintf(strings + used, sizeof strings - used,
                                 "%s%s@%llu", i ? ", " : "", h->string_ids[i],
                                 (unsigned long long)h->string_offsets[i]);
    frule fr = {exh_strdup(h->rule),
                exh_strdup(h->description ? h->description : h->rule),
                exh_strdup(h->source),
                h->author ? exh_strdup(h->author) : NULL,
                yara_severity(h),
                yara_category(h),
                h->cve ? exh_strdup(h->cve) : NULL};
    const char *keys[] = {"yara_rule", "deobfuscated", "yara_strings"};
    const char *values[] = {h->rule,
                            "matched the page's canonical text: escapes "
                            "decoded, comments removed, literals joined",
                            strings};
    if (!w->yara_deobf) {
        keys[1] = keys[2];
        values[1] = values[2];
    }
    if (fr.category == EXH_CAT_WEBSHELL)
        w->yara_webshell = true;
    size_t count = 1 + (w->yara_deobf ? 1 : 0) + (used ? 1 : 0);
    exh_status st = file_finding(w, w->yara_unit, w->yara_item, w->yara_facts,
                                 &fr, keys, values, count);
    exh_free(fr.name);
    exh_free(fr.title);
    exh_free(fr.source);
    exh_free(fr.author);
    exh_free(fr.cve);
    if (st != EXH_OK)
        w->yara_status = st;
    return st == EXH_OK;
}

/* What a file is, from its first bytes, for YARA's filetype external. */
static const char *file_type(const unsigned char *p, size_t len)
{
    if (len >= 2 && p[0] == 'M' && p[1] == 'Z')
        return "EXE";
    if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        return "ZIP";
    if (len >= 4 && memcmp(p, "MDMP", 4) == 0)
        return "MDMP";
    if (len >= 4 && memcmp(p, "!BDN", 4) == 0)
        return "PST";
    return "";
}

/* True for the server pages whose canonical text is scanned as well. */
static bool is_page(const char *ext, size_t len)
{
    static const char *const exts[] = {".aspx", ".ashx",  ".asmx", ".asp",
                                       ".ascx", ".asa",   ".asax", ".cs",
                                       ".svc",  ".cshtml"};
    for (size_t i = 0; len <= (1u << 20) && i < sizeof exts / sizeof *exts; i++)
        if (strcmp(ext, exts[i]) == 0)
            return true;
    return false;
}

/* Scans the canonical text of a page (lib/match/deobf.c) when it differs
 * from the raw text; reports the rules the raw text hid. */
static exh_status yara_canonical(worker *w, size_t len,
                                 const yara_externals *ext_vars)
{
    if (w->dcap < len + 1) {
        char *p = exh_realloc(w->dbuf, len + 1);
        if (!p)
            return EXH_ERR_NOMEM;
        w->dbuf = p;
        w->dcap = len + 1;
    }
    size_t n = deobf_page(w->fbuf, len, w->dbuf);
    if (n == len && memcmp(w->dbuf, w->fbuf, len) == 0)
        return EXH_OK;
    w->yara_deobf = true;
    exh_status st = yara_scan_mem(w->yara, (const uint8_t *)w->dbuf, n,
                                  ext_vars, 10, on_yara_hit, w);
    w->yara_deobf = false;
    return st;
}

/* Runs the YARA rules on a file read whole. */
static exh_status yara_file(worker *w, unit *u, const item *it,
                            const ifile *facts, size_t len)
{
    const exh_ruleset *rs = w->ctx->rs;
    if (!rs->yara || yara_set_count(rs->yara) == 0)
        return EXH_OK;
    if (!w->yara)
        EXH_TRY(yara_scan_new(rs->yara, &w->yara));
    // A file given alone has no path inside the target: use the target's.
    const char *name = it->path[0] ? it->path : it->display;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    char ext[32] = "";
    const char *dot = strrchr(base, '.');
    if (dot && strlen(dot) < sizeof ext) {
        for (size_t i = 0; dot[i]; i++)
            ext[i] =
                (char)((dot[i] >= 'A' && dot[i] <= 'Z') ? dot[i] + 32 : dot[i]);
    }
    char *wp = windows_path_of(u, it->path);
    char *folder = wp ? wp : exh_strdup(it->display);
    if (folder) {
        char *cut = strrchr(folder, wp ? '\\' : '/');
        if (cut)
            *cut = '\0';
    }
    yara_externals ext_vars = {base, folder ? folder : "", ext,
                               file_type(w->fbuf, len), ""};
    w->yara_item = it;
    w->yara_facts = facts;
    w->yara_unit = u;
    w->yara_status = EXH_OK;
    w->yara_webshell = false;
    w->yara_seen_count = 0;
    w->yara_deobf = false;
    exh_status st =
        yara_scan_mem(w->yara, w->fbuf, len, &ext_vars, 10, on_yara_hit, w);
    if (st == EXH_OK && w->yara_status == EXH_OK && is_page(ext, len))
        st = yara_canonical(w, len, &ext_vars);
    exh_free(folder);
    if (st == EXH_ERR_TIMEOUT) {
        entry_problem(w->ctx, u, &u->bad_records, it->display,
                      "the YARA rules timed out on this file (10 s): matches "
                      "after that point are unknown");
        st = EXH_OK;
    } else if (st == EXH_ERR_ENGINE) {
        entry_problem(w->ctx, u, &u->unreadable, it->display,
                      "the YARA engine failed on this file");
        st = EXH_OK;
    }
    return st != EXH_OK ? st : w->yara_status;
}

/* The Windows path of a file; outside a volume the path as shown, with
 * Windows separators. NULL when out of memory. */
static char *file_windows_path(const unit *u, const item *it)
{
    char *wp = windows_path_of(u, it->path);
    if (!wp && (wp = exh_strdup(it->display)) != NULL)
        for (char *c = wp; *c; c++)
            if (*c == '/')
                *c = '\\';
    return wp;
}

/* Judges a file by the built-in known-good lists (lib/match/baseline.c):
 * a file in the Exchange front end's sign-in folders that is not stock. A
 * file a webshell YARA rule already reported gets no second finding. */
static exh_status baseline_file(worker *w, unit *u, const item *it,
                                const ifile *facts)
{
    const exh_ruleset *rs = w->ctx->rs;
    if (!rs->baseline || w->yara_webshell)
        return EXH_OK;
    char *wp = file_windows_path(u, it);
    if (!wp)
        return EXH_ERR_NOMEM;
    const char *why = baseline_auth_check(rs->baseline, wp);
    exh_status st = EXH_OK;
    if (why) {
        frule fr = {exh_strdup("exchange_auth_folder_unexpected_file"),
                    exh_strdup("File in an Exchange front-end sign-in folder "
                               "(owa/auth, ecp/auth) that is not a stock "
                               "Exchange file"),
                    exh_strdup("builtin:baselines/exchange_auth_files.txt"),
                    exh_strdup("exhunt"),
                    EXH_SEV_HIGH,
                    EXH_CAT_SUSPICIOUS,
                    NULL};
        const char *keys[] = {"reason"};
        const char *values[] = {why};
        st = file_finding(w, u, it, facts, &fr, keys, values, 1);
        exh_free(fr.name);
        exh_free(fr.title);
        exh_free(fr.source);
        exh_free(fr.author);
    }
    exh_free(wp);
    return st;
}

typedef struct persist_ctx {
    worker *w;
    unit *u;
    const item *it;
    const ifile *facts;
    const char *source;
    exh_status st;
} persist_ctx;

static bool on_persist_hit(void *user, const persist_hit *h)
{
    persist_ctx *pc = user;
    frule fr = {exh_strdup(h->rule),
                exh_strdup(h->title),
                exh_strdup(pc->source),
                exh_strdup("exhunt"),
                h->severity,
                h->category,
                NULL};
    pc->st = file_finding(pc->w, pc->u, pc->it, pc->facts, &fr, h->keys,
                          h->values, h->count);
    exh_free(fr.name);
    exh_free(fr.title);
    exh_free(fr.source);
    exh_free(fr.author);
    return pc->st == EXH_OK;
}

/* Judges the registrations of a configuration file (IIS modules, transport
 * agents, scheduled tasks: lib/match/persist.c). */
static exh_status persist_file(worker *w, unit *u, const item *it,
                               const ifile *facts, size_t len)
{
    const exh_ruleset *rs = w->ctx->rs;
    if (!rs->baseline)
        return EXH_OK;
    char *wp = file_windows_path(u, it);
    if (!wp)
        return EXH_ERR_NOMEM;
    int kind = persist_kind(wp);
    exh_free(wp);
    if (kind == PERSIST_NONE)
        return EXH_OK;
    persist_ctx pc = {w, u, it, facts, NULL, EXH_OK};
    if (kind == PERSIST_AGENTS)
        pc.source = "builtin:lib/match/persist.c (transport agents)";
    else if (kind == PERSIST_TASK)
        pc.source = "builtin:lib/match/persist.c (scheduled tasks)";
    else
        pc.source = "builtin:baselines/iis_native_modules.txt";
    if (xml_is_utf16(w->fbuf, len)) {
        char *narrow = exh_malloc(len / 2 + 1);
        if (!narrow)
            return EXH_ERR_NOMEM;
        size_t n = xml_narrow(w->fbuf, len, narrow, len / 2 + 1);
        persist_check(rs->baseline, kind, narrow, n, on_persist_hit, &pc);
        exh_free(narrow);
    } else {
        persist_check(rs->baseline, kind, (const char *)w->fbuf, len,
                      on_persist_hit, &pc);
    }
    return pc.st;
}

/* Matches a file's Windows path against the file-name IOC lists. */
static exh_status name_iocs(worker *w, unit *u, const item *it,
                            const ifile *facts)
{
    const exh_ruleset *rs = w->ctx->rs;
    if (!rs->name_count)
        return EXH_OK;
    char *wp = file_windows_path(u, it);
    char *lower = wp ? exh_strdup(wp) : NULL;
    bool ascii = true;
    for (char *c = lower; c && *c; c++) {
        ascii &= (unsigned char)*c < 0x80;
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    }
    void *md = nameioc_match_data();
    exh_status st = wp && lower && md ? EXH_OK : EXH_ERR_NOMEM;
    const char *reported = NULL; // one finding per list
    for (size_t i = 0; i < rs->name_count && st == EXH_OK; i++) {
        const name_ioc *n = &rs->names[i];
        if ((reported && strcmp(reported, n->rule) == 0) ||
            !nameioc_matches(n, wp, ascii ? lower : NULL, md))
            continue;
        reported = n->rule;
        frule fr = {exh_strdup(n->rule),
                    exh_strdup(n->title),
                    exh_strdup(n->source),
                    NULL,
                    n->severity,
                    EXH_CAT_SUSPICIOUS,
                    NULL};
        char score[16];
        snprintf(score, sizeof score, "%d", n->score);
        const char *keys[] = {"ioc_regex", "ioc_score", "ioc_comment"};
        const char *values[] = {n->regex, score, n->comment};
        st = file_finding(w, u, it, facts, &fr, keys, values,
                          n->comment[0] ? 3 : 2);
        exh_free(fr.name);
        exh_free(fr.title);
        exh_free(fr.source);
    }
    nameioc_match_data_free(md);
    exh_free(lower);
    exh_free(wp);
    return st;
}

static bool in_drop_zone(const char *wp);

/* Copies what NTFS knows of an entry into a finding's facts. */
static void ntfs_facts(ifile *facts, const entry_ntfs *n)
{
    if (!n)
        return;
    const int64_t t[8] = {n->si_created,  n->si_modified, n->si_changed,
                          n->si_accessed, n->fn_created,  n->fn_modified,
                          n->fn_changed,  n->fn_accessed};
    facts->has_ntfs = true;
    facts->deleted = n->deleted;
    memcpy(facts->ntfs_times, t, sizeof t);
    snprintf(facts->owner, sizeof facts->owner, "%s", n->owner ? n->owner : "");
    snprintf(facts->stream, sizeof facts->stream, "%s",
             n->stream ? n->stream : "");
}

/* True when a Windows path lies in a web folder: inetpub, or the
 * Exchange front end's and back end's web applications. */
static bool in_web_folder(const char *wp)
{
    size_t len = strlen(wp);
    return util_memcasemem(wp, len, "\\inetpub\\", 9) ||
           util_memcasemem(wp, len, "\\FrontEnd\\HttpProxy\\", 19) ||
           util_memcasemem(wp, len, "\\ClientAccess\\", 14);
}

/* What the NTFS metadata of an image says of a file in the drop zones:
 * timestomping ($STANDARD_INFORMATION creation set before $FILE_NAME
 * creation, which only the kernel writes) and a server page owned by
 * SYSTEM in a web folder (written by the exploited service, which runs as
 * SYSTEM; installers write as Administrators or TrustedInstaller). */
static exh_status ntfs_checks(worker *w, unit *u, const item *it,
                              const ifile *facts)
{
    const entry_ntfs *n = it->ntfs;
    exh_status st = EXH_OK;
    // Drop zones only: --all-files widens what is read, not this.
    char *wp = windows_path_of(u, it->path);
    if (!wp || !in_drop_zone(wp)) {
        exh_free(wp);
        return EXH_OK;
    }
    if (n->si_created != INT64_MIN && n->fn_created != INT64_MIN &&
        n->si_created < n->fn_created) {
        char si[32], fn[32];
        util_time_format(n->si_created, si);
        util_time_format(n->fn_created, fn);
        frule fr = {
            exh_strdup("ntfs_timestomp_si_before_fn"),
            exh_strdup("File in a drop zone whose $STANDARD_INFORMATION "
                       "creation time is earlier than its $FILE_NAME "
                       "creation time (timestomped)"),
            exh_strdup("builtin:exhunt/ntfs"),
            exh_strdup("exhunt"),
            EXH_SEV_MEDIUM,
            EXH_CAT_SUSPICIOUS,
            NULL};
        const char *keys[] = {"si_created", "fn_created"};
        const char *values[] = {si, fn};
        st = file_finding(w, u, it, facts, &fr, keys, values, 2);
        exh_free(fr.name);
        exh_free(fr.title);
        exh_free(fr.source);
        exh_free(fr.author);
    }
    const char *dot = strrchr(it->path, '.');
    bool page = dot && !strchr(dot, '/') &&
                (util_strcasecmp(dot, ".aspx") == 0 ||
                 util_strcasecmp(dot, ".ashx") == 0 ||
                 util_strcasecmp(dot, ".asmx") == 0);
    if (st == EXH_OK && page && n->owner && strcmp(n->owner, "S-1-5-18") == 0 &&
        in_web_folder(wp)) {
        frule fr = {exh_strdup("ntfs_page_owned_by_system"),
                    exh_strdup("Server page in a web folder owned by SYSTEM: "
                               "written by a service running as SYSTEM, such "
                               "as an exploited Exchange worker process"),
                    exh_strdup("builtin:exhunt/ntfs"),
                    exh_strdup("exhunt"),
                    EXH_SEV_MEDIUM,
                    EXH_CAT_SUSPICIOUS,
                    NULL};
        const char *keys[] = {"owner"};
        const char *values[] = {"S-1-5-18 (SYSTEM)"};
        st = file_finding(w, u, it, facts, &fr, keys, values, 1);
        exh_free(fr.name);
        exh_free(fr.title);
        exh_free(fr.source);
        exh_free(fr.author);
    }
    exh_free(wp);
    return st;
}

/* Hashes a file read whole and matches it: hash IOC lists, YARA. */
static void process_file(worker *w, unit *u, const item *it, stream *in,
                         size_t head_len)
{
    scan_ctx *ctx = w->ctx;
    // A memory dump is judged by its start (the module list lies there):
    // an LSASS dump is usually larger than the cap.
    bool dump = head_len >= 4 && memcmp(w->head, "MDMP", 4) == 0;
    if (it->size > ctx->sc->file_cap && !dump) {
        char why[96];
        cap_message(why, sizeof why, ctx->sc->file_cap, false);
        entry_problem(ctx, u, &u->skipped, it->display, why);
        return;
    }
    bool cut = dump;
    size_t len = read_whole(w, u, it, in, head_len, &cut);
    if (len == SIZE_MAX)
        return;
    const char *base = strrchr(it->path, '/');
    if (!cut && build_is_exsetup(base ? base + 1 : it->path)) {
        char *wp = windows_path_of(u, it->path);
        pthread_mutex_lock(&ctx->lock);
        if (build_offer_exsetup(&u->build, w->fbuf, len, it->path, it->display,
                                wp) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        pthread_mutex_unlock(&ctx->lock);
        exh_free(wp);
    }
    unsigned mitigations =
        cut ? 0 : build_sniff_config(base ? base + 1 : it->path, w->fbuf, len);
    if (mitigations) {
        pthread_mutex_lock(&ctx->lock);
        u->build.mitigations |= mitigations;
        pthread_mutex_unlock(&ctx->lock);
    }
    ifile facts = {.size = cut ? it->size : len,
                   .modified_ms = it->modified_ms,
                   .created_ms = it->created_ms,
                   .time_source = it->time_source};
    ntfs_facts(&facts, it->ntfs);
    if (cut) {
        char why[128];
        cap_message(why, sizeof why, ctx->sc->file_cap, true);
        entry_problem(ctx, u, &u->bad_records, it->display, why);
    }
    sha256_ctx sha;
    sha256_init(&sha);
    sha256_update(&sha, w->fbuf, len);
    if (!cut)
        sha256_hex(&sha, facts.sha256);
    exh_status st = EXH_OK;
    /* MD5 and SHA-1 only when a loaded list holds such entries. */
    char md5[33] = "", sha1[41] = "";
    if (!cut && ctx->rs->hash_md5)
        md5_hex(w->fbuf, len, md5);
    if (!cut && ctx->rs->hash_sha1)
        sha1_hex(w->fbuf, len, sha1);
    const char *digest_key[] = {"sha256", "sha1", "md5"};
    const char *digest[] = {facts.sha256, sha1, md5};
    const char *reported[3] = {NULL, NULL, NULL}; /* one finding per list */
    for (size_t d = 0; d < 3 && st == EXH_OK && !cut; d++) {
        const hash_ioc *hit =
            digest[d][0] ? ruleset_hash_lookup(ctx->rs, digest[d]) : NULL;
        bool again = false;
        for (size_t r = 0; hit && r < d; r++)
            again |= reported[r] && strcmp(reported[r], hit->rule) == 0;
        if (!hit || again)
            continue;
        reported[d] = hit->rule;
        frule fr = {exh_strdup(hit->rule),
                    exh_strdup(hit->title),
                    exh_strdup(hit->source),
                    NULL,
                    EXH_SEV_HIGH,
                    EXH_CAT_POST_EXPLOITATION,
                    NULL};
        const char *keys[] = {digest_key[d], "ioc_comment"};
        const char *values[] = {digest[d], hit->comment};
        st = file_finding(w, u, it, &facts, &fr, keys, values,
                          hit->comment[0] ? 2 : 1);
        exh_free(fr.name);
        exh_free(fr.title);
        exh_free(fr.source);
    }
    if (st == EXH_OK)
        st = name_iocs(w, u, it, &facts);
    w->yara_webshell = false;
    if (st == EXH_OK)
        st = yara_file(w, u, it, &facts, len);
    if (st == EXH_OK)
        st = baseline_file(w, u, it, &facts);
    if (st == EXH_OK && !cut)
        st = persist_file(w, u, it, &facts, len);
    if (st == EXH_OK && it->ntfs)
        st = ntfs_checks(w, u, it, &facts);
    atomic_fetch_add(&ctx->bytes_done, len);
    pthread_mutex_lock(&ctx->lock);
    u->scanned++;
    u->files_scanned++;
    if (st != EXH_OK)
        ctx->failure = st;
    pthread_mutex_unlock(&ctx->lock);
}

/* Drop zones of a volume: where attackers put files in published incidents
 * (DESIGN.md, Scope), as prefixes of the path below the volume root. */
static const char *const drop_zones[] = {
    "inetpub\\",
    "ProgramData\\",
    "Windows\\Temp\\",
    "Windows\\Help\\",
    "Program Files\\Common Files\\",
    "Program Files\\Microsoft\\Exchange Server\\",
    "Users\\Public\\",
    "PerfLogs\\",
    "root\\",
    "Windows\\System32\\inetsrv\\config\\", // IIS: virtual directories
    "Windows\\System32\\Tasks\\",           // scheduled tasks
};

/* True when an entry is to be scanned as a file: every file outside a
 * volume (a plain folder, a collection of files) or with --all-files; in a
 * volume, the drop zones, the Exchange install wherever it is, and the
 * files at the volume's top. */
static bool in_file_scope(scan_ctx *ctx, const unit *u, const char *path)
{
    if (ctx->sc->all_files)
        return true;
    char *wp = windows_path_of(u, path);
    if (!wp)
        return true;
    bool yes = in_drop_zone(wp);
    exh_free(wp);
    return yes;
}

/* True when the Windows path wp lies in the drop zones of its volume (see
 * in_file_scope). */
static bool in_drop_zone(const char *wp)
{
    const char *rest = strlen(wp) > 3 ? wp + 3 : ""; // after "C:\"
    size_t len = strlen(rest);
    bool yes = strchr(rest, '\\') == NULL; // at the volume's top
    for (size_t i = 0; !yes && i < sizeof drop_zones / sizeof *drop_zones;
         i++) {
        size_t n = strlen(drop_zones[i]);
        yes = len > n && util_ieq(rest, n, drop_zones[i], n);
    }
    if (!yes)
        yes = util_memcasemem(rest, len, "\\FrontEnd\\HttpProxy\\", 19) ||
              util_memcasemem(rest, len, "\\ClientAccess\\", 14) ||
              (util_memcasemem(rest, len, "Microsoft.NET\\Framework", 23) &&
               util_memcasemem(rest, len, "\\Temporary ASP.NET Files\\", 26));
    return yes;
}

bool scanner_in_drop_zone(const char *wp)
{
    return in_drop_zone(wp);
}

bool scanner_in_web_folder(const char *wp)
{
    return in_web_folder(wp);
}

coverage_acc *scanner_log_coverage(unit *u, const char *path, log_family fam)
{
    return fam == FAM_IIS ? site_coverage(u, path) : &u->cov[fam];
}

void scanner_unit_error(unit *u, const char *path, const char *message)
{
    add_error(u, path, message);
}

/* The time of a "#Date:" directive among the first lines of a log (its
 * creation: Exchange writes "2021-03-02T04:00:00.000Z", IIS "2021-03-02
 * 00:00:00"), or false. */
static bool header_date(const char *head, size_t len, int64_t *ms)
{
    size_t at = len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (at + 7 < len && head[at] == '#') {
        const char *nl = memchr(head + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - head) : len;
        if (memcmp(head + at, "#Date: ", 7) == 0) {
            size_t n = end - at - 7;
            if (n && head[at + 7 + n - 1] == '\r')
                n--;
            return util_time_parse(head + at + 7, n, ms);
        }
        if (!nl)
            break;
        at = end + 1;
    }
    return false;
}

/* Whether a log file is dated outside --since/--until with a day's margin
 * each side (IIS may roll over at local midnight, a file may hold records
 * past its hour): by its name, else by its header's "#Date:" (the day
 * after it). Asked only of files read as logs. */
static bool outside_window(const exh_scanner *sc, const char *display,
                           const char *head, size_t head_len)
{
    int64_t from, to;
    if (sc->since_ms == INT64_MIN && sc->until_ms == INT64_MAX)
        return false;
    if (!util_log_name_span(display, &from, &to)) {
        if (!header_date(head, head_len, &from))
            return false;
        to = from + 86400000;
    }
    const int64_t margin = 86400000;
    return (sc->since_ms != INT64_MIN && to + margin <= sc->since_ms) ||
           (sc->until_ms != INT64_MAX && from - margin > sc->until_ms);
}

/* ---- event logs ---------------------------------------------------------- */

/* The coverage of one channel of the event log being read (a file may hold
 * several): family "evtx:<Channel>". */
typedef struct evtx_chan {
    char channel[256]; /* as the records name it ("" for none) */
    char family[300];
    coverage_acc acc;
} evtx_chan;

/* The coverage family of a channel: "evtx:<Channel>", else (no Channel)
 * from the file name Windows gives it ("Microsoft-Windows-Sysmon%4
 * Operational.evtx"). */
static void evtx_family(const worker *w, const char *channel, char *out,
                        size_t len)
{
    if (channel[0]) {
        snprintf(out, len, "evtx:%s", channel);
        return;
    }
    const char *base = strrchr(w->display, '/');
    base = base ? base + 1 : w->display;
    size_t n = strlen(base), k = snprintf(out, len, "evtx:");
    if (n > 5 && util_strcasecmp(base + n - 5, ".evtx") == 0)
        n -= 5;
    for (size_t i = 0; i < n && k + 1 < len; i++) {
        if (base[i] == '%' && i + 1 < n && base[i + 1] == '4') {
            out[k++] = '/';
            i++;
        } else {
            out[k++] = base[i];
        }
    }
    out[k] = '\0';
}

/* The coverage of channel in the file being read, made on first sight;
 * NULL when out of memory. */
static evtx_chan *channel_of(worker *w, const char *channel)
{
    if (w->chan_last < w->chan_count &&
        strncmp(w->chans[w->chan_last].channel, channel, 256) == 0)
        return &w->chans[w->chan_last];
    char fam[300];
    evtx_family(w, channel, fam, sizeof fam);
    for (size_t i = 0; i < w->chan_count; i++) {
        if (strcmp(w->chans[i].family, fam) == 0) {
            w->chan_last = i;
            return &w->chans[i];
        }
    }
    if (w->chan_count == w->chan_cap) {
        size_t cap = w->chan_cap ? w->chan_cap * 2 : 4;
        evtx_chan *p = exh_realloc(w->chans, cap * sizeof *p);
        if (!p)
            return NULL;
        w->chans = p;
        w->chan_cap = cap;
    }
    evtx_chan *c = &w->chans[w->chan_count];
    memset(c, 0, sizeof *c);
    snprintf(c->channel, sizeof c->channel, "%s", channel);
    snprintf(c->family, sizeof c->family, "%s", fam);
    w->chan_last = w->chan_count++;
    return c;
}

/* For a cleared-log event (Security 1102; System 104 from the Eventlog
 * provider), the channel it says was cleared: 1102 its own, 104 the
 * Channel of its UserData (the second Channel field), else System. NULL
 * for other events. */
static const char *cleared_channel(const evtx_record *r, const char *eid)
{
    if (!eid)
        return NULL;
    if (strcmp(eid, "1102") == 0 && strcmp(r->channel, "Security") == 0)
        return r->channel;
    if (strcmp(eid, "104") != 0 || strcmp(r->channel, "System") != 0)
        return NULL;
    const char *prov = event_get(r->ev, "Provider_Name", NULL);
    if (!prov || util_strcasecmp(prov, "Microsoft-Windows-Eventlog") != 0)
        return NULL;
    const char *named = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < r->ev->count; i++) {
        if (util_strcasecmp(r->ev->names[i], "Channel") == 0 && seen++ &&
            r->ev->values[i][0])
            named = r->ev->values[i];
    }
    return named ? named : r->channel;
}

/* Notes a record in its channel's coverage: count, and inside the
 * --since/--until window (what the rules see) time, id and clears. */
static void note_evtx_record(worker *w, const evtx_record *r, uint64_t number,
                             const char *eid)
{
    evtx_chan *c = channel_of(w, r->channel);
    if (!c)
        return; // coverage gets coarser; matching goes on
    c->acc.records++;
    const exh_scanner *sc = w->ctx->sc;
    if (r->time_ms < sc->since_ms || r->time_ms > sc->until_ms)
        return;
    coverage_note_time(&c->acc, r->time_ms);
    coverage_note_id(&c->acc, number, r->time_ms);
    const char *cleared = cleared_channel(r, eid);
    if (cleared && (c = channel_of(w, cleared)))
        coverage_note_clear(&c->acc, number, r->time_ms);
}

/* The record's EventRecordID (source.record), else its header's id. */
static uint64_t record_number(const evtx_record *r)
{
    size_t len = 0;
    const char *v = event_get(r->ev, "EventRecordID", &len);
    uint64_t n = 0;
    for (size_t i = 0; v && i < len && i < 19; i++) {
        if (v[i] < '0' || v[i] > '9')
            return r->record_id;
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    return n ? n : r->record_id;
}

static bool on_evtx_record(void *user, const evtx_record *r)
{
    worker *w = user;
    const exh_scanner *sc = w->ctx->sc;
    const exh_ruleset *rs = w->ctx->rs;
    uint64_t number = record_number(r);
    const char *eid = event_get(r->ev, "EventID", NULL);
    note_evtx_record(w, r, number, eid);
    if (!w->host_done)
        offer_host(w, r->ev, number);
    // 4688 gets Sysmon 1's names; processes are remembered for linking
    const event *ev = winproc_event(w->proc, r->ev, r->channel, eid);
    if (r->time_ms < sc->since_ms || r->time_ms > sc->until_ms)
        return true;
    const family_rules *fr = &rs->fam[FAM_EVTX];
    if (fr->count == 0)
        return true;
    const uint64_t *found = NULL;
    if (fr->pf) {
        size_t words = prefilter_words(fr->pf);
        if (words > w->pf_words) {
            uint64_t *b = exh_realloc(w->pf_bits, words * sizeof *b);
            if (!b) {
                pthread_mutex_lock(&w->ctx->lock);
                w->ctx->failure = EXH_ERR_NOMEM;
                pthread_mutex_unlock(&w->ctx->lock);
                return false;
            }
            w->pf_bits = b;
            w->pf_words = words;
        }
        memset(w->pf_bits, 0, words * sizeof *w->pf_bits);
        prefilter_bits(fr->pf, ev->raw, ev->raw_len, false, w->pf_bits);
        if (!prefilter_pass(fr->pf, w->pf_bits, ev->raw, ev->raw_len, NULL, 0))
            return true;
        found = w->pf_bits;
    }
    w->passed++;
    logrec lr = {.time_ms = r->time_ms, .line = number, .maybe = true};
    for (size_t i = 0; i < fr->count; i++) {
        const char *matched[16];
        size_t mc = 0;
        size_t rule = fr->idx[i];
        const rule_entry *re = &rs->rules[rule];
        if (found && !prefilter_rule_pass(fr->pf, i, found, ev->raw,
                                          ev->raw_len, NULL, 0))
            continue;
        if (re->winlog &&
            !winlog_applies(re->winlog, r->channel, eid ? eid : ""))
            continue;
        if (!sigma_match(re->sigma, ev, matched, 16, &mc))
            continue;
        exh_status st = report_match(w, rule, &lr, ev, matched, mc);
        if (st != EXH_OK) {
            pthread_mutex_lock(&w->ctx->lock);
            w->ctx->failure = st;
            pthread_mutex_unlock(&w->ctx->lock);
            return false;
        }
    }
    return true;
}

static void finish_evtx(worker *w, const evtx_stats *st, exh_status rst,
                        const char *read_error)
{
    scan_ctx *ctx = w->ctx;
    unit *u = w->u;
    char msg[512];
    if (w->chan_count == 0)
        (void)channel_of(w, ""); // no record: named by the file
    pthread_mutex_lock(&ctx->lock);
    u->scanned++;
    for (size_t i = 0; i < w->chan_count; i++) {
        evtx_chan *ch = &w->chans[i];
        // a channel only named by another's clear event was not read here
        ch->acc.files = ch->acc.records || !ch->acc.clear_count;
        coverage_acc *c = named_coverage(u, ch->family);
        if (!c || coverage_merge(c, &ch->acc) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        else if (u->cur_snap && ch->acc.files)
            c->snap_files++;
        coverage_acc_free(&ch->acc);
    }
    w->chan_count = 0;
    snprintf(msg, sizeof msg,
             "event log damaged: %llu chunk%s skipped, %llu record%s "
             "unreadable or cut",
             (unsigned long long)st->bad_chunks, st->bad_chunks == 1 ? "" : "s",
             (unsigned long long)st->bad_records,
             st->bad_records == 1 ? "" : "s");
    log_file_done(w, st->records, st->bad_records + st->bad_chunks, msg, rst,
                  read_error);
    pthread_mutex_unlock(&ctx->lock);
}

/* Reads one event log (its first head_len bytes are in w->head). */
static void process_evtx(worker *w, unit *u, const item *it, stream *in,
                         size_t head_len)
{
    scan_ctx *ctx = w->ctx;
    if ((!w->evtx && evtx_new(&w->evtx) != EXH_OK) ||
        (!w->proc && winproc_new(&w->proc) != EXH_OK)) {
        pthread_mutex_lock(&ctx->lock);
        ctx->failure = EXH_ERR_NOMEM;
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    uint64_t bytes = head_len;
    replay rp = {{replay_read, NULL, NULL}, in, w->head, head_len, 0, &bytes};
    w->u = u;
    w->fam = FAM_EVTX;
    w->display = it->display;
    w->windows_path = windows_path_of(u, it->path);
    w->install_win = NULL;
    w->span_count = 0;
    w->host_done = false;
    w->chan_count = 0;
    winproc_reset(w->proc);
    evtx_stats st = {0};
    w->passed = 0;
    exh_status rst = evtx_read(w->evtx, &rp.base, on_evtx_record, w, &st);
    finish_evtx(w, &st, rst, rp.base.error ? rp.base.error : in->error);
    atomic_fetch_add(&ctx->bytes_done, bytes);
    exh_free(w->windows_path);
    w->windows_path = NULL;
}

/* True when the text log it, read from a snapshot, is the start of the
 * longer live file at its Windows path, read already (a log still being
 * written when the snapshot was made): filed with shadow_prefix() and not
 * read, so each record counts once in coverage and aggregated counts.
 * Only text logs: a file scanned as a file is judged by its own hash, and
 * an event log is no append-only file. */
static bool shared_with_live(worker *w, unit *u, const item *it)
{
    uint64_t lines = 0;
    if (!u->cur_snap || !u->cur_longer || !it->ntfs ||
        !it->ntfs->prefix_of_live ||
        it->ntfs->prefix_of_live(it->ntfs, &lines) != 1)
        return false;
    char *wp = windows_path_of(u, it->path);
    pthread_mutex_lock(&w->ctx->lock);
    u->skipped++;
    if (!wp || shadow_prefix(u, wp, u->cur_snap, lines) != EXH_OK)
        w->ctx->failure = EXH_ERR_NOMEM;
    pthread_mutex_unlock(&w->ctx->lock);
    exh_free(wp);
    return true;
}

static void process(worker *w, unit *u, const item *it, stream *in);

/* The length of the compression suffix of a compressed log inside the
 * target: its name ends in .gz, .bz2 or .xz after a log's name, and its
 * first bytes say so. 0 for anything else; a file given alone was
 * unpacked by its source (single.c), and data is unpacked only once. */
static size_t compressed_log(const item *it, const char *head, size_t len)
{
    size_t sfx = classify_compressed_suffix(it->display);
    if (!sfx || it->unpacked || !it->path[0] ||
        !source_is_compressed(source_packed_kind(head, len)))
        return 0;
    char *name = exh_strndup(it->display, strlen(it->display) - sfx);
    bool log = name && classify_candidate(name);
    exh_free(name);
    return log ? sfx : 0;
}

/* Reads the data the compressed log it holds as the log its name without
 * the suffix (sfx bytes) names; head_len bytes of it are in w->head. */
static void process_compressed(worker *w, unit *u, const item *it, stream *in,
                               size_t head_len, size_t sfx)
{
    scan_ctx *ctx = w->ctx;
    const char *kind = source_packed_kind(w->head, head_len);
    char *name = exh_strndup(it->display, strlen(it->display) - sfx);
    archive_unpack *up = NULL;
    const char *err = "out of memory";
    stream *data =
        name ? archive_unpack_open(&up, in, w->head, head_len, &err) : NULL;
    if (data) {
        item inner = *it;
        inner.unpacked = true;
        inner.name = name;
        inner.size = 0; // unknown until read
        process(w, u, &inner, data);
    } else {
        char msg[400];
        snprintf(msg, sizeof msg, "compressed log (%s), not read: %s", kind,
                 err ? err : "unknown error");
        pthread_mutex_lock(&ctx->lock);
        u->unreadable++;
        add_error(u, it->display, msg);
        pthread_mutex_unlock(&ctx->lock);
    }
    archive_unpack_free(up);
    exh_free(name);
}

static void process(worker *w, unit *u, const item *it, stream *in)
{
    const char *path = it->path, *display = it->display;
    const char *name = it->name ? it->name : display;
    bool explicit_file = it->explicit_file;
    scan_ctx *ctx = w->ctx;
    ssize_t n = read_head(in, w->head);
    if (n < 0) {
        pthread_mutex_lock(&ctx->lock);
        u->unreadable++;
        add_error(u, display, in->error ? in->error : "cannot read");
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    size_t sfx = compressed_log(it, w->head, (size_t)n);
    if (sfx) {
        process_compressed(w, u, it, in, (size_t)n, sfx);
        return;
    }
    // An archive inside the evidence is not opened: only a target, or a
    // child of a target folder, is read as a collection. It is scanned as
    // one file where files are (a staged archive), and never read as a
    // log, whatever text it stores.
    const char *base = strrchr(display, '/');
    bool nested =
        !explicit_file && source_is_archive_name(base ? base + 1 : display);
    static const char nested_note[] =
        "an archive inside the evidence is not opened (only a target, or a "
        "child of a target folder, is read as a collection)";
    if (nested) {
        // A fact, no error: the summary's notes (kept by shadow.c).
        char note[sizeof nested_note + 32];
        snprintf(note, sizeof note, "%s: %s", nested_note,
                 it->file_scope ? "scanned as one file" : "not read");
        pthread_mutex_lock(&ctx->lock);
        if (shadow_add_note(u, display, note) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        pthread_mutex_unlock(&ctx->lock);
    }
    // The display path keeps the folders above the target: a log folder
    // given as the target is still known by its name.
    log_family fam =
        nested ? FAM_NONE : classify_entry(name, w->head, (size_t)n);
    if (fam == FAM_NONE && it->file_scope) {
        process_file(w, u, it, in, (size_t)n);
        return;
    }
    if (fam == FAM_NONE) {
        const char *why = NULL; // a nested archive's note is said above
        if (!nested && memchr(w->head, '\0', (size_t)n) &&
            csvlog_sniff_binary(w->head, (size_t)n))
            why = "binary data, not a text log: not read";
        else if (!nested && explicit_file)
            why = "not a log format this version reads: not read";
        pthread_mutex_lock(&ctx->lock);
        u->skipped++;
        if (why)
            add_error(u, display, why);
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    if (outside_window(ctx->sc, name, w->head, (size_t)n)) {
        pthread_mutex_lock(&ctx->lock);
        u->skipped++;
        u->outside_window++;
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    if (fam != FAM_EVTX && shared_with_live(w, u, it))
        return;
    w->file_build_ok = false; // event logs name no build
    w->ecp_build_count = 0;
    w->ecp_minute = INT64_MIN;
    if (fam == FAM_EVTX) {
        process_evtx(w, u, it, in, (size_t)n);
        return;
    }
    if (!w->readers[fam] &&
        csvlog_new(fam, MAX_RECORD_BYTES, &w->readers[fam]) != EXH_OK) {
        pthread_mutex_lock(&ctx->lock);
        ctx->failure = EXH_ERR_NOMEM;
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    uint64_t bytes = (uint64_t)n;
    replay rp = {{replay_read, NULL, NULL}, in, w->head, (size_t)n, 0, &bytes};
    w->u = u;
    w->fam = fam;
    w->display = display;
    w->windows_path = windows_path_of(u, path);
    w->install_win = install_root(w->windows_path);
    w->span_count = 0;
    w->passed = 0;
    w->host_done = false;
    w->file_build_ok =
        fam != FAM_IIS &&
        build_sniff_log_header(w->head, (size_t)n, w->file_build, NULL);
    if (!header_date(w->head, (size_t)n, &w->file_date_ms))
        w->file_date_ms = INT64_MIN;
    csvlog_stats stats = {0};
    csvlog_set_prefilter(w->readers[fam],
                         ctx->sc->no_gate ? NULL : ctx->rs->fam[fam].pf,
                         ctx->rs->fam[fam].decode);
    exh_status st =
        csvlog_read(w->readers[fam], &rp.base, on_record, w, &stats);
    finish_file(w, &stats, st, rp.base.error ? rp.base.error : in->error);
    atomic_fetch_add(&ctx->bytes_done, bytes);
    exh_free(w->windows_path);
    exh_free(w->install_win);
    w->windows_path = w->install_win = NULL;
}

/* A stream over a file descriptor. */
typedef struct fd_stream {
    stream base;
    int fd;
} fd_stream;

static ssize_t fd_read(stream *s, void *dst, size_t len)
{
    fd_stream *f = (fd_stream *)s;
    ssize_t n;
    do {
        n = read(f->fd, dst, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        s->error = strerror(errno);
    return n;
}

static void run_job(worker *w, job *j)
{
    scan_ctx *ctx = w->ctx;
    unit *u = &ctx->units[j->unit];
    int fd = source_reopen(j->open_path);
    if (fd < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        pthread_mutex_lock(&ctx->lock);
        u->unreadable++;
        add_error(u, j->display, msg);
        pthread_mutex_unlock(&ctx->lock);
    } else {
        fd_stream fs = {{fd_read, NULL, NULL}, fd};
        process(w, u, &j->it, &fs.base);
        close(fd);
    }
    atomic_fetch_add(&ctx->files_done, 1);
}

static void worker_free(worker *w)
{
    image_reader_free(w->img_reader);
    exh_free(w->fbuf);
    exh_free(w->dbuf);
    exh_free(w->pf_bits);
    yara_scan_free(w->yara_log);
    yara_scan_free(w->yara);
    for (int f = 0; f < FAM__COUNT; f++)
        csvlog_free(w->readers[f]);
    evtx_free(w->evtx);
    winproc_free(w->proc);
    for (size_t i = 0; i < w->chan_count; i++)
        coverage_acc_free(&w->chans[i].acc);
    exh_free(w->chans);
    exh_free(w->spans);
    build_lookups_free(&w->lookups);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    scan_ctx *ctx = w->ctx;
    for (;;) {
        size_t i = atomic_fetch_add(&ctx->next_job, 1);
        if (i >= ctx->job_count || ctx->failure != EXH_OK)
            break;
        run_job(w, &ctx->jobs[i]);
    }
    pthread_mutex_lock(&ctx->done_lock);
    if (--ctx->workers_running == 0)
        pthread_cond_signal(&ctx->done);
    pthread_mutex_unlock(&ctx->done_lock);
    return NULL;
}

static unsigned default_threads(void);

/* ---- disk image entries on worker threads ------------------------------ */
/*
 * A disk image is walked by one thread, which used to scan each file
 * itself. Now a live volume's file is handed to a pool of workers, each
 * with its own handles on the image and the volume (image_reader), which
 * read the file again by its MFT entry while the walk goes on: reading and
 * scanning run on every core. At most POOL_QUEUE files wait. What else is
 * read inline (hives, a collection's $MFT, snapshot files) first waits
 * until the pool is idle where it touches unit state the workers read
 * unlocked (u->cur_snap).
 */

#define POOL_QUEUE 256

typedef struct pool_job {
    struct pool_job *next;
    unit *u;
    item it; /* its strings and ntfs point into the job */
    char *path, *display, *owner, *ads, *image;
    entry_ntfs ntfs;
    uint64_t size;
} pool_job;

typedef struct pool {
    scan_ctx *ctx;
    pthread_mutex_t lock;
    pthread_cond_t more, room, idle;
    pool_job *head, *tail;
    size_t queued; /* jobs waiting */
    size_t busy;   /* jobs being scanned */
    bool closing;
    unsigned started;
    pthread_t tids[64];
    worker ws[64];
} pool;

static void pool_job_free(pool_job *j)
{
    if (!j)
        return;
    exh_free(j->path);
    exh_free(j->display);
    exh_free(j->owner);
    exh_free(j->ads);
    exh_free(j->image);
    exh_free(j);
}

/* Opens a job's file on the worker's own handles and scans it. */
static void pool_run(worker *w, pool_job *j)
{
    scan_ctx *ctx = w->ctx;
    const char *err = NULL;
    stream *in = image_reader_open(&w->img_reader, &j->ntfs, j->size, &err);
    if (!in) {
        pthread_mutex_lock(&ctx->lock);
        j->u->unreadable++;
        add_error(j->u, j->display, err ? err : "cannot be read");
        pthread_mutex_unlock(&ctx->lock);
    } else {
        process(w, j->u, &j->it, in);
    }
    atomic_fetch_add(&ctx->files_done, 1);
}

static void *pool_main(void *arg)
{
    worker *w = arg;
    pool *p = w->ctx->pool;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->closing)
            pthread_cond_wait(&p->more, &p->lock);
        pool_job *j = p->head;
        if (!j) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        p->busy++;
        pthread_cond_signal(&p->room);
        pthread_mutex_unlock(&p->lock);
        pool_run(w, j);
        pool_job_free(j);
        pthread_mutex_lock(&p->lock);
        p->busy--;
        if (!p->head && p->busy == 0)
            pthread_cond_broadcast(&p->idle);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

static void pool_finish(scan_ctx *ctx);

/* Starts the pool (ctx->pool); without one (-j1, no memory, no thread)
 * the walk scans inline. */
static void pool_start(scan_ctx *ctx, unsigned threads)
{
    if (threads < 2)
        return;
    pool *p = exh_calloc(1, sizeof *p);
    if (!p)
        return;
    p->ctx = ctx;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    pthread_cond_init(&p->room, NULL);
    pthread_cond_init(&p->idle, NULL);
    ctx->pool = p;
    if (threads > sizeof p->tids / sizeof *p->tids)
        threads = sizeof p->tids / sizeof *p->tids;
    for (unsigned i = 0; i < threads; i++) {
        p->ws[i].ctx = ctx;
        if (pthread_create(&p->tids[i], NULL, pool_main, &p->ws[i]) != 0)
            break;
        p->started++;
    }
    if (p->started == 0) // no thread: the walk scans inline, as with -j1
        pool_finish(ctx);
}

/* Waits until every job handed on is scanned. */
static void pool_drain(scan_ctx *ctx)
{
    pool *p = ctx->pool;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    while (p->head || p->busy)
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

/* Scans what is queued, then stops and frees the pool. */
static void pool_finish(scan_ctx *ctx)
{
    pool *p = ctx->pool;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->started; i++)
        pthread_join(p->tids[i], NULL);
    for (size_t i = 0; i < sizeof p->ws / sizeof *p->ws; i++)
        worker_free(&p->ws[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->more);
    pthread_cond_destroy(&p->room);
    pthread_cond_destroy(&p->idle);
    exh_free(p);
    ctx->pool = NULL;
}

/* Queues entry e for the pool, its stream untouched; false when it could
 * not (out of memory): e is then read inline. */
static bool pool_put(scan_ctx *ctx, unit *u, const entry *e, const item *it)
{
    pool *p = ctx->pool;
    pool_job *j = exh_calloc(1, sizeof *j);
    if (!j || !(j->path = exh_strdup(e->path)) ||
        !(j->display = exh_strdup(e->display_path)) ||
        !(j->image = exh_strdup(e->ntfs->image)) ||
        (e->ntfs->owner && !(j->owner = exh_strdup(e->ntfs->owner))) ||
        (e->ntfs->stream && !(j->ads = exh_strdup(e->ntfs->stream)))) {
        pool_job_free(j);
        return false;
    }
    j->u = u;
    j->size = e->size;
    j->ntfs = *e->ntfs;
    j->ntfs.owner = j->owner;
    j->ntfs.stream = j->ads;
    j->ntfs.image = j->image;
    j->ntfs.prefix_of_live = NULL;
    j->ntfs.ctx = NULL;
    j->it = *it;
    j->it.path = j->path;
    j->it.display = j->display;
    j->it.ntfs = &j->ntfs;
    pthread_mutex_lock(&p->lock);
    while (p->queued >= POOL_QUEUE)
        pthread_cond_wait(&p->room, &p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->queued++;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);
    return true;
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct walk_state {
    scan_ctx *ctx;
    worker *inline_worker;
    bool single;     /* the target is one file or stdin */
    bool pool_tried; /* pool_start() was called */
} walk_state;

static void take_client_info(scan_ctx *ctx, unit *u, stream *in)
{
    char *host = collection_client_hostname(in);
    if (!host)
        return;
    pthread_mutex_lock(&ctx->lock);
    exh_free(u->host);
    u->host = host;
    u->host_rank = 0;
    pthread_mutex_unlock(&ctx->lock);
}

static exh_status queue_job(scan_ctx *ctx, const entry *e, size_t unit_idx,
                            const item *it)
{
    if (ctx->job_count == ctx->job_cap) {
        size_t cap = ctx->job_cap ? ctx->job_cap * 2 : 256;
        job *p = exh_realloc(ctx->jobs, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        ctx->jobs = p;
        ctx->job_cap = cap;
    }
    job *j = &ctx->jobs[ctx->job_count];
    j->path = exh_strdup(e->path);
    j->display = exh_strdup(e->display_path);
    j->open_path = exh_strdup(e->open_path);
    j->unit = unit_idx;
    j->it = *it;
    j->it.path = j->path;
    j->it.display = j->display;
    if (!j->path || !j->display || !j->open_path) {
        exh_free(j->path);
        exh_free(j->display);
        exh_free(j->open_path);
        return EXH_ERR_NOMEM;
    }
    ctx->job_count++;
    return EXH_OK;
}

static void report_progress(scan_ctx *ctx)
{
    exh_scanner *sc = ctx->sc;
    if (sc->progress)
        sc->progress(atomic_load(&ctx->files_done),
                     atomic_load(&ctx->files_known),
                     atomic_load(&ctx->bytes_done), sc->progress_user);
}

typedef struct service_ctx {
    scan_ctx *ctx;
    unit *u;
    const char *display, *windows_path, *key;
    exh_status st;
} service_ctx;

/* A service judged by persist_service(): a finding of source.type
 * "registry" on the hive, the service's key among its evidence. */
static bool on_service_hit(void *user, const persist_hit *h)
{
    service_ctx *sc = user;
    ifinding f = {0};
    f.rule = SIZE_MAX;
    f.fr.name = exh_strdup(h->rule);
    f.fr.title = exh_strdup(h->title);
    f.fr.source = exh_strdup("builtin:lib/match/persist.c (services)");
    f.fr.author = exh_strdup("exhunt");
    f.fr.severity = h->severity;
    f.fr.category = h->category;
    f.time_ms = INT64_MIN;
    f.last_ms = INT64_MIN;
    f.count = 1;
    f.source_type = "registry";
    f.source_path = exh_strdup(sc->display);
    f.windows_path = sc->windows_path ? exh_strdup(sc->windows_path) : NULL;
    f.evidence = exh_calloc(h->count + 1, sizeof *f.evidence);
    exh_status st = f.fr.name && f.fr.title && f.fr.source && f.fr.author &&
                            f.source_path && f.evidence &&
                            (f.windows_path || !sc->windows_path)
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    for (size_t i = 0; i <= h->count && st == EXH_OK; i++) {
        const char *value = i < h->count ? h->values[i] : sc->key;
        st = finding_evidence_add(&f, i < h->count ? h->keys[i] : "key", value,
                                  strlen(value));
    }
    if (st == EXH_OK) {
        pthread_mutex_lock(&sc->ctx->lock);
        st = finding_add(sc->u, sc->ctx->rs, &f, NULL);
        pthread_mutex_unlock(&sc->ctx->lock);
    }
    ifinding_free(&f);
    sc->st = st;
    return st == EXH_OK;
}

static bool on_service(void *user, const hive_service *s)
{
    service_ctx *sc = user;
    sc->key = s->key;
    persist_service(s->name, s->image_path, s->service_dll, on_service_hit, sc);
    return sc->st == EXH_OK;
}

/* Reads a SOFTWARE or SYSTEM hive whole (at most BUILD_HIVE_MAX_BYTES):
 * its build and mitigations go to found, its services' findings to u. */
static exh_status hive_entry(scan_ctx *ctx, unit *u, entry *e, const char *wp,
                             build_cand *found)
{
    if (e->size < 4096 || e->size > BUILD_HIVE_MAX_BYTES)
        return EXH_OK;
    uint8_t *data = exh_malloc((size_t)e->size);
    if (!data)
        return EXH_ERR_NOMEM;
    size_t len = 0;
    while (len < e->size) {
        ssize_t n = e->in->read(e->in, data + len, (size_t)e->size - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    exh_status st = build_offer_hive_mem(found, data, len, e->display_path, wp);
    service_ctx sc = {ctx, u, e->display_path, wp, NULL, EXH_OK};
    const char *base = strrchr(e->path, '/');
    base = base ? base + 1 : e->path;
    // The services are judged with the other built-in checks (not under
    // --no-builtin-rules).
    if (st == EXH_OK && ctx->rs->baseline &&
        util_strcasecmp(base, "SYSTEM") == 0) {
        hive_services(data, len, on_service, &sc);
        st = sc.st;
    }
    exh_free(data);
    return st;
}

/* True when e may be a file a triage collection copied: any entry of a
 * folder or archive unit, and a live, undeleted default stream of a disk
 * image (a KAPE --vhdx container's volume holds C/$MFT; a volume's own
 * metadata files sit at its root, which image.c never delivers). */
static bool collection_file(const unit *u, const entry *e)
{
    if (!e->ntfs)
        return !u->image;
    return !e->ntfs->snapshot && !e->ntfs->deleted && !e->ntfs->stream;
}

/* True when path, an entry of u, shows u to be a KAPE collection: a copy
 * log at u's top, or a one-letter folder there that is a volume's root.
 * Archives are known so from their members, in archive order; folders are
 * known before the walk (is_kape_dir). */
static bool shows_drive_folders(const unit *u, const char *path)
{
    const char *rel = path;
    if (u->root_len && strncmp(rel, u->root, u->root_len) == 0 &&
        rel[u->root_len] == '/')
        rel += u->root_len + 1;
    if (!strchr(rel, '/'))
        return is_copylog_name(rel);
    char drive;
    size_t off;
    return ((rel[0] | 32) >= 'a' && (rel[0] | 32) <= 'z') && rel[1] == '/' &&
           paths_volume(rel, &drive, &off) && off == 2;
}

static bool on_entry(void *user, entry *e)
{
    walk_state *ws = user;
    scan_ctx *ctx = ws->ctx;
    size_t ui = unit_of(ctx, e->path);
    unit *u = &ctx->units[ui];
    const char *base = strrchr(e->path, '/');
    base = base ? base + 1 : e->path;
    // From a volume shadow copy (--shadows): shadow.c's number below.
    unsigned snap = e->ntfs && e->ntfs->snapshot ? 1 : 0;
    bool longer = false; // SHADOW_LONGER
    pthread_mutex_lock(&ctx->lock);
    u->entries++;
    // Image units are read by the pool meanwhile; their paths are volN/.
    if (!u->drive_folders && !u->image)
        u->drive_folders = shows_drive_folders(u, e->path);
    uint16_t owa[4];
    // The build is the live volume's: an older snapshot's is not offered.
    if (!snap && u->build.rank <= BUILD_RANK_OWA &&
        build_sniff_owa_path(e->path, owa)) {
        char *wp = windows_path_of(u, e->path);
        if (build_offer_owa(&u->build, e->path, e->display_path, wp) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        exh_free(wp);
    }
    if (e->not_read) {
        // A file of the evidence whose content cannot be read (an
        // encrypted member without its password): unreadable.
        u->unreadable++;
        add_error(u, e->display_path, e->not_read);
        pthread_mutex_unlock(&ctx->lock);
        return ctx->failure == EXH_OK;
    }
    pthread_mutex_unlock(&ctx->lock);
    if (build_is_hive_name(base) && e->in && !snap) {
        // SOFTWARE (the build) and SYSTEM (the UM services, the services):
        // read here, whole, never scanned as files.
        pool_drain(ctx);
        char *wp = windows_path_of(u, e->path);
        build_cand found = {0};
        exh_status st = hive_entry(ctx, u, e, wp, &found);
        exh_free(wp);
        pthread_mutex_lock(&ctx->lock);
        u->scanned++;
        u->build.mitigations |= found.mitigations;
        if (st == EXH_OK && found.rank)
            st = build_cand_offer(&u->build, found.rank, found.v, found.parts,
                                  found.source, found.path, found.windows_path);
        if (st != EXH_OK)
            ctx->failure = st;
        pthread_mutex_unlock(&ctx->lock);
        build_cand_free(&found);
        return ctx->failure == EXH_OK;
    }
    int meta_kind = 0;
    if (collection_file(u, e) && e->in &&
        triage_metadata_kind(base, &meta_kind)) {
        // A collection's $MFT, $UsnJrnl:$J or $Secure:$SDS: read here,
        // judged when the walk is done (triage.c), never scanned as files.
        pool_drain(ctx);
        char *wp = windows_path_of(u, e->path);
        char problem[256];
        exh_status st = triage_take(&u->triage, e->path, e->display_path,
                                    meta_kind, wp && wp[1] == ':' ? wp[0] : '?',
                                    e->in, problem, sizeof problem);
        exh_free(wp);
        pthread_mutex_lock(&ctx->lock);
        u->scanned++;
        if (problem[0])
            add_error(u, e->display_path, problem);
        if (st != EXH_OK)
            ctx->failure = st;
        pthread_mutex_unlock(&ctx->lock);
        return ctx->failure == EXH_OK;
    }
    if (collection_file(u, e) && baseline_page_name(base)) {
        // The copies a collection holds of pages its $MFT may also know.
        char *wp = windows_path_of(u, e->path);
        pthread_mutex_lock(&ctx->lock);
        if (wp && triage_note_collected(&u->triage, wp) != EXH_OK)
            ctx->failure = EXH_ERR_NOMEM;
        pthread_mutex_unlock(&ctx->lock);
        exh_free(wp);
    }
    if (util_strcasecmp(base, "client_info.json") == 0 && e->in) {
        pool_drain(ctx);
        take_client_info(ctx, u, e->in);
        pthread_mutex_lock(&ctx->lock);
        u->scanned++;
        pthread_mutex_unlock(&ctx->lock);
        return true;
    }
    // The target itself (path ""), not a member of an archive read from
    // stdin or a pipe: a nested archive there is noted like anywhere else.
    bool explicit_file = ws->single && !e->path[0];
    item it = {e->path,       e->display_path,
               e->size,       e->modified_ms,
               e->created_ms, e->time_source,
               explicit_file, in_file_scope(ctx, u, e->path),
               e->ntfs,       false,
               NULL};
    // ExSetup.exe is read wherever Exchange is installed: its version
    // resource is the build (build_detect.c).
    if (build_is_exsetup(base))
        it.file_scope = true;
    if (!ws->single && !it.file_scope && !classify_candidate(e->display_path)) {
        pthread_mutex_lock(&ctx->lock);
        u->skipped++;
        pthread_mutex_unlock(&ctx->lock);
        return true;
    }
    if (ws->single)
        it.file_scope = true; // a file given alone is scanned whole
    if (ctx->sc->shadows && e->ntfs) {
        // Shadow copies (shadow.c), for the files that are read: a
        // snapshot's file that is the live one is not read again; others
        // are read as part of the unit.
        char *wp = windows_path_of(u, e->path);
        pthread_mutex_lock(&ctx->lock);
        int r = shadow_entry(u, e->ntfs, wp, e->size, e->modified_ms, &snap);
        if (r == SHADOW_NOMEM)
            ctx->failure = EXH_ERR_NOMEM;
        if (r == SHADOW_OVER)
            add_error(u, e->display_path,
                      "more than 63 shadow copies in the unit: this one and "
                      "the rest are not read");
        bool read = r == SHADOW_READ || r == SHADOW_LONGER;
        if (!read)
            u->skipped++;
        pthread_mutex_unlock(&ctx->lock);
        exh_free(wp);
        if (!read)
            return ctx->failure == EXH_OK;
        longer = r == SHADOW_LONGER;
    }
    atomic_fetch_add(&ctx->files_known, 1);
    if (e->open_path && e->path[0] != '\0') {
        exh_status st = queue_job(ctx, e, ui, &it);
        if (st != EXH_OK) {
            ctx->failure = st;
            return false;
        }
        return true;
    }
    if (e->in && e->ntfs && e->ntfs->image && !snap && !longer) {
        // A live volume's file of a disk image: scanned by the pool.
        if (!ws->pool_tried) {
            ws->pool_tried = true;
            pool_start(ctx,
                       ctx->sc->threads ? ctx->sc->threads : default_threads());
        }
        if (ctx->pool && pool_put(ctx, u, e, &it)) {
            report_progress(ctx);
            return ctx->failure == EXH_OK;
        }
    }
    if (e->in) {
        // Entries of images are read here, in order; a snapshot's file
        // tells the workers' shared state (u->cur_snap), which they read
        // unlocked: the pool is idle first.
        if (snap || longer) {
            pool_drain(ctx);
            u->cur_snap = snap;
            u->cur_longer = longer;
        }
        process(ws->inline_worker, u, &it, e->in);
        if (snap || longer) {
            u->cur_snap = 0;
            u->cur_longer = false;
        }
    }
    atomic_fetch_add(&ctx->files_done, 1);
    report_progress(ctx);
    return ctx->failure == EXH_OK;
}

/* The unit a walk's note or error belongs to: they name display paths,
 * mapped to units by the inner path after the target (and an image's '!'). */
static unit *unit_of_display(scan_ctx *ctx, const char *display)
{
    size_t tlen = strlen(ctx->target);
    const char *inner = display;
    if (strncmp(display, ctx->target, tlen) == 0) {
        inner = display + tlen;
        while (*inner == '/' || *inner == '!')
            inner++;
    }
    return &ctx->units[unit_of(ctx, inner)];
}

static void on_walk_note(void *user, const char *display, const char *msg)
{
    scan_ctx *ctx = ((walk_state *)user)->ctx;
    unit *u = unit_of_display(ctx, display);
    pthread_mutex_lock(&ctx->lock);
    if (shadow_add_note(u, display, msg) != EXH_OK)
        ctx->failure = EXH_ERR_NOMEM;
    pthread_mutex_unlock(&ctx->lock);
}

/* An archive whose root is a volume's (source.c): the unit it is, the
 * target's or a child's of a folder of servers, is scoped as a volume, as
 * is_volume_dir() scopes a folder. An archive that is no unit of its own
 * (the only one in a folder) is left as a folder holding a volume is. */
static void on_walk_volume(void *user, const char *prefix)
{
    scan_ctx *ctx = ((walk_state *)user)->ctx;
    size_t len = strlen(prefix);
    if (len && prefix[len - 1] == '/')
        len--;
    pthread_mutex_lock(&ctx->lock);
    if (len == 0) {
        ctx->units[0].volume_root = true; // the target is the archive
    } else {
        for (size_t i = 1; i < ctx->unit_count; i++) {
            unit *u = &ctx->units[i];
            if (u->root_len == len && strncmp(u->root, prefix, len) == 0)
                u->volume_root = true;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}

static void on_walk_error(void *user, const char *display, const char *msg)
{
    scan_ctx *ctx = ((walk_state *)user)->ctx;
    unit *u = unit_of_display(ctx, display);
    pthread_mutex_lock(&ctx->lock);
    u->unreadable++;
    add_error(u, display, msg);
    pthread_mutex_unlock(&ctx->lock);
}

/* Runs the queued jobs on the worker pool while reporting progress. */
static exh_status run_jobs(scan_ctx *ctx, unsigned threads)
{
    if (ctx->job_count == 0)
        return EXH_OK;
    if (threads > ctx->job_count)
        threads = (unsigned)ctx->job_count;
    worker *ws = exh_calloc(threads, sizeof *ws);
    pthread_t *tids = exh_calloc(threads, sizeof *tids);
    if (!ws || !tids) {
        exh_free(ws);
        exh_free(tids);
        return EXH_ERR_NOMEM;
    }
    unsigned started = 0;
    ctx->workers_running = threads;
    for (unsigned i = 0; i < threads; i++) {
        ws[i].ctx = ctx;
        if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0)
            break;
        started++;
    }
    pthread_mutex_lock(&ctx->done_lock);
    ctx->workers_running -= threads - started; // never started
    pthread_mutex_unlock(&ctx->done_lock);
    if (started == 0) {
        ctx->workers_running = 1;
        worker_main(&ws[0]);
    }
    // Report progress every 200 ms until the last worker says it is done.
    pthread_mutex_lock(&ctx->done_lock);
    while (ctx->workers_running > 0) {
        pthread_mutex_unlock(&ctx->done_lock);
        report_progress(ctx);
        pthread_mutex_lock(&ctx->done_lock);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (ctx->workers_running > 0)
            pthread_cond_timedwait(&ctx->done, &ctx->done_lock, &ts);
    }
    pthread_mutex_unlock(&ctx->done_lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    report_progress(ctx);
    for (unsigned i = 0; i < threads; i++)
        worker_free(&ws[i]);
    exh_free(ws);
    exh_free(tids);
    return EXH_OK;
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1;
}

/* ---- output -------------------------------------------------------------- */

/* Hands one unit's findings and summary to the caller. */
static exh_status emit_unit(scan_ctx *ctx, unit *u, exh_finding_cb on_finding,
                            exh_summary_cb on_summary, void *user,
                            exh_scan_result *res, bool *stop)
{
    exh_scanner *sc = ctx->sc;
    const exh_ruleset *rs = ctx->rs;
    ifinding *fs = NULL;
    size_t count = 0;
    EXH_TRY(log_build_offer(u));
    EXH_TRY(log_build_judge(u, rs));
    EXH_TRY(build_unit_findings(u, rs));
    EXH_TRY(shadow_finish(u, rs));
    EXH_TRY(finding_finish(u, rs, &fs, &count));
    correlation *corr = NULL;
    exh_status st = correlate_unit(rs, fs, count, sc->next_id, &corr);
    if (st != EXH_OK) {
        for (size_t i = 0; i < count; i++)
            ifinding_free(&fs[i]);
        exh_free(fs);
        return st;
    }
    for (size_t i = 0; i < count && !*stop; i++) {
        ifinding *f = &fs[i];
        char id[32], t[32], last[32], fmod[32], fcre[32], cvebuf[256];
        char ntimes[8][32], snap_at[32];
        const char *cves[8];
        const char *seen[SHADOW_MAX + 1];
        char seen_times[SHADOW_MAX + 1][32];
        size_t seen_count = shadow_seen_in(u, f->seen, seen, seen_times);
        snprintf(id, sizeof id, "f-%06llu", (unsigned long long)++sc->next_id);
        if (f->time_ms != INT64_MIN)
            util_time_format(f->time_ms, t);
        bool has_last = f->count > 1 && f->last_ms != INT64_MIN;
        if (has_last)
            util_time_format(f->last_ms, last);
        exh_finding pub = {
            .id = id,
            .target = ctx->target,
            .unit = u->root,
            .host = u->host,
            .time = f->time_ms != INT64_MIN ? t : NULL,
            .last_time = has_last ? last : NULL,
            .count = f->count,
            .source_type = f->source_type ? f->source_type
                           : f->file      ? "file"
                                          : csvlog_family_name(f->family),
            .source_path = f->source_path,
            .windows_path = f->windows_path,
            .line = f->family == FAM_EVTX ? 0 : f->line,
            .record = f->family == FAM_EVTX ? f->line : 0,
            .evidence = f->evidence,
            .evidence_count = f->evidence_count,
            .seen_in = seen,
            .seen_in_count = seen_count,
        };
        pub.related = correlation_related(corr, i, &pub.related_count);
        if (f->rule != SIZE_MAX) {
            const rule_entry *re = &rs->rules[f->rule];
            const sigma_meta *m = sigma_rule_meta(re->sigma);
            pub.rule = re->name;
            pub.rule_id = m->id;
            pub.rule_source = re->source;
            pub.rule_author = m->author;
            pub.title = m->title ? m->title : re->name;
            pub.severity = finding_severity(rs, f);
            pub.category = finding_category(rs, f);
            pub.cve = (const char *const *)m->cve;
            pub.cve_count = m->cve_count;
            pub.attack = (const char *const *)m->attack;
            pub.attack_count = m->attack_count;
        } else {
            pub.rule = f->fr.name;
            pub.rule_source = f->fr.source;
            pub.rule_author = f->fr.author;
            pub.title = f->fr.title ? f->fr.title : f->fr.name;
            pub.severity = finding_severity(rs, f);
            pub.category = finding_category(rs, f);
            snprintf(cvebuf, sizeof cvebuf, "%s", f->fr.cve ? f->fr.cve : "");
            size_t nc = util_split_commas(cvebuf, cves, 8);
            pub.cve = cves;
            pub.cve_count = nc;
        }
        exh_file_info finfo;
        if (f->file) {
            finfo = (exh_file_info){
                .sha256 = f->file->sha256[0] ? f->file->sha256 : NULL,
                .size = f->file->size,
                .time_source = f->file->time_source,
            };
            if (f->file->modified_ms != INT64_MIN) {
                util_time_format(f->file->modified_ms, fmod);
                finfo.modified = fmod;
            }
            if (f->file->created_ms != INT64_MIN) {
                util_time_format(f->file->created_ms, fcre);
                finfo.created = fcre;
            }
            if (f->file->has_ntfs) {
                finfo.ntfs = 1;
                finfo.deleted = f->file->deleted;
                for (size_t k = 0; k < 8; k++) {
                    if (f->file->ntfs_times[k] == INT64_MIN)
                        continue;
                    util_time_format(f->file->ntfs_times[k], ntimes[k]);
                    finfo.times[k] = ntimes[k];
                }
                if (f->file->owner[0]) {
                    finfo.owner = f->file->owner;
                    finfo.owner_name = ntfs_sid_name(f->file->owner);
                }
                if (f->file->stream[0])
                    finfo.stream = f->file->stream;
                int64_t at = shadow_time(u, f->snap);
                if (f->snap) {
                    if (at != INT64_MIN)
                        util_time_format(at, snap_at);
                    else
                        snprintf(snap_at, sizeof snap_at, "%s",
                                 shadow_label(u, f->snap));
                    finfo.snapshot = snap_at;
                }
            }
            pub.file = &finfo;
        }
        res->findings++;
        if (on_finding && on_finding(&pub, user) == EXH_STOP)
            *stop = true;
    }
    summary_holder *h = NULL;
    const exh_summary *s = NULL;
    if (!*stop)
        st = summary_build(rs, ctx->target, u, fs, count, &h, &s);
    if (st == EXH_OK && s && on_summary) {
        exh_summary full = *s;
        correlation_fill(corr, &full);
        if (on_summary(&full, user) == EXH_STOP)
            *stop = true;
    }
    summary_free(h);
    correlation_free(corr);
    for (size_t i = 0; i < count; i++)
        ifinding_free(&fs[i]);
    exh_free(fs);
    return st;
}

static void unit_free(unit *u)
{
    triage_free(u->triage);
    shadow_free(u->shadow);
    build_cand_free(&u->build);
    exh_build_free(u->build_result);
    log_builds_free(u);
    exh_free(u->root);
    exh_free(u->host);
    exh_free(u->host_path);
    flist_free(&u->plain);
    flist_free(&u->agg);
    aggmap_free(&u->aggs);
    for (int f = 0; f < FAM__COUNT; f++)
        coverage_acc_free(&u->cov[f]);
    for (size_t i = 0; i < u->site_count; i++) {
        exh_free(u->sites[i].name);
        coverage_acc_free(&u->sites[i].acc);
    }
    exh_free(u->sites);
    for (size_t i = 0; i < u->error_count; i++) {
        exh_free((char *)u->errors[i].path);
        exh_free((char *)u->errors[i].message);
    }
    exh_free(u->errors);
}

static void ctx_free(scan_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unit_count; i++)
        unit_free(&ctx->units[i]);
    exh_free(ctx->units);
    for (size_t i = 0; i < ctx->job_count; i++) {
        exh_free(ctx->jobs[i].path);
        exh_free(ctx->jobs[i].display);
        exh_free(ctx->jobs[i].open_path);
    }
    exh_free(ctx->jobs);
    pthread_mutex_destroy(&ctx->lock);
    pthread_mutex_destroy(&ctx->done_lock);
    pthread_cond_destroy(&ctx->done);
}

exh_status exh_scanner_scan(exh_scanner *sc, const char *target,
                            exh_finding_cb on_finding,
                            exh_summary_cb on_summary, void *user,
                            exh_scan_result *result)
{
    exh_scan_result res = {0};
    if (!sc || !target)
        return EXH_ERR_INVALID_ARG;
    sc->errmsg[0] = '\0';
    scan_ctx ctx = {0};
    ctx.sc = sc;
    ctx.rs = sc->rules;
    ctx.target = target;
    ctx.failure = EXH_OK;
    pthread_mutex_init(&ctx.lock, NULL);
    pthread_mutex_init(&ctx.done_lock, NULL);
    pthread_cond_init(&ctx.done, NULL);
    struct stat tst;
    bool is_dir = strcmp(target, "-") != 0 && stat(target, &tst) == 0 &&
                  S_ISDIR(tst.st_mode);
    exh_status st = is_dir ? detect_units(&ctx) : EXH_OK;
    if (st == EXH_OK && !is_dir) {
        ctx.units = exh_calloc(1, sizeof *ctx.units);
        if (ctx.units && (ctx.units[0].root = exh_strdup("."))) {
            ctx.unit_count = 1;
            ctx.units[0].host_rank = 2;
        } else
            st = EXH_ERR_NOMEM;
    }
    worker inline_worker = {0};
    inline_worker.ctx = &ctx;
    // A disk image is scoped like a volume, not scanned whole like a file.
    bool is_image = !is_dir && source_is_image(target);
    if (is_image && ctx.units)
        ctx.units[0].image = true;
    if (!is_dir && !is_image && ctx.units && image_named_like(target))
        add_error(&ctx.units[0], target,
                  "named like a disk image, but no image format, partition "
                  "table or NTFS boot sector was found at its start: read as "
                  "one plain file (a raw disk whose first sectors are "
                  "damaged needs its partition table repaired, or the "
                  "volume cut out at its offset, before exhunt can read "
                  "it)");
    // An archive is a collection, scoped as its folder would be; only a
    // plain file (or stdin) is scanned whole as one file.
    bool is_archive = !is_dir && !is_image && strcmp(target, "-") != 0 &&
                      stat(target, &tst) == 0 && S_ISREG(tst.st_mode) &&
                      source_is_archive_name(target);
    walk_state ws = {&ctx, &inline_worker, !is_dir && !is_image && !is_archive,
                     false};
    if (st == EXH_OK) {
        source_opts opts = {sc->password, true, sc->deleted, sc->shadows};
        source_cbs cbs = {on_entry, on_walk_error, &ws, on_walk_note,
                          on_walk_volume};
        const char *err = NULL;
        exh_status wst = source_walk(target, &opts, &cbs, &err);
        pool_finish(&ctx);
        if (wst != EXH_OK) {
            res.target_unreadable = 1;
            ctx.units[0].failed = true;
            ctx.units[0].unreadable++;
            add_error(&ctx.units[0], target, err ? err : "cannot be read");
            snprintf(sc->errmsg, sizeof sc->errmsg, "%s: %s", target,
                     err ? err : "cannot be read");
        }
        if (ctx.failure == EXH_OK)
            st = run_jobs(&ctx, sc->threads ? sc->threads : default_threads());
        if (st == EXH_OK)
            st = ctx.failure;
        for (size_t i = 0; i < ctx.unit_count && st == EXH_OK; i++)
            st = triage_finish(ctx.units[i].triage, ctx.rs, &ctx.units[i]);
    }
    worker_free(&inline_worker);
    bool stop = false;
    for (size_t i = 0; i < ctx.unit_count && st == EXH_OK && !stop; i++) {
        unit *u = &ctx.units[i];
        // The rest of a folder of servers is left out when nothing in it
        // was read: loose notes beside the collections are no server.
        if (i == 0 && ctx.unit_count > 1 && u->scanned == 0 &&
            u->error_count == 0)
            continue;
        // A unit of which nothing could be read (a corrupt or encrypted
        // collection, a folder we may not enter) could not be read at all.
        if (!u->failed && u->scanned == 0 && u->skipped == 0 &&
            u->unreadable > 0) {
            u->failed = true;
            res.units_unreadable++;
        }
        res.units++;
        st = emit_unit(&ctx, u, on_finding, on_summary, user, &res, &stop);
    }
    if (st == EXH_ERR_ENGINE && !sc->errmsg[0] && yara_load_error())
        snprintf(sc->errmsg, sizeof sc->errmsg, "%s", yara_load_error());
    if (st != EXH_OK && !sc->errmsg[0])
        snprintf(sc->errmsg, sizeof sc->errmsg, "%s", exh_status_str(st));
    ctx_free(&ctx);
    if (result)
        *result = res;
    return st;
}
