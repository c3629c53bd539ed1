/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c - checks of live Exchange servers over the network with libcurl's
 * multi interface: many targets at once, a bounded number of connections,
 * a rate of requests started per second (every request of every target,
 * a target's next step waiting its turn like a new target), at most
 * per_host connections to one host:port at a time
 * (targets are started out of input order to keep that limit and reported
 * in input order), a timeout per request, TLS verified unless the caller
 * opts out, redirects never followed, GET only.
 *
 * Each target runs its steps one after the other:
 *   passive  GET /owa/auth/logon.aspx      X-OWA-Version header (4 parts),
 *                                          else /owa/auth/15.x.y/ in the body
 *            GET /ecp/Current/exporttool/microsoft.exchange.ediscovery.
 *                exporttool.application    <assemblyIdentity version=...>
 *            GET /ecp/15.x.y.z/exporttool/... for each listed build of the
 *                CU the OWA path gave, newest first, until one answers a
 *                manifest of that CU (righel's ms-exchange-version.nse);
 *                only when neither the header nor Current/ told the build
 *   active   GET /owa/auth/x.js with the X-AnonResource/X-BEResource
 *                localhost cookies (Microsoft's nmap script for
 *                CVE-2021-26855): vulnerable when X-CalculatedBETarget
 *                names localhost
 *            GET /autodiscover/autodiscover.json?@test.com/owa/?&Email=
 *                autodiscover/autodiscover.json%3F@test.com (ProxyShell,
 *                Beaumont's nmap script): 302 vulnerable, 400 not
 * Responses are hostile input: headers and bodies are capped, parsing is
 * bounded (probe_parse_* are fuzzed).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
/* libcurl is loaded on first use (lazylib.h): exh_prober_run() loads it. */
#define LAZY_CURL 1
#include "lazylib.h"

#define MAX_BODY_BYTES   (1u << 20)  /* more is cut: enough for logon.aspx */
#define MAX_HEADER_BYTES (64u << 10) /* more aborts the request */
#define MAX_HEADERS      256
#define MAX_GUESSES      48 /* listed builds of one CU tried, at most */

enum step {
    STEP_LOGON = 0,
    STEP_EXPORTTOOL,
    STEP_EXPORTGUESS, /* repeated: one listed build of the CU at a time */
    STEP_PROXYLOGON,
    STEP_PROXYSHELL,
    STEP__COUNT
};

static const char *const step_path[STEP__COUNT] = {
    "/owa/auth/logon.aspx",
    "/ecp/Current/exporttool/"
    "microsoft.exchange.ediscovery.exporttool.application",
    "/exporttool/microsoft.exchange.ediscovery.exporttool.application",
    "/owa/auth/x.js",
    "/autodiscover/autodiscover.json?@test.com/owa/?&Email=autodiscover/"
    "autodiscover.json%3F@test.com",
};

struct exh_prober {
    int active, insecure;
    unsigned concurrency;
    unsigned per_host; /* connections to one host:port at a time */
    long timeout_ms;
    double rate;      /* requests started per second; 0 = unlimited */
    char errmsg[512]; /* why the last run failed to start */
};

typedef struct target {
    char *base; /* scheme://host[:port], no trailing slash */
    const char *url;
    int step; /* the running or next step; STEP__COUNT when done */
    /* STEP_EXPORTGUESS: the CU's listed builds, newest first */
    char (*guesses)[32];
    size_t guess_count, guess_next;
    bool started;
    bool waiting; /* its next step waits for the rate limit */
    size_t host;  /* index of the host:port in the run's host counts */
    CURL *easy;
    char curl_error[CURL_ERROR_SIZE];
    buf headers, body;
    unsigned header_count;
    bool header_overflow;
    /* results */
    char owa_version[32], export_version[32], path_version[32];
    char export_source[96]; /* where export_version came from */
    char error[256];
    int proxylogon, proxyshell; /* -1 not checked, 0 no, 1 yes, 2 unclear */
    bool reached;               /* some request got an HTTP answer */
} target;

exh_status exh_prober_new(exh_prober **out)
{
    exh_prober *p = exh_calloc(1, sizeof *p);
    if (!p)
        return EXH_ERR_NOMEM;
    p->concurrency = 50;
    p->per_host = 4;
    p->timeout_ms = 10000;
    *out = p;
    return EXH_OK;
}

void exh_prober_free(exh_prober *p)
{
    exh_free(p);
}

void exh_prober_set_active(exh_prober *p, int active)
{
    p->active = active != 0;
}

void exh_prober_set_insecure(exh_prober *p, int insecure)
{
    p->insecure = insecure != 0;
}

void exh_prober_set_concurrency(exh_prober *p, unsigned n)
{
    p->concurrency = n ? n : 1;
}

void exh_prober_set_per_host(exh_prober *p, unsigned n)
{
    p->per_host = n ? n : 1;
}

void exh_prober_set_timeout_ms(exh_prober *p, long ms)
{
    p->timeout_ms = ms > 0 ? ms : 1;
}

void exh_prober_set_rate(exh_prober *p, double per_second)
{
    p->rate = per_second > 0 ? per_second : 0;
}

/* ---- response parsing (fuzzed) ------------------------------------------- */

bool probe_parse_version_header(const char *value, size_t len, char *out,
                                size_t size)
{
    char text[40];
    uint16_t v[4];
    int parts;
    if (len == 0 || len >= sizeof text)
        return false;
    memcpy(text, value, len);
    text[len] = '\0';
    if (!build_parse_version(text, v, &parts) || parts != 4 || v[0] < 14 ||
        v[0] > 15)
        return false;
    snprintf(out, size, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
    return true;
}

bool probe_parse_exporttool(const char *body, size_t len, char *out,
                            size_t size)
{
    const char *a = util_memcasemem(body, len, "<assemblyIdentity", 17);
    if (!a)
        return false;
    size_t rest = len - (size_t)(a - body);
    const char *end = memchr(a, '>', rest);
    size_t n = end ? (size_t)(end - a) : rest;
    const char *v = util_memcasemem(a, n, " version=\"", 10);
    if (!v)
        return false;
    v += 10;
    const char *q = memchr(v, '"', n - (size_t)(v - a));
    return q && probe_parse_version_header(v, (size_t)(q - v), out, size);
}

bool probe_parse_owa_path(const char *body, size_t len, char *out, size_t size)
{
    static const char *const marks[] = {"/owa/auth/", "/owa/"};
    for (size_t m = 0; m < 2; m++) {
        size_t ml = strlen(marks[m]);
        const char *p = body, *end = body + len;
        while (p < end) {
            const char *at =
                util_memcasemem(p, (size_t)(end - p), marks[m], ml);
            if (!at)
                break;
            const char *v = at + ml;
            size_t n = 0;
            while (v + n < end && n < 20 &&
                   ((v[n] >= '0' && v[n] <= '9') || v[n] == '.'))
                n++;
            char text[24];
            uint16_t ver[4];
            int parts;
            if (n > 0 && v + n < end && v[n] == '/' && n < sizeof text) {
                memcpy(text, v, n);
                text[n] = '\0';
                if (build_parse_version(text, ver, &parts) && parts == 3 &&
                    ver[0] >= 14 && ver[0] <= 15) {
                    snprintf(out, size, "%u.%u.%u", ver[0], ver[1], ver[2]);
                    return true;
                }
            }
            p = at + ml;
        }
    }
    return false;
}

/* The value of header name in a raw header block, or NULL (len in *len). */
const char *probe_header(const char *headers, size_t len, const char *name,
                         size_t *value_len)
{
    size_t nl = strlen(name);
    const char *p = headers, *end = headers + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t line = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (line > nl && p[nl] == ':' && util_ieq(p, nl, name, nl)) {
            const char *v = p + nl + 1;
            const char *ve = p + line;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            *value_len = (size_t)(ve - v);
            return v;
        }
        p += line + 1;
    }
    return NULL;
}

/* ---- transfers ------------------------------------------------------------
 */

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    target *t = user;
    size_t n = size * nmemb;
    if (t->body.len + n > MAX_BODY_BYTES)
        return 0; // cut: what arrived so far is parsed
    return buf_append(&t->body, data, n) == EXH_OK ? n : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    target *t = user;
    size_t n = size * nmemb;
    // A new response (after 100 Continue) starts a new header block.
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        buf_reset(&t->headers);
        t->header_count = 0;
    }
    if (++t->header_count > MAX_HEADERS ||
        t->headers.len + n > MAX_HEADER_BYTES) {
        t->header_overflow = true;
        return 0;
    }
    return buf_append(&t->headers, data, n) == EXH_OK ? n : 0;
}

static exh_status start_step(const exh_prober *p, target *t, CURLM *multi)
{
    buf url;
    buf_init(&url, 8192);
    if (t->step == STEP_EXPORTGUESS)
        buf_printf(&url, "%s/ecp/%s%s", t->base, t->guesses[t->guess_next],
                   step_path[t->step]);
    else
        buf_printf(&url, "%s%s", t->base, step_path[t->step]);
    buf_reset(&t->headers);
    buf_reset(&t->body);
    t->header_count = 0;
    t->header_overflow = false;
    if (!url.data || !(t->easy = curl_easy_init())) {
        buf_free(&url);
        return EXH_ERR_NOMEM;
    }
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url.data);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "exhunt/" EXH_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    t->curl_error[0] = '\0';
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->curl_error);
    if (p->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (t->step == STEP_PROXYLOGON)
        curl_easy_setopt(e, CURLOPT_COOKIE,
                         "X-AnonResource=true; "
                         "X-AnonResource-Backend=localhost/ecp/"
                         "default.flt?~3; "
                         "X-BEResource=localhost/owa/auth/logon.aspx?~3;");
    buf_free(&url);
    return curl_multi_add_handle(multi, e) == CURLM_OK ? EXH_OK
                                                       : EXH_ERR_ENGINE;
}

/* Judges the finished step of t. */
static void finish_step(target *t, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    bool cut = rc == CURLE_WRITE_ERROR && !t->header_overflow &&
               t->body.len > 0; // body over the cap: parse what came
    if ((rc != CURLE_OK && !cut) || status == 0) {
        if (!t->error[0] && rc == CURLE_PEER_FAILED_VERIFICATION)
            snprintf(t->error, sizeof t->error,
                     "TLS certificate not trusted (%.120s); "
                     "--insecure skips the verification",
                     t->curl_error[0] ? t->curl_error : curl_easy_strerror(rc));
        else if (!t->error[0] && rc == CURLE_SSL_CONNECT_ERROR)
            snprintf(t->error, sizeof t->error, "TLS handshake failed: %.160s",
                     t->curl_error[0] ? t->curl_error : curl_easy_strerror(rc));
        else if (!t->error[0])
            snprintf(t->error, sizeof t->error, "GET %.60s: %s",
                     step_path[t->step],
                     t->header_overflow ? "too many or too long headers"
                                        : curl_easy_strerror(rc));
        if (t->step == STEP_PROXYLOGON && t->reached &&
            (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR))
            t->proxylogon = 0; // aborted: the URL Rewrite mitigation
        if (t->step == STEP_EXPORTGUESS)
            t->guess_next = t->guess_count; // no answer: guess no more
        return;
    }
    t->reached = true;
    size_t vl;
    const char *v;
    const char *h = t->headers.data ? t->headers.data : "";
    const char *b = t->body.data ? t->body.data : "";
    switch (t->step) {
    case STEP_LOGON:
        v = probe_header(h, t->headers.len, "X-OWA-Version", &vl);
        if (v)
            (void)probe_parse_version_header(v, vl, t->owa_version,
                                             sizeof t->owa_version);
        (void)probe_parse_owa_path(b, t->body.len, t->path_version,
                                   sizeof t->path_version);
        break;
    case STEP_EXPORTTOOL:
        if (status == 200 &&
            probe_parse_exporttool(b, t->body.len, t->export_version,
                                   sizeof t->export_version))
            snprintf(t->export_source, sizeof t->export_source,
                     "ECP export tool manifest");
        break;
    case STEP_EXPORTGUESS: {
        // Only a manifest of the CU the OWA path named counts: a server
        // that answers any path with one manifest tells nothing here.
        char found[32];
        size_t cl = strlen(t->path_version);
        if (status == 200 &&
            probe_parse_exporttool(b, t->body.len, found, sizeof found) &&
            strncmp(found, t->path_version, cl) == 0 && found[cl] == '.') {
            snprintf(t->export_version, sizeof t->export_version, "%s", found);
            snprintf(t->export_source, sizeof t->export_source,
                     "ECP export tool manifest of /ecp/%s/ (the OWA path's "
                     "CU, its listed builds tried)",
                     t->guesses[t->guess_next]);
        }
        t->guess_next++;
        break;
    }
    case STEP_PROXYLOGON:
        v = probe_header(h, t->headers.len, "X-CalculatedBETarget", &vl);
        t->proxylogon = v && util_memcasemem(v, vl, "localhost", 9) ? 1 : 0;
        break;
    case STEP_PROXYSHELL:
        t->proxyshell = status == 302 ? 1 : status == 400 ? 0 : 2;
        break;
    default:
        break;
    }
}

/* Fills t->guesses with the listed builds of the CU the OWA path named,
 * newest first (none when the table cannot be loaded). */
static void make_guesses(target *t, const build_table *table)
{
    size_t cl = strlen(t->path_version);
    if (!table || cl == 0)
        return;
    for (size_t i = build_table_count(table); i-- > 0;) {
        char v[32];
        build_table_version(table, i, v);
        if (strncmp(v, t->path_version, cl) != 0 || v[cl] != '.')
            continue;
        if (!t->guesses &&
            !(t->guesses = exh_calloc(MAX_GUESSES, sizeof *t->guesses)))
            return;
        if (t->guess_count < MAX_GUESSES)
            snprintf(t->guesses[t->guess_count++], sizeof *t->guesses, "%s", v);
    }
    // Newest first: the table lists a CU's builds oldest first, but sort
    // by revision in case it does not.
    for (size_t i = 1; i < t->guess_count; i++)
        for (size_t j = i; j > 0; j--) {
            uint16_t a[4], b[4];
            int pa, pb;
            if (!build_parse_version(t->guesses[j - 1], a, &pa) ||
                !build_parse_version(t->guesses[j], b, &pb) || a[3] >= b[3])
                break;
            char tmp[32];
            memcpy(tmp, t->guesses[j], sizeof tmp);
            memcpy(t->guesses[j], t->guesses[j - 1], sizeof tmp);
            memcpy(t->guesses[j - 1], tmp, sizeof tmp);
        }
}

/* The next step of t, or STEP__COUNT. table (loaded on first need through
 * *table) lists the builds STEP_EXPORTGUESS tries. */
static int next_step(const exh_prober *p, target *t, build_table **table,
                     bool *table_tried)
{
    int step = t->step;
    if (step == STEP_EXPORTTOOL && !t->owa_version[0] &&
        !t->export_version[0] && t->path_version[0]) {
        if (!*table_tried) {
            *table_tried = true;
            if (build_table_load(table) != EXH_OK)
                *table = NULL;
        }
        make_guesses(t, *table);
        if (t->guess_count > 0)
            return STEP_EXPORTGUESS;
    }
    if (step == STEP_EXPORTGUESS && !t->export_version[0] &&
        t->guess_next < t->guess_count)
        return STEP_EXPORTGUESS;
    step = step == STEP_LOGON       ? STEP_EXPORTTOOL
           : step < STEP_PROXYLOGON ? STEP_PROXYLOGON
                                    : step + 1;
    if (!p->active && step >= STEP_PROXYLOGON)
        return STEP__COUNT;
    return step;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the rate limit lets one more request start now: request k
 * (counting from 0) starts no earlier than k / rate seconds after t0. */
static bool rate_allows(const exh_prober *p, uint64_t started, double t0)
{
    return p->rate <= 0 || (double)started <= (now_s() - t0) * p->rate;
}

/* base URL of a target ("mail.example.org" gets https://). NULL when the
 * URL is not http(s) or holds a path other than "/". */
static char *base_of(const char *url, char *why, size_t why_size)
{
    const char *rest = url;
    const char *scheme = "https://";
    if (strncmp(url, "https://", 8) == 0) {
        rest = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        rest = url + 7;
        scheme = "http://";
    } else if (strstr(url, "://")) {
        snprintf(why, why_size, "only http and https URLs are probed");
        return NULL;
    }
    size_t host = strcspn(rest, "/?#");
    if (host == 0 || host > 255) {
        snprintf(why, why_size, "no host in the URL");
        return NULL;
    }
    for (size_t i = 0; i < host; i++)
        if ((unsigned char)rest[i] <= ' ' || rest[i] == '@' ||
            rest[i] == '\\') {
            snprintf(why, why_size, "a host with a blank, '@' or '\\'");
            return NULL;
        }
    size_t n = strlen(scheme) + host + 1;
    char *b = exh_malloc(n);
    if (b)
        snprintf(b, n, "%s%.*s", scheme, (int)host, rest);
    return b;
}

/* The host:port of a base URL, lower case, the port made explicit. */
static void host_key(const char *base, char *out, size_t size)
{
    bool tls = strncmp(base, "https://", 8) == 0;
    const char *h = base + (tls ? 8 : 7);
    size_t n = strlen(h), i;
    for (i = 0; i < n && i + 1 < size; i++)
        out[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
    out[i] = '\0';
    // "host:port" or "[v6]:port" has a port; "host" and "[v6]" do not.
    const char *close = strrchr(out, ']');
    const char *colon = strrchr(close ? close : out, ':');
    if (!colon)
        snprintf(out + i, size - i, ":%s", tls ? "443" : "80");
}

static int cmp_key(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

/* Gives each target the index of its host:port (targets of one host share
 * it); *hosts gets the number of hosts. */
static exh_status assign_hosts(target *ts, size_t count, size_t *hosts)
{
    enum { KEY = 272 };
    char *keys = exh_malloc(count * KEY + 1);
    char **order = exh_calloc(count ? count : 1, sizeof *order);
    if (!keys || !order) {
        exh_free(keys);
        exh_free(order);
        return EXH_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        char *k = keys + i * KEY;
        // The target's number follows the key's NUL, so that it can be
        // found back after sorting.
        if (ts[i].base)
            host_key(ts[i].base, k, KEY - sizeof(size_t));
        else
            k[0] = '\0';
        memcpy(k + KEY - sizeof(size_t), &i, sizeof i);
        order[i] = k;
    }
    qsort(order, count, sizeof *order, cmp_key);
    size_t h = 0;
    for (size_t j = 0; j < count; j++) {
        if (j > 0 && strcmp(order[j], order[j - 1]) != 0)
            h++;
        size_t i;
        memcpy(&i, order[j] + KEY - sizeof(size_t), sizeof i);
        ts[i].host = h;
    }
    *hosts = count ? h + 1 : 0;
    exh_free(order);
    exh_free(keys);
    return EXH_OK;
}

static void fill_result(target *t, exh_probe_result *r, exh_build **bp)
{
    memset(r, 0, sizeof *r);
    r->target = t->url;
    r->proxylogon = t->proxylogon;
    r->proxyshell = t->proxyshell;
    const char *v = NULL;
    if (t->owa_version[0]) {
        v = t->owa_version;
        r->version_source = "X-OWA-Version header of /owa/auth/logon.aspx";
    } else if (t->export_version[0]) {
        v = t->export_version;
        r->version_source = t->export_source;
    } else if (t->path_version[0]) {
        v = t->path_version;
        r->version_source = "OWA resource path of the logon page (CU level "
                            "only)";
    }
    r->version = v;
    if (v && exh_build_lookup(v, bp) == EXH_OK)
        r->build = exh_build_get(*bp);
    if (!t->reached)
        r->error = t->error[0] ? t->error : "no answer";
}

exh_status exh_prober_run(exh_prober *p, const char *const *urls, size_t count,
                          exh_probe_cb cb, void *user)
{
    if (!p || (!urls && count))
        return EXH_ERR_INVALID_ARG;
    p->errmsg[0] = '\0';
    const char *why = lazy_curl_load();
    if (why) {
        snprintf(p->errmsg, sizeof p->errmsg, "%s", why);
        return EXH_ERR_ENGINE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(p->errmsg, sizeof p->errmsg, "libcurl could not start");
        return EXH_ERR_ENGINE;
    }
    target *ts = exh_calloc(count ? count : 1, sizeof *ts);
    CURLM *multi = curl_multi_init();
    exh_status st = ts && multi ? EXH_OK : EXH_ERR_NOMEM;
    size_t next = 0, running = 0, reported = 0, hosts = 0;
    unsigned *on_host = NULL; /* connections open per host */
    // Targets whose next step waits for the rate limit, oldest first (a
    // ring: at most one entry per running target).
    size_t ring = count < p->concurrency ? count : p->concurrency;
    size_t *waiting = NULL, wait_head = 0, wait_len = 0;
    bool stop = false;
    double t0 = now_s();
    uint64_t started = 0;
    build_table *table = NULL; /* for STEP_EXPORTGUESS, loaded on need */
    bool table_tried = false;
    for (size_t i = 0; i < count && st == EXH_OK; i++) {
        ts[i].url = urls[i];
        ts[i].proxylogon = ts[i].proxyshell = -1;
        buf_init(&ts[i].headers, MAX_HEADER_BYTES + 1024);
        buf_init(&ts[i].body, MAX_BODY_BYTES + 1024);
        ts[i].base = base_of(urls[i], ts[i].error, sizeof ts[i].error);
        if (!ts[i].base)
            ts[i].step = STEP__COUNT;
    }
    if (st == EXH_OK)
        st = assign_hosts(ts, count, &hosts);
    if (st == EXH_OK &&
        (!(on_host = exh_calloc(hosts ? hosts : 1, sizeof *on_host)) ||
         !(waiting = exh_calloc(ring ? ring : 1, sizeof *waiting))))
        st = EXH_ERR_NOMEM;
    // How far past the first target not started the start loop looks for
    // one whose host has a free connection.
    size_t window = (size_t)p->concurrency * 4 + 64;
    while (st == EXH_OK && !stop && reported < count) {
        // Next steps that waited for the rate limit go first: their
        // targets hold connections already.
        while (st == EXH_OK && wait_len > 0 && rate_allows(p, started, t0)) {
            target *t = &ts[waiting[wait_head]];
            wait_head = (wait_head + 1) % ring;
            wait_len--;
            t->waiting = false;
            st = start_step(p, t, multi);
            started++;
        }
        // Start new targets while connections, the rate and the per-host
        // limit allow: the first ones not started whose host is not full.
        for (size_t i = next;
             st == EXH_OK && wait_len == 0 && i < count && i < next + window &&
             running < p->concurrency && rate_allows(p, started, t0);
             i++) {
            target *t = &ts[i];
            if (t->started)
                continue;
            if (t->step == STEP__COUNT) {
                t->started = true; // a bad URL: reported below
                continue;
            }
            if (on_host[t->host] >= p->per_host)
                continue;
            st = start_step(p, t, multi);
            if (st != EXH_OK)
                break;
            t->started = true;
            on_host[t->host]++;
            running++;
            started++;
        }
        while (next < count && ts[next].started)
            next++;
        int still = 0;
        if (st == EXH_OK && curl_multi_perform(multi, &still) != CURLM_OK)
            st = EXH_ERR_ENGINE;
        CURLMsg *msg;
        int left;
        while (st == EXH_OK && (msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            target *t = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            finish_step(t, msg->data.result);
            curl_multi_remove_handle(multi, t->easy);
            curl_easy_cleanup(t->easy);
            t->easy = NULL;
            // A target that does not answer at all is not asked again.
            t->step = t->reached ? next_step(p, t, &table, &table_tried)
                                 : STEP__COUNT;
            if (t->step < STEP__COUNT &&
                (wait_len > 0 || !rate_allows(p, started, t0))) {
                t->waiting = true; // it keeps its connection slot
                waiting[(wait_head + wait_len++) % ring] = (size_t)(t - ts);
            } else if (t->step < STEP__COUNT) {
                st = start_step(p, t, multi);
                started++;
            } else {
                running--;
                on_host[t->host]--;
            }
        }
        // Report finished targets in input order.
        while (st == EXH_OK && !stop && reported < next &&
               ts[reported].step == STEP__COUNT && !ts[reported].easy) {
            target *t = &ts[reported++];
            exh_probe_result r;
            exh_build *b = NULL;
            fill_result(t, &r, &b);
            if (cb && cb(&r, user) == EXH_STOP)
                stop = true;
            exh_build_free(b);
            buf_free(&t->headers);
            buf_free(&t->body);
            exh_free(t->guesses);
            t->guesses = NULL;
        }
        if (st == EXH_OK && (wait_len > 0 || next < count) && p->rate > 0)
            curl_multi_poll(multi, NULL, 0, 10, NULL);
        else if (st == EXH_OK && running > 0)
            curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    for (size_t i = 0; ts && i < count; i++) {
        if (ts[i].easy) {
            curl_multi_remove_handle(multi, ts[i].easy);
            curl_easy_cleanup(ts[i].easy);
        }
        exh_free(ts[i].base);
        exh_free(ts[i].guesses);
        buf_free(&ts[i].headers);
        buf_free(&ts[i].body);
    }
    if (multi)
        curl_multi_cleanup(multi);
    exh_free(on_host);
    exh_free(waiting);
    build_table_free(table);
    exh_free(ts);
    curl_global_cleanup();
    return st;
}

static const char *check_name(int v)
{
    return v == 1   ? "vulnerable"
           : v == 0 ? "not-vulnerable"
           : v == 2 ? "unclear"
                    : "not-checked";
}

const char *exh_probe_check_name(int value)
{
    return check_name(value);
}

static void json_opt(buf *j, const char *key, const char *value)
{
    buf_printf(j, ",\"%s\":", key);
    if (value)
        json_string(j, value, strlen(value));
    else
        buf_puts(j, "null");
}

exh_status exh_probe_result_write_json(const exh_probe_result *r, FILE *out)
{
    buf j;
    buf_init(&j, 1 << 16);
    buf_puts(&j, "{\"schema\":1,\"kind\":\"probe\",\"url\":");
    json_string(&j, r->target, strlen(r->target));
    json_opt(&j, "error", r->error);
    const exh_build_info *i = r->build;
    if (!i) {
        buf_puts(&j, ",\"build\":null");
    } else {
        buf_puts(&j, ",\"build\":{\"version\":");
        json_string(&j, i->version, strlen(i->version));
        json_opt(&j, "product", i->product);
        json_opt(&j, "update", i->update);
        json_opt(&j, "source", r->version_source);
        buf_printf(&j, ",\"cu_only\":%s,\"open_cve\":[",
                   i->cu_only ? "true" : "false");
        for (size_t k = 0; k < i->open_count; k++) {
            if (k)
                buf_putc(&j, ',');
            json_string(&j, i->open_cve[k], strlen(i->open_cve[k]));
        }
        buf_puts(&j, "]}");
    }
    buf_printf(&j, ",\"checks\":{\"proxylogon\":\"%s\",\"proxyshell\":\"%s\"}}",
               check_name(r->proxylogon), check_name(r->proxyshell));
    exh_status st = j.data && !j.toobig ? EXH_OK : EXH_ERR_NOMEM;
    if (st == EXH_OK &&
        (fwrite(j.data, 1, j.len, out) != j.len || fputc('\n', out) == EOF))
        st = EXH_ERR_IO;
    buf_free(&j);
    return st;
}

const char *exh_prober_errmsg(const exh_prober *p)
{
    return p && p->errmsg[0] ? p->errmsg : "no error";
}
