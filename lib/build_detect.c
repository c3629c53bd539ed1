/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_detect.c - finds the installed Exchange build in evidence, best
 * source first:
 *   1. the FileVersion of ExSetup.exe's version resource (read through
 *      libyara's pe module; SU-accurate; the copy under a Bin folder wins);
 *   2. the SOFTWARE hive's Exchange Setup key (CU level: security updates
 *      do not change it; read with libregf, readers/hive.c);
 *   3. the headers of Exchange's own logs ("#Version: 15.01.2176.002"
 *      under "#Software: Microsoft Exchange Server") and the "S:BLD="
 *      values of ECP rows: the build the server ran when it wrote them, so
 *      the latest one seen (build_log.c);
 *   4. OWA's version folders (FrontEnd/HttpProxy/owa/auth/15.1.2176/...,
 *      ClientAccess/Owa/15.1.2176/...): CU level only, and the highest one
 *      is the current CU (older ones stay after an upgrade).
 * build_sniff_* judge one entry; exh_build_detect() walks a target with
 * the evidence sources and keeps the best candidate.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define EXSETUP_MAX_BYTES (64u * 1024 * 1024) /* ExSetup.exe is ~40 KiB */

typedef struct detect_ctx {
    build_cand best;
    uint8_t *data; /* the last ExSetup.exe read */
    exh_status failure;
    /* the builds the logs' heads show: headers at their "#Date:", ECP
     * rows at their times */
    log_build *tl;
    size_t tl_count;
} detect_ctx;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* True when the folder holding path is named "Bin" (any case). */
static bool in_bin(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return false;
    const char *start = slash;
    while (start > path && start[-1] != '/')
        start--;
    return util_ieq(start, (size_t)(slash - start), "bin", 3);
}

bool build_sniff_owa_path(const char *path, uint16_t v[4])
{
    // ".../owa/auth/15.1.2176/..." or ".../owa/15.1.2176/..."
    for (const char *p = path; (p = strchr(p, '/')) != NULL; p++) {
        const char *seg = p + 1;
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len < 6 || len > 20 || !end)
            continue;
        const char *before = p;
        while (before > path && before[-1] != '/')
            before--;
        size_t blen = (size_t)(p - before);
        bool owa = util_ieq(before, blen, "owa", 3);
        if (!owa && util_ieq(before, blen, "auth", 4) && before - path >= 5)
            owa = util_ieq(before - 4, 3, "owa", 3);
        if (!owa)
            continue;
        char seg_text[24];
        int parts;
        memcpy(seg_text, seg, len);
        seg_text[len] = '\0';
        if (build_parse_version(seg_text, v, &parts) && parts == 3 &&
            v[0] >= 14 && v[0] <= 15)
            return true;
    }
    return false;
}

/* A build a log names is one of a covered product: 14.3 (Exchange 2010
 * SP3) or 15.0 to 15.2, with a build part (format versions such as
 * "15.0.0.0" have none). */
static bool log_build_ok(const uint16_t v[4])
{
    return ((v[0] == 14 && v[1] == 3) || (v[0] == 15 && v[1] <= 2)) &&
           v[2] != 0;
}

bool build_sniff_log_header(const char *head, size_t len, uint16_t v[4],
                            int64_t *date_ms)
{
    static const char software[] = "#Software: Microsoft Exchange";
    static const char version[] = "#Version: ", date[] = "#Date: ";
    bool exchange = false, have = false;
    int64_t when = INT64_MIN;
    size_t at = len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (at < len && head[at] == '#') {
        const char *nl = memchr(head + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - head) : len;
        size_t n = end - at;
        if (n && head[end - 1] == '\r')
            n--;
        const char *line = head + at;
        if (n >= sizeof software - 1 &&
            memcmp(line, software, sizeof software - 1) == 0)
            exchange = true;
        if (!have && n > sizeof version - 1 && n < sizeof version + 24 &&
            memcmp(line, version, sizeof version - 1) == 0) {
            char text[32];
            int parts;
            size_t vlen = n - (sizeof version - 1);
            memcpy(text, line + sizeof version - 1, vlen);
            text[vlen] = '\0';
            have = build_parse_version(text, v, &parts) && parts == 4 &&
                   log_build_ok(v);
        }
        if (n > sizeof date - 1 && memcmp(line, date, sizeof date - 1) == 0 &&
            !util_time_parse(line + sizeof date - 1, n - (sizeof date - 1),
                             &when))
            when = INT64_MIN;
        if (!nl)
            break;
        at = end + 1;
    }
    if (date_ms)
        *date_ms = when;
    return exchange && have;
}

bool build_parse_row_fields(const char *const part[4], const size_t len[4],
                            uint16_t v[4])
{
    for (int i = 0; i < 4; i++) {
        uint32_t x = 0;
        if (!part[i] || len[i] == 0 || len[i] > 5)
            return false;
        for (size_t k = 0; k < len[i]; k++) {
            if (part[i][k] < '0' || part[i][k] > '9')
                return false;
            x = x * 10 + (uint32_t)(part[i][k] - '0');
        }
        if (x > 65535)
            return false;
        v[i] = (uint16_t)x;
    }
    return log_build_ok(v);
}

/* One "S:BLD=" value at p (len bytes to the record's end): four dotted
 * decimal parts ending at ';', '"', ',' or the end; *used gets its length. */
static bool bld_value(const char *p, size_t len, uint16_t v[4], size_t *used)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t x = 0;
        size_t digits = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            if (++digits > 5)
                return false;
            x = x * 10 + (uint32_t)(p[i++] - '0');
        }
        if (digits == 0 || x > 65535)
            return false;
        v[part] = (uint16_t)x;
        if (part < 3) {
            if (i == len || p[i] != '.')
                return false;
            i++;
        }
    }
    if (i < len && p[i] != ';' && p[i] != '"' && p[i] != ',')
        return false;
    *used = i;
    return log_build_ok(v);
}

bool build_parse_ecp_bld(const char *text, size_t len, uint16_t v[4])
{
    // "S:BLD=" (ECP Server) or "S:Bld=" (ECP Activity): ":BLD=" in any
    // case, found with one memchr() per ':', after an 'S'.
    bool have = false;
    size_t at = 0;
    while (at < len) {
        const char *hit = util_memcasemem(text + at, len - at, ":bld=", 5);
        if (!hit)
            break;
        size_t start = (size_t)(hit - text) + 5, used = 0;
        if (hit == text || (hit[-1] != 'S' && hit[-1] != 's')) {
            at = start;
            continue;
        }
        uint16_t w[4];
        if (!bld_value(text + start, len - start, w, &used))
            return false; // a malformed value: the row names no build
        if (have && memcmp(w, v, sizeof w) != 0)
            return false; // values that disagree: a forged one among them
        memcpy(v, w, sizeof w);
        have = true;
        at = start + used;
    }
    return have;
}

exh_status build_cand_offer(build_cand *c, int rank, const uint16_t v[4],
                            int parts, const char *source, const char *path,
                            const char *windows_path)
{
    int cmp = 0;
    for (int i = 0; i < 4 && cmp == 0; i++)
        if (v[i] != c->v[i])
            cmp = v[i] < c->v[i] ? -1 : 1;
    if (rank < c->rank || (rank == c->rank && cmp <= 0))
        return EXH_OK;
    char *s = exh_strdup(source), *p = exh_strdup(path);
    char *w = windows_path ? exh_strdup(windows_path) : NULL;
    if (!s || !p || (windows_path && !w)) {
        exh_free(s);
        exh_free(p);
        exh_free(w);
        return EXH_ERR_NOMEM;
    }
    unsigned kept = c->mitigations;
    build_cand_free(c);
    c->mitigations = kept;
    c->rank = rank;
    memcpy(c->v, v, sizeof c->v);
    c->parts = parts;
    c->source = s;
    c->path = p;
    c->windows_path = w;
    return EXH_OK;
}

/* ---- mitigations in IIS configuration ------------------------------------ */

static const char *const cves_pl_rewrite[] = {"CVE-2021-26855"};
static const char *const cves_pns_rewrite[] = {"CVE-2022-41040",
                                               "CVE-2022-41082"};
static const char *const cves_um[] = {"CVE-2021-26857"};
static const char *const cves_ecp[] = {"CVE-2021-27065"};
static const char *const cves_oab[] = {"CVE-2021-26858"};

static const struct {
    const char *text;
    const char *const *cves;
    size_t count;
} mitigations[MITIGATION__COUNT] = {
    {"URL Rewrite rule aborting X-BEResource/X-AnonResource-Backend "
     "cookies (EOMT, March 2021)",
     cves_pl_rewrite, 1},
    {"URL Rewrite rule aborting autodiscover requests naming powershell "
     "(EOMTv2/EEMS, 2022)",
     cves_pns_rewrite, 2},
    {"Unified Messaging services MSExchangeUM and MSExchangeUMCR disabled",
     cves_um, 1},
    {"ECP application pool MSExchangeECPAppPool set not to start", cves_ecp, 1},
    {"OAB application pool MSExchangeOABAppPool set not to start", cves_oab, 1},
};

const char *build_mitigation_text(unsigned i)
{
    return i < MITIGATION__COUNT ? mitigations[i].text : NULL;
}

const char *const *build_mitigation_cves(unsigned i, size_t *count)
{
    *count = i < MITIGATION__COUNT ? mitigations[i].count : 0;
    return i < MITIGATION__COUNT ? mitigations[i].cves : NULL;
}

static bool has(const char *p, size_t len, const char *needle)
{
    return util_memcasemem(p, len, needle, strlen(needle)) != NULL;
}

/* The bytes from p to the end of its element or block: to "</rule>" for a
 * rule, to '>' for an application pool's <add>; at most max bytes. */
static size_t block_len(const char *p, const char *end, const char *closer,
                        size_t max)
{
    size_t avail = (size_t)(end - p);
    if (avail > max)
        avail = max;
    const char *c = util_memcasemem(p, avail, closer, strlen(closer));
    return c ? (size_t)(c - p) : avail;
}

/* Rewrite rules: each <rule ...>...</rule> that aborts requests. */
static unsigned rewrite_rules(const char *text, size_t len)
{
    unsigned found = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *r = util_memcasemem(p, (size_t)(end - p), "<rule ", 6);
        if (!r)
            break;
        size_t n = block_len(r, end, "</rule>", 16384);
        if (has(r, n, "AbortRequest")) {
            if (has(r, n, "X-BEResource") ||
                has(r, n, "X-AnonResource-Backend"))
                found |= MITIGATION_REWRITE_PROXYLOGON;
            if (has(r, n, "autodiscover") && has(r, n, "powershell"))
                found |= MITIGATION_REWRITE_PROXYNOTSHELL;
        }
        p = r + 6;
    }
    return found;
}

/* Application pools: <add name="POOL" ... autoStart="false" ...>. */
static bool pool_off(const char *text, size_t len, const char *pool)
{
    const char *p = text, *end = text + len;
    char needle[64];
    snprintf(needle, sizeof needle, "name=\"%s\"", pool);
    while (p < end) {
        const char *at =
            util_memcasemem(p, (size_t)(end - p), needle, strlen(needle));
        if (!at)
            return false;
        // The element starts at the last '<' before the name.
        const char *start = at;
        while (start > text && start[-1] != '<' && at - start < 4096)
            start--;
        size_t n = block_len(at, end, ">", 4096);
        if (start > text && util_ieq(start, 4, "add ", 4) &&
            has(at, n, "autoStart=\"false\""))
            return true;
        p = at + strlen(needle);
    }
    return false;
}

unsigned build_sniff_config(const char *base, const uint8_t *data, size_t len)
{
    const char *text = (const char *)data;
    bool app_host = util_strcasecmp(base, "applicationHost.config") == 0;
    if (!app_host && util_strcasecmp(base, "web.config") != 0)
        return 0;
    unsigned found = rewrite_rules(text, len);
    if (app_host) {
        if (pool_off(text, len, "MSExchangeECPAppPool"))
            found |= MITIGATION_ECP_POOL_OFF;
        if (pool_off(text, len, "MSExchangeOABAppPool"))
            found |= MITIGATION_OAB_POOL_OFF;
    }
    return found;
}

void build_cand_free(build_cand *c)
{
    exh_free(c->source);
    exh_free(c->path);
    exh_free(c->windows_path);
    memset(c, 0, sizeof *c);
}

exh_status build_offer_exsetup(build_cand *c, const uint8_t *data, size_t len,
                               const char *path, const char *display,
                               const char *windows_path)
{
    uint16_t v[4];
    if (!build_exsetup_version(data, len, v))
        return EXH_OK;
    char source[1200];
    snprintf(source, sizeof source, "ExSetup.exe version resource: %s",
             display);
    return build_cand_offer(
        c, in_bin(path) ? BUILD_RANK_EXSETUP_BIN : BUILD_RANK_EXSETUP, v, 4,
        source, display, windows_path);
}

exh_status build_offer_owa(build_cand *c, const char *path, const char *display,
                           const char *windows_path)
{
    uint16_t v[4];
    if (c->rank > BUILD_RANK_OWA || !build_sniff_owa_path(path, v))
        return EXH_OK;
    char source[1200];
    snprintf(source, sizeof source,
             "OWA version folder %u.%u.%u (CU level only): %s", v[0], v[1],
             v[2], display);
    v[3] = 0;
    return build_cand_offer(c, BUILD_RANK_OWA, v, 3, source, display,
                            windows_path);
}

bool build_is_hive_name(const char *base)
{
    return util_strcasecmp(base, "SOFTWARE") == 0 ||
           util_strcasecmp(base, "SYSTEM") == 0;
}

exh_status build_offer_hive(build_cand *c, stream *in, uint64_t size,
                            const char *display, const char *windows_path)
{
    if (!in || size < 4096 || size > BUILD_HIVE_MAX_BYTES)
        return EXH_OK;
    uint8_t *data = exh_malloc((size_t)size);
    if (!data)
        return EXH_ERR_NOMEM;
    size_t len = 0;
    while (len < size) {
        ssize_t n = in->read(in, data + len, (size_t)size - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    exh_status st = build_offer_hive_mem(c, data, len, display, windows_path);
    exh_free(data);
    return st;
}

/* The security update for Exchange 2013/2016/2019 of March 2021
 * (ProxyLogon); EOMT counts a server with an Exchange security update of
 * this KB number or higher as patched for it. */
#define KB_MAR21SU 5000871u

/* One row of a CU: its revision, update name and KB number. */
typedef struct cu_update {
    bool found;
    uint16_t revision;
    uint32_t kb;
    char update[64];
} cu_update;

/* Looks through the rows of the CU v (three parts): *by_kb becomes the
 * newest whose update's KB number (rules/build_kbs.csv) is among the
 * installed kbs - of rows sharing one KB number (the two Mar21SU builds of
 * E2016 CU8 and CU9) the first -, *mar21su the first Mar21SU row. A CU
 * released later than an update holds its fix itself and has no such row. */
static exh_status cu_updates(const uint16_t v[4], const uint32_t *kbs,
                             unsigned kb_count, cu_update *by_kb,
                             cu_update *mar21su)
{
    build_table *t;
    EXH_TRY(build_table_load(&t));
    memset(by_kb, 0, sizeof *by_kb);
    memset(mar21su, 0, sizeof *mar21su);
    for (size_t i = 0; i < build_table_count(t); i++) {
        char text[32];
        uint16_t r[4];
        int n;
        const char *update = build_table_update(t, i);
        uint32_t kb = build_table_kb(t, i);
        build_table_version(t, i, text);
        if (!update || !build_parse_version(text, r, &n) || r[0] != v[0] ||
            r[1] != v[1] || r[2] != v[2])
            continue;
        cu_update row = {true, r[3], kb, ""};
        snprintf(row.update, sizeof row.update, "%s", update);
        if (!mar21su->found && strstr(update, "Mar21SU"))
            *mar21su = row;
        bool installed = false;
        for (unsigned k = 0; kb && k < kb_count && !installed; k++)
            installed = kbs[k] == kb;
        if (installed && (!by_kb->found || by_kb->kb != kb))
            *by_kb = row;
    }
    build_table_free(t);
    return EXH_OK;
}

exh_status build_offer_hive_mem(build_cand *c, const uint8_t *data, size_t len,
                                const char *display, const char *windows_path)
{
    hive_facts f;
    if (!hive_read(data, len, &f))
        return EXH_OK;
    if (f.um_disabled)
        c->mitigations |= MITIGATION_UM_DISABLED;
    if (!f.have_build)
        return EXH_OK;
    char source[1200];
    uint16_t v[4];
    memcpy(v, f.build, sizeof v);
    int parts = 3;
    cu_update by_kb = {0}, mar21su = {0};
    if (v[0] == 15 && f.kb_count > 0)
        EXH_TRY(cu_updates(v, f.kbs, f.kb_count, &by_kb, &mar21su));
    if (by_kb.found) {
        v[3] = by_kb.revision;
        parts = 4;
        snprintf(source, sizeof source,
                 "SOFTWARE hive, Exchange Setup key and installed update "
                 "KB%u: the CU's %.60s (its newest update whose KB number "
                 "the build table lists; a later one it does not list is "
                 "not counted): %s",
                 (unsigned)by_kb.kb, by_kb.update, display);
    } else if (f.max_kb >= KB_MAR21SU && mar21su.found) {
        v[3] = mar21su.revision;
        parts = 4;
        snprintf(source, sizeof source,
                 "SOFTWARE hive, Exchange Setup key and installed update "
                 "KB%u (%.160s, not listed for this CU): at least the CU's "
                 "March 2021 security update (KB5000871 or later), later "
                 "updates not told apart: %s",
                 (unsigned)f.max_kb, f.max_kb_name, display);
    } else if (f.updates)
        snprintf(source, sizeof source,
                 "SOFTWARE hive, Exchange Setup key (CU level only; "
                 "installed update KB%u, %.160s, not mapped to a build): %s",
                 (unsigned)f.max_kb, f.max_kb_name, display);
    else
        snprintf(source, sizeof source,
                 "SOFTWARE hive, Exchange Setup key (CU level only): %s",
                 display);
    return build_cand_offer(c, BUILD_RANK_REGISTRY, v, parts, source, display,
                            windows_path);
}

void build_cand_version(const build_cand *c, char *out, size_t size)
{
    if (c->parts == 4)
        snprintf(out, size, "%u.%u.%u.%u", c->v[0], c->v[1], c->v[2], c->v[3]);
    else
        snprintf(out, size, "%u.%u.%u", c->v[0], c->v[1], c->v[2]);
}

bool build_is_exsetup(const char *base)
{
    return util_strcasecmp(base, "ExSetup.exe") == 0;
}

bool build_exsetup_version(const uint8_t *data, size_t len, uint16_t v[4])
{
    char version[64], product[128];
    int parts;
    return yara_pe_version(data, len, version, sizeof version, product,
                           sizeof product) == EXH_OK &&
           build_parse_version(version, v, &parts) && parts == 4 &&
           (!product[0] || strstr(product, "Exchange"));
}

/* Reads an ExSetup.exe entry and considers its FileVersion. */
static void exsetup(detect_ctx *c, entry *e)
{
    if (!e->in || e->size > EXSETUP_MAX_BYTES)
        return;
    // Sized by the entry (ExSetup.exe is about 40 KiB), never past the cap.
    size_t cap = (size_t)e->size + 1;
    uint8_t *data = exh_malloc(cap);
    if (!data) {
        c->failure = EXH_ERR_NOMEM;
        return;
    }
    exh_free(c->data);
    c->data = data;
    size_t len = 0;
    while (len < cap) {
        ssize_t n = e->in->read(e->in, c->data + len, cap - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    // A single-file target may be a hive under any name.
    exh_status st = len >= 4 && memcmp(c->data, "regf", 4) == 0
                        ? build_offer_hive_mem(&c->best, c->data, len,
                                               e->display_path, NULL)
                        : build_offer_exsetup(&c->best, c->data, len, e->path,
                                              e->display_path, NULL);
    if (st != EXH_OK)
        c->failure = st;
}

static bool ends_with_log(const char *base)
{
    size_t n = strlen(base);
    return n > 4 && util_strcasecmp(base + n - 4, ".log") == 0;
}

/* Adds the "S:BLD=" builds of the whole rows in the head of an Exchange
 * log (ECP's header names a format version) to the timeline, at the rows'
 * times. A row the head cuts is not read: its value may be cut too. */
static exh_status ecp_rows(detect_ctx *c, const char *head, size_t len,
                           const char *path)
{
    static const char software[] = "#Software: Microsoft Exchange";
    if (len < sizeof software - 1 ||
        !util_memcasemem(head, len < 512 ? len : 512, software,
                         sizeof software - 1))
        return EXH_OK;
    size_t at = 0;
    for (;;) {
        const char *nl = memchr(head + at, '\n', len - at);
        if (!nl)
            return EXH_OK;
        size_t n = (size_t)(nl - head) - at;
        const char *line = head + at;
        at += n + 1;
        if (n && line[n - 1] == '\r')
            n--;
        const char *comma = memchr(line, ',', n);
        uint16_t v[4];
        int64_t t;
        if (line[0] == '#' || !comma ||
            !util_time_parse(line, (size_t)(comma - line), &t) ||
            !build_parse_ecp_bld(line, n, v))
            continue;
        EXH_TRY(log_timeline_add(&c->tl, &c->tl_count, v, t, t, path, NULL,
                                 LOG_SOURCE_ECP));
    }
}

/* Reads the head of a log: its header's build at its "#Date:", else the
 * builds of its first ECP rows, join the timeline. */
static void log_head(detect_ctx *c, entry *e)
{
    char head[4096] = "";
    size_t len = 0;
    uint16_t v[4];
    int64_t when;
    while (e->in && len < sizeof head) {
        ssize_t n = e->in->read(e->in, head + len, sizeof head - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    exh_status st = EXH_OK;
    if (build_sniff_log_header(head, len, v, &when)) {
        if (when != INT64_MIN)
            st = log_timeline_add(&c->tl, &c->tl_count, v, when, when,
                                  e->display_path, NULL, LOG_SOURCE_HEADER);
    } else {
        st = ecp_rows(c, head, len, e->display_path);
    }
    if (st != EXH_OK)
        c->failure = st;
}

static bool on_entry(void *user, entry *e)
{
    detect_ctx *c = user;

    // A target that is itself one file is read as a PE file whatever its
    // name (a copy of ExSetup.exe may be called anything).
    const char *base = base_name(e->path[0] ? e->path : e->display_path);
    if (build_is_hive_name(base)) {
        exh_status st =
            build_offer_hive(&c->best, e->in, e->size, e->display_path, NULL);
        if (st != EXH_OK)
            c->failure = st;
        return c->failure == EXH_OK;
    }
    if (ends_with_log(base)) {
        log_head(c, e);
    } else if (e->path[0] == '\0' || build_is_exsetup(base_name(e->path))) {
        exsetup(c, e);
    } else {
        exh_status st =
            build_offer_owa(&c->best, e->path, e->display_path, NULL);
        if (st != EXH_OK)
            c->failure = st;
    }
    return c->failure == EXH_OK;
}

static void on_error(void *user, const char *display_path, const char *message)
{
    (void)user;
    (void)display_path;
    (void)message;
}

/* An exh_build_found and the storage of its strings. */
typedef struct found {
    exh_build_found pub; /* first: exh_build_found_free() casts */
    char version[32];
    char *source;
    exh_build_step steps[LOG_BUILDS_LISTED];
    char texts[LOG_BUILDS_LISTED][3][32]; /* version, first, last */
    char *paths[LOG_BUILDS_LISTED];
    const char *kinds[LOG_BUILDS_LISTED][2];
} found;

void exh_build_found_free(exh_build_found *pub)
{
    found *f = (found *)pub;
    if (!f)
        return;
    exh_free(f->source);
    for (size_t i = 0; i < LOG_BUILDS_LISTED; i++)
        exh_free(f->paths[i]);
    exh_free(f);
}

/* The found build of c, with the timeline its logs show. */
static exh_status make_found(const detect_ctx *c, found *f)
{
    const log_build *sorted[LOG_BUILDS_MAX];
    size_t n = log_timeline_sorted(c->tl, c->tl_count, sorted);
    if (n > LOG_BUILDS_LISTED)
        n = LOG_BUILDS_LISTED;
    build_cand_version(&c->best, f->version, sizeof f->version);
    if (!(f->source = exh_strdup(c->best.source ? c->best.source : "")))
        return EXH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const log_build *b = sorted[i];
        exh_build_step *t = &f->steps[i];
        snprintf(f->texts[i][0], 32, "%u.%u.%u.%u", b->v[0], b->v[1], b->v[2],
                 b->v[3]);
        util_time_format(b->first_ms, f->texts[i][1]);
        util_time_format(b->last_ms, f->texts[i][2]);
        if (!(f->paths[i] = exh_strdup(b->path)))
            return EXH_ERR_NOMEM;
        *t = (exh_build_step){.version = f->texts[i][0],
                              .first = f->texts[i][1],
                              .last = f->texts[i][2],
                              .source = b->source,
                              .path = f->paths[i],
                              .sources = f->kinds[i]};
        if (b->sources & 1u)
            f->kinds[i][t->source_count++] = LOG_SOURCE_HEADER;
        if (b->sources & 2u)
            f->kinds[i][t->source_count++] = LOG_SOURCE_ECP;
    }
    f->pub = (exh_build_found){.version = f->version,
                               .source = f->source,
                               .timeline = f->steps,
                               .timeline_count = n};
    return EXH_OK;
}

exh_status exh_build_find(const char *target, exh_build_found **out)
{
    detect_ctx c = {.failure = EXH_OK};
    source_opts opts = {.open_archives = true};
    source_cbs cbs = {on_entry, on_error, &c, NULL, NULL};
    const char *err = NULL;
    const char *kind = NULL;

    if (!target || !out)
        return EXH_ERR_INVALID_ARG;
    exh_status st = source_walk(target, &opts, &cbs, &err);
    exh_free(c.data);
    if (st == EXH_OK)
        st = c.failure;
    if (st == EXH_OK)
        st = log_timeline_offer(&c.best, c.tl, c.tl_count, &kind);
    if (st == EXH_OK && c.best.rank == BUILD_RANK_NONE)
        st = EXH_ERR_UNSUPPORTED;
    found *f = NULL;
    if (st == EXH_OK && !(f = exh_calloc(1, sizeof *f)))
        st = EXH_ERR_NOMEM;
    if (st == EXH_OK)
        st = make_found(&c, f);
    if (st == EXH_OK)
        *out = &f->pub;
    else
        exh_build_found_free(f ? &f->pub : NULL);
    log_timeline_free(c.tl, c.tl_count);
    build_cand_free(&c.best);
    return st;
}

exh_status exh_build_detect(const char *target, char *version,
                            size_t version_size, char *source,
                            size_t source_size)
{
    if (!target || !version || version_size == 0)
        return EXH_ERR_INVALID_ARG;
    version[0] = '\0';
    if (source && source_size)
        source[0] = '\0';
    exh_build_found *f = NULL;
    exh_status st = exh_build_find(target, &f);
    if (st == EXH_OK) {
        snprintf(version, version_size, "%s", f->version);
        if (source && source_size)
            snprintf(source, source_size, "%s", f->source);
    }
    exh_build_found_free(f);
    return st;
}
