/* SPDX-License-Identifier: Apache-2.0 */
/* classify.h - which reader an entry goes to (see classify.c). */
#ifndef EXH_CLASSIFY_H
#define EXH_CLASSIFY_H

#include "internal.h"

/* True when an entry at path may be a log worth sniffing (by name or
 * folder); other files of a volume are not opened to look for logs. */
bool classify_candidate(const char *path);
/* The length of a compression suffix (".gz", ".bz2", ".xz") that ends the
 * file name of path after other text, else 0. */
size_t classify_compressed_suffix(const char *path);
/* The log family of an entry from its path and its first len bytes;
 * FAM_NONE when it is not a log exhunt reads. */
log_family classify_entry(const char *path, const char *head, size_t len);

#endif
