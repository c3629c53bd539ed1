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
    // Accounts: not SYSTEM, not the machine account; the exported mailbox.
    CHECK(s.pivot_count[EXH_PIVOT_ACCOUNTS] == 2);
    CHECK_STR(s.pivot[EXH_PIVOT_ACCOUNTS][0].value, "admin@contoso.test");
    CHECK_STR(s.pivot[EXH_PIVOT_ACCOUNTS][1].value, "CONTOSO\\eve");
    // \\localhost\c$\inetpub\... is this server's C:\inetpub\...: one
    // file, named by the command and found on disk.
    CHECK(s.pivot_count[EXH_PIVOT_FILES] == 1);
    CHECK(s.pivot[EXH_PIVOT_FILES][0].finding_count == 2);
    CHECK(util_strcasecmp(s.pivot[EXH_PIVOT_FILES][0].value,
                          "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx") ==
          0);
    correlation_free(c);
}

/* The value of the files pivot for one command finding whose evidence is
 * v, or NULL. */
static char *file_of(const char *v)
{
    exh_kv cmd[] = {{"Parameters", (char *)v, strlen(v)}};
    ifinding f =
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_RPS, T0, cmd, 1);
    correlation *c = NULL;
    if (correlate_unit(&rs, &f, 1, 0, &c) != EXH_OK)
        return NULL;
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    char *r = s.pivot_count[EXH_PIVOT_FILES] == 1
                  ? strdup(s.pivot[EXH_PIVOT_FILES][0].value)
                  : NULL;
    correlation_free(c);
    return r;
}

/* Paths through this server's administrative share become local paths;
 * another host's share stays a share. */
static void test_unc(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"-FilePath \"\\\\127.0.0.1\\c$\\inetpub\\a.aspx\"",
         "C:\\inetpub\\a.aspx"},
        // A log that doubles its backslashes.
        {"-FilePath \"\\\\\\\\LOCALHOST\\\\d$\\\\x\\\\b.aspx\"",
         "D:\\x\\b.aspx"},
        {"-FilePath \"\\\\fileserver\\c$\\inetpub\\c.aspx\"",
         "\\fileserver\\c$\\inetpub\\c.aspx"},
        {"-FilePath \"\\\\127.0.0.1\\share\\d.aspx\"",
         "\\127.0.0.1\\share\\d.aspx"},
        {"-FilePath \"\\\\127.0.0.1\\c$e.aspx\"", NULL}, // no folder
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = file_of(cases[i].in);
        if (cases[i].want)
            CHECK_STR(got ? got : "(none)", cases[i].want);
        else
            CHECK(!got || strchr(got, ':') == NULL);
        free(got);
    }
}

/* The accounts pivot of one finding of category cat and family fam whose
 * evidence is v, joined by '|'. */
static void accounts_of(exh_category cat, log_family fam, const char *v,
                        char *out, size_t cap)
{
    exh_kv cmd[] = {{"Parameters", (char *)v, strlen(v)}};
    ifinding f = mk(cat, EXH_SEV_HIGH, fam, T0, cmd, 1);
    correlation *c = NULL;
    out[0] = '\0';
    if (correlate_unit(&rs, &f, 1, 0, &c) != EXH_OK)
        return;
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    size_t o = 0;
    for (size_t i = 0; i < s.pivot_count[EXH_PIVOT_ACCOUNTS]; i++)
        o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s",
                              i ? "|" : "",
                              s.pivot[EXH_PIVOT_ACCOUNTS][i].value);
    correlation_free(c);
}

/* Mailboxes and accounts named by management commands. */
static void test_command_accounts(void)
{
    static const struct {
        exh_category cat;
        log_family fam;
        const char *in, *want;
    } cases[] = {
        {EXH_CAT_POST_EXPLOITATION, FAM_RPS,
         "-Mailbox \"jdoe@contoso.test\" -FilePath \"\\\\x\\y.aspx\"",
         "jdoe@contoso.test"},
        // -User:VALUE, a bare value, and the grantee and target of a grant.
        {EXH_CAT_POST_EXPLOITATION, FAM_EVTX,
         "-Identity 'ceo@contoso.test' -User:CONTOSO\\bob -AccessRights "
         "FullAccess",
         "bob|ceo"},
        {EXH_CAT_POST_EXPLOITATION, FAM_ECP_SERVER,
         "-SourceMailboxes \"a@contoso.test\",\"b@contoso.test\" "
         "-TargetMailbox "
         "x",
         "a@contoso.test|b@contoso.test"},
        // An -Identity that is no mailbox; a switch; a machine account;
        // SYSTEM; a control character; a parameter inside a word.
        {EXH_CAT_POST_EXPLOITATION, FAM_RPS,
         "-Identity \"OAB (Default Web Site)\" -Mailbox -Confirm -User "
         "\"EXCH01$\" -User SYSTEM -User \"a\x01b\" x-User:eve",
         ""},
        {EXH_CAT_POST_EXPLOITATION, FAM_RPS,
         "-Identity \"admin@contoso.test\\MailboxExport\"", ""},
        // Not a story finding, or a request's URL: no account from it.
        {EXH_CAT_SUSPICIOUS, FAM_RPS, "-Mailbox jdoe@contoso.test", ""},
        {EXH_CAT_EXPLOITATION, FAM_IIS, "/x?-Mailbox jdoe@contoso.test", ""},
        // An unterminated quote ends at the end of the value.
        {EXH_CAT_POST_EXPLOITATION, FAM_RPS, "-Mailbox \"mallory@x.test",
         "mallory@x.test"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char got[512];
        accounts_of(cases[i].cat, cases[i].fam, cases[i].in, got, sizeof got);
        if (strcmp(cases[i].want, "bob|ceo") == 0) {
            CHECK(strstr(got, "CONTOSO\\bob") &&
                  strstr(got, "ceo@contoso.test") &&
                  strchr(got, '|') == strrchr(got, '|'));
            continue;
        }
        CHECK_STR(got, cases[i].want);
    }
}

/* A remote-PowerShell command without a client follows the exploitation
 * request nearest to it (within 10 minutes); a command further away, or
 * one that is only suspicious, stays apart. */
static void test_command_link(void)
{
    exh_kv req[] = {KV("c-ip", "203.0.113.5"),
                    KV("cs-uri-stem", "/autodiscover/autodiscover.json")};
    exh_kv grant[] = {KV("Cmdlet", "New-ManagementRoleAssignment")};
    ifinding fs[] = {
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_IIS, T0, req, 2),
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_RPS, T0 + 2 * MIN,
           grant, 1),
        mk(EXH_CAT_POST_EXPLOITATION, EXH_SEV_HIGH, FAM_RPS, T0 + 25 * MIN,
           grant, 1),
        mk(EXH_CAT_SUSPICIOUS, EXH_SEV_MEDIUM, FAM_RPS, T0 + 3 * MIN, grant, 1),
    };
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 4, 0, &c) == EXH_OK);
    CHECK(linked(c, 0, "f-000002"));
    CHECK(!linked(c, 0, "f-000003"));
    CHECK(!linked(c, 0, "f-000004"));
    correlation_free(c);
}

/* Two findings of one log record (a rule and an address IOC) count the
 * record once in the pivot; two records count twice. */
static void test_same_record(void)
{
    exh_kv req[] = {KV("c-ip", "203.0.113.9")};
    ifinding fs[] = {
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_IIS, T0, req, 1),
        mk(EXH_CAT_SUSPICIOUS, EXH_SEV_MEDIUM, FAM_IIS, T0, req, 1),
        mk(EXH_CAT_EXPLOITATION, EXH_SEV_CRITICAL, FAM_IIS, T0 + MIN, req, 1),
    };
    fs[0].line = fs[1].line = 7;
    fs[2].line = 8;
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 3, 0, &c) == EXH_OK);
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.pivot_count[EXH_PIVOT_ADDRESSES] == 1);
    CHECK(s.pivot[EXH_PIVOT_ADDRESSES][0].count == 2);
    CHECK(s.pivot[EXH_PIVOT_ADDRESSES][0].finding_count == 3);
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
    test_unc();
    test_command_accounts();
    test_command_link();
    test_same_record();
    TEST_MAIN_END();
}
