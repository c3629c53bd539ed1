/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonl_fuzz.c - feeds bytes to exh_jsonl_replay() (the reader of
 * `exhunt report`) and, for every finding and summary it hands back, writes
 * them again as JSON lines (which walks every pointer and count the replay
 * set up); the output must end each line with a newline.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static exh_cb_result on_finding(const exh_finding *f, void *user)
{
    if (exh_finding_write_json(f, user) != EXH_OK)
        abort();
    return EXH_CONTINUE;
}

static exh_cb_result on_summary(const exh_summary *s, void *user)
{
    if (exh_summary_write_json(s, user) != EXH_OK)
        abort();
    return EXH_CONTINUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)data, size, "r");
    char *out_text = NULL;
    size_t out_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    if (!in || !out)
        abort();
    char why[256];
    exh_replay_result res;
    exh_status st = exh_jsonl_replay(in, on_finding, on_summary, out, &res, why,
                                     sizeof why);
    fclose(in);
    fclose(out);
    if (st != EXH_OK && st != EXH_ERR_INVALID_ARG &&
        st != EXH_ERR_UNSUPPORTED && st != EXH_ERR_LIMIT && st != EXH_ERR_NOMEM)
        abort();
    if (st != EXH_OK && !why[0])
        abort(); // every failure says why
    if (out_len && out_text[out_len - 1] != '\n')
        abort();
    free(out_text);
    return 0;
}
