/* SPDX-License-Identifier: Apache-2.0 */
/*
 * correlate.c - links a unit's findings into attack stories: the related
 * ids of each finding, the summary's incidents and its attacker pivot.
 *
 * It runs once per unit on the findings in output order (finding_finish),
 * so the result depends on nothing but them: the same on every run and at
 * every -j. Memory is proportional to the findings, never to the input.
 *
 * Links (union-find over finding indices):
 * 1. session: findings of requests from one client address, each within
 *    30 minutes of the previous one (the ProxyLogon sequence autodiscover →
 *    mapi → proxyLogon.ecp → DDIService comes seconds apart);
 * 2. no-client exploitation (an ECP Server log's ExternalUrl change, an
 *    OAB generator's download path) and management commands of the remote
 *    PowerShell and ECP logs (a role grant, a mailbox export): the nearest
 *    exploitation request within 10 minutes (the Reset*VirtualDirectory
 *    call, the ProxyShell /powershell session that sent them);
 * 3. files: a file finding, an OAB DownloadPath or a Windows path written
 *    by a command (a mailbox export's FilePath) ↔ the requests whose URL
 *    stem is the URL path that file has under its web root (inetpub\wwwroot,
 *    FrontEnd\HttpProxy\<vdir>, ClientAccess\<vdir>): the shell, the
 *    request that planted it and every request that used it. A file under
 *    no known web root falls back to its script name (".aspx", ".ashx",
 *    ...) anywhere in a request, and its story says so;
 * 4. processes: an event-log finding that names the IIS worker (w3wp),
 *    an Exchange service or LSASS ↔ the nearest web-shell or exploitation
 *    finding within 30 minutes.
 * A group with an exploitation, web-shell or post-exploitation finding of
 * medium severity or above is an incident; findings of a group of two or
 * more list (up to RELATED_MAX of) the others, nearest first in order.
 *
 * The pivot's accounts also come from management commands (-Mailbox,
 * -User, -SourceMailboxes, a mailbox -Identity): the mailboxes exported or
 * searched and the accounts granted roles or permissions; and from the
 * X-Rps-CAT token in a ProxyShell request's URL (match/rpscat.c): the
 * mailbox the attacker's remote PowerShell ran as. An address that an
 * address IOC list (--ioc) holds names the list.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_GAP_MS   (30 * 60 * 1000LL)
#define NEAR_MS          (10 * 60 * 1000LL)
#define PROCESS_NEAR_MS  (30 * 60 * 1000LL)
#define RELATED_MAX      32
#define PIVOT_IDS_MAX    100
#define KEYS_PER_FINDING 8
#define VALUE_MAX        4160 /* an evidence value (scanner.c) and its mark */
#define STORY_MAX        8192

enum {
    ST_INITIAL = 1u << 0,
    ST_WEBSHELL = 1u << 1,
    ST_EXECUTION = 1u << 2,
    ST_CREDENTIAL = 1u << 3,
    ST_COLLECTION = 1u << 4,
    ST_PERSISTENCE = 1u << 5,
};
static const char *const stage_names[] = {
    "initial-access",    "webshell",   "execution",
    "credential-access", "collection", "persistence",
};
#define STAGE_COUNT (sizeof stage_names / sizeof *stage_names)

/* Evidence keys (lower case) that name a client, an account, an agent. */
static const char *const address_keys[] = {
    "clientipaddress", "c-ip",     "clientip",  "ipaddress",
    "sourceaddress",   "sourceip", "client-ip", "clientaddress",
    "address",         NULL};
static const char *const account_keys[] = {
    "authenticateduser", "cs-username", "targetusername", "username", "user",
    "anchormailbox",     NULL};
static const char *const agent_keys[] = {"useragent", "cs-user-agent",
                                         "cs(user-agent)", "user-agent", NULL};
static const char *const method_keys[] = {"method", "cs-method", NULL};
static const char *const query_keys[] = {"cs-uri-query", "urlquery", NULL};
static const char *const status_keys[] = {"httpstatus", "sc-status", NULL};
static const char *const stem_keys[] = {"cs-uri-stem", "urlstem", "line", NULL};
static const char *const script_exts[] = {".aspx", ".ashx", ".asmx",   ".asp",
                                          ".php",  ".jsp",  ".cshtml", NULL};

struct correlation {
    size_t count;
    char (*ids)[24];
    const char **related; /* flat: related_n[i] at related_off[i] */
    size_t *related_off, *related_n;
    exh_incident *inc;
    size_t inc_count;
    exh_pivot_item *pivot[EXH_PIVOT__COUNT];
    size_t pivot_count[EXH_PIVOT__COUNT];
    char **owned; /* strings and arrays freed with the correlation */
    size_t owned_count, owned_cap;
};

/* Keeps p to free later; frees it and returns NULL when that fails. */
static void *own(correlation *c, void *p)
{
    if (!p)
        return NULL;
    if (c->owned_count == c->owned_cap) {
        size_t cap = c->owned_cap ? c->owned_cap * 2 : 64;
        char **n = exh_realloc(c->owned, cap * sizeof *n);
        if (!n) {
            exh_free(p);
            return NULL;
        }
        c->owned = n;
        c->owned_cap = cap;
    }
    c->owned[c->owned_count++] = p;
    return p;
}

static const char *own_time(correlation *c, int64_t ms)
{
    if (ms == INT64_MIN)
        return NULL;
    char t[32];
    util_time_format(ms, t);
    return own(c, exh_strdup(t));
}

/* ---- evidence helpers -----------------------------------------------------
 */

static bool key_in(const char *key, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        if (util_strcasecmp(key, keys[i]) == 0)
            return true;
    }
    return false;
}

static bool blank(const char *v)
{
    return !v || !*v || strcmp(v, "-") == 0;
}

/* The first useful value of f under one of keys, or NULL. */
static const char *ev_get(const ifinding *f, const char *const *keys)
{
    for (size_t i = 0; i < f->evidence_count; i++) {
        const exh_kv *kv = &f->evidence[i];
        if (kv->key && key_in(kv->key, keys) && !blank(kv->value))
            return kv->value;
    }
    return NULL;
}

static const char *client_of(const ifinding *f)
{
    const char *v = ev_get(f, address_keys);
    if (!v || strcmp(v, "127.0.0.1") == 0 || strcmp(v, "::1") == 0)
        return NULL;
    return v;
}

/* An account worth listing: not a machine or built-in account, not the
 * ServerInfo~/Server~ target of an SSRF cookie. */
static bool account_ok(const char *key, const char *v)
{
    static const char *const builtin[] = {
        "SYSTEM",          "LOCAL SERVICE",        "NETWORK SERVICE",
        "ANONYMOUS LOGON", "NT AUTHORITY\\SYSTEM", NULL};
    if (blank(v) || key_in(v, builtin))
        return false;
    size_t n = strlen(v);
    if (v[n - 1] == '$')
        return false;
    if (util_strcasecmp(key, "anchormailbox") == 0)
        return strchr(v, '@') && !strchr(v, '/') && !strchr(v, '~');
    return true;
}

static exh_category cat_of(const exh_ruleset *rs, const ifinding *f)
{
    return finding_category(rs, f);
}

static bool is_story_cat(exh_category c)
{
    return c == EXH_CAT_EXPLOITATION || c == EXH_CAT_WEBSHELL ||
           c == EXH_CAT_POST_EXPLOITATION;
}

static void attack_of(const exh_ruleset *rs, const ifinding *f,
                      char *const **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (f->rule == SIZE_MAX)
        return;
    const sigma_meta *m = sigma_rule_meta(rs->rules[f->rule].sigma);
    *ids = m->attack;
    *n = m->attack_count;
}

static unsigned stage_of(const exh_ruleset *rs, const ifinding *f)
{
    exh_category cat = cat_of(rs, f);
    if (cat == EXH_CAT_EXPLOITATION || cat == EXH_CAT_ATTEMPT)
        return ST_INITIAL;
    if (cat == EXH_CAT_WEBSHELL)
        return ST_WEBSHELL;
    if (cat != EXH_CAT_POST_EXPLOITATION)
        return 0;
    char *const *ids;
    size_t n;
    unsigned st = 0;
    attack_of(rs, f, &ids, &n);
    for (size_t i = 0; i < n; i++) {
        const char *t = ids[i];
        if (strncmp(t, "T1003", 5) == 0)
            st |= ST_CREDENTIAL;
        else if (strncmp(t, "T1114", 5) == 0 || strncmp(t, "T1005", 5) == 0 ||
                 strncmp(t, "T1560", 5) == 0 || strncmp(t, "T1119", 5) == 0)
            st |= ST_COLLECTION;
        else if (strncmp(t, "T1059", 5) == 0 || strncmp(t, "T1047", 5) == 0 ||
                 strncmp(t, "T1569", 5) == 0 || strncmp(t, "T1106", 5) == 0)
            st |= ST_EXECUTION;
        else if (strncmp(t, "T1505.003", 9) == 0)
            st |= ST_WEBSHELL;
        else if (strncmp(t, "T1053", 5) == 0 || strncmp(t, "T1543", 5) == 0 ||
                 strncmp(t, "T1547", 5) == 0 || strncmp(t, "T1136", 5) == 0 ||
                 strncmp(t, "T1098", 5) == 0 || strncmp(t, "T1546", 5) == 0 ||
                 strncmp(t, "T1505", 5) == 0 || strncmp(t, "T1574", 5) == 0)
            st |= ST_PERSISTENCE;
    }
    if (!st)
        st = f->family == FAM_EVTX ? ST_EXECUTION : ST_PERSISTENCE;
    return st;
}

/* ---- file names in evidence -----------------------------------------------
 */

typedef struct fkey {
    char *name; /* lower-case base name */
    char *path; /* the Windows path a command or log wrote, or NULL */
    char *url;  /* lower-case URL path: a file's under its web root, a
                   request's URL stem; NULL when there is none */
    size_t idx;
    bool anchor;  /* a file, not a request for one */
    bool by_name; /* a file with no URL tied to requests by its name */
} fkey;

typedef struct fkeys {
    fkey *items;
    size_t count, cap;
} fkeys;

/* A path through this server's own administrative share
 * ("\\127.0.0.1\c$\inetpub\x.aspx", as ProxyShell's mailbox exports
 * write; collapsed to one leading backslash or two) becomes the local path
 * "C:\inetpub\x.aspx", in place. Other hosts' shares stay as they are. */
static void unc_to_drive(char *p)
{
    static const char *const local[] = {"127.0.0.1", "localhost", "::1", NULL};
    const char *h = p;
    while (*h == '\\' && h - p < 2)
        h++;
    if (h == p)
        return;
    const char *he = strchr(h, '\\');
    if (!he)
        return;
    bool ok = false;
    for (size_t i = 0; local[i] && !ok; i++)
        ok = (size_t)(he - h) == strlen(local[i]) &&
             strncasecmp(h, local[i], (size_t)(he - h)) == 0;
    char d = he[1];
    if (!ok || !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) ||
        he[2] != '$' || he[3] != '\\')
        return;
    p[0] = (char)(d >= 'a' ? d - 32 : d);
    p[1] = ':';
    memmove(p + 2, he + 3, strlen(he + 3) + 1);
}

/* The web folders of IIS's Default Web Site (inetpub\wwwroot, its
 * aspnet_client included) and of Exchange's front-end (FrontEnd\HttpProxy)
 * and back-end (ClientAccess) web applications, and the URL path each
 * serves: the physical paths Exchange gives its virtual directories, as
 * CSS-Exchange's Health Checker lists them. Lower case, '/' separated. */
static const struct web_root {
    const char *folder, *url;
} web_roots[] = {
    {"/inetpub/wwwroot/", "/"},
    {"/frontend/httpproxy/owa/", "/owa/"},
    {"/frontend/httpproxy/ecp/", "/ecp/"},
    {"/frontend/httpproxy/ews/", "/ews/"},
    {"/frontend/httpproxy/rest/", "/api/"},
    {"/frontend/httpproxy/autodiscover/", "/autodiscover/"},
    {"/frontend/httpproxy/sync/", "/microsoft-server-activesync/"},
    {"/frontend/httpproxy/oab/", "/oab/"},
    {"/frontend/httpproxy/powershell/", "/powershell/"},
    {"/frontend/httpproxy/mapi/", "/mapi/"},
    {"/frontend/httpproxy/rpc/", "/rpc/"},
    {"/frontend/httpproxy/pushnotifications/", "/pushnotifications/"},
    {"/clientaccess/owa/", "/owa/"},
    {"/clientaccess/ecp/", "/ecp/"},
    {"/clientaccess/exchweb/ews/", "/ews/"},
    {"/clientaccess/rest/", "/api/"},
    {"/clientaccess/autodiscover/", "/autodiscover/"},
    {"/clientaccess/sync/", "/microsoft-server-activesync/"},
    {"/clientaccess/oab/", "/oab/"},
    {"/clientaccess/powershell-proxy/", "/powershell/"},
    {"/clientaccess/mapi/", "/mapi/"},
    {"/clientaccess/pushnotifications/", "/pushnotifications/"},
};

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
}

/* The URL path that reaches the file at path (a Windows path, or a path
 * of the evidence with '/'), lower case, in *out; NULL when it lies under
 * no web root above or on another host's share. */
static exh_status web_url(const char *path, char **out)
{
    *out = NULL;
    // A share ("\\host\share\...", or collapsed to one backslash) that
    // is not this server's own admin share: not its web root.
    if (path[0] == '\\' || (path[0] == '/' && path[1] == '/'))
        return EXH_OK;
    char *p = exh_malloc(strlen(path) + 2);
    if (!p)
        return EXH_ERR_NOMEM;
    // A leading '/' lets a relative evidence path match "/inetpub/...".
    size_t n = 0;
    p[n++] = '/';
    for (const char *c = path; *c; c++)
        p[n++] = *c == '\\' ? '/' : *c;
    p[n] = '\0';
    lower_ascii(p);
    // The outermost root the path passes through.
    const char *at = NULL;
    const struct web_root *root = NULL;
    for (size_t i = 0; i < sizeof web_roots / sizeof *web_roots; i++) {
        const char *w = strstr(p, web_roots[i].folder);
        if (w && (!at || w < at)) {
            at = w;
            root = &web_roots[i];
        }
    }
    exh_status st = EXH_OK;
    if (root) {
        const char *rest = at + strlen(root->folder);
        size_t ul = strlen(root->url), rl = strlen(rest);
        if ((*out = exh_malloc(ul + rl + 1))) {
            memcpy(*out, root->url, ul);
            memcpy(*out + ul, rest, rl + 1);
        } else {
            st = EXH_ERR_NOMEM;
        }
    }
    exh_free(p);
    return st;
}

static exh_status fkeys_push(fkeys *k, const char *tok, size_t len, size_t idx,
                             bool anchor, bool keep_path, bool stem)
{
    size_t base = len;
    while (base > 0 && tok[base - 1] != '\\' && tok[base - 1] != '/')
        base--;
    if (base == len || len - base > 255)
        return EXH_OK;
    if (k->count == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        fkey *p = exh_realloc(k->items, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        k->items = p;
        k->cap = cap;
    }
    fkey *e = &k->items[k->count];
    e->name = exh_strndup(tok + base, len - base);
    e->path = e->url = NULL;
    e->by_name = false;
    if (!e->name)
        return EXH_ERR_NOMEM;
    lower_ascii(e->name);
    exh_status st = EXH_OK;
    if (keep_path) {
        // Logs write "C:\\inetpub\\...": one backslash is the path.
        e->path = exh_malloc(len + 1);
        if (!e->path) {
            exh_free(e->name);
            return EXH_ERR_NOMEM;
        }
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
            if (tok[i] == '\\' && i + 1 < len && tok[i + 1] == '\\')
                i++;
            e->path[o++] = tok[i];
        }
        e->path[o] = '\0';
        unc_to_drive(e->path);
        st = web_url(e->path, &e->url);
    } else if (stem && tok[0] == '/') {
        // The URL stem of a request (its query is not part of it).
        if ((e->url = exh_strndup(tok, len)))
            lower_ascii(e->url);
        else
            st = EXH_ERR_NOMEM;
    }
    if (st != EXH_OK) {
        exh_free(e->name);
        exh_free(e->path);
        return st;
    }
    e->idx = idx;
    e->anchor = anchor;
    k->count++;
    return EXH_OK;
}

static bool token_stop(char c)
{
    return c == '"' || c == '\'' || c == '=' || c == '(' || c == ')' ||
           c == ',' || c == ';' || c == '<' || c == '>' || c == '\t' ||
           c == '\r' || c == '\n' || c == '|' || c == '`';
}

/* Adds the script names (".aspx", ...) that stand in value. A name in a
 * Windows path ("\\") is a file written (an anchor); one in a URL is a
 * request for it, and stem says value is the request's URL stem (a path
 * there from '/' is what the request reached). */
static exh_status scan_value(fkeys *k, const char *v, size_t idx, bool is_path,
                             bool stem, size_t *budget)
{
    size_t len = strlen(v);
    for (size_t e = 0; script_exts[e] && *budget; e++) {
        size_t el = strlen(script_exts[e]);
        const char *p = v;
        while (*budget && (p = util_memcasemem(p, len - (size_t)(p - v),
                                               script_exts[e], el))) {
            const char *end = p + el;
            char next = *end;
            bool word_end =
                !((next >= 'a' && next <= 'z') ||
                  (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9'));
            if (word_end) {
                const char *s = p;
                while (s > v && !token_stop(s[-1]) && (is_path || s[-1] != ' '))
                    s--;
                bool win = memchr(s, '\\', (size_t)(end - s)) != NULL;
                EXH_TRY(fkeys_push(k, s, (size_t)(end - s), idx, win || is_path,
                                   win || is_path, stem));
                (*budget)--;
            }
            p = end;
        }
    }
    return EXH_OK;
}

static exh_status collect_keys(const exh_ruleset *rs, const ifinding *fs,
                               size_t count, fkeys *k)
{
    for (size_t i = 0; i < count; i++) {
        const ifinding *f = &fs[i];
        exh_category cat = cat_of(rs, f);
        if (f->file) {
            const char *p = f->windows_path ? f->windows_path : f->source_path;
            if (p)
                EXH_TRY(fkeys_push(k, p, strlen(p), i, true, true, false));
            continue;
        }
        if (!is_story_cat(cat))
            continue;
        size_t budget = KEYS_PER_FINDING;
        for (size_t e = 0; e < f->evidence_count && budget; e++) {
            const exh_kv *kv = &f->evidence[e];
            if (!kv->key || blank(kv->value))
                continue;
            bool path = util_strcasecmp(kv->key, "DownloadPath") == 0;
            // The URL stem of IIS (cs-uri-stem) and HttpProxy (UrlStem)
            // records; a log line that a YARA rule matched holds it too.
            bool stem = key_in(kv->key, stem_keys);
            EXH_TRY(scan_value(k, kv->value, i, path, stem, &budget));
        }
    }
    return EXH_OK;
}

/* Two URL paths (or none) are the same. */
static bool same_url(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int cmp_fkey(const void *a, const void *b)
{
    const fkey *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    // Keys without a URL first, then by URL.
    if (!same_url(x->url, y->url))
        return !x->url ? -1 : !y->url ? 1 : strcmp(x->url, y->url);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void fkeys_free(fkeys *k)
{
    for (size_t i = 0; i < k->count; i++) {
        exh_free(k->items[i].name);
        exh_free(k->items[i].path);
        exh_free(k->items[i].url);
    }
    exh_free(k->items);
}

/* ---- union-find ------------------------------------------------------------
 */

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    // The smaller index is the root, so roots are each group's first.
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

typedef struct cpair {
    const char *client;
    size_t idx;
} cpair;

static int cmp_cpair(const void *a, const void *b)
{
    const cpair *x = a, *y = b;
    int c = strcmp(x->client, y->client);
    if (c)
        return c;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The index in cand (time-ordered finding indices) nearest in time to t
 * within limit, or SIZE_MAX. */
static size_t nearest(const ifinding *fs, const size_t *cand, size_t n,
                      int64_t t, int64_t limit)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fs[cand[mid]].time_ms < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t best = SIZE_MAX;
    int64_t best_d = limit + 1;
    for (size_t k = lo > 0 ? lo - 1 : 0; k < n && k <= lo; k++) {
        int64_t d = fs[cand[k]].time_ms - t;
        if (d < 0)
            d = -d;
        if (d < best_d) {
            best_d = d;
            best = cand[k];
        }
    }
    return best;
}

static bool names_process(const ifinding *f)
{
    static const char *const words[] = {"w3wp", "umworkerprocess", "msexchange",
                                        "lsass", NULL};
    for (size_t e = 0; e < f->evidence_count; e++) {
        const char *v = f->evidence[e].value;
        if (!v)
            continue;
        size_t len = strlen(v);
        for (size_t w = 0; words[w]; w++) {
            if (util_memcasemem(v, len, words[w], strlen(words[w])))
                return true;
        }
    }
    return false;
}

static exh_status link_all(const exh_ruleset *rs, const ifinding *fs,
                           size_t count, size_t *parent, fkeys *keys)
{
    exh_status st = EXH_OK;
    cpair *pairs = exh_calloc(count ? count : 1, sizeof *pairs);
    size_t *cand = exh_calloc(count ? count : 1, sizeof *cand);
    if (!pairs || !cand) {
        st = EXH_ERR_NOMEM;
        goto out;
    }
    // 1. Sessions of one client.
    size_t np = 0;
    for (size_t i = 0; i < count; i++) {
        exh_category cat = cat_of(rs, &fs[i]);
        const char *cl = client_of(&fs[i]);
        if (cl && cat != EXH_CAT_VULNERABLE && fs[i].time_ms != INT64_MIN)
            pairs[np++] = (cpair){cl, i};
    }
    if (np)
        qsort(pairs, np, sizeof *pairs, cmp_cpair);
    for (size_t k = 1; k < np; k++) {
        const ifinding *a = &fs[pairs[k - 1].idx], *b = &fs[pairs[k].idx];
        int64_t a_end = a->last_ms != INT64_MIN && a->last_ms > a->time_ms
                            ? a->last_ms
                            : a->time_ms;
        if (strcmp(pairs[k - 1].client, pairs[k].client) == 0 &&
            b->time_ms - a_end <= SESSION_GAP_MS)
            uf_union(parent, pairs[k - 1].idx, pairs[k].idx);
    }
    // 2. Exploitation without a client: the nearest exploitation request.
    size_t nc = 0;
    for (size_t i = 0; i < count; i++) {
        if (fs[i].time_ms != INT64_MIN && client_of(&fs[i]) &&
            cat_of(rs, &fs[i]) == EXH_CAT_EXPLOITATION)
            cand[nc++] = i;
    }
    for (size_t i = 0; i < count && nc; i++) {
        exh_category cat = cat_of(rs, &fs[i]);
        // A management command a log wrote without a client (remote
        // PowerShell's or ECP's) follows the request that sent it;
        // event-log findings are tied by process below.
        bool command =
            cat == EXH_CAT_POST_EXPLOITATION &&
            (fs[i].family == FAM_RPS || fs[i].family == FAM_ECP_SERVER ||
             fs[i].family == FAM_ECP_ACTIVITY);
        if (fs[i].time_ms == INT64_MIN || fs[i].file || client_of(&fs[i]) ||
            (cat != EXH_CAT_EXPLOITATION && !command))
            continue;
        size_t j = nearest(fs, cand, nc, fs[i].time_ms, NEAR_MS);
        if (j != SIZE_MAX)
            uf_union(parent, i, j);
    }
    // 3. Files: every finding that names one planted file.
    st = collect_keys(rs, fs, count, keys);
    if (st != EXH_OK)
        goto out;
    if (keys->count)
        qsort(keys->items, keys->count, sizeof *keys->items, cmp_fkey);
    for (size_t a = 0; a < keys->count;) {
        fkey *it = keys->items;
        size_t b = a;
        bool unmapped = false, request = false;
        while (b < keys->count && strcmp(it[b].name, it[a].name) == 0) {
            unmapped |= it[b].anchor && !it[b].url;
            request |= !it[b].anchor;
            b++;
        }
        // A file under a web root: the requests whose URL stem is its URL
        // path, and whatever else names that path.
        for (size_t u = a; u < b;) {
            size_t e = u;
            bool anchor = false;
            while (e < b && same_url(it[u].url, it[e].url))
                anchor |= it[e++].anchor;
            for (size_t k = u + 1; anchor && it[u].url && k < e; k++)
                uf_union(parent, it[u].idx, it[k].idx);
            u = e;
        }
        // A file whose path maps to no URL: everything of its name, and
        // the story says so.
        for (size_t k = a; unmapped && k < b; k++) {
            uf_union(parent, it[a].idx, it[k].idx);
            it[k].by_name = request && it[k].anchor && !it[k].url;
        }
        a = b;
    }
    // 4. Processes: event-log findings near a web shell or exploitation.
    nc = 0;
    for (size_t i = 0; i < count; i++) {
        exh_category cat = cat_of(rs, &fs[i]);
        if (fs[i].time_ms != INT64_MIN && fs[i].family != FAM_EVTX &&
            (cat == EXH_CAT_WEBSHELL || cat == EXH_CAT_EXPLOITATION))
            cand[nc++] = i;
    }
    for (size_t i = 0; i < count && nc; i++) {
        exh_category cat = cat_of(rs, &fs[i]);
        if (fs[i].family != FAM_EVTX || fs[i].time_ms == INT64_MIN ||
            cat == EXH_CAT_VULNERABLE || cat == EXH_CAT_ATTEMPT ||
            !(names_process(&fs[i]) || (stage_of(rs, &fs[i]) & ST_CREDENTIAL)))
            continue;
        size_t j = nearest(fs, cand, nc, fs[i].time_ms, PROCESS_NEAR_MS);
        if (j != SIZE_MAX)
            uf_union(parent, i, j);
    }
out:
    exh_free(pairs);
    exh_free(cand);
    return st;
}

/* ---- pivot ------------------------------------------------------------------
 */

typedef struct pentry {
    int list;
    const char *value; /* borrowed from the findings or the keys */
    size_t idx;
} pentry;

static int cmp_pentry(const void *a, const void *b)
{
    const pentry *x = a, *y = b;
    if (x->list != y->list)
        return x->list - y->list;
    int c = util_strcasecmp(x->value, y->value);
    if (c)
        return c;
    c = strcmp(x->value, y->value);
    if (c)
        return c;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_item(const void *a, const void *b)
{
    const exh_pivot_item *x = a, *y = b;
    // First seen first; timeless last; then by value.
    if (x->first && y->first) {
        int c = strcmp(x->first, y->first);
        if (c)
            return c;
    } else if (x->first || y->first) {
        return x->first ? -1 : 1;
    }
    return strcmp(x->value, y->value);
}

/* A Windows path "X:\\rest": its rest, or NULL. */
static const char *drive_rest(const char *v)
{
    return v && v[0] && v[1] == ':' && v[2] == '\\' ? v + 2 : NULL;
}

static int cmp_rest(const void *a, const void *b)
{
    const pentry *x = *(pentry *const *)a, *y = *(pentry *const *)b;
    int c = util_strcasecmp(drive_rest(x->value), drive_rest(y->value));
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* A file whose drive is not known ("?:\\...", a mounted volume or a disk
 * image) is the same file as the one a log names with its letter, when
 * exactly one letter names that path: the pivot lists it once, by the
 * lettered name. With two letters the unknown one stays apart. */
static exh_status merge_unknown_drives(pentry *pe, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += pe[i].list == EXH_PIVOT_FILES && drive_rest(pe[i].value);
    if (m < 2)
        return EXH_OK;
    pentry **by = exh_calloc(m, sizeof *by);
    if (!by)
        return EXH_ERR_NOMEM;
    m = 0;
    for (size_t i = 0; i < n; i++) {
        if (pe[i].list == EXH_PIVOT_FILES && drive_rest(pe[i].value))
            by[m++] = &pe[i];
    }
    qsort(by, m, sizeof *by, cmp_rest);
    for (size_t a = 0; a < m;) {
        size_t b = a;
        const char *named = NULL;
        bool two = false;
        while (b < m && util_strcasecmp(drive_rest(by[a]->value),
                                        drive_rest(by[b]->value)) == 0) {
            char d = by[b]->value[0];
            if (d != '?') {
                if (named && (named[0] | 32) != (d | 32))
                    two = true;
                if (!named)
                    named = by[b]->value;
            }
            b++;
        }
        for (size_t k = a; named && !two && k < b; k++) {
            if (by[k]->value[0] == '?')
                by[k]->value = named;
        }
        a = b;
    }
    exh_free(by);
    return EXH_OK;
}

static int64_t end_of(const ifinding *f)
{
    return f->last_ms != INT64_MIN && f->last_ms > f->time_ms ? f->last_ms
                                                              : f->time_ms;
}

/* ---- accounts in management commands -------------------------------------
 */

#define CMD_ACCOUNTS_MAX 4

static bool param_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Adds item (len bytes, untrusted) to out when it can name an account or a
 * mailbox: 1..256 bytes, printable, not a built-in or machine account;
 * for -Identity only a mailbox address (an '@', no path). */
static void cmd_item(const char *item, size_t len, bool identity, char **out,
                     size_t *n)
{
    while (len && (*item == ' ' || *item == '"' || *item == '\'')) {
        item++;
        len--;
    }
    while (len && (item[len - 1] == ' ' || item[len - 1] == '"' ||
                   item[len - 1] == '\''))
        len--;
    if (!len || len > 256 || *n >= CMD_ACCOUNTS_MAX)
        return;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)item[i] < 0x20 || item[i] == 0x7f)
            return;
    }
    if (identity && (!memchr(item, '@', len) || memchr(item, '\\', len) ||
                     memchr(item, '/', len)))
        return;
    char *v = exh_strndup(item, len);
    if (!v)
        return; // out of memory: one account fewer, never a wrong one
    if (!account_ok("user", v)) {
        exh_free(v);
        return;
    }
    for (size_t i = 0; i < *n; i++) {
        if (util_strcasecmp(out[i], v) == 0) {
            exh_free(v);
            return;
        }
    }
    out[(*n)++] = v;
}

/* The accounts and mailboxes a PowerShell command line v names: the values
 * of -Mailbox, -User and -SourceMailboxes (each item of a comma list), and
 * of -Identity when it is a mailbox address (Add-MailboxPermission's
 * target, not an export request's or a virtual directory's name). Up to
 * CMD_ACCOUNTS_MAX distinct values, allocated, in out. */
static void cmd_accounts(const char *v, size_t len, char **out, size_t *n)
{
    static const char *const names[] = {"mailbox", "user", "sourcemailboxes",
                                        "identity", NULL};
    for (size_t i = 0; i < len && *n < CMD_ACCOUNTS_MAX; i++) {
        if (v[i] != '-' || (i > 0 && v[i - 1] != ' ' && v[i - 1] != '\t'))
            continue;
        size_t ns = i + 1, ne = ns;
        while (ne < len && param_char(v[ne]))
            ne++;
        size_t k = 0;
        for (; names[k]; k++) {
            if (ne - ns == strlen(names[k]) &&
                strncasecmp(v + ns, names[k], ne - ns) == 0)
                break;
        }
        if (!names[k] || ne >= len || (v[ne] != ' ' && v[ne] != ':'))
            continue;
        size_t p = ne + 1;
        while (p < len && v[p] == ' ')
            p++;
        if (p >= len || v[p] == '-')
            continue; // a switch, no value
        // A value, or a comma list of them ("a","b" or a,b).
        size_t end = p;
        for (;;) {
            if (v[end] == '"' || v[end] == '\'') {
                const char *q = memchr(v + end + 1, v[end], len - end - 1);
                end = q ? (size_t)(q - v) + 1 : len;
            } else {
                while (end < len && v[end] != ' ' && v[end] != '\t' &&
                       v[end] != ',')
                    end++;
            }
            if (end + 1 >= len || v[end] != ',')
                break;
            end++;
        }
        bool identity = strcmp(names[k], "identity") == 0;
        for (size_t a = p; a < end;) {
            const char *comma = memchr(v + a, ',', end - a);
            size_t b = comma ? (size_t)(comma - v) : end;
            cmd_item(v + a, b - a, identity, out, n);
            a = b + 1;
        }
        i = end > i ? end - 1 : i;
    }
}

/* a and b are findings of one single log record. */
static bool same_record(const ifinding *a, const ifinding *b)
{
    return a && a->line && a->line == b->line && a->count <= 1 &&
           b->count <= 1 && !a->file && !b->file && a->source_path &&
           b->source_path && strcmp(a->source_path, b->source_path) == 0;
}

static exh_status build_pivot(correlation *c, const exh_ruleset *rs,
                              const ifinding *fs, size_t count,
                              const fkeys *keys)
{
    // Per finding: an address, an agent, up to CMD_ACCOUNTS_MAX accounts
    // from its fields and as many from its commands, and the account of an
    // X-Rps-CAT token in its URL.
    size_t cap = count * (3 + 2 * CMD_ACCOUNTS_MAX) + keys->count + 1, n = 0;
    pentry *pe = exh_calloc(cap, sizeof *pe);
    // The accounts read from commands and tokens: freed at the end.
    char **cmd = exh_calloc(count * (CMD_ACCOUNTS_MAX + 1) + 1, sizeof *cmd);
    size_t ncmd = 0;
    exh_status st = EXH_ERR_NOMEM;
    if (!pe || !cmd)
        goto out;
    for (size_t i = 0; i < count; i++) {
        const ifinding *f = &fs[i];
        exh_category cat = cat_of(rs, f);
        if (cat == EXH_CAT_VULNERABLE)
            continue;
        const char *v = client_of(f);
        if (v)
            pe[n++] = (pentry){EXH_PIVOT_ADDRESSES, v, i};
        size_t nacc = 0;
        for (size_t e = 0; e < f->evidence_count; e++) {
            const exh_kv *kv = &f->evidence[e];
            if (nacc < CMD_ACCOUNTS_MAX && kv->key &&
                key_in(kv->key, account_keys) &&
                account_ok(kv->key, kv->value)) {
                pe[n++] = (pentry){EXH_PIVOT_ACCOUNTS, kv->value, i};
                nacc++;
            }
        }
        // The mailboxes and accounts a management command names.
        bool commands = f->family == FAM_RPS || f->family == FAM_ECP_SERVER ||
                        f->family == FAM_ECP_ACTIVITY || f->family == FAM_EVTX;
        if (commands && !f->file && is_story_cat(cat)) {
            size_t first = ncmd, got = 0;
            for (size_t e = 0; e < f->evidence_count && got < CMD_ACCOUNTS_MAX;
                 e++) {
                const exh_kv *kv = &f->evidence[e];
                if (!kv->value)
                    continue;
                char *found[CMD_ACCOUNTS_MAX];
                size_t nf = 0;
                cmd_accounts(kv->value, strlen(kv->value), found, &nf);
                for (size_t k = 0; k < nf; k++) {
                    bool dup = false;
                    for (size_t j = first; j < ncmd && !dup; j++)
                        dup = util_strcasecmp(cmd[j], found[k]) == 0;
                    if (dup || got == CMD_ACCOUNTS_MAX) {
                        exh_free(found[k]);
                        continue;
                    }
                    cmd[ncmd++] = found[k];
                    got++;
                    pe[n++] = (pentry){EXH_PIVOT_ACCOUNTS, found[k], i};
                }
            }
        }
        // The account a ProxyShell request's X-Rps-CAT token runs as.
        if ((v = ev_get(f, query_keys))) {
            char logon[257], sid[185];
            if (rpscat_account(v, strlen(v), logon, sizeof logon, sid,
                               sizeof sid)) {
                const char *who = *logon ? logon : sid;
                char *a = account_ok("user", who) ? exh_strdup(who) : NULL;
                if (a) {
                    cmd[ncmd++] = a;
                    pe[n++] = (pentry){EXH_PIVOT_ACCOUNTS, a, i};
                }
            }
        }
        if ((v = ev_get(f, agent_keys)))
            pe[n++] = (pentry){EXH_PIVOT_USER_AGENTS, v, i};
    }
    for (size_t k = 0; k < keys->count; k++) {
        if (keys->items[k].path)
            pe[n++] = (pentry){EXH_PIVOT_FILES, keys->items[k].path,
                               keys->items[k].idx};
    }
    if (merge_unknown_drives(pe, n) != EXH_OK)
        goto out;
    if (n)
        qsort(pe, n, sizeof *pe, cmp_pentry);
    for (int list = 0; list < EXH_PIVOT__COUNT; list++) {
        size_t groups = 0;
        for (size_t a = 0; a < n; a++) {
            if (pe[a].list == list &&
                (a == 0 || pe[a - 1].list != list ||
                 util_strcasecmp(pe[a - 1].value, pe[a].value) != 0))
                groups++;
        }
        if (!groups)
            continue;
        exh_pivot_item *items = own(c, exh_calloc(groups, sizeof *items));
        if (!items)
            goto out;
        size_t g = 0;
        for (size_t a = 0; a < n;) {
            if (pe[a].list != list) {
                a++;
                continue;
            }
            size_t b = a;
            while (b < n && pe[b].list == list &&
                   util_strcasecmp(pe[a].value, pe[b].value) == 0)
                b++;
            exh_pivot_item *it = &items[g++];
            size_t vlen = strlen(pe[a].value);
            it->value =
                own(c, exh_strndup(pe[a].value, json_utf8_cut(pe[a].value, vlen,
                                                              VALUE_MAX)));
            const char **ids = own(c, exh_calloc(b - a, sizeof *ids));
            if (!it->value || !ids)
                goto out;
            // The address IOC lists that hold it (their names live as long
            // as the ruleset).
            if (list == EXH_PIVOT_ADDRESSES && rs->addrs.count) {
                const char **names =
                    own(c, exh_calloc(rs->addrs.list_count, sizeof *names));
                if (!names)
                    goto out;
                it->ioc_count = addr_set_lists(&rs->addrs, pe[a].value, names);
                it->ioc = it->ioc_count ? names : NULL;
            }
            int64_t first = INT64_MIN, last = INT64_MIN;
            size_t prev = SIZE_MAX;
            for (size_t k = a; k < b; k++) {
                const ifinding *f = &fs[pe[k].idx];
                if (pe[k].idx == prev)
                    continue; // one finding naming one file twice
                // Two rules (or a rule and an IOC) on one log record: the
                // record counts once.
                if (!same_record(prev == SIZE_MAX ? NULL : &fs[prev], f))
                    it->count += f->count ? f->count : 1;
                prev = pe[k].idx;
                if (f->time_ms != INT64_MIN &&
                    (first == INT64_MIN || f->time_ms < first))
                    first = f->time_ms;
                if (f->time_ms != INT64_MIN && end_of(f) > last)
                    last = end_of(f);
                if (it->finding_count < PIVOT_IDS_MAX)
                    ids[it->finding_count++] = c->ids[pe[k].idx];
            }
            it->findings = ids;
            it->first = own_time(c, first);
            it->last = own_time(c, last);
            a = b;
        }
        qsort(items, groups, sizeof *items, cmp_item);
        c->pivot[list] = items;
        c->pivot_count[list] = groups;
    }
    st = EXH_OK;
out:
    for (size_t i = 0; i < ncmd; i++)
        exh_free(cmd[i]);
    exh_free(cmd);
    exh_free(pe);
    return st;
}

/* ---- incidents
 * ---------------------------------------------------------------- */

/* Appends v to list (of up to max distinct values) unless it is there;
 * counts the values that did not fit in *more. */
static void distinct_add(const char **list, size_t *n, size_t max, size_t *more,
                         const char *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (util_strcasecmp(list[i], v) == 0)
            return;
    }
    if (*n < max)
        list[(*n)++] = v;
    else
        (*more)++;
}

static void put_list(buf *b, const char *const *list, size_t n, size_t more,
                     const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        // At most 200 bytes, never inside a character; "..." says so.
        size_t len = strlen(list[i]), cut = json_utf8_cut(list[i], len, 200);
        buf_printf(b, "%s%.*s%s", i ? sep : "", (int)cut, list[i],
                   cut < len ? "..." : "");
    }
    if (more)
        buf_printf(b, " and %zu more", more);
}

static const char *story_of(correlation *c, const exh_ruleset *rs,
                            const ifinding *fs, const size_t *mem, size_t m,
                            const fkeys *keys, const size_t *key_first,
                            const size_t *korder, unsigned stages)
{
    const char *clients[3], *agents[3], *cves[8], *files[3], *posts[3],
        *shells[3], *methods[4], *codes[4], *users[3], *uagents[2], *named[3];
    size_t ncl = 0, nag = 0, ncv = 0, nfi = 0, npo = 0, nsh = 0, nme = 0,
           nco = 0, nus = 0, nua = 0, nna = 0, mus = 0, mua = 0, mcl = 0,
           mag = 0, mcv = 0, mfi = 0, mpo = 0, msh = 0, mme = 0, mco = 0,
           mna = 0;
    const ifinding *exploit = NULL, *prev_req = NULL;
    size_t exploit_idx = 0;
    uint64_t uses = 0, events = 0, posts_n = 0;
    int64_t start = INT64_MIN, end = INT64_MIN, use_first = INT64_MIN,
            use_last = INT64_MIN;
    for (size_t k = 0; k < m; k++) {
        const ifinding *f = &fs[mem[k]];
        exh_category cat = cat_of(rs, f);
        if (f->time_ms != INT64_MIN) {
            if (start == INT64_MIN || f->time_ms < start)
                start = f->time_ms;
            if (end_of(f) > end)
                end = end_of(f);
        }
        distinct_add(clients, &ncl, 3, &mcl, client_of(f));
        distinct_add(agents, &nag, 3, &mag, ev_get(f, agent_keys));
        if (f->rule != SIZE_MAX) {
            const sigma_meta *sm = sigma_rule_meta(rs->rules[f->rule].sigma);
            for (size_t i = 0; i < sm->cve_count; i++)
                distinct_add(cves, &ncv, 8, &mcv, sm->cve[i]);
        }
        if (cat == EXH_CAT_EXPLOITATION && !exploit &&
            finding_severity(rs, f) <= EXH_SEV_HIGH) {
            exploit = f;
            exploit_idx = mem[k];
        }
        if (f->file &&
            (cat == EXH_CAT_WEBSHELL || cat == EXH_CAT_POST_EXPLOITATION))
            distinct_add(shells, &nsh, 3, &msh,
                         f->windows_path ? f->windows_path : f->source_path);
        // Two rules on one log line are one request.
        bool same_line = prev_req && prev_req->line == f->line &&
                         prev_req->source_path && f->source_path &&
                         strcmp(prev_req->source_path, f->source_path) == 0;
        if (!f->file && cat == EXH_CAT_WEBSHELL && !same_line) {
            prev_req = f;
            uses += f->count ? f->count : 1;
            if (f->time_ms != INT64_MIN &&
                (use_first == INT64_MIN || f->time_ms < use_first))
                use_first = f->time_ms;
            if (f->time_ms != INT64_MIN && end_of(f) > use_last)
                use_last = end_of(f);
            distinct_add(methods, &nme, 4, &mme, ev_get(f, method_keys));
            distinct_add(users, &nus, 3, &mus, client_of(f));
            distinct_add(uagents, &nua, 2, &mua, ev_get(f, agent_keys));
            distinct_add(codes, &nco, 4, &mco, ev_get(f, status_keys));
        }
        if (cat == EXH_CAT_POST_EXPLOITATION && !f->file) {
            posts_n++;
            distinct_add(posts, &npo, 3, &mpo, finding_title(rs, f));
        }
        if (f->family == FAM_EVTX)
            events++;
        // Files a command or log says were written, and the files found.
        for (size_t j = key_first[mem[k]]; j < key_first[mem[k] + 1]; j++) {
            const fkey *fk = &keys->items[korder[j]];
            if (fk->path && !f->file)
                distinct_add(files, &nfi, 3, &mfi, fk->path);
            if (fk->by_name)
                distinct_add(named, &nna, 3, &mna, fk->path);
        }
    }
    buf b;
    buf_init(&b, STORY_MAX);
    char t1[32], t2[32];
    util_time_format(start, t1);
    util_time_format(end, t2);
    bool file_only = !ncl && !exploit && !uses && nsh;
    if (start != INT64_MIN && !file_only) {
        if (start == end)
            buf_printf(&b, "At %s, ", t1);
        else
            buf_printf(&b, "From %s to %s, ", t1, t2);
    }
    if (file_only) {
        buf_puts(&b, nsh + msh > 1 ? "Planted files found on disk: "
                                   : "Planted file found on disk: ");
        put_list(&b, shells, nsh, msh, ", ");
        if (start != INT64_MIN)
            buf_printf(&b, " (dated %s)", t1);
        buf_putc(&b, '.');
        nsh = msh = 0;
    } else if (ncl) {
        buf_puts(&b, ncl + mcl > 1 ? "the clients " : "the client ");
        put_list(&b, clients, ncl, mcl, ", ");
    } else {
        buf_puts(&b, "an attacker");
    }
    if (nag) {
        buf_puts(&b, nag + mag > 1 ? " (user agents " : " (user agent ");
        put_list(&b, agents, nag, mag, ", ");
        buf_putc(&b, ')');
    }
    if (file_only) {
    } else if (exploit) {
        buf_puts(&b, " exploited ");
        if (ncv)
            put_list(&b, cves, ncv, mcv, ", ");
        else
            buf_puts(&b, "the server");
        buf_printf(&b, "; the first success: %s (%s).",
                   finding_title(rs, exploit), c->ids[exploit_idx]);
    } else if (stages & ST_WEBSHELL) {
        buf_puts(&b, " reached a web shell.");
    } else {
        buf_printf(&b, " left %zu finding%s.", m, m == 1 ? "" : "s");
    }
    if (nfi) {
        buf_puts(&b, " It wrote ");
        put_list(&b, files, nfi, mfi, ", ");
        buf_putc(&b, '.');
    }
    if (nsh) {
        buf_puts(&b, nsh + msh > 1 ? " Planted files found on disk: "
                                   : " Planted file found on disk: ");
        put_list(&b, shells, nsh, msh, ", ");
        buf_putc(&b, '.');
    }
    if (nna) {
        buf_puts(&b, " Requests were tied to ");
        put_list(&b, named, nna, mna, ", ");
        buf_puts(&b, " by file name only: no web root exhunt knows "
                     "(inetpub\\wwwroot, FrontEnd\\HttpProxy, ClientAccess) "
                     "holds ");
        buf_puts(&b, nna + mna > 1 ? "these paths." : "that path.");
    }
    if (uses) {
        util_time_format(use_first, t1);
        util_time_format(use_last, t2);
        if (uses == 1)
            buf_puts(&b, " The web shell was requested once");
        else
            buf_printf(&b, " The web shell was requested %llu times",
                       (unsigned long long)uses);
        if (use_first != INT64_MIN && use_first == use_last)
            buf_printf(&b, " at %s", t1);
        else if (use_first != INT64_MIN)
            buf_printf(&b, " from %s to %s", t1, t2);
        // Who used it: with two clients or more in the story, the shell's
        // own users tell the responder which address to chase.
        if (nus) {
            buf_puts(&b, " by ");
            put_list(&b, users, nus, mus, ", ");
        }
        if (nua) {
            buf_puts(&b, nus ? " with " : " with the user agent");
            if (!nus && nua + mua > 1)
                buf_putc(&b, 's');
            if (!nus)
                buf_putc(&b, ' ');
            put_list(&b, uagents, nua, mua, ", ");
        }
        if (nme) {
            buf_puts(&b, " (");
            put_list(&b, methods, nme, mme, ", ");
            if (nco) {
                buf_puts(&b, "; status ");
                put_list(&b, codes, nco, mco, ", ");
            }
            buf_putc(&b, ')');
        }
        buf_putc(&b, '.');
    }
    if (posts_n) {
        buf_puts(&b, " Afterwards: ");
        put_list(&b, posts, npo, mpo, "; ");
        buf_putc(&b, '.');
    }
    if (events)
        buf_printf(&b,
                   " %llu event-log finding%s tied to it by time and "
                   "process.",
                   (unsigned long long)events, events == 1 ? " is" : "s are");
    buf_printf(&b, " %zu finding%s in all.", m, m == 1 ? "" : "s");
    const char *s = b.data ? own(c, b.data) : NULL;
    if (!s)
        buf_free(&b);
    return s;
}

static exh_status build_groups(correlation *c, const exh_ruleset *rs,
                               const ifinding *fs, size_t count, size_t *parent,
                               const fkeys *keys)
{
    exh_status st = EXH_ERR_NOMEM;
    size_t *size = exh_calloc(count, sizeof *size);
    size_t *off = exh_calloc(count + 1, sizeof *off);
    size_t *mem = exh_calloc(count, sizeof *mem);
    size_t *fill = exh_calloc(count, sizeof *fill);
    // Each finding's keys: korder[key_first[i] .. key_first[i + 1]).
    size_t *key_first = exh_calloc(count + 1, sizeof *key_first);
    size_t *korder = exh_calloc(keys->count + 1, sizeof *korder);
    c->related_off = own(c, exh_calloc(count, sizeof *c->related_off));
    c->related_n = own(c, exh_calloc(count, sizeof *c->related_n));
    if (!size || !off || !mem || !fill || !key_first || !korder ||
        !c->related_off || !c->related_n)
        goto out;
    for (size_t j = 0; j < keys->count; j++)
        key_first[keys->items[j].idx + 1]++;
    for (size_t i = 0; i < count; i++)
        key_first[i + 1] += key_first[i];
    for (size_t j = 0; j < keys->count; j++)
        korder[key_first[keys->items[j].idx] + fill[keys->items[j].idx]++] = j;
    memset(fill, 0, count * sizeof *fill);
    for (size_t i = 0; i < count; i++)
        size[uf_find(parent, i)]++;
    for (size_t i = 0; i < count; i++)
        off[i + 1] = off[i] + size[i];
    for (size_t i = 0; i < count; i++) {
        size_t r = uf_find(parent, i);
        mem[off[r] + fill[r]++] = i;
    }
    // Related: a window of the group around each member.
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        size_t m = size[uf_find(parent, i)];
        total += m > 1 ? (m - 1 < RELATED_MAX ? m - 1 : RELATED_MAX) : 0;
    }
    c->related = own(c, exh_calloc(total ? total : 1, sizeof *c->related));
    if (!c->related)
        goto out;
    size_t at = 0, incidents = 0;
    for (size_t r = 0; r < count; r++) {
        size_t m = size[r];
        const size_t *g = mem + off[r];
        for (size_t p = 0; p < m && m > 1; p++) {
            size_t want = m - 1 < RELATED_MAX ? m - 1 : RELATED_MAX;
            size_t lo = p > RELATED_MAX / 2 ? p - RELATED_MAX / 2 : 0;
            if (lo + want + 1 > m)
                lo = m - want - 1;
            c->related_off[g[p]] = at;
            for (size_t q = lo; q < lo + want + 1; q++) {
                if (q != p)
                    c->related[at++] = c->ids[g[q]];
            }
            c->related_n[g[p]] = want;
        }
        bool story = false;
        for (size_t k = 0; k < m && !story; k++)
            story = is_story_cat(cat_of(rs, &fs[g[k]])) &&
                    finding_severity(rs, &fs[g[k]]) <= EXH_SEV_MEDIUM;
        if (story)
            incidents++;
        else
            size[r] = 0; // not an incident: skipped below
    }
    c->inc = own(c, exh_calloc(incidents ? incidents : 1, sizeof *c->inc));
    if (!c->inc)
        goto out;
    for (size_t r = 0; r < count; r++) {
        size_t m = size[r];
        if (!m)
            continue;
        const size_t *g = mem + off[r];
        exh_incident *in = &c->inc[c->inc_count++];
        unsigned stages = 0;
        int64_t start = INT64_MIN, end = INT64_MIN;
        const char **ids = own(c, exh_calloc(m, sizeof *ids));
        const char **sn = own(c, exh_calloc(STAGE_COUNT, sizeof *sn));
        char *id = own(c, exh_malloc(24));
        if (!ids || !sn || !id)
            goto out;
        for (size_t k = 0; k < m; k++) {
            const ifinding *f = &fs[g[k]];
            ids[k] = c->ids[g[k]];
            stages |= stage_of(rs, f);
            if (f->time_ms != INT64_MIN) {
                if (start == INT64_MIN || f->time_ms < start)
                    start = f->time_ms;
                if (end_of(f) > end)
                    end = end_of(f);
            }
        }
        for (size_t s = 0; s < STAGE_COUNT; s++) {
            if (stages & (1u << s))
                sn[in->stage_count++] = stage_names[s];
        }
        snprintf(id, 24, "i-%s", c->ids[g[0]] + 2);
        in->id = id;
        in->start = own_time(c, start);
        in->end = own_time(c, end);
        in->stages = sn;
        in->findings = ids;
        in->finding_count = m;
        in->story = story_of(c, rs, fs, g, m, keys, key_first, korder, stages);
        if ((start != INT64_MIN && (!in->start || !in->end)) || !in->story)
            goto out;
    }
    st = EXH_OK;
out:
    exh_free(size);
    exh_free(off);
    exh_free(mem);
    exh_free(fill);
    exh_free(key_first);
    exh_free(korder);
    return st;
}

exh_status correlate_unit(const exh_ruleset *rs, const ifinding *fs,
                          size_t count, uint64_t first_id, correlation **out)
{
    *out = NULL;
    correlation *c = exh_calloc(1, sizeof *c);
    if (!c)
        return EXH_ERR_NOMEM;
    c->count = count;
    fkeys keys = {0};
    size_t *parent = exh_calloc(count ? count : 1, sizeof *parent);
    c->ids = exh_calloc(count ? count : 1, sizeof *c->ids);
    exh_status st = parent && c->ids ? EXH_OK : EXH_ERR_NOMEM;
    for (size_t i = 0; i < count && st == EXH_OK; i++) {
        parent[i] = i;
        snprintf(c->ids[i], sizeof c->ids[i], "f-%06llu",
                 (unsigned long long)(first_id + i + 1));
    }
    if (st == EXH_OK)
        st = link_all(rs, fs, count, parent, &keys);
    if (st == EXH_OK)
        st = build_groups(c, rs, fs, count, parent, &keys);
    if (st == EXH_OK)
        st = build_pivot(c, rs, fs, count, &keys);
    fkeys_free(&keys);
    exh_free(parent);
    if (st != EXH_OK) {
        correlation_free(c);
        return st;
    }
    *out = c;
    return EXH_OK;
}

const char *const *correlation_related(const correlation *c, size_t i,
                                       size_t *n)
{
    *n = 0;
    if (!c || i >= c->count || !c->related_n[i])
        return NULL;
    *n = c->related_n[i];
    return c->related + c->related_off[i];
}

void correlation_fill(const correlation *c, exh_summary *s)
{
    if (!c)
        return;
    s->incidents = c->inc;
    s->incident_count = c->inc_count;
    for (int l = 0; l < EXH_PIVOT__COUNT; l++) {
        s->pivot[l] = c->pivot[l];
        s->pivot_count[l] = c->pivot_count[l];
    }
}

void correlation_free(correlation *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->owned_count; i++)
        exh_free(c->owned[i]);
    exh_free(c->owned);
    exh_free(c->ids);
    exh_free(c);
}
