#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A scan never writes to the evidence: builds an evidence tree (logs, a
# collection zip, a link out of the tree, a link loop), sets every access
# time a day back (so a reading that updates atime would show even under
# relatime), scans it, and checks every file's bytes, size, mode, mtime,
# atime and ctime, and the tree's listing, are exactly as before.
import hashlib, os, shutil, subprocess, sys, tempfile, time, zipfile

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']

HEADER = open(os.path.join(SRC, 'tests', 'data', 'evidence', 'httpproxy_header.txt')).read()
ROW = ('2021-03-03T04:20:00.000Z,1,15,1,2176,2,,Ecp,ex.local,/ecp/y.js,,,false,,,'
       'ServerInfo~a]@ex.local:444/ecp/proxyLogon.ecp?#,ExchangeServicesClient/0.0.0.0,'
       '198.51.100.7,EXCH01,241\r\n')

def snapshot(root):
    state = {}
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            digest = None
            if os.path.isfile(p) and not os.path.islink(p):
                # Read with O_NOATIME ourselves, or this check would change
                # the very access times it compares.
                fd = os.open(p, os.O_RDONLY | getattr(os, 'O_NOATIME', 0))
                with os.fdopen(fd, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            state[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                               st.st_atime_ns, st.st_ctime_ns, digest,
                                               os.readlink(p) if os.path.islink(p) else None)
    return state

def main():
    tmp = tempfile.mkdtemp(prefix='exh-evidence-')
    try:
        root = os.path.join(tmp, 'exch01')
        logdir = os.path.join(root, 'Program Files', 'Microsoft', 'Exchange Server', 'V15',
                              'Logging', 'HttpProxy', 'Ecp')
        os.makedirs(logdir)
        os.makedirs(os.path.join(root, 'Windows', 'System32'))
        with open(os.path.join(logdir, 'HttpProxy_2021030304-1.LOG'), 'w', newline='') as f:
            f.write(HEADER + ROW)
        with zipfile.ZipFile(os.path.join(tmp, 'triage.zip'), 'w') as z:
            z.writestr('C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/'
                       'HttpProxy_2021030304-1.LOG', HEADER + ROW)
        os.symlink('/etc/passwd', os.path.join(root, 'outside-link.LOG'))
        os.symlink('loop-b', os.path.join(root, 'loop-a'))
        os.symlink('loop-a', os.path.join(root, 'loop-b'))
        day_ago = time.time() - 2 * 86400
        for dirpath, dirs, files in os.walk(tmp):
            for name in dirs + files:
                p = os.path.join(dirpath, name)
                if not os.path.islink(p):
                    st = os.stat(p)
                    os.utime(p, ns=(int(day_ago * 1e9), st.st_mtime_ns))
        before = snapshot(tmp)
        for target in (root, os.path.join(tmp, 'triage.zip'), tmp):
            proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', target],
                                  capture_output=True)
            if proc.returncode != 1 or b'"kind":"finding"' not in proc.stdout:
                print('scan of %s: exit %d, expected findings and exit 1\n%s' %
                      (target, proc.returncode, proc.stderr.decode(errors='replace')))
                return 1
        after = snapshot(tmp)
        if before != after:
            for k in sorted(set(before) | set(after)):
                if before.get(k) != after.get(k):
                    print('changed: %s\n  before %r\n  after  %r' % (k, before.get(k), after.get(k)))
            return 1
        print('evidence unchanged: %d entries checked after 3 scans' % len(after))
        return 0
    finally:
        shutil.rmtree(tmp)

sys.exit(main())
