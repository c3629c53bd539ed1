/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xmltags.c - the tags of an XML configuration file, one at a time:
 * applicationHost.config, web.config, agents.config, scheduled-task XML.
 *
 * Not a validating parser: it hands each start, end or empty-element tag
 * with its attributes (values as written, entities not decoded) and the
 * character data up to the next tag to a callback, and skips comments,
 * processing instructions, declarations and CDATA. Input is hostile: every
 * read is bounded by len, a malformed tag ends the walk, and nothing is
 * allocated. UTF-16 files (scheduled tasks) are narrowed first with
 * xml_narrow().
 */
#include "internal.h"

#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_name_char(char c)
{
    return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<' &&
           c != '"' && c != '\'';
}

/* Skips a construct that starts at p with open and ends with close;
 * returns the position after it, or len when it is not closed. */
static size_t skip_to(const char *t, size_t len, size_t p, const char *close)
{
    size_t n = strlen(close);
    const char *at = p < len ? util_memcasemem(t + p, len - p, close, n) : NULL;
    return at ? (size_t)(at - t) + n : len;
}

/* Parses the attributes of a tag from p; returns the position of its '>'
 * (or of the '/' before it), or len when the tag is malformed. */
static size_t parse_attrs(const char *t, size_t len, size_t p, xml_tag *tag)
{
    for (;;) {
        while (p < len && is_space(t[p]))
            p++;
        if (p >= len || t[p] == '>' || t[p] == '/')
            return p;
        size_t name = p;
        while (p < len && is_name_char(t[p]))
            p++;
        size_t name_len = p - name;
        while (p < len && is_space(t[p]))
            p++;
        if (name_len == 0 || p >= len || t[p] != '=')
            return len;
        p++;
        while (p < len && is_space(t[p]))
            p++;
        if (p >= len || (t[p] != '"' && t[p] != '\''))
            return len;
        char quote = t[p++];
        const char *end = memchr(t + p, quote, len - p);
        if (!end)
            return len;
        if (tag->attr_count < XML_MAX_ATTRS) {
            xml_attr *a = &tag->attrs[tag->attr_count++];
            a->name = t + name;
            a->name_len = name_len;
            a->value = t + p;
            a->value_len = (size_t)(end - (t + p));
        }
        p = (size_t)(end - t) + 1;
    }
}

size_t xml_walk(const char *t, size_t len, xml_tag_cb cb, void *user)
{
    size_t p = 0, tags = 0, depth = 0;
    while (p < len) {
        const char *lt = memchr(t + p, '<', len - p);
        if (!lt)
            break;
        p = (size_t)(lt - t);
        if (len - p >= 4 && memcmp(t + p, "<!--", 4) == 0) {
            p = skip_to(t, len, p + 4, "-->");
            continue;
        }
        if (len - p >= 9 && memcmp(t + p, "<![CDATA[", 9) == 0) {
            p = skip_to(t, len, p + 9, "]]>");
            continue;
        }
        if (len - p >= 2 && (t[p + 1] == '?' || t[p + 1] == '!')) {
            p = skip_to(t, len, p + 2, ">");
            continue;
        }
        xml_tag tag;
        memset(&tag, 0, sizeof tag);
        size_t q = p + 1;
        if (q < len && t[q] == '/') {
            tag.closing = true;
            q++;
        }
        size_t name = q;
        while (q < len && is_name_char(t[q]))
            q++;
        if (q == name)
            break;
        tag.name = t + name;
        tag.name_len = q - name;
        q = parse_attrs(t, len, q, &tag);
        if (q < len && t[q] == '/') {
            tag.self_closing = true;
            q++;
        }
        if (q >= len || t[q] != '>')
            break;
        q++;
        const char *next = memchr(t + q, '<', len - q);
        tag.text = t + q;
        tag.text_len = next ? (size_t)(next - (t + q)) : len - q;
        if (tag.closing && depth)
            depth--;
        tag.depth = depth;
        if (!tag.closing && !tag.self_closing)
            depth++;
        tags++;
        if (!cb(user, &tag))
            break;
        p = q;
    }
    return tags;
}

const char *xml_attr_get(const xml_tag *tag, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < tag->attr_count; i++) {
        const xml_attr *a = &tag->attrs[i];
        if (util_ieq(a->name, a->name_len, name, n)) {
            *len = a->value_len;
            return a->value;
        }
    }
    *len = 0;
    return NULL;
}

bool xml_name_is(const char *s, size_t len, const char *name)
{
    // A namespace prefix ("task:Command") is ignored.
    const char *colon = memchr(s, ':', len);
    if (colon) {
        len -= (size_t)(colon + 1 - s);
        s = colon + 1;
    }
    return util_ieq(s, len, name, strlen(name));
}

size_t xml_unescape(const char *s, size_t len, char *out, size_t cap)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'},
                {"&quot;", '"'},
                {"&lt;", '<'},
                {"&gt;", '>'},
                {"&apos;", '\''}};
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len && o + 1 < cap;) {
        bool done = false;
        for (size_t e = 0; s[i] == '&' && e < sizeof ents / sizeof *ents; e++) {
            size_t n = strlen(ents[e].ent);
            if (len - i >= n && memcmp(s + i, ents[e].ent, n) == 0) {
                out[o++] = ents[e].c;
                i += n;
                done = true;
                break;
            }
        }
        if (!done)
            out[o++] = s[i++];
    }
    out[o] = '\0';
    return o;
}

size_t xml_narrow(const unsigned char *in, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    if (len >= 2 && in[0] == 0xff && in[1] == 0xfe)
        i = 2;
    for (; i + 1 < len && o < cap; i += 2) {
        unsigned c = in[i] | (unsigned)in[i + 1] << 8;
        out[o++] = c < 0x80 ? (char)c : '?';
    }
    return o;
}

bool xml_is_utf16(const unsigned char *in, size_t len)
{
    if (len >= 2 && in[0] == 0xff && in[1] == 0xfe)
        return true;
    // "<?" or "<T" without a BOM: every other byte zero
    return len >= 4 && in[0] == '<' && in[1] == 0 && in[3] == 0;
}
