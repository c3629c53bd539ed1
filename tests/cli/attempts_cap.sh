# More attempts than the per-rule cap (1,000 low findings a rule): 1,005
# scanner probes at localhost from 1,005 clients within one hour give 1,005
# findings, 5 of them suppressed, and the exploited reason still counts
# every attempt row. Header from tests/data/cli/proxylogon.LOG (itself from
# ../shared/data/exchange-logs' Ecp HttpProxy sample).
python3 - "$SRCDIR/tests/data/cli/proxylogon.LOG" > probes.LOG <<'PY'
import sys
lines = open(sys.argv[1], newline='').read().splitlines()
head = lines[:5]
fields = head[4][len('#Fields: '):].split(',')
out = list(head)
for i in range(1005):
    v = dict.fromkeys(fields, '')
    v.update(DateTime='2021-03-02T04:%02d:%02d.000Z' % (i // 60 % 60, i % 60),
             RequestId='probe-%d' % i, Protocol='Owa', UrlStem='/owa/auth/x.js',
             AnchorMailbox='ServerInfo~localhost/ecp/default.flt?~3',
             ClientIpAddress='10.%d.%d.%d' % (i >> 16 & 255, i >> 8 & 255, i & 255),
             HttpStatus='200', Method='GET')
    out.append(','.join(v[f] for f in fields))
print('\r\n'.join(out), end='\r\n')
PY
"$EXHUNT" scan -f jsonl --no-progress probes.LOG 2>/dev/null | python3 -c '
import json, sys
rows = 0
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "finding" and o["rule"] == "proxylogon_ssrf_localhost":
        rows += o["count"]
    if o["kind"] == "summary":
        print("written rows:", rows, "suppressed:", o["counts"]["suppressed"])
        print("exploited:", o["verdict"]["exploited"] + ":", o["verdict"]["reasons"]["exploited"])'
