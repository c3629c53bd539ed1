/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.c - where a '/'-separated evidence path sits on a Windows volume.
 *
 * A volume's root is recognised by what follows it (DESIGN.md, Scope):
 * "Windows/System32/" or "Program Files/" at the start of the path, or
 * after a drive folder of a collection: KAPE "C/", Velociraptor's decoded
 * "C:/" (uploads/auto) and "\\.\C:/" (uploads/ntfs). After a drive folder
 * "Program Files (x86)/", "ProgramData/" and "inetpub/" also mark a root.
 * paths_image_volume() knows the "volN/" folder a disk image's volume gets
 * (sources/image.c). paths_in_oab_folder() judges a Windows path that a log
 * names, after normalising it.
 * Components compare ASCII case-insensitively, as Windows paths do.
 */
#include "internal.h"

#include <string.h>

/* What may follow the path's start to make it a volume root. */
static const char *const paths_root_marks[] = {
    "Windows/System32/",
    "Program Files/",
};

/* What may also follow a drive folder. */
static const char *const paths_drive_marks[] = {
    "Windows/System32/", "Program Files/", "Program Files (x86)/",
    "ProgramData/",      "inetpub/",
};

/* True when s starts with mark (ASCII case-insensitively) and has more
 * after it. */
static bool paths_starts(const char *s, const char *mark)
{
    size_t mlen = strlen(mark);

    return strlen(s) > mlen && util_ieq(s, mlen, mark, mlen);
}

static bool paths_any(const char *s, const char *const *marks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (paths_starts(s, marks[i]))
            return true;
    return false;
}

static bool paths_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The drive letter of a drive-folder component of len bytes ("C", "C:",
 * "\\.\C:", "\\?\C:"), uppercased; 0 when it is none. */
static char paths_drive(const char *c, size_t len)
{
    if (len == 6 && c[0] == '\\' && c[1] == '\\' &&
        (c[2] == '.' || c[2] == '?') && c[3] == '\\') {
        c += 4;
        len = 2;
    }
    if ((len == 1 || (len == 2 && c[1] == ':')) && paths_letter(c[0]))
        return (char)(c[0] & ~32);
    return 0;
}

size_t paths_image_volume(const char *p)
{
    size_t i = 3;

    if (strncmp(p, "vol", 3) != 0)
        return 0;
    while (i < 6 && p[i] >= '0' && p[i] <= '9')
        i++;
    return i > 3 && p[i] == '/' ? i + 1 : 0;
}

bool paths_volume(const char *path, char *drive, size_t *rest_offset)
{
    const char *p = path;

    if (!path)
        return false;
    if (paths_any(path, paths_root_marks,
                  sizeof(paths_root_marks) / sizeof(paths_root_marks[0]))) {
        if (drive)
            *drive = '?';
        if (rest_offset)
            *rest_offset = 0;
        return true;
    }
    while (*p) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        char d = paths_drive(p, (size_t)(slash - p));
        if (d && paths_any(slash + 1, paths_drive_marks,
                           sizeof(paths_drive_marks) /
                               sizeof(paths_drive_marks[0]))) {
            if (drive)
                *drive = d;
            if (rest_offset)
                *rest_offset = (size_t)(slash + 1 - path);
            return true;
        }
        p = slash + 1;
    }
    return false;
}

char *paths_windows(const char *path)
{
    char drive;
    size_t off, len;
    char *out;

    if (!paths_volume(path, &drive, &off))
        return NULL;
    len = strlen(path + off);
    if (__builtin_add_overflow(len, 4, &len))
        return NULL;
    out = exh_malloc(len);
    if (!out)
        return NULL;
    out[0] = drive;
    out[1] = ':';
    out[2] = '\\';
    for (size_t i = 0; path[off + i]; i++)
        out[3 + i] = path[off + i] == '/' ? '\\' : path[off + i];
    out[len - 1] = '\0';
    return out;
}

/* The longest download path judged; a longer one is never benign. */
#define PATHS_OAB_MAX 1024

/* Normalises the Windows path path[0..len) into out (PATHS_OAB_MAX bytes)
 * as "\seg\seg...": a leading "\\?\" or "\\.\" and the drive ("C:", or
 * "?:" when unknown) dropped, '/' read as '\', empty and "." segments
 * dropped, ".." taking back the segment before it (never above the root).
 * Sets *out_len. False when it does not fit, or holds a segment of only
 * dots and spaces other than "." and "..", which Windows may trim into one
 * of those. */
static bool paths_win_normal(const char *path, size_t len, char *out,
                             size_t *out_len)
{
    size_t n = 0, i = 0;

    if (len >= 4 && (path[0] == '\\' || path[0] == '/') &&
        (path[1] == '\\' || path[1] == '/') &&
        (path[2] == '?' || path[2] == '.') &&
        (path[3] == '\\' || path[3] == '/'))
        i = 4;
    if (len - i >= 2 && (paths_letter(path[i]) || path[i] == '?') &&
        path[i + 1] == ':')
        i += 2;
    while (i < len) {
        size_t start = i, dots = 0, spaces = 0;
        while (i < len && path[i] != '\\' && path[i] != '/') {
            dots += path[i] == '.';
            spaces += path[i] == ' ';
            i++;
        }
        size_t seg = i - start;
        i++; // the separator, or past the end
        if (seg == 0 || (seg == 1 && dots == 1))
            continue;
        if (seg == 2 && dots == 2) {
            while (n > 0 && out[--n] != '\\')
                ;
            continue;
        }
        if (dots + spaces == seg)
            return false;
        if (n + 1 + seg > PATHS_OAB_MAX)
            return false;
        out[n++] = '\\';
        memcpy(out + n, path + start, seg);
        n += seg;
    }
    *out_len = n;
    return true;
}

/* True when the normalised path p[0..len) has a segment equal to one of
 * names (ASCII case-insensitively). */
static bool paths_has_segment(const char *p, size_t len,
                              const char *const *names, size_t count)
{
    size_t i = 0;

    while (i < len) {
        size_t start = ++i; // past the '\'
        while (i < len && p[i] != '\\')
            i++;
        for (size_t k = 0; k < count; k++)
            if (util_ieq(p + start, i - start, names[k], strlen(names[k])))
                return true;
    }
    return false;
}

/* True when the normalised folder r[0..len) looks like an Exchange
 * install root: its last segment is V15 or V14, or a segment is
 * "Exchange Server" or "Exchange". */
static bool paths_install_like(const char *r, size_t len)
{
    static const char *const names[] = {"Exchange Server", "Exchange"};

    if (len >= 4 && (util_ieq(r + len - 4, 4, "\\V15", 4) ||
                     util_ieq(r + len - 4, 4, "\\V14", 4)))
        return true;
    return paths_has_segment(r, len, names, 2);
}

bool paths_in_oab_folder(const char *path, size_t len, const char *install_root)
{
    static const char tail[] = "\\ClientAccess\\OAB";
    static const char *const web[] = {"inetpub", "wwwroot", "aspnet_client"};
    const size_t tlen = sizeof(tail) - 1;
    char p[PATHS_OAB_MAX], root[PATHS_OAB_MAX];
    size_t plen, rlen;

    if (!paths_win_normal(path, len, p, &plen))
        return false;
    if (install_root) {
        if (!paths_win_normal(install_root, strlen(install_root), root,
                              &rlen) ||
            rlen + tlen > PATHS_OAB_MAX)
            return false;
        memcpy(root + rlen, tail, tlen);
        rlen += tlen;
        return plen >= rlen && util_ieq(p, rlen, root, rlen) &&
               (plen == rlen || p[rlen] == '\\');
    }
    // No install root: the folder's parent must look like one, and no
    // segment may be a web root's.
    if (paths_has_segment(p, plen, web, 3))
        return false;
    for (const char *t = p;
         (t = util_memcasemem(t, plen - (size_t)(t - p), tail, tlen)) != NULL;
         t++) {
        size_t at = (size_t)(t - p);
        if ((at + tlen == plen || p[at + tlen] == '\\') &&
            paths_install_like(p, at))
            return true;
    }
    return false;
}
