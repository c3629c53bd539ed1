/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioc.c - IOC lists of addresses (signature-base's "c2" files and ours
 * named "address"), turned into Sigma rules.
 *
 * An address list holds one IPv4 or IPv6 address, CIDR network or domain
 * per line ("VALUE[;COMMENT]"; '#' starts a comment line). Rather than a
 * matcher of its own, each list becomes Sigma text compiled like any rule,
 * one document per log source that names clients or remote hosts (targets
 * below: web and Exchange logs, and the Security, Sysmon and RDP-session
 * event logs): exact addresses and hosts are literals the pre-filter
 * searches for, and networks use the cidr modifier. Values are checked
 * against a strict character set first, so nothing in a list can change the
 * YAML around it.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one line holds. */
enum ioc_kind { IOC_NONE, IOC_IP, IOC_NET, IOC_DOMAIN };

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

/* Classifies value[0..len) strictly. */
static enum ioc_kind classify(const char *v, size_t len)
{
    bool digits_dots = true, hexish = true, domain = true, colon = false;
    size_t slash = 0, dots = 0;
    if (len == 0 || len > 253)
        return IOC_NONE;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (c == '/') {
            if (slash)
                return IOC_NONE;
            slash = i;
            continue;
        }
        if (slash && !(c >= '0' && c <= '9'))
            return IOC_NONE;
        dots += c == '.';
        colon |= c == ':';
        digits_dots &= (c >= '0' && c <= '9') || c == '.';
        hexish &= is_hex(c) || c == ':' || c == '.';
        domain &= (c >= '0' && c <= '9') ||
                  ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '-' ||
                  c == '.' || c == '_';
    }
    if (slash)
        return (slash + 1 < len &&
                ((digits_dots && dots == 3) || (hexish && colon)))
                   ? IOC_NET
                   : IOC_NONE;
    if (digits_dots && dots == 3)
        return IOC_IP;
    if (hexish && colon)
        return IOC_IP;
    if (domain && dots >= 1 && v[0] != '.' && v[len - 1] != '.')
        return IOC_DOMAIN;
    return IOC_NONE;
}

/* Checks an address or network with inet_pton and writes its canonical
 * text to out (a network with its host bits cleared, as the cidr modifier
 * wants them). False when it is no valid address or prefix. */
static bool canonical(const char *v, size_t len, bool net, char *out,
                      size_t out_size)
{
    char text[64];
    if (len >= sizeof text)
        return false;
    memcpy(text, v, len);
    text[len] = '\0';
    char *slash = strchr(text, '/');
    long bits = -1;
    if (net) {
        if (!slash)
            return false;
        *slash = '\0';
        // At most three digits: checked before they are added up.
        if (slash[1] == '\0' || strlen(slash + 1) > 3)
            return false;
        bits = 0;
        for (const char *d = slash + 1; *d; d++)
            bits = bits * 10 + (*d - '0');
    }
    unsigned char addr[16];
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, text, addr) != 1)
        return false;
    size_t size = family == AF_INET ? 4 : 16;
    if (net) {
        if (bits > (long)size * 8)
            return false;
        for (size_t i = 0; i < size; i++) {
            long keep = bits - (long)i * 8;
            addr[i] &= keep >= 8   ? 0xff
                       : keep <= 0 ? 0
                                   : (unsigned char)(0xff << (8 - keep));
        }
    }
    char back[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, addr, back, sizeof back))
        return false;
    if (net)
        snprintf(out, out_size, "%s/%ld", back, bits);
    else
        snprintf(out, out_size, "%s", back);
    return true;
}

/* Appends "      - 'VALUE'\n" (values passed classify(): no quote). */
static void item(buf *b, const char *prefix, const char *v, size_t len)
{
    buf_puts(b, "      - '");
    buf_puts(b, prefix);
    buf_append(b, v, len);
    buf_puts(b, "'\n");
}

/* Where address lists are matched: a log source, its fields that hold a
 * client's (or a connection's remote) address, and those that hold a host
 * name. Which families hold which fields, and which hold none, is listed in
 * docs/output.md ("Address IOCs"). */
typedef struct ioc_target {
    const char *logsource;
    const char *addrs[3]; /* NULL-terminated */
    const char *hosts[5]; /* NULL-terminated */
    bool mapped; /* IPv4 also as ::ffff:a.b.c.d, as Windows writes it */
} ioc_target;

static const ioc_target targets[] = {
    // IIS, and HttpProxy rows through the webserver field map
    {"{category: webserver}", {"c-ip"}, {"cs-host"}, false},
    // Rps_Http (CmdletInfra): the client; the cmdlet logs hold no address
    {"{product: exchange, service: rps}", {"ClientIpAddress"}, {NULL}, false},
    // EWS protocol logs (Logging\Ews)
    {"{product: exchange, service: ews}", {"ClientIpAddress"}, {NULL}, false},
    // Security: logons 4624/4625, explicit credentials 4648, Kerberos
    // 4768/4769/4771, shares 5140/5145 (IpAddress; Kerberos writes IPv4 as
    // ::ffff:a.b.c.d), session reconnects 4778/4779 (ClientAddress,
    // ClientName), NTLM 4776 (Workstation), 4648's TargetServerName
    {"{product: windows, service: security}",
     {"IpAddress", "ClientAddress"},
     {"WorkstationName", "Workstation", "TargetServerName", "ClientName"},
     true},
    // Sysmon: network connections (3) both ways, DNS queries (22)
    {"{product: windows, service: sysmon}",
     {"SourceIp", "DestinationIp"},
     {"SourceHostname", "DestinationHostname", "QueryName"},
     false},
    // RDP sessions: logon, reconnect (21, 22, 24, 25: the source address)
    {"{product: windows, service: terminalservices-localsessionmanager}",
     {"Address"},
     {NULL},
     false},
};

/* One Sigma document for a target: a selection per field and kind. */
static void document(buf *out, const char *stem, const char *source,
                     const ioc_target *t, const buf *ips, const buf *mapped,
                     const buf *nets, const buf *hosts, const buf *subs)
{
    bool any_addr = ips->len || nets->len, any_host = t->hosts[0] && hosts->len;
    if (!any_addr && !any_host)
        return;
    buf_printf(out,
               "title: 'Address from the IOC list %s'\n"
               "name: 'ioc_%s'\n"
               "status: experimental\n"
               "description: 'A client address or host listed in the "
               "IOC file %s.'\n"
               "logsource: %s\n"
               "detection:\n",
               stem, stem, source, t->logsource);
    for (size_t i = 0; i < 3 && t->addrs[i]; i++) {
        if (ips->len) {
            buf_printf(out, "  sel_ip%zu:\n    %s:\n", i, t->addrs[i]);
            buf_append(out, ips->data, ips->len);
            if (t->mapped && mapped->len)
                buf_append(out, mapped->data, mapped->len);
        }
        if (nets->len) {
            buf_printf(out, "  sel_net%zu:\n    %s|cidr:\n", i, t->addrs[i]);
            buf_append(out, nets->data, nets->len);
        }
    }
    for (size_t i = 0; any_host && i < 5 && t->hosts[i]; i++) {
        buf_printf(out, "  sel_host%zu:\n    %s:\n", i, t->hosts[i]);
        buf_append(out, hosts->data, hosts->len);
        buf_printf(out, "  sel_sub%zu:\n    %s|endswith:\n", i, t->hosts[i]);
        buf_append(out, subs->data, subs->len);
    }
    buf_puts(out, "  condition: 1 of sel_*\n"
                  "level: medium\n"
                  "exhunt:\n  category: suspicious\n---\n");
}

/* Adds the canonical address or network canon to set, under the list
 * *list (added first when it is SIZE_MAX: named stem). */
static exh_status set_add(addr_set *set, size_t *list, const char *stem,
                          const char *canon)
{
    addr_ioc e;
    memset(&e, 0, sizeof e);
    char text[80];
    snprintf(text, sizeof text, "%s", canon);
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    bool v6 = strchr(text, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, text, e.net) != 1)
        return EXH_OK; // canonical() checked it: cannot happen
    e.family = v6 ? 6 : 4;
    e.bits = v6 ? 128 : 32;
    if (slash) {
        unsigned long bits = strtoul(slash + 1, NULL, 10);
        e.bits = (unsigned char)(bits < e.bits ? bits : e.bits);
    }
    if (*list == SIZE_MAX) {
        char **n = exh_realloc(set->lists, (set->list_count + 1) * sizeof *n);
        if (!n)
            return EXH_ERR_NOMEM;
        set->lists = n;
        if (!(n[set->list_count] = exh_strdup(stem)))
            return EXH_ERR_NOMEM;
        *list = set->list_count++;
    }
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        addr_ioc *p = exh_realloc(set->items, cap * sizeof *p);
        if (!p)
            return EXH_ERR_NOMEM;
        set->items = p;
        set->cap = cap;
    }
    e.list = (unsigned)*list;
    set->items[set->count++] = e;
    if (v6)
        set->bits6[e.bits] = true;
    else
        set->bits4[e.bits] = true;
    return EXH_OK;
}

static int cmp_addr(const void *a, const void *b)
{
    const addr_ioc *x = a, *y = b;
    if (x->family != y->family)
        return x->family - y->family;
    if (x->bits != y->bits)
        return x->bits - y->bits;
    int c = memcmp(x->net, y->net, 16);
    if (c)
        return c;
    return (x->list > y->list) - (x->list < y->list);
}

void addr_set_finish(addr_set *s)
{
    if (s->count > 1)
        qsort(s->items, s->count, sizeof *s->items, cmp_addr);
}

/* Marks in hit the lists that hold the entry (family, bits, net). */
static void lists_of(const addr_set *s, unsigned char family,
                     unsigned char bits, const unsigned char *net, bool *hit)
{
    addr_ioc key;
    memset(&key, 0, sizeof key);
    key.family = family;
    key.bits = bits;
    memcpy(key.net, net, 16);
    // The first entry not below the key (list 0 sorts first).
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_addr(&s->items[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->count; lo++) {
        const addr_ioc *e = &s->items[lo];
        if (e->family != family || e->bits != bits || memcmp(e->net, net, 16))
            break;
        hit[e->list] = true;
    }
}

/* Looks up every prefix length the lists use for one family. */
static void lookup(const addr_set *s, unsigned char family,
                   const unsigned char *addr, bool *hit)
{
    unsigned max = family == 4 ? 32 : 128;
    const bool *has = family == 4 ? s->bits4 : s->bits6;
    for (unsigned bits = 0; bits <= max; bits++) {
        if (!has[bits])
            continue;
        unsigned char net[16] = {0};
        memcpy(net, addr, max / 8);
        for (unsigned b = bits; b < max; b++)
            net[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
        lists_of(s, family, (unsigned char)bits, net, hit);
    }
}

size_t addr_set_lists(const addr_set *s, const char *value, const char **names)
{
    if (!s->count || !value || strlen(value) >= INET6_ADDRSTRLEN)
        return 0;
    unsigned char a[16] = {0};
    bool *hit = exh_calloc(s->list_count, sizeof *hit);
    if (!hit)
        return 0; // out of memory: no mark, never a wrong one
    if (inet_pton(AF_INET, value, a) == 1) {
        lookup(s, 4, a, hit);
    } else if (inet_pton(AF_INET6, value, a) == 1) {
        lookup(s, 6, a, hit);
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                                 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0) {
            unsigned char v4[16] = {0};
            memcpy(v4, a + 12, 4);
            lookup(s, 4, v4, hit);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < s->list_count; i++) {
        bool seen = false; // two lists of one name (in two folders)
        for (size_t k = 0; k < n && hit[i] && !seen; k++)
            seen = strcmp(names[k], s->lists[i]) == 0;
        if (hit[i] && !seen)
            names[n++] = s->lists[i];
    }
    exh_free(hit);
    return n;
}

void addr_set_free(addr_set *s)
{
    for (size_t i = 0; i < s->list_count; i++)
        exh_free(s->lists[i]);
    exh_free(s->lists);
    exh_free(s->items);
    memset(s, 0, sizeof *s);
}

exh_status ioc_address_rules(const char *text, size_t len, const char *stem,
                             const char *source, buf *out, size_t *values,
                             size_t *rejected, addr_set *set)
{
    exh_status st = EXH_OK;
    size_t list = SIZE_MAX, first = set ? set->count : 0;
    buf ips, mapped, nets, hosts, subs;
    buf_init(&ips, 64u << 20);
    buf_init(&mapped, 64u << 20);
    buf_init(&nets, 64u << 20);
    buf_init(&hosts, 64u << 20);
    buf_init(&subs, 64u << 20);
    *values = *rejected = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        const char *semi = memchr(p, ';', (size_t)(stop - p));
        const char *v = p, *ve = semi ? semi : stop;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
            ve--;
        if (v < ve && *v != '#') {
            size_t n = (size_t)(ve - v);
            char canon[80];
            enum ioc_kind kind = classify(v, n);
            if ((kind == IOC_IP || kind == IOC_NET) &&
                !canonical(v, n, kind == IOC_NET, canon, sizeof canon))
                kind = IOC_NONE;
            if (set && st == EXH_OK && (kind == IOC_IP || kind == IOC_NET))
                st = set_add(set, &list, stem, canon);
            switch (kind) {
            case IOC_IP:
                item(&ips, "", canon, strlen(canon));
                if (!strchr(canon, ':'))
                    item(&mapped, "::ffff:", canon, strlen(canon));
                break;
            case IOC_NET:
                item(&nets, "", canon, strlen(canon));
                break;
            case IOC_DOMAIN:
                item(&hosts, "", v, n);
                item(&subs, ".", v, n);
                break;
            case IOC_NONE:
                (*rejected)++;
                break;
            }
            (*values)++;
        }
        p = eol ? eol + 1 : end;
    }
    if (st == EXH_OK && (ips.toobig || mapped.toobig || nets.toobig ||
                         hosts.toobig || subs.toobig))
        st = EXH_ERR_LIMIT;
    for (size_t i = 0; st == EXH_OK && i < sizeof targets / sizeof *targets;
         i++)
        document(out, stem, source, &targets[i], &ips, &mapped, &nets, &hosts,
                 &subs);
    if (st == EXH_OK && out->toobig)
        st = EXH_ERR_LIMIT;
    if (st == EXH_ERR_LIMIT && list != SIZE_MAX) {
        // A list too large is not loaded: it names no address either.
        set->count = first;
        exh_free(set->lists[--set->list_count]);
    }
    buf_free(&ips);
    buf_free(&mapped);
    buf_free(&nets);
    buf_free(&hosts);
    buf_free(&subs);
    return st;
}
