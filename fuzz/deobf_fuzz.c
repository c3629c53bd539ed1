/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deobf_fuzz.c - the canonical text of server pages: whatever the page
 * holds (UTF-8 or UTF-16 with a BOM), the output fits in the input's
 * length and every read stays inside it (ASan checks the latter).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = malloc(size ? size : 1);
    if (!out)
        return 0;
    size_t n = deobf_page(data, size, out);
    if (n > size)
        abort();
    free(out);
    return 0;
}
