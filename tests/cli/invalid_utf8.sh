# Bytes that are not UTF-8 in a log value: the JSON stays valid UTF-8 and
# carries them as the text \xNN ("\\xNN" in JSON source).
"$EXHUNT" scan --no-progress -f jsonl "$SRCDIR/tests/data/cli/hostile.LOG" > out.jsonl
echo "status $?"
python3 - <<'PY'
import json
raw = open('out.jsonl', 'rb').read()
text = raw.decode('utf-8')          # raises on invalid UTF-8
rows = [json.loads(l) for l in text.splitlines()]
f = [r for r in rows if r['kind'] == 'finding'][0]
ua = f['evidence']['UserAgent']
print(ascii(ua))
print('\\\\xFF' in text, b'\x1b' in raw)
PY
