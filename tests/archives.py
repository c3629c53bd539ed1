#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Archive collections, end to end: a .tar, .tar.gz or .zip of an evidence
# tree gives what the tree gives as a folder (units, scope, windows_path,
# counts), in whatever order its members are stored. The trees are made
# here: a mounted volume's copy (Windows/System32, Program Files, a web
# shell in inetpub and one in a user's folder, which a volume scan leaves
# out), alone and as one server of a folder of servers; a KAPE tree whose
# names hold '%'; a KAPE tree whose copy log is stored after its files;
# encrypted members (counts) and an archive inside an archive (its note).
import io, json, os, re, shutil, subprocess, sys, tarfile, tempfile, zipfile

EXHUNT = os.environ['EXHUNT']
SRC = os.environ['SRCDIR']
EXCH = 'Program Files/Microsoft/Exchange Server/V15'
LOG_PATH = EXCH + '/Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG'
SHELL_PATH = 'inetpub/wwwroot/aspnet_client/discover.aspx'
USER_SHELL = 'Users/bob/Documents/x.aspx'
with open(os.path.join(SRC, 'tests', 'data', 'cli', 'proxylogon.LOG'), 'rb') as f:
    LOG = f.read()
with open(os.path.join(SRC, 'tests', 'cases', 'files', 'volume_dropzones',
                       *SHELL_PATH.split('/')), 'rb') as f:
    SHELL = f.read()

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def scan(target, cwd, *args):
    proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', '-j', '2'] +
                          list(args) + [target], cwd=cwd, capture_output=True, timeout=300)
    if proc.returncode not in (0, 1, 3):
        print(proc.stderr.decode(errors='replace'))
    return [json.loads(line) for line in proc.stdout.decode('utf-8').splitlines()]


ARCHIVE = re.compile(r'\.(zip|tar|tar\.gz|tgz)(!/|/|$)')


def plain(s):
    """A path or unit with archive names turned into folder names."""
    return ARCHIVE.sub(lambda m: '/' if m.group(2) else '', s) if s else s


def view(objs):
    """What must not depend on folder or archive: per unit, the findings
    (rule, path inside the target, windows_path) and counts. (A zip's
    times are its own: time_source is checked where it matters.)"""
    units = {}
    for o in objs:
        u = units.setdefault(plain(o['unit']), {'findings': set(), 'counts': None})
        if o['kind'] == 'finding':
            path = plain(o['source']['path'])
            path = path.split('/', 1)[1] if '/' in path else path
            u['findings'].add((o['rule'], path, o['source'].get('windows_path')))
        elif o['kind'] == 'summary':
            c = o['counts']
            u['counts'] = (c['entries'], c['scanned'], c['skipped'], c['unreadable'])
    return units


def write_tree(root, files, dirs=()):
    for d in dirs:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for rel, data in files:
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data)


def make_tar(path, files, dirs=(), gz=False):
    """files and dirs in the order given: each folder just before its
    first file, as tar writes them, and the folders of dirs at the end."""
    seen = set()
    with tarfile.open(path, 'w:gz' if gz else 'w', format=tarfile.PAX_FORMAT) as t:
        def add_dir(d):
            parts = d.split('/')
            for i in range(1, len(parts) + 1):
                sub = '/'.join(parts[:i])
                if sub not in seen:
                    seen.add(sub)
                    ti = tarfile.TarInfo('./' + sub + '/')
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    ti.mtime = 1614650000
                    t.addfile(ti)
        for rel, data in files:
            add_dir(os.path.dirname(rel))
            ti = tarfile.TarInfo('./' + rel)
            ti.size = len(data)
            ti.mtime = 1614650000
            t.addfile(ti, io.BytesIO(data))
        for d in dirs:
            add_dir(d)


def make_zip(path, files, dirs=()):
    """As zip -r does: folder entries too."""
    seen = set()
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        def add_dir(d):
            parts = d.split('/')
            for i in range(1, len(parts) + 1):
                sub = '/'.join(parts[:i]) + '/'
                if sub not in seen:
                    seen.add(sub)
                    z.writestr(zipfile.ZipInfo(sub, (2021, 3, 2, 1, 53, 20)), b'')
        for rel, data in files:
            add_dir(os.path.dirname(rel))
            z.writestr(zipfile.ZipInfo(rel, (2021, 3, 2, 1, 53, 20)), data)
        for d in dirs:
            add_dir(d)


# A mounted volume's copy; Windows/System32 (empty) last, so the archive's
# members name the volume's root only after the files it scopes.
VOLUME_FILES = [(SHELL_PATH, SHELL), (USER_SHELL, SHELL), (LOG_PATH, LOG)]
VOLUME_DIRS = ['Windows/System32']


def compare(what, folder_objs, archive_objs):
    a, b = view(folder_objs), view(archive_objs)
    check(a == b, '%s: the same units, findings, windows_path and counts as the folder' % what)
    if a != b:
        for unit in sorted(set(a) | set(b)):
            print('  unit %s\n    folder:  %r\n    archive: %r' % (unit, a.get(unit), b.get(unit)))


def volume(tmp):
    write_tree(os.path.join(tmp, 'vol'), VOLUME_FILES, VOLUME_DIRS)
    folder = scan('vol', tmp)
    shells = {f['source']['windows_path'] for f in folder
              if f['kind'] == 'finding' and f['source']['path'].endswith('.aspx')}
    check(shells == {'?:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx'},
          'folder: the inetpub shell is ?:\\inetpub\\..., the Users one out of scope (got %r)' % shells)
    make_tar(os.path.join(tmp, 'vol.tar'), VOLUME_FILES, VOLUME_DIRS)
    make_tar(os.path.join(tmp, 'vol.tar.gz'), VOLUME_FILES, VOLUME_DIRS, gz=True)
    make_zip(os.path.join(tmp, 'vol.zip'), VOLUME_FILES, VOLUME_DIRS)
    for name in ('vol.tar', 'vol.tar.gz', 'vol.zip'):
        compare(name, folder, scan(name, tmp))

    # One server of a folder of servers: a volume's copy beside a KAPE
    # collection, as a folder and as an archive.
    kape = [('C/' + LOG_PATH, LOG), ('C/' + SHELL_PATH, SHELL)]
    write_tree(os.path.join(tmp, 'servers', 'hostC'), VOLUME_FILES, VOLUME_DIRS)
    write_tree(os.path.join(tmp, 'servers', 'hostK'), kape)
    folder = scan('servers', tmp)
    write_tree(os.path.join(tmp, 'servers2', 'hostK'), kape)
    make_zip(os.path.join(tmp, 'servers2', 'hostC.zip'), VOLUME_FILES, VOLUME_DIRS)
    compare('hostC.zip beside hostK/', folder, scan('servers2', tmp))


def kape_names(tmp):
    # A KAPE tree keeps its names: no %XX decoding outside Velociraptor's
    # uploads/, and a user's folder stays out of the volume's scope however
    # its file is named.
    files = [('C/' + LOG_PATH, LOG), ('C/inetpub/wwwroot/aspnet_client/100%41.aspx', SHELL),
             ('C/Users/bob/..%2F..%2Finetpub%2Fwwwroot%2Fx.aspx', SHELL)]
    write_tree(os.path.join(tmp, 'kape'), files)
    folder = scan('kape', tmp)
    make_zip(os.path.join(tmp, 'kape.zip'), files)
    archive = scan('kape.zip', tmp)
    compare('kape.zip', folder, archive)
    paths = {f['source']['windows_path'] for f in archive
             if f['kind'] == 'finding' and f['source']['path'].endswith('.aspx')}
    check(paths == {'C:\\inetpub\\wwwroot\\aspnet_client\\100%41.aspx'},
          'kape.zip: 100%%41.aspx keeps its name, the Users file is out of scope (got %r)' % paths)


COPYLOG_HEADER = ('CopiedTimestamp,SourceFile,DestinationFile,FileSize,SourceFileSha1,'
                  'DeferredCopy,CreatedOnUtc,ModifiedOnUtc,LastAccessedOnUtc,CopyDuration\r\n')


def copy_log(rows):
    out = COPYLOG_HEADER
    for win, created, modified in rows:
        out += ('2021-03-10 10:10:10.0000000,%s,X:\\out\\x,1,abc,False,%s,%s,'
                '2021-03-10 10:10:10.0000000,0.01\r\n' % (win, created, modified))
    return out.encode()


def kape_copylog(tmp):
    # KAPE's copy log gives the files' original times; tar stores it where
    # the folder's order puts it, here after the files it describes.
    log = copy_log([('C:\\' + SHELL_PATH.replace('/', '\\'), '2021-03-03 02:17:33.0000000',
                     '2021-03-03 02:17:34.0000000')])
    files = [('C/' + LOG_PATH, LOG), ('C/' + SHELL_PATH, SHELL),
             ('2021-03-10T101010_CopyLog.csv', log)]
    write_tree(os.path.join(tmp, 'kapelog'), files)
    make_tar(os.path.join(tmp, 'kapelog.tar'), files)
    make_tar(os.path.join(tmp, 'kapelog.tar.gz'), files, gz=True)
    make_zip(os.path.join(tmp, 'kapelog.zip'), files)
    folder = scan('kapelog', tmp)
    for name in ('kapelog', 'kapelog.tar', 'kapelog.tar.gz', 'kapelog.zip'):
        objs = folder if name == 'kapelog' else scan(name, tmp)
        if name != 'kapelog':
            compare(name, folder, objs)
        times = {(f['file']['time_source'], f['file']['created'], f['file']['modified'])
                 for f in objs if f['kind'] == 'finding' and f.get('file') and
                 f['source']['path'].endswith('.aspx')}
        check(times == {('kape-copylog', '2021-03-03T02:17:33.000Z', '2021-03-03T02:17:34.000Z')},
              '%s: the shell has the copy log\'s times, the log stored last (got %r)' % (name, times))


def summary_of(objs):
    return [o for o in objs if o['kind'] == 'summary'][0]


def encrypted(tmp):
    # Members that cannot be decrypted are files of the collection that
    # cannot be read: counted in entries and unreadable, as an unreadable
    # file of a folder is.
    if not shutil.which('zip'):
        print('skip encrypted zips: no zip command')
        return
    files = [('C/' + LOG_PATH, LOG), ('C/' + SHELL_PATH, SHELL)]
    write_tree(os.path.join(tmp, 'enc'), files)
    subprocess.run(['zip', '-q', '-r', '-P', 's3cret', '../enc.zip', 'C'],
                   cwd=os.path.join(tmp, 'enc'), check=True)
    proc = subprocess.run([EXHUNT, 'scan', '-f', 'jsonl', '--no-progress', 'enc.zip'],
                          cwd=tmp, capture_output=True, timeout=300)
    s = summary_of([json.loads(x) for x in proc.stdout.decode().splitlines()])
    c = s['counts']
    check((c['entries'], c['scanned'], c['skipped'], c['unreadable']) == (2, 0, 0, 2),
          'enc.zip without --password: entries 2, unreadable 2 (got %r)' % (c,))
    check(proc.returncode == 3, 'enc.zip without --password: exit 3 (got %d)' % proc.returncode)
    check(len(s['errors']) == 2 and all('--password' in e['message'] for e in s['errors']),
          'enc.zip without --password: each member named (got %r)' % s['errors'])
    # (ZipCrypto lets one wrong password in 256 past its check: the member
    # then decrypts to garbage, whose read fails.)
    c = summary_of(scan('enc.zip', tmp, '--password', 'wrong'))['counts']
    check(c['entries'] == 2 and c['unreadable'] >= 1 and
          c['scanned'] + c['skipped'] + c['unreadable'] == 2,
          'enc.zip with a wrong password: entries 2, unreadable (got %r)' % (c,))
    c = summary_of(scan('enc.zip', tmp, '--password', 's3cret'))['counts']
    check((c['entries'], c['scanned'], c['unreadable']) == (2, 2, 0),
          'enc.zip with the password: entries 2, scanned 2 (got %r)' % (c,))


def nested(tmp):
    # An archive inside the evidence is not opened, only scanned as a file:
    # the summary's notes say so, naming it, whether the evidence is a
    # folder or an archive; a stored zip holding a log's text is no log.
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('C/' + LOG_PATH, LOG)
    files = [('host1/collection.zip', inner.getvalue())]
    write_tree(os.path.join(tmp, 'outer'), files)
    make_zip(os.path.join(tmp, 'outer.zip'), files)
    folder = scan('outer', tmp)
    for name in ('outer', 'outer.zip'):
        objs = folder if name == 'outer' else scan(name, tmp)
        s = summary_of(objs)
        notes = s.get('notes', [])
        check(len(notes) == 1 and 'host1/collection.zip: ' in notes[0] and
              'not opened' in notes[0] and 'scanned as one file' in notes[0],
              '%s: a note names the inner archive as not opened (got %r)' % (name, notes))
        check(s['errors'] == [], '%s: no error (got %r)' % (name, s['errors']))
        if name != 'outer':
            compare(name, folder, objs)


def main():
    tmp = tempfile.mkdtemp(prefix='exh-archives-')
    try:
        volume(tmp)
        kape_names(tmp)
        kape_copylog(tmp)
        encrypted(tmp)
        nested(tmp)
    finally:
        shutil.rmtree(tmp)
    print('%d failed' % len(failures))
    return 1 if failures else 0


sys.exit(main())
