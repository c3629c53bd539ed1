#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Lists test names under DIR: files ending in .SUFFIX, as paths relative to
# DIR without the suffix, sorted. Used by meson at configure time.
import os, sys

root, suffix = sys.argv[1], '.' + sys.argv[2]
names = []
for dirpath, _, files in os.walk(root):
    for f in files:
        if f.endswith(suffix):
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            names.append(rel[:-len(suffix)])
print('\n'.join(sorted(names)))
