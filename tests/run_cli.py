#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs one CLI test: tests/cli/NAME.sh with bash in a fresh temporary folder
# (EXHUNT, SRCDIR and BUILDDIR come from meson), then compares
#   - stdout with NAME.stdout.exact (byte for byte) or NAME.stdout.glob
#     (fnmatch per line when the line counts agree, else on the whole text;
#     a line "..." in a glob file matches any number of lines),
#   - the exit status with NAME.exit (default 0).
# A script that exits 77 is skipped (exit 77). Prints a diff on mismatch.
import difflib
import fnmatch
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, 'cli')


def read(path, default=None):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return default


def glob_lines(patterns, lines):
    """fnmatch line by line; '...' alone matches any run of lines."""
    if not patterns:
        return not lines
    if patterns[0] == '...':
        return any(glob_lines(patterns[1:], lines[i:])
                   for i in range(len(lines) + 1))
    return (bool(lines) and fnmatch.fnmatchcase(lines[0], patterns[0])
            and glob_lines(patterns[1:], lines[1:]))


def glob_match(pattern, text):
    plines, tlines = pattern.splitlines(), text.splitlines()
    return glob_lines(plines, tlines) or fnmatch.fnmatchcase(text, pattern)


def main():
    if len(sys.argv) != 2:
        print('usage: run_cli.py NAME', file=sys.stderr)
        return 2
    name = sys.argv[1]
    script = os.path.join(CLI, name + '.sh')
    env = dict(os.environ)
    for var in ('EXHUNT', 'SRCDIR', 'BUILDDIR'):
        if var not in env:
            print(f'run_cli.py: {var} is not set (run through meson test)',
                  file=sys.stderr)
            return 2
    env['EXHUNT'] = os.path.abspath(env['EXHUNT'])
    env.pop('NO_COLOR', None)
    env['LC_ALL'] = 'C.UTF-8'
    with tempfile.TemporaryDirectory(prefix='exhunt-cli-') as tmp:
        proc = subprocess.run(['bash', script], cwd=tmp, env=env,
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=110)
    out, err = proc.stdout, proc.stderr
    if proc.returncode == 77:
        print(f'{name}: skipped: {err.decode(errors="replace").strip()}')
        return 77
    failures = []
    want_exit = int((read(os.path.join(CLI, name + '.exit'), b'0')
                     .decode().strip() or '0'))
    if proc.returncode != want_exit:
        failures.append(f'exit status {proc.returncode}, expected {want_exit}')
    exact = read(os.path.join(CLI, name + '.stdout.exact'))
    glob = read(os.path.join(CLI, name + '.stdout.glob'))
    text = out.decode('utf-8', errors='backslashreplace')
    if exact is not None and out != exact:
        failures.append('stdout differs from ' + name + '.stdout.exact:\n' +
                        ''.join(difflib.unified_diff(
                            exact.decode('utf-8', 'backslashreplace')
                            .splitlines(True), text.splitlines(True),
                            'expected', 'actual')))
    if glob is not None and not glob_match(glob.decode(), text):
        failures.append('stdout does not match ' + name + '.stdout.glob:\n' +
                        ''.join(difflib.unified_diff(
                            glob.decode().splitlines(True),
                            text.splitlines(True), 'pattern', 'actual')))
    if failures:
        print(f'{name}: FAILED')
        for f in failures:
            print('  ' + f)
        print('--- stderr ---')
        print(err.decode('utf-8', errors='backslashreplace'))
        return 1
    print(f'{name}: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
