/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_paths.c - unit tests of lib/paths.c: which evidence paths lie on a
 * Windows volume, the drive letter taken from KAPE and Velociraptor drive
 * folders, the Windows path built from them, and whether an OAB download
 * path lies in the install's ClientAccess\OAB folder.
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

/* Checks paths_in_oab_folder(path, root) is want. */
static void expect_oab(const char *path, const char *root, bool want)
{
    bool got = paths_in_oab_folder(path, strlen(path), root);

    CHECK(got == want);
    if (got != want)
        fprintf(stderr, "  %s (root %s): %s\n", path, root ? root : "unknown",
                got ? "in the OAB folder" : "outside it");
}

#define V15     "C:\\Program Files\\Microsoft\\Exchange Server\\V15"
#define V15_OAB V15 "\\ClientAccess\\OAB"
#define TRAVERSAL                                                              \
    V15_OAB "\\..\\..\\..\\..\\..\\inetpub\\wwwroot\\aspnet_client\\s.aspx"

static void test_oab_known_root(void)
{
    const char *root = "?:\\Program Files\\Microsoft\\Exchange Server\\V15";

    expect_oab(V15_OAB "\\Temp\\7c2e91d4\\data-1.lzx", root, true);
    expect_oab("c:\\program files\\microsoft\\exchange server\\v15\\"
               "clientaccess\\oab\\temp\\browse.oab",
               root, true);
    expect_oab("C:/Program Files/Microsoft/Exchange Server/V15/ClientAccess/"
               "OAB/Temp/a.tmp",
               root, true);
    expect_oab(V15_OAB "\\.\\Temp\\\\x\\..\\a.tmp", root, true);
    expect_oab(V15_OAB, root, true);
    // ".." out of the folder, however many; a sibling folder's name.
    expect_oab(TRAVERSAL, root, false);
    expect_oab(V15_OAB "\\..\\..\\FrontEnd\\HttpProxy\\owa\\auth\\s.aspx", root,
               false);
    expect_oab(V15_OAB "\\..\\OAB2\\s.aspx", root, false);
    expect_oab(V15_OAB "x\\s.aspx", root, false);
    expect_oab("C:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx", root,
               false);
    expect_oab("C:\\inetpub\\wwwroot\\aspnet_client\\ClientAccess\\OAB\\s.aspx",
               root, false);
    // Segments Windows may trim into "..": never benign.
    expect_oab(V15_OAB "\\...\\s.aspx", root, false);
    expect_oab(V15_OAB "\\.. \\s.aspx", root, false);
}

static void test_oab_unknown_root(void)
{
    expect_oab(V15_OAB "\\Temp\\7c2e91d4\\data-1.lzx", NULL, true);
    expect_oab("C:/Program Files/Microsoft/Exchange Server/V15/ClientAccess/"
               "OAB/Temp/a.tmp",
               NULL, true);
    expect_oab("D:\\Exchange\\ClientAccess\\OAB\\Temp\\a.tmp", NULL, true);
    expect_oab("E:\\Apps\\V14\\ClientAccess\\OAB\\x.lzx", NULL, true);
    expect_oab(TRAVERSAL, NULL, false);
    expect_oab("C:\\inetpub\\wwwroot\\aspnet_client\\ClientAccess\\OAB\\s.aspx",
               NULL, false);
    expect_oab("C:\\inetpub\\Exchange\\V15\\ClientAccess\\OAB\\s.aspx", NULL,
               false);
    expect_oab("C:\\Users\\Public\\ClientAccess\\OAB\\s.aspx", NULL, false);
    expect_oab("C:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx", NULL,
               false);
    expect_oab(V15 "\\ClientAccess\\OABx\\s.aspx", NULL, false);
    expect_oab("", NULL, false);
}

static void test_oab_too_long(void)
{
    char path[1200];

    snprintf(path, sizeof(path), "%s\\Temp\\", V15_OAB);
    size_t n = strlen(path);
    memset(path + n, 'a', sizeof(path) - n - 1);
    path[sizeof(path) - 1] = '\0';
    expect_oab(path, NULL, false);
    path[900] = '\0';
    expect_oab(path, NULL, true);
}

int main(void)
{
    test_volume_roots();
    test_not_volumes();
    test_windows_paths();
    test_oab_known_root();
    test_oab_unknown_root();
    test_oab_too_long();
    TEST_MAIN_END();
}
