#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compares exhunt's JSON lines with a gen_httpproxy.py manifest.

Each rule of the manifest must have exactly the expected number of findings
and, summed over their `count`, exactly the expected number of rows
(attempts are aggregated per client and hour, exploitation rows never are);
no other rule may fire; the critical findings must match; and the `rg -c`
total (the sum of RG_COUNTS' per-file counts), when given, must equal the
injected "ServerInfo~" rows. The findings of the installed build's open CVEs
are expected from rules/builds.csv and rules/build_cves.csv as they are now,
not as they were when the manifest was made.

usage: check_manifest.py MANIFEST.json EXHUNT.jsonl [RG_COUNTS]
Prints one line per check; exits 1 on any mismatch.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_httpproxy  # noqa: E402


def main():
    manifest = json.load(open(sys.argv[1]))
    exp = manifest['expected']
    exp['critical_findings'] = gen_httpproxy.build_expectation(exp['rules'])
    found = {}
    critical = 0
    summaries = 0
    for line in open(sys.argv[2], encoding='utf-8'):
        obj = json.loads(line)
        if obj.get('kind') == 'summary':
            summaries += 1
            continue
        if obj.get('kind') != 'finding':
            continue
        f = found.setdefault(obj['rule'], {'findings': 0, 'rows': 0})
        f['findings'] += 1
        f['rows'] += obj.get('count', 1)
        critical += obj.get('severity') == 'critical'
    bad = 0

    def check(what, got, want):
        nonlocal bad
        ok = got == want
        bad += not ok
        print('%s %-45s got %-8s want %s' % ('ok  ' if ok else 'FAIL', what,
                                             got, want))

    check('summary lines', summaries, 1)
    for rule, want in sorted(exp['rules'].items()):
        got = found.get(rule, {'findings': 0, 'rows': 0})
        check(rule + ' findings', got['findings'], want['findings'])
        check(rule + ' rows', got['rows'], want['rows'])
    for rule in sorted(set(found) - set(exp['rules'])):
        check(rule + ' (unexpected) findings', found[rule]['findings'], 0)
    check('critical findings', critical, exp['critical_findings'])
    if len(sys.argv) > 3:
        total = 0
        for line in open(sys.argv[3], encoding='utf-8', errors='replace'):
            total += int(line.rsplit(':', 1)[1])
        check("rg -c 'ServerInfo~' lines", total, exp['rg_serverinfo_lines'])
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
