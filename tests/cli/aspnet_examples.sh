# False-positive check: the legitimate ASP.NET pages of Debian's
# asp.net-examples package (about a hundred .aspx/.ashx/.ascx pages, code
# behind, web.config files; `make deps` installs it) give no finding with
# the built-in rules, every file scanned (--all-files). Skipped where the
# package is not installed.
DEMOS=/usr/share/asp.net-demos
[ -d "$DEMOS" ] || exit 77
"$EXHUNT" scan -f jsonl --no-progress --all-files "$DEMOS" > out.jsonl
echo "exit $?"
python3 - <<'PY'
import json
objs = [json.loads(l) for l in open('out.jsonl')]
for o in objs:
    if o['kind'] == 'finding':
        print('finding', o['rule'], o['source']['path'])
s = [o for o in objs if o['kind'] == 'summary']
print('summaries', len(s))
files = s[0]['counts']['scanned'] if s else 0
print('files scanned: at least 100' if files >= 100 else 'files scanned: %d' % files)
print('backdoored', s[0]['verdict']['backdoored'] if s else None)
PY
