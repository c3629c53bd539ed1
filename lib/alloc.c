/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc.c - the allocator every lib/ file goes through.
 *
 * One place to hook allocation lets a test fail the Nth allocation and check
 * that every path returns EXH_ERR_NOMEM without leaking (sqlite's OOM loop).
 * The library never aborts on allocation failure.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong fail_countdown;

void alloc_fail_after(unsigned long n)
{
    atomic_store(&fail_countdown, n);
}

/* True when the armed countdown says this allocation must fail. */
static bool should_fail(void)
{
    unsigned long n = atomic_load(&fail_countdown);
    while (n != 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
            return n == 1;
    }
    return false;
}

void *exh_malloc(size_t len)
{
    if (should_fail())
        return NULL;
    return malloc(len ? len : 1);
}

void *exh_calloc(size_t count, size_t len)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, len ? len : 1);
}

void *exh_realloc(void *p, size_t len)
{
    if (should_fail())
        return NULL;
    return realloc(p, len ? len : 1);
}

void exh_free(void *p)
{
    free(p);
}

char *exh_strndup(const char *s, size_t len)
{
    char *copy = exh_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *exh_strdup(const char *s)
{
    return s ? exh_strndup(s, strlen(s)) : NULL;
}
