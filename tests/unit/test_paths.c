/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_paths.c - unit tests of lib/paths.c: which evidence paths lie on a
 * Windows volume, the drive letter taken from KAPE and Velociraptor drive
 * folders, and the Windows path built from them.
 */
#include "harness.h"
#include "internal.h"

#include <stdlib.h>

/* Checks paths_volume(path) gives (drive, rest) or, with drive 0, false. */
static void expect_volume(const char *path, char drive, const char *rest)
{
    char d = 0;
    size_t off = 12345;
    bool ok = paths_volume(path, &d, &off);

    if (!drive) {
        CHECK(!ok);
        if (ok)
            fprintf(stderr, "  unexpected volume for %s\n", path);
        return;
    }
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  no volume for %s\n", path);
        return;
    }
    CHECK(d == drive);
    CHECK(off <= strlen(path));
    CHECK_STR(path + off, rest);
}

static void expect_windows(const char *path, const char *want)
{
    char *w = paths_windows(path);

    if (!want) {
        CHECK(w == NULL);
    } else {
        CHECK_STR(w, want);
    }
    exh_free(w);
}

static void test_volume_roots(void)
{
    // A mounted volume: the marks sit at the start; the drive is unknown.
    expect_volume("Windows/System32/config/SYSTEM", '?',
                  "Windows/System32/config/SYSTEM");
    expect_volume("windows/SYSTEM32/inetsrv/config/applicationHost.config", '?',
                  "windows/SYSTEM32/inetsrv/config/"
                  "applicationHost.config");
    expect_volume("Program Files/Microsoft/Exchange Server/V15/Bin/x.dll", '?',
                  "Program Files/Microsoft/Exchange Server/V15/Bin/"
                  "x.dll");
    // KAPE drive folders, also one host folder down.
    expect_volume("C/Program Files/Microsoft/a.log", 'C',
                  "Program Files/Microsoft/a.log");
    expect_volume("c/windows/system32/x", 'C', "windows/system32/x");
    expect_volume("EXCH01/D/Program Files (x86)/x", 'D',
                  "Program Files (x86)/x");
    expect_volume("C/ProgramData/evil.aspx", 'C', "ProgramData/evil.aspx");
    expect_volume("C/inetpub/wwwroot/aspnet_client/s.aspx", 'C',
                  "inetpub/wwwroot/aspnet_client/s.aspx");
    // Velociraptor, decoded.
    expect_volume("uploads/auto/C:/Program Files/Microsoft/a.log", 'C',
                  "Program Files/Microsoft/a.log");
    expect_volume("uploads/ntfs/\\\\.\\C:/inetpub/wwwroot/s.aspx", 'C',
                  "inetpub/wwwroot/s.aspx");
    expect_volume("uploads/auto/e:/Windows/System32/drivers/etc/hosts", 'E',
                  "Windows/System32/drivers/etc/hosts");
    // The first root wins.
    expect_volume("Windows/System32/C/Program Files/x", '?',
                  "Windows/System32/C/Program Files/x");
}

static void test_not_volumes(void)
{
    // The extra marks count only after a drive folder.
    expect_volume("Program Files (x86)/x", 0, NULL);
    expect_volume("inetpub/wwwroot/x.aspx", 0, NULL);
    expect_volume("ProgramData/x", 0, NULL);
    // Not a drive folder, or not at a root.
    expect_volume("CC/Program Files/x", 0, NULL);
    expect_volume("C:x/Program Files/x", 0, NULL);
    expect_volume("1/Program Files/x", 0, NULL);
    expect_volume("backup/Program Files/x", 0, NULL);
    expect_volume("C/Users/Public/x.aspx", 0, NULL);
    expect_volume("logs/HttpProxy/Owa/HttpProxy_2021030204-1.LOG", 0, NULL);
    // A mark needs something after it.
    expect_volume("Windows/System32", 0, NULL);
    expect_volume("Windows/System32/", 0, NULL);
    expect_volume("C/Program Files", 0, NULL);
    expect_volume("", 0, NULL);
    CHECK(!paths_volume(NULL, NULL, NULL));
    // Out-parameters are optional.
    CHECK(paths_volume("C/Program Files/x", NULL, NULL));
}

static void test_windows_paths(void)
{
    expect_windows("C/Windows/System32/drivers/etc/hosts",
                   "C:\\Windows\\System32\\drivers\\etc\\hosts");
    expect_windows("Program Files/Microsoft/Exchange Server/V15/Bin/a.dll",
                   "?:\\Program Files\\Microsoft\\Exchange Server\\V15\\"
                   "Bin\\a.dll");
    expect_windows("uploads/ntfs/\\\\.\\d:/Program Files/x/y.log",
                   "D:\\Program Files\\x\\y.log");
    expect_windows("HOST/C/inetpub/wwwroot/a b.aspx",
                   "C:\\inetpub\\wwwroot\\a b.aspx");
    expect_windows("logs/a.log", NULL);
    expect_windows("", NULL);
}

int main(void)
{
    test_volume_roots();
    test_not_volumes();
    test_windows_paths();
    TEST_MAIN_END();
}
