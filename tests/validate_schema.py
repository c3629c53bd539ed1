#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validates the JSON lines output against docs/output-schema.json: runs
# $EXHUNT scan -f jsonl on the fixtures of tests/data/schema/ and
# tests/data/cli/ (a file, a folder, stdin, a missing target) and
# `rules list -f jsonl`, and checks that every line is valid UTF-8 and JSON,
# of a kind that command writes, valid under the schema, and that each
# unit's summary follows its findings, and that a pivot address an --ioc
# list holds carries the list ("ioc"). Also proves the schema is strict
# (an unknown field or kind is rejected, and a malformed "ioc"). Exit 77
# (skip) without jsonschema.
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    # The default python3 may lack it while Debian's has it.
    if sys.executable != '/usr/bin/python3' and os.path.exists('/usr/bin/python3'):
        probe = subprocess.run(['/usr/bin/python3', '-c', 'import jsonschema'],
                               capture_output=True)
        if probe.returncode == 0:
            os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    print('validate_schema.py: skipped: the jsonschema module is missing')
    sys.exit(77)

SRC = os.environ.get('SRCDIR') or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), '..')
EXHUNT = os.environ.get('EXHUNT')
failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def check_lines(label, raw, kinds, validator):
    """Every line: UTF-8, JSON, a known kind, valid; returns the objects."""
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        fail(f'{label}: output is not valid UTF-8: {e}')
        return []
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f'{label}:{n}: not JSON ({e}): {line[:200]}')
            continue
        if not isinstance(obj, dict) or obj.get('kind') not in kinds:
            fail(f'{label}:{n}: unknown kind {obj.get("kind") if isinstance(obj, dict) else obj!r}')
            continue
        for err in validator.iter_errors(obj):
            fail(f'{label}:{n}: {err.message} at {list(err.absolute_path)}')
        rows.append(obj)
    return rows


def check_order(label, rows):
    """Findings of a unit come before its summary; ids unique per target."""
    pending, ids = [], set()
    for r in rows:
        if r['kind'] == 'finding':
            pending.append((r['target'], r['unit']))
            key = (r['target'], r['id'])
            if key in ids:
                fail(f'{label}: duplicate finding id {r["id"]}')
            ids.add(key)
        elif r['kind'] == 'summary':
            if any(p != (r['target'], r['unit']) for p in pending):
                fail(f'{label}: findings of another unit before summary of {r["unit"]}')
            pending = []
    if pending:
        fail(f'{label}: findings without a summary')
    if not any(r['kind'] == 'summary' for r in rows):
        fail(f'{label}: no summary line')


def run(label, args, stdin=None):
    proc = subprocess.run([EXHUNT] + args, input=stdin, capture_output=True,
                          timeout=100)
    if proc.returncode not in (0, 1, 3):
        fail(f'{label}: exit status {proc.returncode}: '
             f'{proc.stderr.decode(errors="replace")}')
    return proc.stdout


def self_test(validator):
    """The schema must reject what it should, or it proves nothing."""
    good = {'schema': 1, 'kind': 'rule', 'name': 'x', 'id': None,
            'title': 't', 'severity': 'low', 'category': 'attempt',
            'logsource': None, 'cve': [], 'attack': [], 'author': None,
            'source': 'builtin:x.yml', 'has_reader': True}
    if not validator.is_valid(good):
        fail('self-test: a valid rule object is rejected')
    for bad in (dict(good, extra=1), dict(good, kind='other'),
                dict(good, severity='severe')):
        if validator.is_valid(bad):
            fail(f'self-test: schema accepts {bad}')


def main():
    if not EXHUNT:
        print('validate_schema.py: EXHUNT is not set', file=sys.stderr)
        return 2
    with open(os.path.join(SRC, 'docs', 'output-schema.json')) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    self_test(validator)

    scan_kinds = {'finding', 'summary'}
    schema_log = os.path.join(SRC, 'tests', 'data', 'schema',
                              'HttpProxy_2021030204-1.LOG')
    cli_dir = os.path.join(SRC, 'tests', 'data', 'cli')
    runs = [
        ('schema fixture', [schema_log], None),
        ('cli folder', [cli_dir], None),
        ('two targets', [schema_log, os.path.join(cli_dir, 'hostile.LOG')],
         None),
        ('stdin', ['-'], open(schema_log, 'rb').read()),
        ('missing target', ['no-such-target'], None),
        ('owa build folder', [os.path.join(SRC, 'tests', 'data', 'build',
                                           'owa_volume')], None),
    ]
    total = 0
    for label, targets, stdin in runs:
        raw = run(label, ['scan', '-f', 'jsonl', '--no-progress'] + targets,
                  stdin)
        rows = check_lines(label, raw, scan_kinds, validator)
        check_order(label, rows)
        total += len(rows)
        print(f'{label}: {len(rows)} lines')
    findings = [r for r in check_lines('schema fixture', run('again', [
        'scan', '-f', 'jsonl', '--no-progress', schema_log]), scan_kinds,
        validator) if r['kind'] == 'finding']
    if not any(r['severity'] == 'critical' for r in findings):
        fail('schema fixture: no critical ProxyLogon finding')
    owa = check_lines('owa build folder', run('owa', [
        'scan', '-f', 'jsonl', '--no-progress',
        os.path.join(SRC, 'tests', 'data', 'build', 'owa_volume')]),
        scan_kinds, validator)
    if not any(r['kind'] == 'summary' and r['build'] for r in owa):
        fail('owa build folder: no build in the summary')
    if not any(r['kind'] == 'finding' and r['category'] == 'vulnerable'
               for r in owa):
        fail('owa build folder: no vulnerable finding')
    # build.timeline: ECP rows and an HttpProxy header (tests/cases/build).
    agree = check_lines('build timeline', run('timeline', [
        'scan', '-f', 'jsonl', '--no-progress',
        os.path.join(SRC, 'tests', 'cases', 'build', 'ecp_httpproxy_agree')]),
        scan_kinds, validator)
    total += len(agree)
    steps = [r['build']['timeline'] for r in agree
             if r['kind'] == 'summary' and r['build']]
    if not steps or [t['version'] for t in steps[0]] != [
            '15.1.2176.2', '15.1.2176.9'] or \
            steps[0][1]['sources'] != ['log-header', 'ecp-row']:
        fail(f'build timeline: {steps}')
    # exhunt build -f jsonl TARGET: the same timeline, from the logs' heads.
    target = check_lines('build target timeline', run('build target', [
        'build', '-f', 'jsonl',
        os.path.join(SRC, 'tests', 'cases', 'build', 'ecp_httpproxy_agree')]),
        {'build'}, validator)
    total += len(target)
    if len(target) != 1 or [t['sources'] for t in target[0]['timeline']] != [
            ['ecp-row'], ['log-header', 'ecp-row']]:
        fail(f'build target timeline: {target}')
    # pivot "ioc": an address that an --ioc address list holds names it.
    case = os.path.join(SRC, 'tests', 'cases', 'correlation')
    rows = check_lines('pivot ioc', run('pivot ioc', [
        'scan', '-f', 'jsonl', '--no-progress', '--ioc',
        os.path.join(case, 'ioc-lists'),
        os.path.join(case, 'same_name_shells')]), scan_kinds, validator)
    total += len(rows)
    summaries = [r for r in rows if r['kind'] == 'summary']
    marked = [a for s in summaries for a in s['pivot']['addresses']
              if 'ioc' in a]
    if not marked or any(a['value'] != '203.0.113.10' for a in marked):
        fail(f'pivot ioc: marked addresses {marked}')
    elif not any('ioc' not in a for a in summaries[0]['pivot']['addresses']):
        fail('pivot ioc: every address is marked')
    else:
        # The schema holds the field to its form.
        for bad in ([], [1], ['a', 'a'], 'list'):
            marked[0]['ioc'] = bad
            if validator.is_valid(summaries[0]):
                fail(f'pivot ioc: schema accepts "ioc": {bad!r}')
    rows = check_lines('rules list', run('rules list', [
        'rules', 'list', '-f', 'jsonl']), {'rule'}, validator)
    if not rows:
        fail('rules list: no rules')
    total += len(rows)
    # exhunt build -f jsonl: listed, unlisted, CU-only and newest builds.
    for version in ('15.1.2176.2', '15.1.2176.5', '15.2.986', '15.2.2562.999',
                    '14.3.513.0', '15.2.221.18'):
        rows = check_lines('build ' + version, run('build', [
            'build', '-f', 'jsonl', version]), {'build'}, validator)
        if len(rows) != 1:
            fail(f'build {version}: {len(rows)} lines, expected 1')
        total += len(rows)
    # exhunt probe -f jsonl: a target that cannot be probed still gets its
    # line (tests/cli/probe_servers.sh runs the servers).
    rows = check_lines('probe', run('probe', ['probe', '-f', 'jsonl',
                                              'ftp://example.org']),
                       {'probe', 'finding'}, validator)
    if len(rows) != 1:
        fail(f'probe: {len(rows)} lines, expected 1')
    total += len(rows)
    print(f'{total} lines checked, {len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
