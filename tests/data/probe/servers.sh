# Sourced by tests/cli/probe_*.sh: starts nginx (the Exchange stand-ins
# of nginx.conf.in) and hostile_server.py on free loopback ports
# in the current folder, and stops both when the test exits.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || exit 77
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ports=$(python3 -c '
import socket
ss=[socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()')
set -- $ports
PORT_UNPATCHED=$1 PORT_PATCHED=$2 PORT_MITIGATED=$3
PORT_HIDDEN=$4 PORT_CUONLY=$5 PORT_DECOY=$6
mkdir -p ngx/tmp
sed -e "s|PREFIX|$PWD/ngx|g" -e "s|PORT_UNPATCHED|$PORT_UNPATCHED|" \
    -e "s|PORT_PATCHED|$PORT_PATCHED|" -e "s|PORT_MITIGATED|$PORT_MITIGATED|" \
    -e "s|PORT_HIDDEN|$PORT_HIDDEN|" -e "s|PORT_CUONLY|$PORT_CUONLY|" \
    -e "s|PORT_DECOY|$PORT_DECOY|" \
    "$SRCDIR/tests/data/probe/nginx.conf.in" > ngx/nginx.conf
"$NGINX" -p "$PWD/ngx" -c "$PWD/ngx/nginx.conf" -e "$PWD/ngx/error.log" 2>ngx/start.log &
NGINX_PID=$!
python3 "$SRCDIR/tests/data/probe/hostile_server.py" 0 > hostile.out &
HOSTILE_PID=$!
trap 'kill $NGINX_PID $HOSTILE_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 100); do
    if grep -q ready hostile.out 2>/dev/null &&
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT_MITIGATED), 1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
# The first of hostile_server.py's four consecutive ports.
HOSTILE=$(sed -n 's/^ready //p' hostile.out)
U=http://127.0.0.1:$PORT_UNPATCHED P=http://127.0.0.1:$PORT_PATCHED M=http://127.0.0.1:$PORT_MITIGATED
HID=http://127.0.0.1:$PORT_HIDDEN CUO=http://127.0.0.1:$PORT_CUONLY DEC=http://127.0.0.1:$PORT_DECOY
