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
 * (sources/image.c).
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
