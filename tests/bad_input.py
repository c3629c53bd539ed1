#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Bad input never stops a scan: one evidence tree holds a corrupt zip, a
# binary file named .LOG, a 100 MB line, an unreadable file, a symlink
# loop, a link out of the tree and a name that is not UTF-8, beside a log
# with a ProxyLogon row. Each problem must be named in the summary's errors
# with a clear message and counted, the good row must still be found, and
# the JSON must stay valid UTF-8.
import json, os, shutil, subprocess, sys, tempfile

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']
HEADER = open(os.path.join(SRC, 'tests', 'data', 'evidence', 'httpproxy_header.txt')).read()
ROW = ('2021-03-03T04:20:00.000Z,1,15,1,2176,2,,Ecp,ex.local,/ecp/y.js,,,false,,,'
       'ServerInfo~a]@ex.local:444/ecp/proxyLogon.ecp?#,ExchangeServicesClient/0.0.0.0,'
       '198.51.100.7,EXCH01,241\r\n')

def c_unreadable_min(summary):
    return summary['counts']['unreadable']

def main():
    tmp = tempfile.mkdtemp(prefix='exh-bad-')
    failures = []
    def check(cond, what):
        print(('ok   ' if cond else 'FAIL ') + what)
        if not cond:
            failures.append(what)
    try:
        logs = os.path.join(tmp, 'Logging', 'HttpProxy', 'Ecp')
        os.makedirs(logs)
        with open(os.path.join(logs, 'HttpProxy_2021030304-1.LOG'), 'w', newline='') as f:
            f.write(HEADER + ROW)
        with open(os.path.join(tmp, 'broken.zip'), 'wb') as f:
            f.write(b'PK\x03\x04' + os.urandom(4000))
        with open(os.path.join(logs, 'HttpProxy_2021030305-1.LOG'), 'wb') as f:
            f.write(b'\x7fELF\x02\x01\x01\x00' + bytes(range(256)) * 64)
        with open(os.path.join(logs, 'HttpProxy_2021030306-1.LOG'), 'w', newline='') as f:
            f.write(HEADER)
            f.write('2021-03-03T06:00:00.000Z,2,' + 'A' * (100 * 1024 * 1024) + '\r\n')
            f.write(ROW.replace('04:20', '06:20'))
        unreadable = os.path.join(logs, 'HttpProxy_2021030307-1.LOG')
        with open(unreadable, 'w') as f:
            f.write(HEADER + ROW)
        os.chmod(unreadable, 0)
        os.symlink('loop-b.LOG', os.path.join(logs, 'loop-a.LOG'))
        os.symlink('loop-a.LOG', os.path.join(logs, 'loop-b.LOG'))
        os.symlink('/etc/passwd', os.path.join(logs, 'outside.LOG'))
        bad_name = os.path.join(os.fsencode(logs), b'HttpProxy_\xff\xfe-1.LOG')
        with open(bad_name, 'wb') as f:
            f.write((HEADER + ROW.replace('04:20', '07:20')).encode())
        proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', '-j', '2', tmp],
                              capture_output=True, timeout=300)
        text = proc.stdout.decode('utf-8')  # raises on invalid UTF-8
        objs = [json.loads(line) for line in text.splitlines()]
        summary = [o for o in objs if o['kind'] == 'summary']
        findings = [o for o in objs if o['kind'] == 'finding']
        check(proc.returncode == 1, 'exit status 1 for the findings (got %d)' % proc.returncode)
        check(len(summary) == 1, 'one summary')
        s = summary[0]
        errors = {os.path.basename(e['path'].split('!')[0]): e['message'] for e in s['errors']}
        for name, word in [('broken.zip', 'archive'), ('HttpProxy_2021030305-1.LOG', 'binary'),
                           ('HttpProxy_2021030306-1.LOG', 'overlong'),
                           ('loop-a.LOG', 'not followed'), ('outside.LOG', 'not followed')]:
            check(word in errors.get(name, ''), '%s: message mentions %r (got %r)' % (name, word, errors.get(name)))
        if os.geteuid() != 0:
            check('HttpProxy_2021030307-1.LOG' in errors, 'unreadable file named in errors')
        elif shutil.which('setpriv'):
            # Root reads any file: scan again as nobody to meet a real EACCES.
            os.chmod(tmp, 0o755)
            proc = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                                   EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', tmp],
                                  capture_output=True, timeout=300)
            objs = [json.loads(line) for line in proc.stdout.decode('utf-8').splitlines()]
            s2 = [o for o in objs if o['kind'] == 'summary'][0]
            msgs = {os.path.basename(e['path']): e['message'] for e in s2['errors']}
            msg = msgs.get('HttpProxy_2021030307-1.LOG', '')
            check('Permission denied' in msg, 'unreadable file named in errors (got %r)' % msg)
            check(s2['counts']['unreadable'] == c_unreadable_min(s) + 1,
                  'and counted as unreadable (got %d)' % s2['counts']['unreadable'])
        else:
            print('skip unreadable-file check: root reads any file and setpriv is missing')
        times = sorted(f['time'] for f in findings if f['rule'] == 'proxylogon_ssrf_serverinfo')
        check('2021-03-03T04:20:00.000Z' in times, 'the good row is still found')
        check('2021-03-03T06:20:00.000Z' in times, 'the row after the 100 MB line is found')
        check('2021-03-03T07:20:00.000Z' in times, 'the file with a non-UTF-8 name is read')
        check(any('\\xFF' in f['source']['path'] or '\\xff' in f['source']['path'] for f in findings),
              'the non-UTF-8 name is written as \\xNN text')
        c = s['counts']
        check(c['unreadable'] >= 4, 'unreadable counts the zip and the links (got %d)' % c['unreadable'])
        check(c['bad_records'] >= 1, 'the overlong record is counted (got %d)' % c['bad_records'])
        check(c['skipped'] >= 1, 'the binary file is counted as skipped (got %d)' % c['skipped'])
    finally:
        for dirpath, dirs, files in os.walk(tmp):
            for n in files:
                p = os.path.join(dirpath, n)
                if not os.path.islink(p):
                    os.chmod(p, 0o644)
        shutil.rmtree(tmp)
    print('%d failed' % len(failures))
    return 1 if failures else 0

sys.exit(main())
