# -f csv: no cell a spreadsheet could take for a formula. HttpProxy rows
# (the hostile-markup log's exploitation row) whose user agent an attacker
# wrote as =HYPERLINK(...), +..., -..., @..., a tab or CR then =, spaces
# then =, a full-width equals sign, or a quoted "=1+1": every such cell
# reads as text (leading apostrophe), and a plain agent is left alone.
python3 - "$SRCDIR/tests/data/cli/hostile_markup.LOG" <<'PY'
import csv, io, sys
lines = open(sys.argv[1], encoding='utf-8', errors='surrogateescape').read().split('\n')
hdr = [l for l in lines if l.startswith('#')]
fields = hdr[-1][len('#Fields: '):].split(',')
base = next(csv.reader([l for l in lines if l and not l.startswith('#')]))
agents = ['=HYPERLINK("http://x.test/","click")', "+1+cmd|' /C calc'!A0",
          '-2+3+cmd', '@SUM(1+1)*cmd', '\t=1+1', '\r=1+1', '  =1+1',
          '\uff1d1+1', '\uff0b1', '"=1+1"', 'python-requests/2.25.1']
out = io.StringIO()
w = csv.writer(out, lineterminator='\n')
for i, a in enumerate(agents):
    r = list(base)
    r[fields.index('UserAgent')] = a
    r[fields.index('DateTime')] = '2021-03-02T04:%02d:00.000Z' % (20 + i)
    w.writerow(r)
open('formulas.LOG', 'w', encoding='utf-8', errors='surrogateescape').write(
    '\n'.join(hdr) + '\n' + out.getvalue())
PY
"$EXHUNT" scan --no-progress -f csv -o t.csv formulas.LOG
echo "status $?"
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open('t.csv', newline='', encoding='utf-8')))
for r in rows:
    if r['finding_id']:
        print(repr(r['user_agent']))
starts = ('=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20')
bad = [v for r in rows for v in r.values() if v and v.lstrip(' ').startswith(starts)]
print('cells a spreadsheet could take for a formula:', len(bad))
PY
