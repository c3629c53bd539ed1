/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_fuzz.c - build numbers from evidence: the bytes as a PE file whose
 * version resource the pe module reads (yara_pe_version), and as a build
 * string (exh_build_lookup, OWA folder names), and as IIS configuration
 * (the mitigations of build_sniff_config), as the head of an Exchange
 * log (build_sniff_log_header), as an ECP row (build_parse_ecp_bld), and
 * as a registry hive
 * (libregf through hive_read and hive_services, each service judged by
 * persist_service). A version read from a file
 * is bounded and NUL-terminated; a lookup that succeeds lists every covered
 * CVE at most once, open or fixed.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Every service read is NUL-terminated within its fields. */
static bool on_hit(void *user, const persist_hit *h)
{
    (void)user;
    return h->rule != NULL && h->count == 3;
}

static bool on_service(void *user, const hive_service *s)
{
    (void)user;
    if (!memchr(s->name, '\0', sizeof s->name) ||
        !memchr(s->image_path, '\0', sizeof s->image_path) ||
        !memchr(s->service_dll, '\0', sizeof s->service_dll))
        abort();
    persist_service(s->name, s->image_path, s->service_dll, on_hit, NULL);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char version[32], product[32];
    if (yara_pe_version(data, size, version, sizeof version, product,
                        sizeof product) == EXH_OK &&
        (memchr(version, '\0', sizeof version) == NULL ||
         memchr(product, '\0', sizeof product) == NULL))
        abort();

    hive_facts facts;
    if (hive_read(data, size, &facts) && facts.have_build &&
        facts.build[0] == 0 && facts.build[1] == 0 && facts.build[2] == 0 &&
        facts.build[3] == 0 && !facts.have_build)
        abort(); // unreachable: exercises the hive reader under sanitizers
    (void)hive_services(data, size, on_service, NULL);

    char text[96];
    size_t len = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, len);
    text[len] = '\0';
    exh_build *b = NULL;
    if (exh_build_lookup(text, &b) == EXH_OK) {
        const exh_build_info *i = exh_build_get(b);
        if (!i->product || i->open_count + i->fixed_count > 32)
            abort();
        for (size_t k = 0; k < i->open_count; k++)
            for (size_t f = 0; f < i->fixed_count; f++)
                if (strcmp(i->open_cve[k], i->fixed_cve[f]) == 0)
                    abort();
    }
    exh_build_free(b);
    uint16_t v[4];
    (void)build_sniff_owa_path(text, v);
    // A log header's build is one of a covered product, never a format
    // version (a build part of 0).
    if (build_sniff_log_header((const char *)data, size, v, NULL) &&
        ((v[0] != 14 && v[0] != 15) || v[1] > 3 || v[2] == 0))
        abort();
    // An ECP row's build likewise; bounded by size (no NUL needed).
    if (build_parse_ecp_bld((const char *)data, size, v) &&
        ((v[0] != 14 && v[0] != 15) || v[1] > 3 || v[2] == 0))
        abort();
    (void)build_sniff_config("web.config", data, size);
    (void)build_sniff_config("applicationHost.config", data, size);
    return 0;
}
