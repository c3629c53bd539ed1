# The HTML report's timeline is interactive in a real browser: headless
# Chromium loads the demo report with one more script (carrying the page's
# own CSP nonce, so the policy admits it) that works the controls as a user
# would: the severity boxes, the source filter, Zoom in, Zoom to an
# incident, Reset; it writes what the timeline then shows into the page,
# which --dump-dom returns. Expected counts come from the page's own data
# block. Skipped (77) where chromium is missing.
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    echo "chromium is not installed (apt-get install chromium)" >&2
    exit 77
fi
"$EXHUNT" scan --no-progress -f html -o demo.html "$SRCDIR/examples"
echo "status $?"
python3 - <<'PY'
import re
page = open('demo.html', encoding='utf-8').read()
nonce = re.search(r"'nonce-([0-9a-f]+)'", page).group(1)
test = r'''<script nonce="%s">
(function(){
var out=[],tl=document.querySelector('.timeline');
function st(){return tl.querySelector('.tl-status').textContent;}
function pts(){return tl.querySelectorAll('circle.ev').length;}
function win(){var m=st().match(/shown, (\S+) to (\S+)\./);return Date.parse(m[2])-Date.parse(m[1]);}
function btn(t){return Array.prototype.filter.call(tl.querySelectorAll('button'),function(b){return b.textContent.indexOf(t)===0;})[0];}
function set(c,v){c.checked=v;c.dispatchEvent(new Event('change'));}
out.push('all '+pts());
tl.querySelectorAll('input.tl-sev').forEach(function(c){if(c.value!=='critical')set(c,false);});
out.push('critical '+pts());
tl.querySelectorAll('input.tl-sev').forEach(function(c){set(c,true);});
var sel=tl.querySelector('select.tl-src');
out.push('sources '+Array.prototype.map.call(sel.options,function(o){return o.value||'-';}).join(','));
sel.value='iis';sel.dispatchEvent(new Event('change'));out.push('iis '+pts());
sel.value='';sel.dispatchEvent(new Event('change'));
var w=win();btn('Zoom in').click();out.push('zoomed '+(Math.abs(win()*2-w)<=2000));
btn('Reset').click();out.push('reset '+(win()===w)+' '+pts());
btn('Zoom to i-').click();out.push('incident '+pts());
var r=document.createElement('pre');r.id='tl-test';r.textContent=out.join('\n');document.body.appendChild(r);
})();
</script>''' % nonce
open('demo-test.html', 'w', encoding='utf-8').write(page.replace('</body>', test + '</body>'))
PY
timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$PWD/profile" --virtual-time-budget=5000 \
    --dump-dom "file://$PWD/demo-test.html" 2>/dev/null > demo.dom ||
    { echo "chromium failed" >&2; exit 1; }
python3 - <<'PY'
import html, json, re
d = open('demo.dom', encoding='utf-8').read()
m = re.search(r'<pre id="tl-test">(.*?)</pre>', d, re.S)
if not m:
    print('the test script did not run')
    raise SystemExit
got = dict(l.split(' ', 1) for l in html.unescape(m.group(1)).splitlines())
data = json.loads(re.search(r'<script type="application/json" class="tl-data">(.*?)</script>',
                            open('demo.html', encoding='utf-8').read(), re.S).group(1))
pts = data['findings']
inc = data['incidents'][0]
print('points', got['all'], 'of', len(pts))
print('critical box only:', got['critical'], 'points, expected',
      sum(p['sev'] == 'critical' for p in pts))
print('sources offered:', got['sources'])
print('source iis only:', got['iis'], 'points, expected', sum(p['src'] == 'iis' for p in pts))
print('zoom in halves the window:', got['zoomed'])
print('reset restores the window and points:', got['reset'])
print('zoom to', inc['id'] + ':', got['incident'], 'points, its findings with a time:',
      sum(p['id'] in inc['findings'] for p in pts))
PY
