# --since/--until on event logs (written by tests/make_evtx.py): the
# channel's coverage (first, last, EventRecordID breaks) holds only the
# records inside the window, the records the rules saw; "records" counts
# every record read. Ten Security events an hour apart, ids 1001..1010 with
# 1005 missing: the window 03:00..07:00 holds ids 1003, 1004, 1006, 1007
# (the break between 1004 and 1006 is inside it), 01:00..04:00 ids 1001
# to 1004 (no break).
python3 - "$SRCDIR/tests/make_evtx.py" <<'PY'
import json, subprocess, sys
events = []
for i in range(1, 11):
    if i == 5:
        continue
    events.append({"Provider_Name": "Microsoft-Windows-Security-Auditing",
                   "EventID": 4624, "Level": 0, "Channel": "Security",
                   "Computer": "EXCH01.corp.local",
                   "TimeCreated": "2021-03-02T%02d:00:00.000Z" % i,
                   "EventRecordID": 1000 + i,
                   "EventData": {"TargetUserName": "alice", "LogonType": "3"}})
json.dump(events, open("events.json", "w"))
subprocess.run([sys.executable, sys.argv[1], "events.json", "Security.evtx"], check=True)
PY
for window in "" "--since 2021-03-02T03:00 --until 2021-03-02T07:00" \
              "--since 2021-03-02T01:00 --until 2021-03-02T04:00"; do
    echo "== window: ${window:-none}"
    "$EXHUNT" scan -f jsonl --no-progress $window Security.evtx 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for c in o["coverage"]:
            print(c["family"], c["records"], c["first"], c["last"],
                  [(g.get("reason"), g.get("from_record"), g.get("to_record")) for g in c["gaps"]])'
done
