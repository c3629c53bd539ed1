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
# NTFS knowledge (ntfs_knowledge()): $SI/$FN times and the timestomp
# finding (ntfs_patch.py sets one $SI creation time), the owner (set to
# SYSTEM through ntfs-3g's system.ntfs_acl, so kept in $Secure:$SDS; other
# files keep ntfs-3g's own per-file descriptor), alternate data streams
# (ntfs-3g's user.* attributes), and --deleted (a shell and a log deleted
# through the mount). More bad input: ReFS and BitLocker volumes beside an
# NTFS one (unreadable_volumes()); an E01 set missing a segment or with one
# cut short (incomplete_e01()); damaged GPT and MBR tables hiding an
# intact volume (damaged_tables()); an MFT folder loop, a data run past the
# end of the volume and a WOF-compressed file (damaged_ntfs(), with
# tests/ntfs_patch.py).
# Needs root, /dev/fuse and the tools: otherwise skipped (exit 77).
import hashlib, json, os, random, shutil, struct, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ntfs_patch  # noqa: E402  (sets one $SI time; see its header)
from ntfs_volume import (check, done, make_volume, need, run, scan,  # noqa: E402
                         set_owner_system)

SRC = os.environ['SRCDIR']
TOOLS = ['mkntfs', 'ntfs-3g', 'qemu-img', 'ewfacquire', 'sfdisk', 'fusermount']
LOG_DIR = 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa'
LOG_NAME = 'HttpProxy_2021030204-1.LOG'
LOG_SRC = os.path.join(SRC, 'tests', 'cases', 'httpproxy', 'proxylogon_chain_probes_attempts.LOG')
LAYOUT = os.path.join(SRC, 'tests', 'cases', 'files', 'volume_dropzones')


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
    need(TOOLS, 'ntfs-3g, qemu-utils, ewf-tools, fdisk', 'the test images')
    tmp = tempfile.mkdtemp(prefix='exh-img-')
    try:
        body(tmp)
    finally:
        subprocess.run(['fusermount', '-u', '-q', os.path.join(tmp, 'vol.raw.mnt')],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return done()


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
    # The files of a live volume are read again by MFT entry on the
    # scanner's worker threads (scanner.c, "pool"); with -j1 the walk reads
    # them itself. Both give the folder's findings, and the same lines.
    for name in ('raw', 'e01', 'qcow2', 'vhdx'):
        outs = []
        for jobs in ('1', '3'):
            _, objs = scan(images[name], '-j', jobs)
            check(digest(objs) == want,
                  '%s -j%s: same findings and coverage as the folder' % (name, jobs))
            outs.append(sorted(json.dumps({k: v for k, v in o.items() if k != 'stats'},
                                          sort_keys=True)
                               for o in objs if o['kind'] == 'finding'))
        check(outs[0] == outs[1], '%s: -j1 and -j3 write the same findings' % name)
    check(sha256(vol) == before, 'the raw image is unchanged by the scans')
    incomplete_e01(tmp)

    # A folder of two servers' images side by side: one unit each, each
    # with the folder's findings; a folder of one image is one unit.
    both = os.path.join(tmp, 'servers')
    os.mkdir(both)
    os.link(images['vhdx'], os.path.join(both, 'exch01.vhdx'))
    os.link(images['qcow2'], os.path.join(both, 'exch02.img'))
    _, objs = scan(both)
    units = [o['unit'] for o in objs if o['kind'] == 'summary']
    check(units == ['exch01.vhdx', 'exch02.img'], 'folder of two images: two units (%s)' % units)
    for u in units:
        got = digest([o for o in objs if o['unit'] == u])
        check(got == want, 'folder of two images: %s has the findings of the folder' % u)
    one = os.path.join(tmp, 'one-server')
    os.mkdir(one)
    os.link(images['raw'], os.path.join(one, 'exch01.raw'))
    _, objs = scan(one)
    check(digest(objs) == want and [o['unit'] for o in objs if o['kind'] == 'summary'] == ['.'],
          'folder of one image: one unit with the folder\'s findings')

    partitioned(tmp, want)
    unreadable_volumes(tmp, vol, want)
    damaged_tables(tmp, vol, want)
    bad_images(tmp, vol)
    damaged_ntfs(tmp)
    ntfs_knowledge(tmp)


def incomplete_e01(tmp):
    """The split E01 set without its later segments, or with one cut
    short: libewf reads what is missing as zeros without an error; exhunt
    says the set is incomplete and still scans what it can."""
    for name, keep in (('missing', 1), ('cut', 2)):
        folder = os.path.join(tmp, 'e01-' + name)
        os.mkdir(folder)
        for i in range(1, keep + 1):
            shutil.copy(os.path.join(tmp, 'ev.E0%d' % i), folder)
        if name == 'cut':
            with open(os.path.join(folder, 'ev.E02'), 'r+b') as f:
                f.truncate(os.path.getsize(os.path.join(tmp, 'ev.E02')) // 2)
        proc, objs = scan(os.path.join(folder, 'ev.E01'))
        summ = [o for o in objs if o['kind'] == 'summary']
        msgs = [e['message'] for s in summ for e in s['errors']]
        check(proc.returncode in (0, 1) and len(summ) == 1 and
              any('E01 set is incomplete' in m for m in msgs),
              'E01 set with a segment %s: said so, the scan ends (%s)' % (name, msgs[:1]))
    # The complete set says nothing of the kind.
    _, objs = scan(os.path.join(tmp, 'ev.E01'))
    check(not [e for o in objs if o['kind'] == 'summary' for e in o['errors']],
          'the complete E01 set: no error')


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


def boot_sector(signature):
    """The first sector of a volume whose OEM name (bytes 3-10) is
    signature: what ReFS and BitLocker volumes are known by."""
    sector = bytearray(512)
    sector[0:3] = b'\xeb\x52\x90'
    sector[3:3 + len(signature)] = signature
    sector[510:512] = b'\x55\xaa'
    return bytes(sector)


def unreadable_volumes(tmp, vol, want):
    """ReFS and BitLocker volumes beside an NTFS one: each reported
    unreadable with the reason, the NTFS volume still read; a bare ReFS
    volume too."""
    refs = boot_sector(b'ReFS\0\0\0\0')
    fve = boot_sector(b'-FVE-FS-')
    size = os.path.getsize(vol) // 512
    for label in ('dos', 'gpt'):
        disk = os.path.join(tmp, 'mixed-%s.raw' % label)
        with open(disk, 'wb') as f:
            f.truncate((size + 8192) * 512)
        kind = '7' if label == 'dos' else 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'
        table = 'label: %s\n' % label + ''.join(
            'start=%d, size=%d, type=%s\n' % (start, length, kind)
            for start, length in ((2048, size), (2048 + size, 2048), (4096 + size, 2048)))
        subprocess.run(['sfdisk', '-q', '--no-tell-kernel', disk], input=table.encode(),
                       check=True, capture_output=True)
        with open(disk, 'r+b') as out, open(vol, 'rb') as f:
            out.seek(2048 * 512)
            out.write(f.read())
            out.seek((2048 + size) * 512)
            out.write(refs)
            out.seek((4096 + size) * 512)
            out.write(fve)
        proc, objs = scan(disk)
        errs = {e['path']: e['message'] for o in objs if o['kind'] == 'summary'
                for e in o['errors']}
        check('ReFS' in errs.get(disk + '!/vol2', '') and
              'not readable' in errs.get(disk + '!/vol2', ''),
              '%s disk: the ReFS volume is reported unreadable, with the reason (%s)'
              % (label, errs))
        check('BitLocker' in errs.get(disk + '!/vol3', ''),
              '%s disk: the BitLocker volume is reported unreadable, with the reason' % label)
        check(digest(objs) == want and proc.returncode == 1,
              '%s disk: the NTFS volume beside them is read as the folder' % label)
    bare = os.path.join(tmp, 'bare-refs.raw')
    with open(bare, 'wb') as f:
        f.write(refs)
        f.truncate(4 << 20)
    proc, objs = scan(bare)
    msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
    check('ReFS volume: not readable' in msgs and proc.returncode in (0, 3),
          'a bare ReFS volume: recognised and reported unreadable (exit %d, %s)'
          % (proc.returncode, msgs[:100]))


def damaged_tables(tmp, vol, want):
    """Partition tables TSK cannot use (a GPT whose primary header or
    entries are garbage, an MBR with one garbage entry): said so, and the
    intact NTFS volume is still found, from the MBR's entries or the backup
    GPT, and read as the folder."""
    size = os.path.getsize(vol) // 512
    rnd = random.Random(7)
    for label, damage in (('gpt', 'header'), ('gpt', 'entries'), ('dos', 'entry')):
        disk = os.path.join(tmp, 'table-%s.raw' % damage)
        with open(disk, 'wb') as f:
            f.truncate((size + 4096) * 512)
        kind = '7' if label == 'dos' else 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'
        subprocess.run(['sfdisk', '-q', '--no-tell-kernel', disk],
                       input=('label: %s\nstart=2048, size=%d, type=%s\n' %
                              (label, size, kind)).encode(), check=True, capture_output=True)
        with open(disk, 'r+b') as out, open(vol, 'rb') as f:
            out.seek(2048 * 512)
            out.write(f.read())
            if damage == 'header':  # the primary GPT header (LBA 1)
                out.seek(512)
                out.write(rnd.randbytes(92))
            elif damage == 'entries':  # the primary GPT's first entries (LBA 2)
                out.seek(1024)
                out.write(rnd.randbytes(256))
            else:  # MBR entries 2 to 4: garbage, entry 1 intact
                out.seek(446 + 16)
                out.write(bytes([0x80]) + rnd.randbytes(15) + bytes([0x00]) +
                          rnd.randbytes(15) + bytes([0x80]) + rnd.randbytes(15))
        proc, objs = scan(disk)
        msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
        check('found from the MBR\'s entries and the backup GPT' in msgs,
              'damaged %s %s: said so (%s)' % (label, damage, msgs[:160]))
        check(digest(objs) == want and proc.returncode == 1,
              'damaged %s %s: the NTFS volume is still found and read as the folder'
              % (label, damage))


def damaged_ntfs(tmp):
    """A folder loop in the MFT and a file whose data run points past the
    end of the volume (tests/ntfs_patch.py), and a WOF-compressed file:
    each said so, the rest of the volume still read (an NTFS-compressed
    shell too), the scan ends."""
    web = 'inetpub/wwwroot/aspnet_client'
    shell = b'<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>\n'

    def fill(mnt):
        os.makedirs(os.path.join(mnt, web, 'loop', 'inner', 'back'))
        for name in ('loop/inner/deep.aspx', 'top.aspx'):
            with open(os.path.join(mnt, web, name), 'wb') as f:
                f.write(shell)
        os.makedirs(os.path.join(mnt, LOG_DIR))
        shutil.copy(LOG_SRC, os.path.join(mnt, LOG_DIR, LOG_NAME))
        shutil.copy(LOG_SRC, os.path.join(mnt, LOG_DIR, 'HttpProxy_2021030205-1.LOG'))
        # Windows' own compression (WOF), which TSK does not undo: the
        # reparse point (tag IO_REPARSE_TAG_WOF; WOF_EXTERNAL_INFO version
        # 1, provider 2 = file; FILE_PROVIDER_EXTERNAL_INFO_V1 version 1,
        # algorithm 1 = LZX) and the WofCompressedData stream, set through
        # ntfs-3g's system.ntfs_reparse_data and user.* attributes.
        wof = os.path.join(mnt, web, 'wof.aspx')
        with open(wof, 'wb') as f:
            f.write(shell)
        os.setxattr(wof, 'user.WofCompressedData', bytes(64))
        os.setxattr(wof, 'system.ntfs_reparse_data',
                    struct.pack('<IHH', 0x80000017, 16, 0) + struct.pack('<IIII', 1, 2, 1, 1))
        # NTFS's own compression (LZNT1), which TSK undoes: ntfs-3g
        # compresses new files in a folder marked compressed (0x800).
        packed = os.path.join(mnt, web, 'packed')
        os.mkdir(packed)
        attrib = struct.unpack('<I', os.getxattr(packed, 'system.ntfs_attrib'))[0]
        os.setxattr(packed, 'system.ntfs_attrib', struct.pack('<I', attrib | 0x800))
        with open(os.path.join(packed, 'big.aspx'), 'wb') as f:
            f.write(b'<!-- ' + b'padding text ' * 20000 + b'-->\n' + shell)
        attrib = struct.unpack('<I', os.getxattr(os.path.join(packed, 'big.aspx'),
                                                 'system.ntfs_attrib'))[0]
        compressed.append(bool(attrib & 0x800))

    compressed = []
    vol = os.path.join(tmp, 'damaged.raw')
    make_volume(vol, 16, fill)
    check(compressed == [True], 'ntfs-3g wrote big.aspx compressed (LZNT1)')
    ntfs_patch.patch_index_loop(vol, 'inner', 'back', 'loop')
    ntfs_patch.patch_run_past_end(vol, 'HttpProxy_2021030205-1.LOG')
    proc, objs = scan(vol)
    summ = [o for o in objs if o['kind'] == 'summary']
    errs = [(e['path'], e['message']) for s in summ for e in s['errors']]
    check(proc.returncode == 1 and len(summ) == 1, 'damaged NTFS: the scan ends (exit %d)'
          % proc.returncode)
    check(any(p.endswith('/loop/inner/back') and 'loop' in m for p, m in errs),
          'folder loop: said so, for the looping name (%s)' % errs)
    shells = sorted(o['source']['path'].rsplit('/', 1)[1] for o in objs
                    if o['kind'] == 'finding' and o['rule'] == 'webshell_chopper_jscript_eval')
    check(shells == ['big.aspx', 'deep.aspx', 'top.aspx'],
          'folder loop: the files beside and inside it are still scanned, once; the '
          'NTFS-compressed shell is found (%s)' % shells)
    check(any(p.endswith('HttpProxy_2021030205-1.LOG') for p, _ in errs),
          'a data run past the end: an error for that file (%s)' % errs)
    cov = [c for s in summ for c in s['coverage'] if c['family'] == 'httpproxy']
    check(cov and cov[0]['files'] >= 1 and cov[0]['records'] > 0,
          'a data run past the end: the other log is still read (%s)' % cov)
    check(any(p.endswith('/wof.aspx') and 'WOF' in m for p, m in errs),
          'a WOF-compressed file: said to be unreadable (%s)' % errs)
    check(not [o for o in objs if o['kind'] == 'finding' and 'wof.aspx' in o['source']['path']],
          'a WOF-compressed file: neither its bytes nor its WofCompressedData stream scanned')


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
    # A raw disk whose first sectors are zeroed is no image exhunt can
    # recognise: read as a plain file, and said so; a file of the same bytes
    # under another name is just a file.
    blank = os.path.join(tmp, 'blanked.raw')
    with open(vol, 'rb') as f, open(blank, 'wb') as g:
        g.write(bytes(1 << 20))
        f.seek(1 << 20)
        g.write(f.read(3 << 20))
    proc, objs = scan(blank)
    msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
    check(proc.returncode in (0, 1, 3) and 'named like a disk image' in msgs,
          'an unrecognisable .raw: said so (%s)' % msgs[:120])
    other = os.path.join(tmp, 'blanked.bin')
    os.link(blank, other)
    _, objs = scan(other)
    msgs = ' '.join(e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors'])
    check('named like a disk image' not in msgs, 'the same bytes as .bin: no such message')
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
        # TSK leaks its libewf/libvhdi handles when such an open fails
        # (tests/lsan-tsk-open.supp; only matters under ASan).
        env = dict(os.environ, LSAN_OPTIONS='suppressions=' + os.path.join(
            SRC, 'tests', 'lsan-tsk-open.supp'))
        proc, objs = scan(p, env=env)
        check(proc.returncode == 3 and objs and objs[-1]['kind'] == 'summary',
              '%s: not readable, exit 3 with a summary (exit %d)' % (name, proc.returncode))


def ntfs_knowledge(tmp):
    shell = open(os.path.join(LAYOUT, 'inetpub/wwwroot/aspnet_client/discover.aspx'), 'rb').read()
    page = b'<%@ Page Language="C#" %>\r\n<html><body>Sign in</body></html>\r\n'
    web = 'inetpub/wwwroot/aspnet_client'
    logs = LOG_DIR

    def fill(mnt):
        os.makedirs(os.path.join(mnt, web))
        os.makedirs(os.path.join(mnt, 'Windows', 'System32'))
        os.makedirs(os.path.join(mnt, 'Windows', 'inetsrv_out'))
        for name in ('system.aspx', 'admin.aspx', 'stomped.aspx', 'clean.aspx'):
            with open(os.path.join(mnt, web, name), 'wb') as f:
                f.write(page)
        # Outside the drop zones: timestomped, but not a finding.
        with open(os.path.join(mnt, 'Windows', 'inetsrv_out', 'far.aspx'), 'wb') as f:
            f.write(page)
        set_owner_system(os.path.join(mnt, web, 'system.aspx'))
        with open(os.path.join(mnt, web, 'notes.txt'), 'wb') as f:
            f.write(b'plain notes\r\n')
        os.setxattr(os.path.join(mnt, web, 'notes.txt'), 'user.hidden.aspx', shell)
        # Deleted through the mount: a shell (resident: 200 bytes) and a log.
        with open(os.path.join(mnt, web, 'gone.aspx'), 'wb') as f:
            f.write(shell)
        os.makedirs(os.path.join(mnt, logs))
        shutil.copy(LOG_SRC, os.path.join(mnt, logs, LOG_NAME))
        os.sync()
        os.unlink(os.path.join(mnt, web, 'gone.aspx'))
        os.unlink(os.path.join(mnt, logs, LOG_NAME))

    vol = os.path.join(tmp, 'ntfs.raw')
    make_volume(vol, 16, fill)
    ntfs_patch.patch_si_created(vol, 'stomped.aspx', 1262304000)  # 2010-01-01
    ntfs_patch.patch_si_created(vol, 'far.aspx', 1262304000)
    _, objs = scan(vol)
    finds = [o for o in objs if o['kind'] == 'finding']

    def rules_of(name):
        return sorted(o['rule'] for o in finds if o['source']['path'].endswith('/' + name))

    stomp = [o for o in finds if o['rule'] == 'ntfs_timestomp_si_before_fn']
    check([o['source']['path'].rsplit('/', 1)[1] for o in stomp] == ['stomped.aspx'],
          'timestomp: found in the drop zone only (%s)' % [o['source']['path'] for o in stomp])
    if stomp:
        f = stomp[0]['file']
        check(f['times']['si_created'] == '2010-01-01T00:00:00.000Z' and
              f['times']['fn_created'] > '2020' and f['time_source'] == 'ntfs-fn' and
              f['created'] == f['times']['fn_created'] and
              stomp[0]['category'] == 'suspicious',
              'timestomp: $SI and $FN times, the file dated by $FN, suspicious')
    check('ntfs_timestomp_si_before_fn' not in rules_of('clean.aspx'),
          'timestomp: an untouched file is no finding')
    owned = [o for o in finds if o['rule'] == 'ntfs_page_owned_by_system']
    check([o['source']['path'].rsplit('/', 1)[1] for o in owned] == ['system.aspx'],
          'SYSTEM-owned page: found, and only it (%s)' % [o['source']['path'] for o in owned])
    if owned:
        check(owned[0]['file']['owner'] == 'S-1-5-18' and
              owned[0]['file']['owner_name'] == 'SYSTEM',
              'SYSTEM-owned page: owner from $Secure:$SDS')
    admin = [o for o in finds if o['source']['path'].endswith('/admin.aspx')]
    check(admin and admin[0]['file']['owner'] == 'S-1-5-32-544',
          "owner from ntfs-3g's per-file descriptor (Administrators)")
    ads = [o for o in finds if o['source']['path'].endswith('/notes.txt:hidden.aspx')]
    check(any(o['rule'] == 'webshell_chopper_jscript_eval' for o in ads) and
          all(o['file']['stream'] == 'hidden.aspx' for o in ads),
          'a shell in an alternate data stream is found, its stream named')
    check(not rules_of('notes.txt'), 'the stream\'s host file itself is clean')
    check(not rules_of('gone.aspx'), 'without --deleted, deleted files are not read')
    cov = [c for o in objs if o['kind'] == 'summary' for c in o['coverage']]
    check(not cov, 'without --deleted, the deleted log gives no coverage')
    _, objs = scan(vol, '--deleted')
    finds = [o for o in objs if o['kind'] == 'finding']
    gone = [o for o in finds if o['source']['path'].endswith('/gone.aspx')]
    check(any(o['rule'] == 'webshell_chopper_jscript_eval' for o in gone) and
          all(o['file']['deleted'] is True for o in gone),
          '--deleted: the deleted shell is found, marked deleted')
    live = [o for o in finds if o['source']['path'].endswith('/clean.aspx')]
    check(all(o['file']['deleted'] is False for o in live), '--deleted: live files are not marked')
    cov = [c for o in objs if o['kind'] == 'summary' for c in o['coverage']]
    check(len(cov) == 1 and cov[0]['family'] == 'httpproxy' and cov[0]['records'] == 10,
          '--deleted: the deleted log feeds coverage (%s)' % cov)
    log_finds = [o for o in finds if o['source']['path'].endswith(LOG_NAME)]
    check(len(log_finds) >= 5, '--deleted: the deleted log\'s requests are found')


if __name__ == '__main__':
    sys.exit(main())
