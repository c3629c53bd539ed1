/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_fuzz.c - feeds bytes to json_string() and exh_escape_text() and aborts
 * unless both outputs are well-formed UTF-8, checked by a decoder written
 * independently of json.c's (RFC 3629: no overlong, surrogate or > U+10FFFF).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static bool utf8_ok(const unsigned char *p, size_t len)
{
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < len; i++) {
        size_t n = p[i] < 0x80 ? 0 : p[i] >= 0xF0 ? 3 : p[i] >= 0xE0 ? 2 : 1;
        uint32_t cp = p[i] & (0x7Fu >> (n ? n + 1 : 0));
        if ((p[i] & 0xC0) == 0x80 || p[i] > 0xF4 || n >= len - i)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3Fu);
        }
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf b;
    char out[512];
    buf_init(&b, 1u << 24);
    if (json_string(&b, (const char *)data, size) == EXH_OK &&
        !utf8_ok((const unsigned char *)b.data, b.len))
        abort();
    buf_free(&b);
    size_t n = exh_escape_text((const char *)data, size, out, sizeof(out));
    if (!utf8_ok((const unsigned char *)out, strlen(out)) ||
        (n < sizeof(out) && strlen(out) != n))
        abort();
    return 0;
}
