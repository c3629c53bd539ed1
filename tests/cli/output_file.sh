# -o FILE writes the report there (stdout stays empty); -o inside a target
# folder is refused, so the scan never writes into the evidence.
log="$SRCDIR/tests/data/cli/proxylogon.LOG"
"$EXHUNT" scan --no-progress -f jsonl -o out.jsonl "$log"
echo "status $?"
python3 -c "import json; rows=[json.loads(l) for l in open('out.jsonl')]; print(rows[-1]['kind'], sum(r['kind']=='finding' for r in rows) > 0)"
mkdir evidence && cp "$log" evidence/
"$EXHUNT" scan --no-progress -o evidence/report.txt evidence 2>&1
echo "status $?"
test -e evidence/report.txt || echo "not written"
"$EXHUNT" scan --no-progress -o no-such-dir/out.txt "$log" 2>&1
echo "status $?"
