/* SPDX-License-Identifier: Apache-2.0 */
/* test_buf.c - the bounded buffer: growth, the limit, formatting, OOM. */
#include "harness.h"
#include "internal.h"

static void test_append_and_limit(void)
{
    buf b;
    buf_init(&b, 10);
    CHECK(buf_puts(&b, "hello") == EXH_OK);
    CHECK(b.len == 5);
    CHECK_STR(b.data, "hello");
    CHECK(buf_puts(&b, " world!") == EXH_ERR_LIMIT);
    CHECK(b.len == 10);
    CHECK(b.toobig);
    CHECK_STR(b.data, "hello worl");
    buf_reset(&b);
    CHECK(b.len == 0 && !b.toobig);
    CHECK_STR(b.data, "");
    buf_free(&b);
}

static void test_printf_long(void)
{
    buf b;
    buf_init(&b, 1 << 20);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(buf_printf(&b, "%s-%d", big, 42) == EXH_OK);
    CHECK(b.len == 999 + 3);
    CHECK(strcmp(b.data + 999, "-42") == 0);
    buf_free(&b);
}

static void test_oom(void)
{
    buf b;
    buf_init(&b, 100);
    alloc_fail_after(1);
    CHECK(buf_puts(&b, "abc") == EXH_ERR_NOMEM);
    alloc_fail_after(0);
    CHECK(b.len == 0);
    CHECK(buf_puts(&b, "abc") == EXH_OK);
    buf_free(&b);
}

int main(void)
{
    test_append_and_limit();
    test_printf_long();
    test_oom();
    TEST_MAIN_END();
}
