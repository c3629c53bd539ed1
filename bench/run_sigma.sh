#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark (issue 3): exhunt with all built-in rules and the third-party
# Sigma rules of ../shared against `rg -F -i` searching those rules'
# pre-filter literals, over the same tree of generated HttpProxy
# (bench/gen_httpproxy.py) plus IIS (bench/gen_iis.py) logs in the page
# cache. One untimed warm-up each, then RUNS timed runs alternating the two;
# prints each run, the medians, the ratio exhunt/rg, GB/s of both and
# exhunt's peak RSS. The literals are what `exhunt rules list -f jsonl`
# reports for the rules that have a reader (a field sequence by its longest
# run), so rg does the search exhunt's pre-filter does and nothing more.
# With BENCH_FLAT=1 it also scans 4 GiB of HttpProxy logs once and compares
# exhunt's peak RSS with the 1 GiB run (target: within 10%).
#
# Environment: BENCH_RUNS (default 5), EXHUNT (default build/exhunt),
# BENCH_DATA (default bench/data), SIGMA (default
# ../shared/data/thirdparty/sigma), BENCH_FLAT (default 0).
set -eu

cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
SIGMA=${SIGMA:-../shared/data/thirdparty/sigma}
HP=$DATA/httpproxy-1024M
IIS=$DATA/iis-512M
OUT=$DATA/out-sigma
TIME=/usr/bin/time

for tool in "$EXHUNT" rg python3 "$TIME"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (build exhunt with 'make build';" \
             "apt-get install ripgrep time python3)" >&2
        exit 2
    fi
done
[ -d "$SIGMA" ] || { echo "bench: no Sigma rules at $SIGMA" >&2; exit 2; }
[ -f "$HP.manifest.json" ] ||
    python3 bench/gen_httpproxy.py --size-mib 1024 "$HP"
[ -f "$IIS.manifest.json" ] || python3 bench/gen_iis.py --size-mib 512 "$IIS"
mkdir -p "$OUT"

"$EXHUNT" rules list -f jsonl --rules "$SIGMA" 2>/dev/null | python3 -c '
import json, sys
lits, open_rules = set(), []
for line in sys.stdin:
    d = json.loads(line)
    if "literals" not in d or not d["has_reader"]:
        continue
    if not d["literals"]:
        open_rules.append(d["name"])
    for lit in d["literals"]:
        lits.add(max(lit.split("*"), key=len))
with open(sys.argv[1], "w") as f:
    f.write("".join(sorted(l + "\n" for l in lits if l)))
print("literals: %d; rules that see every record (no literal): %s"
      % (len(lits), ", ".join(open_rules) or "none"))
' "$OUT/literals.txt"

BYTES=$(python3 -c 'import json,sys; print(sum(json.load(open(p))["bytes"] for p in sys.argv[1:]))' \
    "$HP.manifest.json" "$IIS.manifest.json")

# run_ms; every timed command's peak RSS (KiB) into $OUT/rss.
. bench/lib.sh
RSS_FILE=$OUT/rss

ex() { run_ms "$OUT/exhunt.jsonl" "$EXHUNT" scan -q -f jsonl --no-progress \
    --rules "$SIGMA" "$HP" "$IIS"; }
rgrun() { run_ms "$OUT/rg.txt" rg --no-ignore -F -i -c -f "$OUT/literals.txt" \
    "$HP" "$IIS"; }

echo "input: $BYTES bytes (HttpProxy 1 GiB + IIS 512 MiB), runs: $RUNS"
ex >/dev/null
rgrun >/dev/null
: >"$OUT/times"
i=1
while [ "$i" -le "$RUNS" ]; do
    e=$(ex)
    rss=$(tail -1 "$OUT/rss")
    r=$(rgrun)
    echo "run $i: exhunt $e ms (peak RSS $rss KiB), rg -F $r ms"
    echo "$e $r $rss" >>"$OUT/times"
    i=$((i + 1))
done

python3 - "$OUT/times" "$BYTES" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
e = statistics.median(int(r[0]) for r in rows)
g = statistics.median(int(r[1]) for r in rows)
rss = max(int(r[2]) for r in rows)
size = int(sys.argv[2])
print("median: exhunt %d ms (%.2f GB/s), rg -F %d ms (%.2f GB/s); "
      "ratio %.2f (target <= 2); peak RSS %.1f MiB"
      % (e, size / e / 1e6, g, size / g / 1e6, e / g, rss / 1024))
PY
python3 - "$OUT/exhunt.jsonl" <<'PY'
import collections, json, sys
by_rule = collections.Counter()
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["kind"] == "finding":
        by_rule[d["rule"]] += d.get("count", 1)
    elif d["kind"] == "summary":
        c = d["counts"]
        print("records %d, to the rules %d (%.2f%%)" % (
            c["records"], c["prefilter_passed"],
            100.0 * c["prefilter_passed"] / max(1, c["records"])))
for rule, n in sorted(by_rule.items()):
    print("  %-50s %d rows" % (rule, n))
PY

if [ "${BENCH_FLAT:-0}" = 1 ]; then
    HP4=$DATA/httpproxy-4096M
    [ -f "$HP4.manifest.json" ] ||
        python3 bench/gen_httpproxy.py --size-mib 4096 "$HP4"
    run_ms "$OUT/flat.jsonl" "$EXHUNT" scan -q -f jsonl --no-progress --rules "$SIGMA" \
        "$HP" >/dev/null
    r1=$(tail -1 "$OUT/rss")
    run_ms "$OUT/flat.jsonl" "$EXHUNT" scan -q -f jsonl --no-progress --rules "$SIGMA" \
        "$HP4" >/dev/null
    r4=$(tail -1 "$OUT/rss")
    python3 -c 'import sys; a,b=int(sys.argv[1]),int(sys.argv[2]); print("peak RSS: 1 GiB %.1f MiB, 4 GiB %.1f MiB (%+.1f%%; target within 10%%)" % (a/1024, b/1024, 100.0*(b-a)/a))' "$r1" "$r4"
fi
