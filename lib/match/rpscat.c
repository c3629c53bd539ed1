/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpscat.c - the account inside a ProxyShell request's X-Rps-CAT token.
 *
 * ProxyShell (CVE-2021-34473/34523) reaches the back end's remote
 * PowerShell with a query parameter X-Rps-CAT that carries a serialized
 * CommonAccessToken naming the identity to run as; the exploit builds it
 * from the target mailbox and its SID. The serialization, as the public
 * proof-of-concept writes it (dmaasland/proxyshell-poc, proxyshell.py,
 * gen_token(), after y4y.space's write-up of 2021-08-12), is base64 of
 * tagged fields:
 *
 *   'V' major minor          version, two bytes
 *   'T' n type[n]            "Windows"
 *   'C' flag                 compressed, one byte
 *   'A' n auth[n]            "Kerberos", "Basic"
 *   'L' n logon[n]           the logon name (a UPN or DOMAIN\user)
 *   'U' n sid[n]             the user's SID as text
 *   'G' count:u32le then count times attributes:u32le n sid[n]
 *   'E' count:u32be ...      extensions; the end of what we read
 *
 * rpscat_account() reads that from untrusted log text: every length is
 * checked against what is left, the fields before the groups must each be
 * followed by a known tag (a token whose lengths are off is not read), the
 * token is at most RPSCAT_MAX bytes of base64, and only printable ASCII
 * comes out. A compressed token is not read.
 */
#include "internal.h"

#include <string.h>

#define RPSCAT_MAX 4096 /* base64 bytes of a token we decode */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-' || c == ' ') // ' ': a '+' read as a space
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes base64 text (percent escapes decoded first, '=' padding and
 * anything after it ignored) into out; returns the bytes written. */
static size_t b64_decode(const char *in, size_t len, unsigned char *out)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%' && i + 2 < len &&
            hex_value((unsigned char)in[i + 1]) >= 0 &&
            hex_value((unsigned char)in[i + 2]) >= 0) {
            c = (unsigned char)(hex_value((unsigned char)in[i + 1]) * 16 +
                                hex_value((unsigned char)in[i + 2]));
            i += 2;
        }
        if (c == '=')
            break;
        int v = b64_value(c);
        if (v < 0)
            break;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return n;
}

/* Copies a field of n bytes when it is printable ASCII and fits. */
static bool take(const unsigned char *p, size_t n, char *out, size_t cap)
{
    if (!n || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

bool rpscat_account(const char *query, size_t len, char *logon,
                    size_t logon_cap, char *sid, size_t sid_cap)
{
    static const char param[] = "x-rps-cat=";
    const size_t plen = sizeof param - 1;
    if (logon_cap)
        logon[0] = '\0';
    if (sid_cap)
        sid[0] = '\0';
    const char *v = NULL;
    for (size_t i = 0; !v && i + plen <= len; i++) {
        if ((i == 0 || query[i - 1] == '?' || query[i - 1] == '&') &&
            strncasecmp(query + i, param, plen) == 0)
            v = query + i + plen;
    }
    if (!v)
        return false;
    size_t vlen = 0;
    while (v + vlen < query + len && vlen < RPSCAT_MAX && v[vlen] != '&' &&
           v[vlen] != ';')
        vlen++;
    unsigned char tok[RPSCAT_MAX];
    size_t n = b64_decode(v, vlen, tok), p = 3;
    if (n < 3 || tok[0] != 'V')
        return false;
    // The fields up to the groups must all stand whole, each followed by
    // a known tag: a token whose lengths are off names nobody.
    size_t lp = 0, ln = 0, up = 0, un = 0;
    for (;;) {
        if (p >= n)
            return false;
        unsigned char tag = tok[p++];
        if (tag == 'G' || tag == 'E')
            break;
        if (tag == 'C') {
            if (p >= n || tok[p] != 0)
                return false; // compressed: not read
            p++;
        } else if (tag == 'T' || tag == 'A' || tag == 'L' || tag == 'U') {
            if (p >= n || tok[p] > n - p - 1)
                return false;
            size_t fl = tok[p++];
            if (tag == 'L') {
                lp = p;
                ln = fl;
            } else if (tag == 'U') {
                up = p;
                un = fl;
            }
            p += fl;
        } else {
            return false;
        }
    }
    bool got = false;
    if (ln && logon_cap)
        got |= take(tok + lp, ln, logon, logon_cap);
    if (un && sid_cap)
        got |= take(tok + up, un, sid, sid_cap);
    return got;
}
