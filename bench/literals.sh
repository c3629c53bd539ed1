#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the pre-filter's literal search costs by itself (issue 2): the runs
# exhunt searches HttpProxy rows for (bench/search_runs.py, from
# `exhunt rules list -f jsonl`) compiled into one Hyperscan literal
# database by bench/hs_literals.c and run over the bytes of bench/run.sh's
# tree held in memory, on one thread; then the anchors exhunt's Hyperscan
# database holds for those runs instead (bench/plan_anchors.py, as
# hs_plan() chooses them), the runs without the HAFNIUM user-agent rule's 13
# long ones, and `serverinfo~` alone; and
# `rg -c ServerInfo~` over the tree as bench/run.sh runs it. A search over
# files in the page cache on 2 cores cannot take less than half the
# one-thread time; with exhunt's reading alone (`--no-builtin-rules`:
# records, times, coverage) added, the last line is the least exhunt/rg
# ratio the search and the reading allow before any rule runs.
#
# Environment: BENCH_SIZE_MIB (default 1024), BENCH_RUNS (default 5),
# EXHUNT (default build/exhunt), BENCH_DATA (default bench/data), CC
# (default cc).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
TREE=$DATA/httpproxy-${SIZE}M
OUT=$DATA/out-literals

for tool in "$EXHUNT" rg python3 "${CC:-cc}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (make build; apt-get install ripgrep)" >&2
        exit 2
    fi
done
mkdir -p "$OUT"
if [ ! -f "$TREE.manifest.json" ]; then
    python3 bench/gen_httpproxy.py --size-mib "$SIZE" "$TREE"
fi
"${CC:-cc}" -O2 -o "$OUT/hs_literals" bench/hs_literals.c -lhs
"$EXHUNT" rules list -f jsonl >"$OUT/rules.jsonl"
python3 bench/search_runs.py <"$OUT/rules.jsonl" >"$OUT/all.txt"
python3 bench/plan_anchors.py <"$OUT/all.txt" >"$OUT/anchors.txt"
python3 bench/search_runs.py hafnium_user_agent_post \
    <"$OUT/rules.jsonl" >"$OUT/no_ua.txt"
echo serverinfo~ >"$OUT/one.txt"
find "$TREE" -type f -name '*.LOG' | sort >"$OUT/files"

echo "tree: $TREE ($(wc -l <"$OUT/files") files); cores: $(nproc)"
for set in all anchors no_ua one; do
    printf '%-8s ' "$set:"
    xargs "$OUT/hs_literals" "$OUT/$set.txt" "$RUNS" <"$OUT/files" |
        tee "$OUT/$set.result"
done
rg --no-ignore -c 'ServerInfo~' "$TREE" >/dev/null || true
times=""
for i in $(seq "$RUNS"); do
    times="$times $(run_ms "$OUT/rg.out" rg --no-ignore -c 'ServerInfo~' "$TREE")"
done
rg_ms=$(echo "$times" | median)
"$EXHUNT" scan -q -f jsonl --no-progress --no-builtin-rules "$TREE" \
    >/dev/null 2>&1 || true
read_times=""
for i in $(seq "$RUNS"); do
    read_times="$read_times $(run_ms "$OUT/read.out" "$EXHUNT" scan -q \
        -f jsonl --no-progress --no-builtin-rules "$TREE")"
done
read_ms=$(echo "$read_times" | median)
all_ms=$(sed 's/.*median \([0-9.]*\) ms.*/\1/' "$OUT/anchors.result")
echo "rg -c ServerInfo~ over the tree: median $rg_ms ms (runs:$times)"
echo "exhunt scan --no-builtin-rules (reading, records, coverage):" \
    "median $read_ms ms (runs:$read_times)"
awk -v s="$all_ms" -v r="$rg_ms" -v d="$read_ms" 'BEGIN {
    printf "the anchors on 2 cores take at least %.0f ms: %.2f x rg\n",
        s / 2, s / 2 / r
    printf "reading plus that search: at least %.0f ms: %.2f x rg\n",
        d + s / 2, (d + s / 2) / r }'
