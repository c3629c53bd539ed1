/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shadow.c - what the volume shadow copies of a disk image's unit add
 * (--shadows; the copies are read by sources/image.c through libvshadow).
 *
 * Every snapshot is part of its volume's unit (DESIGN.md, Units). Live
 * volumes are walked before their snapshots, and the unit remembers the
 * Windows path, size and time of every live file it reads (those in scope:
 * drop zones, logs), so when a snapshot's file arrives the unit already
 * knows the live file at the same Windows path:
 * a file of the same size and modification time is the same file, is not
 * read again, and only adds the snapshot to the seen_in of the findings on
 * that path. A snapshot's log whose bytes begin the longer live file at
 * its path (an append-only log still being written at the snapshot; the
 * source compares the bytes, scanner.c asks) is not read either: each of
 * its records is one the live file holds, counted once, and the live
 * findings from the lines it holds whole add the snapshot to seen_in
 * (shadow_prefix). Any other file of a snapshot is read; its findings
 * carry the snapshot (ifinding.snap, ifinding.seen), and shadow_finish()
 * merges the findings that are identical across live and snapshots
 * (DESIGN.md: by Windows path and sha256 for files, path, line and the
 * record's fields for records) into one with seen_in listing where, and
 * reports a web shell that a snapshot holds and the live volume does not
 * as planted then removed.
 * Invariant: snapshot numbers are 1..SHADOW_MAX within a unit; bit 0 of a
 * seen mask is the live volume, bit k snapshot k.
 */
#include "scan.h"

#include <stdio.h>
#include <string.h>

typedef struct live_file {
    char *key; /* the Windows path, lower-cased; NULL: empty slot */
    uint64_t size;
    int64_t modified_ms;
    uint64_t same;   /* snapshots holding the very same file */
    size_t prefixes; /* index + 1 of its last prefix note, 0: none */
} live_file;

/* A snapshot's log that is the start of the live file at its path. */
typedef struct prefix_note {
    unsigned snap;  /* the snapshot */
    uint64_t lines; /* its '\n' count: the live lines it holds whole */
    size_t next;    /* index + 1 of the file's previous note, 0: none */
} prefix_note;

struct shadow {
    char *labels[SHADOW_MAX + 1]; /* [k]: "vol2@vss1"; [0] unused */
    int64_t times[SHADOW_MAX + 1];
    unsigned count;
    bool capped; /* a snapshot beyond SHADOW_MAX was left out */
    live_file *files;
    size_t cap, used;
    prefix_note *prefixes;
    size_t prefix_count, prefix_cap;
    char **notes;
    size_t note_count;
};

static uint64_t hash_key(const char *s)
{
    return util_hash(s, strlen(s));
}

static char *lower_dup(const char *s)
{
    char *d = exh_strdup(s);
    for (char *p = d; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

static size_t live_find(const shadow *sh, const char *key)
{
    size_t i = hash_key(key) & (sh->cap - 1);
    while (sh->files[i].key && strcmp(sh->files[i].key, key) != 0)
        i = (i + 1) & (sh->cap - 1);
    return i;
}

static live_file *live_get(const shadow *sh, const char *wp)
{
    if (!sh || !sh->cap || !wp)
        return NULL;
    char *key = lower_dup(wp);
    if (!key)
        return NULL;
    live_file *f = &sh->files[live_find(sh, key)];
    exh_free(key);
    return f->key ? f : NULL;
}

static exh_status live_grow(shadow *sh)
{
    size_t cap = sh->cap ? sh->cap * 2 : 1024;
    live_file *n = exh_calloc(cap, sizeof *n);
    if (!n)
        return EXH_ERR_NOMEM;
    live_file *old = sh->files;
    size_t old_cap = sh->cap;
    sh->files = n;
    sh->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            n[live_find(sh, old[i].key)] = old[i];
    exh_free(old);
    return EXH_OK;
}

static shadow *shadow_of(unit *u)
{
    if (!u->shadow)
        u->shadow = exh_calloc(1, sizeof *u->shadow);
    return u->shadow;
}

exh_status shadow_add_note(unit *u, const char *path, const char *message)
{
    shadow *sh = shadow_of(u);
    if (!sh)
        return EXH_ERR_NOMEM;
    if (sh->note_count >= 1024)
        return EXH_OK;
    char **n = exh_realloc(sh->notes, (sh->note_count + 1) * sizeof *n);
    if (!n)
        return EXH_ERR_NOMEM;
    sh->notes = n;
    size_t len = strlen(path) + strlen(message) + 3;
    char *text = exh_malloc(len);
    if (!text)
        return EXH_ERR_NOMEM;
    snprintf(text, len, "%s: %s", path, message);
    sh->notes[sh->note_count++] = text;
    return EXH_OK;
}

const char *const *shadow_notes(const unit *u, size_t *count)
{
    *count = u->shadow ? u->shadow->note_count : 0;
    return u->shadow ? (const char *const *)u->shadow->notes : NULL;
}

int shadow_entry(unit *u, const entry_ntfs *n, const char *wp, uint64_t size,
                 int64_t modified_ms, unsigned *snap)
{
    *snap = 0;
    if (!wp)
        return SHADOW_READ;
    shadow *sh = shadow_of(u);
    if (!sh)
        return SHADOW_NOMEM;
    if (!n->snapshot) { // a live file: remembered for the snapshots
        if ((sh->used + 1) * 2 > sh->cap && live_grow(sh) != EXH_OK)
            return SHADOW_NOMEM;
        char *key = lower_dup(wp);
        if (!key)
            return SHADOW_NOMEM;
        size_t i = live_find(sh, key);
        if (sh->files[i].key) {
            exh_free(key);
            return SHADOW_READ;
        }
        sh->files[i] = (live_file){key, size, modified_ms, 0, 0};
        sh->used++;
        return SHADOW_READ;
    }
    unsigned k = 0;
    for (unsigned i = 1; i <= sh->count && !k; i++)
        if (strcmp(sh->labels[i], n->snapshot) == 0)
            k = i;
    if (!k) {
        if (sh->count >= SHADOW_MAX) {
            if (sh->capped)
                return SHADOW_SKIP;
            sh->capped = true;
            return SHADOW_OVER;
        }
        k = ++sh->count;
        sh->labels[k] = exh_strdup(n->snapshot);
        sh->times[k] = n->snapshot_ms;
        if (!sh->labels[k])
            return SHADOW_NOMEM;
    }
    *snap = k;
    live_file *lf = live_get(sh, wp);
    if (lf && lf->size == size && lf->modified_ms == modified_ms &&
        modified_ms != INT64_MIN) {
        lf->same |= 1ull << k;
        return SHADOW_SAME;
    }
    // A log still being written when the snapshot was made: its copy there
    // may be the start of the live one (the consumer compares, then files
    // it with shadow_prefix).
    if (lf && lf->size >= size)
        return SHADOW_LONGER;
    return SHADOW_READ;
}

exh_status shadow_prefix(unit *u, const char *wp, unsigned k, uint64_t lines)
{
    shadow *sh = u->shadow;
    live_file *lf = live_get(sh, wp);
    if (!lf || k == 0 || k > SHADOW_MAX)
        return EXH_OK;
    if (sh->prefix_count == sh->prefix_cap) {
        size_t cap = sh->prefix_cap ? sh->prefix_cap * 2 : 16;
        prefix_note *p = exh_realloc(sh->prefixes, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        sh->prefixes = p;
        sh->prefix_cap = cap;
    }
    sh->prefixes[sh->prefix_count] = (prefix_note){k, lines, lf->prefixes};
    lf->prefixes = ++sh->prefix_count;
    return EXH_OK;
}

int64_t shadow_time(const unit *u, unsigned k)
{
    if (!u->shadow || k == 0 || k > u->shadow->count)
        return INT64_MIN;
    return u->shadow->times[k];
}

const char *shadow_label(const unit *u, unsigned k)
{
    if (!u->shadow || k == 0 || k > u->shadow->count)
        return NULL;
    return u->shadow->labels[k];
}

size_t shadow_seen_in(const unit *u, uint64_t seen, const char **out,
                      char (*times)[32])
{
    size_t n = 0;
    if (seen == 0 || (seen & 1))
        out[n++] = "live";
    for (unsigned k = 1; u->shadow && k <= u->shadow->count; k++) {
        if (!(seen & (1ull << k)))
            continue;
        if (u->shadow->times[k] == INT64_MIN)
            snprintf(times[n], 32, "%s", u->shadow->labels[k]);
        else
            util_time_format(u->shadow->times[k], times[n]);
        out[n] = times[n];
        n++;
    }
    return n;
}

/* The identity of a finding across live and snapshots into b. */
static void finding_key(const exh_ruleset *rs, const ifinding *f, buf *b)
{
    buf_reset(b);
    buf_puts(b, finding_rule_name(rs, f));
    buf_putc(b, '\x1f');
    const char *title = finding_title(rs, f);
    buf_puts(b, title ? title : "");
    buf_putc(b, '\x1f');
    buf_puts(b, f->windows_path ? f->windows_path : "");
    buf_printf(b, "\x1f%llu\x1f", (unsigned long long)f->line);
    if (f->file) {
        buf_puts(b, f->file->sha256);
        buf_putc(b, '\x1f');
        buf_puts(b, f->file->stream);
        return;
    }
    for (size_t i = 0; i < f->evidence_count; i++) {
        buf_puts(b, f->evidence[i].key);
        buf_putc(b, '\x1e');
        buf_puts(b, f->evidence[i].value);
        buf_putc(b, '\x1e');
    }
}

/* Merges the unit's findings identical across live and snapshots. */
static exh_status dedup(unit *u, const exh_ruleset *rs)
{
    flist *l = &u->plain;
    size_t cap = 64;
    while (cap < l->count * 2)
        cap *= 2;
    uint64_t *hashes = exh_calloc(l->count ? l->count : 1, sizeof *hashes);
    size_t *slots = exh_calloc(cap, sizeof *slots); // index + 1, 0 empty
    buf key, other;
    buf_init(&key, 1 << 20);
    buf_init(&other, 1 << 20);
    exh_status st = hashes && slots ? EXH_OK : EXH_ERR_NOMEM;
    size_t kept = 0;
    for (size_t i = 0; i < l->count && st == EXH_OK; i++) {
        ifinding *f = &l->items[i];
        finding_key(rs, f, &key);
        if (!key.data) {
            st = EXH_ERR_NOMEM;
            break;
        }
        uint64_t h = hash_key(key.data);
        size_t j = h & (cap - 1);
        bool merged = false;
        while (slots[j]) {
            ifinding *g = &l->items[slots[j] - 1];
            if (hashes[slots[j] - 1] == h) {
                finding_key(rs, g, &other);
                if (other.data && strcmp(other.data, key.data) == 0) {
                    g->seen |= f->seen;
                    ifinding_free(f);
                    merged = true;
                    break;
                }
            }
            j = (j + 1) & (cap - 1);
        }
        if (merged)
            continue;
        l->items[kept] = *f;
        hashes[kept] = h;
        slots[j] = kept + 1;
        kept++;
    }
    if (st == EXH_OK)
        l->count = kept;
    buf_free(&key);
    buf_free(&other);
    exh_free(hashes);
    exh_free(slots);
    return st;
}

/* The planted-then-removed finding of the shell finding f, seen only in
 * snapshots and absent from the live volume. */
static exh_status removed_finding(unit *u, const exh_ruleset *rs,
                                  const ifinding *f, flist *out)
{
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (unsigned k = 1; k <= u->shadow->count; k++) {
        if (!(f->seen & (1ull << k)) || u->shadow->times[k] == INT64_MIN)
            continue;
        if (u->shadow->times[k] < first)
            first = u->shadow->times[k];
        if (u->shadow->times[k] > last)
            last = u->shadow->times[k];
    }
    char planted[32] = "unknown", seen_first[32] = "unknown",
         seen_last[32] = "unknown";
    if (f->file->created_ms != INT64_MIN)
        util_time_format(f->file->created_ms, planted);
    if (first != INT64_MAX) {
        util_time_format(first, seen_first);
        util_time_format(last, seen_last);
    }
    ifinding n = {0};
    n.rule = SIZE_MAX;
    n.fr = (frule){
        exh_strdup("shadow_webshell_removed"),
        exh_strdup("Web shell present in a volume shadow copy and gone from "
                   "the live volume: planted, then removed"),
        exh_strdup("builtin:exhunt/shadow"),
        exh_strdup("exhunt"),
        EXH_SEV_HIGH,
        EXH_CAT_WEBSHELL,
        NULL};
    n.count = 1;
    n.last_ms = INT64_MIN;
    n.time_ms = f->time_ms;
    n.family = f->family;
    n.source_path = exh_strdup(f->source_path);
    n.windows_path = exh_strdup(f->windows_path);
    n.file = exh_malloc(sizeof *n.file);
    n.evidence = exh_calloc(5, sizeof *n.evidence);
    n.seen = f->seen;
    n.snap = f->snap;
    exh_status st = n.fr.name && n.fr.title && n.fr.source && n.fr.author &&
                            n.source_path && n.windows_path && n.file &&
                            n.evidence
                        ? EXH_OK
                        : EXH_ERR_NOMEM;
    if (n.file)
        *n.file = *f->file;
    const char *rule = finding_rule_name(rs, f);
    const char *keys[] = {"planted", "snapshot_first", "snapshot_last", "live",
                          "matched_rule"};
    const char *values[] = {planted, seen_first, seen_last,
                            "absent from the live volume", rule};
    for (size_t i = 0; i < 5 && st == EXH_OK; i++)
        st = finding_evidence_add(&n, keys[i], values[i], strlen(values[i]));
    if (st == EXH_OK) {
        ifinding *p = exh_realloc(out->items, (out->count + 1) * sizeof *p);
        if (!p)
            st = EXH_ERR_NOMEM;
        else {
            out->items = p;
            out->items[out->count++] = n;
            return EXH_OK;
        }
    }
    ifinding_free(&n);
    return st;
}

/* True when the display path lies in the snapshot label ("IMAGE!/label/"). */
static bool in_snapshot(const char *path, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = strstr(path, "!/"); p; p = strstr(p + 2, "!/"))
        if (strncmp(p + 2, label, n) == 0 && p[2 + n] == '/')
            return true;
    return false;
}

exh_status shadow_finish(unit *u, const exh_ruleset *rs)
{
    shadow *sh = u->shadow;
    if (!sh || sh->count == 0)
        return EXH_OK;
    EXH_TRY(dedup(u, rs));
    flist added = {0};
    exh_status st = EXH_OK;
    flist *lists[] = {&u->plain, &u->agg};
    for (size_t li = 0; li < 2; li++) {
        for (size_t i = 0; i < lists[li]->count; i++) {
            ifinding *f = &lists[li]->items[i];
            if (f->seen == 0)
                f->seen = 1;
            // Findings made after the walk (the build a snapshot's log
            // header names) were seen where their source is.
            if (f->seen == 1 && f->source_path)
                for (unsigned k = 1; k <= sh->count; k++)
                    if (in_snapshot(f->source_path, sh->labels[k])) {
                        f->seen = 1ull << k;
                        f->snap = k;
                        break;
                    }
            live_file *lf = live_get(sh, f->windows_path);
            if (!lf || !(f->seen & 1))
                continue;
            f->seen |= lf->same;
            // A record of the live file's first lines, which a snapshot's
            // copy holds whole, was seen in that snapshot too.
            for (size_t p = lf->prefixes; p; p = sh->prefixes[p - 1].next)
                if (f->line > 0 && f->line <= sh->prefixes[p - 1].lines)
                    f->seen |= 1ull << sh->prefixes[p - 1].snap;
        }
    }
    // A shell in snapshots only, whose path the live volume does not hold:
    // one finding per path (several rules may match one shell).
    for (size_t i = 0; i < u->plain.count && st == EXH_OK; i++) {
        const ifinding *f = &u->plain.items[i];
        if (!f->file || (f->seen & 1) || !f->windows_path ||
            finding_category(rs, f) != EXH_CAT_WEBSHELL ||
            live_get(sh, f->windows_path))
            continue;
        bool dup = false;
        for (size_t j = 0; j < added.count && !dup; j++)
            dup = strcmp(added.items[j].windows_path, f->windows_path) == 0;
        if (!dup)
            st = removed_finding(u, rs, f, &added);
    }
    for (size_t i = 0; i < added.count; i++) {
        if (st == EXH_OK)
            st = finding_add(u, rs, &added.items[i], NULL);
        else
            ifinding_free(&added.items[i]);
    }
    exh_free(added.items);
    return st;
}

void shadow_free(shadow *sh)
{
    if (!sh)
        return;
    for (unsigned k = 1; k <= sh->count; k++)
        exh_free(sh->labels[k]);
    for (size_t i = 0; i < sh->cap; i++)
        exh_free(sh->files[i].key);
    exh_free(sh->files);
    exh_free(sh->prefixes);
    for (size_t i = 0; i < sh->note_count; i++)
        exh_free(sh->notes[i]);
    exh_free(sh->notes);
    exh_free(sh);
}
