# --rate: at most N requests start per second, counting every request of
# every target (a target's second request waits its turn like a new
# target), as the server sees them arrive. Ten passive targets are twenty
# requests: at 10 per second they start 0.1 s apart (1.9 s from first to
# last; the server sees the first one a connection later, so 1.7 s and 11
# in any second are what it may see); without --rate they come at once.
# The limit paces requests, it does not drop any.
port=$(python3 -c '
import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$SRCDIR/tests/data/probe/clock_server.py" "$port" times.txt > server.out &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 300); do
    grep -q ready server.out 2>/dev/null && break
    sleep 0.1
done
# Ten targets on one server; --per-host 50 lets them all connect at once.
urls=$(for i in $(seq 10); do printf 'http://127.0.0.1:%s/t%s ' "$port" "$i"; done)
judge() {
    python3 -c '
import sys
t = sorted(float(x) for x in open("times.txt"))
span = t[-1] - t[0]
most = max(sum(1 for u in t if s <= u < s + 1.0) for s in t)
if sys.argv[1] == "limited":
    print("requests", len(t), "span>=1.7", span >= 1.7, "most-in-1s<=11", most <= 11)
else:
    print("requests", len(t), "span<1.9", span < 1.9)' "$1"
    rm times.txt
}
# shellcheck disable=SC2086
"$EXHUNT" probe -f jsonl --concurrency 50 --per-host 50 --rate 10 $urls > out.jsonl
echo "status $?"
grep -c '"kind":"probe","url":"[^"]*","error":null' out.jsonl
judge limited
# shellcheck disable=SC2086
"$EXHUNT" probe -f jsonl --concurrency 50 --per-host 50 $urls > /dev/null
judge unlimited
"$EXHUNT" probe --rate 0 x 2>&1
echo "status $?"
