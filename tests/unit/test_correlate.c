/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_correlate.c - the links of lib/correlate.c on findings made by
 * hand: a process event near a web shell request (linked when it names
 * w3wp and is within 30 minutes, not otherwise), one client's requests
 * (linked within 30 minutes, not 40), a mailbox export's FilePath and the
 * planted file of that name, and the pivot's account filter.
 */
#include "harness.h"
#include "scan.h"

#include <stdlib.h>

#define MIN 60000LL
#define T0  1614737000000LL /* 2021-03-03T02:03:20Z */

static exh_ruleset rs; /* no Sigma rules: every finding carries its own */

static ifinding mk(exh_category cat, exh_severity sev, log_family fam,
                   int64_t t, exh_kv *ev, size_t n)
{
    ifinding f;
    memset(&f, 0, sizeof f);
    f.rule = SIZE_MAX;
    f.fr.name = (char *)"r";
    f.fr.title = (char *)"a finding";
    f.fr.category = cat;
    f.fr.severity = sev;
    f.family = fam;
    f.time_ms = t;
    f.last_ms = INT64_MIN;
    f.count = 1;
    f.source_path = (char *)"x.log";
    f.evidence = ev;
    f.evidence_count = n;
    return f;
}

#define KV(k, v)                                                               \
    {                                                                          \
        k, v, sizeof(v) - 1                                                    \
    }

static bool linked(const correlation *c, size_t i, const char *id)
{
    size_t n;
    const char *const *r = correlation_related(c, i, &n);
    for (size_t k = 0; k < n; k++) {
        if (strcmp(r[k], id) == 0)
            return true;
    }
    return false;
}

static void test_process(void)
{
    exh_kv req[] = {KV("c-ip", "203.0.113.5"),
                    KV("cs-uri-stem", "/aspnet_client/a.aspx")};
    exh_kv w3wp[] = {
        KV("ParentImage", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"),
        KV("Image", "C:\\Windows\\System32\\cmd.exe")};
    exh_kv plain[] = {KV("Image", "C:\\Windows\\System32\\cmd.exe")};
    ifinding fs[] = {
        mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_IIS, T0, req, 2),
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_EVTX, T0 + 5 * MIN,
           w3wp, 2),
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_EVTX, T0 + 6 * MIN,
           plain, 1), // names no process of Exchange or IIS
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_EVTX, T0 + 180 * MIN,
           w3wp, 2), // hours later
    };
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 4, 0, &c) == EXH_OK);
    CHECK(linked(c, 0, "f-000002"));
    CHECK(linked(c, 1, "f-000001"));
    CHECK(!linked(c, 0, "f-000003"));
    CHECK(!linked(c, 0, "f-000004"));
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.incident_count == 3);
    CHECK_STR(s.incidents[0].id, "i-000001");
    CHECK(s.incidents[0].finding_count == 2);
    CHECK(s.incidents[0].stage_count == 2);
    CHECK_STR(s.incidents[0].stages[0], "webshell");
    CHECK_STR(s.incidents[0].stages[1], "execution");
    CHECK(strstr(s.incidents[0].story, "1 event-log finding is tied") != NULL);
    correlation_free(c);
}

static void test_session(void)
{
    exh_kv a[] = {KV("ClientIpAddress", "198.51.100.7")};
    ifinding fs[] = {
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_HTTPPROXY, T0, a, 1),
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_HTTPPROXY, T0 + 20 * MIN,
           a, 1),
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_HTTPPROXY, T0 + 60 * MIN,
           a, 1), // 40 minutes after the previous
    };
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 3, 10, &c) == EXH_OK);
    CHECK(linked(c, 0, "f-000012"));
    CHECK(!linked(c, 1, "f-000013"));
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.incident_count == 2);
    CHECK(s.pivot_count[EXH_PIVOT_ADDRESSES] == 1);
    CHECK(s.pivot[EXH_PIVOT_ADDRESSES][0].count == 3);
    CHECK(s.pivot[EXH_PIVOT_ADDRESSES][0].finding_count == 3);
    correlation_free(c);
}

static void test_export_file(void)
{
    exh_kv cmd[] = {KV("CMD",
                       "New-MailboxExportRequest -Mailbox admin@contoso.test "
                       "-FilePath \"\\\\localhost\\c$\\inetpub\\wwwroot\\"
                       "aspnet_client\\Shell.aspx\""),
                    KV("AuthenticatedUser", "CONTOSO\\EXCH01$")};
    exh_kv other[] = {KV("UserName", "SYSTEM"), KV("User", "CONTOSO\\eve")};
    ifinding fs[] = {
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_RPS, T0, cmd, 2),
        mk(EXH_CAT_SUSPICIOUS, EXH_SEV_MEDIUM, FAM_RPS, T0 + 500 * MIN, other,
           2),
        mk(EXH_CAT_WEBSHELL, EXH_SEV_CRITICAL, FAM_NONE, T0 + 900 * MIN, NULL,
           0),
    };
    ifile file;
    memset(&file, 0, sizeof file);
    fs[2].file = &file;
    fs[2].windows_path =
        (char *)"C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx";
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 3, 0, &c) == EXH_OK);
    CHECK(linked(c, 0, "f-000003"));
    CHECK(!linked(c, 0, "f-000002"));
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.incident_count == 1);
    CHECK(s.incidents[0].stage_count == 2); // webshell, persistence
    // Accounts: not SYSTEM, not the machine account.
    CHECK(s.pivot_count[EXH_PIVOT_ACCOUNTS] == 1);
    CHECK_STR(s.pivot[EXH_PIVOT_ACCOUNTS][0].value, "CONTOSO\\eve");
    CHECK(s.pivot_count[EXH_PIVOT_FILES] == 2);
    correlation_free(c);
}

/* A file of a mounted volume ("?:\\...") and the same path a log names
 * with its drive letter are one pivot entry; with two letters, not. */
static void test_unknown_drive(void)
{
    ifinding fs[4];
    ifile file[4];
    const char *paths[4] = {"?:\\inetpub\\wwwroot\\aspnet_client\\x.aspx",
                            "C:\\inetpub\\wwwroot\\aspnet_client\\X.aspx",
                            "?:\\inetpub\\y.aspx", "?:\\inetpub\\z.aspx"};
    for (size_t i = 0; i < 4; i++) {
        fs[i] = mk(EXH_CAT_WEBSHELL, EXH_SEV_CRITICAL, FAM_NONE,
                   T0 + (int64_t)i * MIN, NULL, 0);
        memset(&file[i], 0, sizeof file[i]);
        fs[i].file = &file[i];
        fs[i].windows_path = (char *)paths[i];
    }
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 4, 0, &c) == EXH_OK);
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.pivot_count[EXH_PIVOT_FILES] == 3);
    bool merged = false;
    for (size_t i = 0; i < s.pivot_count[EXH_PIVOT_FILES]; i++) {
        const exh_pivot_item *it = &s.pivot[EXH_PIVOT_FILES][i];
        if (strstr(it->value, "aspnet_client")) {
            merged = it->value[0] == 'C' && it->finding_count == 2;
        }
    }
    CHECK(merged);
    correlation_free(c);
    // Two letters hold the path: the unknown drive stays apart.
    paths[2] = "D:\\inetpub\\wwwroot\\aspnet_client\\x.aspx";
    fs[2].windows_path = (char *)paths[2];
    CHECK(correlate_unit(&rs, fs, 4, 0, &c) == EXH_OK);
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.pivot_count[EXH_PIVOT_FILES] == 4);
    correlation_free(c);
}

int main(void)
{
    test_unknown_drive();
    test_process();
    test_session();
    test_export_file();
    TEST_MAIN_END();
}
