/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_yara.c - the libyara glue: rules from strings and files, compile
 * errors that leave the rest loaded, namespaces, the LOKI/THOR externals,
 * hits with meta, tags and string offsets, timeouts, two threads scanning
 * at once, and signature-base's rules (../shared; skipped when absent)
 * firing on a defanged China Chopper sample written for this test.
 */
#include "harness.h"
#include "internal.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What a scan saw. */
typedef struct seen {
    int hits;
    int stop_after; /* 0: never stop */
    char rules[16][64];
    yara_hit first; /* copy of the hit of rule "want" (borrowed strings) */
    const char *want;
    bool got_want;
    char tag0[32], tag1[32], src[128], sid0[16], sid1[16];
} seen;

static bool on_hit(void *user, const yara_hit *h)
{
    seen *s = user;
    if (s->hits < 16)
        snprintf(s->rules[s->hits], sizeof(s->rules[0]), "%s", h->rule);
    s->hits++;
    if (s->want && !s->got_want && strcmp(h->rule, s->want) == 0) {
        s->got_want = true;
        s->first = *h;
        // Borrowed strings die with the callback: keep copies of a few.
        snprintf(s->src, sizeof(s->src), "%s", h->source);
        if (h->tag_count > 0)
            snprintf(s->tag0, sizeof(s->tag0), "%s", h->tags[0]);
        if (h->tag_count > 1)
            snprintf(s->tag1, sizeof(s->tag1), "%s", h->tags[1]);
        if (h->string_count > 0)
            snprintf(s->sid0, sizeof(s->sid0), "%s", h->string_ids[0]);
        if (h->string_count > 1)
            snprintf(s->sid1, sizeof(s->sid1), "%s", h->string_ids[1]);
        s->first.author = s->first.description = NULL;
        s->first.category = s->first.severity = NULL;
        s->first.rule = s->first.ns = s->first.source = NULL;
        s->first.tags = NULL;
        for (size_t i = 0; i < 8; i++)
            s->first.string_ids[i] = NULL;
        if (strcmp(h->rule, "meta_rule") == 0) {
            CHECK_STR(h->author, "exhunt tests");
            CHECK_STR(h->description, "rule with meta and tags");
            CHECK_STR(h->category, "webshell");
            CHECK_STR(h->severity, "high");
            CHECK_STR(h->ns, "builtin");
        }
    }
    return s->stop_after == 0 || s->hits < s->stop_after;
}

static bool saw(const seen *s, const char *rule)
{
    for (int i = 0; i < s->hits && i < 16; i++)
        if (strcmp(s->rules[i], rule) == 0)
            return true;
    return false;
}

static const char rules_a[] =
    "rule meta_rule : tagA tagB\n"
    "{\n"
    "    meta:\n"
    "        author = \"exhunt tests\"\n"
    "        description = \"rule with meta and tags\"\n"
    "        exhunt_category = \"webshell\"\n"
    "        exhunt_severity = \"high\"\n"
    "        score = 75\n"
    "    strings:\n"
    "        $m = \"MARKER_ONE\"\n"
    "    condition:\n"
    "        $m\n"
    "}\n"
    "rule str_rule\n"
    "{\n"
    "    strings:\n"
    "        $x = \"needle\"\n"
    "        $y = { 41 42 43 }\n"
    "        $z = \"absent-string\"\n"
    "    condition:\n"
    "        $x and $y and not $z\n"
    "}\n";

/* Line 3 has the error. */
static const char rules_bad[] = "rule broken_rule\n"
                                "{\n"
                                "    condition: $undefined_string }\n";

/* Same namespace, same name as a rule of rules_a: rejected. */
static const char rules_dup[] = "rule meta_rule { condition: true }\n";

static const char rules_ext[] =
    "rule ext_rule\n"
    "{\n"
    "    condition:\n"
    "        filename == \"shell.aspx\" and extension == \".aspx\" and\n"
    "        filepath contains \"aspnet_client\" and filetype == \"ASPX\"\n"
    "        and owner == \"\"\n"
    "}\n";

static void test_basic(void)
{
    yara_set *ys;
    char *msg = (char *)"unset";
    CHECK(yara_set_new(&ys) == EXH_OK);
    CHECK(yara_set_add_text(ys, rules_a, strlen(rules_a), "builtin",
                            "builtin:yara/a.yar", &msg) == EXH_OK);
    CHECK(msg == NULL);

    CHECK(yara_set_add_text(ys, rules_bad, strlen(rules_bad), "builtin",
                            "builtin:yara/bad.yar",
                            &msg) == EXH_ERR_RULE_SYNTAX);
    CHECK(msg && strncmp(msg, "builtin:yara/bad.yar:3: ", 24) == 0);
    CHECK(msg && strstr(msg, "undefined_string"));
    exh_free(msg);

    CHECK(yara_set_add_text(ys, rules_dup, strlen(rules_dup), "builtin",
                            "builtin:yara/dup.yar",
                            &msg) == EXH_ERR_RULE_SYNTAX);
    CHECK(msg && strstr(msg, "builtin:yara/dup.yar:1: ") == msg);
    CHECK(msg && strstr(msg, "meta_rule"));
    exh_free(msg);

    // The same name in another namespace is fine.
    CHECK(yara_set_add_text(ys, rules_dup, strlen(rules_dup), "other",
                            "other.yar", &msg) == EXH_OK);
    // Includes are disabled.
    const char inc[] = "include \"/etc/hostname\"\nrule r { condition: true }";
    CHECK(yara_set_add_text(ys, inc, strlen(inc), "inc", "inc.yar", &msg) ==
          EXH_ERR_RULE_SYNTAX);
    CHECK(msg && strstr(msg, "inc.yar:1: ") == msg);
    exh_free(msg);
    // A module newer than libyara 4.2 ("string" came with 4.3).
    const char newer[] = "import \"string\"\n"
                         "rule n { condition: string.length(\"a\") == 1 }";
    CHECK(yara_set_add_text(ys, newer, strlen(newer), "new", "new.yar", &msg) ==
          EXH_ERR_RULE_SYNTAX);
    CHECK(msg && strstr(msg, "new.yar:1: unknown module \"string\" (not in "
                             "libyara ") == msg);
    exh_free(msg);
    // A NUL byte inside the text.
    CHECK(yara_set_add_text(ys, "rule a\0", 7, "n", "nul.yar", &msg) ==
          EXH_ERR_RULE_SYNTAX);
    CHECK(msg && strstr(msg, "NUL"));
    exh_free(msg);

    CHECK(yara_set_add_text(ys, rules_ext, strlen(rules_ext), "builtin",
                            "builtin:yara/ext.yar", &msg) == EXH_OK);
    CHECK(yara_set_add_file(ys, "/nonexistent/x.yar", &msg) == EXH_ERR_IO);
    CHECK(msg && strstr(msg, "/nonexistent/x.yar: cannot open") == msg);
    exh_free(msg);
    CHECK(yara_set_add_file(ys, "/tmp", &msg) == EXH_ERR_IO);
    exh_free(msg);

    // A rule file with an error: reported as PATH:LINE.
    char path[] = "/tmp/exh_test_yara_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        const char bad[] = "// comment\n\nrule f { condition: nosuchvar }\n";
        CHECK(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
        close(fd);
        CHECK(yara_set_add_file(ys, path, &msg) == EXH_ERR_RULE_SYNTAX);
        char want[64];
        snprintf(want, sizeof(want), "%s:3: ", path);
        CHECK(msg && strstr(msg, want) == msg);
        exh_free(msg);
        unlink(path);
    }

    CHECK(yara_set_count(ys) == 4); // known before compiling
    CHECK(yara_set_compile(ys) == EXH_OK);
    CHECK(yara_set_compile(ys) == EXH_OK); // once; later calls say so
    CHECK(yara_set_count(ys) == 4);
    CHECK(yara_set_add_text(ys, rules_dup, strlen(rules_dup), "late",
                            "late.yar", &msg) == EXH_ERR_INVALID_ARG);

    yara_scan *sc;
    CHECK(yara_scan_new(ys, &sc) == EXH_OK);
    const char data[] = "0123MARKER_ONE..needle..ABC";
    seen s = {.want = "meta_rule"};
    CHECK(yara_scan_mem(sc, (const uint8_t *)data, strlen(data), NULL, 0,
                        on_hit, &s) == EXH_OK);
    CHECK(s.hits == 3); // meta_rule, str_rule, other:meta_rule
    CHECK(saw(&s, "str_rule"));
    CHECK(!saw(&s, "ext_rule"));
    CHECK(s.got_want);
    CHECK(s.first.score == 75);
    CHECK(s.first.tag_count == 2);
    CHECK_STR(s.tag0, "tagA");
    CHECK_STR(s.tag1, "tagB");
    CHECK_STR(s.src, "builtin:yara/a.yar");
    CHECK(s.first.string_count == 1);
    CHECK_STR(s.sid0, "$m");
    CHECK(s.first.string_offsets[0] == 4);

    // String offsets; the string that did not match is not listed.
    seen s2 = {.want = "str_rule"};
    CHECK(yara_scan_mem(sc, (const uint8_t *)data, strlen(data), NULL, 0,
                        on_hit, &s2) == EXH_OK);
    CHECK(s2.got_want && s2.first.string_count == 2);
    CHECK_STR(s2.sid0, "$x");
    CHECK_STR(s2.sid1, "$y");
    CHECK(s2.first.string_offsets[0] == 16);
    CHECK(s2.first.string_offsets[1] == 24);
    CHECK(s2.first.score == -1 && s2.first.tag_count == 0);

    // Several matches of a string: the first offset is given.
    const char twice[] = "ABC needle needle needle";
    seen s2b = {.want = "str_rule"};
    CHECK(yara_scan_mem(sc, (const uint8_t *)twice, strlen(twice), NULL, 0,
                        on_hit, &s2b) == EXH_OK);
    CHECK(s2b.got_want && s2b.first.string_count == 2);
    CHECK(s2b.first.string_offsets[0] == 4);
    CHECK(s2b.first.string_offsets[1] == 0);

    // Externals, and the source of a rule in a later text of a namespace.
    yara_externals ext = {"shell.aspx", "C:\\inetpub\\wwwroot\\aspnet_client",
                          ".aspx", "ASPX", NULL};
    seen s3 = {.want = "ext_rule"};
    CHECK(yara_scan_mem(sc, (const uint8_t *)"x", 1, &ext, 5, on_hit, &s3) ==
          EXH_OK);
    CHECK(s3.hits == 2 && s3.got_want); // ext_rule and other:meta_rule
    CHECK_STR(s3.src, "builtin:yara/ext.yar");
    // The externals of the previous scan do not stick.
    seen s4 = {0};
    CHECK(yara_scan_mem(sc, (const uint8_t *)"x", 1, NULL, 0, on_hit, &s4) ==
          EXH_OK);
    CHECK(s4.hits == 1 && !saw(&s4, "ext_rule"));
    ext.extension = ".txt";
    seen s5 = {0};
    CHECK(yara_scan_mem(sc, (const uint8_t *)"x", 1, &ext, 0, on_hit, &s5) ==
          EXH_OK);
    CHECK(s5.hits == 1);

    // The callback stops the scan.
    seen s6 = {.stop_after = 1};
    CHECK(yara_scan_mem(sc, (const uint8_t *)data, strlen(data), NULL, 0,
                        on_hit, &s6) == EXH_OK);
    CHECK(s6.hits == 1);
    // Empty input.
    seen s7 = {0};
    CHECK(yara_scan_mem(sc, NULL, 0, NULL, 0, on_hit, &s7) == EXH_OK);
    CHECK(s7.hits == 1); // only other:meta_rule (condition: true)
    CHECK(yara_scan_mem(sc, NULL, 0, NULL, -1, on_hit, &s7) ==
          EXH_ERR_INVALID_ARG);

    yara_scan_free(sc);
    yara_set_free(ys);
}

/* A rule that runs for minutes on 64 KiB; the timeout stops it. */
static void test_timeout(void)
{
    const char slow[] = "rule slow { condition: for all i in (0..filesize-1) : "
                        "(for all j in (0..filesize-1) : (uint8(j) < 0x80)) }\n"
                        "rule quick { strings: $a = \"AAAA\" condition: $a }";
    yara_set *ys;
    char *msg = NULL;
    CHECK(yara_set_new(&ys) == EXH_OK);
    CHECK(yara_set_add_text(ys, slow, strlen(slow), "t", "slow.yar", &msg) ==
          EXH_OK);
    exh_free(msg);
    CHECK(yara_set_compile(ys) == EXH_OK);
    yara_scan *sc;
    CHECK(yara_scan_new(ys, &sc) == EXH_OK);
    size_t len = 64 * 1024;
    uint8_t *data = malloc(len);
    if (data && sc) {
        memset(data, 'A', len);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        seen s = {0};
        CHECK(yara_scan_mem(sc, data, len, NULL, 1, on_hit, &s) ==
              EXH_ERR_TIMEOUT);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        CHECK(secs < 10);
        fprintf(stderr, "timeout after %.2f s\n", secs);
        // The scanner is still usable.
        seen s2 = {0};
        CHECK(yara_scan_mem(sc, data, 16, NULL, 1, on_hit, &s2) == EXH_OK);
        CHECK(s2.hits == 2);
    }
    free(data);
    yara_scan_free(sc);
    yara_set_free(ys);
}

/* Two threads share one set, each with its own scanner and externals. */
typedef struct worker {
    const yara_set *ys;
    const char *filename;
    int expect;
    int bad;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    yara_scan *sc;
    if (yara_scan_new(w->ys, &sc) != EXH_OK) {
        w->bad = -1;
        return NULL;
    }
    yara_externals ext = {w->filename, "D:\\aspnet_client", ".aspx", "ASPX",
                          ""};
    const char data[] = "....MARKER_ONE....needle ABC";
    for (int i = 0; i < 300; i++) {
        seen s = {0};
        if (yara_scan_mem(sc, (const uint8_t *)data, strlen(data), &ext, 10,
                          on_hit, &s) != EXH_OK ||
            s.hits != w->expect)
            w->bad++;
    }
    yara_scan_free(sc);
    return NULL;
}

static void test_threads(void)
{
    yara_set *ys;
    char *msg = NULL;
    CHECK(yara_set_new(&ys) == EXH_OK);
    CHECK(yara_set_add_text(ys, rules_a, strlen(rules_a), "builtin", "a.yar",
                            &msg) == EXH_OK);
    CHECK(yara_set_add_text(ys, rules_ext, strlen(rules_ext), "builtin",
                            "ext.yar", &msg) == EXH_OK);
    CHECK(yara_set_compile(ys) == EXH_OK);
    worker w[2] = {{ys, "shell.aspx", 3, 0}, {ys, "other.aspx", 2, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(w[0].bad == 0);
    CHECK(w[1].bad == 0);
    yara_set_free(ys);
}

/* Allocation failures anywhere: an error, never a crash or a leak. */
static void test_nomem(void)
{
    for (unsigned long n = 1; n < 40; n++) {
        yara_set *ys = NULL;
        char *msg = NULL;
        alloc_fail_after(n);
        if (yara_set_new(&ys) == EXH_OK) {
            (void)yara_set_add_text(ys, rules_a, strlen(rules_a), "b", "a",
                                    &msg);
            exh_free(msg);
            msg = NULL;
            (void)yara_set_add_text(ys, rules_bad, strlen(rules_bad), "b",
                                    "bad", &msg);
            exh_free(msg);
            if (yara_set_compile(ys) == EXH_OK) {
                yara_scan *sc;
                if (yara_scan_new(ys, &sc) == EXH_OK) {
                    seen s = {0};
                    (void)yara_scan_mem(sc, (const uint8_t *)"needle ABC", 10,
                                        NULL, 0, on_hit, &s);
                    yara_scan_free(sc);
                }
            }
            yara_set_free(ys);
        }
        alloc_fail_after(0);
    }
    CHECK(true);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* signature-base's YARA folder, found from EXH_TEST_DATA (<src>/tests/data)
 * or the working directory; NULL when absent. */
static bool sigbase_dir(char *out, size_t len)
{
    const char *data = getenv("EXH_TEST_DATA");
    const char *tries[3] = {NULL,
                            "../shared/data/thirdparty/signature-base/yara",
                            "../../shared/data/thirdparty/signature-base/yara"};
    char first[1024];
    if (data) {
        snprintf(first, sizeof(first),
                 "%s/../../../shared/data/thirdparty/signature-base/yara",
                 data);
        tries[0] = first;
    }
    for (size_t i = 0; i < 3; i++) {
        struct stat st;
        if (tries[i] && stat(tries[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(out, len, "%s", tries[i]);
            return true;
        }
    }
    return false;
}

static void test_signature_base(void)
{
    char dir[1024];
    if (!sigbase_dir(dir, sizeof(dir))) {
        fprintf(stderr, "signature-base: absent, skipped\n");
        return;
    }
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    char *names[2048];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 2048) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".yar") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);

    yara_set *ys;
    CHECK(yara_set_new(&ys) == EXH_OK);
    size_t loaded = 0, failed = 0;
    bool ext_vars = false;
    char chopper_src[1200] = "";
    for (size_t i = 0; i < n; i++) {
        char path[1200];
        char *msg = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        exh_status st = yara_set_add_file(ys, path, &msg);
        if (st == EXH_OK) {
            loaded++;
            if (strcmp(names[i], "gen_webshells_ext_vars.yar") == 0)
                ext_vars = true;
            if (strcmp(names[i], "apt_hafnium.yar") == 0)
                snprintf(chopper_src, sizeof(chopper_src), "%s", path);
        } else {
            failed++;
            fprintf(stderr, "signature-base: %s failed: %s\n", names[i],
                    msg ? msg : "?");
        }
        exh_free(msg);
        free(names[i]);
    }
    CHECK(yara_set_compile(ys) == EXH_OK);
    fprintf(stderr,
            "signature-base: %zu of %zu files loaded, %zu failed, "
            "%zu rules\n",
            loaded, n, failed, yara_set_count(ys));
    CHECK(loaded > 0);
    CHECK(ext_vars);

    yara_scan *sc;
    CHECK(yara_scan_new(ys, &sc) == EXH_OK);
    // Defanged China Chopper JScript one-liner (the shape HAFNIUM wrote
    // into OAB ExternalUrl / aspnet_client pages): the request parameter
    // name is made up and nothing here does anything outside a web server.
    const char chopper[] = "<script language=\"JScript\" runat=\"server\">"
                           "function Page_Load(){eval(Request[\"exh_test\"],"
                           "\"unsafe\");}</script>";
    yara_externals ext = {"exh_test.aspx",
                          "C:\\inetpub\\wwwroot\\aspnet_client\\system_web",
                          ".aspx", "ASPX", ""};
    seen s = {.want = "APT_WEBSHELL_HAFNIUM_Chopper_WebShell"};
    CHECK(yara_scan_mem(sc, (const uint8_t *)chopper, strlen(chopper), &ext, 10,
                        on_hit, &s) == EXH_OK);
    CHECK(s.got_want);
    CHECK(s.first.tag_count == 3);
    CHECK_STR(s.src, chopper_src);
    CHECK(s.first.string_count == 2);
    for (int i = 0; i < s.hits && i < 16; i++)
        fprintf(stderr, "signature-base: chopper sample hit %s\n", s.rules[i]);

    // The brief's Page-directive form of the one-liner: reported, not
    // asserted (signature-base has no rule for exactly this shape).
    const char oneliner[] = "<%@ Page Language=\"Jscript\"%><%eval(Request."
                            "Item[\"exh_test\"],\"unsafe\");%>";
    seen s2 = {0};
    CHECK(yara_scan_mem(sc, (const uint8_t *)oneliner, strlen(oneliner), &ext,
                        10, on_hit, &s2) == EXH_OK);
    fprintf(stderr, "signature-base: Page-directive one-liner: %d hits\n",
            s2.hits);

    // A plain page fires nothing.
    const char benign[] = "<%@ Page Language=\"C#\" %><html><body>Hello "
                          "<asp:Label runat=\"server\" ID=\"l\"/></body>"
                          "</html>";
    seen s3 = {0};
    CHECK(yara_scan_mem(sc, (const uint8_t *)benign, strlen(benign), &ext, 10,
                        on_hit, &s3) == EXH_OK);
    CHECK(s3.hits == 0);
    yara_scan_free(sc);
    yara_set_free(ys);
}

/* Trusted texts (the built-in rules) are counted by reading them and
 * compiled on first use: by a scanner, without yara_set_compile(). */
static void test_trusted(void)
{
    const char text[] = "/* rule in_comment is not at a line start */\n"
                        "rule t_one { condition: true }\n"
                        "  private rule t_two { condition: false }\n"
                        "global\tprivate rule t_three { condition: true }\n"
                        "rule\tt_four\n{\n    condition: t_two\n}\n";
    yara_set *ys;
    char *msg = NULL;
    CHECK(yara_set_new(&ys) == EXH_OK);
    CHECK(yara_set_add_trusted(ys, text, strlen(text), "builtin",
                               "builtin:yara/t.yar", &msg) == EXH_OK);
    CHECK(msg == NULL);
    CHECK(yara_set_count(ys) == 4);
    yara_scan *sc = NULL;
    CHECK(yara_scan_new(ys, &sc) == EXH_OK); // compiles here
    yara_hit h;
    CHECK(yara_set_rule(ys, 3, &h) && strcmp(h.rule, "t_four") == 0);
    CHECK(strcmp(h.source, "builtin:yara/t.yar") == 0);
    CHECK(!yara_set_rule(ys, 4, &h));
    seen s = {0};
    CHECK(yara_scan_mem(sc, (const uint8_t *)"x", 1, NULL, 0, on_hit, &s) ==
          EXH_OK);
    CHECK(s.hits == 1 && saw(&s, "t_one")); // private rules are not reported
    yara_scan_free(sc);
    yara_set_free(ys);

    // A trusted text that does not compile fails when compiled, and the
    // set says so each time.
    CHECK(yara_set_new(&ys) == EXH_OK);
    CHECK(yara_set_add_trusted(ys, rules_bad, strlen(rules_bad), "builtin",
                               "builtin:yara/bad.yar", &msg) == EXH_OK);
    CHECK(yara_set_compile(ys) == EXH_ERR_RULE_SYNTAX);
    CHECK(yara_scan_new(ys, &sc) == EXH_ERR_RULE_SYNTAX && sc == NULL);
    CHECK(!yara_set_rule(ys, 0, &h));
    yara_set_free(ys);
}

/* The built-in rules: the count read from their text (all that a scan of
 * logs alone needs) is the count libyara compiles, which the listing, made
 * on first use, holds. */
static void test_builtin_count(void)
{
    exh_ruleset *rs = NULL;
    CHECK(exh_ruleset_load(NULL, 0, 0, &rs, NULL) == EXH_OK);
    size_t n = exh_ruleset_yara_count(rs);
    CHECK(n >= 16);
    exh_rule_info info;
    for (size_t i = 0; i < n; i++)
        CHECK(exh_ruleset_yara_rule(rs, i, &info) == EXH_OK);
    CHECK(exh_ruleset_yara_rule(rs, n, &info) == EXH_ERR_INVALID_ARG);
    CHECK(exh_ruleset_yara_count(rs) == n);
    exh_ruleset_free(rs);
}

int main(void)
{
    test_basic();
    test_trusted();
    test_builtin_count();
    test_timeout();
    test_threads();
    test_nomem();
    test_signature_base();
    TEST_MAIN_END();
}
