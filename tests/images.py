#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Disk images as evidence (issue 7): real NTFS volumes are built here with
# Debian's tools (mkntfs, an ntfs-3g FUSE mount, qemu-img, ewfacquire,
# sfdisk) holding a small Exchange layout (tests/cases/files/volume_dropzones:
# a China Chopper shell in aspnet_client, a minidump in Windows/Temp, an
# archive in ProgramData) plus a ProxyLogon HttpProxy log. exhunt must give
# the same findings (rule, windows_path) and log coverage on every image
# format as on the same tree copied to a folder, with source.path reading
# IMAGE!/volN/...; a disk with two partitions (C: with the web folders, an
# Exchange D:) is one unit; bad images (truncated, a partition past the end,
# Ex01, no NTFS at all) give clear messages and never hang or crash.
# Needs root, /dev/fuse and the tools: otherwise skipped (exit 77).
import hashlib, json, os, shutil, subprocess, sys, tempfile

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']
TOOLS = ['mkntfs', 'ntfs-3g', 'qemu-img', 'ewfacquire', 'sfdisk', 'fusermount']
LOG_DIR = 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa'
LOG_NAME = 'HttpProxy_2021030204-1.LOG'
LOG_SRC = os.path.join(SRC, 'tests', 'cases', 'httpproxy', 'proxylogon_chain_probes_attempts.LOG')
LAYOUT = os.path.join(SRC, 'tests', 'cases', 'files', 'volume_dropzones')

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def skip(reason):
    print('SKIP: ' + reason)
    sys.exit(77)


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


def copy_tree(src, dst):
    for name in os.listdir(src):
        s = os.path.join(src, name)
        d = os.path.join(dst, name)
        if os.path.isdir(s):
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy(s, d)


def fill_c(mnt):
    copy_tree(LAYOUT, mnt)


def fill_log(mnt):
    os.makedirs(os.path.join(mnt, LOG_DIR), exist_ok=True)
    shutil.copy(LOG_SRC, os.path.join(mnt, LOG_DIR, LOG_NAME))


def fill_both(mnt):
    fill_c(mnt)
    fill_log(mnt)


def scan(target, *opts):
    proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', *opts, target],
                          capture_output=True, timeout=300)
    text = proc.stdout.decode('utf-8')
    objs = [json.loads(line) for line in text.splitlines()]
    return proc, objs


def digest(objs):
    """What must match between a folder and an image: findings by rule and
    Windows path, and the coverage of each log family."""
    finds = sorted((o['rule'], o['source'].get('windows_path') or '', o['source'].get('line') or 0)
                   for o in objs if o['kind'] == 'finding')
    cov = [(c['family'], c['files'], c['records'], c['first'], c['last'])
           for o in objs if o['kind'] == 'summary' for c in o['coverage']]
    return finds, sorted(cov)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def main():
    # Freed memory is filled: TSK's image type detection once let afflib
    # read a VMDK through freed memory (found so, under meson's random
    # MALLOC_PERTURB_); image.c now names the type.
    os.environ['MALLOC_PERTURB_'] = '37'
    if os.geteuid() != 0:
        skip('needs root for the ntfs-3g FUSE mount that builds the test images')
    if not os.path.exists('/dev/fuse'):
        skip('/dev/fuse is missing: the test images cannot be built')
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        skip('missing tools: ' + ' '.join(missing) + ' (ntfs-3g, qemu-utils, ewf-tools, fdisk)')
    tmp = tempfile.mkdtemp(prefix='exh-img-')
    try:
        body(tmp)
    finally:
        subprocess.run(['fusermount', '-u', '-q', os.path.join(tmp, 'vol.raw.mnt')],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print('%d failures' % len(failures))
        return 1
    return 0


def body(tmp):
    vol = os.path.join(tmp, 'vol.raw')
    make_volume(vol, 24, fill_both)
    # The reference: the same tree as a folder.
    ref = os.path.join(tmp, 'ref')
    os.mkdir(ref)
    fill_both(ref)
    _, ref_objs = scan(ref)
    want = digest(ref_objs)
    check(len(want[0]) >= 8, 'the folder gives the expected findings (%d)' % len(want[0]))
    check(any(r == 'webshell_chopper_jscript_eval' for r, _, _ in want[0]),
          'the folder finds the shell')
    before = sha256(vol)

    images = {'raw': vol}
    for fmt, ext in (('vhdx', 'vhdx'), ('vmdk', 'vmdk'), ('qcow2', 'qcow2'), ('vpc', 'vhd')):
        out = os.path.join(tmp, 'vol.' + ext)
        run(['qemu-img', 'convert', '-f', 'raw', '-O', fmt, vol, out])
        images[fmt] = out
    # Split raw (.001, .002, ...) and a split E01 set (.E01, .E02, ...).
    run(['split', '-b', '8M', '-d', '-a', '3', '--numeric-suffixes=1', vol,
         os.path.join(tmp, 'split.raw.')])
    images['split-raw'] = os.path.join(tmp, 'split.raw.001')
    run(['ewfacquire', '-u', '-q', '-c', 'none', '-S', '8MiB', '-t',
         os.path.join(tmp, 'ev'), vol])
    check(os.path.exists(os.path.join(tmp, 'ev.E02')), 'ewfacquire wrote a split E01 set')
    images['e01'] = os.path.join(tmp, 'ev.E01')
    # Content, not names: a VHDX and an E01 renamed still read as images.
    shutil.copy(images['vhdx'], os.path.join(tmp, 'renamed.bin'))
    images['vhdx named .bin'] = os.path.join(tmp, 'renamed.bin')

    for name, path in images.items():
        proc, objs = scan(path)
        got = digest(objs)
        check(got == want, '%s: same findings and coverage as the folder' % name)
        if got != want:
            print('  want', want, '\n  got ', got)
        paths = [o['source']['path'] for o in objs if o['kind'] == 'finding']
        check(paths and all(p.startswith(path + '!/vol1/') for p in paths),
              '%s: source.path reads IMAGE!/vol1/...' % name)
        summ = [o for o in objs if o['kind'] == 'summary']
        check(len(summ) == 1 and summ[0]['unit'] == '.', '%s: one unit' % name)
        check(proc.returncode == 1, '%s: exit status 1 for the findings' % name)
        shell = [o for o in objs if o['kind'] == 'finding'
                 and o['rule'] == 'webshell_chopper_jscript_eval']
        check(shell and shell[0]['file']['time_source'] == 'ntfs-si',
              '%s: file times come from $STANDARD_INFORMATION' % name)
    check(sha256(vol) == before, 'the raw image is unchanged by the scans')

    partitioned(tmp, want)
    bad_images(tmp, vol)


def partitioned(tmp, want):
    """A disk with C: (web folders, no logs) and an Exchange D: (logs)."""
    c = os.path.join(tmp, 'c.raw')
    d = os.path.join(tmp, 'd.raw')
    make_volume(c, 16, fill_c)
    make_volume(d, 16, fill_log)
    for label in ('dos', 'gpt'):
        disk = os.path.join(tmp, 'disk-%s.raw' % label)
        with open(disk, 'wb') as f:
            f.truncate(36 << 20)
        # 1 MiB alignment; C: at sector 2048, D: after it, both 16 MiB.
        table = ('label: %s\n' % label +
                 'start=2048, size=32768, type=%s\n' % ('7' if label == 'dos' else
                                                         'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7') +
                 'start=34816, size=32768, type=%s\n' % ('7' if label == 'dos' else
                                                          'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'))
        subprocess.run(['sfdisk', '-q', disk], input=table.encode(), check=True,
                       capture_output=True)
        with open(disk, 'r+b') as out:
            for src, sector in ((c, 2048), (d, 34816)):
                out.seek(sector * 512)
                with open(src, 'rb') as f:
                    out.write(f.read())
        proc, objs = scan(disk)
        got = digest(objs)
        check(got == want, '%s disk of two volumes: same findings as the folder' % label)
        if got != want:
            print('  want', want, '\n  got ', got)
        paths = {o['source']['path'].split('!/')[1].split('/')[0]
                 for o in objs if o['kind'] == 'finding'}
        check(paths == {'vol1', 'vol2'}, '%s disk: findings from vol1 and vol2 (%s)' %
              (label, sorted(paths)))
        summ = [o for o in objs if o['kind'] == 'summary']
        check(len(summ) == 1, '%s disk: both volumes form one unit' % label)


def bad_images(tmp, vol):
    # Truncated: the second half of the volume is gone.
    trunc = os.path.join(tmp, 'trunc.raw')
    with open(vol, 'rb') as f:
        data = f.read()
    with open(trunc, 'wb') as f:
        f.write(data[:len(data) // 2])
    proc, objs = scan(trunc)
    summ = [o for o in objs if o['kind'] == 'summary']
    check(proc.returncode in (0, 1, 3) and len(summ) == 1,
          'truncated image: a summary, no crash (exit %d)' % proc.returncode)
    check(summ and summ[0]['errors'], 'truncated image: the damage is reported')
    # A partition table whose partition starts past the end of the disk.
    disk = os.path.join(tmp, 'past.raw')
    with open(disk, 'wb') as f:
        f.truncate(4 << 20)
    subprocess.run(['sfdisk', '-q', '--no-tell-kernel', disk],
                   input=b'label: dos\nstart=2048, size=4096, type=7\n', check=True,
                   capture_output=True)
    with open(disk, 'r+b') as f:  # grow the partition's start past the end
        f.seek(446 + 8)
        f.write((1 << 20).to_bytes(4, 'little'))
    proc, objs = scan(disk)
    summ = [o for o in objs if o['kind'] == 'summary']
    msgs = ' '.join(e['message'] for s in summ for e in s['errors'])
    check('past the end' in msgs or 'partition table cannot be read' in msgs,
          'partition past the end: said so (%s)' % msgs[:120])
    # A partition table with no NTFS volume at all.
    empty = os.path.join(tmp, 'empty.raw')
    with open(empty, 'wb') as f:
        f.truncate(4 << 20)
    subprocess.run(['sfdisk', '-q', empty], input=b'label: dos\nstart=2048, size=4096, type=83\n',
                   check=True, capture_output=True)
    proc, objs = scan(empty)
    msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
    check('no NTFS volume' in msgs, 'no NTFS volume: said so')
    # Ex01 is recognised and reported unsupported (exit 3).
    ex01 = os.path.join(tmp, 'x.Ex01')
    with open(ex01, 'wb') as f:
        f.write(b'EVF2\r\n\x81\x00' + bytes(4096))
    proc, objs = scan(ex01)
    msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
    check(proc.returncode == 3 and 'Ex01' in msgs, 'Ex01: unsupported, exit 3')
    # A corrupt E01 (its header kept, the rest random) and a VHDX cut short.
    for name, head in (('bad.E01', b'EVF\t\r\n\xff\x00'), ('bad.vhdx', b'vhdxfile')):
        p = os.path.join(tmp, name)
        with open(p, 'wb') as f:
            f.write(head + os.urandom(70000))
        proc, objs = scan(p)
        check(proc.returncode == 3 and objs and objs[-1]['kind'] == 'summary',
              '%s: not readable, exit 3 with a summary (exit %d)' % (name, proc.returncode))


if __name__ == '__main__':
    sys.exit(main())
