#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Coverage gaps of event logs, end to end (exhunt scan -f jsonl):

- a break in a channel's EventRecordID sequence is a gap with reason
  "records", the last id before and the first after, and their times;
- a cleared log is a gap with reason "cleared" (Security 1102 in Security;
  System 104 in the channel its UserData names), and a finding;
- a file holding several channels gives one coverage entry per channel;
- files of one channel whose ids continue each other leave no gap; a
  record missing between them is one gap;
- a sequence broken at every record gives a bounded list and a warning;
- every output line is valid against docs/output-schema.json;
- on the real files of ../shared/data/evtx, the skipped chunk of
  sample_with_a_bad_chunk_magic.evtx shows as a records gap.
"""
import json
import os

import jsonschema
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_evtx  # noqa: E402

EXHUNT = os.environ["EXHUNT"]
SHARED = os.path.join(HERE, "..", "..", "shared", "data", "evtx")
failures = []


def check(cond, what):
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        failures.append(what)


with open(os.path.join(HERE, "..", "docs", "output-schema.json"), encoding="utf-8") as f:
    VALIDATOR = jsonschema.Draft202012Validator(json.load(f))


def scan(args):
    p = subprocess.run([EXHUNT, "scan", "-f", "jsonl", "--no-progress"] + args,
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise SystemExit("exhunt exit %d: %s" % (p.returncode, p.stderr.decode()))
    objs = [json.loads(l) for l in p.stdout.decode().splitlines()]
    # exhunt report gives back the same lines (gap reasons and record ids)
    r = subprocess.run([EXHUNT, "report", "-f", "jsonl", "-"], input=p.stdout,
                       capture_output=True, timeout=120)
    check(r.stdout == p.stdout, "exhunt report -f jsonl gives the scan's lines back")
    bad = [e.message for o in objs for e in VALIDATOR.iter_errors(o)]
    check(not bad, "output valid against docs/output-schema.json (%s)" % bad[:2])
    sums = [o for o in objs if o["kind"] == "summary"]
    cov = {c["family"]: c for s in sums for c in s["coverage"]}
    return [o for o in objs if o["kind"] == "finding"], cov


def ev(channel, rid, time, eid=4624, provider="Microsoft-Windows-Security-Auditing", **extra):
    e = {"Provider_Name": provider, "EventID": eid, "Channel": channel,
         "Computer": "EXCH01.corp.local", "EventRecordID": rid,
         "TimeCreated": time}
    e.update(extra)
    return e


def write(tmp, name, events):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(make_evtx.build(events))
    return path


def main():
    tmp = tempfile.mkdtemp()
    try:
        # Security: ids 100-104, then 110 (105-109 missing), then the clear
        sec = [ev("Security", 100 + i, "2021-03-05T10:0%d:00Z" % i) for i in range(5)]
        sec.append(ev("Security", 110, "2021-03-05T11:00:00Z"))
        sec.append(ev("Security", 111, "2021-03-05T11:05:00Z", eid=1102,
                      provider="Microsoft-Windows-Eventlog"))
        d1 = os.path.join(tmp, "one")
        os.mkdir(d1)
        write(d1, "Security.evtx", sec)
        fs, cov = scan([d1])
        c = cov.get("evtx:Security", {})
        check(c.get("records") == 7 and c.get("files") == 1, "Security: 7 records, 1 file")
        check(c.get("gaps") == [
            {"from": "2021-03-05T10:04:00.000Z", "to": "2021-03-05T11:00:00.000Z",
             "reason": "records", "from_record": 104, "to_record": 110},
            {"from": "2021-03-05T11:05:00.000Z", "to": "2021-03-05T11:05:00.000Z",
             "reason": "cleared", "to_record": 111}],
            "Security: the break 104 -> 110 and the clear by record 111 are gaps (%s)"
            % c.get("gaps"))
        cleared = [f for f in fs if f["rule"] == "event_log_cleared"]
        check(len(cleared) == 1 and cleared[0]["source"]["record"] == 111,
              "Security 1102 is also a finding")

        # one file, three channels; System 104 clears Application (not read)
        mixed = []
        for i in range(3):
            mixed.append(ev("Setup", 1 + i, "2021-03-06T01:0%d:00Z" % i, eid=2,
                            provider="Microsoft-Windows-Servicing"))
            mixed.append(ev("System", 50 + i, "2021-03-06T01:0%d:30Z" % i, eid=7036,
                            provider="Service Control Manager"))
        mixed.append(ev("System", 53, "2021-03-06T02:00:00Z", eid=104,
                        provider="Microsoft-Windows-Eventlog",
                        UserData={"LogFileCleared": {
                            "SubjectUserName": "admin", "SubjectDomainName": "CORP",
                            "Channel": "Application", "BackupPath": ""}}))
        d2 = os.path.join(tmp, "two")
        os.mkdir(d2)
        write(d2, "mixed.evtx", mixed)
        fs, cov = scan([d2])
        check(sorted(cov) == ["evtx:Application", "evtx:Setup", "evtx:System"],
              "a file of several channels: one coverage entry each (%s)" % sorted(cov))
        s, y, a = (cov.get(k, {}) for k in ("evtx:Setup", "evtx:System", "evtx:Application"))
        check(s.get("records") == 3 and s.get("files") == 1 and s.get("gaps") == []
              and s.get("first") == "2021-03-06T01:00:00.000Z"
              and s.get("last") == "2021-03-06T01:02:00.000Z",
              "Setup: its own records, times, no gap (the ids interleave with System's)")
        check(y.get("records") == 4 and y.get("files") == 1 and y.get("gaps") == [],
              "System: 4 records, ids 50-53 unbroken")
        check(a.get("files") == 0 and a.get("records") == 0 and a.get("gaps") == [
            {"from": "2021-03-06T02:00:00.000Z", "to": "2021-03-06T02:00:00.000Z",
             "reason": "cleared", "to_record": 53}],
            "System 104 puts a cleared gap in the channel it names (%s)" % a)
        check([f["source"]["record"] for f in fs if f["rule"] == "event_log_cleared"] == [53],
              "System 104 is also a finding")

        # an archived log and the live one continue each other: no gap
        d3 = os.path.join(tmp, "three")
        os.mkdir(d3)
        write(d3, "Archive-Security-2021-03-04.evtx",
              [ev("Security", 1 + i, "2021-03-04T0%d:00:00Z" % i) for i in range(4)])
        write(d3, "Security.evtx",
              [ev("Security", 5 + i, "2021-03-04T0%d:30:00Z" % (3 + i)) for i in range(4)])
        _, cov = scan([d3])
        c = cov.get("evtx:Security", {})
        check(c.get("files") == 2 and c.get("records") == 8 and c.get("gaps") == [],
              "two files of one channel, ids 1-4 and 5-8: no gap (%s)" % c)
        # ... and with the archive missing its last record, one gap across files
        os.remove(os.path.join(d3, "Archive-Security-2021-03-04.evtx"))
        write(d3, "Archive-Security-2021-03-04.evtx",
              [ev("Security", 1 + i, "2021-03-04T0%d:00:00Z" % i) for i in range(3)])
        _, cov = scan([d3])
        gaps = cov.get("evtx:Security", {}).get("gaps")
        check(gaps == [{"from": "2021-03-04T02:00:00.000Z", "to": "2021-03-04T03:30:00.000Z",
                        "reason": "records", "from_record": 3, "to_record": 5}],
              "record 4 missing between two files: one gap (%s)" % gaps)

        # a sequence broken at every record: breaks listed up to a bound
        d4 = os.path.join(tmp, "four")
        os.mkdir(d4)
        write(d4, "Security.evtx", [ev("Security", 2 * i + 1, "2021-03-07T00:%02d:%02dZ"
                                       % (i // 60 % 60, i % 60)) for i in range(5000)])
        _, cov = scan([d4])
        c = cov.get("evtx:Security", {})
        check(c.get("records") == 5000 and 4000 <= len(c.get("gaps", [])) < 5000
              and any("too often" in x for x in c.get("warnings", [])),
              "5000 records with odd ids: the breaks are bounded and a warning says so "
              "(%d gaps)" % len(c.get("gaps", [])))

        # text report names the break and the clear
        p = subprocess.run([EXHUNT, "scan", "--no-progress", d1], capture_output=True,
                           timeout=120, env=dict(os.environ, NO_COLOR="1"))
        out = p.stdout.decode()
        check("(records 104 \u2192 110)" in out and "cleared  2021-03-05T11:05:00.000Z (record 111)" in out,
              "the text report shows the records gap and the clear")

        if os.path.isdir(SHARED):
            bad = os.path.join(SHARED, "sample_with_a_bad_chunk_magic.evtx")
            _, cov = scan([bad])
            p = subprocess.run([EXHUNT, "scan", "-f", "jsonl", "--no-progress", bad],
                               capture_output=True, timeout=120)
            s = [json.loads(l) for l in p.stdout.decode().splitlines()][-1]
            check(s["counts"]["bad_records"] == 5 and [e["message"] for e in s["errors"]] ==
                  ["event log damaged: 2 chunks skipped, 3 records unreadable or cut"],
                  "the damaged file's chunks and records are counted and named (%s)" % s["errors"])
            gaps = [g for c in cov.values() for g in c["gaps"] if g.get("reason") == "records"]
            check(len(gaps) >= 1 and all(g["to_record"] > g["from_record"] + 1 for g in gaps),
                  "the real file with a skipped chunk: the missing records are a gap (%s)"
                  % gaps[:3])
        else:
            print("skip: no ../shared/data/evtx")
    finally:
        shutil.rmtree(tmp)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
