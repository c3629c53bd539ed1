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
    // the EVTX reader's shape (7 fraction digits) takes a fast path too
    check_time("2021-03-02T04:12:33.9999999Z", "2021-03-02T04:12:33.999Z");
    check_time("1601-01-01T00:00:00.0000001Z", "1601-01-01T00:00:00.000Z");
    check_time("2021-02-29T04:12:33.1234567Z", NULL);
    check_time("2021-03-02T04:12:33.123456xZ", NULL);
    check_time("2021-03-02T04:12:33.1234567+", NULL);
    check_time("2021-03-02T04:12:33.12345678Z", "2021-03-02T04:12:33.123Z");
    check_time("2021-3-2", NULL);
    check_time("2021-03-02X", NULL);
    check_time("", NULL);
    int64_t ms;
    CHECK(exh_time_parse("2021-01-06", &ms) == EXH_OK);
    CHECK(ms == 1609891200000LL);
    CHECK(exh_time_parse("yesterday", &ms) == EXH_ERR_INVALID_ARG);
}

/* The cached parse gives what the general one gives, whatever came
 * before it: same minute, other minute, other shape, bad input. */
static void test_times_cached(void)
{
    static const char *const seq[] = {
        "2021-03-02T04:12:33.120Z",  "2021-03-02T04:12:59.999Z",
        "2021-03-02T04:12:00.000Z",  "2021-03-02T04:12:3x.000Z",
        "2021-03-02T04:12:60.000Z",  "2021-03-02T04:12:61.000Z",
        "2021-03-02T04:12:33.12xZ",  "2021-03-02T04:12:33.120+",
        "2021-03-02 04:12:33",       "2021-03-02 04:12:34",
        "2021-03-02 04:12:3",        "2021-03-02T04:12:33",
        "2021-03-02T04:13:01.001Z",  "2021-03-02T04:12:33.1234567Z",
        "2021-03-02T04:12:33+02:00", "2021-02-29T00:00:01.000Z",
        "2021-02-29T00:00:02.000Z",  "2020-02-29 23:59:58",
        "2020-02-29 23:59:59",       "",
        "2021-03-02T04:12:33.120Z",
    };
    util_time_cache c = {0};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        int64_t want = -1, got = -1;
        size_t n = strlen(seq[i]);
        bool ok = util_time_parse(seq[i], n, &want);
        CHECK(util_time_parse_cached(&c, seq[i], n, &got) == ok);
        if (ok)
            CHECK(got == want);
    }
    CHECK(c.valid);
}

/* UTF-8 of each length's first and last code point. */
static void test_utf8_put(void)
{
    static const struct {
        uint32_t c;
        const char *want;
    } cases[] = {
        {0x41, "A"},
        {0x7F, "\x7f"},
        {0x80, "\xc2\x80"},
        {0x7FF, "\xdf\xbf"},
        {0x800, "\xe0\xa0\x80"},
        {0xFFFD, "\xef\xbf\xbd"},
        {0xFFFF, "\xef\xbf\xbf"},
        {0x10000, "\xf0\x90\x80\x80"},
        {0x1F600, "\xf0\x9f\x98\x80"},
        {0x10FFFF, "\xf4\x8f\xbf\xbf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[5] = {0};
        size_t n = util_utf8_put(cases[i].c, out);
        CHECK(n == strlen(cases[i].want));
        CHECK_STR(out, cases[i].want);
    }
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

/* RFC 1321's and FIPS 180's vectors, and lengths around the padding's
 * block boundary (values from Python's hashlib). */
static void test_md5_sha1(void)
{
    char m[33], s[41];
    md5_hex("", 0, m);
    CHECK_STR(m, "d41d8cd98f00b204e9800998ecf8427e");
    md5_hex("abc", 3, m);
    CHECK_STR(m, "900150983cd24fb0d6963f7d28e17f72");
    md5_hex("message digest", 14, m);
    CHECK_STR(m, "f96b697d7cb7938d525a2f31aaf161d0");
    const char *digits = "1234567890123456789012345678901234567890"
                         "1234567890123456789012345678901234567890";
    md5_hex(digits, 80, m);
    CHECK_STR(m, "57edf4a22be3c955ac49da2e2107b67a");
    sha1_hex("", 0, s);
    CHECK_STR(s, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1_hex("abc", 3, s);
    CHECK_STR(s, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *two =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_hex(two, strlen(two), s);
    CHECK_STR(s, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    static const struct {
        size_t n;
        const char *md5, *sha1;
    } edge[] = {
        {55, "52c0e574e1198de5fe3f8f11440dcb1b",
         "ddf57317ef34bfee3b6df83d359098930eb278bc"},
        {56, "46c9907fc908ee68b1e7b8e71286a518",
         "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
        {63, "a62f6d59e837867693f042f5b8f5a236",
         "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
        {64, "7160b8fb5e9e4023d549c3971fbaeead",
         "bede92be29c3874e1b54ddc77988d606fc857a8e"},
        {119, "e84905d4214f4d1ca56c2cdcc152b143",
         "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
        {120, "e3eb5a6c8669ea01a8c185b8abc8a5dc",
         "82134b02fb3f702491be9bed581eeab59334acb2"},
    };
    unsigned char data[120];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)((i * 7 + 3) & 0xff);
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        md5_hex(data, edge[i].n, m);
        CHECK_STR(m, edge[i].md5);
        sha1_hex(data, edge[i].n, s);
        CHECK_STR(s, edge[i].sha1);
    }
}

static void test_split_commas(void)
{
    char s[] = " CVE-2021-34473,CVE-2021-34523 , ,CVE-2021-31207,";
    const char *out[2];
    CHECK(util_split_commas(s, out, 2) == 2);
    CHECK_STR(out[0], "CVE-2021-34473");
    CHECK_STR(out[1], "CVE-2021-34523");
    char t[] = " , ";
    CHECK(util_split_commas(t, out, 2) == 0);
    char u[] = "";
    CHECK(util_split_commas(u, out, 2) == 0);
}

/* Log names that date their file, and names that must not. */
static void test_log_name_span(void)
{
    static const struct {
        const char *name, *from, *to;
    } dated[] = {
        {"HttpProxy_2021030204-1.LOG", "2021-03-02T04:00:00.000Z",
         "2021-03-02T05:00:00.000Z"},
        {"/x/Logging/HttpProxy/Ecp/HttpProxy_2021030223-12.log",
         "2021-03-02T23:00:00.000Z", "2021-03-03T00:00:00.000Z"},
        {"ECPServer20230111-1.LOG", "2023-01-11T00:00:00.000Z",
         "2023-01-12T00:00:00.000Z"},
        {"Rps_Cmdlet_2023011116-1.LOG", "2023-01-11T16:00:00.000Z",
         "2023-01-11T17:00:00.000Z"},
        {"u_ex210302.log", "2021-03-02T00:00:00.000Z",
         "2021-03-03T00:00:00.000Z"},
        {"u_ex21030204.log", "2021-03-02T04:00:00.000Z",
         "2021-03-02T05:00:00.000Z"},
        {"ex200229.log", "2020-02-29T00:00:00.000Z",
         "2020-03-01T00:00:00.000Z"},
        {"u_ex210302_x.log", "2021-03-02T00:00:00.000Z",
         "2021-03-03T00:00:00.000Z"},
        {"Exchange2021030204-1.log", "2021-03-02T04:00:00.000Z",
         "2021-03-02T05:00:00.000Z"},
    };
    for (size_t i = 0; i < sizeof dated / sizeof dated[0]; i++) {
        int64_t from = 0, to = 0;
        char a[32] = "", b[32] = "";
        CHECK(util_log_name_span(dated[i].name, &from, &to));
        util_time_format(from, a);
        util_time_format(to, b);
        CHECK_STR(a, dated[i].from);
        CHECK_STR(b, dated[i].to);
    }
    static const char *const undated[] = {
        "HttpProxy_2021030204.LOG",   // no "-N"
        "HttpProxy_2021023104-1.LOG", // no such day
        "HttpProxy_2021030224-1.LOG", // no such hour
        "HttpProxy_202103020-1.LOG",  // 9 digits
        "HttpProxy_2021030204-1.txt",
        "u_ex210230.log",
        "u_ex2103.log",
        "ex210302.log.gz",
        "-1.log",
        ".log",
        "",
    };
    for (size_t i = 0; i < sizeof undated / sizeof undated[0]; i++) {
        int64_t from, to;
        if (util_log_name_span(undated[i], &from, &to)) {
            CHECK(!"dated");
            fprintf(stderr, "  %s\n", undated[i]);
        }
    }
}

/* util_hexval: every byte, against the digits spelled out. */
static void test_hexval(void)
{
    static const char digits[] = "0123456789abcdef", upper[] = "ABCDEF";
    for (int c = 0; c < 256; c++) {
        const char *at = c ? memchr(digits, c, 16) : NULL;
        const char *up = c ? memchr(upper, c, 6) : NULL;
        int want = at ? (int)(at - digits) : up ? 10 + (int)(up - upper) : -1;
        CHECK(util_hexval((unsigned char)c) == want);
    }
    CHECK(util_hexval('F') == 15 && util_hexval('0') == 0);
    CHECK(util_hexval('g') == -1 && util_hexval('G') == -1);
    CHECK(util_hexval(0xC6) == -1); // 'F' | 0x80
}

static void test_url_decode(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/ecp/%79.js", "/ecp/y.js"},
        {"%2579", "%79"}, // one pass; callers decode twice
        {"a%2Fb%2fc", "a/b/c"},
        {"100%", "100%"},
        {"%4", "%4"},
        {"%zz%41", "%zzA"},
        {"a+b", "a+b"},
        {"%00x", "\0x"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        size_t n = util_url_decode(cases[i].in, strlen(cases[i].in), out);
        size_t want = cases[i].in[0] == '%' && cases[i].in[1] == '0' &&
                              cases[i].in[2] == '0'
                          ? 2
                          : strlen(cases[i].out);
        CHECK(n == want && memcmp(out, cases[i].out, n) == 0);
    }
    char text[] = "%2541%41"; // in place
    size_t n = util_url_decode(text, strlen(text), text);
    CHECK(n == 4 && memcmp(text, "%41A", 4) == 0);
}

/* util_civil_from_days against known dates, and against a day-by-day walk
 * over 1600-2400 (leap years, centuries, negative days). */
static void test_civil_from_days(void)
{
    int64_t y;
    int m, d;
    util_civil_from_days(0, &y, &m, &d);
    CHECK(y == 1970 && m == 1 && d == 1);
    util_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    util_civil_from_days(11016, &y, &m, &d); // 2000-02-29
    CHECK(y == 2000 && m == 2 && d == 29);
    util_civil_from_days(-134774, &y, &m, &d); // 1601-01-01, FILETIME 0
    CHECK(y == 1601 && m == 1 && d == 1);
    util_civil_from_days(2932896, &y, &m, &d); // 9999-12-31
    CHECK(y == 9999 && m == 12 && d == 31);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t wy = 1600, day = -135140; // 1600-01-01
    int wm = 1, wd = 1, bad = 0;
    for (; wy < 2400; day++) {
        util_civil_from_days(day, &y, &m, &d);
        bad += y != wy || m != wm || d != wd;
        bool leap = (wy % 4 == 0 && wy % 100 != 0) || wy % 400 == 0;
        int last = mdays[wm - 1] + (wm == 2 && leap);
        if (++wd > last) {
            wd = 1;
            if (++wm > 12) {
                wm = 1;
                wy++;
            }
        }
    }
    CHECK(bad == 0);
}

int main(void)
{
    test_civil_from_days();
    test_hexval();
    test_url_decode();
    test_log_name_span();
    test_sha256();
    test_split_commas();
    test_md5_sha1();
    test_case();
    test_times();
    test_times_cached();
    test_utf8_put();
    test_names();
    TEST_MAIN_END();
}
