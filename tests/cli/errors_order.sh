# The errors of a unit come in path order, the same whatever -j is and
# however threads finish; past 100, the first 100 in that order are listed
# and the rest counted. 130 binary files named .LOG (each an error) in a
# log folder, made in a shuffled order.
python3 - <<'PY'
import os, random
os.makedirs("Logging/HttpProxy/Owa")
names = ["HttpProxy_2021030%d%02d-%d.LOG" % (d, h, k)
         for d in range(1, 6) for h in range(0, 24, 4) for k in range(1, 6)][:130]
random.Random(7).shuffle(names)
for n in names:
    with open("Logging/HttpProxy/Owa/" + n, "wb") as f:
        f.write(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4)
PY
for j in 1 2 4 1 2 4; do
    "$EXHUNT" scan -q -f jsonl --no-progress -j $j Logging 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        e = o["errors"]
        paths = [x["path"] for x in e]
        print(len(e), o.get("errors_omitted"), paths == sorted(paths), paths[0], paths[-1])'
done | sort | uniq -c
