/* SPDX-License-Identifier: Apache-2.0 */
/*
 * classify.c - decides which reader an entry goes to, from its location
 * and its first bytes.
 *
 * A log announces its family in its "#Log-type:" directive, which wins over
 * everything else. Without one, the folder Exchange writes the family to
 * (Logging/HttpProxy/..., Logging/ECP/Server, ...) or the file name decides,
 * and last a bare CSV header line. Paths compare case-insensitively, since
 * they come from Windows. A log compressed by gzip, bzip2 or xz
 * ("u_ex210302.log.gz") is a candidate like the log; the scanner reads the
 * data it holds, classified by the name without the suffix.
 */
#include "classify.h"

#include <string.h>

/* True when the '/'-separated path has the component sequence seq (e.g.
 * "logging/httpproxy/") anywhere, case-insensitively, at a component
 * boundary. */
static bool has_folder(const char *path, const char *seq)
{
    size_t n = strlen(seq), len = strlen(path);
    const char *p = path;
    while ((p = util_memcasemem(p, len - (size_t)(p - path), seq, n))) {
        if (p == path || p[-1] == '/')
            return true;
        p++;
    }
    return false;
}

static bool name_starts(const char *base, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(base) >= n && util_ieq(base, n, prefix, n);
}

/* True when the len bytes of base end in suffix. */
static bool name_ends(const char *base, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && util_ieq(base + len - n, n, suffix, n);
}

size_t classify_compressed_suffix(const char *path)
{
    static const char *const suffixes[] = {".gz", ".bz2", ".xz"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && name_ends(base, len, suffixes[i]))
            return n;
    }
    return 0;
}

bool classify_candidate(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    // A compressed log ("HttpProxy_2021030302-1.LOG.gz") is one too.
    size_t len = strlen(base) - classify_compressed_suffix(base);
    if (name_ends(base, len, ".log") || name_ends(base, len, ".txt") ||
        name_ends(base, len, ".csv") || name_ends(base, len, ".evtx"))
        return true;
    return has_folder(path, "logging/httpproxy/") ||
           has_folder(path, "logging/ecp/") ||
           has_folder(path, "logging/oabgeneratorlog/") ||
           has_folder(path, "logging/cmdletinfra/") ||
           has_folder(path, "logfiles/w3svc") ||
           has_folder(path, "winevt/logs/");
}

/* True when base is an IIS log name, "u_ex210302.log" or "u_ex21030204.log"
 * (W3C, UTF-8) or the older "ex210302.log". */
static bool iis_name(const char *base)
{
    const char *p = base;
    if (util_ieq(p, 2, "u_", 2))
        p += 2;
    if (!util_ieq(p, 2, "ex", 2))
        return false;
    p += 2;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    return (digits == 6 || digits == 8) &&
           util_strcasecmp(p + digits, ".log") == 0;
}

/* The value of a "#Log-type:" directive among the '#' lines a log starts
 * with (after a BOM), or NULL: a script or note that only quotes one
 * ("'#Log-type: HttpProxy Logs'") is no log. */
static const char *log_type(const char *head, size_t len, size_t *vlen)
{
    static const char key[] = "#Log-type:";
    const char *p = head, *end = head + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end && *p == '#') {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        size_t n = sizeof key - 1;
        if ((size_t)(stop - p) >= n && util_ieq(p, n, key, n)) {
            const char *v = p + n;
            while (v < stop && *v == ' ')
                v++;
            const char *e = v;
            while (e < stop && *e != '\r')
                e++;
            *vlen = (size_t)(e - v);
            return v;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* The first line that is not a '#' directive, skipping a BOM. */
static const char *first_data_line(const char *head, size_t len,
                                   size_t *line_len)
{
    const char *p = head, *end = head + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        if (*p != '#') {
            *line_len = (size_t)(stop - p);
            return p;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

log_family classify_entry(const char *path, const char *head, size_t len)
{
    // An event log is known by its signature alone, whatever its name.
    if (len >= 8 && memcmp(head, "ElfFile", 8) == 0)
        return FAM_EVTX;
    size_t vlen = 0;
    const char *lt = log_type(head, len, &vlen);
    if (lt) {
        if (util_memcasemem(lt, vlen, "HttpProxy", 9))
            return FAM_HTTPPROXY;
        if (util_memcasemem(lt, vlen, "EWS Logs", 8))
            return FAM_EWS;
        if (util_memcasemem(lt, vlen, "ECP Server", 10))
            return FAM_ECP_SERVER;
        if (util_memcasemem(lt, vlen, "ECP Activity", 12))
            return FAM_ECP_ACTIVITY;
        if (util_memcasemem(lt, vlen, "OAB", 3))
            return FAM_OABGENERATOR;
        if (util_memcasemem(lt, vlen, "Rps", 3) ||
            util_memcasemem(lt, vlen, "Cmdlet", 6))
            return FAM_RPS;
        // Another Exchange log we do not read yet, unless its folder says
        // otherwise below.
    }
    if (util_memcasemem(head, len, "#Software: Microsoft Internet Information",
                        41) ||
        util_memcasemem(head, len, "#Fields: date time ", 19) ||
        util_memcasemem(head, len, "# Fields: date time ", 20))
        return FAM_IIS;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (has_folder(path, "logging/httpproxy/") ||
        name_starts(base, "HttpProxy_"))
        return FAM_HTTPPROXY;
    if (has_folder(path, "logging/ecp/server/") ||
        name_starts(base, "ECPServer"))
        return FAM_ECP_SERVER;
    if (has_folder(path, "logging/ecp/activity/") ||
        name_starts(base, "ECPActivity"))
        return FAM_ECP_ACTIVITY;
    if (has_folder(path, "logging/oabgeneratorlog/") ||
        name_starts(base, "OABGenerator"))
        return FAM_OABGENERATOR;
    if (has_folder(path, "logging/cmdletinfra/") || name_starts(base, "Rps_"))
        return FAM_RPS;
    if (has_folder(path, "logging/ews/") || name_starts(base, "Ews_"))
        return FAM_EWS;
    if (has_folder(path, "logfiles/w3svc") || iis_name(base))
        return FAM_IIS;
    size_t llen = 0;
    const char *line = first_data_line(head, len, &llen);
    if (line && llen > 16 && util_ieq(line, 9, "DateTime,", 9) &&
        util_memcasemem(line, llen, "AnchorMailbox", 13))
        return FAM_HTTPPROXY;
    if (line && llen >= 35 &&
        util_ieq(line, 35, "TimeStamp,ServerName,EventId,EventD", 35))
        return FAM_ECP_SERVER;
    return FAM_NONE;
}
