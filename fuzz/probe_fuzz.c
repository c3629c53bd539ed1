/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe_fuzz.c - what a server answers a probe: the bytes as a raw header
 * block (X-OWA-Version, X-CalculatedBETarget) and as a body (the logon
 * page's OWA paths, the ECP export tool manifest). A version found is
 * always a NUL-terminated build number a lookup accepts.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *version)
{
    exh_build *b = NULL;
    exh_status st = exh_build_lookup(version, &b);
    if (st != EXH_OK && st != EXH_ERR_UNSUPPORTED)
        abort(); // a parsed version must be well-formed
    exh_build_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char v[32];
    size_t len;
    const char *h = probe_header(text, size, "X-OWA-Version", &len);
    if (h && (h < text || h + len > text + size))
        abort();
    if (h && probe_parse_version_header(h, len, v, sizeof v))
        check(v);
    (void)probe_header(text, size, "X-CalculatedBETarget", &len);
    if (probe_parse_exporttool(text, size, v, sizeof v))
        check(v);
    if (probe_parse_owa_path(text, size, v, sizeof v))
        check(v);
    return 0;
}
