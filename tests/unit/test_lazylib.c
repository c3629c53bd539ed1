/* SPDX-License-Identifier: Apache-2.0 */
/* test_lazylib.c - libtsk, libqcow, libvshadow, libcurl, libarchive and
 * libyara load on first use, not before: a scan of logs leaves all six
 * unloaded, a file for YARA
 * loads libyara and its rules match through the table; lazy_*_load() loads
 * each once and fills its table, and the functions called through it
 * work. */
#include "harness.h"
#include "internal.h"
#define LAZY_TSK     1
#define LAZY_CURL    1
#define LAZY_ARCHIVE 1
#define LAZY_YARA    1
#define LAZY_QCOW    1
#define LAZY_VSHADOW 1
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool loaded(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h); // drops the reference NOLOAD took
    return h != NULL;
}

struct counted {
    const char *rule; /* or NULL: every finding */
    size_t n;
};

static exh_cb_result on_finding(const exh_finding *f, void *user)
{
    struct counted *c = user;
    if (!c->rule || (f->rule && strcmp(f->rule, c->rule) == 0))
        c->n++;
    return EXH_CONTINUE;
}

static exh_cb_result on_summary(const exh_summary *s, void *user)
{
    (void)s;
    (void)user;
    return EXH_CONTINUE;
}

/* Scans target with the built-in rules; the findings of rule (any rule
 * when NULL). */
static size_t scan_count(const char *target, const char *rule)
{
    exh_ruleset *rs = NULL;
    exh_diag *diag = NULL;
    CHECK(exh_ruleset_load(NULL, 0, 0, &rs, &diag) == EXH_OK);
    exh_diag_free(diag);
    exh_scanner *sc = NULL;
    CHECK(rs && exh_scanner_new(rs, &sc) == EXH_OK);
    struct counted c = {rule, 0};
    exh_scan_result res;
    CHECK(sc && exh_scanner_scan(sc, target, on_finding, on_summary, &c,
                                 &res) == EXH_OK);
    exh_scanner_free(sc);
    exh_ruleset_free(rs);
    return c.n;
}

/* The path of rest under the folder the environment variable var names;
 * false (a failed check) when it is not set. */
static bool env_path(const char *var, const char *rest, char *out, size_t size)
{
    const char *dir = getenv(var);
    CHECK(dir != NULL);
    if (!dir)
        return false;
    snprintf(out, size, "%s%s", dir, rest);
    return true;
}

/* The examples' logs, scanned with the built-in rules: findings, and none
 * of the six libraries loaded; nor after the whole examples folder, but
 * libyara. */
static void test_scan_loads_none(void)
{
    char examples[4096], logs[4096];
    if (!env_path("EXH_TEST_EXAMPLES", "", examples, sizeof examples) ||
        !env_path("EXH_TEST_EXAMPLES",
                  "/exch01/Program Files/Microsoft/Exchange Server/V15/Logging",
                  logs, sizeof logs))
        return;
    CHECK(scan_count(logs, NULL) > 0);
    CHECK(!loaded(EXH_SONAME_YARA));
    CHECK(scan_count(examples, NULL) > 0);
    CHECK(!loaded(EXH_SONAME_TSK));
    CHECK(!loaded(EXH_SONAME_CURL));
    CHECK(!loaded(EXH_SONAME_ARCHIVE));
    CHECK(!loaded(EXH_SONAME_QCOW));
    CHECK(!loaded(EXH_SONAME_VSHADOW));
}

/* A classic ASP web shell sample: libyara is loaded and its rule matches
 * through the table. */
static void test_scan_loads_yara(void)
{
    char path[4096];
    if (!env_path("EXH_TEST_DATA",
                  "/files/webshell_asp_eval_request/positive.asp", path,
                  sizeof path))
        return;
    CHECK(scan_count(path, "webshell_asp_eval_request") == 1);
    CHECK(loaded(EXH_SONAME_YARA));
    CHECK(lazy_yara_load() == NULL);
    CHECK(yara_load_error() == NULL);
    CHECK(&yr_scanner_set_timeout != NULL); // the last slot
}

static void test_load(void)
{
    CHECK(lazy_curl_load() == NULL);
    CHECK(loaded(EXH_SONAME_CURL));
    CHECK(&curl_multi_remove_handle != NULL); // the last slot
    CHECK_STR(curl_easy_strerror(CURLE_OK), "No error");
    CURL *e = curl_easy_init();
    CHECK(e != NULL);
    CHECK(curl_easy_setopt(e, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK);
    curl_easy_cleanup(e);
    CHECK(!loaded(EXH_SONAME_TSK)); // each alone

    CHECK(lazy_tsk_load() == NULL);
    CHECK(loaded(EXH_SONAME_TSK));
    CHECK(&tsk_img_open_utf8_sing != NULL); // the table's slot
    CHECK(&tsk_vs_part_get != NULL);        // the last slot
    tsk_error_reset();
    CHECK(tsk_error_get() == NULL); // no error after a reset
    CHECK(lazy_tsk_load() == NULL); // again: the same table

    CHECK(!loaded(EXH_SONAME_ARCHIVE));
    CHECK(lazy_archive_load() == NULL);
    CHECK(loaded(EXH_SONAME_ARCHIVE));
    CHECK(&archive_read_support_format_zip != NULL); // the last slot
    struct archive *a = archive_read_new();
    CHECK(a != NULL);
    CHECK(archive_read_support_format_zip(a) == ARCHIVE_OK);
    archive_read_free(a);

    CHECK(!loaded(EXH_SONAME_QCOW));
    CHECK(lazy_qcow_load() == NULL);
    CHECK(loaded(EXH_SONAME_QCOW));
    CHECK(&libqcow_file_read_buffer_at_offset != NULL); // the last slot
    libqcow_file_t *q = NULL;
    CHECK(libqcow_file_initialize(&q, NULL) == 1);
    CHECK(libqcow_file_free(&q, NULL) == 1 && q == NULL);

    CHECK(!loaded(EXH_SONAME_VSHADOW));
    CHECK(lazy_vshadow_load() == NULL);
    CHECK(loaded(EXH_SONAME_VSHADOW));
    CHECK(&libvshadow_volume_open_file_io_handle != NULL); // the last slot
    libvshadow_volume_t *v = NULL;
    CHECK(libvshadow_volume_initialize(&v, NULL) == 1);
    CHECK(libvshadow_volume_free(&v, NULL) == 1 && v == NULL);
}

int main(void)
{
    test_scan_loads_none();
    test_load();
    test_scan_loads_yara();
    TEST_MAIN_END();
}
