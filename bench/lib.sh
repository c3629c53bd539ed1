# SPDX-License-Identifier: Apache-2.0
# Helpers the benchmark scripts source (`. bench/lib.sh`, from the top of
# the repository): wall times and medians. POSIX sh, GNU date and time.

# Milliseconds since the epoch.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# run_ms DEST CMD...: runs CMD with its stdout in DEST and its stderr in
# DEST.err, and prints its wall time in milliseconds. Exit status 1 is
# success (exhunt: a finding at or above --fail-on); any other failure
# prints DEST.err and returns 2. With RSS_FILE set, CMD runs under GNU time
# (TIME, default /usr/bin/time) and its peak RSS in KiB is the last line
# of RSS_FILE.
run_ms() {
    dest=$1
    shift
    st=0
    t0=$(now_ms)
    if [ -n "${RSS_FILE:-}" ]; then
        "${TIME:-/usr/bin/time}" -f %M -o "$RSS_FILE" "$@" >"$dest" \
            2>"$dest.err" || st=$?
    else
        "$@" >"$dest" 2>"$dest.err" || st=$?
    fi
    t1=$(now_ms)
    if [ "$st" -gt 1 ]; then
        echo "bench: $1 exited with status $st:" >&2
        tail -n 20 "$dest.err" >&2
        return 2
    fi
    echo $((t1 - t0))
}

# The median of whitespace-separated integers on stdin (the mean of the
# middle two for an even count, truncated).
median() {
    tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {
        if (NR % 2) print a[(NR + 1) / 2];
        else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
