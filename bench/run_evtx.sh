#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark: exhunt scan (built-in rules plus the third-party Sigma rules in
# ../shared/data/thirdparty/sigma) against `evtxexport -f xml >/dev/null`
# (Debian's libevtx-utils) over the same tree of EVTX files, built once by
# bench/gen_evtx.py from the real chunks of ../shared/data/evtx (records
# renumbered, checksums recomputed) into bench/data/, which git ignores.
# One untimed warm-up run each, then RUNS timed runs alternating the two;
# prints the medians, MB/s and records/s of each, the ratio, and exhunt's
# peak RSS.
#
# Environment: BENCH_SIZE_MIB (default 1024), BENCH_RUNS (default 5),
# EXHUNT (default build/exhunt), BENCH_DATA (default bench/data).
set -eu

cd "$(dirname "$0")/.."
SIZE=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
TREE=$DATA/evtx-${SIZE}M
OUT=$DATA/out
TIME=/usr/bin/time
SIGMA=../shared/data/thirdparty/sigma

for tool in "$EXHUNT" evtxexport python3 "$TIME"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (make build; apt-get install" \
             "libevtx-utils time python3)" >&2
        exit 2
    fi
done
RULES=
[ -d "$SIGMA" ] && RULES="--rules $SIGMA"

if [ ! -f "$TREE/.done" ]; then
    rm -rf "$TREE"
    python3 bench/gen_evtx.py --size-mib "$SIZE" "$TREE"
    touch "$TREE/.done"
fi
mkdir -p "$OUT"

# run_ms (exhunt's peak RSS in KiB into $OUT/rss), now_ms and median.
. bench/lib.sh
RSS_FILE=$OUT/rss

run_exhunt() {
    # shellcheck disable=SC2086
    run_ms "$OUT/exhunt.jsonl" "$EXHUNT" scan -f jsonl --no-progress $RULES \
        "$TREE"
}

run_evtxexport() {
    t0=$(now_ms)
    for f in "$TREE"/*.evtx; do
        evtxexport -f xml "$f" >/dev/null 2>&1
    done
    echo $(($(now_ms) - t0))
}

bytes=$(cat "$TREE"/*.evtx | wc -c)
echo "tree: $TREE ($((bytes / 1048576)) MiB," \
     "$(ls "$TREE"/*.evtx | wc -l) files); cores: $(nproc)"
run_exhunt >/dev/null
records=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o["kind"]=="summary":
        n+=sum(c["records"] for c in o["coverage"] if c["family"].startswith("evtx:"))
print(n)' "$OUT/exhunt.jsonl")
run_evtxexport >/dev/null

ex_times=
ee_times=
rss_max=0
i=1
while [ "$i" -le "$RUNS" ]; do
    ms=$(run_exhunt)
    ex_times="$ex_times $ms"
    rss=$(tail -n 1 "$OUT/rss")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    ms2=$(run_evtxexport)
    ee_times="$ee_times $ms2"
    echo "run $i: exhunt ${ms} ms (peak RSS ${rss} KiB), evtxexport ${ms2} ms"
    i=$((i + 1))
done

ex_med=$(echo "$ex_times" | median)
ee_med=$(echo "$ee_times" | median)
awk -v a="$ex_med" -v b="$ee_med" -v by="$bytes" -v r="$records" \
    -v k="$rss_max" 'BEGIN {
    printf "exhunt: median %d ms, %.1f MB/s, %.0f records/s\n",
        a, by / 1e3 / a, r * 1000 / a;
    printf "evtxexport -f xml: median %d ms, %.1f MB/s, %.0f records/s\n",
        b, by / 1e3 / b, r * 1000 / b;
    printf "ratio evtxexport/exhunt: %.1f (target >= 10, aim 20): %s\n",
        b / a, (b / a >= 10) ? "met" : "MISSED";
    printf "exhunt peak RSS: %.1f MiB, records: %d\n", k / 1024, r }'
