/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relit_fuzz.c - libFuzzer harness for relit_required(): input is
 * FLAG PATTERN '\n' SUBJECT (FLAG '1' makes the pattern caseless). Aborts
 * when the pattern matches a subject that holds none of the literals the
 * pre-filter would search for.
 */
#include "relit_check.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096)
        return 0;
    bool caseless = data[0] == '1';
    const char *re = (const char *)data + 1;
    const char *nl = memchr(re, '\n', size - 1);
    size_t rlen = nl ? (size_t)(nl - re) : size - 1;
    const char *subject = nl ? nl + 1 : "";
    size_t slen = nl ? size - 1 - rlen - 1 : 0;
    if (relit_check(re, rlen, subject, slen, caseless) == 1) {
        fprintf(stderr, "relit: a match without any literal: %.*s\n", (int)rlen,
                re);
        abort();
    }
    return 0;
}
