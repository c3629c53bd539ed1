# Compressed and archived input is read as what it holds: zip, tar and
# tar.gz collections on stdin (as the same bytes are as a file target), a
# gzip- or bzip2-compressed log as target and on stdin, and compressed logs
# in an Exchange log folder; data that cannot be decompressed is named and
# counted unreadable (exit 3 when nothing else could be read).
LOG="$SRCDIR/tests/data/cli/proxylogon.LOG"
D='C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp'
mkdir -p "kape/$D" kape/C/Windows/System32
cp "$LOG" "kape/$D/HttpProxy_2021030204-1.LOG"
touch kape/2021-03-10T101010_CopyLog.csv
(cd kape && python3 -c 'import os, zipfile
with zipfile.ZipFile("../kape.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in sorted(os.walk(".")):
        for f in fs:
            z.write(os.path.join(d, f))'
 tar -cf ../kape.tar C 2021-03-10T101010_CopyLog.csv
 tar -czf ../kape.tar.gz C 2021-03-10T101010_CopyLog.csv)
for f in kape.zip kape.tar kape.tar.gz; do
    "$EXHUNT" scan -q --no-progress - < $f
    echo "$f on stdin: exit $?"
done
# Members of stdin are named "-!/C/...", with their drive's Windows path.
"$EXHUNT" scan -f jsonl --no-progress - < kape.tar.gz | python3 -c 'import json, sys
f = [o for o in map(json.loads, sys.stdin) if o.get("rule") == "proxylogon_ssrf_serverinfo"][0]
print(f["source"]["path"].replace("Microsoft/Exchange Server/V15/", ""))
print(f["source"]["windows_path"].replace("Microsoft\\Exchange Server\\V15\\", ""))'
gzip -c "$LOG" > one.LOG.gz
bzip2 -c "$LOG" > one.LOG.bz2
"$EXHUNT" scan -q --no-progress one.LOG.gz; echo "one.LOG.gz: exit $?"
"$EXHUNT" scan -q --no-progress one.LOG.bz2; echo "one.LOG.bz2: exit $?"
"$EXHUNT" scan -q --no-progress - < one.LOG.gz; echo "one.LOG.gz on stdin: exit $?"
mkdir -p "vol/$D" vol/Windows/System32
cp one.LOG.gz "vol/$D/HttpProxy_2021030204-1.LOG.gz"
head -c 100 one.LOG.gz > "vol/$D/HttpProxy_2021030205-1.LOG.gz"
"$EXHUNT" scan -f jsonl --no-progress vol | python3 -c 'import json, sys
for o in map(json.loads, sys.stdin):
    if o["kind"] == "summary":
        print("vol:", o["verdict"]["exploited"], o["counts"]["unreadable"],
              [(c["family"], c["files"], c["records"]) for c in o["coverage"]])
        for e in o["errors"]:
            print(" ", e["path"].split("/")[-1] + ":", e["message"])'
head -c 100 one.LOG.gz > cut.LOG.gz
"$EXHUNT" scan -q --no-progress cut.LOG.gz 2>&1; echo "cut.LOG.gz: exit $?"
