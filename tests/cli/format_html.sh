# -f html: one self-contained page. Attacker payloads in log data
# (<script>, "><img onerror>, </script>) are text, never markup: the page
# parses to our two script elements only (the timeline's JSON data and the
# page script, which carries the CSP nonce), no img element, no event
# handler attribute; the payloads appear as text. Nothing is fetched from
# the network (no src or href other than #anchors).
"$EXHUNT" scan --no-progress -f html -o r.html "$SRCDIR/tests/data/cli/hostile_markup.LOG"
echo "status $?"
python3 - <<'PY'
import html.parser, json, re
page = open('r.html', encoding='utf-8').read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = {}; self.handlers = []; self.links = []
        self.text = []; self.in_script = None; self.scripts = []
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k.startswith('on'): self.handlers.append((tag, k))
            if k in ('src', 'href') and not (v or '').startswith('#'): self.links.append(v)
        if tag == 'script':
            self.in_script = dict(attrs); self.scripts.append([dict(attrs), ''])
    def handle_endtag(self, tag):
        if tag == 'script': self.in_script = None
    def handle_data(self, d):
        if self.in_script is not None: self.scripts[-1][1] += d
        else: self.text.append(d)
p = P(); p.feed(page)
print('script elements', p.tags.get('script'), 'img elements', p.tags.get('img', 0))
print('event handler attributes', p.handlers)
print('external links', p.links)
csp = re.search(r'script-src \'nonce-([0-9a-f]+)\'', page)
print('csp nonce', bool(csp), [s[0].get('nonce') == csp.group(1) for s in p.scripts if 'nonce' in s[0]])
data = json.loads([s[1] for s in p.scripts if s[0].get('type') == 'application/json'][0])
print('timeline points', len(data['findings']), 'incidents', [i['id'] for i in data['incidents']])
text = ''.join(p.text)
for payload in ['<script>alert(1)</script>"><img src=x onerror=alert(2)>',
                "=cmd|' /C calc'!A0", '</script><script>alert(3)</script>']:
    print('shown as text:', payload in text)
print('verdicts', re.findall(r'class="verdict v-([a-z-]+)"', page))
PY
