#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes hostile variants of a real PE file with a version resource (one
# that tests/data/build/make_exsetup.sh made with windres), each broken in
# one place a resource or version-info parser must not trust:
#   loop_root       the resource type entry points back at the root directory
#   loop_deep       the language entry (which should hold the data) points
#                   back at the type directory: a cycle three levels deep
#   dir_far         the type entry points past the end of the file
#   entries_65535   the root claims 65,535 entries (the section holds one)
#   data_rva_far    the version data's RVA lies outside every section
#   data_size_huge  the version data claims 2 GiB
#   vs_child_zero   a child block of VS_VERSIONINFO (StringFileInfo) is
#                   0 bytes long: a naive walk never moves on
#   vs_root_huge    VS_VERSIONINFO claims 65,535 bytes, past the section
#   rsrc_cut        the file ends in the middle of the resource section
#   hostile_pe.py GOOD.exe OUTDIR
import os
import struct
import sys


def layout(d):
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, = struct.unpack_from('<H', d, pe + 6)
    optsz, = struct.unpack_from('<H', d, pe + 20)
    opt = pe + 24
    magic, = struct.unpack_from('<H', d, opt)
    rva, _ = struct.unpack_from('<II', d, opt + (112 if magic == 0x20b else 96) + 16)
    sec = opt + optsz
    for i in range(nsec):
        _, vs, va, rs, rp = struct.unpack_from('<8sIIII', d, sec + 40 * i)
        if va <= rva < va + max(vs, rs):
            return rp + (rva - va), va, rp
    raise SystemExit('hostile_pe.py: no resource section')


def entries(d, base, off):
    named, ids = struct.unpack_from('<HH', d, base + off + 12)
    return [base + off + 16 + 8 * i for i in range(named + ids)]


def version_path(d, base):
    """File offsets of the RT_VERSION type entry, the name directory, the
    language entry and the data entry."""
    for e in entries(d, base, 0):
        ident, to = struct.unpack_from('<II', d, e)
        if ident == 16 and to & 0x80000000:
            names = to & 0x7fffffff
            name_e = entries(d, base, names)[0]
            langs = struct.unpack_from('<I', d, name_e + 4)[0] & 0x7fffffff
            lang_e = entries(d, base, langs)[0]
            data = struct.unpack_from('<I', d, lang_e + 4)[0]
            return e, names, lang_e, base + data
    raise SystemExit('hostile_pe.py: no version resource')


def main():
    good = open(sys.argv[1], 'rb').read()
    out = sys.argv[2]
    base, va, raw = layout(good)
    type_e, names, lang_e, data_e = version_path(good, base)
    data_rva, _ = struct.unpack_from('<II', good, data_e)
    vs = raw + (data_rva - va)  # file offset of VS_VERSIONINFO
    key = 'StringFileInfo'.encode('utf-16-le')
    sfi = good.index(key, vs) - 6  # its block header: wLength, wValueLength, wType

    def variant(name, edits, cut=None):
        b = bytearray(good if cut is None else good[:cut])
        for at, fmt, value in edits:
            struct.pack_into(fmt, b, at, value)
        with open(os.path.join(out, name + '.exe'), 'wb') as f:
            f.write(b)

    variant('loop_root', [(type_e + 4, '<I', 0x80000000)])
    variant('loop_deep', [(lang_e + 4, '<I', 0x80000000 | names)])
    variant('dir_far', [(type_e + 4, '<I', 0x80000000 | 0x7ffffff0)])
    variant('entries_65535', [(base + 14, '<H', 0xffff)])
    variant('data_rva_far', [(data_e, '<I', 0xfffff000)])
    variant('data_size_huge', [(data_e + 4, '<I', 0x7fffffff)])
    variant('vs_child_zero', [(sfi, '<H', 0)])
    variant('vs_root_huge', [(vs, '<H', 0xffff)])
    variant('rsrc_cut', [], cut=base + 0x40)


if __name__ == '__main__':
    main()
