#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""exhunt scan on event logs, end to end. Event logs are written from the
JSON events in tests/data/evtx (tests/make_evtx.py), then scanned:

- all seven SigmaHQ msexchange rules (../shared/data/thirdparty/sigma,
  unmodified) fire on MSExchange Management records shaped like real
  event 1 (and 6) records, and none on benign ones or on another channel
  holding the same words (skipped when ../shared is absent);
- a record's time (findings, --since, coverage) is its TimeCreated, not its
  header's written time;
- an event log is read by its signature under any name, from stdin and
  inside a zip; coverage is "evtx:<Channel>" with files, records, first and
  last; source.type is evtx, source.record the EventRecordID, host the
  Computer;
- the event logs of the golden case tests/cases/correlation/process_story
  are still exactly what make_evtx.py writes from their JSON here.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_evtx  # noqa: E402

EXHUNT = os.environ["EXHUNT"]
SIGMA = os.path.join(HERE, "..", "..", "shared", "data", "thirdparty", "sigma",
                     "rules", "windows", "builtin", "msexchange")
SEVEN = {
    "win_exchange_proxylogon_oabvirtualdir",
    "win_exchange_proxyshell_certificate_generation",
    "win_exchange_proxyshell_mailbox_export",
    "win_exchange_proxyshell_remove_mailbox_export",
    "win_exchange_set_oabvirtualdirectory_externalurl",
    "win_exchange_transportagent",
    "win_exchange_transportagent_failed",
}
failures = []


def check(cond, what):
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        failures.append(what)


def scan(args, stdin=None):
    p = subprocess.run([EXHUNT, "scan", "-f", "jsonl", "--no-progress"] + args,
                       input=stdin, capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise SystemExit("exhunt exit %d: %s" % (p.returncode, p.stderr.decode()))
    objs = [json.loads(l) for l in p.stdout.decode().splitlines()]
    return ([o for o in objs if o["kind"] == "finding"],
            [o for o in objs if o["kind"] == "summary"])


def write(tmp, name, src):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(make_evtx.build(make_evtx.load(os.path.join(HERE, "data", "evtx", src))))
    return path


# Event logs committed in golden cases, and the JSON they are made from.
GOLDEN = {
    "cases/correlation/process_story/Windows/System32/winevt/Logs/Security.evtx":
        "process_story_security.json",
    "cases/correlation/process_story/Windows/System32/winevt/Logs/"
    "Microsoft-Windows-Sysmon%4Operational.evtx": "process_story_sysmon.json",
}


def main():
    for path, src in sorted(GOLDEN.items()):
        with open(os.path.join(HERE, path), "rb") as f:
            have = f.read()
        want = make_evtx.build(make_evtx.load(os.path.join(HERE, "data", "evtx", src)))
        check(have == want, "%s is make_evtx.py's output of %s" % (path, src))
    tmp = tempfile.mkdtemp()
    try:
        bad = write(tmp, "MSExchange Management.evtx", "msexchange_management_attacks.json")
        good = write(tmp, "benign.evtx", "msexchange_management_benign.json")
        if os.path.isdir(SIGMA):
            fs, _ = scan(["--no-builtin-rules", "--rules", SIGMA, bad])
            fired = {f["rule"] for f in fs}
            check(fired == SEVEN, "the seven SigmaHQ msexchange rules fire (missing: %s)"
                  % sorted(SEVEN - fired))
            f = [x for x in fs if x["rule"] == "win_exchange_transportagent_failed"]
            check(f and f[0]["source"]["record"] == 7 and f[0]["source"]["type"] == "evtx"
                  and f[0]["host"] == "EXCH01.corp.local",
                  "source.record is the EventRecordID, type evtx, host the Computer")
            fs, _ = scan(["--no-builtin-rules", "--rules", SIGMA, good])
            check(not fs, "no SigmaHQ msexchange rule fires on benign records "
                  "or on another channel (%s)" % sorted({x["rule"] for x in fs}))
        else:
            print("skip: no ../shared/data/thirdparty/sigma")
        # SigmaHQ's process_creation rules (Sysmon 1 names) on Security 4688:
        # Server 2016 (ParentProcessName) and 2012 R2 (parent linked by id)
        cve = os.path.join(HERE, "..", "..", "shared", "data", "thirdparty", "sigma",
                           "rules-emerging-threats", "2021", "Exploits", "CVE-2021-26857")
        if os.path.isdir(cve):
            um = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\UMWorkerProcess.exe"

            def p4688(t, new, pid, ppid, parent=None):
                d = {"SubjectUserName": "EXCH01$", "SubjectDomainName": "CORP",
                     "NewProcessId": pid, "NewProcessName": new, "ProcessId": ppid}
                if parent:
                    d["ParentProcessName"] = parent
                return {"Provider_Name": "Microsoft-Windows-Security-Auditing",
                        "EventID": 4688, "Channel": "Security", "Computer": "EXCH01",
                        "TimeCreated": t, "EventData": d}
            evs = [p4688("2021-03-03T05:00:00Z", um, "0x1a2c", "0x2d0"),
                   p4688("2021-03-03T05:01:00Z", "C:\\Windows\\System32\\cmd.exe",
                         "0x2210", "0x1a2c"),
                   p4688("2021-03-03T05:02:00Z", "C:\\Windows\\System32\\WerFault.exe",
                         "0x2214", "0x1a2c"),
                   p4688("2021-03-03T05:03:00Z", "C:\\Windows\\System32\\whoami.exe",
                         "0x2218", "0x2d4", parent=um)]
            path = os.path.join(tmp, "Security.evtx")
            with open(path, "wb") as f:
                f.write(make_evtx.build(evs))
            fs, _ = scan(["--no-builtin-rules", "--rules", cve, path])
            recs = sorted(f["source"]["record"] for f in fs
                          if f["rule"] == "proc_creation_win_exploit_cve_2021_26857_msexchange")
            check(recs == [2, 4], "SigmaHQ's CVE-2021-26857 process_creation rule fires on "
                  "4688: the linked child (record 2) and the Server 2016 one (4), not "
                  "WerFault (%s)" % recs)
        # a record's time is its TimeCreated, not the header's written time
        # (later for forwarded or copied records): findings, --since, coverage
        fwd = {"Provider_Name": "MSExchange CmdletLogs", "EventID": 1,
               "Channel": "MSExchange Management", "Computer": "EXCH01",
               "TimeCreated": "2021-03-03T05:00:00.250Z",
               "_written": "2021-03-03T05:00:30.000Z",
               "Data": ["Remove-MailboxExportRequest", "-Identity 'u\\x' -Confirm:$false"]}
        path = os.path.join(tmp, "forwarded.evtx")
        with open(path, "wb") as f:
            f.write(make_evtx.build([fwd]))
        fs, sums = scan([path])
        times = [f["time"] for f in fs if f["rule"] == "exchange_mgmt_remove_export_request"]
        cov = [c for s in sums for c in s["coverage"]]
        check(times == ["2021-03-03T05:00:00.250Z"] and len(cov) == 1
              and cov[0]["first"] == cov[0]["last"] == "2021-03-03T05:00:00.250Z",
              "finding time and coverage are TimeCreated, not the header time "
              "(%s, %s)" % (times, [(c["first"], c["last"]) for c in cov]))
        fs, _ = scan(["--since", "2021-03-03T05:00:10Z", path])
        check(not fs, "--since judges a record by its TimeCreated (%s)"
              % [f["rule"] for f in fs])
        # by signature under another name, from stdin, inside a zip
        renamed = os.path.join(tmp, "evidence.bin")
        shutil.copy(bad, renamed)
        for label, args, stdin in (
                ("a file named .evtx", [bad], None),
                ("a file of another name", [renamed], None),
                ("stdin", ["-"], open(bad, "rb").read()),
                ("a zip", [os.path.join(tmp, "c.zip")], None)):
            if label == "a zip":
                with zipfile.ZipFile(args[0], "w") as z:
                    z.write(bad, "C/Windows/System32/winevt/Logs/MSExchange Management.evtx")
            _, sums = scan(["--no-builtin-rules"] + args, stdin)
            cov = [c for s in sums for c in s["coverage"]]
            check(len(cov) == 1 and cov[0]["family"] == "evtx:MSExchange Management"
                  and cov[0]["files"] == 1 and cov[0]["records"] == 7
                  and cov[0]["first"] == "2021-03-03T05:01:02.123Z"
                  and cov[0]["last"] == "2021-08-14T01:01:00.000Z",
                  "read from %s, coverage evtx:MSExchange Management%s" % (
                      label, "" if len(cov) == 1 else ": %s" % cov))
    finally:
        shutil.rmtree(tmp)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
