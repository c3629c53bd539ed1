#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark: `exhunt scan IMAGE` against `exhunt scan FOLDER` on the same
# tree of generated HttpProxy logs (bench/gen_httpproxy.py). The image is a
# raw NTFS volume (mkntfs, sparse) filled through an ntfs-3g mount with the
# tree under Program Files/Microsoft/Exchange Server/V15 beside an empty
# Windows/System32, made once into bench/data/ (git ignores it). One
# untimed warm-up each, then RUNS timed runs alternating the two; prints the
# median wall times and the ratio image/folder (issue 7's target: at most
# 1.5), and checks both scans gave the same number of findings.
#
# Environment: BENCH_SIZE_MIB (log tree, default 1024), BENCH_IMAGE_GIB
# (volume size, default 4), BENCH_RUNS (default 5), EXHUNT (default
# build/exhunt), BENCH_DATA (default bench/data). Needs root and /dev/fuse
# (ntfs-3g mount) the first time only.
set -eu

cd "$(dirname "$0")/.."
SIZE=${BENCH_SIZE_MIB:-1024}
GIB=${BENCH_IMAGE_GIB:-4}
RUNS=${BENCH_RUNS:-5}
EXHUNT=${EXHUNT:-build/exhunt}
DATA=${BENCH_DATA:-bench/data}
TREE=$DATA/httpproxy-${SIZE}M
IMAGE=$DATA/image-${SIZE}M-${GIB}G.raw
OUT=$DATA/out-image
V15="Program Files/Microsoft/Exchange Server/V15"

for tool in "$EXHUNT" python3 mkntfs ntfs-3g fusermount; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench: $tool not found (make build; apt-get install ntfs-3g)" >&2
        exit 2
    fi
done
if [ ! -f "$TREE.manifest.json" ]; then
    rm -rf "$TREE"
    python3 bench/gen_httpproxy.py --size-mib "$SIZE" "$TREE"
fi
if [ ! -f "$IMAGE" ]; then
    rm -f "$IMAGE.tmp"
    truncate -s "${GIB}G" "$IMAGE.tmp"
    mkntfs -F -q -Q "$IMAGE.tmp" >/dev/null 2>&1
    mnt=$DATA/mnt.$$
    mkdir -p "$mnt"
    ntfs-3g "$IMAGE.tmp" "$mnt"
    mkdir -p "$mnt/Windows/System32" "$mnt/$V15"
    cp -r "$TREE/." "$mnt/$V15/"
    fusermount -u "$mnt"
    rmdir "$mnt"
    mv "$IMAGE.tmp" "$IMAGE"
fi
mkdir -p "$OUT"

. bench/lib.sh

echo "tree: $TREE ($(du -sh "$TREE" | cut -f1)); image: $IMAGE" \
     "(${GIB} GiB volume, $(du -sh "$IMAGE" | cut -f1) allocated);" \
     "cores: $(nproc)"
run_ms "$OUT/folder.jsonl" "$EXHUNT" scan -f jsonl --no-progress "$TREE" \
    >/dev/null
run_ms "$OUT/image.jsonl" "$EXHUNT" scan -f jsonl --no-progress "$IMAGE" \
    >/dev/null
img_times=
dir_times=
i=1
while [ "$i" -le "$RUNS" ]; do
    a=$(run_ms "$OUT/image.jsonl" "$EXHUNT" scan -f jsonl --no-progress \
        "$IMAGE")
    b=$(run_ms "$OUT/folder.jsonl" "$EXHUNT" scan -f jsonl --no-progress \
        "$TREE")
    img_times="$img_times $a"
    dir_times="$dir_times $b"
    echo "run $i: image ${a} ms, folder ${b} ms"
    i=$((i + 1))
done
img_med=$(echo "$img_times" | median)
dir_med=$(echo "$dir_times" | median)
ratio=$(awk -v a="$img_med" -v b="$dir_med" \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')
echo "median wall time: image ${img_med} ms, folder ${dir_med} ms," \
     "ratio image/folder ${ratio}"
awk -v r="$ratio" 'BEGIN { printf "target ratio <= 1.5: %s\n",
    (r != "inf" && r <= 1.5) ? "met" : "MISSED" }'
fi_img=$(grep -c '"kind":"finding"' "$OUT/image.jsonl" || true)
fi_dir=$(grep -c '"kind":"finding"' "$OUT/folder.jsonl" || true)
echo "findings: image $fi_img, folder $fi_dir"
[ "$fi_img" -eq "$fi_dir" ]
