/* SPDX-License-Identifier: Apache-2.0 */
/* test_rpscat.c - the account in a ProxyShell X-Rps-CAT token
 * (lib/match/rpscat.c). Tokens are built here field by field, as the
 * public proof-of-concept serializes them, then base64-encoded. */
#include "harness.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/* Appends tag, a length byte and s (len_delta added to the length byte). */
static size_t field(unsigned char *t, size_t n, char tag, const char *s,
                    int len_delta)
{
    size_t l = strlen(s);
    t[n++] = (unsigned char)tag;
    t[n++] = (unsigned char)((int)l + len_delta);
    memcpy(t + n, s, l);
    return n + l;
}

/* A token naming logon and sid; compressed and len_delta spoil it. */
static size_t token(unsigned char *t, const char *logon, const char *sid,
                    unsigned char compressed, int len_delta)
{
    size_t n = 0;
    t[n++] = 'V';
    t[n++] = 1;
    t[n++] = 0;
    n = field(t, n, 'T', "Windows", 0);
    t[n++] = 'C';
    t[n++] = compressed;
    n = field(t, n, 'A', "Kerberos", 0);
    n = field(t, n, 'L', logon, len_delta);
    n = field(t, n, 'U', sid, 0);
    static const unsigned char groups[] = {
        'G', 1,   0,   0,   0,   7,   0,   0,   0,   12,  'S',
        '-', '1', '-', '5', '-', '3', '2', '-', '5', '4', '4'};
    memcpy(t + n, groups, sizeof groups);
    n += sizeof groups;
    static const unsigned char ext[] = {'E', 0, 0, 0, 0};
    memcpy(t + n, ext, sizeof ext);
    return n + sizeof ext;
}

static char logon[257], sid[185];

static bool read_query(const char *q)
{
    return rpscat_account(q, strlen(q), logon, sizeof logon, sid, sizeof sid);
}

/* before, the first n bytes of token t in base64, then after. */
static const char *query(const char *before, const unsigned char *t, size_t n,
                         const char *after)
{
    static char q[2048];
    char enc[1024];
    encode(t, n, enc);
    snprintf(q, sizeof q, "%s%s%s", before, enc, after);
    return q;
}

int main(void)
{
    unsigned char t[512];
    const char *sid_text = "S-1-5-21-3623811015-3361044348-30300820-500";

    size_t n = token(t, "administrator@contoso.com", sid_text, 0, 0);
    CHECK(read_query(query("@evil.example/powershell/?X-Rps-CAT=", t, n,
                           "&Email=autodiscover/autodiscover.json%3F@evil."
                           "example")));
    CHECK_STR(logon, "administrator@contoso.com");
    CHECK_STR(sid, sid_text);

    // Lower case, first in the query, with percent-encoded '+', '/', '='.
    n = token(t, "CONTOSO\\svc-exch", "S-1-5-21-1-2-3-1104", 0, 0);
    const char *enc = query("", t, n, "");
    char esc[2048] = "x-rps-cat=";
    size_t e = strlen(esc);
    for (const char *p = enc; *p && e + 4 < sizeof esc; p++) {
        if (*p == '+' || *p == '/' || *p == '=')
            e += (size_t)snprintf(esc + e, 4, "%%%02X", (unsigned char)*p);
        else
            esc[e++] = *p;
    }
    esc[e] = '\0';
    CHECK(read_query(esc));
    CHECK_STR(logon, "CONTOSO\\svc-exch");
    CHECK_STR(sid, "S-1-5-21-1-2-3-1104");

    // A logon length three bytes too long (one of our own fixtures had
    // that): the next byte is no tag, so nobody is named.
    n = token(t, "administrator@contoso.com", sid_text, 0, 3);
    CHECK(!read_query(query("/powershell/?X-Rps-CAT=", t, n, "")));
    CHECK_STR(logon, "");
    CHECK_STR(sid, "");

    // Compressed, cut short, a wrong first byte, another parameter's
    // name ending in x-rps-cat=, no token at all.
    n = token(t, "a@b.example", sid_text, 1, 0);
    CHECK(!read_query(query("X-Rps-CAT=", t, n, "")));
    n = token(t, "a@b.example", sid_text, 0, 0);
    CHECK(!read_query(query("X-Rps-CAT=", t, 30, "")));
    CHECK(!read_query(query("?foo-x-rps-cat=", t, n, "")));
    t[0] = 'W';
    CHECK(!read_query(query("X-Rps-CAT=", t, n, "")));
    CHECK(!read_query("/powershell/?X-Rps-CAT="));
    CHECK(!read_query("X-Rps-CAT=!!!!"));
    CHECK(!read_query(""));

    // Control characters in the name: not read; the SID still is.
    n = token(t, "evil\x1b[2Jname", sid_text, 0, 0);
    CHECK(read_query(query("X-Rps-CAT=", t, n, "")));
    CHECK_STR(logon, "");
    CHECK_STR(sid, sid_text);

    // A name longer than the caller's buffer: not cut, left out.
    char small[8];
    n = token(t, "administrator@contoso.com", sid_text, 0, 0);
    const char *q = query("X-Rps-CAT=", t, n, "");
    CHECK(!rpscat_account(q, strlen(q), small, sizeof small, NULL, 0));
    CHECK_STR(small, "");
    TEST_MAIN_END();
}
