/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deobf.c - a canonical form of a server page's text for a second YARA
 * pass: web shells hide the words rules look for behind syntax the page's
 * compiler undoes (comments inside calls, split or escaped words), so exhunt
 * undoes it too.
 *
 * In order: UTF-16LE is narrowed to ASCII (others as '?'); \uXXXX and
 * \xXX escapes of printable ASCII are decoded; block comments are removed;
 * C# character arrays (new string(new char[]{'c','m','d'})) and reversed
 * literals ("dmc".split("").reverse().join(""), StrReverse("dmc"), new
 * string("dmc".Reverse().ToArray())) become the literal they build; adjacent
 * literals joined by + or & are merged. Each step only shortens the text, so
 * the output never exceeds the input; every read is bounded by the input's
 * length.
 */
#include "internal.h"

#include <string.h>

/* Decodes \uXXXX and \xXX of printable ASCII, in place; returns length. */
static size_t unescape(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\\' && i + 1 < len &&
            (s[i + 1] == 'u' || s[i + 1] == 'x')) {
            size_t n = s[i + 1] == 'u' ? 4 : 2;
            int v = 0;
            bool ok = i + 2 + n <= len;
            for (size_t k = 0; ok && k < n; k++) {
                int h = util_hexval((unsigned char)s[i + 2 + k]);
                ok = h >= 0;
                v = v * 16 + h;
            }
            if (ok && v >= 0x20 && v < 0x7f && v != '"' && v != '\'' &&
                v != '\\') {
                s[o++] = (char)v;
                i += 2 + n;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

/* Removes block comments in place; an unclosed one is kept. */
static size_t uncomment(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
            const char *end = util_memcasemem(s + i + 2, len - i - 2, "*/", 2);
            if (end) {
                i = (size_t)(end - s) + 2;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* Matches word at s[i] (ignoring case, spaces allowed between the words
 * of a multi-word pattern where it has one space); returns the position
 * after it, or 0. */
static size_t eat(const char *s, size_t len, size_t i, const char *word)
{
    for (; *word; word++) {
        if (*word == ' ') {
            i = skip_ws(s, len, i);
            continue;
        }
        if (i >= len || (s[i] | 0x20) != (*word | 0x20))
            return 0;
        i++;
    }
    return i;
}

/* new string(new char[]{'c','m','d'}) or new char[]{'c','m','d'} at i:
 * writes "cmd" at s[*o] and returns the position after it, else 0. */
static size_t char_array(char *s, size_t len, size_t i, size_t *o)
{
    size_t p = eat(s, len, i, "new string ( ");
    bool wrapped = p != 0;
    p = eat(s, len, wrapped ? p : i, "new char [ ] {");
    if (!p)
        return 0;
    char lit[256];
    size_t n = 0;
    for (;;) {
        p = skip_ws(s, len, p);
        if (p + 2 < len && s[p] == '\'' && s[p + 1] != '\\' &&
            s[p + 2] == '\'' && n < sizeof lit) {
            lit[n++] = s[p + 1];
            p += 3;
        } else if (p + 3 < len && s[p] == '\'' && s[p + 1] == '\\' &&
                   s[p + 3] == '\'' && n < sizeof lit) {
            lit[n++] = s[p + 2]; // '\'' and alike
            p += 4;
        } else if (p < len && s[p] == '}') {
            p++;
            break;
        } else {
            return 0;
        }
        p = skip_ws(s, len, p);
        if (p < len && s[p] == ',')
            p++;
    }
    if (wrapped) {
        p = skip_ws(s, len, p);
        if (p >= len || s[p] != ')')
            return 0;
        p++;
    }
    // The literal is no longer than the text it replaces.
    s[(*o)++] = '"';
    memmove(s + *o, lit, n);
    *o += n;
    s[(*o)++] = '"';
    return p;
}

/* A reversed literal at i, written reversed at s[*o] as above: JScript's
 * "dmc".split("").reverse().join(""), C#'s new string("dmc".Reverse()
 * .ToArray()), VBScript's StrReverse("dmc"). */
static size_t reversal(char *s, size_t len, size_t i, size_t *o)
{
    size_t start = i, p;
    bool wrapped = false, vb = false;
    if ((p = eat(s, len, i, "new string ( ")) != 0) {
        wrapped = true;
        i = p;
    } else if ((p = eat(s, len, i, "StrReverse ( ")) != 0) {
        vb = true;
        i = p;
    }
    if (i >= len || s[i] != '"')
        return 0;
    const char *q = memchr(s + i + 1, '"', len - i - 1);
    if (!q)
        return 0;
    size_t n = (size_t)(q - (s + i + 1));
    p = (size_t)(q - s) + 1;
    if (vb)
        p = eat(s, len, p, " )");
    else if (wrapped)
        p = eat(s, len, p, " . Reverse ( ) . ToArray ( ) )");
    else
        p = eat(s, len, p, " . split ( \"\" ) . reverse ( ) . join ( \"\" )");
    (void)start;
    if (!p || n > 256)
        return 0;
    char lit[256];
    for (size_t k = 0; k < n; k++)
        lit[k] = s[i + n - k];
    s[(*o)++] = '"';
    memmove(s + *o, lit, n);
    *o += n;
    s[(*o)++] = '"';
    return p;
}

/* Rewrites character arrays and reversals in place; returns length. */
static size_t literals(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t p = 0;
        if (s[i] == 'n' || s[i] == 'N')
            p = char_array(s, len, i, &o);
        if (!p && (s[i] == '"' || s[i] == 'n' || s[i] == 'N' || s[i] == 's' ||
                   s[i] == 'S'))
            p = reversal(s, len, i, &o);
        if (p) {
            i = p;
            continue;
        }
        s[o++] = s[i++];
    }
    return o;
}

/* Merges "a" + "b" (and "a" & "b") into "ab", in place; returns length. */
static size_t concat(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '"' || s[i] == '\'') {
            size_t p = skip_ws(s, len, i + 1);
            if (p < len && (s[p] == '+' || s[p] == '&')) {
                p = skip_ws(s, len, p + 1);
                if (p < len && s[p] == s[i] && o > 0) {
                    i = p + 1;
                    continue;
                }
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

/* True when the '(' at s[i] groups rather than calls: the text before it
 * (already written to s[0..o)) does not end with a name or a bracket. */
static bool grouping(const char *s, size_t o)
{
    while (o && (s[o - 1] == ' ' || s[o - 1] == '\t' || s[o - 1] == '\r' ||
                 s[o - 1] == '\n'))
        o--;
    if (!o)
        return true;
    char c = s[o - 1];
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || c == ')' || c == ']');
}

/* Drops grouping parentheses around one literal, ("ab") -> "ab", in
 * place; returns length. */
static size_t parens(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '(' && grouping(s, o)) {
            size_t p = skip_ws(s, len, i + 1);
            const char *q = p < len && s[p] == '"'
                                ? memchr(s + p + 1, '"', len - p - 1)
                                : NULL;
            size_t e = q ? skip_ws(s, len, (size_t)(q - s) + 1) : len;
            if (q && e < len && s[e] == ')') {
                size_t n = (size_t)(q - (s + p)) + 1;
                memmove(s + o, s + p, n);
                o += n;
                i = e + 1;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

size_t deobf_page(const unsigned char *in, size_t len, char *out)
{
    size_t n;
    if (len >= 2 && in[0] == 0xff && in[1] == 0xfe) {
        n = 0;
        for (size_t i = 2; i + 1 < len; i += 2) {
            unsigned c = in[i] | (unsigned)in[i + 1] << 8;
            out[n++] = c < 0x80 ? (char)c : '?';
        }
    } else {
        memcpy(out, in, len);
        n = len;
    }
    n = unescape(out, n);
    n = uncomment(out, n);
    n = parens(out, concat(out, n));
    // Twice: a literal built inside another construct (a char array
    // reversed) becomes one in the first pass, its wrapper in the second.
    for (int pass = 0; pass < 2; pass++) {
        n = literals(out, n);
        n = parens(out, concat(out, n));
    }
    return n;
}
