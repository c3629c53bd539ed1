#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes a KAPE-shaped folder whose C/$MFT and C/$Extend/$UsnJrnl%3A$J are
# large, to time exhunt's own readers (lib/readers/mft.c, usn.c) through
# `exhunt scan`:
#   $MFT: a fresh mkntfs volume's 16 system records, then RECORDS copies of
#         one file record (its fixups kept, the record number patched), so
#         every record is parsed in full;
#   $J:   SPARSE_MIB MiB of zeros (the sparse start a KAPE copy holds),
#         then EVENTS USN_RECORD_V2 records of pages and logs, in 4 KiB pages
#         (tests/make_usn.py).
#   gen_triage.py OUT [RECORDS] [SPARSE_MIB] [EVENTS]
# Needs mkntfs (ntfs-3g); no root.
import os, struct, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import make_usn as U  # noqa: E402


def base_mft():
    with tempfile.NamedTemporaryFile(suffix='.raw') as v:
        v.truncate(8 << 20)
        v.flush()
        subprocess.run(['mkntfs', '-F', '-q', '-Q', v.name], check=True, capture_output=True)
        boot = v.read(512)
        cluster = struct.unpack_from('<H', boot, 0x0B)[0] * boot[0x0D]
        v.seek(struct.unpack_from('<Q', boot, 0x30)[0] * cluster)
        return v.read(16 * 1024)


def main():
    out = sys.argv[1]
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 500000
    sparse = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
    events = int(sys.argv[4]) if len(sys.argv) > 4 else 200000
    os.makedirs(os.path.join(out, 'C', '$Extend'), exist_ok=True)
    os.makedirs(os.path.join(out, 'C', 'Windows', 'System32'), exist_ok=True)
    m = base_mft()
    file_rec = bytearray(m[3 * 1024:4 * 1024])  # $LogFile: a file record
    with open(os.path.join(out, 'C', '$MFT'), 'wb') as f:
        f.write(m)
        for i in range(16, 16 + records):
            struct.pack_into('<I', file_rec, 0x2C, i)
            f.write(file_rec)
    with open(os.path.join(out, 'C', '$Extend', '$UsnJrnl%3A$J'), 'wb') as f:
        f.truncate(sparse << 20)
        f.seek(sparse << 20)
        recs = []
        for i in range(events):
            name = 'x%d.aspx' % i if i % 2 else 'HttpProxy_20210302%02d-%d.LOG' % (i % 24, i)
            reason = U.CREATE if i % 3 else U.DELETE | U.CLOSE
            recs.append(U.v2(0, U.ref(100 + i, 1), U.ref(5, 5), 1614650000 + i, reason, name))
        f.write(U.journal(recs, zero_prefix=0))


if __name__ == '__main__':
    main()
