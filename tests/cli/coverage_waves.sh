# Coverage is judged per exploitation wave (rules/waves.csv: ProxyLogon
# 2021-01-06, ProxyShell 2021-08-01, ProxyNotShell 2022-08-01, OWASSRF
# 2022-11-17): logs that begin before every wave get no warning; logs that
# begin between two waves name the earlier waves only; however many waves
# the logs miss, the family gets one warning sentence (JSON and text, where
# it wraps at 90 columns under the family's line).
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
