/* SPDX-License-Identifier: Apache-2.0 */
/*
 * winproc.c - Security event 4688 (process creation auditing) as Sigma's
 * process_creation category sees it. SigmaHQ writes process_creation rules
 * with Sysmon event 1's field names; a 4688 record gets those names added
 * beside its own (docs/internals/evtx.md has the map):
 *
 *   Image           <- NewProcessName
 *   ParentImage     <- ParentProcessName, else the linked parent (below)
 *   ParentProcessId <- ProcessId, hex made decimal as Sysmon writes it
 *   (ProcessId is not added: 4688 already has a field of that name, the
 *   creator's id, which its own rules mean)
 *   User            <- SubjectDomainName\SubjectUserName
 *   IntegrityLevel  <- MandatoryLabel (S-1-16-4096 Low, -8192 Medium,
 *                      -12288 High, -16384 System)
 *   CommandLine     is CommandLine already
 *
 * ParentProcessName exists from Windows Server 2016 on. On older servers
 * the parent is found by process id: the creator's ProcessId is the
 * NewProcessId of its own 4688 earlier in the same file, whose
 * NewProcessName is then the ParentImage (and the ParentProcessName). A
 * bounded table keeps the latest process per id and computer; a slot taken
 * by another process loses the older one (no link rather than a wrong
 * one). The added values are also appended to the record's raw text, so
 * that the pre-filter and keyword searches see them.
 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS     2048 /* processes remembered per file */
#define MAX_IMAGE 520  /* bytes of a remembered image path */
#define MAX_ADDED 7    /* fields added to one record */
#define MAX_TEXT  1100 /* bytes of one added value */

typedef struct proc_slot {
    uint64_t pid;
    uint64_t host; /* hash of Computer */
    size_t len;    /* 0: empty slot */
    char image[MAX_IMAGE];
} proc_slot;

struct winproc {
    proc_slot *slots; /* made on the first 4688 */
    const char **names;
    const char **values;
    size_t *lens;
    size_t cap;
    char *raw;
    size_t raw_cap;
    char text[4][MAX_TEXT];
    event out;
};

exh_status winproc_new(winproc **out)
{
    if (!out)
        return EXH_ERR_INVALID_ARG;
    winproc *p = exh_calloc(1, sizeof *p);
    if (!p)
        return EXH_ERR_NOMEM;
    *out = p;
    return EXH_OK;
}

void winproc_free(winproc *p)
{
    if (!p)
        return;
    exh_free(p->slots);
    exh_free(p->names);
    exh_free(p->values);
    exh_free(p->lens);
    exh_free(p->raw);
    exh_free(p);
}

void winproc_reset(winproc *p)
{
    if (p && p->slots)
        memset(p->slots, 0, SLOTS * sizeof *p->slots);
}

/* A process id as 4688 writes it ("0x1a2c") or decimal; false when it is
 * neither. */
static bool parse_pid(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    if (!s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (s += 2; n < 16; n++) {
            int d = util_hexval((unsigned char)s[n]);
            if (d < 0)
                break;
            v = v * 16 + (uint64_t)d;
        }
    } else {
        for (; n < 19 && s[n] >= '0' && s[n] <= '9'; n++)
            v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (n == 0 || s[n])
        return false;
    *out = v;
    return true;
}

static proc_slot *slot_of(winproc *p, uint64_t pid, uint64_t host)
{
    uint64_t h = (pid * 0x9E3779B97F4A7C15ULL) ^ host;
    return &p->slots[(h >> 32) & (SLOTS - 1)];
}

static bool grow(winproc *p, size_t count)
{
    if (count <= p->cap)
        return true;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < count)
        cap *= 2;
    const char **names = exh_realloc(p->names, cap * sizeof *names);
    if (names)
        p->names = names;
    const char **values = exh_realloc(p->values, cap * sizeof *values);
    if (values)
        p->values = values;
    size_t *lens = exh_realloc(p->lens, cap * sizeof *lens);
    if (lens)
        p->lens = lens;
    if (!names || !values || !lens)
        return false;
    p->cap = cap;
    return true;
}

static const char *integrity_of(const char *label)
{
    static const struct {
        const char *sid, *name;
    } levels[] = {{"S-1-16-0", "Untrusted"}, {"S-1-16-4096", "Low"},
                  {"S-1-16-8192", "Medium"}, {"S-1-16-8448", "Medium"},
                  {"S-1-16-12288", "High"},  {"S-1-16-16384", "System"}};
    for (size_t i = 0; label && i < sizeof levels / sizeof *levels; i++) {
        if (util_strcasecmp(label, levels[i].sid) == 0)
            return levels[i].name;
    }
    return NULL;
}

const event *winproc_event(winproc *p, const event *ev, const char *channel,
                           const char *event_id)
{
    if (!p || !event_id || strcmp(event_id, "4688") != 0 ||
        util_strcasecmp(channel, "Security") != 0)
        return ev;
    if (!p->slots && !(p->slots = exh_calloc(SLOTS, sizeof *p->slots)))
        return ev;
    size_t computer_len = 0;
    const char *computer = event_get(ev, "Computer", &computer_len);
    uint64_t host = util_hash(computer, computer ? computer_len : 0);
    const char *image = event_get(ev, "NewProcessName", NULL);
    const char *parent = event_get(ev, "ParentProcessName", NULL);
    uint64_t pid = 0, ppid = 0;
    bool has_pid = parse_pid(event_get(ev, "NewProcessId", NULL), &pid);
    bool has_ppid = parse_pid(event_get(ev, "ProcessId", NULL), &ppid);
    bool linked = false;
    if ((!parent || !parent[0]) && has_ppid) {
        proc_slot *s = slot_of(p, ppid, host);
        if (s->len && s->pid == ppid && s->host == host) {
            snprintf(p->text[0], MAX_TEXT, "%.*s", (int)s->len, s->image);
            parent = p->text[0];
            linked = true;
        }
    }
    if (has_pid && image && image[0]) {
        proc_slot *s = slot_of(p, pid, host);
        size_t n = strlen(image);
        if (n < MAX_IMAGE) {
            s->pid = pid;
            s->host = host;
            s->len = n;
            memcpy(s->image, image, n);
        } else {
            s->len = 0; // too long to keep: no link rather than a cut one
        }
    }

    const char *names[MAX_ADDED];
    const char *values[MAX_ADDED];
    size_t count = 0;
    if (image) {
        names[count] = "Image";
        values[count++] = image;
    }
    if (parent && parent[0]) {
        names[count] = "ParentImage";
        values[count++] = parent;
        if (linked) {
            names[count] = "ParentProcessName";
            values[count++] = parent;
        }
    }
    if (has_ppid) {
        snprintf(p->text[2], MAX_TEXT, "%llu", (unsigned long long)ppid);
        names[count] = "ParentProcessId";
        values[count++] = p->text[2];
    }
    const char *user = event_get(ev, "SubjectUserName", NULL);
    const char *domain = event_get(ev, "SubjectDomainName", NULL);
    if (user && user[0]) {
        snprintf(p->text[3], MAX_TEXT, "%s%s%s", domain ? domain : "",
                 domain && domain[0] ? "\\" : "", user);
        names[count] = "User";
        values[count++] = p->text[3];
    }
    const char *level = integrity_of(event_get(ev, "MandatoryLabel", NULL));
    if (level) {
        names[count] = "IntegrityLevel";
        values[count++] = level;
    }

    // The added fields, then the record's own.
    size_t total = ev->count + count;
    size_t raw_len = ev->raw_len;
    for (size_t i = 0; i < count; i++)
        raw_len += 1 + strlen(values[i]);
    if (!grow(p, total))
        return ev;
    if (raw_len + 1 > p->raw_cap) {
        char *raw = exh_realloc(p->raw, raw_len + 1);
        if (!raw)
            return ev;
        p->raw = raw;
        p->raw_cap = raw_len + 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < count; i++, k++) {
        p->names[k] = names[i];
        p->values[k] = values[i];
        p->lens[k] = strlen(values[i]);
    }
    for (size_t i = 0; i < ev->count; i++, k++) {
        p->names[k] = ev->names[i];
        p->values[k] = ev->values[i];
        p->lens[k] = ev->lens[i];
    }
    memcpy(p->raw, ev->raw, ev->raw_len);
    size_t at = ev->raw_len;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(values[i]);
        p->raw[at++] = ' ';
        memcpy(p->raw + at, values[i], n);
        at += n;
    }
    p->raw[at] = '\0';
    p->out = (event){.count = total,
                     .names = p->names,
                     .values = p->values,
                     .lens = p->lens,
                     .raw = p->raw,
                     .raw_len = at,
                     .multi = ev->multi};
    return &p->out;
}
