/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.h - the whole unit-test framework: CHECK() prints file:line of a
 * failed condition and counts it; TEST_MAIN_END returns non-zero if any
 * check failed. No registration, no fixtures: a test is a function.
 */
#ifndef EXH_HARNESS_H
#define EXH_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_failures;
static int harness_checks;

#define CHECK(cond)                                                            \
    do {                                                                       \
        harness_checks++;                                                      \
        if (!(cond)) {                                                         \
            harness_failures++;                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *check_a_ = (a), *check_b_ = (b);                           \
        harness_checks++;                                                      \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {       \
            harness_failures++;                                                \
            fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n",     \
                    __FILE__, __LINE__, check_a_ ? check_a_ : "(null)",        \
                    check_b_ ? check_b_ : "(null)");                           \
        }                                                                      \
    } while (0)

#define TEST_MAIN_END()                                                        \
    do {                                                                       \
        fprintf(stderr, "%d checks, %d failed\n", harness_checks,              \
                harness_failures);                                             \
        return harness_failures ? 1 : 0;                                       \
    } while (0)

#endif
