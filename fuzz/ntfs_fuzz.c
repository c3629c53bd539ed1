/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ntfs_fuzz.c - feeds bytes to exhunt's own NTFS glue (sources/ntfs.c): as
 * a security descriptor, as a SID and as a $Secure:$SDS stream, and aborts
 * when a result breaks its promises (NUL-terminated within the buffer,
 * "S-1-" form, names only for what was parsed); then as the start of a
 * file whose image kind is sniffed (image.c's magic and MBR checks).
 */
#include "internal.h"
#include "sources/sources.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void check_sid(const char *text, size_t cap)
{
    size_t len = strnlen(text, cap);
    if (len == cap || strncmp(text, "S-1-", 4) != 0)
        abort();
    for (size_t i = 4; i < len; i++)
        if (!(text[i] == '-' || (text[i] >= '0' && text[i] <= '9')))
            abort();
    (void)ntfs_sid_name(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[192];

    if (ntfs_sd_owner(data, size, out, sizeof(out)))
        check_sid(out, sizeof(out));
    if (ntfs_sid_text(data, size, out, sizeof(out)))
        check_sid(out, sizeof(out));
    // The same bytes as a $Secure:$SDS stream, looked up by a few ids.
    unsigned char *owned = exh_malloc(size ? size : 1);
    if (owned && size)
        memcpy(owned, data, size);
    ntfs_sds *sds = owned ? ntfs_sds_parse(owned, size) : NULL;
    for (uint32_t id = 256; sds && id < 264; id++)
        if (ntfs_sds_owner(sds, id, out, sizeof(out)))
            check_sid(out, sizeof(out));
    if (size >= 8 && sds)
        (void)ntfs_sds_owner(sds, (uint32_t)data[4] | (uint32_t)data[5] << 8,
                             out, sizeof(out));
    ntfs_sds_free(sds);
    // The bytes as a file (in memory): its kind by its first bytes.
    int fd = memfd_create("ntfs_fuzz", MFD_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size &&
            (unsigned)image_kind(fd, size) > (unsigned)IMAGE_QCOW)
            abort();
        close(fd);
    }
    // A buffer too small must fail cleanly, never overflow.
    char tiny[32];
    if (ntfs_sid_text(data, size, tiny, sizeof(tiny)))
        check_sid(tiny, sizeof(tiny));
    return 0;
}
