#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads search runs (bench/search_runs.py's output) on stdin and prints the
anchors the Hyperscan database holds for them, as hs_plan() in
lib/match/prefilter.c chooses them: a run that holds another run is left
out, and anchors that share a piece of MERGE_MIN bytes or more become that
piece, grown as far as they all hold it, most shared first (at most
MERGE_ROUNDS merges, only while there are MERGE_UPTO anchors or fewer)."""
import sys

MERGE_MIN = 16
MERGE_ROUNDS = 16
MERGE_UPTO = 64


def holders(anchors, piece):
    return [a for a in anchors if piece in a]


def merge(anchors):
    for _ in range(MERGE_ROUNDS):
        best = None
        for a in anchors:
            for i in range(len(a) - MERGE_MIN + 1):
                n = len(holders(anchors, a[i:i + MERGE_MIN]))
                if n > 1 and (best is None or n > best[0]):
                    best = (n, a, i)
        if best is None:
            break
        _, base, i = best
        lo, hi = i, i + MERGE_MIN
        group = holders(anchors, base[lo:hi])
        grew = True
        while grew:
            grew = False
            for f, t in ((lo - 1, hi), (lo, hi + 1)):
                if f < 0 or t > len(base):
                    continue
                if all(base[f:t] in a for a in group):
                    lo, hi, grew = f, t, True
                    break
        anchors = [a for a in anchors if a not in group] + [base[lo:hi]]
    return anchors


def main():
    runs = []
    for line in sys.stdin:
        run = line.rstrip("\n").lower()
        if run and run not in runs:
            runs.append(run)
    anchors = [r for r in runs
               if not any(o != r and len(o) < len(r) and o in r for o in runs)]
    if len(anchors) <= MERGE_UPTO:
        anchors = merge(anchors)
    sys.stdout.write("".join(a + "\n" for a in anchors))


if __name__ == "__main__":
    main()
