#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds a tree of EVTX files from the real chunks of ../shared/data/evtx.

Usage: gen_evtx.py [--size-mib N] [--file-mib M] [--source DIR] OUT_DIR

Every chunk of the sample files whose header checksum holds is collected
(but those of the two files evtxexport cannot read to the end);
the output files (M MiB each, N MiB in all) are those chunks over and over,
each file with its own file header, its records renumbered consecutively
(record headers and chunk headers) and every checksum recomputed, so that
both exhunt and evtxexport read them as clean files.
"""
import argparse
import os
import struct
import zlib

CHUNK = 65536


# evtxexport stops early on these (../shared/data/README.md): left out so
# that both readers read every record of the tree.
SKIP = {"E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        "issue_201.evtx"}


def chunks(src):
    out = []
    for name in sorted(os.listdir(src)):
        if not name.endswith(".evtx") or name in SKIP:
            continue
        with open(os.path.join(src, name), "rb") as f:
            data = f.read()
        for off in range(4096, len(data) - CHUNK + 1, CHUNK):
            c = data[off:off + CHUNK]
            if c[:8] != b"ElfChnk\0":
                continue
            crc = zlib.crc32(c[:120] + c[128:512]) & 0xFFFFFFFF
            flags = struct.unpack_from("<I", c, 120)[0]
            if not flags & 4 and crc != struct.unpack_from("<I", c, 124)[0]:
                continue
            out.append(c)
    return out


def renumber(c, first):
    """The chunk with records numbered from first; returns (bytes, next)."""
    b = bytearray(c)
    free = struct.unpack_from("<I", b, 48)[0]
    off, n = 512, first
    while off + 28 <= free and b[off:off + 4] == b"\x2a\x2a\x00\x00":
        size = struct.unpack_from("<I", b, off + 4)[0]
        if size < 28 or off + size > free:
            break
        struct.pack_into("<Q", b, off + 8, n)
        n += 1
        off += size
    struct.pack_into("<QQQQ", b, 8, first, n - 1, first, n - 1)
    struct.pack_into("<I", b, 120, struct.unpack_from("<I", b, 120)[0] & ~5)
    struct.pack_into("<I", b, 52, zlib.crc32(bytes(b[512:free])) & 0xFFFFFFFF)
    struct.pack_into("<I", b, 124, zlib.crc32(bytes(b[:120]) + bytes(b[128:512])) & 0xFFFFFFFF)
    return bytes(b), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--file-mib", type=int, default=128)
    ap.add_argument("--source", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "evtx"))
    ap.add_argument("out")
    a = ap.parse_args()
    src = chunks(a.source)
    if not src:
        raise SystemExit("gen_evtx: no readable chunks in %s" % a.source)
    os.makedirs(a.out, exist_ok=True)
    per_file = max(1, a.file_mib * 1024 * 1024 // CHUNK)
    total = max(1, a.size_mib * 1024 * 1024 // CHUNK)
    k, fileno = 0, 0
    while k < total:
        count = min(per_file, total - k)
        path = os.path.join(a.out, "bench-%03d.evtx" % fileno)
        rid = 1
        with open(path, "wb") as f:
            h = bytearray(4096)
            f.write(h)
            for i in range(count):
                c, rid = renumber(src[(k + i) % len(src)], rid)
                f.write(c)
            struct.pack_into("<8sQQQIHHHH", h, 0, b"ElfFile\0", 0, count - 1,
                             rid, 128, 1, 3, 4096, min(count, 0xFFFF))
            struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[:120])) & 0xFFFFFFFF)
            f.seek(0)
            f.write(h)
        k += count
        fileno += 1
    print("gen_evtx: %d chunks from %d real ones in %d files under %s"
          % (total, len(src), fileno, a.out))


if __name__ == "__main__":
    main()
