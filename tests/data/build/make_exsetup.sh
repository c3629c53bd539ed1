#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes a stand-in ExSetup.exe with a real PE version resource (windres +
# the MinGW-w64 compiler, Debian's gcc-mingw-w64-x86-64):
#   make_exsetup.sh OUT.exe 15,1,2176,9 15.01.2176.009 [PRODUCTNAME]
# Exit 77 when the tools are missing (tests skip).
set -e
out=$1 fixed=$2 text=$3 product=${4:-Microsoft Exchange}
command -v x86_64-w64-mingw32-windres >/dev/null 2>&1 || exit 77
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/v.rc" <<RC
1 VERSIONINFO
FILEVERSION $fixed
PRODUCTVERSION $fixed
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "Microsoft Corporation"
      VALUE "FileDescription", "exhunt test stand-in for ExSetup.exe"
      VALUE "FileVersion", "$text"
      VALUE "ProductName", "$product"
      VALUE "OriginalFilename", "ExSetup.exe"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
echo 'int main(void) { return 0; }' > "$work/m.c"
x86_64-w64-mingw32-windres "$work/v.rc" -O coff -o "$work/v.o"
x86_64-w64-mingw32-gcc -s -o "$out" "$work/m.c" "$work/v.o"
