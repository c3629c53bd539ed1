# -f csv: the timeline. RFC 4180 (CRLF, quoted fields with commas or
# quotes), the Timesketch columns first, rows sorted by time, one row per
# incident; attacker payloads that start like a spreadsheet formula
# (= + - @) get a leading apostrophe; HTML in a field stays plain text.
"$EXHUNT" scan --no-progress -f csv -o t.csv "$SRCDIR/tests/data/cli/hostile_markup.LOG"
echo "status $?"
python3 - <<'PY'
import csv
raw = open('t.csv', 'rb').read()
print('crlf', raw.count(b'\r\n') == raw.count(b'\n'))
rows = list(csv.DictReader(open('t.csv', newline='', encoding='utf-8')))
print('columns', list(rows[0].keys())[:3], len(rows[0]))
print('sorted', [r['datetime'] for r in rows] == sorted(r['datetime'] for r in rows))
for r in rows:
    print(r['timestamp_desc'], '|', r['finding_id'] or '-', '|', r['incident'], '|', r['user_agent'])
bad = [v for r in rows for v in r.values() if v and v[0] in '=+-@']
print('cells starting like a formula:', len(bad))
PY
# -f is checked: an unknown format is a usage error.
"$EXHUNT" scan -f xml x 2>&1
echo "status $?"
"$EXHUNT" rules list -f csv 2>&1
echo "status $?"
