#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Test helper: damages or changes one MFT record of an NTFS volume made by
# mkntfs and ntfs-3g in ways the mount cannot:
# * patch_si_created(): sets the $STANDARD_INFORMATION creation time of one
#   file, leaving its $FILE_NAME times as they are. ntfs-3g sets both
#   together (its system.ntfs_crtime attribute too), so a timestomped file,
#   as SetMACE or Cobalt Strike's timestomp make it on Windows, cannot be
#   made through the mount;
# * patch_index_loop(): points a folder's index entry for a child folder
#   at the folder above it, a folder loop (bad input);
# * patch_run_past_end(): moves the first data run of a file's
#   non-resident $DATA past the end of the volume (bad input).
#
# How: the boot sector gives the $MFT's first cluster and the record size;
# the records of its first extent are read (a small fresh volume's $MFT is
# one extent), the update sequence fixups applied to a copy, and the
# record whose $FILE_NAME holds NAME is found; the bytes are rewritten in
# place in the volume file. A write that would touch the last two bytes of
# a 512-byte sector (where the fixups live) is refused. Use on test
# volumes only.
#
#   ntfs_patch.py VOLUME NAME UNIX_SECONDS
import struct, sys

EPOCH_DIFF = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def records(vol):
    """(offset in vol, record number, fixed-up copy, {type: [(attribute
    offset, resident content offset or None, attribute length)]}, [names])
    of each record of the $MFT's first extent."""
    with open(vol, 'rb') as f:
        boot = f.read(512)
        bps = struct.unpack_from('<H', boot, 0x0B)[0]
        spc = boot[0x0D]
        mft_lcn = struct.unpack_from('<Q', boot, 0x30)[0]
        cpr = struct.unpack_from('<b', boot, 0x40)[0]
        rec_size = cpr * spc * bps if cpr > 0 else 1 << -cpr
        mft_off = mft_lcn * spc * bps
        f.seek(mft_off)
        for i in range(4096):
            raw = f.read(rec_size)
            if len(raw) < rec_size:
                break
            if raw[:4] != b'FILE':
                continue
            rec = bytearray(raw)
            usa_ofs, usa_count = struct.unpack_from('<HH', rec, 4)
            for j in range(1, usa_count):
                end = j * 512
                rec[end - 2:end] = rec[usa_ofs + 2 * j:usa_ofs + 2 * j + 2]
            at = struct.unpack_from('<H', rec, 0x14)[0]
            attrs = {}
            names = []
            while at + 24 <= rec_size:
                atype, alen = struct.unpack_from('<II', rec, at)
                if atype == 0xFFFFFFFF or alen == 0:
                    break
                content = None
                if not rec[at + 8]:
                    coff = struct.unpack_from('<H', rec, at + 0x14)[0]
                    content = at + coff
                    if atype == 0x30:
                        n = rec[content + 0x40]
                        names.append(rec[content + 0x42:content + 0x42 + 2 * n]
                                     .decode('utf-16-le'))
                attrs.setdefault(atype, []).append((at, content, alen))
                at += alen
            yield mft_off + i * rec_size, i, rec, attrs, names


def find(vol, name):
    for rec_off, number, rec, attrs, names in records(vol):
        in_use = struct.unpack_from('<H', rec, 0x16)[0] & 1
        if in_use and name in names:
            return rec_off, number, rec, attrs
    raise SystemExit('no MFT record names %r' % name)


def write_at(vol, off, data):
    """Writes data at off in vol, refusing to touch a sector's fixup."""
    within = off % 512
    if within + len(data) > 510:
        raise SystemExit('the patch spans a fixup; not written')
    with open(vol, 'r+b') as f:
        f.seek(off)
        f.write(data)


def find_si_created(vol, name):
    """Byte offset in vol of the $SI creation time of the file NAME."""
    rec_off, _, _, attrs = find(vol, name)
    si = [c for _, c, _ in attrs.get(0x10, []) if c is not None]
    if not si:
        raise SystemExit('%r has no resident $STANDARD_INFORMATION' % name)
    return rec_off + si[0]


def patch_index_loop(vol, folder, child, above):
    """Points the entry for child in folder's resident index ($INDEX_ROOT)
    at the folder above (named above): a loop folder -> child -> above."""
    rec_off, _, rec, attrs = find(vol, folder)
    _, target, target_rec, _ = find(vol, above)
    seq = struct.unpack_from('<H', target_rec, 0x10)[0]
    for _, content, _ in attrs.get(0x90, []):
        node = content + 0x10
        first, total = struct.unpack_from('<II', rec, node)
        at = node + first
        while at + 16 <= node + total:
            length, key_len, flags = struct.unpack_from('<HHI', rec, at + 8)
            if flags & 2 or length == 0:  # the last entry holds no name
                break
            n = rec[at + 16 + 0x40]
            if rec[at + 16 + 0x42:at + 16 + 0x42 + 2 * n].decode('utf-16-le') == child:
                write_at(vol, rec_off + at, struct.pack('<Q', target | seq << 48))
                return
            at += length
    raise SystemExit('%r holds no resident index entry for %r' % (folder, child))


def patch_run_past_end(vol, name):
    """Rewrites name's non-resident $DATA as one run of its first run's
    length that starts at cluster 0x7f0000, past the end of a test volume
    (the attribute's padding must hold the longer run)."""
    rec_off, _, rec, attrs = find(vol, name)
    for at, content, alen in attrs.get(0x80, []):
        if content is not None or rec[at + 9]:  # resident, or a named stream
            continue
        runs = at + struct.unpack_from('<H', rec, at + 0x20)[0]
        len_size = rec[runs] & 0x0F
        pairs = (bytes([0x30 | len_size]) + rec[runs + 1:runs + 1 + len_size] +
                 b'\x00\x00\x7f\x00')
        if runs + len(pairs) > at + alen:
            raise SystemExit('%r: no room for the longer run' % name)
        write_at(vol, rec_off + runs, pairs)
        return
    raise SystemExit('%r has no non-resident $DATA' % name)


def patch_si_created(vol, name, unix_seconds):
    write_at(vol, find_si_created(vol, name),
             struct.pack('<Q', (unix_seconds + EPOCH_DIFF) * 10**7))


if __name__ == '__main__':
    patch_si_created(sys.argv[1], sys.argv[2], int(sys.argv[3]))
