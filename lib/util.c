/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c - small shared helpers: ASCII case folding for Windows paths and
 * Sigma matching, and ISO 8601 times (parse and format, UTC, milliseconds).
 *
 * Times are int64 milliseconds since the Unix epoch; INT64_MIN means
 * "unknown". The parser is strict about digits and ranges, because log
 * times are attacker-controlled text.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

size_t util_split_commas(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *c = s; *c && n < max;) {
        char *comma = strchr(c, ',');
        char *next = comma ? comma + 1 : c + strlen(c);
        if (comma)
            *comma = '\0';
        while (*c == ' ')
            c++;
        char *e = c + strlen(c);
        while (e > c && e[-1] == ' ')
            *--e = '\0';
        if (*c)
            out[n++] = c;
        c = next;
    }
    return n;
}

uint64_t util_hash(const void *p, size_t len)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

int util_strcasecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    while (*x && fold(*x) == fold(*y)) {
        x++;
        y++;
    }
    return (int)fold(*x) - (int)fold(*y);
}

bool util_ieq(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i++) {
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return false;
    }
    return true;
}

const char *util_memcasemem(const char *hay, size_t hay_len, const char *needle,
                            size_t needle_len)
{
    if (needle_len == 0)
        return hay;
    if (needle_len > hay_len)
        return NULL;
    unsigned char first = fold((unsigned char)needle[0]);
    unsigned char upper = (first >= 'a' && first <= 'z') ? first - 32 : first;
    const char *end = hay + hay_len - needle_len + 1;
    const char *p = hay;
    while (p < end) {
        const char *a = memchr(p, first, (size_t)(end - p));
        const char *b =
            upper != first ? memchr(p, upper, (size_t)(end - p)) : NULL;
        const char *hit = !a ? b : (!b ? a : (a < b ? a : b));
        if (!hit)
            return NULL;
        if (util_ieq(hit, needle_len, needle, needle_len))
            return hit;
        p = hit + 1;
    }
    return NULL;
}

/* Reads exactly n digits at *s into *out; false when any is not a digit. */
static bool digits(const char **s, const char *end, int n, int *out)
{
    int v = 0;
    if (end - *s < n)
        return false;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *s += n;
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

int util_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 32;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t util_url_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n &&
            (hi = util_hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = util_hexval((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* Whether n bytes at s are digits; *v gets their value. */
static bool all_digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* The span of "YYYYMMDD[HH]" (n 8 or 10) or, with two_digit_year,
 * "YYMMDD[HH]" (n 6 or 8): a day or an hour. */
static bool stamp_span(const char *s, size_t n, bool two_digit_year,
                       int64_t *from_ms, int64_t *to_ms)
{
    size_t yl = two_digit_year ? 2 : 4;
    int y, mo, d, h = 0;
    bool hour = n == yl + 6;
    if ((n != yl + 4 && !hour) || !all_digits(s, yl, &y) ||
        !all_digits(s + yl, 2, &mo) || !all_digits(s + yl + 2, 2, &d) ||
        (hour && !all_digits(s + yl + 4, 2, &h)))
        return false;
    if (two_digit_year)
        y += 2000;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23)
        return false;
    *from_ms = days_from_civil(y, mo, d) * 86400000 + (int64_t)h * 3600000;
    *to_ms = *from_ms + (hour ? 3600000 : 86400000);
    return true;
}

bool util_log_name_span(const char *name, int64_t *from_ms, int64_t *to_ms)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t len = strlen(base);
    if (len < 5 || !util_ieq(base + len - 4, 4, ".log", 4))
        return false;
    len -= 4;
    // IIS: [u_]ex, in or nc, then YYMMDD or YYMMDDHH, maybe "_x" (custom).
    const char *p = base;
    if ((p[0] | 32) == 'u' && p[1] == '_')
        p += 2;
    if (util_ieq(p, 2, "ex", 2) || util_ieq(p, 2, "in", 2) ||
        util_ieq(p, 2, "nc", 2)) {
        const char *digits = p + 2, *end = base + len;
        if (end - digits > 2 && util_ieq(end - 2, 2, "_x", 2))
            end -= 2;
        if (stamp_span(digits, (size_t)(end - digits), true, from_ms, to_ms))
            return true;
    }
    // Exchange: the digits before "-N" at the end.
    size_t i = len;
    while (i > 0 && base[i - 1] >= '0' && base[i - 1] <= '9')
        i--;
    if (i == len || i == 0 || base[i - 1] != '-')
        return false;
    size_t stamp_end = i - 1, k = stamp_end;
    while (k > 0 && base[k - 1] >= '0' && base[k - 1] <= '9')
        k--;
    return stamp_span(base + k, stamp_end - k, false, from_ms, to_ms);
}

/* Parses "[T ]HH:MM[:SS[.fff]]" after the date; *ms gets the offset. */
static bool parse_clock(const char **s, const char *end, int64_t *ms)
{
    int hh, mi, ss = 0;
    if (!digits(s, end, 2, &hh) || *s >= end || **s != ':')
        return false;
    (*s)++;
    if (!digits(s, end, 2, &mi))
        return false;
    int64_t frac = 0;
    if (*s < end && **s == ':') {
        (*s)++;
        if (!digits(s, end, 2, &ss))
            return false;
        if (*s < end && (**s == '.' || **s == ',')) {
            (*s)++;
            int scale = 100, n = 0;
            while (*s < end && **s >= '0' && **s <= '9') {
                frac += (**s - '0') * scale;
                scale /= 10;
                (*s)++;
                n++;
            }
            if (n == 0)
                return false;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return false;
    *ms = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
    return true;
}

/* Parses an optional zone: "Z", "+hh:mm", "+hhmm", "+hh"; *ms = offset. */
static bool parse_zone(const char **s, const char *end, int64_t *ms)
{
    *ms = 0;
    if (*s >= end)
        return true;
    if (**s == 'Z' || **s == 'z') {
        (*s)++;
        return true;
    }
    if (**s != '+' && **s != '-')
        return false;
    int sign = **s == '-' ? -1 : 1, oh, om = 0;
    (*s)++;
    if (!digits(s, end, 2, &oh))
        return false;
    if (*s < end && **s == ':')
        (*s)++;
    if (*s < end && !digits(s, end, 2, &om))
        return false;
    if (oh > 23 || om > 59)
        return false;
    *ms = sign * ((int64_t)oh * 60 + om) * 60000;
    return true;
}

/* Two digits at s as a number, or -1. */
static int two(const char *s)
{
    unsigned a = (unsigned char)s[0] - '0', b = (unsigned char)s[1] - '0';
    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

/* The exact shape every Exchange log writes, "2021-03-02T04:12:33.120Z",
 * parsed without the general path; false when s has another shape. */
static bool time_fast(const char *s, size_t len, int64_t *out_ms)
{
    if (len != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
        return false;
    int c = two(s), y = two(s + 2), mo = two(s + 5), d = two(s + 8);
    int hh = two(s + 11), mi = two(s + 14), ss = two(s + 17);
    int f1 = two(s + 20), f2 = (unsigned char)s[22] - '0';
    if ((c | y | mo | d | hh | mi | ss | f1) < 0 || f2 < 0 || f2 > 9)
        return false;
    int year = c * 100 + y;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(year, mo) || hh > 23 ||
        mi > 59 || ss > 60)
        return false;
    *out_ms = days_from_civil(year, mo, d) * 86400000 +
              ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + f1 * 10 + f2;
    return true;
}

size_t util_utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The shape the EVTX reader writes, "2021-03-02T04:12:33.1234567Z":
 * time_fast() on its first 23 bytes and the Z, the last four fraction
 * digits checked and dropped (the general path truncates them too). */
static bool time_fast_ticks(const char *s, size_t len, int64_t *out_ms)
{
    if (len != 28 || s[27] != 'Z')
        return false;
    for (size_t i = 23; i < 27; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    char t[24];
    memcpy(t, s, 23);
    t[23] = 'Z';
    return time_fast(t, sizeof t, out_ms);
}

bool util_time_parse(const char *s, size_t len, int64_t *out_ms)
{
    if (time_fast(s, len, out_ms) || time_fast_ticks(s, len, out_ms))
        return true;
    const char *end = s + len;
    int y, mo, d;
    if (!digits(&s, end, 4, &y) || s >= end || *s != '-')
        return false;
    s++;
    if (!digits(&s, end, 2, &mo) || s >= end || *s != '-')
        return false;
    s++;
    if (!digits(&s, end, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return false;
    int64_t clock = 0, zone = 0;
    if (s < end && (*s == 'T' || *s == 't' || *s == ' ')) {
        s++;
        if (!parse_clock(&s, end, &clock))
            return false;
        if (!parse_zone(&s, end, &zone))
            return false;
    }
    if (s != end)
        return false;
    *out_ms = days_from_civil(y, mo, d) * 86400000 + clock - zone;
    return true;
}

/* The seconds (and milliseconds) after the minute of a cacheable time of
 * len 19 or 24 bytes, or -1. Seconds stop at 59 here: a leap second takes
 * the general path, which decides on its own. */
static int64_t cached_tail(const char *s, size_t len)
{
    int ss = two(s + 17);
    if (ss < 0 || ss > 59)
        return -1;
    if (len == 19)
        return (int64_t)ss * 1000;
    int f1 = two(s + 20), f2 = (unsigned char)s[22] - '0';
    if (s[19] != '.' || s[23] != 'Z' || f1 < 0 || f2 < 0 || f2 > 9)
        return -1;
    return (int64_t)ss * 1000 + f1 * 10 + f2;
}

bool util_time_parse_cached(util_time_cache *c, const char *s, size_t len,
                            int64_t *out_ms)
{
    bool shape = (len == 19 || len == 24) && s[4] == '-' && s[7] == '-' &&
                 (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[16] == ':';
    if (shape && c->valid && memcmp(s, c->key, sizeof c->key) == 0) {
        int64_t tail = cached_tail(s, len);
        if (tail >= 0) {
            *out_ms = c->base + tail;
            return true;
        }
    }
    if (!util_time_parse(s, len, out_ms))
        return false;
    int64_t tail = shape ? cached_tail(s, len) : -1;
    c->valid = tail >= 0;
    if (c->valid) {
        memcpy(c->key, s, sizeof c->key);
        c->base = *out_ms - tail;
    }
    return true;
}

void util_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    // civil_from_days (Howard Hinnant), the inverse of days_from_civil
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (m <= 2);
    *month = (int)m;
    *day = (int)d;
}

void util_time_format(int64_t ms, char out[32])
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t y;
    int m, d;
    util_civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60),
             (int)(rem / 1000 % 60), (int)(rem % 1000));
}
