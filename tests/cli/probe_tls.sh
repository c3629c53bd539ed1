# A server whose TLS certificate does not verify (nginx on loopback with a
# self-signed certificate made here by openssl): by default it is not
# probed and the error says why and how to opt out (exit 3); with
# --insecure it is probed like any other (X-OWA-Version of an unpatched
# Exchange 2016 CU19, so exit 1).
command -v openssl >/dev/null 2>&1 || exit 77
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || exit 77
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
port=$(python3 -c '
import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p ngx/tmp
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ngx/key.pem -out ngx/cert.pem -days 2 -subj /CN=localhost 2>/dev/null
cat > ngx/nginx.conf <<CONF
daemon off;
pid $PWD/ngx/nginx.pid;
error_log $PWD/ngx/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $PWD/ngx/tmp;
    proxy_temp_path $PWD/ngx/tmp;
    fastcgi_temp_path $PWD/ngx/tmp;
    uwsgi_temp_path $PWD/ngx/tmp;
    scgi_temp_path $PWD/ngx/tmp;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $PWD/ngx/cert.pem;
        ssl_certificate_key $PWD/ngx/key.pem;
        location = /owa/auth/logon.aspx {
            add_header X-OWA-Version 15.1.2176.2;
            return 200 '<html></html>';
        }
        location / { return 404; }
    }
}
CONF
"$NGINX" -p "$PWD/ngx" -c "$PWD/ngx/nginx.conf" -e "$PWD/ngx/error.log" 2>ngx/start.log &
NGINX_PID=$!
trap 'kill $NGINX_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done
U=https://127.0.0.1:$port
"$EXHUNT" probe "$U" 2>&1 | sed "s|$U|SELF-SIGNED|"
echo "status ${PIPESTATUS[0]}"
"$EXHUNT" probe -f jsonl "$U" | sed "s|$U|SELF-SIGNED|" | grep -o '"kind":"probe","url":"[^"]*","error":"[^"]*"'
"$EXHUNT" probe --insecure -f jsonl "$U" | sed "s|$U|SELF-SIGNED|" |
    grep -o '"kind":"probe","url":"[^"]*","error":null,"build":{"version":"[^"]*"'
echo "status ${PIPESTATUS[0]}"
