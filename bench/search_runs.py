#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the runs exhunt's pre-filter searches for in HttpProxy logs: each
literal of the rules that read HttpProxy rows (`exhunt rules list -f jsonl`
on stdin), cut at its '*' into runs, and the run picked as
prefilter_longest_run() in lib/match/prefilter.c picks it (runs of 6 bytes
or more first, the one with the rarest byte, then the longest; then runs of
3 to 5 bytes, the longest, then the rarest). One per line, each once.
Arguments name rules to leave out."""
import json
import sys

# lib/match/prefilter.c's byte_order: most to least frequent, folded.
ORDER = (",0e1tsa2r-o4n3i.d5c7:96p=;8bfmluhgxvzy /_qw~kj[]<>()&%?\\@+|'\"!#$*^`{}")
LOGSOURCES = ("exchange/httpproxy", "*/webserver")


def rank(ch):
    i = ORDER.find(ch.lower())
    return len(ORDER) - i if i >= 0 else 0


def search_run(lit):
    best, key = "", None
    for run in lit.split("*"):
        n = len(run)
        if not n:
            continue
        tier = 2 if n >= 6 else 1 if n >= 3 else 0
        rare = min(rank(c) for c in run)
        k = (tier, -rare, n) if tier == 2 else (tier, n, -rare)
        if key is None or k > key:
            best, key = run, k
    return best


def main():
    seen = []
    for line in sys.stdin:
        rule = json.loads(line)
        if (rule.get("logsource") not in LOGSOURCES
                or rule.get("name") in sys.argv[1:]):
            continue
        for lit in rule.get("literals") or []:
            run = search_run(lit)
            if run and run not in seen:
                seen.append(run)
    sys.stdout.write("".join(r + "\n" for r in seen))


if __name__ == "__main__":
    main()
