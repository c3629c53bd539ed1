/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ntfs.c - golden cases of lib/sources/ntfs.c: SIDs as text, the
 * owner of self-relative security descriptors (ntfs-3g's default one,
 * read from a real mkntfs volume), $Secure:$SDS streams (entries found
 * only at their own offset: mirrors and damage skipped), well-known
 * names, and the "volN/" folder of image volumes (paths.c).
 */
#include "harness.h"
#include "internal.h"

#include <stdlib.h>

/* ntfs-3g's default descriptor (system.ntfs_acl of a new file): owner and
 * group Administrators, a DACL granting Everyone full control. */
static const unsigned char ntfs3g_sd[] = {
    0x01, 0x00, 0x04, 0x80, 0x14, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
    0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x00,
    0x20, 0x02, 0x00, 0x00, 0x02, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x03, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};

static const unsigned char system_sid[] = {0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
                                           0x00, 0x05, 0x12, 0x00, 0x00, 0x00};

static void test_sid_text(void)
{
    char out[192];

    CHECK(ntfs_sid_text(system_sid, sizeof(system_sid), out, sizeof(out)));
    CHECK_STR(out, "S-1-5-18");
    CHECK(!ntfs_sid_text(system_sid, sizeof(system_sid) - 1, out,
                         sizeof(out))); // a sub-authority cut short
    unsigned char bad_rev[sizeof(system_sid)];
    memcpy(bad_rev, system_sid, sizeof(bad_rev));
    bad_rev[0] = 2;
    CHECK(!ntfs_sid_text(bad_rev, sizeof(bad_rev), out, sizeof(out)));
    char small[16];
    CHECK(!ntfs_sid_text(system_sid, sizeof(system_sid), small,
                         sizeof(small))); // below the 32-byte minimum
}

static void test_sd_owner(void)
{
    char out[192];

    CHECK(ntfs_sd_owner(ntfs3g_sd, sizeof(ntfs3g_sd), out, sizeof(out)));
    CHECK_STR(out, "S-1-5-32-544");
    CHECK_STR(ntfs_sid_name(out), "Administrators");
    CHECK(!ntfs_sd_owner(ntfs3g_sd, 19, out, sizeof(out)));
    unsigned char past[sizeof(ntfs3g_sd)];
    memcpy(past, ntfs3g_sd, sizeof(past));
    past[4] = 0xf0; // owner offset past the end
    CHECK(!ntfs_sd_owner(past, sizeof(past), out, sizeof(out)));
    past[4] = 0x08; // owner offset inside the header
    CHECK(!ntfs_sd_owner(past, sizeof(past), out, sizeof(out)));
    CHECK_STR(ntfs_sid_name("S-1-5-18"), "SYSTEM");
    CHECK(ntfs_sid_name("S-1-5-21-1-2-3-500") == NULL);
}

/* Appends one $SDS entry (hash, id, own offset, length, descriptor). */
static size_t sds_put(unsigned char *out, size_t pos, uint32_t id,
                      uint64_t self, const unsigned char *sd, size_t len)
{
    uint32_t elen = (uint32_t)(20 + len);
    memset(out + pos, 0, 20);
    out[pos + 4] = (unsigned char)id;
    out[pos + 5] = (unsigned char)(id >> 8);
    for (int i = 0; i < 8; i++)
        out[pos + 8 + i] = (unsigned char)(self >> (8 * i));
    for (int i = 0; i < 4; i++)
        out[pos + 16 + i] = (unsigned char)(elen >> (8 * i));
    memcpy(out + pos + 20, sd, len);
    return pos + ((elen + 15) & ~15u);
}

static void test_sds(void)
{
    unsigned char *data = calloc(1, 4096);
    unsigned char sys_sd[sizeof(ntfs3g_sd)];
    char out[192];
    size_t pos = 0;

    CHECK(data != NULL);
    if (!data)
        return;
    memcpy(sys_sd, ntfs3g_sd, sizeof(sys_sd));
    memcpy(sys_sd + 20, system_sid, 8); // owner S-1-5-32-544 -> S-1-5-18...
    sys_sd[20 + 1] = 1;                 // ... with one sub-authority
    sys_sd[28] = 0x12;
    pos = sds_put(data, pos, 0x100, pos, ntfs3g_sd, sizeof(ntfs3g_sd));
    pos = sds_put(data, pos, 0x102, pos, sys_sd, sizeof(sys_sd));
    // A mirror copy: its own-offset field names the first copy.
    pos = sds_put(data, pos + 32, 0x103, 0, sys_sd, sizeof(sys_sd));
    unsigned char *owned = exh_malloc(pos);
    CHECK(owned != NULL);
    if (!owned) {
        free(data);
        return;
    }
    memcpy(owned, data, pos);
    ntfs_sds *s = ntfs_sds_parse(owned, pos);
    CHECK(ntfs_sds_count(s) == 2);
    CHECK(ntfs_sds_owner(s, 0x100, out, sizeof(out)));
    CHECK_STR(out, "S-1-5-32-544");
    CHECK(ntfs_sds_owner(s, 0x102, out, sizeof(out)));
    CHECK_STR(out, "S-1-5-18");
    CHECK(!ntfs_sds_owner(s, 0x103, out, sizeof(out)));
    CHECK(!ntfs_sds_owner(s, 0x101, out, sizeof(out)));
    ntfs_sds_free(s);
    s = ntfs_sds_parse(NULL, 0);
    CHECK(s && ntfs_sds_count(s) == 0);
    ntfs_sds_free(s);
    free(data);
}

static void test_image_volume(void)
{
    CHECK(paths_image_volume("vol1/Windows/x") == 5);
    CHECK(paths_image_volume("vol12/x") == 6);
    CHECK(paths_image_volume("vol/x") == 0);
    CHECK(paths_image_volume("vol1234/x") == 0);
    CHECK(paths_image_volume("volume1/x") == 0);
    CHECK(paths_image_volume("vol1") == 0);
}

int main(void)
{
    test_sid_text();
    test_sd_owner();
    test_sds();
    test_image_volume();
    TEST_MAIN_END();
}
