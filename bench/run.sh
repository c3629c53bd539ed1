#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark: exhunt scan against `rg -c 'ServerInfo~'` over the same tree of
# generated HttpProxy logs (bench/gen_httpproxy.py; made once into
# bench/data/, which git ignores). One untimed warm-up run each, then RUNS
# timed runs alternating the tools; prints the median wall times, the
# ratio exhunt/rg, exhunt's peak RSS, and checks exhunt's findings against
# the generator's manifest. Exit status 1 when the findings do not match.
#
# exhunt runs twice per round: with all its built-in rules (the default
# scan, the figure that counts), and with only the ProxyLogon rules issue 2
# asked for (rules/exchange/proxylogon_*.yml through --no-builtin-rules
# --rules), which shows what the later waves' rules cost. The injected rows
# are all ProxyLogon's, so both runs must give the manifest's findings.
#
# Environment: BENCH_SIZE_MIB (default 1024), BENCH_RUNS (default 5),
# EXHUNT (default build/exhunt), BENCH_DATA (default bench/data).
set -eu

cd "$(dirname "$0")/.."
SIZE=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
TREE=$DATA/httpproxy-${SIZE}M
MANIFEST=$TREE.manifest.json
OUT=$DATA/out
TIME=/usr/bin/time

for tool in "$EXHUNT" rg python3 "$TIME"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (build exhunt with 'make build';" \
             "apt-get install ripgrep time python3)" >&2
        exit 2
    fi
done

if [ ! -f "$MANIFEST" ]; then
    rm -rf "$TREE"
    python3 bench/gen_httpproxy.py --size-mib "$SIZE" "$TREE"
fi
mkdir -p "$OUT"

# run_ms and median; every timed command's peak RSS (KiB) into $OUT/rss.
. bench/lib.sh
RSS_FILE=$OUT/rss

echo "tree: $TREE ($(du -sh "$TREE" | cut -f1)," \
     "$(find "$TREE" -type f | wc -l) files); cores: $(nproc)"
# The ProxyLogon rules alone.
rm -rf "$OUT/rules-proxylogon"
mkdir -p "$OUT/rules-proxylogon"
cp rules/exchange/proxylogon_*.yml "$OUT/rules-proxylogon/"
# The literals of the built-in rules, for rg.
"$EXHUNT" rules list -f jsonl | python3 bench/search_runs.py \
    >"$OUT/literals.txt"
# Warm the page cache and check the tools run.
run_ms "$OUT/exhunt.jsonl" "$EXHUNT" scan -f jsonl --no-progress "$TREE" \
    >/dev/null
run_ms "$OUT/exhunt-pl.jsonl" "$EXHUNT" scan -f jsonl --no-progress \
    --no-builtin-rules --rules "$OUT/rules-proxylogon" "$TREE" >/dev/null
run_ms "$OUT/rg.txt" rg --no-ignore -c 'ServerInfo~' "$TREE" >/dev/null
run_ms "$OUT/rg-all.txt" rg --no-ignore -c -i -F -f "$OUT/literals.txt" \
    "$TREE" >/dev/null

ex_times=
pl_times=
rg_times=
rga_times=
rss_max=0
i=1
while [ "$i" -le "$RUNS" ]; do
    ms=$(run_ms "$OUT/exhunt.jsonl" "$EXHUNT" scan -f jsonl --no-progress \
        "$TREE")
    ex_times="$ex_times $ms"
    rss=$(tail -n 1 "$OUT/rss")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    ms2=$(run_ms "$OUT/rg.txt" rg --no-ignore -c 'ServerInfo~' "$TREE")
    rg_times="$rg_times $ms2"
    ms3=$(run_ms "$OUT/exhunt-pl.jsonl" "$EXHUNT" scan -f jsonl \
        --no-progress --no-builtin-rules --rules "$OUT/rules-proxylogon" \
        "$TREE")
    pl_times="$pl_times $ms3"
    ms4=$(run_ms "$OUT/rg-all.txt" rg --no-ignore -c -i -F \
        -f "$OUT/literals.txt" "$TREE")
    rga_times="$rga_times $ms4"
    echo "run $i: exhunt ${ms} ms (peak RSS ${rss} KiB), rg ${ms2} ms," \
         "exhunt with the ProxyLogon rules ${ms3} ms," \
         "rg with the rules' literals ${ms4} ms"
    i=$((i + 1))
done

# a / b to two decimals, "inf" for b 0.
ratio() {
    awk -v a="$1" -v b="$2" \
        'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'
}
ex_med=$(echo "$ex_times" | median)
pl_med=$(echo "$pl_times" | median)
rg_med=$(echo "$rg_times" | median)
rga_med=$(echo "$rga_times" | median)
ratio=$(ratio "$ex_med" "$rg_med")
pl_ratio=$(ratio "$pl_med" "$rg_med")
all_ratio=$(ratio "$ex_med" "$rga_med")
rss_mib=$(awk -v k="$rss_max" 'BEGIN { printf "%.1f", k / 1024 }')
echo "median wall time: exhunt ${ex_med} ms, rg ${rg_med} ms," \
     "ratio exhunt/rg ${ratio}"
echo "with only the ProxyLogon rules (rules/exchange/proxylogon_*.yml):" \
     "exhunt ${pl_med} ms, ratio exhunt/rg ${pl_ratio}"
echo "rg with the $(wc -l <"$OUT/literals.txt") literals of the built-in" \
     "rules (rg -i -F -f): ${rga_med} ms, ratio exhunt/rg ${all_ratio}"
echo "exhunt peak RSS: ${rss_mib} MiB"
awk -v r="$ratio" -v m="$rss_mib" 'BEGIN {
    printf "target ratio <= 2: %s; target peak RSS < 64 MiB: %s\n",
        (r != "inf" && r <= 2) ? "met" : "MISSED",
        (m < 64) ? "met" : "MISSED" }'
echo "findings against $MANIFEST:"
st=0
python3 bench/check_manifest.py "$MANIFEST" "$OUT/exhunt.jsonl" \
    "$OUT/rg.txt" || st=1
echo "findings with only the ProxyLogon rules:"
python3 bench/check_manifest.py "$MANIFEST" "$OUT/exhunt-pl.jsonl" \
    "$OUT/rg.txt" || st=1
exit $st
