#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A slow HTTP server for tests/cli/probe_per_host.sh: answers every request
# 404 after DELAY seconds (keep-alive) and writes to OUT, after each
# change, the most connections it had open at once and the most requests
# it was answering at once since OUT was last removed. Prints "ready"; runs until killed.
#   count_server.py PORT DELAY OUT
import os
import socket
import sys
import threading
import time

lock = threading.Lock()
now = {'conns': 0, 'requests': 0}
peak = {'conns': 0, 'requests': 0}


def change(key, delta):
    with lock:
        now[key] += delta
        if not os.path.exists(sys.argv[3]):
            peak.update(now)
        peak[key] = max(peak[key], now[key])
        with open(sys.argv[3], 'w') as f:
            f.write('connections %d requests %d\n' %
                    (peak['conns'], peak['requests']))


def handle(conn, delay):
    change('conns', 1)
    data = b''
    try:
        while True:
            while b'\r\n\r\n' not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            data = data.split(b'\r\n\r\n', 1)[1]
            change('requests', 1)
            time.sleep(delay)
            change('requests', -1)
            conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    except OSError:
        pass
    finally:
        conn.close()
        change('conns', -1)


def main():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', int(sys.argv[1])))
    sock.listen(128)
    print('ready', flush=True)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn, float(sys.argv[2])),
                         daemon=True).start()


if __name__ == '__main__':
    main()
