# The HTML report in a real browser: headless Chromium (Debian's chromium)
# renders the demo report of examples/ and the page with attacker markup,
# runs their script, and dumps the DOM. Asserts the verdicts, the timeline
# the script drew (points and incident bands), a known finding, and that no
# payload became an element. Skipped (77) where chromium is missing.
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    echo "chromium is not installed (apt-get install chromium)" >&2
    exit 77
fi
dom() {
    # As root Chromium needs --no-sandbox.
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$PWD/profile" --virtual-time-budget=5000 \
        --dump-dom "file://$PWD/$1" 2>/dev/null
}
"$EXHUNT" scan --no-progress -f html -o demo.html "$SRCDIR/examples"
echo "status $?"
dom demo.html > demo.dom || { echo "chromium failed" >&2; exit 1; }
"$EXHUNT" scan --no-progress -f html -o hostile.html "$SRCDIR/tests/data/cli/hostile_markup.LOG"
dom hostile.html > hostile.dom || { echo "chromium failed" >&2; exit 1; }
python3 - <<'PY'
import re
d = open('demo.dom', encoding='utf-8').read()
print('verdicts', re.findall(r'class="verdict v-([a-z-]+)"><span class="label">(\w+)', d))
import json
data = json.loads(re.search(r'<script type="application/json" class="tl-data">(.*?)</script>', d, re.S).group(1))
pts = len(re.findall(r'<circle class="ev sev-', d))
print('timeline: one point per finding with a time', pts == len(data['findings']) and pts > 15)
print('timeline: one band per incident', len(re.findall(r'<rect class="band"', d)) == len(data['incidents']) > 0)
print('status line', bool(re.search(r'class="tl-status">(\d+) of \1 findings with a time shown', d)))
m = re.search(r'<details class="finding sev-critical" id="f-000004"><summary>([^<]*)<span class="sevname">critical</span> ([^<]*)', d)
print('finding f-000004', m and m.group(1).strip(), '|', m and m.group(2).strip())
print('story', 'the client 203.0.113.77' in d)
h = open('hostile.dom', encoding='utf-8').read()
print('hostile: img elements', len(re.findall(r'<img\b', h)),
      'script elements', len(re.findall(r'<script\b', h)),
      'points drawn', len(re.findall(r'<circle class="ev sev-', h)))
print('hostile: payload shown as text', '&lt;script&gt;alert(1)&lt;/script&gt;' in h)
PY
