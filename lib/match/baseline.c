/* SPDX-License-Identifier: Apache-2.0 */
/*
 * baseline.c - known-good lists (the .txt files of rules/baselines): the stock
 * files of the Exchange front end's sign-in folders, the IIS modules and the
 * transport agents Microsoft ships. The lists are data; the decisions that
 * a list cannot state (which folder, which file types) live here.
 *
 * A list is one entry a line, '#' starts a comment, blank lines are
 * skipped; entries compare case-insensitively (Windows names).
 */
#include "internal.h"

#include <string.h>

typedef struct blist {
    char *name;     /* the file stem: "exchange_auth_files" */
    char **entries; /* lower-cased, owned */
    size_t count;
} blist;

struct baseline {
    blist *lists;
    size_t count;
};

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

static exh_status add_entry(blist *l, const char *s, size_t len)
{
    char **p = exh_realloc(l->entries, (l->count + 1) * sizeof *p);
    if (!p)
        return EXH_ERR_NOMEM;
    l->entries = p;
    if (!(p[l->count] = exh_strndup(s, len)))
        return EXH_ERR_NOMEM;
    lower(p[l->count++]);
    return EXH_OK;
}

exh_status baseline_add(baseline **b, const char *path, const char *text,
                        size_t len)
{
    if (!*b && !(*b = exh_calloc(1, sizeof **b)))
        return EXH_ERR_NOMEM;
    baseline *bl = *b;
    blist *ls = exh_realloc(bl->lists, (bl->count + 1) * sizeof *ls);
    if (!ls)
        return EXH_ERR_NOMEM;
    bl->lists = ls;
    blist *l = &ls[bl->count];
    memset(l, 0, sizeof *l);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    l->name = exh_strndup(base, dot ? (size_t)(dot - base) : strlen(base));
    if (!l->name)
        return EXH_ERR_NOMEM;
    bl->count++;
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            n--;
        while (n && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n == 0 || *line == '#')
            continue;
        EXH_TRY(add_entry(l, line, n));
    }
    return EXH_OK;
}

void baseline_free(baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++) {
        for (size_t j = 0; j < b->lists[i].count; j++)
            exh_free(b->lists[i].entries[j]);
        exh_free(b->lists[i].entries);
        exh_free(b->lists[i].name);
    }
    exh_free(b->lists);
    exh_free(b);
}

bool baseline_has(const baseline *b, const char *list, const char *item,
                  size_t len)
{
    for (size_t i = 0; b && i < b->count; i++) {
        if (strcmp(b->lists[i].name, list) != 0)
            continue;
        for (size_t j = 0; j < b->lists[i].count; j++) {
            const char *e = b->lists[i].entries[j];
            if (util_ieq(e, strlen(e), item, len))
                return true;
        }
    }
    return false;
}

bool baseline_has_list(const baseline *b, const char *list)
{
    for (size_t i = 0; b && i < b->count; i++)
        if (strcmp(b->lists[i].name, list) == 0)
            return true;
    return false;
}

/* True when ext (with its dot) is one of the NULL-terminated list. */
static bool ext_in(const char *ext, const char *const *list)
{
    for (; *list; list++)
        if (util_strcasecmp(ext, *list) == 0)
            return true;
    return false;
}

/* Types IIS hands to a script engine or a handler. */
static const char *const page_exts[] = {
    ".aspx", ".ashx", ".asmx",   ".asp",    ".asa", ".ascx", ".asax", ".svc",
    ".soap", ".rem",  ".cshtml", ".vbhtml", ".php", ".jsp",  ".hta",  NULL};
bool baseline_page_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && !strchr(dot, '/') && !strchr(dot, '\\') &&
           ext_in(dot, page_exts);
}

/* Pages plus what a browser runs. */
static const char *const web_exts[] = {".js", ".htm", ".html", NULL};

/* True when a folder name is a build number ("15.1.2176") or "Current". */
static bool version_folder(const char *s, size_t len)
{
    if (util_ieq(s, len, "current", 7))
        return true;
    size_t dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.')
            dots++;
        else if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return len > 0 && dots >= 1 && dots <= 3;
}

const char *baseline_auth_check(const baseline *b, const char *wp)
{
    static const char marker[] = "\\frontend\\httpproxy\\";
    size_t len = strlen(wp);
    const char *at = util_memcasemem(wp, len, marker, sizeof marker - 1);
    if (!at || !baseline_has_list(b, "exchange_auth_files"))
        return NULL;
    const char *rel = at + sizeof marker - 1;
    size_t rel_len = len - (size_t)(rel - wp);
    if (rel_len < 9 || !(util_ieq(rel, 9, "owa\\auth\\", 9) ||
                         util_ieq(rel, 9, "ecp\\auth\\", 9)))
        return NULL;
    const char *tail = rel + 9;
    const char *base = strrchr(tail, '\\');
    base = base ? base + 1 : tail;
    const char *ext = strrchr(base, '.');
    if (!ext)
        return NULL;
    bool page = ext_in(ext, page_exts);
    if (base == tail) {
        if ((page || ext_in(ext, web_exts)) &&
            !baseline_has(b, "exchange_auth_files", rel, rel_len))
            return "a web file that is not a stock Exchange file of this "
                   "folder";
        return NULL;
    }
    if (!page)
        return NULL;
    const char *sep = strchr(tail, '\\');
    if (version_folder(tail, (size_t)(sep - tail)))
        return "a server-side page in a version folder, which holds only "
               "scripts, styles, images and fonts";
    return "a server-side page in a subfolder of a sign-in folder";
}
