#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Test helper: sets the $STANDARD_INFORMATION creation time of one file in
# an NTFS volume made by mkntfs and ntfs-3g, leaving its $FILE_NAME times
# as they are. ntfs-3g sets both together (its system.ntfs_crtime
# attribute too), so a timestomped file, as SetMACE or Cobalt Strike's
# timestomp make it on Windows, cannot be made through the mount.
#
# How: the boot sector gives the $MFT's first cluster and the record size;
# the records of its first extent are read (a small fresh volume's $MFT is
# one extent), the update sequence fixups applied to a copy, and the
# record whose $FILE_NAME holds NAME is found; the 8 bytes of its resident
# $STANDARD_INFORMATION creation time are rewritten in place in the volume
# file. A write that would touch the last two bytes of a 512-byte sector
# (where the fixups live) is refused. Use on test volumes only.
#
#   ntfs_patch.py VOLUME NAME UNIX_SECONDS
import struct, sys

EPOCH_DIFF = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def find_si_created(vol, name):
    """Byte offset in vol of the $SI creation time of the file NAME."""
    with open(vol, 'rb') as f:
        boot = f.read(512)
        bps = struct.unpack_from('<H', boot, 0x0B)[0]
        spc = boot[0x0D]
        mft_lcn = struct.unpack_from('<Q', boot, 0x30)[0]
        cpr = struct.unpack_from('<b', boot, 0x40)[0]
        rec_size = cpr * spc * bps if cpr > 0 else 1 << -cpr
        mft_off = mft_lcn * spc * bps
        f.seek(mft_off)
        # $MFT's own $DATA size bounds the number of records.
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
            si_content = None
            names = []
            while at + 24 <= rec_size:
                atype, alen = struct.unpack_from('<II', rec, at)
                if atype == 0xFFFFFFFF or alen == 0:
                    break
                nonres = rec[at + 8]
                if not nonres:
                    clen, coff = struct.unpack_from('<IH', rec, at + 0x10)
                    if atype == 0x10:
                        si_content = at + coff
                    elif atype == 0x30:
                        n = rec[at + coff + 0x40]
                        names.append(rec[at + coff + 0x42:at + coff + 0x42 + 2 * n]
                                     .decode('utf-16-le'))
                at += alen
            if name in names and si_content is not None:
                within = si_content % 512
                if within + 8 > 510:
                    raise SystemExit('the $SI time spans a fixup; not patched')
                return mft_off + i * rec_size + si_content
    raise SystemExit('no MFT record names %r' % name)


def patch_si_created(vol, name, unix_seconds):
    off = find_si_created(vol, name)
    with open(vol, 'r+b') as f:
        f.seek(off)
        f.write(struct.pack('<Q', (unix_seconds + EPOCH_DIFF) * 10**7))


if __name__ == '__main__':
    patch_si_created(sys.argv[1], sys.argv[2], int(sys.argv[3]))
