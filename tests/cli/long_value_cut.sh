# An evidence value over 4,096 bytes is cut at a character boundary, never
# inside one (no \xC3 from a cut 'é'), and ends in the documented mark with
# its full length, in every format: JSON lines (evidence and pivot), text
# (after the report's own 200-byte cut), CSV and HTML, scanned or replayed.
LOG="$SRCDIR/tests/data/cli/long_value.LOG"
"$EXHUNT" scan --no-progress -f jsonl -o f.jsonl "$LOG"; echo "status $?"
python3 - <<'PY'
import json
for o in map(json.loads, open('f.jsonl', encoding='utf-8')):
    if o['kind'] == 'finding' and 'UserAgent' in o['evidence']:
        ua = o['evidence']['UserAgent']
        print(o['rule'], len(ua.encode()), ua.count('A'), '\\xC3' in ua,
              ua[-30:])
    if o['kind'] == 'summary':
        print('pivot', [u['value'][-30:] for u in o['pivot']['user_agents']])
PY
for fmt in text csv html; do
    "$EXHUNT" scan --no-progress -f $fmt -o scan.$fmt "$LOG"
    "$EXHUNT" report -f $fmt -o report.$fmt f.jsonl
    for f in scan.$fmt report.$fmt; do
        printf '%s %s %s\n' $f "$(grep -c 'AAAA…\[truncated from 4101 bytes\]' $f)" \
            "$(grep -c '\\xC3' $f)"
    done
done
