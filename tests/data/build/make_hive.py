#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A seed-hive generator: writes a Windows registry hive (regf 1.5) holding
# the keys and values given, so that tests have real SOFTWARE and SYSTEM
# hives (Debian has no tool that creates one from nothing). The output is
# checked with hivexsh (libhivex-bin) and libregf in the tests.
#   make_hive.py OUT.hive 'Key\\Path' NAME dword:4 'Key\\Other' NAME sz:text ...
#   (kinds: dword:N, sz:TEXT, expand:TEXT for REG_EXPAND_SZ, key: for none)
# Layout: a 4096-byte base block, then hbins of 4096-byte multiples holding
# an sk cell shared by every key, nk cells with lf subkey lists, value lists
# and vk cells (DWORDs inline, strings as UTF-16LE data cells).
import struct
import sys


class Key:
    def __init__(self, name):
        self.name, self.subkeys, self.values = name, {}, []

    def child(self, name):
        k = self.subkeys.get(name.upper())
        if k is None:
            k = self.subkeys[name.upper()] = Key(name)
        return k


class Cells:
    """Cells appended to the hive bins data; offsets are relative to it."""

    def __init__(self):
        self.data = bytearray()

    def add(self, payload):
        size = (len(payload) + 4 + 7) & ~7
        off = len(self.data) + 32  # after the hbin header
        self.data += struct.pack('<i', -size) + payload
        self.data += b'\0' * (size - 4 - len(payload))
        return off


def build(root, cells):
    # The first cell: an sk (security) cell every key shares, linked to
    # itself, with an empty self-relative security descriptor.
    sk = 32
    desc = struct.pack('<BBHIIII', 1, 0, 0x8004, 0, 0, 0, 0)
    cells.add(b'sk' + struct.pack('<HIIII', 0, sk, sk, 1, len(desc)) + desc)

    def write(key, parent, is_root):
        name = key.name.encode('ascii')
        subs = sorted(key.subkeys.values(), key=lambda k: k.name.upper())
        vals = []
        for vname, vtype, vdata in key.values:
            n = vname.encode('ascii')
            if len(vdata) <= 4:
                inline = vdata + b'\0' * (4 - len(vdata))
                off, size = struct.unpack('<I', inline)[0], len(vdata) | 0x80000000
            else:
                off, size = cells.add(vdata), len(vdata)
            vals.append(cells.add(b'vk' + struct.pack('<HIIIHH', len(n), size, off,
                                                      vtype, 1, 0) + n))
        vlist = cells.add(b''.join(struct.pack('<I', v) for v in vals)) if vals else 0xFFFFFFFF
        me = cells.add(b'nk' + b'\0' * 74 + name)  # patched once children exist
        child_offs = [write(s, me, False) for s in subs]
        lf = 0xFFFFFFFF
        if child_offs:
            body = b''.join(struct.pack('<I', o) + s.name.encode('ascii')[:4].ljust(4, b'\0')
                            for o, s in zip(child_offs, subs))
            lf = cells.add(b'lf' + struct.pack('<H', len(subs)) + body)
        flags = 0x20 | (0x2C if is_root else 0)
        nk = b'nk' + struct.pack('<HQIIIIIIIIIIIIIIIHH', flags, 0, 0,
                                 parent if not is_root else 0xFFFFFFFF,
                                 len(subs), 0, lf, 0xFFFFFFFF, len(vals), vlist, sk,
                                 0xFFFFFFFF, max([len(s.name) * 2 for s in subs] or [0]),
                                 0, 0, 0, 0, len(name), 0) + name
        cells.data[me - 32 + 4:me - 32 + 4 + len(nk)] = nk
        return me

    return write(root, 0, True)


def main(argv):
    out, args = argv[1], argv[2:]
    root = Key('ROOT')
    for i in range(0, len(args), 3):
        path, name, spec = args[i:i + 3]
        k = root
        for part in path.split('\\'):
            if part:
                k = k.child(part)
        kind, _, text = spec.partition(':')
        if kind == 'dword':
            k.values.append((name, 4, struct.pack('<I', int(text, 0))))
        elif kind == 'sz':
            k.values.append((name, 1, (text + '\0').encode('utf-16-le')))
        elif kind == 'expand':  # REG_EXPAND_SZ, as ImagePath is
            k.values.append((name, 2, (text + '\0').encode('utf-16-le')))
        elif kind == 'key':
            pass
        else:
            raise SystemExit('make_hive.py: unknown value kind ' + kind)
    cells = Cells()
    root_off = build(root, cells)
    data = cells.data
    size = (len(data) + 32 + 4095) & ~4095
    free = size - 32 - len(data)
    if free:
        data += struct.pack('<i', free) + b'\0' * (free - 4)
    hbin = b'hbin' + struct.pack('<II', 0, size) + b'\0' * 20 + bytes(data)
    base = bytearray(4096)
    struct.pack_into('<4sIIQIIIIIII', base, 0, b'regf', 1, 1, 0, 1, 5, 0, 1,
                     root_off, size, 1)
    name = 'exhunt\\seed.hive'.encode('utf-16-le')
    base[48:48 + len(name)] = name
    check = 0
    for (w,) in struct.iter_unpack('<I', bytes(base[:508])):
        check ^= w
    struct.pack_into('<I', base, 508, check)
    with open(out, 'wb') as f:
        f.write(bytes(base) + hbin)


if __name__ == '__main__':
    main(sys.argv)
