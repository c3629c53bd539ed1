/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_correlate.c - the links of lib/correlate.c on findings made by
 * hand: a process event near a web shell request (linked when it names
 * w3wp and is within 30 minutes, not otherwise), one client's requests
 * (linked within 30 minutes, not 40), a mailbox export's FilePath and the
 * planted file of that name, and the pivot's account filter; web shells
 * linked by their URL paths, and the pivot's address IOC lists.
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

/* Web-shell file findings fs[0..n) at paths, a minute apart. */
static void mk_files(ifinding *fs, ifile *file, const char *const *paths,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fs[i] = mk(EXH_CAT_WEBSHELL, EXH_SEV_CRITICAL, FAM_NONE,
                   T0 + (int64_t)i * MIN, NULL, 0);
        memset(&file[i], 0, sizeof file[i]);
        fs[i].file = &file[i];
        fs[i].windows_path = (char *)paths[i];
    }
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
    mk_files(fs, file, paths, 4);
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

/* The story of the incident that holds finding id, or NULL. */
static const char *story_with(const exh_summary *s, const char *id)
{
    for (size_t i = 0; i < s->incident_count; i++) {
        for (size_t k = 0; k < s->incidents[i].finding_count; k++) {
            if (strcmp(s->incidents[i].findings[k], id) == 0)
                return s->incidents[i].story;
        }
    }
    return NULL;
}

/* A web shell links the requests whose URL stem is its URL path (under
 * its web root), compared case-insensitively, not every request for a
 * file of its name; a file under no web root falls back to its name and
 * its story says so. */
static void test_url_paths(void)
{
    static const char *const paths[] = {
        ("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\"
         "HttpProxy\\owa\\auth\\x.aspx"),
        "?:\\inetpub\\wwwroot\\aspnet_client\\x.aspx",
        "D:\\Exchange\\ClientAccess\\exchweb\\ews\\y.aspx",
        "C:\\ProgramData\\z.aspx",
    };
    exh_kv r_owa[] = {KV("c-ip", "203.0.113.5"),
                      KV("cs-uri-stem", "/OWA/Auth/x.aspx")};
    exh_kv r_client[] = {KV("c-ip", "198.51.100.7"),
                         KV("cs-uri-stem", "/aspnet_client/X.aspx")};
    exh_kv r_ecp[] = {KV("c-ip", "192.0.2.9"),
                      KV("cs-uri-stem", "/ecp/auth/x.aspx")};
    exh_kv r_ews[] = {KV("ClientIpAddress", "192.0.2.10"),
                      KV("UrlStem", "/EWS/y.aspx")};
    exh_kv r_z[] = {KV("c-ip", "192.0.2.11"),
                    KV("cs-uri-stem", "/static/z.aspx")};
    ifinding fs[9];
    ifile file[4];
    mk_files(fs, file, paths, 4);
    // Hours apart, from other clients: only the paths can link them.
    fs[4] =
        mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_IIS, T0 + 100 * MIN, r_owa, 2);
    fs[5] = mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_IIS, T0 + 200 * MIN,
               r_client, 2);
    fs[6] =
        mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_IIS, T0 + 300 * MIN, r_ecp, 2);
    fs[7] = mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_HTTPPROXY, T0 + 400 * MIN,
               r_ews, 2);
    fs[8] = mk(EXH_CAT_WEBSHELL, EXH_SEV_HIGH, FAM_IIS, T0 + 500 * MIN, r_z, 2);
    correlation *c = NULL;
    CHECK(correlate_unit(&rs, fs, 9, 0, &c) == EXH_OK);
    CHECK(linked(c, 0, "f-000005"));  // owa\auth\x.aspx: /owa/auth/x.aspx
    CHECK(!linked(c, 0, "f-000006")); // not /aspnet_client/x.aspx
    CHECK(!linked(c, 0, "f-000002")); // nor the other x.aspx
    CHECK(linked(c, 1, "f-000006"));
    CHECK(!linked(c, 1, "f-000005"));
    CHECK(linked(c, 2, "f-000008")); // the back end's exchweb\ews: /EWS
    CHECK(!linked(c, 6, "f-000001") && !linked(c, 6, "f-000002"));
    CHECK(linked(c, 3, "f-000009")); // under no web root: by its name
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    const char *st = story_with(&s, "f-000004");
    CHECK(st && strstr(st, "Requests were tied to C:\\ProgramData\\z.aspx "
                           "by file name only"));
    st = story_with(&s, "f-000001");
    CHECK(st && !strstr(st, "by file name only"));
    correlation_free(c);
}

/* The pivot names the address IOC lists that hold an address. */
static void test_pivot_ioc(void)
{
    exh_ruleset r = rs;
    static const char *const lists[][2] = {
        {"a-address", "203.0.113.0/24\n"},
        {"b-c2", "2001:db8::/32\n198.51.100.21\n203.0.113.9\nbad!\n"},
    };
    for (size_t i = 0; i < 2; i++) {
        buf yaml;
        buf_init(&yaml, 1u << 20);
        size_t values, rejected;
        CHECK(ioc_address_rules(lists[i][1], strlen(lists[i][1]), lists[i][0],
                                lists[i][0], &yaml, &values, &rejected,
                                &r.addrs) == EXH_OK);
        buf_free(&yaml);
    }
    addr_set_finish(&r.addrs);
    static const char *const ips[] = {"203.0.113.9", "198.51.100.20",
                                      "::ffff:203.0.113.77", "2001:DB8::5"};
    static const char *const want[] = {"a-address|b-c2", "", "a-address",
                                       "b-c2"};
    exh_kv ev[4][1];
    ifinding fs[4];
    for (size_t i = 0; i < 4; i++) {
        ev[i][0] = (exh_kv){"c-ip", (char *)ips[i], strlen(ips[i])};
        fs[i] = mk(EXH_CAT_SUSPICIOUS, EXH_SEV_MEDIUM, FAM_IIS,
                   T0 + (int64_t)i * 100 * MIN, ev[i], 1);
    }
    correlation *c = NULL;
    CHECK(correlate_unit(&r, fs, 4, 0, &c) == EXH_OK);
    exh_summary s;
    memset(&s, 0, sizeof s);
    correlation_fill(c, &s);
    CHECK(s.pivot_count[EXH_PIVOT_ADDRESSES] == 4);
    for (size_t i = 0; i < s.pivot_count[EXH_PIVOT_ADDRESSES]; i++) {
        const exh_pivot_item *it = &s.pivot[EXH_PIVOT_ADDRESSES][i];
        char got[64] = "";
        for (size_t k = 0; k < it->ioc_count; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
                     k ? "|" : "", it->ioc[k]);
        for (size_t k = 0; k < 4; k++) {
            if (strcmp(it->value, ips[k]) == 0)
                CHECK_STR(got, want[k]);
        }
        CHECK(it->ioc_count ? it->ioc != NULL : it->ioc == NULL);
    }
    correlation_free(c);
    addr_set_free(&r.addrs);
}

int main(void)
{
    test_url_paths();
    test_pivot_ioc();
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
