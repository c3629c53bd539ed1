/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relit_check.h - the soundness check of relit_required(), shared by the
 * fuzz harness and the unit test: when a pattern matches a subject
 * (caseless or not), the subject holds one of the pattern's literals.
 */
#ifndef EXH_RELIT_CHECK_H
#define EXH_RELIT_CHECK_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct relit_found {
    const char *subject;
    size_t len;
    size_t literals;
    bool held;
} relit_found;

static bool relit_in_subject(void *user, const char *lit, size_t n)
{
    relit_found *f = user;
    f->literals++;
    for (size_t i = 0; !f->held && i + n <= f->len; i++) {
        size_t k = 0;
        while (k < n) {
            unsigned char c = (unsigned char)f->subject[i + k];
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (c != (unsigned char)lit[k])
                break;
            k++;
        }
        f->held = k == n;
    }
    return true;
}

/* 1 when the pattern matches the subject although the subject holds none
 * of its literals (a soundness bug), 0 when sound, -1 when the pattern does
 * not compile, gives no literals or does not match. */
static int relit_check(const char *re, size_t rlen, const char *subject,
                       size_t slen, bool caseless)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile(
        (PCRE2_SPTR)re, rlen, caseless ? PCRE2_CASELESS : 0, &err, &off, NULL);
    if (!code)
        return -1;
    relit_found f = {.subject = subject, .len = slen};
    int result = -1;
    if (relit_required(re, rlen, 3, relit_in_subject, &f) > 0) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        if (md && mc) {
            pcre2_set_match_limit(mc, 100000);
            pcre2_set_depth_limit(mc, 1000);
            int rc = pcre2_match(code, (PCRE2_SPTR)subject, slen, 0, 0, md, mc);
            if (rc >= 0)
                result = f.held ? 0 : 1;
        }
        pcre2_match_context_free(mc);
        pcre2_match_data_free(md);
    }
    pcre2_code_free(code);
    return result;
}

#endif
