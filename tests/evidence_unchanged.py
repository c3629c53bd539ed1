#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A scan never writes to the evidence: builds an evidence tree (logs, a
# collection zip, a KAPE-style drive folder, a link out of the tree, a link
# loop), then for each target sets every access time, of files and folders
# and of the target itself, two days back and before the mtime (under
# relatime a reading updates atime only then), scans it, and checks with
# lstat() alone (listing a folder would update its own atime) that no
# size, mode, mtime, atime or ctime changed. Last, every file's bytes and
# the tree's listing are compared with those of before the scans.
import hashlib, os, shutil, subprocess, sys, tempfile, time, zipfile

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']

HEADER = open(os.path.join(SRC, 'tests', 'data', 'evidence', 'httpproxy_header.txt')).read()
ROW = ('2021-03-03T04:20:00.000Z,1,15,1,2176,2,,Ecp,ex.local,/ecp/y.js,,,false,,,'
       'ServerInfo~a]@ex.local:444/ecp/proxyLogon.ecp?#,ExchangeServicesClient/0.0.0.0,'
       '198.51.100.7,EXCH01,241\r\n')

def paths_of(root):
    """root and every path below it, links not followed."""
    out = [root]
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        out.extend(os.path.join(dirpath, n) for n in sorted(dirs + files))
    return out

def times(paths):
    """lstat() facts of each path; lstat() changes no time."""
    state = {}
    for p in paths:
        st = os.lstat(p)
        state[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_atime_ns, st.st_ctime_ns)
    return state

def set_old_atimes(paths):
    old = time.time() - 2 * 86400
    for p in paths:
        if not os.path.islink(p):
            st = os.lstat(p)
            os.utime(p, ns=(min(int(old * 1e9), st.st_mtime_ns - 10**9), st.st_mtime_ns))

def contents(root):
    """Each file's bytes (read with O_NOATIME) and each link's target."""
    state = {}
    for p in paths_of(root):
        digest = None
        if os.path.isfile(p) and not os.path.islink(p):
            fd = os.open(p, os.O_RDONLY | getattr(os, 'O_NOATIME', 0))
            with os.fdopen(fd, 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        state[os.path.relpath(p, root)] = (digest, os.readlink(p) if os.path.islink(p) else None)
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
        # A KAPE tree: its root and drive folder are read to find the unit.
        kape = os.path.join(tmp, 'kape')
        os.makedirs(os.path.join(kape, 'C', 'Windows', 'System32'))
        kape_logs = os.path.join(kape, 'C', os.path.relpath(logdir, root))
        os.makedirs(kape_logs)
        with open(os.path.join(kape_logs, 'HttpProxy_2021030304-1.LOG'), 'w', newline='') as f:
            f.write(HEADER + ROW)
        paths = paths_of(tmp)
        before = contents(tmp)
        for target in (root, kape, os.path.join(tmp, 'triage.zip'), tmp):
            set_old_atimes(paths)
            was = times(paths)
            proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', target],
                                  capture_output=True)
            now = times(paths)
            if proc.returncode != 1 or b'"kind":"finding"' not in proc.stdout:
                print('scan of %s: exit %d, expected findings and exit 1\n%s' %
                      (target, proc.returncode, proc.stderr.decode(errors='replace')))
                return 1
            changed = [p for p in paths if was[p] != now[p]]
            for p in changed:
                print('scan of %s changed %s (mode, size, mtime, atime, ctime)\n'
                      '  before %r\n  after  %r' % (target, p, was[p], now[p]))
            if changed:
                return 1
        after = contents(tmp)
        if before != after:
            for k in sorted(set(before) | set(after)):
                if before.get(k) != after.get(k):
                    print('changed: %s\n  before %r\n  after  %r' % (k, before.get(k), after.get(k)))
            return 1
        print('evidence unchanged: %d entries checked after 4 scans' % len(paths))
        return 0
    finally:
        shutil.rmtree(tmp)

sys.exit(main())
