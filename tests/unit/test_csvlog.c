/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_csvlog.c - golden checks of the Exchange CSV log reader: headers,
 * quoting, line ends, limits, binary input, derived fields and streaming.
 *
 * Every fixture is synthetic. Headers are those of the real samples in
 * ../shared/data/exchange-logs (named at each fixture); OABGenerator has
 * no sample, so its fixtures follow the published message text. Each
 * fixture is read whole and again in 1- and 7-byte reads, which must give
 * the same records.
 */
#include "harness.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

/* The #Fields: line of qazeer_Ecp__HttpProxy_2023010611-1.LOG (the same in
 * every HttpProxy sample). */
#define HP_FIELDS                                                              \
    "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,"               \
    "RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,"                \
    "ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,"     \
    "Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,"     \
    "HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,"      \
    "TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,"               \
    "ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,"       \
    "TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,"     \
    "CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,"         \
    "AccountForestLatencyBreakup,TotalAccountForestLatency,"                   \
    "ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,"       \
    "SharedCacheLatencyBreakup,TotalSharedCacheLatency,"                       \
    "ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,"                 \
    "ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,"    \
    "BackendProcessingLatency,BackendRespInitLatency,"                         \
    "BackendRespStreamLatency,ClientRespStreamLatency,"                        \
    "KerberosAuthHeaderLatency,HandlerCompletionLatency,"                      \
    "RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,"         \
    "CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,"           \
    "RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,"           \
    "GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,"                 \
    "PartitionEndpointLookupLatency,RoutingStatus"
#define HP_COLUMNS 74

/* The directive block of the same sample. */
#define HP_HEAD                                                                \
    "#Software: Microsoft Exchange Server\n"                                   \
    "#Version: 15.01.2375.007\n"                                               \
    "#Log-type: HttpProxy Logs\n"                                              \
    "#Date: 2021-03-02T04:00:05.327Z\n"                                        \
    "#Fields: " HP_FIELDS "\n"

/* The header block of qazeer_ECPServer20230111-1.LOG. */
#define ECP_HEAD                                                               \
    "#Software: Microsoft Exchange Server\n"                                   \
    "#Version: 15.0.0.0\n"                                                     \
    "#Log-type: ECP Server Log\n"                                              \
    "#Date: 2021-03-03T00:02:33.938Z\n"                                        \
    "#Fields: TimeStamp,ServerName,EventId,EventData\n"

#define T_0302 1614658353120LL /* 2021-03-02T04:12:33.120Z */
#define T_0303 1614744753000LL /* 2021-03-03T04:12:33.000Z */

/* ---- an in-memory stream ----------------------------------------------- */

typedef struct mem_stream {
    stream s;
    const char *data;
    size_t len, pos;
    size_t chunk;   /* most bytes per read() */
    size_t fail_at; /* read() fails once this much was served; 0: never */
    size_t served;  /* bytes served so far */
    size_t total;   /* bytes to serve */
} mem_stream;

static ssize_t mem_read(stream *s, void *dst, size_t len)
{
    mem_stream *m = s->ctx;
    if (m->fail_at && m->served >= m->fail_at) {
        s->error = "injected failure";
        return -1;
    }
    size_t n = m->total - m->served;
    if (n > len)
        n = len;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    memcpy(dst, m->data + m->served, n);
    m->served += n;
    return (ssize_t)n;
}

static void mem_init(mem_stream *m, const char *data, size_t len, size_t chunk)
{
    memset(m, 0, sizeof *m);
    m->s.read = mem_read;
    m->s.ctx = m;
    m->data = data;
    m->len = len;
    m->chunk = chunk;
    m->total = len;
}

/* ---- collecting records ------------------------------------------------ */

#define MAX_RECS 16

typedef struct got {
    const char *const *want; /* fields to look up; NULL-terminated */
    size_t count;
    char *text[MAX_RECS];
    char *fields[MAX_RECS]; /* "v1|v2|..." with "-" for absent */
    size_t len[MAX_RECS];
    uint64_t line[MAX_RECS];
    int64_t time[MAX_RECS];
    bool truncated[MAX_RECS];
    size_t stop_after; /* return false after this many; 0: never */
    bool raw_ok;       /* every event's raw equalled the record */
} got;

static bool collect(void *user, csvlog *reader, const logrec *r)
{
    got *g = user;
    size_t i = g->count++;
    if (i < MAX_RECS) {
        g->text[i] = strndup(r->text, r->len);
        g->len[i] = r->len;
        g->line[i] = r->line;
        g->time[i] = r->time_ms;
        g->truncated[i] = r->truncated;
        char out[4096] = "";
        const event *ev = csvlog_event(reader, r);
        if (ev->raw != r->text || ev->raw_len != r->len ||
            csvlog_event(reader, r) != ev || r->text[r->len] != '\0')
            g->raw_ok = false;
        for (size_t k = 0; g->want && g->want[k]; k++) {
            size_t len = 0;
            const char *v = event_get(ev, g->want[k], &len);
            size_t used = strlen(out);
            snprintf(out + used, sizeof out - used, "%s%.*s", k ? "|" : "",
                     v ? (int)len : 1, v ? v : "-");
        }
        g->fields[i] = strdup(out);
    }
    return !(g->stop_after && g->count >= g->stop_after);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < MAX_RECS; i++) {
        free(g->text[i]);
        free(g->fields[i]);
    }
    memset(g, 0, sizeof *g);
}

/* Reads text with the family, whole and in small reads; the three runs must
 * agree. The whole-read result stays in *g and *st. */
static exh_status run(log_family fam, size_t max, const char *text, size_t len,
                      const char *const *want, got *g, csvlog_stats *st)
{
    static const size_t chunks[] = {0, 1, 7};
    exh_status first = EXH_OK;
    for (size_t c = 0; c < 3; c++) {
        csvlog *r = NULL;
        mem_stream m;
        got other = {.want = want, .raw_ok = true};
        got *dst = c == 0 ? g : &other;
        csvlog_stats s;
        mem_init(&m, text, len, chunks[c]);
        CHECK(csvlog_new(fam, max, &r) == EXH_OK);
        *dst = (got){.want = want, .raw_ok = true, .stop_after = g->stop_after};
        exh_status rc = csvlog_read(r, &m.s, collect, dst, &s);
        CHECK(dst->raw_ok);
        if (c == 0) {
            first = rc;
            *st = s;
            if (s.software_version)
                st->software_version = strdup(s.software_version);
        } else {
            CHECK(rc == first);
            CHECK(other.count == g->count);
            CHECK(s.records == st->records);
            CHECK(s.bad_records == st->bad_records);
            CHECK(s.header_changes == st->header_changes);
            for (size_t i = 0; i < g->count && i < MAX_RECS; i++) {
                CHECK_STR(other.text[i], g->text[i]);
                CHECK_STR(other.fields[i], g->fields[i]);
                CHECK(other.line[i] == g->line[i]);
                CHECK(other.time[i] == g->time[i]);
            }
            got_free(&other);
        }
        csvlog_free(r);
    }
    return first;
}

static exh_status run_str(log_family fam, const char *text,
                          const char *const *want, got *g, csvlog_stats *st)
{
    return run(fam, 1 << 16, text, strlen(text), want, g, st);
}

/* An HttpProxy row: the given columns set, the rest empty. */
static void hp_row(char *out, size_t size, const char *time, const char *anchor,
                   const char *stem, const char *status)
{
    const char *v[HP_COLUMNS] = {0};
    v[0] = time;
    v[1] = "29d1a846-41f6-4da6-9dbf-dd8a9151ce59";
    v[7] = "Ecp";
    v[9] = stem;
    v[15] = anchor;
    v[19] = status;
    out[0] = '\0';
    for (size_t i = 0; i < HP_COLUMNS; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? "," : "",
                 v[i] ? v[i] : "");
    }
}

/* ---- the tests --------------------------------------------------------- */

static void test_names_and_args(void)
{
    csvlog *r = NULL;
    CHECK_STR(csvlog_family_name(FAM_HTTPPROXY), "httpproxy");
    CHECK_STR(csvlog_family_name(FAM_ECP_SERVER), "ecp-server");
    CHECK_STR(csvlog_family_name(FAM_ECP_ACTIVITY), "ecp-activity");
    CHECK_STR(csvlog_family_name(FAM_OABGENERATOR), "oabgenerator");
    CHECK_STR(csvlog_family_name(FAM__COUNT), "none");
    CHECK(csvlog_new(FAM_NONE, 100, &r) == EXH_ERR_INVALID_ARG);
    CHECK(csvlog_new(FAM_HTTPPROXY, 0, &r) == EXH_ERR_INVALID_ARG);
    CHECK(r == NULL);
    csvlog_free(NULL);
    CHECK(event_get(NULL, "x", NULL) == NULL);
}

static void test_httpproxy(void)
{
    static const char *const want[] = {"AnchorMailbox", "urlstem", "HTTPSTATUS",
                                       "RoutingStatus", "Field75", NULL};
    char a[2048], b[2048], text[8192];
    got g = {0};
    csvlog_stats st;
    hp_row(a, sizeof a, "2021-03-02T04:12:33.120Z",
           "ServerInfo~a]@10.0.0.5:444/autodiscover/autodiscover.xml?#",
           "/ecp/y.js", "241");
    hp_row(b, sizeof b, "2021-03-03T04:12:33Z", "", "/owa/", "200");
    snprintf(text, sizeof text, HP_HEAD "%s\n%s\n", a, b);
    CHECK(run_str(FAM_HTTPPROXY, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2);
    CHECK(st.records == 2 && st.bad_records == 0);
    CHECK(st.header_changes == 0 && !st.binary);
    CHECK_STR(st.software_version, "15.01.2375.007");
    CHECK(g.line[0] == 6 && g.line[1] == 7);
    CHECK(g.time[0] == T_0302 && g.time[1] == T_0303);
    CHECK_STR(g.text[0], a);
    CHECK_STR(g.fields[0], "ServerInfo~a]@10.0.0.5:444/autodiscover/"
                           "autodiscover.xml?#|/ecp/y.js|241||-");
    CHECK_STR(g.fields[1], "|/owa/|200||-");
    free((char *)st.software_version);
    got_free(&g);
}

static void test_crlf_bom_truncated_last_line(void)
{
    static const char *const want[] = {"EventId", "EventData", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG, with a BOM and CRLF; the
    // last line has no line end.
    const char *text =
        "\xef\xbb\xbf#Software: Microsoft Exchange Server\r\n"
        "#Version: 15.0.0.0\r\n"
        "#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
        "\r\n"
        "2021-03-02T04:12:33.120Z,EXCH01,ECP.Request,S:TIME=13\r\n"
        "2021-03-03T04:12:33Z,EXCH01,ECP.Request,S:TIME=14";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2 && st.records == 2 && st.bad_records == 0);
    CHECK(g.line[0] == 5 && g.line[1] == 6);
    CHECK_STR(g.text[0],
              "2021-03-02T04:12:33.120Z,EXCH01,ECP.Request,S:TIME=13");
    CHECK_STR(g.text[1], "2021-03-03T04:12:33Z,EXCH01,ECP.Request,S:TIME=14");
    CHECK_STR(g.fields[1], "ECP.Request|S:TIME=14");
    CHECK(g.time[0] == T_0302 && g.time[1] == T_0303);
    CHECK_STR(st.software_version, "15.0.0.0");
    free((char *)st.software_version);
    got_free(&g);
}

static void test_quoting(void)
{
    static const char *const want[] = {"ServerName", "EventId", "EventData",
                                       "TIME", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG.
    const char *text = ECP_HEAD
        "2021-03-02T04:12:33.120Z,\"EX,01\",\"say \"\"hi\"\"\",S:TIME=1\n"
        "2021-03-02T04:12:33.120Z,EXCH01,\"multi\r\nline\nvalue\","
        "S:TIME=2\n"
        "2021-03-03T04:12:33Z,EX\"01,a\"b,S:TIME=3\n"
        "2021-03-03T04:12:33Z,\"\",\"x\"tail,S:TIME=4\n"
        "2021-03-03T04:12:33Z,EX\"01,I,S:TIME=5\n"
        "\"2021-03-02T04:12:33.120Z\",EXCH06,I,S:TIME=6\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 6 && st.records == 6 && st.bad_records == 0);
    CHECK_STR(g.fields[0], "EX,01|say \"hi\"|S:TIME=1|1");
    CHECK(g.line[0] == 6);
    // One record over three physical lines, line ends kept as they were.
    CHECK_STR(g.fields[1], "EXCH01|multi\r\nline\nvalue|S:TIME=2|2");
    CHECK_STR(g.text[1], "2021-03-02T04:12:33.120Z,EXCH01,\"multi\r\nline\n"
                         "value\",S:TIME=2");
    CHECK(g.line[1] == 7);
    // A quote inside an unquoted field is literal.
    CHECK_STR(g.fields[2], "EX\"01|a\"b|S:TIME=3|3");
    CHECK(g.line[2] == 10);
    CHECK_STR(g.fields[3], "|xtail|S:TIME=4|4");
    CHECK(g.time[3] == T_0303);
    // A lone quote inside a field opens nothing: the next line is its own.
    CHECK_STR(g.fields[4], "EX\"01|I|S:TIME=5|5");
    CHECK_STR(g.fields[5], "EXCH06|I|S:TIME=6|6");
    CHECK(g.line[5] == 13 && g.time[5] == T_0302);
    free((char *)st.software_version);
    got_free(&g);
}

static void test_unclosed_quote(void)
{
    static const char *const want[] = {"ServerName", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG. A quote that never closes
    // must not swallow the records after it.
    const char *text =
        ECP_HEAD "2021-03-02T04:12:33.120Z,\"EXCH01,ECP.Request,S:TIME=1\n"
                 "2021-03-03T04:12:33Z,EXCH02,ECP.Request,S:CMD=Set-Mailbox\n"
                 "2021-03-03T04:12:33Z,\"EXCH03\n"
                 "no date here";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 3 && st.records == 3 && st.bad_records == 2);
    CHECK_STR(g.fields[0], "EXCH01,ECP.Request,S:TIME=1");
    CHECK(g.line[1] == 7 && g.line[2] == 8);
    CHECK_STR(g.fields[1], "EXCH02");
    CHECK_STR(g.fields[2], "EXCH03\nno date here");
    free((char *)st.software_version);
    got_free(&g);
}

static void test_bare_header_and_columns(void)
{
    static const char *const want[] = {"TimeStamp", "EventData", "Field5",
                                       "Field6", NULL};
    // A bare header line: the #Fields: value of qazeer_ECPServer20230111,
    // plus an empty fifth name (named Field5 like the columns past it).
    const char *text = "TimeStamp,ServerName,EventId,EventData,\n"
                       "2021-03-02T04:12:33.120Z,EX,Id,D,extra5,extra6\n"
                       "2021-03-03T04:12:33Z,EX\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2 && st.header_changes == 0);
    CHECK(st.software_version == NULL);
    CHECK_STR(g.fields[0], "2021-03-02T04:12:33.120Z|D|extra5|extra6");
    CHECK_STR(g.fields[1], "2021-03-03T04:12:33Z|-|-|-");
    CHECK(g.line[0] == 2 && g.time[1] == T_0303);
    got_free(&g);
}

/* Columns past the header are named Field<N> (1-based), up to the last
 * one an event holds (CSVLOG_MAX_FIELDS, 4096). */
static void test_field_names(void)
{
    static const char *const want[] = {"Field3",    "Field9",    "Field10",
                                       "Field99",   "Field100",  "Field1000",
                                       "Field4096", "Field4097", NULL};
    static char text[32768];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "TimeStamp,ServerName\n2021-03-02T04:12:33Z");
    for (int i = 2; i <= 4097; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, ",v%d", i);
    snprintf(text + n, sizeof text - n, "\n");
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 1);
    CHECK_STR(g.fields[0], "v3|v9|v10|v99|v100|v1000|v4096|-");
    got_free(&g);
}

static void test_header_change(void)
{
    static const char *const want[] = {"UrlStem", "EventId", "Field3", NULL};
    // The HttpProxy header of qazeer_Ecp__HttpProxy_2023010611, then the
    // ECP Server header of qazeer_ECPServer20230111 mid-file.
    char a[2048], text[8192];
    got g = {0};
    csvlog_stats st;
    hp_row(a, sizeof a, "2021-03-02T04:12:33.120Z", "", "/ecp/", "200");
    snprintf(text, sizeof text,
             HP_HEAD "%s\n#Fields: TimeStamp,EventId\n"
                     "2021-03-03T04:12:33Z,ECP.Request,more\n"
                     "#Fields: Other,TimeStamp\n"
                     "x,2021-03-02T04:12:33.120Z\n"
                     "\"x,y\",\"2021-03-03T04:12:33Z\"\n"
                     "x,bad time\n",
             a);
    CHECK(run_str(FAM_HTTPPROXY, text, want, &g, &st) == EXH_OK);
    CHECK(st.header_changes == 2 && g.count == 5);
    CHECK_STR(g.fields[0], "/ecp/|-|-");
    CHECK_STR(g.fields[1], "-|ECP.Request|more");
    CHECK(g.line[1] == 8 && g.time[1] == T_0303);
    // The time field need not be first.
    CHECK(g.time[2] == T_0302 && g.time[3] == T_0303);
    CHECK(g.time[4] == INT64_MIN);
    free((char *)st.software_version);
    got_free(&g);
}

/* One reader over files in turn, as a worker reads them: a file that
 * repeats the last header byte for byte reuses what was made of it, and
 * every file reads as it does with a reader of its own, whatever came
 * before (another header, none, a header that differs by one byte). */
static void test_header_reuse(void)
{
    static const char *const want[] = {"UrlStem",   "cs-uri-stem", "EventId",
                                       "TimeStamp", "Field2",      "sc-status",
                                       NULL};
    char a[2048], files[8][8192];
    hp_row(a, sizeof a, "2021-03-02T04:12:33.120Z", "", "/ecp/x.aspx", "200");
    snprintf(files[0], sizeof files[0], HP_HEAD "%s\n", a);
    snprintf(files[1], sizeof files[1], "%s\n%s\n", a, a); // no header
    snprintf(files[2], sizeof files[2],
             "#Fields: TimeStamp,EventId\n2021-03-03T04:12:33Z,ECP.Req\n");
    snprintf(files[3], sizeof files[3], HP_HEAD "%s\n" HP_HEAD "%s\n", a, a);
    snprintf(files[4], sizeof files[4], "%s", files[0]);
    // The same header with its UrlStem column renamed: nothing reused.
    snprintf(files[5], sizeof files[5], "%s", files[0]);
    char *stem = strstr(files[5], "UrlStem");
    CHECK(stem != NULL);
    if (stem)
        stem[0] = 'V';
    // A short row (its own index), then the full header again.
    snprintf(files[6], sizeof files[6],
             HP_HEAD "2021-03-02T04:12:33.120Z,x,y\n");
    snprintf(files[7], sizeof files[7], "%s", files[0]);
    csvlog *shared = NULL;
    CHECK(csvlog_new(FAM_HTTPPROXY, 1 << 16, &shared) == EXH_OK);
    for (int round = 0; round < 2 && shared; round++) {
        for (size_t f = 0; f < 8; f++) {
            got mine = {.want = want, .raw_ok = true};
            got own = {.want = want, .raw_ok = true};
            csvlog_stats s1, s2;
            mem_stream m;
            mem_init(&m, files[f], strlen(files[f]), 0);
            CHECK(csvlog_read(shared, &m.s, collect, &mine, &s1) == EXH_OK);
            csvlog *fresh = NULL;
            CHECK(csvlog_new(FAM_HTTPPROXY, 1 << 16, &fresh) == EXH_OK);
            mem_init(&m, files[f], strlen(files[f]), 0);
            CHECK(csvlog_read(fresh, &m.s, collect, &own, &s2) == EXH_OK);
            CHECK(mine.count == own.count && mine.count > 0);
            CHECK(s1.header_changes == s2.header_changes);
            for (size_t i = 0; i < own.count && i < MAX_RECS; i++) {
                CHECK_STR(mine.fields[i], own.fields[i]);
                CHECK(mine.time[i] == own.time[i]);
            }
            if (f == 0 || f == 7)
                CHECK_STR(own.fields[0], "/ecp/x.aspx|/ecp/x.aspx|-|-|-|200");
            if (f == 5)
                CHECK_STR(own.fields[0], "-|-|-|-|-|200"); // the alias went too
            got_free(&mine);
            got_free(&own);
            csvlog_free(fresh);
        }
    }
    csvlog_free(shared);
}

static void test_long_record(void)
{
    static const char *const want[] = {"ServerName", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG; limit 64 bytes.
    const char *text = ECP_HEAD
        "2021-03-02T04:12:33.120Z,EXCH01,ECP.Request,S:URL=/ecp/"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "2021-03-03T04:12:33Z,EXCH02,\"quoted\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nend\",x\n"
        "2021-03-03T04:12:33Z,EXCH03,ECP.Request,S:TIME=3\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run(FAM_ECP_SERVER, 64, text, strlen(text), want, &g, &st) == EXH_OK);
    CHECK(g.count == 3 && st.records == 3 && st.bad_records == 2);
    CHECK(g.len[0] == 64 && g.truncated[0] && g.time[0] == T_0302);
    CHECK(strncmp(g.text[0], "2021-03-02T04:12:33.120Z,EXCH01,", 32) == 0);
    CHECK(g.len[1] == 64 && g.truncated[1] && g.line[1] == 7);
    CHECK(!g.truncated[2] && g.line[2] == 10);
    CHECK_STR(g.fields[2], "EXCH03");
    free((char *)st.software_version);
    got_free(&g);
}

/* A 100 MB line between two records, streamed from a repeating source. */
static void test_huge_line(void)
{
    static const char head[] = ECP_HEAD "2021-03-02T04:12:33.120Z,A,B,C\n"
                                        "2021-03-02T04:12:33.120Z,";
    static const char tail[] = "\n2021-03-03T04:12:33Z,Z,Y,X\n";
    size_t huge = (size_t)100 << 20;
    size_t len = sizeof head - 1 + huge + sizeof tail - 1;
    char *text = malloc(len);
    got g = {0};
    csvlog *r = NULL;
    mem_stream m;
    csvlog_stats st;
    memcpy(text, head, sizeof head - 1);
    memset(text + sizeof head - 1, 'A', huge);
    memcpy(text + sizeof head - 1 + huge, tail, sizeof tail - 1);
    mem_init(&m, text, len, 0);
    CHECK(csvlog_new(FAM_ECP_SERVER, 1 << 16, &r) == EXH_OK);
    g.raw_ok = true;
    CHECK(csvlog_read(r, &m.s, collect, &g, &st) == EXH_OK);
    CHECK(g.count == 3 && st.bad_records == 1 && g.raw_ok);
    CHECK(g.truncated[1] && g.len[1] == 1 << 16 && g.time[1] == T_0302);
    CHECK(g.line[2] == 8 && g.time[2] == T_0303);
    CHECK_STR(g.text[2], "2021-03-03T04:12:33Z,Z,Y,X");
    csvlog_free(r);
    free(text);
    got_free(&g);
}

/* A CRLF split by the end of the 1 MiB read buffer is still one line end,
 * and slow streams (1-byte reads) give the same records. */
static void test_crlf_at_buffer_end(void)
{
    static const char *const want[] = {"EventId", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG, as a bare header line, then
    // a record of 1 MiB - 1 bytes: its CR is the last byte of a full buffer.
    static const char head[] = "TimeStamp,ServerName,EventId,EventData\r\n";
    static const char row[] = "2021-03-02T04:12:33.120Z,EX,";
    static const char next[] = "\r\n2021-03-03T04:12:33Z,E,I,D\r\n";
    size_t io = (size_t)1 << 20, len = 0;
    char *text = malloc(2 * io);
    memcpy(text, head, sizeof head - 1);
    len += sizeof head - 1;
    memcpy(text + len, row, sizeof row - 1);
    memset(text + len + sizeof row - 1, 'A', io - 1 - (sizeof row - 1));
    len += io - 1;
    memcpy(text + len, next, sizeof next - 1);
    len += sizeof next - 1;
    got g = {0};
    csvlog_stats st;
    CHECK(run(FAM_ECP_SERVER, io * 2, text, len, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2 && st.bad_records == 0);
    CHECK(g.len[0] == io - 1 && !g.truncated[0]);
    CHECK(g.text[0][g.len[0] - 1] == 'A');
    CHECK(g.line[1] == 3 && g.time[1] == T_0303);
    CHECK_STR(g.fields[1], "I");
    free(text);
    got_free(&g);
}

/* The documented rule for binary input, byte by byte, for samples without
 * a NUL (test_binary() checks NULs): over 30% of the sample odd (control
 * bytes other than tab, LF, CR, FF, VT, ESC; DEL; bytes that start no
 * UTF-8 sequence). */
static bool binary_by_rule(const unsigned char *s, size_t len)
{
    size_t odd = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t n = c >= 0xf0 && c <= 0xf4   ? 4
                       : c >= 0xe0 && c < 0xf0  ? 3
                       : c >= 0xc2 && c <= 0xdf ? 2
                                                : 0;
            for (size_t k = 1; k < n && i + k < len; k++)
                if ((s[i + k] & 0xc0) != 0x80)
                    n = 0;
            if (n == 0)
                odd++;
            else
                i += n - 1;
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
                    c != '\f' && c != '\v' && c != 0x1b) ||
                   c == 0x7f) {
            odd++;
        }
    }
    return odd * 10 > len * 3;
}

/* Random samples near the 30% line: the reader's verdict (which skips runs
 * of plain bytes sixteen at a time) is the rule's. */
static void test_binary_random(void)
{
    static const unsigned char odd[] = {0x01, 0x07, 0x7f, 0x80,
                                        0xc0, 0xf5, 0xff, 0x1f};
    static const char *const utf8[] = {"\xc3\xa9", "\xe2\x82\xac",
                                       "\xf0\x9f\x98\x80", "\xe2\x82"};
    unsigned seed = 12345;
    int binary = 0, text = 0, bad = 0;
    for (int round = 0; round < 400; round++) {
        static unsigned char sample[4096];
        size_t len = 0;
        unsigned share = 30 + (unsigned)round % 40; // percent of odd runs
        while (len < sizeof sample) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 100;
            size_t run = 1 + (seed >> 20) % 24;
            for (size_t k = 0; k < run && len < sizeof sample; k++) {
                if (r < share * 2 / 3)
                    sample[len++] = odd[(seed >> (k % 8)) % sizeof odd];
                else if (r < share) {
                    const char *u = utf8[(k + r) % 4];
                    for (size_t j = 0; u[j] && len < sizeof sample; j++)
                        sample[len++] = (unsigned char)u[j];
                } else
                    sample[len++] = (unsigned char)(" ,azAZ09\t\r\n"[k % 11]);
            }
        }
        csvlog *r = NULL;
        mem_stream m;
        got g = {0};
        csvlog_stats st;
        CHECK(csvlog_new(FAM_HTTPPROXY, 1 << 16, &r) == EXH_OK);
        mem_init(&m, (const char *)sample, len, 0);
        CHECK(csvlog_read(r, &m.s, collect, &g, &st) == EXH_OK);
        bool want = binary_by_rule(sample, len);
        if (st.binary != want && bad++ < 5)
            fprintf(stderr, "  binary: round %d: got %d want %d\n", round,
                    st.binary, want);
        binary += want;
        text += !want;
        got_free(&g);
        csvlog_free(r);
    }
    CHECK(bad == 0 && binary > 20 && text > 20);
    printf("binary sniff: %d binary, %d text, %d bad\n", binary, text, bad);
}

static void test_binary(void)
{
    got g = {0};
    csvlog_stats st;
    // A NUL in the first row after the header: that row alone is skipped
    // and the rows after it are read, however early it comes.
    static const char first[] = ECP_HEAD "2021-03-02T04:12:33.120Z,E,I,a\0b\n"
                                         "2021-03-03T04:12:33Z,NEXT,I,D\n";
    static const char *const server[] = {"ServerName", NULL};
    CHECK(run(FAM_ECP_SERVER, 1024, first, sizeof first - 1, server, &g, &st) ==
          EXH_OK);
    CHECK(!st.binary && st.bad_records == 1 && st.records == 1);
    CHECK(g.count == 1 && g.line[0] == 7);
    CHECK_STR(g.fields[0], "NEXT");
    free((char *)st.software_version);
    got_free(&g);
    // A first line with a NUL, and most lines clean: still text.
    static const char mostly[] = "x\0\n2021-03-03T04:12:33Z,A\n"
                                 "2021-03-03T04:12:33Z,B\n";
    CHECK(run(FAM_ECP_SERVER, 1024, mostly, sizeof mostly - 1, NULL, &g, &st) ==
          EXH_OK);
    CHECK(!st.binary && st.bad_records == 1 && g.count == 2);
    got_free(&g);
    // NULs in the first line and in half the lines or more: binary.
    static const char half[] = "x\0\n2021-03-03T04:12:33Z,A\ny\0\n";
    CHECK(run(FAM_ECP_SERVER, 1024, half, sizeof half - 1, NULL, &g, &st) ==
          EXH_OK);
    CHECK(st.binary && g.count == 0 && st.records == 0);
    got_free(&g);
    // The same log in UTF-16 (NULs in every line, with or without a BOM),
    // and bytes after a clean first line that are mostly odd: binary.
    char wide[2 * sizeof first];
    for (size_t i = 0; i < sizeof first; i++) {
        wide[2 * i] = first[i];
        wide[2 * i + 1] = '\0';
    }
    CHECK(run(FAM_ECP_SERVER, 1024, wide, sizeof wide, NULL, &g, &st) ==
          EXH_OK);
    CHECK(st.binary && g.count == 0 && st.records == 0);
    got_free(&g);
    wide[0] = (char)0xff;
    wide[1] = (char)0xfe;
    CHECK(run(FAM_ECP_SERVER, 1024, wide, sizeof wide, NULL, &g, &st) ==
          EXH_OK);
    CHECK(st.binary && g.count == 0);
    got_free(&g);
    static const char nul[] = "#Fields: TimeStamp,ServerName\n\0\1\2\3"
                              "\1\2\3\1\2\3\1\2\3\1\2\3\1\2\3\1\2\3";
    CHECK(run(FAM_ECP_SERVER, 1024, nul, sizeof nul - 1, NULL, &g, &st) ==
          EXH_OK);
    CHECK(st.binary && g.count == 0 && st.records == 0);
    got_free(&g);
    // Mostly control bytes, no NUL.
    char noise[512];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (char)(i % 2 ? 0x01 : 0xff);
    CHECK(run(FAM_HTTPPROXY, 1024, noise, sizeof noise, NULL, &g, &st) ==
          EXH_OK);
    CHECK(st.binary && g.count == 0);
    got_free(&g);
    // Text whose later record holds a NUL: that record alone is skipped.
    char text[8192];
    size_t len = 0, rows = 0;
    len += (size_t)snprintf(text, sizeof text, "%s", ECP_HEAD);
    for (; len < 5000; rows++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "2021-03-02T04:12:33.120Z,E,I,D\n");
    memcpy(text + len, "2021-03-03T04:12:33Z,E\0X,I,D\n", 29);
    len += 29;
    len += (size_t)snprintf(text + len, sizeof text - len,
                            "2021-03-03T04:12:33Z,LAST,I,D\n");
    static const char *const want[] = {"ServerName", NULL};
    CHECK(run(FAM_ECP_SERVER, 1024, text, len, want, &g, &st) == EXH_OK);
    CHECK(!st.binary && st.bad_records == 1);
    CHECK(g.count == st.records && g.count == rows + 1);
    CHECK_STR(g.fields[MAX_RECS - 1], "E");
    CHECK(g.time[MAX_RECS - 1] == T_0302);
    free((char *)st.software_version);
    got_free(&g);
}

static void test_ecp_fields(void)
{
    static const char *const want[] = {"CMD",  "url",  "BLD",   "EventData",
                                       "TIME", "ACID", "REQID", NULL};
    // Header of qazeer_ECPServer20230111-1.LOG; EventData modelled on its
    // row, with the CVE-2021-27065 Set-OabVirtualDirectory command.
    const char *text = ECP_HEAD
        "2021-03-03T04:12:33Z,EXCH01,ECP.Request,\"S:TIME=13;S:CMD="
        "Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a;b</script>"
        "';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?schema="
        "OABVirtualDirectory;S:CMD=Get-Mailbox;S:BLD=15.1.2375.7;S:ACID=\"\n"
        "2021-03-03T04:12:33Z,EXCH01,ECP.Request,junk;S:TIME=5;\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2);
    CHECK_STR(g.fields[0],
              "Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a;b"
              "</script>'|/ecp/DDI/DDIService.svc/SetObject?schema="
              "OABVirtualDirectory|15.1.2375.7|S:TIME=13;S:CMD="
              "Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a;b"
              "</script>';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject"
              "?schema=OABVirtualDirectory;S:CMD=Get-Mailbox;"
              "S:BLD=15.1.2375.7;S:ACID=|13||");
    CHECK_STR(g.fields[1], "-|-|-|junk;S:TIME=5;|5|-|-");
    free((char *)st.software_version);
    got_free(&g);
}

static void test_ecp_activity(void)
{
    static const char *const want[] = {
        "Bld", "MAPI.T[SERVER-HOSTNAME.4444]", "BudgUse.T[]", "WLM.TS", "PSA",
        NULL};
    // Header and shape of qazeer_ECPActivity_11500_20230111-1.LOG.
    const char *text =
        "#Software: Microsoft Exchange Server\n"
        "#Version: 15.0.0.0\n"
        "#Log-type: ECP Activity Context Log\n"
        "#Date: 2021-03-02T00:02:11.539Z\n"
        "#Fields: TimeStamp,ServerName,EventId,EventData\n"
        "2021-03-02T04:12:33.120Z,EXCH01,Request,S:PSA=<PII>a@b.c</PII>;"
        "S:URL=https://localhost:444/ecp/x.svc?a=1;S:Bld=15.1.2375.7;"
        "Dbl:MAPI.T[SERVER-HOSTNAME.4444]=3;Dbl:BudgUse.T[]=12.0008;"
        "I32:ADS.C[DC-HOSTNAME]=1;Dbl:WLM.TS=16\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_ACTIVITY, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 1 && g.time[0] == T_0302);
    CHECK_STR(g.fields[0], "15.1.2375.7|3|12.0008|16|<PII>a@b.c</PII>");
    free((char *)st.software_version);
    got_free(&g);
}

static void test_oab_plain(void)
{
    static const char *const want[] = {"Message", "DownloadPath", NULL};
    // No real OABGenerator sample exists: lines follow the message text
    // Test-ProxyLogon searches for.
    const char *text =
        "2021-03-03T04:12:33Z Download failed and temporary file "
        "'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx' needs to be removed"
        ".\n"
        "Download failed and temporary file C:\\a b\\c needs to be removed\n"
        "2021-03-02 04:12:33.120 \"OAB generation started\n"
        "plain line, with a comma\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_OABGENERATOR, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 4 && st.records == 4 && st.bad_records == 0);
    CHECK(g.time[0] == T_0303 && g.time[1] == INT64_MIN);
    CHECK(g.time[2] == T_0302 && g.time[3] == INT64_MIN);
    CHECK_STR(g.fields[0],
              "2021-03-03T04:12:33Z Download failed and temporary file "
              "'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx' needs to be "
              "removed.|C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx");
    CHECK_STR(g.fields[1], "Download failed and temporary file C:\\a b\\c "
                           "needs to be removed|C:\\a b\\c");
    CHECK_STR(g.fields[2], "2021-03-02 04:12:33.120 \"OAB generation "
                           "started|-");
    CHECK(g.line[3] == 4);
    got_free(&g);
}

static void test_oab_csv(void)
{
    static const char *const want[] = {"Message", "DownloadPath", "Level",
                                       NULL};
    // No real OABGenerator sample exists: a #Fields: form in the style of
    // the other Exchange logs, one with a Message column and one without.
    const char *text =
        "#Fields: date-time,Level,Message\n"
        "2021-03-03T04:12:33Z,Error,\"Download failed and temporary file "
        "'C:\\x\\y.aspx' needs to be removed, retry\"\n"
        "#Fields: Timestamp,Level\n"
        "2021-03-02T04:12:33.120Z,Info\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_OABGENERATOR, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 2 && st.header_changes == 1);
    CHECK(g.time[0] == T_0303 && g.time[1] == T_0302);
    CHECK_STR(g.fields[0], "Download failed and temporary file "
                           "'C:\\x\\y.aspx' needs to be removed, retry|"
                           "C:\\x\\y.aspx|Error");
    CHECK_STR(g.fields[1], "2021-03-02T04:12:33.120Z,Info|-|Info");
    got_free(&g);
}

/* Calls csvlog_event() with its first allocation failing. */
static bool collect_oom(void *user, csvlog *reader, const logrec *r)
{
    got *g = user;
    alloc_fail_after(1);
    const event *ev = csvlog_event(reader, r);
    alloc_fail_after(0);
    if (ev->count == 0 && ev->raw == r->text)
        g->count++;
    return true;
}

static void test_stop_and_errors(void)
{
    char a[2048], text[16384];
    size_t len = 0;
    hp_row(a, sizeof a, "2021-03-02T04:12:33.120Z", "", "/owa/", "200");
    len += (size_t)snprintf(text, sizeof text, "%s", HP_HEAD);
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", a);
    got g = {.stop_after = 2};
    csvlog_stats st;
    CHECK(run_str(FAM_HTTPPROXY, text, NULL, &g, &st) == EXH_OK);
    CHECK(g.count == 2 && st.records == 2);
    free((char *)st.software_version);
    got_free(&g);

    // A read error after some records: they were delivered, then EXH_ERR_IO.
    csvlog *r = NULL;
    mem_stream m;
    CHECK(csvlog_new(FAM_HTTPPROXY, 4096, &r) == EXH_OK);
    mem_init(&m, text, len, 100);
    m.fail_at = 6000;
    g.raw_ok = true;
    CHECK(csvlog_read(r, &m.s, collect, &g, &st) == EXH_ERR_IO);
    CHECK(g.count > 5 && g.count < 40 && st.records == g.count);
    got_free(&g);
    CHECK(csvlog_read(r, NULL, collect, &g, &st) == EXH_ERR_INVALID_ARG);
    csvlog_free(r);

    // Allocation failure inside csvlog_event() ends the read with NOMEM.
    r = NULL;
    CHECK(csvlog_new(FAM_HTTPPROXY, 4096, &r) == EXH_OK);
    mem_init(&m, text, len, 0);
    CHECK(csvlog_read(r, &m.s, collect_oom, &g, &st) == EXH_ERR_NOMEM);
    CHECK(g.count == 1 && st.records == 1);
    csvlog_free(r);
}

/* The real samples, where ../shared/data is present: every record parses
 * with a time, and the fields the rules use are there. */
static void test_real_samples(void)
{
    const char *data = getenv("EXH_TEST_DATA");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../../../shared/data/exchange-logs",
             data ? data : "tests/data");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "real samples skipped: %s absent\n", dir);
        return;
    }
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d))) {
        bool hp = strstr(de->d_name, "__HttpProxy_") != NULL;
        bool ecp = strncmp(de->d_name, "qazeer_ECP", 10) == 0;
        if (!hp && !ecp)
            continue;
        char path[8192], text[16384];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t len = fread(text, 1, sizeof text, f);
        fclose(f);
        static const char *const hp_want[] = {"AnchorMailbox", NULL};
        static const char *const ecp_want[] = {"URL", NULL};
        got g = {0};
        csvlog_stats st;
        CHECK(run(hp ? FAM_HTTPPROXY : FAM_ECP_SERVER, 1 << 16, text, len,
                  hp ? hp_want : ecp_want, &g, &st) == EXH_OK);
        CHECK(g.count >= 1 && st.bad_records == 0 && !st.binary);
        for (size_t i = 0; i < g.count && i < MAX_RECS; i++) {
            CHECK(g.time[i] != INT64_MIN && g.line[i] == 6 + i);
            CHECK(strcmp(g.fields[i], "-") != 0);
        }
        free((char *)st.software_version);
        got_free(&g);
        files++;
    }
    closedir(d);
    CHECK(files == 10);
}

/* ---- IIS W3C, HttpProxy aliases, remote PowerShell --------------------- */

/* The directive block IIS 10 writes (#Software/#Version/#Date as IIS writes
 * them; the #Fields: names are those of the real sample
 * qazeer_iis_webshell_request_example.log). */
#define IIS_FIELDS                                                             \
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "    \
    "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "  \
    "time-taken"
#define IIS_HEAD                                                               \
    "#Software: Microsoft Internet Information Services 10.0\r\n"              \
    "#Version: 1.0\r\n"                                                        \
    "#Date: 2021-03-02 00:00:00\r\n"                                           \
    "#Fields: " IIS_FIELDS "\r\n"

static void test_iis(void)
{
    static const char *const want[] = {
        "cs-method", "CS-URI-STEM",   "cs-uri-query",   "c-ip",
        "sc-status", "cs-user-agent", "cs(User-Agent)", "cs-referrer",
        "cs-cookie", "cs(Cookie)",    "Field7",         "cs-username",
        NULL};
    // IIS restarts mid-file: a new block with another field set, written
    // "# Fields:" as in the real sample, date after time.
    const char *text = IIS_HEAD
        "2021-03-02 04:12:33 10.0.0.5 POST /owa/auth/x.aspx a=1+2 443 - "
        "192.0.2.7 Mozilla/5.0+(Windows+NT+10.0) https://ex/owa/ 200 0 0 15"
        "\r\n"
        "2021-03-03 04:12:33 10.0.0.5 GET /ecp/ - 443 EX\\u 192.0.2.8 "
        "zgrab/0.x - 401\r\n"
        "2021-03-03 04:12:33 10.0.0.5 GET /aspnet_client/a.aspx - 443 - "
        "192.0.2.9 Mozilla/5.0 (raw spaces) - 200 0 0 1\r\n"
        "#Software: Microsoft Internet Information Services 10.0\r\n"
        "#Version: 1.0\r\n"
        "# Fields: time date cs-method cs-uri-stem cs(Cookie) sc-status\r\n"
        "04:12:33.120 2021-03-02 GET /owa/ a=b+c 302\r\n"
        "04:12:33 2021-03-03 GET /owa/ - 200 extra \"x\r\n"
        "bad 2021-03-03 GET\r\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_IIS, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 6 && st.records == 6 && st.bad_records == 0);
    CHECK(st.header_changes == 1 && !st.binary);
    CHECK_STR(st.software_version, "1.0");
    CHECK(g.line[0] == 5 && g.line[3] == 11 && g.line[5] == 13);
    CHECK(g.time[0] == T_0302 - 120 && g.time[1] == T_0303);
    CHECK_STR(g.fields[0], "POST|/owa/auth/x.aspx|a=1+2|192.0.2.7|200|"
                           "Mozilla/5.0 (Windows NT 10.0)|"
                           "Mozilla/5.0+(Windows+NT+10.0)|https://ex/owa/|-|-|"
                           "-|-");
    // Fewer values than names: the missing ones are absent.
    CHECK_STR(g.fields[1], "GET|/ecp/|-|192.0.2.8|401|zgrab/0.x|zgrab/0.x|-|-|"
                           "-|-|EX\\u");
    // Raw spaces in a value: the excess values go back into the agent.
    CHECK_STR(g.fields[2], "GET|/aspnet_client/a.aspx|-|192.0.2.9|200|"
                           "Mozilla/5.0 (raw spaces)|Mozilla/5.0 (raw spaces)|"
                           "-|-|-|-|-");
    // The second block: its names, its time order, cs(Cookie) with '+'.
    CHECK(g.time[3] == T_0302 && g.time[4] == T_0303);
    CHECK_STR(g.fields[3], "GET|/owa/|-|-|302|-|-|-|a=b c|a=b+c|-|-");
    // More values than names and no agent column: Field<N>; quotes are data.
    CHECK_STR(g.fields[4], "GET|/owa/|-|-|200|-|-|-|-|-|extra|-");
    CHECK(g.time[5] == INT64_MIN);
    free((char *)st.software_version);
    got_free(&g);
}

/* A '-' value is a value (IIS writes it for empty), not an absent field. */
static bool check_dash(void *user, csvlog *reader, const logrec *r)
{
    const event *ev = csvlog_event(reader, r);
    size_t len = 0;
    const char *q = event_get(ev, "cs-uri-query", &len);
    const char *u = event_get(ev, "cs-username", NULL);
    const char *x = event_get(ev, "cs-no-such", NULL);
    *(int *)user +=
        q && len == 1 && strcmp(q, "-") == 0 && u && strcmp(u, "-") == 0 && !x;
    return true;
}

static void test_iis_shadow(void)
{
    static const char *const want[] = {"cs-user-agent", "cs(User-Agent)",
                                       "cs-host", NULL};
    // A real column named like a taxonomy alias wins over the alias.
    const char *text = "#Fields: date time cs(User-Agent) cs-user-agent "
                       "cs(Host)\n"
                       "2021-03-02 04:12:33 a+b real mail.ex\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_IIS, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 1 && g.time[0] == T_0302 - 120);
    CHECK_STR(g.fields[0], "real|a+b|mail.ex");
    got_free(&g);
}

static void test_iis_dash_and_binary(void)
{
    const char *text = IIS_HEAD "2021-03-02 04:12:33 10.0.0.5 GET /owa/ - 443 "
                                "- 192.0.2.7 - - 200 0 0 15\n";
    csvlog *r = NULL;
    mem_stream m;
    int ok = 0;
    csvlog_stats st;
    CHECK(csvlog_new(FAM_IIS, 1 << 16, &r) == EXH_OK);
    mem_init(&m, text, strlen(text), 0);
    CHECK(csvlog_read(r, &m.s, check_dash, &ok, &st) == EXH_OK);
    CHECK(ok == 1 && st.records == 1);
    // A NUL in a record past the first 4 KiB and a record over the limit,
    // as for the other families.
    static char big[16384];
    size_t len = (size_t)snprintf(big, sizeof big, "%s", IIS_HEAD);
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(big + len, sizeof big - len, "%s",
                                "2021-03-02 04:12:33 a GET /x - 443 - b c - "
                                "200\n");
    memcpy(big + len, "2021-03-02 04:12:33 \0 GET\n", 26);
    len += 26;
    memset(big + len, 'A', 300);
    len += 300;
    big[len++] = '\n';
    static const char *const want[] = {"sc-status", NULL};
    got g = {0};
    CHECK(run(FAM_IIS, 200, big, len, want, &g, &st) == EXH_OK);
    CHECK(g.count == 101 && st.records == 101 && st.bad_records == 2);
    CHECK(!st.binary);
    CHECK_STR(g.fields[0], "200");
    free((char *)st.software_version);
    got_free(&g);
    // A NUL in the first row after the directives: that row alone.
    static const char first[] =
        IIS_HEAD "2021-03-02 04:12:33 a GET /x - 443 - b a\0b - 200\r\n"
                 "2021-03-02 04:12:34 a GET /y - 443 - b c - 302\r\n";
    CHECK(run(FAM_IIS, 200, first, sizeof first - 1, want, &g, &st) == EXH_OK);
    CHECK(!st.binary && st.records == 1 && st.bad_records == 1);
    CHECK(g.count == 1 && g.line[0] == 6);
    CHECK_STR(g.fields[0], "302");
    free((char *)st.software_version);
    got_free(&g);
    csvlog_free(r);
}

static void test_httpproxy_aliases(void)
{
    // The lazy path (names in the header) and the full split (a name
    // outside the header is asked first) must give the same values.
    static const char *const lazy[] = {
        "cs-uri-stem",   "CS-URI-QUERY", "cs-method", "sc-status", "c-ip",
        "cs-user-agent", "cs-username",  "cs-host",   "UrlStem",   NULL};
    static const char *const full[] = {
        "NoSuchField",   "cs-uri-stem", "CS-URI-QUERY",
        "cs-method",     "sc-status",   "c-ip",
        "cs-user-agent", "cs-username", "cs-host",
        "UrlStem",       NULL};
    const char *v[HP_COLUMNS] = {0};
    char row[2048] = "", text[8192];
    v[0] = "2021-03-02T04:12:33.120Z";
    v[8] = "mail.ex";
    v[9] = "/owa/auth/x.js";
    v[13] = "EX\\admin";
    v[16] = "\"Mozilla/5.0 (a, b)\"";
    v[17] = "192.0.2.7";
    v[19] = "200";
    v[22] = "POST";
    v[65] = "?a=1";
    for (size_t i = 0; i < HP_COLUMNS; i++) {
        size_t used = strlen(row);
        snprintf(row + used, sizeof row - used, "%s%s", i ? "," : "",
                 v[i] ? v[i] : "");
    }
    snprintf(text, sizeof text, HP_HEAD "%s\n", row);
    for (int pass = 0; pass < 2; pass++) {
        got g = {0};
        csvlog_stats st;
        CHECK(run_str(FAM_HTTPPROXY, text, pass ? full : lazy, &g, &st) ==
              EXH_OK);
        CHECK(g.count == 1);
        CHECK_STR(g.fields[0] + (pass ? 2 : 0),
                  "/owa/auth/x.js|?a=1|POST|200|192.0.2.7|Mozilla/5.0 (a, b)|"
                  "EX\\admin|mail.ex|/owa/auth/x.js");
        free((char *)st.software_version);
        got_free(&g);
    }
    // A real column named like an alias wins over it, in both paths.
    const char *shadow = "#Fields: DateTime,UrlStem,cs-uri-stem,HttpStatus\n"
                         "2021-03-02T04:12:33.120Z,/real/stem,/col,404\n";
    for (int pass = 0; pass < 2; pass++) {
        static const char *const l2[] = {"cs-uri-stem", "sc-status", NULL};
        static const char *const f2[] = {"NoSuchField", "cs-uri-stem",
                                         "sc-status", NULL};
        got g = {0};
        csvlog_stats st;
        CHECK(run_str(FAM_HTTPPROXY, shadow, pass ? f2 : l2, &g, &st) ==
              EXH_OK);
        CHECK_STR(g.fields[0], pass ? "-|/col|404" : "/col|404");
        got_free(&g);
    }
    // Aliases are for HttpProxy (and IIS) only: ECP keeps its names.
    static const char *const e[] = {"sc-status", NULL};
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_ECP_SERVER, "#Fields: TimeStamp,HttpStatus\nx,200\n", e,
                  &g, &st) == EXH_OK);
    CHECK_STR(g.fields[0], "-");
    got_free(&g);
}

/* The Rps_Http header as CrowdStrike lists it. */
#define RPS_HTTP_FIELDS                                                        \
    "DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,"     \
    "RevisionVersion,ClientRequestId,UrlHost,UrlStem,AuthenticationType,"      \
    "IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,"      \
    "ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,SubStatus,"      \
    "ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,"       \
    "ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,"                 \
    "ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,GenericInfo,"   \
    "GenericErrors"

static void test_rps(void)
{
    static const char *const want[] = {"CommandName",   "ClientInfo", "UrlStem",
                                       "GenericErrors", "Field39",    NULL};
    const char *text =
        "#Software: Microsoft Exchange Server\n"
        "#Version: 15.01.2375.007\n"
        "#Log-type: Rps Http Logs\n"
        "#Fields: " RPS_HTTP_FIELDS "\n"
        "2021-03-02T04:12:33.120Z,2021-03-02T04:12:33.000Z,r1,15,1,2375,7,,"
        "mail.ex,/powershell,Kerberos,True,EX\\u,,,192.0.2.7,EX01,FE01,200,0,"
        ",Command,c1,New-MailboxExportRequest,s1,sh1,,,12,"
        "\"Microsoft WinRM Client, \"\"x\"\"\",,,,,?X-Rps-CAT=a,,,\"e\"\n";
    got g = {0};
    csvlog_stats st;
    CHECK(run_str(FAM_RPS, text, want, &g, &st) == EXH_OK);
    CHECK(g.count == 1 && st.bad_records == 0);
    CHECK(g.time[0] == T_0302);
    CHECK_STR(g.fields[0], "New-MailboxExportRequest|"
                           "Microsoft WinRM Client, \"x\"|/powershell|e|-");
    CHECK_STR(csvlog_family_name(FAM_RPS), "rps");
    CHECK_STR(csvlog_family_name(FAM_IIS), "iis");
    free((char *)st.software_version);
    got_free(&g);
}

/* Reads a real sample file into text; false when absent. */
static bool read_sample(const char *name, char *text, size_t size, size_t *len)
{
    const char *data = getenv("EXH_TEST_DATA");
    char path[8192];
    snprintf(path, sizeof path, "%s/../../../shared/data/exchange-logs/%s",
             data ? data : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "real sample skipped: %s absent\n", path);
        return false;
    }
    *len = fread(text, 1, size, f);
    fclose(f);
    return true;
}

static void test_real_iis_rps(void)
{
    static char text[16384];
    size_t len;
    if (read_sample("qazeer_iis_webshell_request_example.log", text,
                    sizeof text, &len)) {
        static const char *const want[] = {"cs-uri-stem", "cs-uri-query",
                                           "sc-status",   "cs-user-agent",
                                           "c-ip",        NULL};
        got g = {0};
        csvlog_stats st;
        CHECK(run(FAM_IIS, 1 << 16, text, len, want, &g, &st) == EXH_OK);
        CHECK(g.count == 1 && st.bad_records == 0 && !st.binary);
        CHECK(g.line[0] == 3 && g.time[0] == 1703505261000LL);
        CHECK_STR(g.fields[0],
                  "/owa/auth/aKdMadOeT.aspx|cmd=whoami|200|Mozilla/5.0 "
                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/"
                  "522.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/512.34|"
                  "1.2.3.4");
        got_free(&g);
    }
    if (read_sample("qazeer_Rps_Cmdlet_2023011116-1.LOG", text, sizeof text,
                    &len)) {
        static const char *const want[] = {"Cmdlet", "Parameters",
                                           "NonPiiParameters",
                                           "ClientApplication", NULL};
        got g = {0};
        csvlog_stats st;
        CHECK(run(FAM_RPS, 1 << 16, text, len, want, &g, &st) == EXH_OK);
        CHECK(g.count == 1 && st.bad_records == 0 && !st.binary);
        CHECK(g.line[0] == 6 && g.time[0] == 1673398879000LL + 898);
        CHECK_STR(g.fields[0], "Get-Mailbox|-ResultSize \"1\"|"
                               "-ResultSize \"1\"|ActiveMonitor");
        CHECK_STR(st.software_version, "15.01.2375.007");
        free((char *)st.software_version);
        got_free(&g);
    }
    if (read_sample("qazeer_Ews_2023010616-1.LOG", text, sizeof text, &len)) {
        static const char *const want[] = {"SoapAction", "ImpersonatedUser",
                                           "AuthenticatedUser", "HttpStatus",
                                           NULL};
        got g = {0};
        csvlog_stats st;
        CHECK(run(FAM_EWS, 1 << 16, text, len, want, &g, &st) == EXH_OK);
        CHECK(g.count == 1 && st.bad_records == 0 && !st.binary);
        CHECK(g.line[0] == 6 && g.time[0] == 1673020806000LL + 410);
        CHECK_STR(g.fields[0], "GetFolder|HealthMailboxXXX@domain.test|"
                               "HealthMailboxXXX@domain.test|200");
        CHECK_STR(csvlog_family_name(FAM_EWS), "ews");
        free((char *)st.software_version);
        got_free(&g);
    }
}

/* The reader's buffer-wide pre-filter marks exactly the records that hold
 * a literal, whatever the read sizes and buffer boundaries. */
typedef struct maybe_check {
    const prefilter *pf;
    size_t records, maybes, wrong;
} maybe_check;

static bool check_maybe(void *user, csvlog *reader, const logrec *r)
{
    (void)reader;
    maybe_check *m = user;
    bool want = prefilter_any(m->pf, r->text, r->len);
    m->records++;
    m->maybes += r->maybe;
    m->wrong += r->maybe != want;
    return true;
}

static void test_prefilter_marks(void)
{
    static char text[1 << 20];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", HP_HEAD);
    char row[2048];
    size_t expected = 0;
    for (int i = 0; len + sizeof row < sizeof text; i++) {
        const char *anchor = i % 7 == 3    ? "ServerInfo~a]@ex:444/ecp/y.js?#"
                             : i % 11 == 5 ? "\"q,ServerINFO~b/c\""
                                           : "Sid~S-1-5-21-1";
        hp_row(row, sizeof row, "2021-03-02T04:12:33.120Z", anchor,
               i % 13 == 0 ? "/serverinfo/" : "/owa/", "200");
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", row,
                                i % 2 ? "\r\n" : "\n");
        expected += i % 7 == 3 || i % 11 == 5;
    }
    const char *lits[] = {"serverinfo~"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    size_t chunks[] = {0, 1, 7, 4093, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        csvlog *r = NULL;
        CHECK(csvlog_new(FAM_HTTPPROXY, 4096, &r) == EXH_OK);
        csvlog_set_prefilter(r, pf, false);
        mem_stream m;
        mem_init(&m, text, len, chunks[c]);
        maybe_check mc = {pf, 0, 0, 0};
        csvlog_stats st;
        CHECK(csvlog_read(r, &m.s, check_maybe, &mc, &st) == EXH_OK);
        CHECK(mc.wrong == 0);
        CHECK(mc.maybes == expected);
        CHECK(mc.records > 400);
        csvlog_free(r);
    }
    prefilter_free(pf);
}

/* The same over IIS rows: space-separated, quotes are plain bytes. */
static void test_prefilter_marks_iis(void)
{
    static char text[1 << 20];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", IIS_HEAD);
    size_t expected = 0;
    for (int i = 0; len + 512 < sizeof text; i++) {
        const char *stem = i % 7 == 3    ? "/aspnet_client/shell.aspx"
                           : i % 11 == 5 ? "/\"ASPNET_CLIENT/x\""
                                         : "/owa/auth/logon.aspx";
        if (i % 97 == 0)
            len += (size_t)snprintf(text + len, sizeof text - len,
                                    "#Fields: " IIS_FIELDS "\n");
        len += (size_t)snprintf(
            text + len, sizeof text - len,
            "2021-03-02 04:12:%02d 10.0.0.5 GET %s - 443 - 192.0.2.7 "
            "Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 %d%s",
            i % 60, stem, i, i % 2 ? "\r\n" : "\n");
        expected += i % 7 == 3 || i % 11 == 5;
    }
    const char *lits[] = {"aspnet_client/"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    size_t chunks[] = {0, 1, 7, 4093, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        csvlog *r = NULL;
        CHECK(csvlog_new(FAM_IIS, 4096, &r) == EXH_OK);
        csvlog_set_prefilter(r, pf, false);
        mem_stream m;
        mem_init(&m, text, len, chunks[c]);
        maybe_check mc = {pf, 0, 0, 0};
        csvlog_stats st;
        CHECK(csvlog_read(r, &m.s, check_maybe, &mc, &st) == EXH_OK);
        CHECK(mc.wrong == 0);
        CHECK(mc.maybes == expected);
        CHECK(mc.records > 4000 && st.bad_records == 0);
        csvlog_free(r);
    }
    prefilter_free(pf);
}

typedef struct decoded_check {
    bool maybe[16];
    bool decoded[16]; /* r->dec is not the raw text */
    size_t n;
} decoded_check;

static bool check_decoded(void *user, csvlog *reader, const logrec *r)
{
    (void)reader;
    decoded_check *d = user;
    if (d->n < 16) {
        d->decoded[d->n] = r->dec != r->text;
        d->maybe[d->n++] = r->maybe;
    }
    return true;
}
/* Records with '%' under a filter that also judges them decoded: a field
 * sequence counts strictly in the decoded record when decoding added no
 * separator, loosely when it did. */
static void test_prefilter_decoded(void)
{
    static const struct {
        const char *anchor, *stem;
        bool want;
    } rows[] = {
        {"Server~a%2Fb~c", "/owa/", true},     // decodes to Server~a/b~c
        {"Server~host~1", "/owa/%2Fx", false}, // decoded, judged strictly
        {"Server~a%2C%2Fb~c", "/owa/", true},  // a decoded ',': loosely
        {"Server~host~1", "/owa/", false},     // no '%' at all
        {"Server~a/b~c", "/owa/%40x", true},   // raw already holds it
        {"Server~a%252Fb~c", "/owa/", true},   // escaped twice
        {"Sid~x", "/owa/%2Fx", false},         // no search run: not decoded
    };
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", HP_HEAD);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char row[2048];
        hp_row(row, sizeof row, "2021-03-02T04:12:33.120Z", rows[i].anchor,
               rows[i].stem, "200");
        len += (size_t)snprintf(text + len, sizeof text - len, "%s\r\n", row);
    }
    const char *lits[] = {"server~\x1f/\x1f~"};
    prefilter *pf = NULL;
    CHECK(prefilter_new(lits, 1, &pf) == EXH_OK);
    csvlog *r = NULL;
    CHECK(csvlog_new(FAM_HTTPPROXY, 4096, &r) == EXH_OK);
    if (!r || !pf) {
        csvlog_free(r);
        prefilter_free(pf);
        return;
    }
    csvlog_set_prefilter(r, pf, true);
    mem_stream m;
    mem_init(&m, text, len, 0);
    decoded_check dc = {0};
    csvlog_stats st;
    CHECK(csvlog_read(r, &m.s, check_decoded, &dc, &st) == EXH_OK);
    CHECK(dc.n == sizeof rows / sizeof *rows);
    for (size_t i = 0; i < dc.n && i < sizeof rows / sizeof *rows; i++) {
        if (dc.maybe[i] != rows[i].want)
            fprintf(stderr, "  decoded row %zu: maybe %d\n", i, dc.maybe[i]);
        CHECK(dc.maybe[i] == rows[i].want);
    }
    // Decoded where an escape may add the sequence; not where the record
    // holds none of its search run (prefilter_escape_matters(), which
    // knows that from Hyperscan's hits).
    CHECK(dc.decoded[0] && dc.decoded[1] && dc.decoded[5]);
#ifdef EXH_HAVE_HYPERSCAN
    CHECK(!dc.decoded[6]);
#endif
    csvlog_free(r);
    prefilter_free(pf);
}

int main(void)
{
    test_prefilter_marks();
    test_prefilter_marks_iis();
    test_prefilter_decoded();
    test_names_and_args();
    test_httpproxy();
    test_crlf_bom_truncated_last_line();
    test_quoting();
    test_unclosed_quote();
    test_bare_header_and_columns();
    test_field_names();
    test_header_change();
    test_header_reuse();
    test_long_record();
    test_huge_line();
    test_crlf_at_buffer_end();
    test_binary();
    test_binary_random();
    test_ecp_fields();
    test_ecp_activity();
    test_oab_plain();
    test_oab_csv();
    test_stop_and_errors();
    test_real_samples();
    test_iis();
    test_iis_dash_and_binary();
    test_iis_shadow();
    test_httpproxy_aliases();
    test_rps();
    test_real_iis_rps();
    TEST_MAIN_END();
}
