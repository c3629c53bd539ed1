# --ioc address lists on event logs (written by tests/make_evtx.py): the
# remote addresses and hosts of Security (IpAddress, also as Windows'
# ::ffff: form, ClientAddress, WorkstationName, Workstation,
# TargetServerName, ClientName), Sysmon (SourceIp, DestinationIp,
# SourceHostname, DestinationHostname, QueryName) and RDP session events
# (Address) match, as suspicious findings of the list's rule: an exact
# address, a network, a domain and a name under it. Near misses do not: a
# longer address, a name that only ends like the domain, an address outside
# the network, an address in a command line, an IpAddress field of another
# channel.
printf '# case addresses\n198.51.100.7;attacker\n10.9.0.0/16\nevil.example;c2 domain\n' > case-address-iocs.txt
python3 - "$SRCDIR/tests/make_evtx.py" <<'PY'
import json, subprocess, sys
sec = "Microsoft-Windows-Security-Auditing"
sysmon = "Microsoft-Windows-Sysmon"
rdp = "Microsoft-Windows-TerminalServices-LocalSessionManager"
n = [0]
def ev(provider, eid, channel, data=None, user=None):
    n[0] += 1
    e = {"Provider_Name": provider, "EventID": eid, "Level": 4,
         "Channel": channel, "Computer": "EXCH01.corp.local",
         "TimeCreated": "2022-10-04T08:%02d:00.000Z" % n[0],
         "EventRecordID": 1000 + n[0]}
    if data is not None:
        e["EventData"] = data
    if user is not None:
        e["UserData"] = user
    return e
logon = {"TargetUserName": "alice", "TargetDomainName": "CORP", "LogonType": "3",
         "IpPort": "51515"}
files = {
 "Security": [
  # matches
  ev(sec, 4624, "Security", dict(logon, IpAddress="198.51.100.7", WorkstationName="KALI")),
  ev(sec, 4625, "Security", dict(logon, IpAddress="10.9.3.4", WorkstationName="-")),
  ev(sec, 4648, "Security", {"SubjectUserName": "alice", "TargetServerName": "dc01.evil.example",
                             "IpAddress": "-"}),
  ev(sec, 4769, "Security", {"TargetUserName": "alice@CORP", "ServiceName": "EXCH01$",
                             "IpAddress": "::ffff:198.51.100.7"}),
  ev(sec, 4776, "Security", {"TargetUserName": "alice", "Workstation": "evil.example"}),
  ev(sec, 4778, "Security", {"AccountName": "alice", "ClientName": "WS7",
                             "ClientAddress": "10.9.200.1"}),
  # near misses
  ev(sec, 4624, "Security", dict(logon, IpAddress="198.51.100.70", WorkstationName="notevil.example")),
  ev(sec, 4624, "Security", dict(logon, IpAddress="10.10.0.1", WorkstationName="evil.example.org")),
  ev(sec, 4688, "Security", {"NewProcessName": "C:\\Windows\\System32\\ping.exe",
                             "CommandLine": "ping 198.51.100.7 evil.example"}),
 ],
 "Microsoft-Windows-Sysmon/Operational": [
  ev(sysmon, 3, "Microsoft-Windows-Sysmon/Operational",
     {"Image": "C:\\Windows\\System32\\rundll32.exe", "Protocol": "tcp", "SourceIp": "10.0.0.5",
      "SourceHostname": "EXCH01.corp.local", "DestinationIp": "198.51.100.7",
      "DestinationHostname": "-", "DestinationPort": "443"}),
  ev(sysmon, 3, "Microsoft-Windows-Sysmon/Operational",
     {"Image": "C:\\Windows\\System32\\rundll32.exe", "Protocol": "tcp", "SourceIp": "10.0.0.5",
      "SourceHostname": "EXCH01.corp.local", "DestinationIp": "203.0.113.9",
      "DestinationHostname": "cdn.c2.evil.example", "DestinationPort": "443"}),
  ev(sysmon, 22, "Microsoft-Windows-Sysmon/Operational",
     {"Image": "C:\\Windows\\System32\\nslookup.exe", "QueryName": "evil.example",
      "QueryResults": "::ffff:198.51.100.7;"}),
  # near misses
  ev(sysmon, 3, "Microsoft-Windows-Sysmon/Operational",
     {"Image": "C:\\Program Files\\Browser\\b.exe", "Protocol": "tcp", "SourceIp": "10.0.0.5",
      "SourceHostname": "EXCH01.corp.local", "DestinationIp": "198.51.100.77",
      "DestinationHostname": "evil.example.net", "DestinationPort": "443"}),
  ev(sysmon, 1, "Microsoft-Windows-Sysmon/Operational",
     {"Image": "C:\\Windows\\System32\\curl.exe",
      "CommandLine": "curl http://198.51.100.7/evil.example"}),
 ],
 "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational": [
  ev(rdp, 21, "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
     user={"EventXML": {"User": "CORP\\alice", "SessionID": "3", "Address": "198.51.100.7"}}),
  ev(rdp, 25, "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
     user={"EventXML": {"User": "CORP\\bob", "SessionID": "4", "Address": "192.0.2.10"}}),
 ],
 "Application": [
  ev("SomeApp", 1000, "Application", {"IpAddress": "198.51.100.7", "QueryName": "evil.example"}),
 ],
}
for i, (channel, events) in enumerate(files.items()):
    with open("events%d.json" % i, "w") as f:
        json.dump(events, f)
    subprocess.run([sys.executable, sys.argv[1], "events%d.json" % i, "log%d.evtx" % i], check=True)
PY
"$EXHUNT" scan -f jsonl --no-progress --ioc case-address-iocs.txt log0.evtx log1.evtx log2.evtx log3.evtx \
    2>/dev/null > out.jsonl
echo "exit $?"
python3 - <<'PY'
import json
rows = []
for line in open("out.jsonl"):
    o = json.loads(line)
    if o["kind"] != "finding" or not o["rule"].startswith("ioc_"):
        continue
    k, v = next(iter(o["evidence"].items()))
    rows.append("%s %s %s %s %s=%s" % (o["rule"], o["category"], o["severity"],
                                      o["evidence"]["EventID"], k, v))
print("\n".join(sorted(rows)))
pivot = [json.loads(l) for l in open("out.jsonl") if '"kind":"summary"' in l]
for s in pivot:
    print("addresses:", " ".join(sorted(a["value"] for a in s["pivot"]["addresses"])))
PY
