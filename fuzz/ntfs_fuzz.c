/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ntfs_fuzz.c - feeds bytes to exhunt's own NTFS glue (sources/ntfs.c): as
 * a security descriptor, as a SID and as a $Secure:$SDS stream, and aborts
 * when a result breaks its promises (NUL-terminated within the buffer,
 * "S-1-" form, names only for what was parsed); then as the start of a
 * file whose image kind is sniffed (image.c's magic and MBR checks); then
 * as a damaged disk's MBR, backup GPT header and its entries (image.c's
 * own reading of partition tables), whose candidates must lie inside the
 * disk, each start once.
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
    // The bytes as an MBR sector, a GPT header and its entries, in a disk
    // as long as the header says (its own LBA, a backup's, plus one).
    if (size >= 1024) {
        const unsigned char *hdr = data + 512;
        uint64_t sectors = le64(hdr + 24) % (1ull << 40) + 1, lba = 0;
        size_t len = 0;
        uint64_t start[8], count[8];
        if (image_gpt_entries(hdr, sectors, &lba, &len) &&
            (lba >= sectors || len > 65536))
            abort();
        size_t n = image_guess_parts(data, hdr, data + 1024, size - 1024,
                                     sectors, start, count, 8);
        if (n > 8)
            abort();
        for (size_t i = 0; i < n; i++) {
            if (start[i] == 0 || start[i] >= sectors || count[i] == 0 ||
                count[i] > sectors - start[i])
                abort();
            for (size_t j = 0; j < i; j++)
                if (start[j] == start[i])
                    abort();
        }
    }
    // A buffer too small must fail cleanly, never overflow.
    char tiny[32];
    if (ntfs_sid_text(data, size, tiny, sizeof(tiny)))
        check_sid(tiny, sizeof(tiny));
    return 0;
}
