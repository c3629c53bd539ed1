/* SPDX-License-Identifier: Apache-2.0 */
/*
 * triage.c - what a triage collection's NTFS metadata tells without an
 * image: its $MFT (every file of the volume, copied or not, deleted too),
 * its $UsnJrnl:$J (creations, renames and deletions) and its $Secure:$SDS
 * (owners). KAPE copies them as C/$MFT, C/$Extend/$UsnJrnl%3A$J and
 * C/$Secure%3A$SDS; Velociraptor as uploads/ntfs/\\.\C:/$MFT and so on.
 *
 * The walk hands each of those files to triage_take() while it streams:
 * the $MFT reader keeps the folders (to build paths) and the few files
 * that matter (server pages, deleted logs, timestomped entries); the
 * journal reader keeps the creations, renames and deletions of pages and
 * logs. Everything is judged in triage_finish(), after the walk, when the
 * collection's own copies of pages are known (triage_note_collected), so
 * the order of the walk does not matter. docs/internals/triage.md.
 */
#include "classify.h"
#include "readers/ntfsmeta.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRIAGE_MAX_NODES  (16u << 20) /* MFT entries kept per volume */
#define TRIAGE_MAX_EVENTS (4u << 20)  /* journal records kept per volume */
#define TRIAGE_MAX_NAMES  ((size_t)256 << 20)
#define TRIAGE_MAX_SDS    ((size_t)64 << 20)
#define TRIAGE_MAX_DEPTH  64
#define REF_NUMBER(r)     ((r)&0xFFFFFFFFFFFFull)
#define REF_SEQ(r)        ((uint16_t)((r) >> 48))

enum { NODE_DIR = 1, NODE_IN_USE = 2 };

/* An MFT entry kept. */
typedef struct tnode {
    uint64_t number;
    uint64_t parent_ref;
    int64_t t[8]; /* $SI then $FN: created, modified, changed, accessed */
    uint64_t size;
    size_t name_off, owner_off; /* into names; owner_off 0: none */
    uint32_t name_len;
    uint32_t security_id;
    uint16_t seq;
    uint8_t flags;
} tnode;

/* A journal record kept. */
typedef struct tevent {
    uint64_t ref, parent_ref;
    int64_t usn, time_ms;
    uint32_t reason;
    uint32_t name_len;
    size_t name_off;
} tevent;

/* The metadata of one volume (one drive folder) of the collection. */
typedef struct tvol {
    char *prefix; /* entry path of the drive folder, with its '/' */
    char drive;   /* 'C', or '?' */
    char *mft_display, *usn_display;
    tnode *nodes; /* in record order */
    size_t node_count, node_cap;
    tevent *events;
    size_t event_count, event_cap;
    char *names; /* NUL-separated; offset 0 is "" */
    size_t names_len, names_cap;
    ntfs_sds *sds;
    bool nodes_cut, events_cut;
} tvol;

struct triage {
    tvol *vols;
    size_t vol_count;
    char **collected; /* lower-case Windows paths of copied pages */
    size_t collected_count, collected_cap;
    bool sorted;
};

/* ---- names ----------------------------------------------------------------
 */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && util_ieq(s + len - n, n, suffix, n);
}

bool triage_metadata_kind(const char *base, int *kind)
{
    size_t len = strlen(base);
    if (util_strcasecmp(base, "$MFT") == 0)
        *kind = TRIAGE_MFT;
    else if (util_strcasecmp(base, "$UsnJrnl:$J") == 0 ||
             util_strcasecmp(base, "$UsnJrnl%3A$J") == 0 ||
             (len == 2 && util_strcasecmp(base, "$J") == 0))
        *kind = TRIAGE_USN;
    else if (util_strcasecmp(base, "$Secure:$SDS") == 0 ||
             util_strcasecmp(base, "$Secure%3A$SDS") == 0 ||
             util_strcasecmp(base, "$SDS") == 0)
        *kind = TRIAGE_SDS;
    else
        return false;
    return true;
}

static bool is_log_name(const char *s, size_t len)
{
    return ends_with(s, len, ".log") || ends_with(s, len, ".evtx");
}

/* ---- the volume of an entry ---------------------------------------------- */

static void triage_free_vol(tvol *v)
{
    exh_free(v->prefix);
    exh_free(v->mft_display);
    exh_free(v->usn_display);
    exh_free(v->nodes);
    exh_free(v->events);
    exh_free(v->names);
    ntfs_sds_free(v->sds);
}

void triage_free(triage *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->vol_count; i++)
        triage_free_vol(&t->vols[i]);
    exh_free(t->vols);
    for (size_t i = 0; i < t->collected_count; i++)
        exh_free(t->collected[i]);
    exh_free(t->collected);
    exh_free(t);
}

/* The volume whose drive folder is prefix (prefix_len bytes), made on
 * first use. NULL when out of memory. */
static tvol *triage_vol(triage *t, const char *prefix, size_t prefix_len,
                        char drive)
{
    for (size_t i = 0; i < t->vol_count; i++)
        if (strlen(t->vols[i].prefix) == prefix_len &&
            util_ieq(t->vols[i].prefix, prefix_len, prefix, prefix_len))
            return &t->vols[i];
    tvol *vols = exh_realloc(t->vols, (t->vol_count + 1) * sizeof(*vols));
    if (!vols)
        return NULL;
    t->vols = vols;
    tvol *v = &vols[t->vol_count];
    memset(v, 0, sizeof(*v));
    v->prefix = exh_strndup(prefix, prefix_len);
    v->names = exh_malloc(4096);
    if (!v->prefix || !v->names) {
        triage_free_vol(v);
        return NULL;
    }
    v->names[0] = '\0';
    v->names_len = 1;
    v->names_cap = 4096;
    v->drive = drive;
    t->vol_count++;
    return v;
}

/* Copies s (len bytes) into the volume's names; its offset, 0 when the
 * store is full or memory ran out (then the name reads ""). */
static size_t keep_name(tvol *v, const char *s, size_t len)
{
    size_t need;
    if (__builtin_add_overflow(v->names_len, len + 1, &need) ||
        need > TRIAGE_MAX_NAMES)
        return 0;
    if (need > v->names_cap) {
        size_t cap = v->names_cap * 2 > need ? v->names_cap * 2 : need;
        char *p = exh_realloc(v->names, cap);
        if (!p)
            return 0;
        v->names = p;
        v->names_cap = cap;
    }
    size_t off = v->names_len;
    memcpy(v->names + off, s, len);
    v->names[off + len] = '\0';
    v->names_len = need;
    return off;
}

/* ---- reading --------------------------------------------------------------
 */

typedef struct take_ctx {
    tvol *vol;
    exh_status st;
} take_ctx;

static bool on_mft(void *user, const mft_record *r)
{
    take_ctx *c = user;
    tvol *v = c->vol;
    if (!r->has_fn)
        return true;
    bool stomped =
        r->si[0] != INT64_MIN && r->fn[0] != INT64_MIN && r->si[0] < r->fn[0];
    bool keep = r->dir || stomped || baseline_page_name(r->name) ||
                (!r->in_use && is_log_name(r->name, r->name_len));
    if (!keep)
        return true;
    if (v->node_count >= TRIAGE_MAX_NODES) {
        v->nodes_cut = true;
        return true;
    }
    if (v->node_count == v->node_cap) {
        size_t cap = v->node_cap ? v->node_cap * 2 : 4096;
        tnode *n = exh_realloc(v->nodes, cap * sizeof(*n));
        if (!n) {
            c->st = EXH_ERR_NOMEM;
            return false;
        }
        v->nodes = n;
        v->node_cap = cap;
    }
    tnode *n = &v->nodes[v->node_count++];
    memset(n, 0, sizeof(*n));
    n->number = r->number;
    n->seq = r->seq;
    n->parent_ref = r->parent_ref;
    memcpy(n->t, r->si, sizeof(r->si));
    memcpy(n->t + 4, r->fn, sizeof(r->fn));
    n->size = r->size;
    n->security_id = r->security_id;
    n->flags =
        (uint8_t)((r->dir ? NODE_DIR : 0) | (r->in_use ? NODE_IN_USE : 0));
    n->name_off = keep_name(v, r->name, r->name_len);
    n->name_len = n->name_off ? (uint32_t)r->name_len : 0;
    char sid[192];
    if (!r->dir && r->sd && ntfs_sd_owner(r->sd, r->sd_len, sid, sizeof(sid)))
        n->owner_off = keep_name(v, sid, strlen(sid));
    return true;
}

static bool on_usn(void *user, const usn_record *r)
{
    take_ctx *c = user;
    tvol *v = c->vol;
    uint32_t wanted = USN_REASON_FILE_CREATE | USN_REASON_FILE_DELETE |
                      USN_REASON_RENAME_NEW_NAME | USN_REASON_RENAME_OLD_NAME;
    if (!(r->reason & wanted) || (r->attributes & 0x10) ||
        !(baseline_page_name(r->name) || is_log_name(r->name, r->name_len)))
        return true;
    if (v->event_count >= TRIAGE_MAX_EVENTS) {
        v->events_cut = true;
        return true;
    }
    if (v->event_count == v->event_cap) {
        size_t cap = v->event_cap ? v->event_cap * 2 : 1024;
        tevent *e = exh_realloc(v->events, cap * sizeof(*e));
        if (!e) {
            c->st = EXH_ERR_NOMEM;
            return false;
        }
        v->events = e;
        v->event_cap = cap;
    }
    tevent *e = &v->events[v->event_count++];
    e->ref = r->file_ref;
    e->parent_ref = r->parent_ref;
    e->usn = r->usn;
    e->time_ms = r->time_ms;
    e->reason = r->reason;
    e->name_off = keep_name(v, r->name, r->name_len);
    e->name_len = e->name_off ? (uint32_t)r->name_len : 0;
    return true;
}

/* Orders kept entries by record number (then arrival): the reader hands
 * files with an $ATTRIBUTE_LIST over after the others. */
static int cmp_node(const void *a, const void *b)
{
    const tnode *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return x->name_off < y->name_off ? -1 : x->name_off > y->name_off;
}

/* Reads a whole $SDS stream (bounded) for owners. */
static exh_status take_sds(tvol *v, stream *in, const char **problem)
{
    size_t cap = 1 << 20, len = 0;
    unsigned char *data = exh_malloc(cap);
    if (!data)
        return EXH_ERR_NOMEM;
    for (;;) {
        if (len == cap) {
            if (cap >= TRIAGE_MAX_SDS) {
                *problem = "$Secure:$SDS larger than 64 MiB: owners from its "
                           "first 64 MiB";
                break;
            }
            unsigned char *p = exh_realloc(data, cap * 2);
            if (!p) {
                exh_free(data);
                return EXH_ERR_NOMEM;
            }
            data = p;
            cap *= 2;
        }
        ssize_t n = in->read(in, data + len, cap - len);
        if (n < 0) {
            *problem = "read error in $Secure:$SDS: owners from what was read";
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    ntfs_sds_free(v->sds);
    v->sds = ntfs_sds_parse(data, len);
    return v->sds ? EXH_OK : EXH_ERR_NOMEM;
}

exh_status triage_take(triage **tp, const char *path, const char *display,
                       int kind, char drive, stream *in, char *problem,
                       size_t problem_len)
{
    problem[0] = '\0';
    if (!*tp && !(*tp = exh_calloc(1, sizeof(**tp))))
        return EXH_ERR_NOMEM;
    triage *t = *tp;
    // The drive folder: what comes before "$MFT", "$Secure..." or
    // "$Extend/$UsnJrnl...".
    const char *base = strrchr(path, '/');
    size_t plen = base ? (size_t)(base - path) + 1 : 0;
    if (kind == TRIAGE_USN && plen >= 8 &&
        util_ieq(path + plen - 8, 8, "$Extend/", 8))
        plen -= 8;
    tvol *v = triage_vol(t, path, plen, drive);
    if (!v)
        return EXH_ERR_NOMEM;
    take_ctx c = {v, EXH_OK};
    exh_status st = EXH_OK;
    if (kind == TRIAGE_MFT) {
        mft_stats ms;
        if (v->mft_display) {
            snprintf(problem, problem_len,
                     "a second $MFT for this drive "
                     "folder: not read");
            return EXH_OK;
        }
        if (!(v->mft_display = exh_strdup(display)))
            return EXH_ERR_NOMEM;
        st = mft_read(in, on_mft, &c, &ms);
        bool sorted = true;
        for (size_t i = 1; i < v->node_count && sorted; i++)
            sorted = v->nodes[i - 1].number <= v->nodes[i].number;
        if (!sorted)
            qsort(v->nodes, v->node_count, sizeof(*v->nodes), cmp_node);
        if (st == EXH_ERR_IO)
            snprintf(problem, problem_len,
                     "read error after %llu MFT records: the rest not read",
                     (unsigned long long)(ms.records + ms.bad + ms.empty));
        else if (ms.bad)
            snprintf(problem, problem_len,
                     "%llu damaged MFT record%s skipped (bad fixups or "
                     "attributes)",
                     (unsigned long long)ms.bad, ms.bad == 1 ? "" : "s");
        else if (ms.unjoined)
            snprintf(problem, problem_len,
                     "%llu MFT record%s past the limits kept for attribute "
                     "lists: their files judged by their base record alone",
                     (unsigned long long)ms.unjoined,
                     ms.unjoined == 1 ? "" : "s");
        else if (v->nodes_cut)
            snprintf(problem, problem_len,
                     "more than %u MFT entries of "
                     "interest: the rest not judged",
                     TRIAGE_MAX_NODES);
    } else if (kind == TRIAGE_USN) {
        usn_stats us;
        if (v->usn_display) {
            snprintf(problem, problem_len,
                     "a second $UsnJrnl:$J for this "
                     "drive folder: not read");
            return EXH_OK;
        }
        if (!(v->usn_display = exh_strdup(display)))
            return EXH_ERR_NOMEM;
        st = usn_read(in, on_usn, &c, &us);
        if (st == EXH_ERR_IO)
            snprintf(problem, problem_len,
                     "read error after %llu journal records: the rest not "
                     "read",
                     (unsigned long long)us.records);
        else if (us.bad || us.truncated)
            snprintf(problem, problem_len,
                     "%llu damaged 8-byte step%s skipped in the USN "
                     "journal%s",
                     (unsigned long long)us.bad, us.bad == 1 ? "" : "s",
                     us.truncated ? "; it ends inside a record" : "");
    } else {
        const char *msg = NULL;
        st = take_sds(v, in, &msg);
        if (msg)
            snprintf(problem, problem_len, "%s", msg);
    }
    if (st == EXH_ERR_IO)
        st = EXH_OK;
    return st != EXH_OK ? st : c.st;
}

static int cmp_lower(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

exh_status triage_note_collected(triage **tp, const char *windows_path)
{
    if (!*tp && !(*tp = exh_calloc(1, sizeof(**tp))))
        return EXH_ERR_NOMEM;
    triage *t = *tp;
    if (t->collected_count == t->collected_cap) {
        size_t cap = t->collected_cap ? t->collected_cap * 2 : 64;
        char **p = exh_realloc(t->collected, cap * sizeof(*p));
        if (!p)
            return EXH_ERR_NOMEM;
        t->collected = p;
        t->collected_cap = cap;
    }
    char *copy = exh_strdup(windows_path);
    if (!copy)
        return EXH_ERR_NOMEM;
    for (char *c = copy; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    t->collected[t->collected_count++] = copy;
    t->sorted = false;
    return EXH_OK;
}

/* True when the collection holds a copy of the file at wp. */
static bool collected(triage *t, const char *wp)
{
    if (!t->collected_count)
        return false;
    if (!t->sorted) {
        qsort(t->collected, t->collected_count, sizeof(char *), cmp_lower);
        t->sorted = true;
    }
    char key[4096];
    size_t n = strlen(wp);
    if (n >= sizeof(key))
        return false;
    for (size_t i = 0; i <= n; i++)
        key[i] = wp[i] >= 'A' && wp[i] <= 'Z' ? (char)(wp[i] + 32) : wp[i];
    const char *k = key;
    return bsearch(&k, t->collected, t->collected_count, sizeof(char *),
                   cmp_lower) != NULL;
}

/* ---- judging --------------------------------------------------------------
 */

/* The kept entry with record number number, or NULL. */
static const tnode *node_at(const tvol *v, uint64_t number)
{
    size_t lo = 0, hi = v->node_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->nodes[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->node_count && v->nodes[lo].number == number ? &v->nodes[lo]
                                                               : NULL;
}

/* Writes into b the Windows path of the folder ref ("C:\inetpub\x"); false
 * when a folder on the way is unknown, reused (another sequence number) or
 * the chain is too deep. */
static bool folder_path(const tvol *v, uint64_t ref, buf *b)
{
    const tnode *chain[TRIAGE_MAX_DEPTH];
    size_t depth = 0;
    while (REF_NUMBER(ref) != 5) {
        const tnode *n = node_at(v, REF_NUMBER(ref));
        if (!n || !(n->flags & NODE_DIR) || depth == TRIAGE_MAX_DEPTH ||
            (REF_SEQ(ref) != 0 && n->seq != REF_SEQ(ref)))
            return false;
        chain[depth++] = n;
        ref = n->parent_ref;
    }
    buf_reset(b);
    buf_putc(b, v->drive);
    buf_puts(b, ":");
    for (size_t i = depth; i-- > 0;) {
        buf_putc(b, '\\');
        buf_puts(b, v->names + chain[i]->name_off);
    }
    return b->data && !b->toobig;
}

typedef struct judge {
    const exh_ruleset *rs;
    unit *u;
    tvol *v;
    triage *t;
    exh_status st;
} judge;

/* Adds one finding (takes nothing; copies what it keeps). */
static void add(judge *j, const char *rule, const char *title, exh_severity sev,
                const char *source_type, const char *source_path,
                const char *wp, int64_t time_ms, const ifile *file,
                const char *const *keys, const char *const *values,
                size_t count)
{
    if (j->st != EXH_OK)
        return;
    ifinding f = {0};
    f.rule = SIZE_MAX;
    f.fr.name = exh_strdup(rule);
    f.fr.title = exh_strdup(title);
    f.fr.source = exh_strdup("builtin:exhunt/triage");
    f.fr.author = exh_strdup("exhunt");
    f.fr.severity = sev;
    f.fr.category = EXH_CAT_SUSPICIOUS;
    f.count = 1;
    f.time_ms = time_ms;
    f.last_ms = INT64_MIN;
    f.source_type = source_type;
    f.source_path = exh_strdup(source_path ? source_path : "");
    f.windows_path = wp ? exh_strdup(wp) : NULL;
    f.evidence = exh_calloc(count ? count : 1, sizeof(*f.evidence));
    exh_status st = f.fr.name && f.fr.title && f.fr.source && f.fr.author &&
                            f.source_path && (!wp || f.windows_path) &&
                            f.evidence
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    if (st == EXH_OK && file) {
        f.file = exh_malloc(sizeof(*f.file));
        if (f.file)
            *f.file = *file;
        else
            st = EXH_ERR_NOMEM;
    }
    for (size_t i = 0; i < count && st == EXH_OK; i++) {
        exh_kv *kv = &f.evidence[f.evidence_count];
        kv->key = exh_strdup(keys[i]);
        kv->value = exh_strdup(values[i]);
        kv->value_len = kv->value ? strlen(kv->value) : 0;
        if (!kv->key || !kv->value) {
            exh_free((char *)kv->key);
            exh_free((char *)kv->value);
            st = EXH_ERR_NOMEM;
        } else {
            f.evidence_count++;
        }
    }
    if (st == EXH_OK)
        st = finding_add(j->u, j->rs, &f, NULL);
    ifinding_free(&f);
    j->st = st;
}

/* Whether a page at wp is one Exchange or IIS ships: the Exchange web
 * applications hold thousands, judged by the baseline only in the sign-in
 * folders; elsewhere in the drop zones no stock page lives. *why is set
 * when it is not stock. */
static bool page_stock(const exh_ruleset *rs, const char *wp, const char **why,
                       bool *auth_folder)
{
    size_t len = strlen(wp);
    const char *auth = baseline_auth_check(rs->baseline, wp);
    *auth_folder = auth != NULL;
    if (auth) {
        *why = auth;
        return false;
    }
    if (util_memcasemem(wp, len, "\\FrontEnd\\HttpProxy\\", 19) ||
        util_memcasemem(wp, len, "\\ClientAccess\\", 14))
        return true;
    *why = "a server-side page in a drop zone, where Exchange and IIS install "
           "none";
    return false;
}

static bool log_folder(const char *wp);
static void note_deleted_log(judge *j, const char *wp, const char *name,
                             int64_t time_ms);

/* The facts of an MFT entry as a finding's file. */
static void node_file(const tvol *v, const tnode *n, ifile *f)
{
    memset(f, 0, sizeof(*f));
    f->size = n->size;
    f->has_ntfs = true;
    f->deleted = !(n->flags & NODE_IN_USE);
    memcpy(f->ntfs_times, n->t, sizeof(n->t));
    bool stomped =
        n->t[0] != INT64_MIN && n->t[4] != INT64_MIN && n->t[0] < n->t[4];
    f->created_ms = stomped ? n->t[4] : n->t[0];
    f->modified_ms = stomped ? n->t[5] : n->t[1];
    f->time_source = stomped ? "ntfs-fn" : "ntfs-si";
    if (n->security_id && v->sds &&
        ntfs_sds_owner(v->sds, n->security_id, f->owner, sizeof(f->owner)))
        return;
    f->owner[0] = '\0';
    if (n->owner_off)
        snprintf(f->owner, sizeof(f->owner), "%s", v->names + n->owner_off);
}

static void judge_node(judge *j, const tnode *n, buf *b)
{
    tvol *v = j->v;
    if ((n->flags & NODE_DIR) || !n->name_off ||
        !folder_path(v, n->parent_ref, b))
        return;
    buf_putc(b, '\\');
    buf_puts(b, v->names + n->name_off);
    if (b->toobig)
        return;
    // A deleted log explains a gap in its family's coverage; the journal,
    // when there is one, says so itself (with the deletion time).
    if (!(n->flags & NODE_IN_USE) && !v->usn_display &&
        is_log_name(v->names + n->name_off, n->name_len) && log_folder(b->data))
        note_deleted_log(j, b->data, v->names + n->name_off, INT64_MIN);
    if (!scanner_in_drop_zone(b->data))
        return;
    const char *wp = b->data;
    const char *name = v->names + n->name_off;
    bool deleted = !(n->flags & NODE_IN_USE);
    ifile f;
    node_file(v, n, &f);
    char number[32];
    snprintf(number, sizeof(number), "%llu", (unsigned long long)n->number);
    const char *why = NULL;
    bool auth = false;
    if (baseline_page_name(name) && !page_stock(j->rs, wp, &why, &auth)) {
        if (deleted) {
            const char *keys[] = {"mft_record", "reason"};
            const char *values[] = {number, why};
            add(j, "mft_deleted_page",
                "Deleted server page in a drop zone, known from the $MFT of "
                "a triage collection",
                EXH_SEV_MEDIUM, "mft", v->mft_display, wp, f.created_ms, &f,
                keys, values, 2);
        } else if (!collected(j->t, wp)) {
            const char *keys[] = {"mft_record", "reason", "collected"};
            const char *values[] = {number, why, "no"};
            add(j, "mft_page_not_collected",
                "Server page in a drop zone that the $MFT knows and the "
                "triage collection did not copy",
                auth ? EXH_SEV_HIGH : EXH_SEV_MEDIUM, "mft", v->mft_display, wp,
                f.created_ms, &f, keys, values, 3);
        }
    }
    if (n->t[0] != INT64_MIN && n->t[4] != INT64_MIN && n->t[0] < n->t[4]) {
        char si[32], fn[32];
        util_time_format(n->t[0], si);
        util_time_format(n->t[4], fn);
        const char *keys[] = {"si_created", "fn_created", "mft_record"};
        const char *values[] = {si, fn, number};
        add(j, "ntfs_timestomp_si_before_fn",
            "File in a drop zone whose $STANDARD_INFORMATION creation time "
            "is earlier than its $FILE_NAME creation time (timestomped)",
            EXH_SEV_MEDIUM, "mft", v->mft_display, wp, f.created_ms, &f, keys,
            values, 3);
    }
    if (baseline_page_name(name) && strcmp(f.owner, "S-1-5-18") == 0 &&
        scanner_in_web_folder(wp)) {
        const char *keys[] = {"owner", "mft_record"};
        const char *values[] = {"S-1-5-18 (SYSTEM)", number};
        add(j, "ntfs_page_owned_by_system",
            "Server page in a web folder owned by SYSTEM: written by a "
            "service running as SYSTEM, such as an exploited Exchange worker "
            "process",
            EXH_SEV_MEDIUM, "mft", v->mft_display, wp, f.created_ms, &f, keys,
            values, 2);
    }
}

static int cmp_event(const void *a, const void *b)
{
    const tevent *x = a, *y = b;
    if (x->ref != y->ref)
        return x->ref < y->ref ? -1 : 1;
    return (x->usn > y->usn) - (x->usn < y->usn);
}

/* True when a page at wp lies where attackers planted shells: the sign-in
 * folders, aspnet_client, the OAB folders. */
static bool planting_folder(const char *wp)
{
    size_t len = strlen(wp);
    return util_memcasemem(wp, len, "\\owa\\auth\\", 10) ||
           util_memcasemem(wp, len, "\\ecp\\auth\\", 10) ||
           util_memcasemem(wp, len, "\\aspnet_client\\", 15) ||
           util_memcasemem(wp, len, "\\OAB\\", 5);
}

/* True when a log at wp is one exhunt reads coverage from. */
static bool log_folder(const char *wp)
{
    size_t len = strlen(wp);
    return util_memcasemem(wp, len, "\\Logging\\", 9) ||
           util_memcasemem(wp, len, "\\inetpub\\logs\\", 14) ||
           util_memcasemem(wp, len, "\\LogFiles\\W3SVC", 15);
}

/* Notes a deleted log in its family's coverage (a gap over the hour or
 * day its name dates). */
static void note_deleted_log(judge *j, const char *wp, const char *name,
                             int64_t time_ms)
{
    char path[4096];
    size_t n = strlen(wp);
    if (j->st != EXH_OK || n >= sizeof(path))
        return;
    for (size_t i = 0; i <= n; i++)
        path[i] = wp[i] == '\\' ? '/' : wp[i];
    log_family fam = classify_entry(path, "", 0);
    if (fam == FAM_NONE || fam == FAM_EVTX)
        return;
    coverage_acc *c = scanner_log_coverage(j->u, path, fam);
    if (!c)
        j->st = EXH_ERR_NOMEM;
    else
        coverage_note_deleted(c, name, time_ms);
}

static void reason_text(uint32_t reason, char *out, size_t len)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{USN_REASON_FILE_CREATE, "FILE_CREATE"},
                 {USN_REASON_FILE_DELETE, "FILE_DELETE"},
                 {USN_REASON_RENAME_OLD_NAME, "RENAME_OLD_NAME"},
                 {USN_REASON_RENAME_NEW_NAME, "RENAME_NEW_NAME"},
                 {USN_REASON_CLOSE, "CLOSE"}};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(reason & names[i].bit))
            continue;
        int n = snprintf(out + used, len - used, "%s%s", used ? "|" : "",
                         names[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

/* Judges the journal records of one file (events[0..count), in USN
 * order): a page planted then removed, a log deleted. */
static void judge_file_events(judge *j, const tevent *ev, size_t count, buf *b)
{
    tvol *v = j->v;
    const tevent *created = NULL, *deleted = NULL;
    char *created_wp = NULL;
    for (size_t i = 0; i < count && j->st == EXH_OK; i++) {
        const tevent *e = &ev[i];
        const char *name = v->names + e->name_off;
        if (!e->name_off || !folder_path(v, e->parent_ref, b))
            continue;
        buf_putc(b, '\\');
        buf_puts(b, name);
        if (b->toobig)
            continue;
        const char *why = NULL;
        bool auth = false;
        if (!created &&
            (e->reason &
             (USN_REASON_FILE_CREATE | USN_REASON_RENAME_NEW_NAME)) &&
            baseline_page_name(name) && planting_folder(b->data) &&
            !page_stock(j->rs, b->data, &why, &auth)) {
            created = e;
            created_wp = exh_strdup(b->data);
        }
        if (e->reason & USN_REASON_FILE_DELETE) {
            if (!deleted && is_log_name(name, e->name_len) &&
                log_folder(b->data)) {
                char at[32], reason[128];
                util_time_format(e->time_ms, at);
                reason_text(e->reason, reason, sizeof(reason));
                const char *keys[] = {"name", "deleted", "reason"};
                const char *values[] = {name, at, reason};
                add(j, "usn_log_deleted",
                    "Log file deleted, from the USN journal of a triage "
                    "collection (Exchange's own retention deletes logs "
                    "older than 30 days)",
                    EXH_SEV_LOW, "usn", v->usn_display, b->data, e->time_ms,
                    NULL, keys, values, 3);
                note_deleted_log(j, b->data, name, e->time_ms);
            }
            deleted = e;
        }
    }
    if (created && j->st == EXH_OK) {
        char c[32], d[32], usn[32];
        util_time_format(created->time_ms, c);
        snprintf(usn, sizeof(usn), "%lld", (long long)created->usn);
        const char *name = v->names + created->name_off;
        if (deleted && deleted->usn > created->usn) {
            util_time_format(deleted->time_ms, d);
            const char *keys[] = {"name", "created", "deleted", "usn"};
            const char *values[] = {name, c, d, usn};
            add(j, "usn_page_created_deleted",
                "Server page created where web shells are planted (owa/auth, "
                "ecp/auth, aspnet_client, OAB), then deleted: from the USN "
                "journal of a triage collection",
                EXH_SEV_HIGH, "usn", v->usn_display, created_wp,
                created->time_ms, NULL, keys, values, 4);
        } else {
            const char *keys[] = {"name", "created", "usn"};
            const char *values[] = {name, c, usn};
            add(j, "usn_page_created",
                "Server page created where web shells are planted (owa/auth, "
                "ecp/auth, aspnet_client, OAB): from the USN journal of a "
                "triage collection",
                EXH_SEV_MEDIUM, "usn", v->usn_display, created_wp,
                created->time_ms, NULL, keys, values, 3);
        }
    }
    exh_free(created_wp);
}

exh_status triage_finish(triage *t, const exh_ruleset *rs, unit *u)
{
    if (!t || !rs->baseline)
        return EXH_OK;
    judge j = {rs, u, NULL, t, EXH_OK};
    buf b;
    buf_init(&b, 32768);
    for (size_t i = 0; i < t->vol_count && j.st == EXH_OK; i++) {
        tvol *v = &t->vols[i];
        j.v = v;
        for (size_t k = 0;
             v->mft_display && k < v->node_count && j.st == EXH_OK; k++)
            judge_node(&j, &v->nodes[k], &b);
        if (v->usn_display && !v->mft_display)
            scanner_unit_error(u, v->usn_display,
                               "no $MFT beside this USN journal: its records "
                               "cannot be placed in folders and are not "
                               "judged");
        if (!v->usn_display || !v->mft_display || !v->event_count)
            continue;
        qsort(v->events, v->event_count, sizeof(*v->events), cmp_event);
        for (size_t k = 0; k < v->event_count && j.st == EXH_OK;) {
            size_t end = k + 1;
            while (end < v->event_count &&
                   v->events[end].ref == v->events[k].ref)
                end++;
            judge_file_events(&j, v->events + k, end - k, &b);
            k = end;
        }
    }
    buf_free(&b);
    return j.st;
}
