/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_build.c - the build table (rules/builds.csv): every row round-trips
 * (its version finds that very row), unlisted builds are placed between
 * their neighbours, malformed strings are refused, the CVE sets agree
 * with Microsoft's published fixes (detections.md section 6, Microsoft's
 * CVE records for April 2021) and the update KB numbers are as published.
 */
#include "harness.h"
#include "internal.h"

#include <stdlib.h>

static bool has(const char *const *list, size_t count, const char *cve)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], cve) == 0)
            return true;
    return false;
}

static const exh_build_info *lookup(const char *v, exh_build **b)
{
    *b = NULL;
    if (exh_build_lookup(v, b) != EXH_OK)
        return NULL;
    return exh_build_get(*b);
}

static void test_round_trip(void)
{
    build_table *t = NULL;
    CHECK(build_table_load(&t) == EXH_OK);
    if (!t)
        return;
    CHECK(build_table_count(t) > 300);
    for (size_t i = 0; i < build_table_count(t); i++) {
        char v[32];
        exh_build *b;
        build_table_version(t, i, v);
        const exh_build_info *info = lookup(v, &b);
        CHECK(info != NULL);
        if (!info)
            continue;
        CHECK_STR(info->version, v);
        CHECK(info->exact == 1);
        CHECK(info->placement == NULL);
        CHECK_STR(info->update, build_table_update(t, i));
        CHECK(info->product != NULL && info->released != NULL);
        // Every covered CVE that applies is either open or fixed, never both.
        for (size_t k = 0; k < info->open_count; k++)
            CHECK(!has(info->fixed_cve, info->fixed_count, info->open_cve[k]));
        exh_build_free(b);
    }
    build_table_free(t);
}

/* The published thresholds: the first build of each CU line that fixes a set.
 */
static void test_published_fixes(void)
{
    static const struct {
        const char *version, *cve;
        bool open;
    } cases[] = {
        {"15.0.1497.10", "CVE-2021-26855", true},  // E13 CU23 Dec20SU
        {"15.0.1497.12", "CVE-2021-26855", false}, // E13 CU23 Mar21SU
        {"15.0.1497.12", "CVE-2021-34473", true},
        {"15.0.1497.15", "CVE-2021-34473", false}, // Apr21SU
        {"15.0.1497.15", "CVE-2021-31207", true},
        {"15.0.1497.18", "CVE-2021-31207", false}, // May21SU
        {"15.0.1497.42", "CVE-2022-41040", true},
        {"15.0.1497.44", "CVE-2022-41040", false}, // Nov22SU
        {"15.1.2106.8", "CVE-2021-26857", true},
        {"15.1.2106.13", "CVE-2021-26857", false},
        {"15.1.2176.2", "CVE-2021-26855", true}, // the example
        {"15.1.2176.9", "CVE-2021-27065", false},
        {"15.1.2242.4", "CVE-2021-26858", false}, // CU20 includes the fix
        {"15.1.2242.4", "CVE-2021-34523", true},
        {"15.1.2308.8", "CVE-2021-34523", false}, // CU21 includes ProxyShell
        {"15.1.2375.32", "CVE-2022-41080", true},
        {"15.1.2375.37", "CVE-2022-41080", false},
        {"15.1.2507.13", "CVE-2022-41082", true},
        {"15.1.2507.16", "CVE-2022-41082", false},
        {"15.2.792.10", "CVE-2021-26855", false},
        {"15.2.792.10", "CVE-2021-34473", true},
        {"15.2.858.12", "CVE-2021-31207", false},
        {"15.2.986.30", "CVE-2022-41040", true},
        {"15.2.986.36", "CVE-2022-41040", false},
        {"15.2.1118.20", "CVE-2022-41040", false},
        {"15.2.1258.12", "CVE-2022-41082", false}, // CU13 includes Nov22SU
        {"14.3.509.0", "CVE-2021-26857", true},    // E2010 SP3 RU31
        {"14.3.513.0", "CVE-2021-26857", false},   // RU32
        // The special March 2021 updates fix the ProxyLogon set only.
        {"15.1.1913.12", "CVE-2021-26855", false},
        {"15.1.1913.12", "CVE-2021-34473", true},
        {"15.1.1415.8", "CVE-2020-0688", true},
        {"15.2.221.18", "CVE-2021-27065", false},
        {"15.2.221.18", "CVE-2020-0688", true},
        // CVE-2021-28480..28483 and ProxyToken's CVE-2021-33766: fixed by
        // the April 2021 update (Microsoft's CVE records: affected below
        // the Apr21SU builds), open before it and on the special Mar21SU.
        {"15.0.1497.12", "CVE-2021-28480", true},  // E13 CU23 Mar21SU
        {"15.0.1497.15", "CVE-2021-28480", false}, // E13 CU23 Apr21SU
        {"15.1.2176.9", "CVE-2021-28481", true},   // E16 CU19 Mar21SU
        {"15.1.2176.12", "CVE-2021-28481", false}, // E16 CU19 Apr21SU
        {"15.1.2242.4", "CVE-2021-28482", true},   // E16 CU20
        {"15.1.2242.8", "CVE-2021-28482", false},  // E16 CU20 Apr21SU
        {"15.1.2308.8", "CVE-2021-28483", false},  // E16 CU21 includes it
        {"15.2.792.10", "CVE-2021-28483", true},   // E19 CU8 Mar21SU
        {"15.2.792.13", "CVE-2021-28483", false},  // E19 CU8 Apr21SU
        {"15.2.858.5", "CVE-2021-33766", true},    // E19 CU9
        {"15.2.858.10", "CVE-2021-33766", false},  // E19 CU9 Apr21SU
        {"15.2.922.7", "CVE-2021-33766", false},   // E19 CU10 includes it
        {"15.1.2176.12", "CVE-2021-33766", false},
        {"15.1.2176.9", "CVE-2021-33766", true},
        {"15.1.1913.12", "CVE-2021-33766", true},  // special Mar21SU
        {"15.2.2562.17", "CVE-2021-28480", false}, // SE RTM
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exh_build *b;
        const exh_build_info *info = lookup(cases[i].version, &b);
        CHECK(info != NULL);
        if (!info)
            continue;
        bool open = has(info->open_cve, info->open_count, cases[i].cve);
        if (open != cases[i].open)
            fprintf(stderr, "%s %s: open=%d\n", cases[i].version, cases[i].cve,
                    open);
        CHECK(open == cases[i].open);
        CHECK(open != has(info->fixed_cve, info->fixed_count, cases[i].cve));
        exh_build_free(b);
    }
    exh_build *b;
    const exh_build_info *info = lookup("14.3.513.0", &b);
    CHECK(info && info->open_count == 0 && info->fixed_count == 1);
    exh_build_free(b);
    info = lookup("15.1.1415.8", &b);
    CHECK(info && info->note && strstr(info->note, "ProxyLogon set only"));
    exh_build_free(b);
    // Exchange 2010 is not among the April 2021 CVEs' products.
    info = lookup("14.3.509.0", &b);
    CHECK(info && !has(info->open_cve, info->open_count, "CVE-2021-28480") &&
          !has(info->open_cve, info->open_count, "CVE-2021-33766"));
    exh_build_free(b);
}

/* The last word of a row's update name: "Apr21SU" of "CU19 Apr21SU". */
static const char *update_short(const build_table *t, size_t i)
{
    const char *u = build_table_update(t, i);
    const char *sp = strrchr(u, ' ');
    return sp ? sp + 1 : u;
}

/* rules/build_kbs.csv: the KB numbers of Microsoft's build-numbers page
 * (righel's crawl) as the hive mapping uses them. */
static void test_kbs(void)
{
    build_table *t = NULL;
    CHECK(build_table_load(&t) == EXH_OK);
    if (!t)
        return;
    static const struct {
        const char *version;
        uint32_t kb;
    } cases[] = {
        {"15.1.2176.9", 5000871},  // Mar21SU, every CU
        {"15.1.1415.8", 5000871},  // Health Checker's CU8 Mar21SU
        {"15.1.1415.10", 5000871}, // the build-numbers page's
        {"15.0.1497.15", 5001779}, // Apr21SU, all products
        {"15.2.858.10", 5001779},
        {"15.0.1497.23", 5004778}, // Jul21SU: one KB per product
        {"15.1.2308.14", 5004779},
        {"15.2.922.13", 5004780},
        {"15.1.2507.37", 5036386}, // Mar24SU: one per product and CU
        {"15.2.1258.32", 5036402},
        {"15.2.1544.9", 5036401},
        {"15.2.2562.37", 5074992}, // SE Feb26SU
        {"15.1.2176.2", 0},        // a CU has none
        {"15.1.2507.69", 0},       // Jun26SU: no source gives its KB
    };
    size_t found = 0;
    for (size_t i = 0; i < build_table_count(t); i++) {
        char v[32];
        build_table_version(t, i, v);
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
            if (strcmp(v, cases[k].version) == 0) {
                if (build_table_kb(t, i) != cases[k].kb)
                    fprintf(stderr, "%s: KB%u\n", v,
                            (unsigned)build_table_kb(t, i));
                CHECK(build_table_kb(t, i) == cases[k].kb);
                found++;
            }
        // From March 2021 on, rows of one KB are updates of one month.
        uint32_t kb = build_table_kb(t, i);
        if (kb < 5000000)
            continue;
        for (size_t j = 0; j < build_table_count(t); j++)
            if (build_table_kb(t, j) == kb &&
                strcmp(update_short(t, i), update_short(t, j)) != 0) {
                fprintf(stderr, "KB%u: %s and %s\n", (unsigned)kb,
                        update_short(t, i), update_short(t, j));
                CHECK(false);
            }
    }
    CHECK(found == sizeof cases / sizeof cases[0]);
    build_table_free(t);
}

static void test_placement(void)
{
    exh_build *b;
    // An unlisted update of CU19 between Feb21SU and Mar21SU.
    const exh_build_info *info = lookup("15.1.2176.5", &b);
    CHECK(info && !info->exact && info->placement);
    CHECK(info && strstr(info->placement, "15.1.2176.4"));
    CHECK(info && strstr(info->placement, "15.1.2176.9"));
    CHECK(info && has(info->open_cve, info->open_count, "CVE-2021-26855"));
    CHECK_STR(info ? info->update : NULL, "CU19");
    CHECK(info && info->released == NULL);
    exh_build_free(b);
    // After Mar21SU of CU19: counted as fixed what Mar21SU fixes.
    info = lookup("15.1.2176.10", &b);
    CHECK(info && !has(info->open_cve, info->open_count, "CVE-2021-26855"));
    CHECK(info && has(info->open_cve, info->open_count, "CVE-2021-34473"));
    exh_build_free(b);
    // Between CU19 May21SU and CU20: only what both fix.
    info = lookup("15.1.2200.1", &b);
    CHECK(info && info->update == NULL);
    CHECK(info && !has(info->open_cve, info->open_count, "CVE-2021-26855"));
    CHECK(info && has(info->open_cve, info->open_count, "CVE-2021-31207"));
    exh_build_free(b);
    // Older and newer than every listed build of a product.
    info = lookup("15.2.100.0", &b);
    CHECK(info && info->fixed_count == 0 &&
          strstr(info->placement, "older than every"));
    CHECK_STR(info ? info->product : NULL, "Exchange Server 2019");
    exh_build_free(b);
    info = lookup("15.2.2562.9999", &b);
    CHECK(info && info->open_count == 0 &&
          strstr(info->placement, "newer than"));
    CHECK_STR(info ? info->product : NULL, "Exchange Server SE");
    exh_build_free(b);
    // CU level only: the CU's own status, said so.
    info = lookup("15.1.2176", &b);
    CHECK(info && info->cu_only && !info->exact && info->placement);
    CHECK_STR(info ? info->version : NULL, "15.1.2176");
    CHECK_STR(info ? info->update : NULL, "CU19");
    CHECK(info && has(info->open_cve, info->open_count, "CVE-2021-26855"));
    exh_build_free(b);
    // Leading zeros, as ExSetup.exe and log headers write them.
    info = lookup("15.01.2375.037", &b);
    CHECK_STR(info ? info->version : NULL, "15.1.2375.37");
    CHECK(info && info->exact && info->open_count == 0);
    exh_build_free(b);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "15",
        "15.1",
        "15.1.2176.2.1",
        "15.1.2176.",
        ".15.1.2176",
        "15..2176.2",
        "15.1.2176.x",
        "15.1.2176.65536",
        "15.1.2176.000002",
        "-15.1.2176.2",
        "15.1.2176.2a",
        "15 .1.2176.2",
        "15.1.2176.2\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exh_build *b = (exh_build *)1;
        CHECK(exh_build_lookup(bad[i], &b) == EXH_ERR_INVALID_ARG);
        CHECK(b == (exh_build *)1); // untouched on failure
    }
    exh_build *b = NULL;
    CHECK(exh_build_lookup(NULL, &b) == EXH_ERR_INVALID_ARG);
    CHECK(exh_build_lookup("8.3.517.0", &b) == EXH_ERR_UNSUPPORTED);
    CHECK(exh_build_lookup("16.0.1.0", &b) == EXH_ERR_UNSUPPORTED);
    CHECK(exh_build_lookup(" 15.1.2176.2\n", &b) == EXH_OK);
    exh_build_free(b);
}

static void test_owa_paths(void)
{
    uint16_t v[4];
    CHECK(build_sniff_owa_path(
        "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/"
        "owa/auth/15.1.2176/themes/resources/logon.css",
        v));
    CHECK(v[0] == 15 && v[1] == 1 && v[2] == 2176);
    CHECK(
        build_sniff_owa_path("V15/ClientAccess/Owa/15.2.986/scripts/x.js", v));
    CHECK(v[2] == 986);
    CHECK(!build_sniff_owa_path("owa/auth/15.1.2176", v)); // a file, no folder
    CHECK(!build_sniff_owa_path("x/owa/auth/Current/x.js", v));
    CHECK(!build_sniff_owa_path("x/ecp/15.1.2176/x.js", v));
    CHECK(!build_sniff_owa_path("x/owa/15.1.2176.2/x.js", v));
}

static unsigned sniff(const char *name, const char *text)
{
    return build_sniff_config(name, (const uint8_t *)text, strlen(text));
}

static void test_config_mitigations(void)
{
    CHECK(sniff("web.config",
                "<rule name=\"X-BEResource Abort - inbound\"><conditions>"
                "<add pattern=\"(.*)X-BEResource=(.+)/(.+)~(.+)\"/>"
                "</conditions><action type=\"AbortRequest\" /></rule>") ==
          MITIGATION_REWRITE_PROXYLOGON);
    CHECK(sniff("WEB.CONFIG", "<RULE name=\"PowerShell - inbound\"><add "
                              "pattern=\"(?=.*autodiscover)(?=.*powershell)\""
                              "/><action type=\"AbortRequest\"/></rule>") ==
          MITIGATION_REWRITE_PROXYNOTSHELL);
    // A rule that does not abort, or an abort in another rule, is nothing.
    CHECK(sniff("web.config", "<rule name=\"X-BEResource\"><action "
                              "type=\"None\"/></rule><rule name=\"b\">"
                              "<action type=\"AbortRequest\"/></rule>") == 0);
    // Unterminated rule: judged on what is there, bounded.
    CHECK(sniff("web.config", "<rule X-AnonResource-Backend AbortRequest") ==
          MITIGATION_REWRITE_PROXYLOGON);
    CHECK(sniff("applicationHost.config",
                "<add name=\"MSExchangeECPAppPool\" autoStart=\"false\" />"
                "<add name=\"MSExchangeOABAppPool\" autoStart=\"true\" />") ==
          MITIGATION_ECP_POOL_OFF);
    CHECK(sniff("applicationHost.config",
                "<add name=\"MSExchangeOABAppPool\">autoStart=\"false\"") ==
          0); // the attribute must be in the element
    CHECK(sniff("web.config", "<add name=\"MSExchangeECPAppPool\" "
                              "autoStart=\"false\" />") == 0); // pools: host
    CHECK(sniff("other.config", "<rule X-BEResource AbortRequest</rule>") == 0);
    CHECK(sniff("applicationHost.config", "name=\"MSExchangeECPAppPool\"") ==
          0);
    size_t count;
    CHECK(build_mitigation_cves(MITIGATION__COUNT, &count) == NULL &&
          count == 0);
}

/* Log headers: the build of Exchange's own logs, never a format version or
 * another product's header. Headers as in ../shared/data/exchange-logs
 * (qazeer_Mapi__HttpProxy, qazeer_ECPServer, qazeer_iis_webshell...). */
static bool header(const char *text, uint16_t v[4])
{
    return build_sniff_log_header(text, strlen(text), v, NULL);
}

static void test_log_headers(void)
{
    uint16_t v[4];
    CHECK(header("#Software: Microsoft Exchange Server\n"
                 "#Version: 15.01.2375.007\n#Log-type: HttpProxy Logs\n"
                 "#Date: 2023-01-06T01:00:04.124Z\n#Fields: DateTime\n"
                 "2023-01-06T01:00:04.124Z\n",
                 v));
    CHECK(v[0] == 15 && v[1] == 1 && v[2] == 2375 && v[3] == 7);
    CHECK(header("\xef\xbb\xbf#Software: Microsoft Exchange Server\r\n"
                 "#Version: 15.02.0986.005\r\n",
                 v));
    CHECK(v[1] == 2 && v[2] == 986 && v[3] == 5);
    // The version may come before the software line.
    CHECK(
        header("#Version: 15.01.2176.009\n#Software: Microsoft Exchange\n", v));
    // ECP, SMTP and agent logs write a format version, not a build.
    CHECK(!header("#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n"
                  "#Log-type: ECP Server Log\n",
                  v));
    CHECK(!header("#Software: Microsoft Internet Information Services 10.0\n"
                  "#Version: 1.0\n",
                  v));
    CHECK(!header("#Version: 15.01.2176.002\n#Fields: DateTime\n", v));
    CHECK(!header("#Software: Microsoft Exchange Server\n"
                  "#Version: 15.01.2176\n",
                  v)); // three parts: not a build an Exchange log writes
    CHECK(!header("#Software: Microsoft Exchange Server\n"
                  "#Version: 16.00.1000.001\n",
                  v));
    CHECK(!header("#Software: Microsoft Exchange Server\n"
                  "#Version: 15.01.2176.002 extra\n",
                  v));
    // Only the '#' lines at the start count; a record ends them.
    CHECK(!header("#Software: Microsoft Exchange Server\nrecord\n"
                  "#Version: 15.01.2176.002\n",
                  v));
    // Bounded by len: a header cut inside the version is no build.
    const char *cut = "#Software: Microsoft Exchange Server\n"
                      "#Version: 15.01.2176.002\n";
    CHECK(!build_sniff_log_header(cut, strlen(cut) - 6, v, NULL));
    CHECK(!build_sniff_log_header("", 0, v, NULL));
    int64_t when = 0;
    const char *dated = "#Software: Microsoft Exchange Server\r\n"
                        "#Version: 15.01.2176.009\r\n"
                        "#Date: 2021-03-12T02:00:01.870Z\r\n";
    CHECK(build_sniff_log_header(dated, strlen(dated), v, &when));
    CHECK(when == 1615514401870LL);
    CHECK(build_sniff_log_header(cut, strlen(cut), v, &when));
    CHECK(when == INT64_MIN); // no #Date
}

static bool row(const char *a, const char *b, const char *c, const char *d,
                uint16_t v[4])
{
    const char *part[4] = {a, b, c, d};
    size_t len[4];
    for (int i = 0; i < 4; i++)
        len[i] = part[i] ? strlen(part[i]) : 0;
    return build_parse_row_fields(part, len, v);
}

static void test_row_fields(void)
{
    uint16_t v[4];
    CHECK(row("15", "1", "2176", "2", v));
    CHECK(v[0] == 15 && v[1] == 1 && v[2] == 2176 && v[3] == 2);
    CHECK(row("14", "3", "513", "0", v));
    CHECK(!row("15", "1", "0", "0", v));
    CHECK(!row("15", "1", "2176", NULL, v));
    CHECK(!row("15", "1", "2176", "", v));
    CHECK(!row("15", "1", "21x6", "2", v));
    CHECK(!row("15", "1", "99999", "2", v));
    CHECK(!row("15", "1", "123456", "2", v));
    CHECK(!row("8", "0", "685", "24", v));
    CHECK(!row("15", "3", "100", "1", v));
}

static bool bld(const char *text, uint16_t v[4])
{
    return build_parse_ecp_bld(text, strlen(text), v);
}

/* ECP rows: "S:BLD=" in EventData (rows as in ../shared/research/
 * detections.md, the ECP Server logs row). */
static void test_ecp_bld(void)
{
    uint16_t v[4] = {0};
    CHECK(bld("2021-03-03T04:12:38.000Z,EXCH01,ECP.Request,\"S:TIME=41;"
              "S:CMD=Get-OabVirtualDirectory;S:RS=0;S:BLD=15.1.2375.7;"
              "S:TNAME=<null>\"",
              v));
    CHECK(v[0] == 15 && v[1] == 1 && v[2] == 2375 && v[3] == 7);
    CHECK(bld("S:BLD=14.3.513.0", v)); // at the record's end
    CHECK(v[0] == 14 && v[2] == 513);
    CHECK(bld("\"S:BLD=15.2.986.5\",x", v) && v[2] == 986);
    // ECP Activity rows write "S:Bld=" (qazeer_ECPActivity_11500_20230111).
    CHECK(bld("Request,S:URL=https://localhost:444/ecp/logoff.aspx;"
              "S:Bld=15.1.2375.7;S:ActID=5555;Dbl:WLM.TS=0",
              v) &&
          v[2] == 2375);
    CHECK(!bld("X:BLD=15.1.2375.7;", v)); // not an S: pair
    CHECK(!bld(":BLD=15.1.2375.7;", v));
    // The same build twice (a parameter echoing it) is that build.
    CHECK(bld("S:CMD=X.Y='S:BLD=15.1.2176.9;';S:BLD=15.1.2176.9;", v));
    CHECK(v[3] == 9);
    // None, malformed, format versions, other products: no build.
    CHECK(!bld("S:TIME=41;S:CMD=Get-Mailbox;", v));
    CHECK(!bld("", v));
    CHECK(!bld("S:BLD=;S:TNAME=", v));
    CHECK(!bld("S:BLD=15.1.2176;", v));
    CHECK(!bld("S:BLD=15.1.2176.2.1;", v));
    CHECK(!bld("S:BLD=15.1.2176.2x;", v));
    CHECK(!bld("S:BLD=15.1.2176.", v));
    CHECK(!bld("S:BLD=15.1.99999.2;", v));
    CHECK(!bld("S:BLD=15.1.123456.2;", v));
    CHECK(!bld("S:BLD=15.0.0.0;", v));
    CHECK(!bld("S:BLD=16.0.1000.1;", v));
    CHECK(!bld("S:BLD=-15.1.2176.2;", v));
    CHECK(!bld("S:BLD= 15.1.2176.2;", v));
    CHECK(!bld("S:BLD=15.1.2176.2\x1b[2J;", v));
    // A value forged into a parameter that disagrees with the real one,
    // before or after it: the row names no build.
    CHECK(!bld("S:CMD=Set-OabVirtualDirectory.ExternalUrl='S:BLD=15.2.1544.4"
               ";';S:BLD=15.1.2176.2;",
               v));
    CHECK(!bld("S:BLD=15.1.2176.2;S:TNAME=S:BLD=15.2.1544.4", v));
    // A malformed one beside a good one: no build either.
    CHECK(!bld("S:URL=/x?S:BLD=1;S:BLD=15.1.2176.2;", v));
    // Bounded by len: a value cut at the end of the buffer is no build.
    const char *cut = "S:BLD=15.1.2176.25";
    CHECK(!build_parse_ecp_bld(cut, strlen(cut) - 3, v));
    CHECK(build_parse_ecp_bld(cut, strlen(cut) - 1, v) && v[3] == 2);
}

/* Allocation failures return EXH_ERR_NOMEM without leaks or crashes. */
static void test_oom(void)
{
    for (unsigned long n = 1; n < 4000; n++) {
        exh_build *b = NULL;
        alloc_fail_after(n);
        exh_status st = exh_build_lookup("15.1.2176.5", &b);
        alloc_fail_after(0);
        CHECK(st == EXH_OK || st == EXH_ERR_NOMEM);
        exh_build_free(b);
        if (st == EXH_OK)
            break;
    }
}

int main(void)
{
    test_round_trip();
    test_published_fixes();
    test_kbs();
    test_placement();
    test_malformed();
    test_owa_paths();
    test_config_mitigations();
    test_log_headers();
    test_row_fields();
    test_ecp_bld();
    test_oom();
    TEST_MAIN_END();
}
