/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioc_fuzz.c - IOC lists. An address list turned into Sigma rules:
 * whatever the list holds, the generated text must compile, nothing in a
 * list may change the YAML around its values. The same bytes as a
 * file-name list: every entry loaded must match or not, without crashing,
 * against a few Windows paths.
 */
#include "internal.h"
#include "ruleset.h"

#include <string.h>

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

    exh_ruleset rs;
    memset(&rs, 0, sizeof rs);
    buf m;
    buf_init(&m, 1u << 20);
    if (nameioc_add(&rs, (const char *)data, size, "fuzz", "fuzz", &m) ==
        EXH_OK) {
        static const char *const paths[] = {
            "C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx",
            "?:\\ProgramData\\x.exe", ""};
        void *md = nameioc_match_data();
        for (size_t i = 0; md && i < rs.name_count; i++)
            for (size_t p = 0; p < 3; p++)
                (void)nameioc_matches(&rs.names[i], paths[p], md);
        nameioc_match_data_free(md);
    }
    for (size_t i = 0; i < rs.name_count; i++)
        nameioc_free(&rs.names[i]);
    exh_free(rs.names);
    buf_free(&m);
    return 0;
}
