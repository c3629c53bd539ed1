#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every built-in YARA rule fires on its positive samples and not on its
negatives.

For each rule in rules/yara/*.yar the samples live in
tests/data/files/<rule>/: every entry whose name starts with "positive" (a
file, or a folder of files) must be matched by the rule (a folder: by at
least one of its files), every entry starting with "negative" must not be
(a folder: by none of its files). A rule without both kinds of sample fails.

Each file is scanned with the `yara` command-line tool and the rule's whole
.yar file (rules may refer to others in the same file), with the external
variables exhunt defines, computed from the sample's name: filename,
extension (lower case, with the dot, or ""), filepath
C:\\inetpub\\wwwroot\\aspnet_client, filetype "" and owner "".

Prints one line per check and a final count; exits 1 on any failure, 77
(meson's "skipped") when the yara tool is missing.
Environment: YARA (the tool; default: `yara` on PATH), SRCDIR (the source
tree; default: the parent of this script's folder).
"""
import os
import re
import shutil
import subprocess
import sys

RULE_RE = re.compile(r'^\s*(?:(?:private|global)\s+)*rule\s+(\w+)',
                     re.MULTILINE)
FILEPATH = 'C:\\inetpub\\wwwroot\\aspnet_client'


def rule_names(path):
    """The names of the rules a .yar file defines, in order."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    # drop block comments, which may mention the word "rule"
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.DOTALL)
    return RULE_RE.findall(text)


def sample_files(entry):
    """The files of a sample entry: itself, or those under the folder."""
    if os.path.isfile(entry):
        return [entry]
    out = []
    for root, dirs, files in os.walk(entry):
        dirs.sort()
        for name in sorted(files):
            out.append(os.path.join(root, name))
    return out


def externals(path):
    """The -d arguments for one sample file."""
    name = os.path.basename(path)
    ext = os.path.splitext(name)[1].lower()
    return ['-d', 'filename=' + name, '-d', 'filepath=' + FILEPATH,
            '-d', 'extension=' + ext, '-d', 'filetype=', '-d', 'owner=']


def matching_rules(yara, rule_file, path):
    """The rule names reported for one file, or None on an error: by exhunt
    itself (env EXHUNT: its built-in rules and its externals), else by the
    yara tool."""
    exhunt = os.environ.get('EXHUNT')
    if exhunt:
        import json
        proc = subprocess.run([exhunt, 'scan', '-f', 'jsonl', '--no-progress',
                               '--fail-on', 'critical', path],
                              capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(proc.stderr)
            return None
        return {o['rule'] for o in map(json.loads, proc.stdout.splitlines())
                if o['kind'] == 'finding'}
    cmd = [yara, '-w'] + externals(path) + [rule_file, path]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return None
    return {line.split()[0] for line in proc.stdout.splitlines()
            if line.strip()}


def check_rule(yara, rule_file, rule, samples_dir):
    """Runs the checks of one rule; returns (passed, failed)."""
    folder = os.path.join(samples_dir, rule)
    entries = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    pos = [e for e in entries if e.startswith('positive')]
    neg = [e for e in entries if e.startswith('negative')]
    passed = failed = 0
    if not pos or not neg:
        print('FAIL %s: needs positive* and negative* samples in %s'
              % (rule, folder))
        return 0, 1
    for entry in pos + neg:
        want = entry.startswith('positive')
        hits = []
        error = False
        files = sample_files(os.path.join(folder, entry))
        for path in files:
            found = matching_rules(yara, rule_file, path)
            if found is None:
                error = True
            elif rule in found:
                hits.append(os.path.relpath(path, folder))
        ok = (not error and bool(files) and
              (bool(hits) if want else not hits))
        verdict = 'ok  ' if ok else 'FAIL'
        what = 'matches' if want else 'does not match'
        detail = ' (error)' if error else (
            ' (hit: %s)' % ', '.join(hits) if hits else '')
        print('%s %s %s %s%s' % (verdict, rule, what, entry, detail))
        if ok:
            passed += 1
        else:
            failed += 1
    return passed, failed


def main():
    srcdir = os.environ.get('SRCDIR') or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    yara = os.environ.get('YARA') or shutil.which('yara')
    if not os.environ.get('EXHUNT') and (not yara or not os.access(yara, os.X_OK)):
        print('SKIP: the yara command-line tool is missing')
        return 77
    rules_dir = os.path.join(srcdir, 'rules', 'yara')
    samples_dir = os.path.join(srcdir, 'tests', 'data', 'files')
    rule_files = sorted(os.path.join(rules_dir, n)
                        for n in os.listdir(rules_dir)
                        if n.endswith('.yar'))
    passed = failed = 0
    seen = set()
    for rule_file in rule_files:
        names = rule_names(rule_file)
        if not names:
            print('FAIL %s: no rules found' % rule_file)
            failed += 1
        for rule in names:
            if rule in seen:
                print('FAIL %s: rule name repeated in %s' % (rule, rule_file))
                failed += 1
                continue
            seen.add(rule)
            p, f = check_rule(yara, rule_file, rule, samples_dir)
            passed += p
            failed += f
    print('%d checks, %d passed, %d failed (%d rules)'
          % (passed + failed, passed, failed, len(seen)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
