#!/usr/bin/env python3
"""Compares our EVTX reader with Debian's evtxexport (libevtx-utils), run at
test time, on the real samples in ../shared/data/evtx.

For each file, `evtxexport -f xml` and tests/evtx_dump (our reader) are run;
the records evtxexport prints are matched to ours by EventRecordID, and the
fields are compared under one normalisation: times to 100-ns ticks, hex
numbers to decimal, GUIDs without braces and in upper case, float text as a
number, CRLF as LF (evtxexport writes line ends as LF). Fields come from the XML the way our reader names them (see
docs/internals/evtx.md). Where evtxexport stops early (the two files in
../shared/data/README.md), we must read every record it read, and more.
Skips (77) when ../shared/data or evtxexport is absent.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SRC = os.environ.get("SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("BUILDDIR", os.path.join(SRC, "build"))
DATA = os.path.join(SRC, "..", "shared", "data", "evtx")
DUMP = os.path.join(BUILD, "tests", "evtx_dump")
NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
# evtxexport stops on these; ours must read more (see ../shared/data/README.md)
PARTIAL = {
    "E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
    "issue_201.evtx",
}

TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$")
GUID_RE = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                     r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$")


def norm(v):
    v = (v or "").replace("\r\n", "\n").strip()
    m = TIME_RE.match(v)
    if m:
        y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
        frac = (m.group(7) or "") + "0" * 9
        t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
        base = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
        return "t%d" % ((t - base) // datetime.timedelta(seconds=1) * 10**7
                        + int(frac[:7]))
    if re.match(r"^0x[0-9A-Fa-f]+$", v):
        return str(int(v, 16))
    m = GUID_RE.match(v)
    if m:
        return m.group(1).upper()
    if re.match(r"^-?\d+\.\d*(e[+-]?\d+)?$", v, re.I):
        return "f%.6g" % float(v)
    return v


def local(tag):
    return tag.split("}", 1)[-1]


def xml_fields(ev):
    """Fields of one <Event>, named as our reader names them."""
    out = []
    for sect in ev:
        name = local(sect.tag)
        if name == "System":
            for el in sect:
                en = local(el.tag)
                for an, av in el.attrib.items():
                    if en == "TimeCreated" and an == "SystemTime":
                        out.append(("TimeCreated", av))
                    else:
                        out.append((en + "_" + an, av))
                if len(el) == 0 and el.text is not None:
                    out.append((en, el.text))
        elif name == "EventData":
            n = 0
            for el in sect.iter():
                if el is sect or len(el):
                    continue
                en = local(el.tag)
                if "Name" in el.attrib:
                    out.append((el.attrib["Name"], el.text or ""))
                elif en == "Data":
                    n += 1
                    out.append(("Data", el.text or ""))
                    out.append(("Data[%d]" % n, el.text or ""))
                elif el.text is not None:
                    out.append((en, el.text))
        elif name == "UserData":
            for el in sect.iter():
                if el is sect or len(el) or el in list(sect):
                    continue
                out.append((local(el.tag), el.text or ""))
    return out


def reference(path):
    p = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True)
    text = p.stdout.decode("utf-8", "replace")
    events, unparsed = {}, 0
    for chunk in re.findall(r"<Event .*?</Event>", text, re.S):
        try:
            ev = ET.fromstring(chunk)
        except ET.ParseError:
            unparsed += 1  # evtxexport writes some values unescaped
            continue
        rid = ev.find("%sSystem/%sEventRecordID" % (NS, NS))
        if rid is None:
            continue
        events[int(rid.text)] = xml_fields(ev)
    return events, unparsed


def ours(path):
    p = subprocess.run([DUMP, path], capture_output=True, check=True)
    recs, stats = {}, None
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if "stats" in o:
            stats = o["stats"]
        else:
            rid = [v for k, v in o["fields"] if k == "EventRecordID"]
            recs[int(rid[0]) if rid else -o["record"]] = o["fields"]
    return recs, stats


def main():
    if not os.path.isdir(DATA):
        print("skip: no ../shared/data/evtx")
        return 77
    if subprocess.run(["sh", "-c", "command -v evtxexport"],
                      capture_output=True).returncode:
        print("skip: evtxexport (libevtx-utils) is not installed")
        return 77
    failures = 0
    for name in sorted(os.listdir(DATA)):
        if not name.endswith(".evtx"):
            continue
        path = os.path.join(DATA, name)
        ref, unparsed = reference(path)
        got, stats = ours(path)
        missing = [r for r in ref if r not in got]
        diffs = 0
        for rid, fields in ref.items():
            if rid not in got:
                continue
            a = sorted((k, norm(v)) for k, v in fields)
            b = sorted((k, norm(v)) for k, v in got[rid])
            if a != b:
                diffs += 1
                if diffs <= 3:
                    print("  %s record %d differs:\n    evtxexport only %s\n"
                          "    ours only %s" % (name, rid,
                                                sorted(set(a) - set(b))[:6],
                                                sorted(set(b) - set(a))[:6]))
        more = len(got) - len(ref)
        ok = not missing and not diffs and (more > 0 if name in PARTIAL
                                            else more >= 0)
        print("%s %s: evtxexport %d records, ours %d (%+d), %d differ, "
              "%d missing; chunks %d read, %d skipped%s" % (
                  "ok  " if ok else "FAIL", name, len(ref), len(got), more,
                  diffs, len(missing), stats["chunks"], stats["bad_chunks"],
                  "; %d of evtxexport's records not XML, not compared" % unparsed
                  if unparsed else ""))
        failures += not ok
    print("%d files failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
