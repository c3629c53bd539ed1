# --min-severity high hides the low finding from the output but changes
# neither the summary (counts, verdicts) nor the exit status.
log="$SRCDIR/tests/data/cli/proxylogon.LOG"
"$EXHUNT" scan --no-progress -f jsonl "$log" > all.jsonl
echo "all: $?"
"$EXHUNT" scan --no-progress -f jsonl --min-severity high "$log" > high.jsonl
echo "high: $?"
python3 - <<'PY'
import json
def load(p):
    return [json.loads(l) for l in open(p, encoding='utf-8')]
a, h = load('all.jsonl'), load('high.jsonl')
sev = lambda rows: sorted({r['severity'] for r in rows if r['kind'] == 'finding'})
print('all:', sev(a))
print('high:', sev(h))
sa = [r for r in a if r['kind'] == 'summary']
sh = [r for r in h if r['kind'] == 'summary']
print('summaries equal:', sa == sh)
print('low counted:', sh[0]['counts']['findings']['low'] > 0)
PY
"$EXHUNT" scan --no-progress --min-severity high "$log" > high.txt
grep -c '^1 lower-severity finding not shown (--min-severity high)$' high.txt
