/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioc_fuzz.c - an address IOC list turned into Sigma rules. Whatever the
 * list holds, the generated text must compile: nothing in a list may
 * change the YAML around its values.
 */
#include "internal.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf yaml;
    buf_init(&yaml, 64u << 20);
    size_t values = 0, rejected = 0;
    exh_status st = ioc_address_rules((const char *)data, size, "fuzz", "fuzz",
                                      &yaml, &values, &rejected);
    if (st == EXH_OK && yaml.len) {
        sigma_rule **rules = NULL;
        size_t count = 0;
        char *msg = NULL;
        if (sigma_compile(yaml.data, yaml.len, "fuzz.yml", &rules, &count,
                          &msg) == EXH_ERR_RULE_SYNTAX)
            abort(); // generated rules must always compile
        for (size_t i = 0; i < count; i++)
            sigma_rule_free(rules[i]);
        exh_free(rules);
        exh_free(msg);
    }
    buf_free(&yaml);
    return 0;
}
