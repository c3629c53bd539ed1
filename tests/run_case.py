#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs one golden case: tests/cases/NAME.expected.json holds the exact JSON
# lines (as a JSON array, keys sorted) that `exhunt scan -f jsonl` prints
# for the input beside it: NAME/ (a folder) or NAME.<ext> (a file). The
# scan runs from the case's folder with a relative target, so paths in the
# output are stable. Only the POSIX times of files (a checkout's) are masked:
# a log record's time proves its parser.
# UPDATE_GOLDEN=1 rewrites the expected file (review the diff!).
import glob, json, os, subprocess, sys

name = sys.argv[1]
cases = os.path.join(os.environ['SRCDIR'], 'tests', 'cases')
expected_path = os.path.join(cases, name + '.expected.json')
case_dir, stem = os.path.split(os.path.join(cases, name))
inputs = [p for p in glob.glob(glob.escape(os.path.join(case_dir, stem)) + '*')
          if os.path.basename(p) == stem or
          (os.path.basename(p).startswith(stem + '.') and
           not p.endswith('.expected.json') and not p.endswith('.args'))]
if len(inputs) != 1:
    print('case %s: expected one input beside it, found %r' % (name, inputs))
    sys.exit(1)
args = []
args_file = os.path.join(cases, name + '.args')
if os.path.exists(args_file):
    args = open(args_file).read().split()
cmd = [os.environ['EXHUNT'], 'scan', '-f', 'jsonl', '--no-progress'] + args + \
      [os.path.basename(inputs[0])]
proc = subprocess.run(cmd, cwd=case_dir, capture_output=True)
if proc.returncode not in (0, 1):
    print('case %s: exit status %d\n%s' % (name, proc.returncode, proc.stderr.decode(errors='replace')))
    sys.exit(1)
got = [json.loads(line) for line in proc.stdout.decode('utf-8').splitlines() if line.strip()]
# The POSIX times of files in a git checkout are those of the checkout, not
# of the case: masked. Log records' times, which prove the parsers, never are.
masked = False
checkout_times = set()
for o in got:
    f = o.get('file')
    if f and f.get('time_source') == 'posix':
        for k in ('created', 'modified'):
            if f.get(k):
                checkout_times.add(f[k])
                f[k] = '<checkout time>'
        if o.get('time'):
            o['time'] = '<checkout time>'
        masked = True
# Findings are ordered by time, so with checkout times their order and ids
# are the checkout's too: compare them by path and rule, ids masked.
# The ids and checkout times that correlation (related, incidents, pivot)
# repeats are masked the same way.
import re
def mask_ids(v):
    if isinstance(v, str):
        v = re.sub(r'\b[fi]-[0-9]{6,}\b', '<id>', v)
        for t in checkout_times:
            v = v.replace(t, '<checkout time>')
        return v
    if isinstance(v, list):
        return [mask_ids(x) for x in v]
    if isinstance(v, dict):
        return {k: mask_ids(x) for k, x in v.items()}
    return v
if masked:
    for o in got:
        if o.get('kind') == 'finding':
            o['id'] = '<id>'
            o['related'] = mask_ids(o['related'])
        elif o.get('kind') == 'summary':
            o['incidents'] = mask_ids(o['incidents'])
            o['pivot'] = mask_ids(o['pivot'])
    findings = sorted((o for o in got if o.get('kind') == 'finding'),
                      key=lambda o: (o['source']['path'], o['rule']))
    got = findings + [o for o in got if o.get('kind') != 'finding']
text = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + '\n'
if os.environ.get('UPDATE_GOLDEN'):
    open(expected_path, 'w', encoding='utf-8').write(text)
    print('updated', expected_path)
    sys.exit(0)
want = json.load(open(expected_path, encoding='utf-8'))
if got != want:
    import difflib
    print('case %s: output differs from %s' % (name, expected_path))
    sys.stdout.writelines(difflib.unified_diff(
        json.dumps(want, indent=1, sort_keys=True, ensure_ascii=False).splitlines(True),
        text.splitlines(True), 'expected', 'got'))
    sys.exit(1)
print('case %s: %d lines match' % (name, len(got)))
