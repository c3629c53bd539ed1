#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exhunt probe speed: N loopback targets (distinct host:port pairs: one
# nginx listening on 127.0.0.1:PORT answers as 127.x.y.z for every z, so no
# per-host limit applies) probed with 200 connections. Target: 1,000 in
# under 10 seconds (issue 6).
#   bench/probe_bench.sh [N]      (needs nginx; uses build/exhunt)
set -euo pipefail
N=${1:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/tmp"
cat > "$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
worker_processes 2;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/tmp;
    server {
        listen $port;
        location = /owa/auth/logon.aspx {
            add_header X-OWA-Version 15.1.2176.2;
            return 200 '<html></html>';
        }
        location / { return 404; }
    }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
echo $! > "$work/pid"
sleep 0.5
python3 - "$N" "$port" > "$work/targets" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(f"http://127.{1 + i // 65025}.{(i // 255) % 255}.{1 + i % 255}:{port}")
PY
ulimit -n 8192 2>/dev/null || true
start=$(date +%s.%N)
"$here/build/exhunt" probe -f jsonl --concurrency 200 --timeout 10 \
    --targets "$work/targets" > "$work/out.jsonl" || true
end=$(date +%s.%N)
probed=$(grep -c '"kind":"probe".*"error":null' "$work/out.jsonl" || true)
echo "exhunt probe: $N targets, $probed answered, $(python3 -c "print(round($end - $start, 2))") s (200 connections)"
