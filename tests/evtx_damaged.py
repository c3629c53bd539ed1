#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Damaged EVTX files: our reader reads what is intact, counts the rest,
and never hangs; a dirty file (not closed cleanly) is read to its end. Each case is built here from synthetic events
(tests/make_evtx.py), damaged, and read with tests/evtx_dump; the stats and
records are checked. `--write-corpus DIR` writes the same files as seeds
for fuzz/evtx_fuzz.c (fuzz/corpus/evtx).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_evtx  # noqa: E402

BUILD = os.environ.get("BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "build"))
DUMP = os.path.join(BUILD, "tests", "evtx_dump")
CHUNK = 65536


def events(n, data_len=400):
    return [{"Provider_Name": "MSExchange CmdletLogs", "EventID": 1,
             "Channel": "MSExchange Management", "Computer": "EXCH01",
             "TimeCreated": "2021-03-03T05:%02d:%02d.000Z" % (i // 60 % 60, i % 60),
             "Data": ["Get-Mailbox", "-Identity 'user%d' " % i + "x" * data_len]}
            for i in range(n)]


def three_chunks():
    b = make_evtx.build(events(100))
    assert len(b) >= 4096 + 3 * CHUNK, len(b)
    return bytearray(b)


def chunk_records(b, k):
    off = 4096 + k * CHUNK
    first, last = struct.unpack_from("<QQ", b, off + 8)
    return last - first + 1


def self_template(c, ev, rid):
    """A template whose body instantiates itself, twice: ends by limits."""
    c.b += b"\x0f\x01\x01\x00\x0c\x01" + struct.pack("<I", 7)
    d = c.pos() + 4
    c.b += struct.pack("<I", d) + struct.pack("<I", 0) + bytes(16)
    size_at = c.pos()
    c.b += struct.pack("<I", 0)
    body = c.pos()
    c.b += b"\x0f\x01\x01\x00"
    for _ in range(2):
        c.b += b"\x0c\x01" + struct.pack("<II", 7, d) + struct.pack("<I", 0)
    c.b += b"\x00"
    struct.pack_into("<I", c.b, size_at, c.pos() - body)
    c.b += struct.pack("<I", 0) + b"\x00"


def patch_binxml(pattern, replace):
    """A writer of the normal record with bytes of its XML replaced."""
    def write(c, ev, rid):
        start = c.pos()
        make_evtx.record_binxml(c, ev, rid)
        part = bytes(c.b[start:])
        assert pattern in part, pattern
        c.b[start:] = part.replace(pattern, replace, 1)
    return write


def fix_chunk_crc(b, k):
    off = 4096 + k * CHUNK
    free = struct.unpack_from("<I", b, off + 48)[0]
    struct.pack_into("<I", b, off + 52, zlib.crc32(bytes(b[off + 512:off + free])))
    struct.pack_into("<I", b, off + 124, zlib.crc32(bytes(b[off:off + 120]) +
                                                   bytes(b[off + 128:off + 512])))


def dirty(good):
    """good as a crash leaves it: the file header flagged dirty and still
    counting one chunk, and the last chunk's records checksum computed
    before its last record was written."""
    d = bytearray(good)
    struct.pack_into("<Q", d, 16, 0)   # last chunk number
    struct.pack_into("<H", d, 42, 1)   # chunk count
    struct.pack_into("<I", d, 120, 1)  # flags: dirty
    struct.pack_into("<I", d, 124, zlib.crc32(bytes(d[:120])))
    c = 4096 + 2 * CHUNK
    last_off = struct.unpack_from("<I", d, c + 44)[0]
    struct.pack_into("<I", d, c + 52, zlib.crc32(bytes(d[c + 512:c + last_off])))
    struct.pack_into("<I", d, c + 124, zlib.crc32(bytes(d[c:c + 120]) +
                                                 bytes(d[c + 128:c + 512])))
    return bytes(d)


def cases():
    out = {}
    b = three_chunks()
    r0, r1 = chunk_records(b, 0), chunk_records(b, 1)
    r2 = 100 - r0 - r1  # the third chunk and any after it
    good = bytes(b)
    out["intact"] = (good, dict(records=r0 + r1 + r2, bad_chunks=0))
    d = bytearray(good)
    d[4096 + CHUNK + 70] ^= 0xFF  # a byte under the header checksum
    out["bad_chunk_crc"] = (bytes(d), dict(records=r0 + r2, bad_chunks=1))
    d = bytearray(good)
    d[4096 + CHUNK:4096 + CHUNK + 8] = b"ElfChnX\0"
    out["bad_chunk_magic"] = (bytes(d), dict(records=r0 + r2, bad_chunks=1))
    d = bytearray(good)
    d[4096 + CHUNK + 4000] ^= 0x55  # inside a record: records checksum
    out["bad_records_crc"] = (bytes(d), dict(min_records=r0 + r2, bad_checksums=1))
    cut = 4096 + 2 * CHUNK + 20000
    r2_only = chunk_records(b, 2)
    out["truncated"] = (good[:cut], dict(min_records=r0 + r1 + 1,
                                         max_records=r0 + r1 + r2_only - 1,
                                         bad_chunks=1))
    # read to the end whatever the file header says: all records
    out["dirty"] = (dirty(good), dict(records=r0 + r1 + r2, bad_chunks=0,
                                      bad_records=0, bad_checksums=1, dirty=True))
    out["header_only"] = (good[:4096], dict(records=0))
    out["not_evtx"] = (b"MZ" + bytes(200), dict(records=0, not_evtx=True))
    ev = events(3, 10)
    ev[1]["_binxml"] = self_template
    out["self_template"] = (make_evtx.build(ev), dict(records=2, bad_records=1))
    # out-of-range substitution index: Channel's substitution (index 6)
    ev = events(2, 10)
    ev[0]["_binxml"] = patch_binxml(b"\x0d\x06\x00\x01", b"\x0d\xff\x7f\x01")
    out["subst_index_range"] = (make_evtx.build(ev),
                                dict(records=2, bad_records=0, no_channel_in_first=True))
    # a string whose length runs far past the chunk
    ev = events(2, 10)
    ev[0]["_binxml"] = patch_binxml(b"\x05\x01\x35\x00", b"\x05\x01\xff\xff")
    out["huge_string"] = (make_evtx.build(ev), dict(min_records=1, bad_records=1))
    # a substitution value whose size runs past the record
    ev = events(2, 10)
    ev[0]["_binxml"] = patch_binxml(b"\x2a\x00\x01\x00", b"\xff\xff\x01\x00")
    out["huge_value_size"] = (make_evtx.build(ev), dict(min_records=1, bad_records=1))
    # a record of size zero in the middle of a chunk: the ones after it read
    d = bytearray(make_evtx.build(events(3, 10)))
    second = 4096 + 512 + struct.unpack_from("<I", d, 4096 + 512 + 4)[0]
    struct.pack_into("<I", d, second + 4, 0)
    out["zero_size_record"] = (bytes(d), dict(records=2, bad_records=1))
    return out


def check(name, data, want):
    with tempfile.NamedTemporaryFile(suffix=".evtx") as f:
        f.write(data)
        f.flush()
        p = subprocess.run([DUMP, f.name], capture_output=True, timeout=60)
    if p.returncode:
        return ["exit %d: %s" % (p.returncode, p.stderr.decode()[:200])]
    lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
    st = lines[-1]["stats"]
    recs = lines[:-1]
    errs = []
    for k, v in want.items():
        if k == "min_records":
            if st["records"] < v:
                errs.append("records %d < %d" % (st["records"], v))
        elif k == "max_records":
            if st["records"] > v:
                errs.append("records %d > %d" % (st["records"], v))
        elif k == "no_channel_in_first":
            ch = [x for n, x in recs[0]["fields"] if n == "Channel"]
            if ch not in ([], [""]):
                errs.append("Channel %r from an out-of-range index" % ch)
        elif st[k] != v:
            errs.append("%s %r, want %r" % (k, st[k], v))
    return errs


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write-corpus":
        os.makedirs(sys.argv[2], exist_ok=True)
        for name, (data, _) in cases().items():
            # Seeds stay small: single chunks without the file header and
            # their zero tail (evtx_fuzz.c pads them again); file forms
            # only where the damage is between chunks.
            if name == "dirty":
                continue  # its damage lies in the header and a third chunk
            if name in ("bad_chunk_crc", "bad_chunk_magic"):
                data = data[:4096 + 2 * CHUNK]
            elif name == "truncated":
                data = data[:4096 + CHUNK + 3000]
            elif len(data) > 4096 and name != "header_only":
                data = data[4096:4096 + CHUNK].rstrip(b"\0")
                name += ".chunk"
            with open(os.path.join(sys.argv[2], name + ".evtx"), "wb") as f:
                f.write(data)
        return 0
    failed = 0
    for name, (data, want) in cases().items():
        errs = check(name, data, want)
        print("%s %s%s" % ("FAIL" if errs else "ok  ", name,
                           ": " + "; ".join(errs) if errs else ""))
        failed += bool(errs)
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
