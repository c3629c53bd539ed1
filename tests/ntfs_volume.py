#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# What the real-volume tests (images.py, triage.py) share: the check and
# skip helpers, the schema validation of every scan's output, and the
# building of a small NTFS volume with mkntfs and an ntfs-3g FUSE mount
# (which needs root and /dev/fuse: otherwise the tests skip, exit 77).
import json, os, shutil, struct, subprocess, sys

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']

failures = []
try:  # every line of every scan is validated when jsonschema is present
    import jsonschema
    VALIDATOR = jsonschema.Draft202012Validator(
        json.load(open(os.path.join(SRC, 'docs', 'output-schema.json'))))
except ImportError:
    VALIDATOR = None


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def skip(reason):
    print('SKIP: ' + reason)
    sys.exit(77)


def done():
    """The test's exit status."""
    if failures:
        print('%d failures' % len(failures))
        return 1
    return 0


def need(tools, packages, what):
    """Skips unless running as root with /dev/fuse and every tool on PATH;
    what names what the mount builds, packages the tools' packages."""
    if os.geteuid() != 0:
        skip('needs root for the ntfs-3g FUSE mount that builds ' + what)
    if not os.path.exists('/dev/fuse'):
        skip('/dev/fuse is missing: %s cannot be built' % what)
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        skip('missing tools: ' + ' '.join(missing) + ' (' + packages + ')')


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, timeout=300, **kw)


def make_volume(path, size_mb, fill):
    """An NTFS volume file of size_mb MiB, filled through an ntfs-3g mount
    by fill(mountpoint)."""
    with open(path, 'wb') as f:
        f.truncate(size_mb << 20)
    run(['mkntfs', '-F', '-q', '-Q', path])
    mnt = path + '.mnt'
    os.mkdir(mnt)
    run(['ntfs-3g', path, mnt])
    try:
        fill(mnt)
    finally:
        run(['fusermount', '-u', mnt])
        os.rmdir(mnt)


def scan(target, *opts, env=None):
    """exhunt scan -f jsonl of target: (the process, its objects); every
    line is validated, and exhunt report must give the lines back."""
    proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', *opts, target],
                          capture_output=True, timeout=300, env=env)
    objs = [json.loads(line) for line in proc.stdout.decode('utf-8').splitlines()]
    rep = subprocess.run([EXHUNT, 'report', '-f', 'jsonl', '-'], input=proc.stdout,
                         capture_output=True, timeout=300)
    check(rep.stdout == proc.stdout,
          'exhunt report -f jsonl gives the scan of %s back' % os.path.basename(target))
    for o in objs if VALIDATOR else []:
        errors = list(VALIDATOR.iter_errors(o))
        check(not errors, 'output of %s valid under the schema%s' %
              (os.path.basename(target), ': ' + errors[0].message if errors else ''))
    return proc, objs


SYSTEM_SID = bytes.fromhex('010100000000000512000000')  # S-1-5-18


def set_owner_system(path):
    """Rewrites path's security descriptor with SYSTEM as its owner (group
    and DACL kept) through ntfs-3g's system.ntfs_acl attribute."""
    sd = os.getxattr(path, 'system.ntfs_acl')
    _, group_off, _, dacl_off = struct.unpack_from('<IIII', sd, 4)
    group = sd[group_off:group_off + 8 + 4 * sd[group_off + 1]]
    dacl = sd[dacl_off:] if dacl_off else b''
    head = bytearray(sd[:20])
    own = 20
    grp = own + len(SYSTEM_SID)
    struct.pack_into('<IIII', head, 4, own, grp, 0, grp + len(group) if dacl else 0)
    os.setxattr(path, 'system.ntfs_acl', bytes(head) + SYSTEM_SID + group + dacl)
