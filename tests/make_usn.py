#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Test helper: writes a $UsnJrnl:$J stream from a list of changes, by the
# layouts Microsoft publishes for the change journal's records
# (learn.microsoft.com/windows/win32/api/winioctl/ns-winioctl-usn_record_v2,
# ..._v3 and ..._v4). ntfs-3g keeps no change journal, and only Windows
# writes one, so tests of exhunt's reader (lib/readers/usn.c) build theirs
# here.
#
# USN_RECORD_V2, 60 bytes before the name, every record 8-byte aligned:
#   0 RecordLength u32     4 MajorVersion u16 (2)   6 MinorVersion u16 (0)
#   8 FileReferenceNumber u64   16 ParentFileReferenceNumber u64
#  24 Usn i64   32 TimeStamp (FILETIME) i64   40 Reason u32
#  44 SourceInfo u32   48 SecurityId u32   52 FileAttributes u32
#  56 FileNameLength u16 (bytes)   58 FileNameOffset u16   60 FileName
# USN_RECORD_V3 is the same with 128-bit file ids (FILE_ID_128) at 8 and
# 24, so Usn at 40, TimeStamp 48, Reason 56, SourceInfo 60, SecurityId 64,
# FileAttributes 68, FileNameLength 72, FileNameOffset 74, FileName 76.
# USN_RECORD_V4 (range tracking) has the ids, Usn at 40, Reason 48,
# SourceInfo 52, RemainingExtents 56, NumberOfExtents 60, ExtentSize 62,
# then Extents of 16 bytes each; no name.
#
# A real $J is sparse: everything before the oldest record kept reads as
# zeros (zero_prefix), and records never cross a 4096-byte page (the rest
# of a page is zero padding).
import struct

EPOCH_DIFF = 11644473600
CREATE, DELETE, RENAME_OLD, RENAME_NEW, CLOSE = 0x100, 0x200, 0x1000, 0x2000, 0x80000000
DATA_EXTEND = 0x2
FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY = 0x20, 0x10


def ref(number, seq):
    """An NTFS file reference: the record number, the sequence in the top
    16 bits."""
    return number | seq << 48


def filetime(unix_seconds):
    return (int(unix_seconds) + EPOCH_DIFF) * 10**7


def pad8(b):
    return b + b'\0' * (-len(b) % 8)


def v2(usn, file_ref, parent_ref, unix_seconds, reason, name, attrs=FILE_ATTRIBUTE_ARCHIVE):
    n = name.encode('utf-16-le')
    body = struct.pack('<HHQQqqIIIIHH', 2, 0, file_ref, parent_ref, usn,
                       filetime(unix_seconds), reason, 0, 0, attrs, len(n), 60) + n
    rec = pad8(struct.pack('<I', 0) + body)
    return struct.pack('<I', len(rec)) + rec[4:]


def v3(usn, file_ref, parent_ref, unix_seconds, reason, name, attrs=FILE_ATTRIBUTE_ARCHIVE):
    n = name.encode('utf-16-le')
    body = struct.pack('<HHQQQQqqIIIIHH', 3, 0, file_ref, 0, parent_ref, 0, usn,
                       filetime(unix_seconds), reason, 0, 0, attrs, len(n), 76) + n
    rec = pad8(struct.pack('<I', 0) + body)
    return struct.pack('<I', len(rec)) + rec[4:]


def v4(usn, file_ref, parent_ref, extents=1):
    body = struct.pack('<HHQQQQqIIIHH', 4, 0, file_ref, 0, parent_ref, 0, usn,
                       DATA_EXTEND, 0, 0, extents, 16)
    body += b''.join(struct.pack('<qq', 4096 * i, 4096) for i in range(extents))
    rec = pad8(struct.pack('<I', 0) + body)
    return struct.pack('<I', len(rec)) + rec[4:]


def journal(records, zero_prefix=1 << 16, page=4096):
    """The $J bytes: zero_prefix zeros (the sparse part, a multiple of the
    page), then the records laid into pages; each record's Usn field is
    rewritten to its offset, as Windows' is."""
    out = bytearray(zero_prefix)
    for rec in records:
        room = page - len(out) % page
        if len(rec) > room:
            out += b'\0' * room
        rec = bytearray(rec)
        major = struct.unpack_from('<H', rec, 4)[0]
        struct.pack_into('<q', rec, 24 if major == 2 else 40, len(out))
        out += rec
    return bytes(out)


if __name__ == '__main__':
    import sys
    # A tiny demonstration journal: one page created, then deleted.
    recs = [v2(0, ref(40, 1), ref(5, 5), 1614650000, CREATE, 'x.aspx'),
            v2(0, ref(40, 1), ref(5, 5), 1614650100, DELETE | CLOSE, 'x.aspx')]
    sys.stdout.buffer.write(journal(recs))
