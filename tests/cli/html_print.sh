# The HTML report printed: headless Chromium prints the demo report to PDF
# (--print-to-pdf fires beforeprint, as a user's print does) and
# pdftotext reads it back. Every finding's table is on paper (the page
# opens each <details> before printing): one "rule NAME (category)" row
# per finding of the JSON lines, with evidence; the verdicts and the
# incident's story are there; the timeline's buttons are not (the print
# stylesheet hides them). Skipped (77) without chromium or pdftotext.
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ] || ! command -v pdftotext >/dev/null; then
    echo "chromium or pdftotext (poppler-utils) is not installed" >&2
    exit 77
fi
"$EXHUNT" scan --no-progress -f html -o demo.html "$SRCDIR/examples"
echo "status $?"
"$EXHUNT" scan --no-progress -f jsonl -o demo.jsonl "$SRCDIR/examples"
timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$PWD/profile" --no-pdf-header-footer \
    --print-to-pdf="$PWD/demo.pdf" "file://$PWD/demo.html" 2>/dev/null ||
    { echo "chromium failed" >&2; exit 1; }
pdftotext -layout demo.pdf demo.txt || { echo "pdftotext failed" >&2; exit 1; }
python3 - <<'PY'
import json, re
text = open('demo.txt', encoding='utf-8').read()
lines = [json.loads(l) for l in open('demo.jsonl', encoding='utf-8')]
findings = [l for l in lines if l['kind'] == 'finding']
rows = re.findall(r'^\s*rule\s+([a-z0-9_]+) \(([a-z-]+)\)', text, re.M)
print('findings', len(findings), 'rule rows on paper', len(rows))
print('same rules', sorted(r for r, _ in rows) == sorted(f['rule'] for f in findings))
print('evidence printed', 'ServerInfo~a]@exch01.contoso.local' in text)
for v in ('Vulnerable', 'Exploited', 'Backdoored'):
    print(v, bool(re.search(r'\b' + v + r'\b', text)))
print('story', 'the client 203.0.113.77' in text)
print('buttons hidden', 'Zoom in' not in text and 'Zoom to i-' not in text)
PY
