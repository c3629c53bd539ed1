#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Triage collections without an image (issue 7, item 5): a real NTFS
# volume is built with mkntfs and an ntfs-3g mount, its $MFT and
# $Secure:$SDS copied out with ntfscat (ntfs-3g's tool) into a KAPE-shaped
# folder (C/$MFT, C/$Secure%3A$SDS), beside a few of its files, as KAPE
# copies them. ntfs-3g keeps no change journal: C/$Extend/$UsnJrnl%3A$J is
# written by tests/make_usn.py by Microsoft's record layouts, naming the
# volume's real folders by their MFT record and sequence numbers.
# exhunt must report from the $MFT the pages of the drop zones the
# collection did not copy, deleted pages, timestomped entries and a page
# owned by SYSTEM, and nothing for what it did copy, for stock locations or
# outside the drop zones; from the journal, a page planted then deleted in
# owa/auth, one created in aspnet_client, deleted logs (findings and a
# coverage gap), and nothing for a stock page or a folder outside the
# planting places. A Velociraptor-shaped copy (names %XX-encoded, the
# ntfs accessor's folder) gives the same findings, and so does the KAPE
# collection inside a disk image (kape_vhdx(): KAPE's --vhdx container, an
# NTFS volume holding C/; raw and VHDX); damaged inputs are
# counted, never fatal. Files whose attributes outgrow their base record
# (attribute_lists()): many hard links with long names make ntfs-3g write
# an $ATTRIBUTE_LIST (resident for a few, non-resident for many) and move
# $FILE_NAMEs to extension records; a page named only there must still be
# reported by name and path, and a file with two names under both.
# Needs root, /dev/fuse, mkntfs, ntfs-3g and ntfscat: otherwise skipped (77).
import os, re, shutil, struct, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_usn as U  # noqa: E402
import ntfs_patch  # noqa: E402
from ntfs_volume import (check, done, make_volume, need, run, scan,  # noqa: E402
                         set_owner_system)

EXHUNT = os.environ['EXHUNT']
EXCH = 'Program Files/Microsoft/Exchange Server/V15'
AUTH = EXCH + '/FrontEnd/HttpProxy/owa/auth'
WEB = 'inetpub/wwwroot/aspnet_client'
LOGS = EXCH + '/Logging/HttpProxy/Owa'
PAGE = b'<%@ Page Language="C#" %>\r\n<html><body>Sign in</body></html>\r\n'
T0 = 1614650000  # 2021-03-02T01:53:20Z

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def fill(mnt, inodes):
    for d in (AUTH, WEB, LOGS, EXCH + '/ClientAccess/ecp', 'Users/bob',
              'Windows/System32'):
        os.makedirs(os.path.join(mnt, d), exist_ok=True)
    write(os.path.join(mnt, WEB, 'notcopied.aspx'), PAGE)   # not in the collection
    write(os.path.join(mnt, WEB, 'copied.aspx'), PAGE)      # KAPE copied it
    write(os.path.join(mnt, WEB, 'stomped.txt'), b'x')      # timestomped
    write(os.path.join(mnt, WEB, 'clean.txt'), b'x')
    write(os.path.join(mnt, WEB, 'system.aspx'), PAGE)      # owned by SYSTEM
    write(os.path.join(mnt, AUTH, 'logon.aspx'), PAGE)      # stock name
    write(os.path.join(mnt, AUTH, 'evil.aspx'), PAGE)       # not stock
    write(os.path.join(mnt, EXCH, 'ClientAccess/ecp/stock.aspx'), PAGE)
    write(os.path.join(mnt, 'Users/bob/far.aspx'), PAGE)    # outside drop zones
    write(os.path.join(mnt, WEB, 'gone.aspx'), PAGE)        # deleted
    write(os.path.join(mnt, LOGS, 'HttpProxy_2021030205-1.LOG'), b'#Log-type: HttpProxy\r\n')
    set_owner_system(os.path.join(mnt, WEB, 'system.aspx'))
    os.sync()
    os.unlink(os.path.join(mnt, WEB, 'gone.aspx'))
    os.unlink(os.path.join(mnt, LOGS, 'HttpProxy_2021030205-1.LOG'))
    for d in (AUTH, WEB, LOGS, 'Users/bob'):
        inodes[d] = os.stat(os.path.join(mnt, d)).st_ino


def seq_of(mft, number):
    return struct.unpack_from('<H', mft, number * 1024 + 0x10)[0]


def journal(inodes, mft):
    def r(d):
        return U.ref(inodes[d], seq_of(mft, inodes[d]))
    recs = [
        # evil2.aspx planted in owa/auth, written, renamed, then deleted
        U.v2(0, U.ref(200, 3), r(AUTH), T0, U.CREATE, 'evil2.aspx'),
        U.v2(0, U.ref(200, 3), r(AUTH), T0 + 1, U.CREATE | U.DATA_EXTEND | U.CLOSE, 'evil2.aspx'),
        U.v4(0, U.ref(200, 3), r(AUTH)),
        U.v2(0, U.ref(200, 3), r(AUTH), T0 + 600, U.DELETE | U.CLOSE, 'evil2.aspx'),
        # a page created in aspnet_client (V3 records), still there
        U.v3(0, U.ref(201, 1), r(WEB), T0 + 30, U.RENAME_NEW, 'kept.aspx'),
        # stock logon.aspx rewritten by an update: no finding
        U.v2(0, U.ref(202, 1), r(AUTH), T0 + 40, U.CREATE, 'logon.aspx'),
        U.v2(0, U.ref(202, 1), r(AUTH), T0 + 41, U.DELETE, 'logon.aspx'),
        # a page created and deleted outside the planting places
        U.v2(0, U.ref(203, 1), r('Users/bob'), T0 + 50, U.CREATE, 'b.aspx'),
        U.v2(0, U.ref(203, 1), r('Users/bob'), T0 + 51, U.DELETE, 'b.aspx'),
        # the HttpProxy log of 2021-03-02 04:00 deleted
        U.v2(0, U.ref(204, 1), r(LOGS), T0 + 9000, U.DELETE | U.CLOSE,
             'HttpProxy_2021030204-1.LOG'),
        # a parent that is not the folder any more (old sequence): unknown
        U.v2(0, U.ref(205, 1), U.ref(inodes[AUTH], 999), T0, U.CREATE, 'stale.aspx'),
    ]
    return U.journal(recs)


def expect_findings(objs, label):
    finds = [o for o in objs if o['kind'] == 'finding']

    def by(rule):
        return sorted(o['source']['windows_path'].rsplit('\\', 1)[1]
                      for o in finds if o['rule'] == rule)
    check(by('mft_page_not_collected') == ['evil.aspx', 'notcopied.aspx', 'system.aspx'],
          '%s: pages the collection did not copy: %s' % (label, by('mft_page_not_collected')))
    nc = [o for o in finds if o['rule'] == 'mft_page_not_collected']
    for o in nc:
        f = o['file']
        check(o['category'] == 'suspicious' and o['source']['type'] == 'mft' and
              f['deleted'] is False and f['times']['fn_created'] > '2020' and
              f['time_source'] == 'ntfs-si' and o['source']['windows_path'].startswith('C:\\'),
              '%s: %s reported with its times, source mft, suspicious' %
              (label, o['source']['windows_path']))
    sev = {o['source']['windows_path'].rsplit('\\', 1)[1]: o['severity'] for o in nc}
    check(sev.get('evil.aspx') == 'high' and sev.get('notcopied.aspx') == 'medium',
          '%s: a non-stock page in owa/auth is high, elsewhere medium (%s)' % (label, sev))
    check(by('mft_deleted_page') == ['gone.aspx'], '%s: the deleted page (%s)' %
          (label, by('mft_deleted_page')))
    gone = [o for o in finds if o['rule'] == 'mft_deleted_page']
    check(gone and gone[0]['file']['deleted'] is True, '%s: marked deleted' % label)
    check(by('ntfs_timestomp_si_before_fn') == ['stomped.txt'],
          '%s: timestomp from the $MFT (%s)' % (label, by('ntfs_timestomp_si_before_fn')))
    st = [o for o in finds if o['rule'] == 'ntfs_timestomp_si_before_fn']
    check(st and st[0]['file']['times']['si_created'] == '2010-01-01T00:00:00.000Z' and
          st[0]['file']['time_source'] == 'ntfs-fn', '%s: timestomp times' % label)
    owned = [o for o in finds if o['rule'] == 'ntfs_page_owned_by_system']
    check([o['source']['windows_path'].rsplit('\\', 1)[1] for o in owned] == ['system.aspx'] and
          owned[0]['file']['owner'] == 'S-1-5-18',
          '%s: SYSTEM owner from the collection\'s $Secure:$SDS' % label)
    others = [o for o in nc if o['file']['owner'] == 'S-1-5-32-544']
    check(len(others) == 2, '%s: other owners read too (Administrators)' % label)
    check(by('usn_page_created_deleted') == ['evil2.aspx'],
          '%s: journal: page planted then deleted in owa/auth (%s)' %
          (label, by('usn_page_created_deleted')))
    pd = [o for o in finds if o['rule'] == 'usn_page_created_deleted']
    if pd:
        ev = pd[0]['evidence']
        check(pd[0]['severity'] == 'high' and ev['created'] == '2021-03-02T01:53:20.000Z' and
              ev['deleted'] == '2021-03-02T02:03:20.000Z' and pd[0]['source']['type'] == 'usn' and
              pd[0]['source']['windows_path'].endswith('\\owa\\auth\\evil2.aspx'),
              '%s: created and deleted times, the folder from the $MFT' % label)
    check(by('usn_page_created') == ['kept.aspx'],
          '%s: journal: page created in aspnet_client (V3 records) (%s)' %
          (label, by('usn_page_created')))
    check(by('usn_log_deleted') == ['HttpProxy_2021030204-1.LOG'],
          '%s: journal: the deleted log (%s)' % (label, by('usn_log_deleted')))
    triage_names = [o['source']['windows_path'].rsplit('\\', 1)[1] for o in finds
                    if o['source']['type'] in ('mft', 'usn')]
    for neg in ('copied.aspx', 'logon.aspx', 'stock.aspx', 'far.aspx', 'b.aspx',
                'clean.txt', 'stale.aspx'):
        check(neg not in triage_names, '%s: no triage finding for %s' % (label, neg))
    summ = [o for o in objs if o['kind'] == 'summary'][0]
    cov = [c for c in summ['coverage'] if c['family'] == 'httpproxy']
    check(cov and [g['from'] for g in cov[0]['gaps'] if g.get('reason') == 'deleted'] ==
          ['2021-03-02T04:00:00.000Z'] and
          any("deleted (the collection's USN journal" in w for w in cov[0]['warnings']),
          '%s: the deleted log is a coverage gap with a warning (%s)' % (label, cov))
    check(summ['verdict']['backdoored'] in ('suspicious', 'yes'),
          '%s: backdoored is at least suspicious' % label)


def damaged(tmp, kape, mft):
    bad = os.path.join(tmp, 'bad')
    shutil.copytree(kape, bad)
    m = bytearray(mft)
    m[5 * 1024 + 510] ^= 0xFF  # a torn fixup in record 5 (the root)
    write(os.path.join(bad, 'C', '$MFT'), bytes(m[:len(m) - 300]))
    j = open(os.path.join(kape, 'C', '$Extend', '$UsnJrnl%3A$J'), 'rb').read()
    write(os.path.join(bad, 'C', '$Extend', '$UsnJrnl%3A$J'), j + b'\x07' * 20)
    proc, objs = scan(bad)
    summ = [o for o in objs if o['kind'] == 'summary']
    check(proc.returncode in (0, 1) and summ, 'damaged $MFT and $J: the scan completes')
    errs = ' '.join(e['message'] for e in summ[0]['errors']) if summ else ''
    check('damaged MFT record' in errs and 'USN journal' in errs,
          'damaged $MFT and $J: counted in the errors (%s)' % errs)


def copy_mft(vol):
    """The $MFT of vol as KAPE copies it. ntfscat reads $MFT through
    libntfs, which has undone the update sequence fixups; KAPE and
    Velociraptor copy the bytes on disk. So ntfscat gives the length, the
    volume gives the bytes (a fresh volume's $MFT is one extent)."""
    mft_len = len(run(['ntfscat', '-f', '-i', '0', vol]).stdout)
    with open(vol, 'rb') as f:
        boot = f.read(512)
        cluster = struct.unpack_from('<H', boot, 0x0B)[0] * boot[0x0D]
        f.seek(struct.unpack_from('<Q', boot, 0x30)[0] * cluster)
        return f.read(mft_len)


# Pages named by a $FILE_NAME too long for what is left of their base
# record: ntfs-3g writes it in an extension record.
LONG_AUTH = 'owa_' + 'x' * 190 + '.aspx'
LONG_WEB = 'web_' + 'y' * 190 + '.aspx'
LINKS = (('Users/bob/few', 2, AUTH, LONG_AUTH),    # a resident list
         ('Users/bob/many', 60, WEB, LONG_WEB))    # a non-resident one
CHOPPER = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>\r\n'


def fill_lists(mnt):
    for folder, count, page_dir, page in LINKS:
        os.makedirs(os.path.join(mnt, page_dir), exist_ok=True)
        first = os.path.join(mnt, folder, 'a.bin')
        write(first, CHOPPER)
        for i in range(count):
            os.link(first, os.path.join(mnt, folder, 'link_%03d_%s.bin' % (i, '0' * 100)))
        os.link(first, os.path.join(mnt, page_dir, page))
    # Two names in the base record, both in drop zones.
    write(os.path.join(mnt, WEB, 'twice.aspx'), PAGE)
    os.link(os.path.join(mnt, WEB, 'twice.aspx'), os.path.join(mnt, AUTH, 'also.aspx'))


def layout(vol, path):
    """From ntfsinfo -F (ntfs-3g): the file's record, whether its
    $ATTRIBUTE_LIST is resident (None: no list) and the record holding
    the $FILE_NAME of its last path element."""
    out = run(['ntfsinfo', '-F', path, vol]).stdout.decode('utf-8', 'replace')
    inode = int(re.search(r'Dumping Inode (\d+)', out).group(1))
    m = re.search(r'\$ATTRIBUTE_LIST \(0x20\) from mft record \d+.*?Resident:\s*(\w+)',
                  out, re.S)
    name = os.path.basename(path)
    holder = None
    for rec, fname in re.findall(
            r"\$FILE_NAME \(0x30\) from mft record (\d+).*?Filename:\s*'([^']*)'", out, re.S):
        if fname == name:
            holder = int(rec)
    return inode, (m.group(1) == 'Yes') if m else None, holder


def attribute_lists(tmp):
    vol = os.path.join(tmp, 'lists.raw')
    make_volume(vol, 16, fill_lists)
    for (_, _, page_dir, page), resident in zip(LINKS, (True, False)):
        inode, listed, holder = layout(vol, page_dir + '/' + page)
        check(listed is resident and holder not in (None, inode),
              'ntfsinfo: %s... has a %s $ATTRIBUTE_LIST, its name in extension record %s '
              '(base %d)' % (page[:8], 'resident' if resident else 'non-resident', holder,
                             inode))
    kape = os.path.join(tmp, 'kape-lists')
    write(os.path.join(kape, 'C', '$MFT'), copy_mft(vol))
    os.makedirs(os.path.join(kape, 'C', 'Windows', 'System32'))
    _, objs = scan(kape)
    nc = {o['source']['windows_path']: o for o in objs
          if o['kind'] == 'finding' and o['rule'] == 'mft_page_not_collected'}
    want = ['C:\\' + (d + '/' + p).replace('/', '\\') for d, p in
            ((AUTH, LONG_AUTH), (WEB, LONG_WEB), (AUTH, 'also.aspx'), (WEB, 'twice.aspx'))]
    check(sorted(nc) == sorted(want),
          'pages named in extension records, and both names of a file, reported '
          'from the $MFT (%s)' % sorted(p[-40:] for p in nc))
    for path in want[:2]:
        o = nc.get(path)
        check(o is not None and o['file']['times']['fn_created'] > '2020' and
              o['file']['times']['si_created'] > '2020' and o['file']['deleted'] is False,
              '%s...: its $SI and $FN times' % path[-20:])
    check(nc.get(want[0], {}).get('severity') == 'high',
          'the page in owa/auth named in an extension record is high')
    # The same volume as an image: TSK reads attribute lists itself.
    _, objs = scan(vol)
    paths = [o['source'].get('windows_path', '') for o in objs if o['kind'] == 'finding']
    check(any(p.endswith(LONG_AUTH) for p in paths) and any(p.endswith(LONG_WEB) for p in paths),
          'as an image (TSK), the shells named in extension records are found')


def kape_vhdx(tmp, kape):
    """The same collection in a KAPE --vhdx container: a disk image whose
    NTFS volume holds C/ (raw, and as a VHDX when qemu-img is here)."""
    vol = os.path.join(tmp, 'kape.raw')
    make_volume(vol, 16, lambda m: shutil.copytree(kape, m, dirs_exist_ok=True,
                                                   copy_function=shutil.copyfile))
    targets = [vol]
    if shutil.which('qemu-img'):
        vhdx = os.path.join(tmp, 'kape.vhdx')
        run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vhdx', vol, vhdx])
        targets.append(vhdx)
    else:
        print('note: qemu-img (qemu-utils) missing; the container is checked as a raw volume')
    for target in targets:
        _, objs = scan(target)
        expect_findings(objs, 'KAPE --vhdx container (%s)' % os.path.basename(target))
        paths = [o['source']['path'] for o in objs if o['kind'] == 'finding']
        check(paths and all(p.startswith(target + '!/vol1/C/') for p in paths),
              '%s: source.path reads IMAGE!/vol1/C/...' % os.path.basename(target))


def main():
    need(('mkntfs', 'ntfs-3g', 'ntfscat', 'ntfsinfo', 'fusermount'), 'ntfs-3g',
         'the test volume')
    tmp = tempfile.mkdtemp(prefix='exh-triage-')
    vol = os.path.join(tmp, 'vol.raw')
    mnt = vol + '.mnt'
    try:
        inodes = {}
        make_volume(vol, 16, lambda m: fill(m, inodes))
        ntfs_patch.patch_si_created(vol, 'stomped.txt', 1262304000)  # 2010-01-01
        mft = copy_mft(vol)
        check(mft[510:512] == mft[0x30:0x32],
              'the $MFT copied from the volume keeps its fixups')
        sds = run(['ntfscat', '-f', '-i', '9', '-n', '$SDS', vol]).stdout
        check(len(mft) >= 64 * 1024 and mft[:4] == b'FILE' and len(sds) > 0,
              'ntfscat copies $MFT (%d bytes) and $SDS (%d bytes)' % (len(mft), len(sds)))
        # KAPE: C/ with its metadata files and what it copied.
        kape = os.path.join(tmp, 'kape')
        write(os.path.join(kape, 'C', '$MFT'), mft)
        write(os.path.join(kape, 'C', '$Secure%3A$SDS'), sds)
        write(os.path.join(kape, 'C', '$Extend', '$UsnJrnl%3A$J'), journal(inodes, mft))
        write(os.path.join(kape, 'C', WEB, 'copied.aspx'), PAGE)
        os.makedirs(os.path.join(kape, 'C', 'Windows', 'System32'))
        _, objs = scan(kape)
        expect_findings(objs, 'KAPE')
        kape_vhdx(tmp, kape)
        text = subprocess.run([EXHUNT, 'scan', '--no-progress', kape],
                              capture_output=True, timeout=300).stdout.decode()
        check('deleted  2021-03-02T04:00:00.000Z' in text and 'mft_page_not_collected' in text,
              'the text report shows the deleted log and the $MFT findings')
        # Velociraptor: the ntfs accessor's folder, %XX-encoded names.
        velo = os.path.join(tmp, 'velo')
        root = os.path.join(velo, 'uploads', 'ntfs', '%5C%5C.%5CC%3A')
        write(os.path.join(root, '$MFT'), mft)
        write(os.path.join(root, '$Secure%3A$SDS'), sds)
        write(os.path.join(root, '$Extend', '$UsnJrnl%3A$J'), journal(inodes, mft))
        write(os.path.join(root, WEB, 'copied.aspx'), PAGE)
        os.makedirs(os.path.join(root, 'Windows', 'System32'))
        _, objs = scan(velo)
        expect_findings(objs, 'Velociraptor')
        # A collection without a $MFT: the journal alone names no folder.
        nomft = os.path.join(tmp, 'nomft')
        shutil.copytree(kape, nomft)
        os.unlink(os.path.join(nomft, 'C', '$MFT'))
        _, objs = scan(nomft)
        check(not [o for o in objs if o['kind'] == 'finding' and
                   o['rule'].startswith(('usn_', 'mft_'))],
              'without the $MFT no journal finding is placed in a folder')
        errs = [e['message'] for o in objs if o['kind'] == 'summary' for e in o['errors']]
        check(any('no $MFT beside this USN journal' in e for e in errs),
              'without the $MFT the journal says why it is not judged (%s)' % errs)
        # A collection without a journal: the $MFT's deleted log is the gap.
        nousn = os.path.join(tmp, 'nousn')
        shutil.copytree(kape, nousn)
        os.unlink(os.path.join(nousn, 'C', '$Extend', '$UsnJrnl%3A$J'))
        _, objs = scan(nousn)
        cov = [c for o in objs if o['kind'] == 'summary' for c in o['coverage']
               if c['family'] == 'httpproxy']
        check(cov and [g['from'] for g in cov[0]['gaps'] if g.get('reason') == 'deleted'] ==
              ['2021-03-02T05:00:00.000Z'] and cov[0]['files'] == 0 and
              'to_record' not in cov[0]['gaps'][0],
              'without a journal, the log deleted in the $MFT is a coverage gap (%s)' % cov)
        damaged(tmp, kape, mft)
        attribute_lists(tmp)
    finally:
        subprocess.run(['fusermount', '-u', '-q', mnt], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return done()


if __name__ == '__main__':
    sys.exit(main())
