/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hive.c - the registry facts exhunt needs, read with libregf from a hive
 * held in memory (a libbfio memory range: hives inside archives have no
 * file, and nothing is extracted to disk):
 *   SOFTWARE  Microsoft\ExchangeServer\v15\Setup (v14 for Exchange 2010):
 *             MsiProductMajor.MsiProductMinor.MsiBuildMajor.MsiBuildMinor,
 *             the installed CU (security updates do not change it);
 *             the Exchange updates installed: Windows\CurrentVersion\
 *             Uninstall\* DisplayName "Security Update for Exchange
 *             Server ... (KBnnnnnnn)" and Updates\Exchange 20xx\*
 *             PackageName (EOMT and Health Checker read the same keys);
 *   SYSTEM    under the control set Select\Current names:
 *             Services\MSExchangeUM and MSExchangeUMCR Start (4 = disabled);
 *             every service's ImagePath and Parameters\ServiceDll
 *             (hive_services, judged by match/persist.c).
 * A corrupt hive is no facts, never an error of the scan. Every handle
 * libregf hands out is freed whatever the call returned (a failed call
 * leaves it NULL in libregf 20201007, but nothing here depends on that);
 * what libregf leaks on its own error paths is in docs/internals/libregf.md.
 */
#include "internal.h"

#include <libbfio.h>
#include <libregf.h>

#include <string.h>

typedef struct hive {
    libbfio_handle_t *io;
    libregf_file_t *file;
} hive;

static void hive_close(hive *h)
{
    if (h->file) {
        libregf_file_close(h->file, NULL);
        libregf_file_free(&h->file, NULL);
    }
    if (h->io)
        libbfio_handle_free(&h->io, NULL);
}

/* True when the base block's hive bins size fits in len and every hive bin
 * header is consistent. libbfio's memory range does not clamp reads at its
 * end (found with ASan on a truncated hive), so libregf must never be given
 * a hive bin that reaches past the data. */
static bool hive_bins_fit(const uint8_t *data, size_t len)
{
    uint32_t bins = le32(data + 40);
    if (bins == 0 || bins % 4096 != 0 || bins > len - 4096)
        return false;
    size_t pos = 4096, end = 4096 + (size_t)bins;
    while (pos < end) {
        uint32_t size = le32(data + pos + 8);
        if (memcmp(data + pos, "hbin", 4) != 0 ||
            le32(data + pos + 4) != pos - 4096 || size < 4096 ||
            size % 4096 != 0 || size > end - pos)
            return false;
        pos += size;
    }
    return true;
}

static bool hive_open(hive *h, const uint8_t *data, size_t len)
{
    memset(h, 0, sizeof *h);
    if (len < 4096 || memcmp(data, "regf", 4) != 0 || !hive_bins_fit(data, len))
        return false;
    if (libbfio_memory_range_initialize(&h->io, NULL) != 1 ||
        libbfio_memory_range_set(h->io, (uint8_t *)data, len, NULL) != 1 ||
        libregf_file_initialize(&h->file, NULL) != 1 ||
        libregf_file_open_file_io_handle(h->file, h->io, LIBREGF_OPEN_READ,
                                         NULL) != 1) {
        if (h->file) {
            libregf_file_free(&h->file, NULL);
            h->file = NULL;
        }
        hive_close(h);
        return false;
    }
    return true;
}

static libregf_key_t *key_at(hive *h, const char *path)
{
    libregf_key_t *key = NULL;
    if (libregf_file_get_key_by_utf8_path(h->file, (const uint8_t *)path,
                                          strlen(path), &key, NULL) == 1)
        return key;
    if (key)
        libregf_key_free(&key, NULL);
    return NULL;
}

/* The DWORD value name of key path; false when absent or not a DWORD. */
static bool dword_at(hive *h, const char *path, const char *name, uint32_t *out)
{
    libregf_key_t *key = key_at(h, path);
    libregf_value_t *value = NULL;
    bool ok = false;
    if (key &&
        libregf_key_get_value_by_utf8_name(key, (const uint8_t *)name,
                                           strlen(name), &value, NULL) == 1 &&
        value && libregf_value_get_value_32bit(value, out, NULL) == 1)
        ok = true;
    if (value)
        libregf_value_free(&value, NULL);
    if (key)
        libregf_key_free(&key, NULL);
    return ok;
}

static void string_of(libregf_key_t *key, const char *name, char *out,
                      size_t cap);

static void software(hive *h, hive_facts *f)
{
    static const char *const setup[] = {
        "Microsoft\\ExchangeServer\\v15\\Setup",
        "Microsoft\\ExchangeServer\\v14\\Setup",
    };
    for (size_t i = 0; i < 2 && !f->have_build; i++) {
        uint32_t major, minor, build, revision;
        if (dword_at(h, setup[i], "MsiProductMajor", &major) &&
            dword_at(h, setup[i], "MsiProductMinor", &minor) &&
            dword_at(h, setup[i], "MsiBuildMajor", &build) &&
            dword_at(h, setup[i], "MsiBuildMinor", &revision) &&
            major <= 65535 && minor <= 65535 && build <= 65535 &&
            revision <= 65535) {
            f->have_build = true;
            f->build[0] = (uint16_t)major;
            f->build[1] = (uint16_t)minor;
            f->build[2] = (uint16_t)build;
            f->build[3] = (uint16_t)revision;
        }
    }
}

/* Calls fn on each subkey of the key at path (at most HIVE_MAX_SERVICES). */
static void each_subkey(hive *h, const char *path,
                        void (*fn)(libregf_key_t *sub, hive_facts *f),
                        hive_facts *f)
{
    libregf_key_t *key = key_at(h, path);
    int count = 0;
    if (key && libregf_key_get_number_of_sub_keys(key, &count, NULL) == 1) {
        if (count > HIVE_MAX_SERVICES)
            count = HIVE_MAX_SERVICES;
        for (int i = 0; i < count; i++) {
            libregf_key_t *sub = NULL;
            if (libregf_key_get_sub_key(key, i, &sub, NULL) == 1 && sub)
                fn(sub, f);
            if (sub)
                libregf_key_free(&sub, NULL);
        }
    }
    if (key)
        libregf_key_free(&key, NULL);
}

/* An Exchange update's name: counts it, keeps its KB number and the
 * highest one. */
static void update_name(const char *name, hive_facts *f)
{
    size_t len = strlen(name);
    if (!util_memcasemem(name, len, "Exchange", 8))
        return;
    // "KB" then exactly seven digits (EOMT: [0-9]{7}).
    for (const char *p = name;
         (p = util_memcasemem(p, len - (size_t)(p - name), "KB", 2)) != NULL;
         p += 2) {
        uint32_t kb = 0;
        size_t n = 0;
        while (n < 8 && p[2 + n] >= '0' && p[2 + n] <= '9')
            kb = kb * 10 + (uint32_t)(p[2 + n++] - '0');
        if (n != 7)
            continue;
        f->updates++;
        bool seen = false;
        for (unsigned i = 0; i < f->kb_count && !seen; i++)
            seen = f->kbs[i] == kb;
        if (!seen && f->kb_count < HIVE_MAX_KBS)
            f->kbs[f->kb_count++] = kb;
        if (kb > f->max_kb) {
            f->max_kb = kb;
            snprintf(f->max_kb_name, sizeof f->max_kb_name, "%s", name);
        }
        return;
    }
}

static void uninstall_entry(libregf_key_t *sub, hive_facts *f)
{
    char name[512];
    string_of(sub, "DisplayName", name, sizeof name);
    if (util_memcasemem(name, strlen(name), "Update", 6))
        update_name(name, f);
}

static void package_entry(libregf_key_t *sub, hive_facts *f)
{
    char name[512];
    string_of(sub, "PackageName", name, sizeof name);
    update_name(name, f);
}

static void updates(hive *h, hive_facts *f)
{
    static const char *const products[] = {
        "Microsoft\\Updates\\Exchange 2013",
        "Microsoft\\Updates\\Exchange 2016",
        "Microsoft\\Updates\\Exchange 2019",
    };
    each_subkey(h, "Microsoft\\Windows\\CurrentVersion\\Uninstall",
                uninstall_entry, f);
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++)
        each_subkey(h, products[i], package_entry, f);
}

static void system_hive(hive *h, hive_facts *f)
{
    uint32_t current;
    if (!dword_at(h, "Select", "Current", &current) || current > 999)
        return;
    f->is_system = true;
    char um[96], umcr[96];
    snprintf(um, sizeof um, "ControlSet%03u\\Services\\MSExchangeUM",
             (unsigned)current);
    snprintf(umcr, sizeof umcr, "ControlSet%03u\\Services\\MSExchangeUMCR",
             (unsigned)current);
    uint32_t start_um, start_umcr;
    bool has_um = dword_at(h, um, "Start", &start_um);
    bool has_umcr = dword_at(h, umcr, "Start", &start_umcr);
    // Both services disabled (ExchangeMitigations.ps1 stops and disables
    // both); a server without them has no UM to mitigate.
    f->um_disabled = has_um && has_umcr && start_um == 4 && start_umcr == 4;
}

/* The string value name of key as UTF-8 in out ("" when absent, not a
 * string or too long for out). */
static void string_of(libregf_key_t *key, const char *name, char *out,
                      size_t cap)
{
    libregf_value_t *value = NULL;
    uint32_t type = 0;
    size_t size = 0;
    out[0] = '\0';
    if (libregf_key_get_value_by_utf8_name(key, (const uint8_t *)name,
                                           strlen(name), &value, NULL) != 1 ||
        !value) {
        if (value)
            libregf_value_free(&value, NULL);
        return;
    }
    // REG_SZ (1) and REG_EXPAND_SZ (2) only.
    if (libregf_value_get_value_type(value, &type, NULL) == 1 &&
        (type == 1 || type == 2) &&
        libregf_value_get_value_utf8_string_size(value, &size, NULL) == 1 &&
        size > 0 && size <= cap &&
        libregf_value_get_value_utf8_string(value, (uint8_t *)out, cap, NULL) !=
            1)
        out[0] = '\0';
    libregf_value_free(&value, NULL);
}

/* Calls cb with the service of one subkey of Services. */
static bool one_service(libregf_key_t *svc, const char *set, hive_service_cb cb,
                        void *user)
{
    hive_service s;
    size_t size = 0;
    memset(&s, 0, sizeof s);
    if (libregf_key_get_utf8_name_size(svc, &size, NULL) != 1 || size == 0 ||
        size > sizeof s.name ||
        libregf_key_get_utf8_name(svc, (uint8_t *)s.name, sizeof s.name,
                                  NULL) != 1)
        return true; // a name we cannot read: skipped
    snprintf(s.key, sizeof s.key, "%s\\Services\\%s", set, s.name);
    string_of(svc, "ImagePath", s.image_path, sizeof s.image_path);
    libregf_key_t *params = NULL;
    if (libregf_key_get_sub_key_by_utf8_name(svc, (const uint8_t *)"Parameters",
                                             10, &params, NULL) == 1 &&
        params)
        string_of(params, "ServiceDll", s.service_dll, sizeof s.service_dll);
    if (params)
        libregf_key_free(&params, NULL);
    if (!s.image_path[0] && !s.service_dll[0])
        return true;
    return cb(user, &s);
}

bool hive_services(const uint8_t *data, size_t len, hive_service_cb cb,
                   void *user)
{
    hive h;
    if (!data || !hive_open(&h, data, len))
        return false;
    uint32_t current;
    char set[32];
    libregf_key_t *services = NULL;
    int count = 0;
    if (dword_at(&h, "Select", "Current", &current) && current <= 999) {
        snprintf(set, sizeof set, "ControlSet%03u", (unsigned)current);
        char path[64];
        snprintf(path, sizeof path, "%s\\Services", set);
        services = key_at(&h, path);
    }
    if (services &&
        libregf_key_get_number_of_sub_keys(services, &count, NULL) == 1) {
        if (count > HIVE_MAX_SERVICES)
            count = HIVE_MAX_SERVICES;
        bool go = true;
        for (int i = 0; i < count && go; i++) {
            libregf_key_t *svc = NULL;
            if (libregf_key_get_sub_key(services, i, &svc, NULL) == 1 && svc)
                go = one_service(svc, set, cb, user);
            if (svc)
                libregf_key_free(&svc, NULL);
        }
    }
    if (services)
        libregf_key_free(&services, NULL);
    hive_close(&h);
    return true;
}

bool hive_read(const uint8_t *data, size_t len, hive_facts *out)
{
    hive h;
    memset(out, 0, sizeof *out);
    if (!data || !hive_open(&h, data, len))
        return false;
    software(&h, out);
    if (out->have_build)
        updates(&h, out);
    system_hive(&h, out);
    hive_close(&h);
    return true;
}
