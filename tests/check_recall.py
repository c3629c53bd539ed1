#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Per-family recall of the built-in YARA rules on obfuscated variants.

tests/obfuscate.py writes seeded variants of every web shell family's
positive samples (case, whitespace, comments, concatenation, unicode
escapes, char arrays, reversal, base64, UTF-16); exhunt scans them all in
one run (--all-files). A variant is detected when a built-in rule of
category webshell reports it. Prints the recall table (markdown, as in
rules/README.md) and, per transformation, the variants missed; exits 1
when a family's recall is under its threshold (MIN_RECALL, 0.95 unless
the family is listed in THRESHOLDS with the reason), 77 without EXHUNT.

Environment: EXHUNT (the binary), SRCDIR; RECALL_PER_SEED (default 40),
RECALL_SEED (default 20210302), RECALL_KEEP (a folder to keep the
variants in).
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

MIN_RECALL = 0.95
# family -> (threshold, why it is lower); empty when every family reaches
# MIN_RECALL.
THRESHOLDS = {}


def main():
    exhunt = os.environ.get('EXHUNT')
    if not exhunt:
        print('SKIP: EXHUNT is not set')
        return 77
    srcdir = os.environ.get('SRCDIR') or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    per_seed = os.environ.get('RECALL_PER_SEED', '40')
    seed = os.environ.get('RECALL_SEED', '20210302')
    keep = os.environ.get('RECALL_KEEP')
    out = keep or tempfile.mkdtemp(prefix='exhunt-recall-')
    try:
        gen = subprocess.run(
            [sys.executable, os.path.join(srcdir, 'tests', 'obfuscate.py'),
             out, '--per-seed', per_seed, '--seed', seed],
            capture_output=True, text=True, check=True)
        families = [line.split()[0] for line in gen.stdout.splitlines()]
        proc = subprocess.run(
            [exhunt, 'scan', '-f', 'jsonl', '--no-progress', '--all-files',
             '--fail-on', 'critical', out], capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(proc.stderr)
            return 1
        hit = set()
        for line in proc.stdout.splitlines():
            o = json.loads(line)
            if o['kind'] == 'finding' and o['category'] == 'webshell' and \
                    o['rule_source'].startswith('builtin:'):
                hit.add(os.path.relpath(o['source']['path'], out))
        failed = 0
        print('| family | variants | detected | recall | threshold |')
        print('|---|---|---|---|---|')
        missed_by = collections.Counter()
        total_by = collections.Counter()
        for family in families:
            names = sorted(os.listdir(os.path.join(out, family)))
            det = 0
            for name in names:
                rel = os.path.join(family, name)
                ok = any(h == rel or h.endswith('/' + rel) for h in hit)
                det += ok
                for t in name.split('-', 2)[2].rsplit('.', 1)[0].split('+'):
                    total_by[t] += 1
                    missed_by[t] += not ok
                if not ok:
                    print('  missed: %s' % rel, file=sys.stderr)
            recall = det / len(names) if names else 0.0
            need = THRESHOLDS.get(family, (MIN_RECALL, ''))[0]
            print('| `%s` | %d | %d | %.1f%% | %d%% |' % (
                family, len(names), det, 100 * recall, round(100 * need)))
            if recall < need:
                failed += 1
        print()
        print('missed per transformation: ' + ', '.join(
            '%s %d/%d' % (t, missed_by[t], total_by[t])
            for t in sorted(total_by)))
        print('%d families, %d under threshold' % (len(families), failed))
        return 1 if failed else 0
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
