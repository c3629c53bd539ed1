/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_detect.c - finds the installed Exchange build in evidence, best
 * source first:
 *   1. the FileVersion of ExSetup.exe's version resource (read through
 *      libyara's pe module; SU-accurate; the copy under a Bin folder wins);
 *   2. OWA's version folders (FrontEnd/HttpProxy/owa/auth/15.1.2176/...,
 *      ClientAccess/Owa/15.1.2176/...): CU level only, and the highest one
 *      is the current CU (older ones stay after an upgrade).
 * build_sniff_* judge one entry; exh_build_detect() walks a target with
 * the evidence sources and keeps the best candidate.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define EXSETUP_MAX_BYTES (64u * 1024 * 1024) /* ExSetup.exe is ~40 KiB */

/* Ranks of build sources, best first. */
enum { RANK_EXSETUP_BIN = 0, RANK_EXSETUP, RANK_OWA, RANK_NONE };

typedef struct detect_ctx {
    int rank; /* of the best candidate so far */
    uint16_t v[4];
    int parts;
    char version[32];
    char source[1024];
    uint8_t *data; /* read buffer for ExSetup.exe */
} detect_ctx;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* True when the folder holding path is named "Bin" (any case). */
static bool in_bin(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return false;
    const char *start = slash;
    while (start > path && start[-1] != '/')
        start--;
    return util_ieq(start, (size_t)(slash - start), "bin", 3);
}

bool build_sniff_owa_path(const char *path, uint16_t v[4])
{
    // ".../owa/auth/15.1.2176/..." or ".../owa/15.1.2176/..."
    for (const char *p = path; (p = strchr(p, '/')) != NULL; p++) {
        const char *seg = p + 1;
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len < 6 || len > 20 || !end)
            continue;
        const char *before = p;
        while (before > path && before[-1] != '/')
            before--;
        size_t blen = (size_t)(p - before);
        bool owa = util_ieq(before, blen, "owa", 3);
        if (!owa && util_ieq(before, blen, "auth", 4) && before - path >= 5)
            owa = util_ieq(before - 4, 3, "owa", 3);
        if (!owa)
            continue;
        char seg_text[24];
        int parts;
        memcpy(seg_text, seg, len);
        seg_text[len] = '\0';
        if (build_parse_version(seg_text, v, &parts) && parts == 3 &&
            v[0] >= 14 && v[0] <= 15)
            return true;
    }
    return false;
}

static void consider(detect_ctx *c, int rank, const uint16_t v[4], int parts,
                     const char *source)
{
    int cmp = 0;
    for (int i = 0; i < 4 && cmp == 0; i++)
        if (v[i] != c->v[i])
            cmp = v[i] < c->v[i] ? -1 : 1;
    if (rank > c->rank || (rank == c->rank && cmp <= 0))
        return;
    c->rank = rank;
    memcpy(c->v, v, sizeof c->v);
    c->parts = parts;
    if (parts == 4)
        snprintf(c->version, sizeof c->version, "%u.%u.%u.%u", v[0], v[1], v[2],
                 v[3]);
    else
        snprintf(c->version, sizeof c->version, "%u.%u.%u", v[0], v[1], v[2]);
    snprintf(c->source, sizeof c->source, "%s", source);
}

/* Reads an ExSetup.exe entry and considers its FileVersion. */
static void exsetup(detect_ctx *c, entry *e)
{
    if (!e->in || e->size > EXSETUP_MAX_BYTES)
        return;
    if (!c->data) {
        c->data = exh_malloc(EXSETUP_MAX_BYTES);
        if (!c->data)
            return;
    }
    size_t len = 0;
    while (len < EXSETUP_MAX_BYTES) {
        ssize_t n = e->in->read(e->in, c->data + len, EXSETUP_MAX_BYTES - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    char version[64], product[128];
    uint16_t v[4];
    int parts;
    if (yara_pe_version(c->data, len, version, sizeof version, product,
                        sizeof product) != EXH_OK ||
        !build_parse_version(version, v, &parts) || parts != 4 ||
        (product[0] && !strstr(product, "Exchange")))
        return;
    char source[1024];
    snprintf(source, sizeof source, "ExSetup.exe version resource: %s",
             e->display_path);
    consider(c, in_bin(e->path) ? RANK_EXSETUP_BIN : RANK_EXSETUP, v, 4,
             source);
}

static bool on_entry(void *user, entry *e)
{
    detect_ctx *c = user;
    uint16_t v[4];

    // A target that is itself one file is read as a PE file whatever its
    // name (a copy of ExSetup.exe may be called anything).
    if (e->path[0] == '\0' ||
        util_strcasecmp(base_name(e->path), "ExSetup.exe") == 0) {
        exsetup(c, e);
    } else if (c->rank >= RANK_OWA && build_sniff_owa_path(e->path, v)) {
        char source[1024];
        snprintf(source, sizeof source,
                 "OWA version folder %u.%u.%u (CU level only): %s", v[0], v[1],
                 v[2], e->display_path);
        v[3] = 0;
        consider(c, RANK_OWA, v, 3, source);
    }
    return true;
}

static void on_error(void *user, const char *display_path, const char *message)
{
    (void)user;
    (void)display_path;
    (void)message;
}

exh_status exh_build_detect(const char *target, char *version,
                            size_t version_size, char *source,
                            size_t source_size)
{
    detect_ctx c = {.rank = RANK_NONE};
    source_opts opts = {.open_archives = true};
    source_cbs cbs = {on_entry, on_error, &c};
    const char *err = NULL;

    if (!target || !version || version_size == 0)
        return EXH_ERR_INVALID_ARG;
    version[0] = '\0';
    if (source && source_size)
        source[0] = '\0';
    exh_status st = source_walk(target, &opts, &cbs, &err);
    exh_free(c.data);
    if (st != EXH_OK)
        return st;
    if (c.rank == RANK_NONE)
        return EXH_ERR_UNSUPPORTED;
    snprintf(version, version_size, "%s", c.version);
    if (source && source_size)
        snprintf(source, source_size, "%s", c.source);
    return EXH_OK;
}
