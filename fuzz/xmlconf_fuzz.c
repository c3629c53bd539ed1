/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xmlconf_fuzz.c - XML configuration files: applicationHost.config and
 * web.config modules, agents.config transport agents, scheduled-task XML
 * (also as UTF-16). Every tag, attribute and text handed out must lie
 * inside the input; each judge runs against the built-in baselines.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char *start, *end;

static bool inside(const char *p, size_t len)
{
    return p >= start && p <= end && len <= (size_t)(end - p);
}

static bool on_tag(void *user, const xml_tag *t)
{
    (void)user;
    if (!inside(t->name, t->name_len) || !inside(t->text, t->text_len) ||
        t->attr_count > XML_MAX_ATTRS)
        abort();
    for (size_t i = 0; i < t->attr_count; i++)
        if (!inside(t->attrs[i].name, t->attrs[i].name_len) ||
            !inside(t->attrs[i].value, t->attrs[i].value_len))
            abort();
    return true;
}

static bool on_hit(void *user, const persist_hit *h)
{
    (*(size_t *)user)++;
    return h->rule != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static baseline *b;
    for (size_t i = 0; !b && i < builtin_rule_file_count; i++)
        if (strncmp(builtin_rule_files[i].path, "baselines/", 10) == 0 &&
            baseline_add(&b, builtin_rule_files[i].path,
                         builtin_rule_files[i].text,
                         builtin_rule_files[i].len) != EXH_OK)
            abort();
    const char *text = (const char *)data;
    size_t len = size;
    char *narrow = NULL;
    if (xml_is_utf16(data, size)) {
        narrow = malloc(size / 2 + 1);
        if (!narrow)
            return 0;
        len = xml_narrow(data, size, narrow, size / 2 + 1);
        text = narrow;
    }
    start = text;
    end = text + len;
    xml_walk(text, len, on_tag, NULL);
    size_t hits = 0;
    for (int kind = PERSIST_IIS; kind <= PERSIST_TASK; kind++)
        persist_check(b, kind, text, len, on_hit, &hits);
    char out[64];
    xml_unescape(text, len, out, sizeof out);
    free(narrow);
    return 0;
}
