/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazylib.c - loads The Sleuth Kit, libqcow, libvshadow, libcurl, libarchive
 * and libyara on first use (lazylib.h).
 *
 * dlopen() with RTLD_NOW: a missing function is found at load, not at its
 * first call. RTLD_LOCAL keeps their symbols out of the global scope; the
 * libraries they bring resolve against what is loaded already, in the
 * order exhunt linked it (libewf first: see meson.build), as they did when
 * linked. The handles are never closed.
 */
#define LAZY_DEFINING 1
#define LAZY_TSK      1
#define LAZY_CURL     1
#define LAZY_ARCHIVE  1
#define LAZY_YARA     1
#define LAZY_QCOW     1
#define LAZY_VSHADOW  1
#include "lazylib.h"

#include "internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifndef EXH_SONAME_TSK
#error "EXH_SONAME_TSK is set by lib/meson.build"
#endif
#ifndef EXH_SONAME_CURL
#error "EXH_SONAME_CURL is set by lib/meson.build"
#endif
#ifndef EXH_SONAME_ARCHIVE
#error "EXH_SONAME_ARCHIVE is set by lib/meson.build"
#endif
#ifndef EXH_SONAME_YARA
#error "EXH_SONAME_YARA is set by lib/meson.build"
#endif
#ifndef EXH_SONAME_QCOW
#error "EXH_SONAME_QCOW is set by lib/meson.build"
#endif
#ifndef EXH_SONAME_VSHADOW
#error "EXH_SONAME_VSHADOW is set by lib/meson.build"
#endif

struct lazy_tsk_table lazy_tsk;
struct lazy_curl_table lazy_curl;
struct lazy_archive_table lazy_archive;
struct lazy_yara_table lazy_yara;
struct lazy_qcow_table lazy_qcow;
struct lazy_vshadow_table lazy_vshadow;

/* One library: its table filled from soname, or ok false with why set
 * (written once, under its pthread_once(), and only read after). */
struct lazy_lib {
    const char *soname;
    char *table;                /* a table of function pointers */
    const char *const *symbols; /* the name of each slot */
    size_t count;
    pthread_once_t once;
    bool ok;
    char why[512];
};

static void lazy_open(struct lazy_lib *l)
{
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(l->why, sizeof l->why, "cannot load %s: %s", l->soname,
                 e ? e : "unknown error");
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        dlerror();
        void *f = dlsym(h, l->symbols[i]);
        if (!f) {
            snprintf(l->why, sizeof l->why, "%s has no %s", l->soname,
                     l->symbols[i]);
            return; // the handle stays: some slots may point into it
        }
        // POSIX: a function's address from dlsym() as a data pointer.
        memcpy(l->table + i * sizeof(void (*)(void)), &f, sizeof f);
    }
    l->ok = true;
}

#define LAZY_NAME(f) #f,
static const char *const tsk_symbols[] = {LAZY_TSK_FUNCS(LAZY_NAME)};
static const char *const curl_symbols[] = {LAZY_CURL_FUNCS(LAZY_NAME)};
static const char *const archive_symbols[] = {LAZY_ARCHIVE_FUNCS(LAZY_NAME)};
static const char *const yara_symbols[] = {LAZY_YARA_FUNCS(LAZY_NAME)};
static const char *const qcow_symbols[] = {LAZY_QCOW_FUNCS(LAZY_NAME)};
static const char *const vshadow_symbols[] = {LAZY_VSHADOW_FUNCS(LAZY_NAME)};
#undef LAZY_NAME

// The tables are structs of function pointers, filled slot by slot: every
// member has the size of a data pointer and none has padding between.
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
               "dlsym() gives functions as data pointers");

/* One library: its table, the names of the table's slots, its SONAME, and
 * the pthread_once() function that loads it; lazy_<name>_load() runs it. */
#define LAZY_LIB(name, soname_)                                                \
    _Static_assert(sizeof lazy_##name == sizeof name##_symbols /               \
                                             sizeof(char *) *                  \
                                             sizeof(void (*)(void)),           \
                   "lazy_" #name " is one pointer per symbol");                \
    static struct lazy_lib name##_lib = {                                      \
        .soname = soname_,                                                     \
        .table = (char *)&lazy_##name,                                         \
        .symbols = name##_symbols,                                             \
        .count = sizeof name##_symbols / sizeof *name##_symbols,               \
        .once = PTHREAD_ONCE_INIT,                                             \
    };                                                                         \
    static void name##_once(void)                                              \
    {                                                                          \
        lazy_open(&name##_lib);                                                \
    }                                                                          \
    const char *lazy_##name##_load(void)                                       \
    {                                                                          \
        pthread_once(&name##_lib.once, name##_once);                           \
        return name##_lib.ok ? NULL : name##_lib.why;                          \
    }

LAZY_LIB(tsk, EXH_SONAME_TSK)
LAZY_LIB(curl, EXH_SONAME_CURL)
LAZY_LIB(archive, EXH_SONAME_ARCHIVE)
LAZY_LIB(yara, EXH_SONAME_YARA)
LAZY_LIB(qcow, EXH_SONAME_QCOW)
LAZY_LIB(vshadow, EXH_SONAME_VSHADOW)
