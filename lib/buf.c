/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.c - a bounded growable byte buffer (curl's dynbuf).
 *
 * Every buffer that may hold attacker-controlled input has a maximum size:
 * appends past it keep what fits and set toobig, so one 100 MB log line can
 * never grow memory without end. data is always NUL-terminated.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init(buf *b, size_t max_bytes)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_bytes = max_bytes;
    b->toobig = false;
}

void buf_free(buf *b)
{
    exh_free(b->data);
    buf_init(b, b->max_bytes);
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->toobig = false;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL. */
static exh_status grow(buf *b, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(b->len, extra, &need) ||
        __builtin_add_overflow(need, 1, &need))
        return EXH_ERR_LIMIT;
    if (need <= b->cap)
        return EXH_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (__builtin_mul_overflow(cap, 2, &cap))
            return EXH_ERR_LIMIT;
    }
    char *p = exh_realloc(b->data, cap);
    if (!p)
        return EXH_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return EXH_OK;
}

exh_status buf_append(buf *b, const void *p, size_t len)
{
    exh_status st = EXH_OK;
    size_t room = b->max_bytes > b->len ? b->max_bytes - b->len : 0;
    if (len > room) {
        len = room;
        b->toobig = true;
        st = EXH_ERR_LIMIT;
    }
    exh_status gst = grow(b, len);
    if (gst != EXH_OK)
        return gst;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return st;
}

exh_status buf_putc(buf *b, char c)
{
    return buf_append(b, &c, 1);
}

exh_status buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

exh_status buf_printf(buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return EXH_ERR_INVALID_ARG;
    if ((size_t)n < sizeof small)
        return buf_append(b, small, (size_t)n);
    char *big = exh_malloc((size_t)n + 1);
    if (!big)
        return EXH_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    exh_status st = buf_append(b, big, (size_t)n);
    exh_free(big);
    return st;
}
