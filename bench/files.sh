#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark: `exhunt scan --all-files` against `yara -p 2 -r` with the same
# built-in YARA rules over one tree of generated files shaped like an
# Exchange server's web and install folders (bench/gen_files.py; made once
# into bench/data/, which git ignores). One untimed warm-up run each, then
# RUNS timed runs alternating the two tools; prints each run, the median
# wall times and the ratio exhunt/yara, and the files each tool reported.
#
# The comparison is not even, and says so: exhunt also hashes every file
# (SHA-256), matches the hash and file-name IOC lists and the baselines,
# scans server pages a second time in their canonical form, and writes
# JSON; yara gets the rules exported as one .yar with the five external
# variables given once by -d (so the rules that read them per file,
# exchange_page_in_aspnet_client, exchange_pst_as_webshell and
# postex_staged_archive, cannot fire there).
#
# Environment: BENCH_FILES (default 20000), BENCH_RUNS (default 5),
# EXHUNT (default build/exhunt), BENCH_DATA (default bench/data),
# BENCH_THREADS (default 2: yara -p and exhunt -j).
set -eu

cd "$(dirname "$0")/.."
FILES=${BENCH_FILES:-20000}
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
THREADS=${BENCH_THREADS:-2}
TREE=$DATA/files-$FILES
OUT=$DATA/out-files

for tool in "$EXHUNT" yara python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (build exhunt with 'make build';" \
             "apt-get install yara python3)" >&2
        exit 2
    fi
done
if [ ! -f "$TREE.manifest.json" ]; then
    rm -rf "$TREE"
    python3 bench/gen_files.py --files "$FILES" "$TREE"
fi
mkdir -p "$OUT"
# The built-in rules as one file (rules refer to others of their file only).
cat rules/yara/*.yar > "$OUT/rules.yar"
EXT="-d filename= -d filepath= -d extension= -d filetype= -d owner="

. bench/lib.sh

ex() {
    run_ms "$OUT/exhunt.jsonl" "$EXHUNT" scan -f jsonl --no-progress \
        --all-files -j "$THREADS" "$TREE"
}
ya() {
    # shellcheck disable=SC2086
    run_ms "$OUT/yara.txt" yara -p "$THREADS" -r -w $EXT "$OUT/rules.yar" \
        "$TREE"
}

echo "tree: $TREE ($(du -sh "$TREE" | cut -f1)," \
     "$(find "$TREE" -type f | wc -l) files); cores: $(nproc)"
ex >/dev/null
ya >/dev/null
ex_all=""
ya_all=""
i=1
while [ "$i" -le "$RUNS" ]; do
    e=$(ex)
    y=$(ya)
    echo "run $i: exhunt $e ms, yara $y ms"
    ex_all="$ex_all $e"
    ya_all="$ya_all $y"
    i=$((i + 1))
done
em=$(echo "$ex_all" | median)
ym=$(echo "$ya_all" | median)
echo "median: exhunt $em ms, yara $ym ms, ratio exhunt/yara" \
     "$(awk -v a="$em" -v b="$ym" 'BEGIN { printf "%.2f", a / b }')"
python3 - "$OUT" "$TREE" <<'PY'
import json, os, sys
out, tree = sys.argv[1], sys.argv[2]
objs = [json.loads(l) for l in open(os.path.join(out, 'exhunt.jsonl'))]
files = {o['source']['path'] for o in objs if o['kind'] == 'finding'}
s = [o for o in objs if o['kind'] == 'summary'][0]['counts']
ya = {l.split(' ', 1)[1].strip() for l in open(os.path.join(out, 'yara.txt'))
      if ' ' in l}
planted = json.load(open(tree + '.manifest.json'))['planted']
print('exhunt: %d files scanned (hashed), %d skipped, %d unreadable; '
      'findings on %d files' % (s['scanned'], s['skipped'], s['unreadable'],
                                len(files)))
print('yara: matches on %d files; planted shells: %d' % (len(ya),
                                                          len(planted)))
PY
