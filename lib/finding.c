/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finding.c - collects a unit's findings, aggregates repeated low-value
 * ones, and puts them in their one output order.
 *
 * DESIGN.md's count rules: attempt and low/info findings of one rule from
 * one client within one clock hour become one finding with a count, the
 * first time and the last; exploitation and anything above low is never
 * aggregated. After ordering (time, path, line, rule), at most 1,000 low
 * and info findings per rule are kept and the rest are counted as
 * suppressed. The representative of an aggregate is its earliest record,
 * so the result is the same whatever order threads deliver records in.
 */
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_PER_RULE 1000

const char *finding_rule_name(const exh_ruleset *rs, const ifinding *f)
{
    return f->rule == SIZE_MAX ? f->fr.name : rs->rules[f->rule].name;
}

exh_severity finding_severity(const exh_ruleset *rs, const ifinding *f)
{
    if (f->judged)
        return f->judged_severity;
    if (f->rule == SIZE_MAX)
        return f->fr.severity;
    return sigma_rule_meta(rs->rules[f->rule].sigma)->severity;
}

exh_category finding_category(const exh_ruleset *rs, const ifinding *f)
{
    if (f->judged)
        return f->judged_category;
    if (f->rule == SIZE_MAX)
        return f->fr.category;
    return sigma_rule_meta(rs->rules[f->rule].sigma)->category_value;
}

const char *finding_title(const exh_ruleset *rs, const ifinding *f)
{
    if (f->rule == SIZE_MAX)
        return f->fr.title ? f->fr.title : f->fr.name;
    const sigma_meta *m = sigma_rule_meta(rs->rules[f->rule].sigma);
    return m->title ? m->title : rs->rules[f->rule].name;
}

void ifinding_free(ifinding *f)
{
    exh_free(f->fr.name);
    exh_free(f->fr.title);
    exh_free(f->fr.source);
    exh_free(f->fr.author);
    exh_free(f->fr.cve);
    exh_free(f->file);
    exh_free(f->source_path);
    exh_free(f->windows_path);
    for (size_t i = 0; i < f->evidence_count; i++) {
        exh_free((char *)f->evidence[i].key);
        exh_free((char *)f->evidence[i].value);
    }
    exh_free(f->evidence);
    memset(f, 0, sizeof *f);
}

exh_status finding_evidence_add(ifinding *f, const char *key, const char *value,
                                size_t len)
{
    exh_kv *kv = &f->evidence[f->evidence_count];
    kv->key = exh_strdup(key);
    kv->value = exh_strndup(value, len);
    kv->value_len = len;
    if (!kv->key || !kv->value) {
        exh_free((char *)kv->key);
        exh_free((char *)kv->value);
        memset(kv, 0, sizeof *kv);
        return EXH_ERR_NOMEM;
    }
    f->evidence_count++;
    return EXH_OK;
}

exh_status finding_evidence_add_cut(ifinding *f, const char *key,
                                    const char *value, size_t len, size_t max)
{
    if (len <= max)
        return finding_evidence_add(f, key, value, len);
    char mark[64];
    int mark_len =
        snprintf(mark, sizeof mark, EXH_TRUNCATED_MARK "%zu bytes]", len);
    size_t cut = json_utf8_cut(value, len, max);
    char *cut_value = exh_malloc(cut + (size_t)mark_len + 1);
    if (!cut_value)
        return EXH_ERR_NOMEM;
    memcpy(cut_value, value, cut);
    memcpy(cut_value + cut, mark, (size_t)mark_len + 1);
    exh_status st =
        finding_evidence_add(f, key, cut_value, cut + (size_t)mark_len);
    exh_free(cut_value);
    return st;
}

void flist_free(flist *l)
{
    for (size_t i = 0; i < l->count; i++)
        ifinding_free(&l->items[i]);
    exh_free(l->items);
    memset(l, 0, sizeof *l);
}

void aggmap_free(aggmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        exh_free(m->keys[i]);
    exh_free(m->keys);
    exh_free(m->slots);
    memset(m, 0, sizeof *m);
}

static exh_status flist_push(flist *l, ifinding *f)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ifinding *p = exh_realloc(l->items, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = *f;
    memset(f, 0, sizeof *f);
    return EXH_OK;
}

/* Finds key's slot; returns the index in m->keys (empty or equal). */
static size_t agg_find(const aggmap *m, const char *key)
{
    size_t i = util_hash(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static exh_status agg_grow(aggmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    aggmap n = {exh_calloc(cap, sizeof(char *)),
                exh_calloc(cap, sizeof(size_t)), cap, m->used};
    if (!n.keys || !n.slots) {
        exh_free(n.keys);
        exh_free(n.slots);
        return EXH_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = agg_find(&n, m->keys[i]);
        n.keys[j] = m->keys[i];
        n.slots[j] = m->slots[i];
    }
    exh_free(m->keys);
    exh_free(m->slots);
    *m = n;
    return EXH_OK;
}

/* Records' attempt and low/info findings aggregate; file findings never
 * do (each file is its own evidence). */
static bool aggregable(const exh_ruleset *rs, const ifinding *f)
{
    // A build's open CVEs (category vulnerable) are one finding each.
    return !f->file && finding_severity(rs, f) >= EXH_SEV_LOW &&
           finding_category(rs, f) != EXH_CAT_EXPLOITATION &&
           finding_category(rs, f) != EXH_CAT_VULNERABLE;
}

/* Negative when a comes first in output order. */
static int cmp_place(const exh_ruleset *rs, const ifinding *a,
                     const ifinding *b)
{
    if (a->time_ms != b->time_ms) {
        if (a->time_ms == INT64_MIN)
            return 1;
        if (b->time_ms == INT64_MIN)
            return -1;
        return a->time_ms < b->time_ms ? -1 : 1;
    }
    int c = strcmp(a->source_path ? a->source_path : "",
                   b->source_path ? b->source_path : "");
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    c = strcmp(finding_rule_name(rs, a), finding_rule_name(rs, b));
    if (c)
        return c;
    // One rule may give several findings at one place (a build's open
    // CVEs): their titles differ.
    const char *ta = finding_title(rs, a), *tb = finding_title(rs, b);
    return strcmp(ta ? ta : "", tb ? tb : "");
}

exh_status finding_add(unit *u, const exh_ruleset *rs, ifinding *f,
                       const char *client)
{
    if (f->count == 0)
        f->count = 1;
    if (f->seen == 0) { // shadow.c: where it was seen
        f->snap = u->cur_snap;
        f->seen = 1ull << u->cur_snap;
    }
    if (!aggregable(rs, f))
        return flist_push(&u->plain, f);
    buf key;
    buf_init(&key, 4096);
    buf_printf(&key, "%zu\x1f", f->rule);
    buf_puts(&key, client ? client : "");
    if (f->time_ms == INT64_MIN)
        buf_puts(&key, "\x1f-");
    else
        buf_printf(&key, "\x1f%lld",
                   (long long)(f->time_ms >= 0 ? f->time_ms / 3600000
                                               : -1 - (-f->time_ms / 3600000)));
    if (!key.data)
        return EXH_ERR_NOMEM;
    exh_status st = EXH_OK;
    if ((u->aggs.used + 1) * 2 > u->aggs.cap && (st = agg_grow(&u->aggs))) {
        buf_free(&key);
        return st;
    }
    size_t i = agg_find(&u->aggs, key.data);
    if (!u->aggs.keys[i]) {
        f->last_ms = f->time_ms;
        u->aggs.keys[i] = key.data;
        u->aggs.slots[i] = u->agg.count;
        u->aggs.used++;
        return flist_push(&u->agg, f);
    }
    buf_free(&key);
    ifinding *a = &u->agg.items[u->aggs.slots[i]];
    uint64_t count = a->count + f->count;
    uint64_t seen = a->seen | f->seen;
    int64_t last = a->last_ms;
    if (f->time_ms != INT64_MIN && (last == INT64_MIN || f->time_ms > last))
        last = f->time_ms;
    if (cmp_place(rs, f, a) < 0) {
        ifinding_free(a);
        *a = *f;
        memset(f, 0, sizeof *f);
    } else {
        ifinding_free(f);
    }
    a->count = count;
    a->last_ms = last;
    a->seen = seen;
    return EXH_OK;
}

static const exh_ruleset *sort_rules; // qsort has no context argument

static int cmp_qsort(const void *a, const void *b)
{
    return cmp_place(sort_rules, a, b);
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

exh_status finding_finish(unit *u, const exh_ruleset *rs, ifinding **out,
                          size_t *count)
{
    flist all = {0};
    exh_status st = EXH_OK;
    for (size_t i = 0; i < u->plain.count && st == EXH_OK; i++)
        st = flist_push(&all, &u->plain.items[i]);
    for (size_t i = 0; i < u->agg.count && st == EXH_OK; i++)
        st = flist_push(&all, &u->agg.items[i]);
    flist_free(&u->plain);
    flist_free(&u->agg);
    aggmap_free(&u->aggs);
    if (st != EXH_OK) {
        flist_free(&all);
        return st;
    }
    pthread_mutex_lock(&sort_lock);
    sort_rules = rs;
    if (all.count)
        qsort(all.items, all.count, sizeof *all.items, cmp_qsort);
    pthread_mutex_unlock(&sort_lock);

    size_t *per_rule = exh_calloc(rs->count ? rs->count : 1, sizeof *per_rule);
    if (!per_rule) {
        flist_free(&all);
        return EXH_ERR_NOMEM;
    }
    size_t kept = 0;
    for (size_t i = 0; i < all.count; i++) {
        ifinding *f = &all.items[i];
        if (!f->file && f->rule != SIZE_MAX &&
            finding_severity(rs, f) >= EXH_SEV_LOW &&
            ++per_rule[f->rule] > CAP_PER_RULE) {
            u->suppressed++;
            exh_category cat = finding_category(rs, f);
            if (cat == EXH_CAT_ATTEMPT || cat == EXH_CAT_EXPLOITATION)
                u->suppressed_tried += f->count;
            ifinding_free(f);
            continue;
        }
        all.items[kept++] = *f;
    }
    exh_free(per_rule);
    *out = all.items;
    *count = kept;
    return EXH_OK;
}
