/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nameioc.c - file-name IOC lists in signature-base's format: one
 * "REGEX;SCORE[;FALSE_POSITIVE_REGEX]" per line, '#' lines naming the
 * entries below them. A regex is searched (not anchored, case as written:
 * the lists say "(?i)" where they mean it) in the file's Windows path, as
 * LOKI does on Windows; a path the false-positive regex matches is spared.
 *
 * A regex is tried only on paths that hold its required literal: the
 * longest run of plain characters outside any group, class or optional
 * atom, compared case-insensitively (so a superset of the matches), found
 * with memmem in the lower-cased path. Entries without such a literal of
 * three bytes or more are always tried.
 *
 * Python's re and PCRE2 agree on the syntax these lists use; an entry PCRE2
 * will not compile is counted, never guessed at. Entries holding an
 * environment variable (%APPDATA%...) are counted and skipped: offline
 * there is no environment to expand them from, and widening them to "any
 * folder" would flag innocent files.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "../internal.h"
#include "../ruleset.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

static pcre2_code *compile(const char *s, size_t len)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)s, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                      &err, &off, NULL);
    if (re)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); // faster when it works
    return re;
}

/* Severity from LOKI's score (0-100). */
static exh_severity severity_of(long score)
{
    return score >= 80   ? EXH_SEV_HIGH
           : score >= 60 ? EXH_SEV_MEDIUM
                         : EXH_SEV_LOW;
}

static bool has_env_var(const char *s, size_t len)
{
    const char *p = memchr(s, '%', len);
    if (!p)
        return false;
    const char *q = p + 1;
    while (q < s + len && (((*q | 32) >= 'a' && (*q | 32) <= 'z') || *q == '_'))
        q++;
    return q > p + 1 && q < s + len && *q == '%';
}

/* The required literal of a regex, lower-cased, or "" when none is sure
 * (see above). out holds at least len + 1 bytes. Anything unusual gives
 * no literal: the regex is then always tried, which is slower, never
 * wrong. */
void nameioc_literal(const char *re, size_t len, char *out)
{
    char run[512];
    size_t rl = 0, best = 0;
    bool last_lit = false;
    int depth = 0;
    out[0] = '\0';
#define END_RUN()                                                              \
    do {                                                                       \
        if (rl > best) {                                                       \
            memcpy(out, run, rl);                                              \
            out[rl] = '\0';                                                    \
            best = rl;                                                         \
        }                                                                      \
        rl = 0;                                                                \
    } while (0)
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)re[i];
        int lit = -1; // the literal byte this token stands for, if any
        if (c == '(' && i + 1 < len && re[i + 1] == '*') {
            out[0] = '\0';
            return; // (*ACCEPT) and other verbs: no guess
        }
        if (c == '(' && i + 1 < len && re[i + 1] == '?') {
            // Option settings other than i, m, s, n: extended mode (x),
            // unsetting (-, ^), J, U: no guess.
            for (size_t k = i + 2; k < len && re[k] != ')' && re[k] != ':';
                 k++) {
                if (!((re[k] | 32) >= 'a' && (re[k] | 32) <= 'z') &&
                    re[k] != '-' && re[k] != '^')
                    break; // not an option setting
                if (!strchr("imsn", re[k])) {
                    out[0] = '\0';
                    return;
                }
            }
        }
        if (c == '\\') {
            if (i + 1 >= len) {
                out[0] = '\0';
                return;
            }
            unsigned char e = (unsigned char)re[++i];
            bool alnum =
                ((e | 32) >= 'a' && (e | 32) <= 'z') || (e >= '0' && e <= '9');
            if (alnum && !strchr("dDwWsSbBAZz", e)) {
                out[0] = '\0';
                return; // \x41, \p{..}, \Q..\E, back references: no guess
            }
            if (!alnum && e < 0x80)
                lit = e;
        } else if (c == '[') {
            // A class: skipped ("[]...]" and "[^]...]" hold a literal ']';
            // POSIX classes inside give up).
            size_t j = i + 1;
            if (j < len && re[j] == '^')
                j++;
            if (j < len && re[j] == ']')
                j++;
            while (j < len && re[j] != ']') {
                if (re[j] == '[' && j + 1 < len &&
                    (re[j + 1] == ':' || re[j + 1] == '.' ||
                     re[j + 1] == '=')) {
                    out[0] = '\0';
                    return; // POSIX classes, valid or not: no guess
                }
                j += re[j] == '\\' ? 2 : 1;
            }
            i = j;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth = depth ? depth - 1 : 0;
        } else if (c == '|') {
            if (depth == 0) {
                out[0] = '\0';
                return; // alternatives at the top: no literal is required
            }
        } else if (c == '?' || c == '*' || c == '{') {
            if (depth == 0 && last_lit && rl)
                rl--; // the atom before is optional
            if (depth == 0)
                END_RUN();
            if (c == '{') { // a quantifier's bounds are skipped
                size_t j = i + 1;
                while (j < len && ((re[j] >= '0' && re[j] <= '9') ||
                                   re[j] == ',' || re[j] == ' '))
                    j++;
                if (j < len && re[j] == '}')
                    i = j; // else a literal '{': the rest is read on
            }
            last_lit = false;
            continue;
        } else if (c == '+') {
            if (depth == 0)
                END_RUN();
            last_lit = false;
            continue;
        } else if (c < 0x80 && c != '.' && c != '^' && c != '$') {
            lit = c;
        }
        if (depth == 0 && lit >= 0 && rl < sizeof run - 1) {
            run[rl++] = (char)((lit >= 'A' && lit <= 'Z') ? lit + 32 : lit);
            last_lit = true;
        } else {
            if (depth == 0 || c == '(')
                END_RUN();
            last_lit = false;
        }
    }
    END_RUN();
#undef END_RUN
    if (best < 3)
        out[0] = '\0';
}

void nameioc_free(name_ioc *n)
{
    pcre2_code_free(n->re);
    pcre2_code_free(n->fp);
    exh_free(n->regex);
    exh_free(n->literal);
    exh_free(n->comment);
    exh_free(n->rule);
    exh_free(n->title);
    exh_free(n->source);
}

exh_status nameioc_add(exh_ruleset *rs, const char *text, size_t len,
                       const char *stem, const char *source, buf *m)
{
    size_t env = 0, bad = 0;
    const char *p = text, *end = text + len;
    const char *comment = "";
    size_t comment_len = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        const char *next = eol ? eol + 1 : end;
        while (stop > p &&
               (stop[-1] == '\r' || stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        const char *v = p;
        while (v < stop && (*v == ' ' || *v == '\t'))
            v++;
        if (v == stop) {
            p = next;
            continue;
        }
        if (*v == '#') {
            comment = v + 1;
            while (comment < stop && *comment == ' ')
                comment++;
            comment_len = (size_t)(stop - comment);
            p = next;
            continue;
        }
        // REGEX;SCORE;FP: split at the first two ';' (the lists escape none
        // in their regexes; LOKI splits the same way).
        const char *s1 = memchr(v, ';', (size_t)(stop - v));
        const char *re_end = s1 ? s1 : stop;
        const char *s2 =
            s1 ? memchr(s1 + 1, ';', (size_t)(stop - s1 - 1)) : NULL;
        long score = 75;
        if (s1) {
            char num[16] = "";
            size_t nl = (size_t)((s2 ? s2 : stop) - (s1 + 1));
            if (nl && nl < sizeof num) {
                memcpy(num, s1 + 1, nl);
                char *e;
                long sc = strtol(num, &e, 10);
                if (*e == '\0' && sc >= 0 && sc <= 1000)
                    score = sc;
            }
        }
        if (has_env_var(v, (size_t)(re_end - v))) {
            env++;
            p = next;
            continue;
        }
        pcre2_code *re = compile(v, (size_t)(re_end - v));
        pcre2_code *fp = NULL;
        if (re && s2 && stop > s2 + 1) {
            fp = compile(s2 + 1, (size_t)(stop - s2 - 1));
            if (!fp) {
                pcre2_code_free(re);
                re = NULL;
            }
        }
        if (!re) {
            bad++;
            p = next;
            continue;
        }
        name_ioc *a = exh_realloc(rs->names, (rs->name_count + 1) * sizeof *a);
        if (!a) {
            pcre2_code_free(re);
            pcre2_code_free(fp);
            return EXH_ERR_NOMEM;
        }
        rs->names = a;
        name_ioc *n = &a[rs->name_count];
        memset(n, 0, sizeof *n);
        n->re = re;
        n->fp = fp;
        n->severity = severity_of(score);
        n->score = (int)score;
        n->regex = exh_strndup(v, (size_t)(re_end - v));
        n->literal = exh_malloc((size_t)(re_end - v) + 1);
        if (n->literal)
            nameioc_literal(v, (size_t)(re_end - v), n->literal);
        n->comment = exh_strndup(comment, comment_len);
        n->source = exh_strdup(source);
        buf r, t;
        buf_init(&r, 4096);
        buf_init(&t, 4096);
        buf_printf(&r, "ioc_%s", stem);
        buf_printf(&t, "File name listed in the IOC list %s", stem);
        n->rule = r.data;
        n->title = t.data;
        rs->name_count++;
        if (!n->regex || !n->literal || !n->comment || !n->source || !n->rule ||
            !n->title)
            return EXH_ERR_NOMEM;
        p = next;
    }
    if (env || bad)
        buf_printf(m,
                   "%s: %zu entr%s with environment variables skipped (not "
                   "expandable offline), %zu that PCRE2 does not compile "
                   "skipped",
                   source, env, env == 1 ? "y" : "ies", bad);
    return EXH_OK;
}

bool nameioc_regex_matches(const name_ioc *n, const char *path, void *md)
{
    size_t len = strlen(path);
    if (pcre2_match(n->re, (PCRE2_SPTR)path, len, 0, 0, md, NULL) < 0)
        return false;
    return !n->fp ||
           pcre2_match(n->fp, (PCRE2_SPTR)path, len, 0, 0, md, NULL) < 0;
}

bool nameioc_matches(const name_ioc *n, const char *path, const char *lower,
                     void *md)
{
    if (lower && n->literal[0] && !strstr(lower, n->literal))
        return false;
    return nameioc_regex_matches(n, path, md);
}

void *nameioc_match_data(void)
{
    return pcre2_match_data_create(1, NULL);
}

void nameioc_match_data_free(void *md)
{
    pcre2_match_data_free(md);
}
