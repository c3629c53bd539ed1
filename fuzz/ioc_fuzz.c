/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioc_fuzz.c - IOC lists. An address list turned into Sigma rules:
 * whatever the list holds, the generated text must compile, nothing in a
 * list may change the YAML around its values. The same bytes as a
 * file-name list: every entry loaded must match or not, without crashing,
 * against a few Windows paths. The list's addresses and networks: each
 * line of the input looked up as an address, without crashing.
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
    addr_set set;
    memset(&set, 0, sizeof set);
    exh_status st = ioc_address_rules((const char *)data, size, "fuzz", "fuzz",
                                      &yaml, &values, &rejected, &set);
    addr_set_finish(&set);
    char *lines = exh_strndup((const char *)data, size);
    for (char *line = lines, *nl; line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        const char *names[1];
        if (set.list_count > 1 || addr_set_lists(&set, line, names) > 1)
            abort(); // one list, named at most once
    }
    exh_free(lines);
    addr_set_free(&set);
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
        // Paths: a few fixed ones and every line of the input, so that the
        // fuzzer can make paths that match its regexes. Wherever a regex
        // matches, its required literal must be in the lower-cased path.
        void *md = nameioc_match_data();
        char *copy = exh_strndup((const char *)data, size);
        const char *paths[64] = {"C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx",
                                 "?:\\ProgramData\\x.exe", ""};
        size_t np = 3;
        for (char *line = copy, *nl; line && np < 64; line = nl) {
            nl = strchr(line, '\n');
            if (nl)
                *nl++ = '\0';
            paths[np++] = line;
        }
        for (size_t p = 0; md && copy && p < np; p++) {
            char *lower = exh_strdup(paths[p]);
            bool ascii = true;
            for (char *c = lower; c && *c; c++) {
                ascii &= (unsigned char)*c < 0x80;
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
            }
            for (size_t i = 0; lower && i < rs.name_count; i++) {
                bool full = nameioc_matches(&rs.names[i], paths[p],
                                            ascii ? lower : NULL, md);
                bool raw = nameioc_regex_matches(&rs.names[i], paths[p], md);
                if (raw != full)
                    abort(); // the literal check dropped a match
            }
            exh_free(lower);
        }
        exh_free(copy);
        nameioc_match_data_free(md);
    }
    for (size_t i = 0; i < rs.name_count; i++)
        nameioc_free(&rs.names[i]);
    exh_free(rs.names);
    buf_free(&m);
    return 0;
}
