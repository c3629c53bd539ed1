/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usn_fuzz.c - feeds bytes to the USN journal reader (readers/usn.c) as a
 * $UsnJrnl:$J stream, in reads of odd sizes, once as they are and once
 * behind 4 KiB of zeros (the sparse start every real $J has). Aborts when
 * a record breaks the reader's promises: version 2 or 3, a UTF-8 name of
 * exactly name_len bytes with no NUL inside.
 */
#include "internal.h"
#include "mem_stream.h"
#include "readers/ntfsmeta.h"

#include <stdlib.h>
#include <string.h>

static bool check(void *user, const usn_record *r)
{
    (void)user;
    if ((r->major != 2 && r->major != 3) || !r->name ||
        strlen(r->name) != r->name_len)
        abort();
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t pad = 0; pad <= 4096; pad += 4096) {
        mem_stream m;
        mem_stream_init(&m, data, size, 3001, pad);
        usn_stats st;
        if (usn_read(&m.s, check, NULL, &st) == EXH_OK && st.zero_bytes < pad)
            abort();
    }
    return 0;
}
