/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.c - case folding, case-insensitive search, ISO 8601 times. */
#include "harness.h"
#include "internal.h"

static void test_case(void)
{
    CHECK(util_strcasecmp("Program Files", "PROGRAM files") == 0);
    CHECK(util_strcasecmp("a", "b") < 0);
    CHECK(util_ieq("ServerInfo~", 11, "serverinfo~", 11));
    CHECK(!util_ieq("abc", 3, "abd", 3));
    const char *hay = "x,ServerInfo~a]@ex:444/ecp/y.js?#,z";
    CHECK(util_memcasemem(hay, strlen(hay), "SERVERINFO~", 11) == hay + 2);
    CHECK(util_memcasemem(hay, strlen(hay), "nope", 4) == NULL);
    CHECK(util_memcasemem("ab", 2, "abc", 3) == NULL);
    CHECK(util_memcasemem("aaaB", 4, "AB", 2) != NULL);
}

static void check_time(const char *text, const char *want)
{
    int64_t ms = 0;
    char out[32];
    bool ok = util_time_parse(text, strlen(text), &ms);
    CHECK(ok == (want != NULL));
    if (ok && want) {
        util_time_format(ms, out);
        CHECK_STR(out, want);
    }
}

static void test_times(void)
{
    check_time("2021-03-02T04:12:33.120Z", "2021-03-02T04:12:33.120Z");
    check_time("2021-03-02", "2021-03-02T00:00:00.000Z");
    check_time("2021-03-02T04:12", "2021-03-02T04:12:00.000Z");
    check_time("2021-03-02 04:12:33", "2021-03-02T04:12:33.000Z");
    check_time("2021-03-02T04:12:33.1234567Z", "2021-03-02T04:12:33.123Z");
    check_time("2021-03-02T04:12:33+02:00", "2021-03-02T02:12:33.000Z");
    check_time("2021-03-02T01:00:00-0130", "2021-03-02T02:30:00.000Z");
    check_time("2020-02-29T23:59:59Z", "2020-02-29T23:59:59.000Z");
    check_time("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
    check_time("2021-02-29", NULL);
    // the exact Exchange shape takes a fast path: same answers
    check_time("2020-02-29T23:59:59.999Z", "2020-02-29T23:59:59.999Z");
    check_time("2021-02-29T00:00:00.000Z", NULL);
    check_time("2021-03-02T24:00:00.000Z", NULL);
    check_time("2021-03-02T04:12:33.1x0Z", NULL);
    check_time("20x1-03-02T04:12:33.120Z", NULL);
    check_time("2021-13-01", NULL);
    check_time("2021-03-02T24:00", NULL);
    check_time("2021-03-02T04:12:33.Z", NULL);
    check_time("2021-3-2", NULL);
    check_time("2021-03-02X", NULL);
    check_time("", NULL);
    int64_t ms;
    CHECK(exh_time_parse("2021-01-06", &ms) == EXH_OK);
    CHECK(ms == 1609891200000LL);
    CHECK(exh_time_parse("yesterday", &ms) == EXH_ERR_INVALID_ARG);
}

static void test_names(void)
{
    exh_severity s;
    CHECK(exh_severity_parse("informational", &s) == EXH_OK &&
          s == EXH_SEV_INFO);
    CHECK(exh_severity_parse("HIGH", &s) == EXH_OK && s == EXH_SEV_HIGH);
    CHECK(exh_severity_parse("severe", &s) == EXH_ERR_INVALID_ARG);
    CHECK_STR(exh_severity_name(EXH_SEV_CRITICAL), "critical");
    CHECK(exh_severity_name((exh_severity)9) == NULL);
    CHECK_STR(exh_category_name(EXH_CAT_POST_EXPLOITATION),
              "post-exploitation");
    CHECK(exh_version_number() == EXH_VERSION_NUMBER);
}

static void check_sha(const char *text, size_t repeat, const char *want)
{
    sha256_ctx c;
    char hex[65];
    sha256_init(&c);
    for (size_t i = 0; i < repeat; i++)
        sha256_update(&c, text, strlen(text));
    sha256_hex(&c, hex);
    CHECK_STR(hex, want);
}

/* FIPS 180-4 / NIST test vectors. */
static void test_sha256(void)
{
    check_sha(
        "", 1,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha(
        "abc", 1,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_sha(
        "a", 1000000,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
    test_sha256();
    test_case();
    test_times();
    test_names();
    TEST_MAIN_END();
}
