# Coverage is judged per exploitation wave (rules/waves.csv: ProxyLogon
# 2021-01-06, ProxyShell 2021-08-01, ProxyNotShell 2022-08-01, OWASSRF
# 2022-11-17): logs that begin before every wave get no warning; logs that
# begin between two waves name the earlier waves only; however many waves
# the logs miss, the family gets one warning sentence (JSON and text, where
# it wraps at 90 columns under the family's line). Exploited is no-sign only
# where the logs also run on past the last wave's start with no silence
# over 6 hours after the first one's: one day in 2020 ends before every
# wave; rows every 5 hours from 2020-12-01 to 2022-12-01 cover them all;
# the same with a 7-hour silence in 2022 and with one in 2020 (before
# every wave, so it does not matter).
# One benign HttpProxy row, its header from tests/data/cli/proxylogon.LOG
# (itself from ../shared/data/exchange-logs' Ecp HttpProxy sample).
for day in 2020-12-01 2021-05-10 2021-09-01 2022-12-01; do
    { sed -n 1,5p "$SRCDIR/tests/data/cli/proxylogon.LOG"
      sed -n 6p "$SRCDIR/tests/data/cli/proxylogon.LOG" |
          sed "s/^2021-03-02T/${day}T/"; } > "hp-$day.LOG"
    echo "== $day"
    "$EXHUNT" scan -f jsonl --no-progress "hp-$day.LOG" 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for c in o["coverage"]:
            print("json:", c["family"], c["first"][:10], len(c["warnings"]))
            for w in c["warnings"]:
                print("  " + w)
        print("exploited:", o["verdict"]["exploited"] + ":", o["verdict"]["reasons"]["exploited"])'
    "$EXHUNT" scan --no-progress "hp-$day.LOG" 2>/dev/null |
        sed -n '/^Log coverage/,/^$/p' | sed 's/ *$//'
done

# Rows every 5 hours over two years, with a silence (7 hours) or not.
for silence in none 2022-03-01 2020-12-20; do
    python3 - "$SRCDIR/tests/data/cli/proxylogon.LOG" "$silence" > "span-$silence.LOG" <<'PY'
import datetime, sys
lines = open(sys.argv[1], newline='').read().splitlines()
row = lines[5]
print('\r\n'.join(lines[:5]), end='\r\n')
t = datetime.datetime(2020, 12, 1, 4, 10, 1)
end = datetime.datetime(2022, 12, 1)
skip = None if sys.argv[2] == 'none' else datetime.datetime.fromisoformat(sys.argv[2])
while t < end:
    print(t.strftime('%Y-%m-%dT%H:%M:%S') + row[19:], end='\r\n')
    t += datetime.timedelta(hours=5)
    if skip and t >= skip:
        t += datetime.timedelta(hours=2)
        skip = None
PY
    echo "== rows every 5 hours, silence: $silence"
    "$EXHUNT" scan -f jsonl --no-progress "span-$silence.LOG" 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for c in o["coverage"]:
            print("json:", c["family"], c["first"][:10], c["last"][:10], c["records"], len(c["gaps"]), len(c["warnings"]))
        print("exploited:", o["verdict"]["exploited"] + ":", o["verdict"]["reasons"]["exploited"])'
done
