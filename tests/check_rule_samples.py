#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every rule in rules/ fires on its positive samples and not on its negatives.

For each Sigma rule file rules/**/*.yml (one with a top-level `detection:`;
each document's top-level `name:`, else the file stem) the samples live in tests/data/rules/<name>/: every entry
whose name starts with "positive" (a folder, a single log file, or events
as JSON, `*.events.json`, written to an event log first) must give
at least one finding of that rule, every entry starting with "negative" none,
and every scan must read some log records (per its summary's coverage).
A rule without both kinds of sample fails. Each sample is scanned with
`$EXHUNT scan -f jsonl --no-progress ENTRY`.

Prints one line per check and a final count; exits 1 on any failure.
Environment: EXHUNT (the binary, required), SRCDIR (the source tree; default:
the parent of this script's folder).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

NAME_RE = re.compile(r'^name:\s*[\'"]?([^\'"#\s]+)', re.MULTILINE)
DETECTION_RE = re.compile(r'^detection:', re.MULTILINE)


def rule_names(path):
    """The rule names a Sigma file defines (one per YAML document); none
    for YAML files that are not rules (data such as build tables)."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if not DETECTION_RE.search(text):
        return []
    names = NAME_RE.findall(text)
    if not names:
        names = [os.path.splitext(os.path.basename(path))[0]]
    return names


def rule_files(rules_dir):
    for dirpath, _, files in os.walk(rules_dir):
        for f in sorted(files):
            if f.endswith(('.yml', '.yaml')):
                yield os.path.join(dirpath, f)


def scan(exhunt, target):
    """Returns (rules found, error message or None). A scan that read no
    log record is an error: a negative sample must prove something."""
    try:
        proc = subprocess.run(
            [exhunt, 'scan', '-f', 'jsonl', '--no-progress', target],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    except (OSError, subprocess.TimeoutExpired) as e:
        return set(), str(e)
    # 0: nothing at or above --fail-on; 1: something is. Both are fine here.
    if proc.returncode not in (0, 1):
        return set(), 'exit status %d: %s' % (
            proc.returncode, proc.stderr.decode('utf-8', 'replace').strip())
    found = set()
    summaries = records = 0
    for n, line in enumerate(proc.stdout.decode('utf-8').splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            return found, 'line %d is not JSON: %s' % (n, e)
        if obj.get('kind') == 'finding':
            found.add(obj.get('rule'))
        elif obj.get('kind') == 'summary':
            summaries += 1
            for cov in obj.get('coverage') or []:
                records += cov.get('records') or 0
    if summaries == 0:
        return found, 'no summary line in the output'
    if records == 0:
        return found, 'no log record was read (coverage is empty)'
    return found, None


def events_to_evtx(path, tmp):
    """An event log written from a sample of events (*.events.json: the
    fields of event records, tests/make_evtx.py), so that rules for event
    logs are tested on events without files written on Windows."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_evtx
    out = os.path.join(tmp, os.path.basename(path)[:-len('.events.json')]
                       + '.evtx')
    with open(out, 'wb') as f:
        f.write(make_evtx.build(make_evtx.load(path)))
    return out


def main():
    tmp = tempfile.mkdtemp()
    try:
        return check_all(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_all(tmp):
    exhunt = os.environ.get('EXHUNT')
    srcdir = os.environ.get('SRCDIR') or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    if not exhunt:
        print('EXHUNT is not set (the path of the exhunt binary)')
        return 1
    rules_dir = os.path.join(srcdir, 'rules')
    data_dir = os.path.join(srcdir, 'tests', 'data', 'rules')
    passed = failed = 0
    for path in rule_files(rules_dir):
        rel = os.path.relpath(path, srcdir)
        for name in rule_names(path):
            sample_dir = os.path.join(data_dir, name)
            entries = sorted(os.listdir(sample_dir)) \
                if os.path.isdir(sample_dir) else []
            for kind in ('positive', 'negative'):
                samples = [e for e in entries if e.startswith(kind)]
                if not samples:
                    print('FAIL %s %s: no %s sample under %s'
                          % (kind, name, kind,
                             os.path.relpath(sample_dir, srcdir)))
                    failed += 1
                    continue
                for s in samples:
                    target = os.path.join(sample_dir, s)
                    shown = os.path.relpath(target, srcdir)
                    if s.endswith('.events.json'):
                        target = events_to_evtx(target, tmp)
                    found, err = scan(exhunt, target)
                    want = kind == 'positive'
                    if err:
                        ok, why = False, err
                    elif (name in found) != want:
                        ok = False
                        why = ('%s not found' if want else '%s found') % name
                        why += '; rules seen: %s' % (
                            ', '.join(sorted(r for r in found if r)) or
                            'none')
                    else:
                        ok, why = True, ''
                    print('%s %s %s (%s) %s%s' % (
                        'ok  ' if ok else 'FAIL', kind, name, rel, shown,
                        ': ' + why if why else ''))
                    passed += ok
                    failed += not ok
    print('%d checks: %d passed, %d failed' % (passed + failed, passed,
                                              failed))
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
