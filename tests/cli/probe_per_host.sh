# --per-host: one host:port never gets more than N connections at once, as a
# real (slow) server counts them, while --concurrency allows many more;
# targets of other hosts go on meanwhile. Twelve URLs of one server (the
# path does not count: each is the server), passive (two requests each).
port=$(python3 -c '
import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$SRCDIR/tests/data/probe/count_server.py" "$port" 0.2 peak.txt > server.out &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 300); do
    grep -q ready server.out 2>/dev/null && break
    sleep 0.1
done
urls=$(for i in $(seq 12); do printf 'http://127.0.0.1:%s/t%s ' "$port" "$i"; done)
# shellcheck disable=SC2086
"$EXHUNT" probe -f jsonl --concurrency 50 --per-host 2 $urls > out.jsonl
echo "status $?"
grep -c '"kind":"probe"' out.jsonl
cat peak.txt
rm peak.txt
# The same host in other spellings is the same host:port.
# shellcheck disable=SC2086
"$EXHUNT" probe -f jsonl --concurrency 50 --per-host 1 "http://127.0.0.1:$port" \
    "http://127.0.0.1:$port/" "http://127.0.0.1:$port/x" > /dev/null
cat peak.txt
rm peak.txt
# A higher limit lets more through: more than 2 at once, never more than 6.
# shellcheck disable=SC2086
"$EXHUNT" probe -f jsonl --concurrency 50 --per-host 6 $urls > /dev/null
python3 -c '
words = open("peak.txt").read().split()
c, r = int(words[1]), int(words[3])
print("per-host 6:", 2 < r <= 6 and c <= 6)'
"$EXHUNT" probe --per-host 0 x 2>&1
echo "status $?"
