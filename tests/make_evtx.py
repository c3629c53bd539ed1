#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes an EVTX file from events given as JSON, for tests and rule samples.

Usage: make_evtx.py EVENTS.json OUT.evtx

EVENTS.json is a list of objects (or one object, or JSON lines) with the
fields our reader hands to Sigma: Provider_Name, EventID, Qualifiers,
Level, Channel, Computer, TimeCreated (ISO 8601, UTC), EventRecordID, then
either "Data" (a list: unnamed <Data> elements, as MSExchange Management
writes them) or "EventData" (an object: <Data Name="..."> elements), or
both, or "UserData" (an object: {element: {name: value}}, as System 104's
<UserData><LogFileCleared>...). "_written" (tests) sets the record header's
time, which is otherwise TimeCreated. The file is real binary XML as Windows writes it: each record a
template instance (definition inline) with its values substituted, names
inline, chunk and file checksums computed, so that it exercises the same
code paths as files from Windows.
"""
import datetime
import json
import struct
import sys
import zlib

CHUNK = 65536


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def filetime(iso):
    iso = iso.rstrip("Z")
    frac = 0
    if "." in iso:
        iso, f = iso.split(".", 1)
        frac = int((f + "0000000")[:7])
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    base = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
    return (t - base) // datetime.timedelta(seconds=1) * 10**7 + frac


class Chunk:
    """Binary XML is written straight into the chunk: offsets are absolute."""

    def __init__(self):
        self.b = bytearray(512)

    def pos(self):
        return len(self.b)

    def name(self, s):
        # a name reference whose name follows inline
        u = s.encode("utf-16-le")
        self.b += struct.pack("<I", self.pos() + 4)
        self.b += struct.pack("<IHH", 0, 0, len(s)) + u + b"\0\0"

    def open(self, tag, attrs=()):
        """Starts an element; returns where its data size goes (close())."""
        self.b += bytes([0x41 if attrs else 0x01]) + struct.pack("<H", 0xFFFF)
        size_at = self.pos()
        self.b += struct.pack("<I", 0)
        self.name(tag)
        if attrs:
            list_at = self.pos()
            self.b += struct.pack("<I", 0)
        for i, (an, val) in enumerate(attrs):
            self.b += bytes([0x46 if i + 1 < len(attrs) else 0x06])
            self.name(an)
            self.value(val)
        if attrs:
            struct.pack_into("<I", self.b, list_at, self.pos() - list_at - 4)
        return size_at

    def close(self, size_at, token=b"\x04"):
        self.b += token
        struct.pack_into("<I", self.b, size_at, self.pos() - size_at - 4)

    def value(self, val):
        if isinstance(val, tuple):  # ("sub", index, type) or ("opt", ...)
            kind, idx, typ = val
            self.b += bytes([0x0D if kind == "sub" else 0x0E])
            self.b += struct.pack("<HB", idx, typ)
        else:
            u = val.encode("utf-16-le")
            self.b += bytes([0x05, 0x01]) + struct.pack("<H", len(u) // 2) + u

    def element(self, tag, attrs=(), content=None):
        at = self.open(tag, attrs)
        if content is None:
            self.close(at, b"\x03")
        else:
            self.b += b"\x02"
            self.value(content)
            self.close(at)


def value_bytes(typ, v):
    if typ == 0x01:
        return str(v).encode("utf-16-le")
    if typ == 0x04:
        return struct.pack("<B", int(v))
    if typ == 0x06:
        return struct.pack("<H", int(v))
    if typ == 0x0A:
        return struct.pack("<Q", int(v))
    if typ == 0x11:
        return struct.pack("<Q", v)
    raise ValueError(typ)


def record_binxml(c, ev, rid):
    """Appends the binary XML of one event to chunk c."""
    values = [
        (0x01, ev.get("Provider_Name", "")),
        (0x06, ev.get("Qualifiers")),
        (0x06, ev.get("EventID", 0)),
        (0x04, ev.get("Level", 4)),
        (0x11, filetime(ev.get("TimeCreated", "2021-03-02T04:12:33.000Z"))),
        (0x0A, rid),
        (0x01, ev.get("Channel", "")),
        (0x01, ev.get("Computer", "")),
    ]
    named = list(ev.get("EventData", {}).items())
    data = list(ev.get("Data", []))
    user = list(ev.get("UserData", {}).items())  # [(element, {name: value})]
    for _, v in named:
        values.append((0x01, v))
    for v in data:
        values.append((0x01, v))
    for _, fields in user:
        for v in fields.values():
            values.append((0x01, v))
    c.b += b"\x0f\x01\x01\x00"
    c.b += b"\x0c\x01" + struct.pack("<I", 1)
    c.b += struct.pack("<I", c.pos() + 4)
    size_at = c.pos() + 20
    c.b += struct.pack("<I", 0) + bytes(16) + struct.pack("<I", 0)
    body = c.pos()
    c.b += b"\x0f\x01\x01\x00"
    ev_at = c.open("Event", [("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event")])
    c.b += b"\x02"
    sys_at = c.open("System")
    c.b += b"\x02"
    c.element("Provider", [("Name", ("sub", 0, 0x01))])
    c.element("EventID", [("Qualifiers", ("opt", 1, 0x06))], ("sub", 2, 0x06))
    c.element("Level", (), ("sub", 3, 0x04))
    c.element("TimeCreated", [("SystemTime", ("sub", 4, 0x11))])
    c.element("EventRecordID", (), ("sub", 5, 0x0A))
    c.element("Channel", (), ("sub", 6, 0x01))
    c.element("Computer", (), ("sub", 7, 0x01))
    c.close(sys_at)
    i = 8
    if not user or named or data:
        data_at = c.open("EventData")
        c.b += b"\x02"
        for n, _ in named:
            c.element("Data", [("Name", n)], ("sub", i, 0x01))
            i += 1
        for _ in data:
            c.element("Data", (), ("sub", i, 0x01))
            i += 1
        c.close(data_at)
    if user:
        user_at = c.open("UserData")
        c.b += b"\x02"
        for elem, fields in user:
            elem_at = c.open(elem)
            c.b += b"\x02"
            for n in fields:
                c.element(n, (), ("sub", i, 0x01))
                i += 1
            c.close(elem_at)
        c.close(user_at)
    c.close(ev_at)
    c.b += b"\x00"
    struct.pack_into("<I", c.b, size_at, c.pos() - body)
    c.b += struct.pack("<I", len(values))
    blobs = []
    for typ, v in values:
        blob = b"" if v is None else value_bytes(typ, v)
        blobs.append(blob)
        c.b += struct.pack("<HBB", len(blob), typ if v is not None else 0, 0)
    for blob in blobs:
        c.b += blob
    c.b += b"\x00"


def build(events):
    chunks, c, first = [], None, None
    last_off = 0
    rid = 0
    cur = []

    def close():
        if c is None:
            return
        free = c.pos()
        b = c.b + bytearray(CHUNK - free)
        b[0:8] = b"ElfChnk\0"
        struct.pack_into("<QQQQIIII", b, 8, cur[0], cur[-1], cur[0], cur[-1],
                         128, last_off, free, crc(bytes(b[512:free])))
        struct.pack_into("<I", b, 124, crc(bytes(b[:120]) + bytes(b[128:512])))
        chunks.append(bytes(b))

    for ev in events:
        rid = int(ev.get("EventRecordID", rid + 1))
        write = ev.get("_binxml", record_binxml)  # tests: hand-made XML
        trial = Chunk()
        write(trial, ev, rid)
        need = len(trial.b) - 512 + 28
        if c is None or c.pos() + need > CHUNK:
            close()
            c, cur = Chunk(), []
        start = c.pos()
        written = ev.get("_written", ev.get("TimeCreated", "2021-03-02T04:12:33.000Z"))
        c.b += b"\x2a\x2a\x00\x00" + struct.pack("<IQQ", 0, rid, filetime(written))
        write(c, ev, rid)
        size = c.pos() - start + 4
        struct.pack_into("<I", c.b, start + 4, size)
        c.b += struct.pack("<I", size)
        last_off = start
        cur.append(rid)
    close()
    h = bytearray(4096)
    struct.pack_into("<8sQQQIHHHH", h, 0, b"ElfFile\0", 0, max(len(chunks) - 1, 0),
                     rid + 1, 128, 1, 3, 4096, len(chunks))
    struct.pack_into("<I", h, 124, crc(bytes(h[:120])))
    return bytes(h) + b"".join(chunks)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        obj = [json.loads(l) for l in text.splitlines() if l.strip()]
    return obj if isinstance(obj, list) else [obj]


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[2], "wb") as f:
        f.write(build(load(sys.argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
