#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the SONAME of a shared library as the compiler would link it:
soname.py LIB CC [ARGS...] finds libLIB.so with CC -print-file-name and
reads its DT_SONAME with readelf (binutils). lib/lazylib.c dlopen()s the
libraries it names."""
import os
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: soname.py LIB CC [ARGS...]")
    lib, cc = sys.argv[1], sys.argv[2:]
    name = "lib%s.so" % lib
    path = subprocess.run(cc + ["-print-file-name=" + name], check=True,
                          capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(path) or not os.path.exists(path):
        sys.exit("soname.py: %s not found by %s" % (name, " ".join(cc)))
    out = subprocess.run(["readelf", "-d", path], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    if not m:
        sys.exit("soname.py: %s has no SONAME" % path)
    print(m.group(1))


if __name__ == "__main__":
    main()
