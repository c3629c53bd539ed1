/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma_fuzz.c - compiles the input as a Sigma rule file; each rule that
 * compiles is matched against a fixed HttpProxy-like event whose raw text
 * holds every value, and a rule that matches must pass its own pre-filter
 * (the soundness of literal extraction); a violation traps.
 */
#include "internal.h"

static const char *const names[] = {"AnchorMailbox", "UrlStem", "Method",
                                    "HttpStatus", "Empty"};
static const char *const values[] = {"ServerInfo~a]@x:444/ecp/y.js#",
                                     "/ecp/y.js", "POST", "200", ""};
static const size_t lens[] = {29, 9, 4, 3, 0};
static const char raw[] = "2021-03-02T04:12:33Z,ServerInfo~a]@x:444/ecp/y.js#,"
                          "/ecp/y.js,POST,200,,\"a,\"\"b\"\"\"";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const event ev = {.count = 5,
                      .names = names,
                      .values = values,
                      .lens = lens,
                      .raw = raw,
                      .raw_len = sizeof raw - 1,
                      .index = NULL,
                      .indexed = 0,
                      .lazy = NULL};
    sigma_rule **rules = NULL;
    size_t count = 0, n;
    char *msg = NULL;
    const char *matched[8], *const *lits;
    if (sigma_compile((const char *)data, size, "fuzz.yml", &rules, &count,
                      &msg) == EXH_OK) {
        for (size_t i = 0; i < count; i++) {
            bool hit = sigma_match(rules[i], &ev, matched, 8, &n);
            prefilter *pf = NULL;
            if (sigma_literals(rules[i], &lits, &n) &&
                prefilter_new(lits, n, &pf) == EXH_OK &&
                !prefilter_any(pf, raw, sizeof raw - 1) && hit)
                __builtin_trap();
            prefilter_free(pf);
            // every clause of the conjunctive gate holds too
            const sigma_clause *cl;
            size_t cc;
            for (size_t k = 0;
                 hit && sigma_clauses(rules[i], &cl, &cc) && k < cc; k++) {
                pf = NULL;
                if (prefilter_new(cl[k].lits, cl[k].count, &pf) == EXH_OK &&
                    !prefilter_any(pf, raw, sizeof raw - 1))
                    __builtin_trap();
                prefilter_free(pf);
            }
            sigma_rule_free(rules[i]);
        }
    }
    exh_free(rules);
    exh_free(msg);
    return 0;
}
