# The pivot marks the client addresses that the --ioc address lists hold
# ("ioc": the lists' names) and only those: in the JSON lines, the text
# report and the HTML page, from a scan and from `exhunt report` of its
# saved JSON lines (which also re-reads output written before the field).
# The case: 203.0.113.10 is in a network of one list and listed in another;
# 198.51.100.20 and 192.0.2.30 are in none.
cd "$SRCDIR/tests/cases/correlation" || exit 1
"$EXHUNT" scan --no-progress -f jsonl --ioc ioc-lists same_name_shells > "$OLDPWD/f.jsonl"
echo "scan status $?"
"$EXHUNT" scan --no-progress -f text --ioc ioc-lists same_name_shells > "$OLDPWD/scan.txt"
"$EXHUNT" scan --no-progress -f html --ioc ioc-lists same_name_shells > "$OLDPWD/scan.html"
cd "$OLDPWD" || exit 1
python3 - <<'PY'
import json
for line in open('f.jsonl', encoding='utf-8'):
    o = json.loads(line)
    if o['kind'] == 'summary':
        for a in o['pivot']['addresses']:
            print('jsonl', a['value'], a.get('ioc', 'no ioc field'))
        for name in ('accounts', 'user_agents', 'files'):
            print('jsonl', name, 'with ioc:', sum('ioc' in e for e in o['pivot'][name]))
PY
grep -E '^      (203\.0\.113\.10|198\.51\.100\.20|192\.0\.2\.30)  ' scan.txt | sed 's/  (.*)//'
python3 - <<'PY'
import re
page = open('scan.html', encoding='utf-8').read()
for row in re.findall(r'<table class="pivot">.*?</table>', page, re.S)[0].split('</tr>'):
    m = re.search(r'<td class="ev">(.*?)</td>', row)
    if m:
        print('html', m.group(1))
PY
for fmt in text html jsonl; do
    "$EXHUNT" report -f $fmt -o r.$fmt f.jsonl
    echo "report -f $fmt status $?"
done
grep -v nonce scan.html > a; grep -v nonce r.html > b
cmp -s scan.txt r.text && echo "text: same as the scan's"
cmp -s a b && echo "html: same as the scan's"
cmp -s f.jsonl r.jsonl && echo "jsonl: same as the scan's"
# Output without the field (as before it existed) still renders, unmarked.
sed 's/,"ioc":\[[^]]*\]//g' f.jsonl > old.jsonl
"$EXHUNT" report -f text old.jsonl | grep -c '\[IOC list'
exit 0
