#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# An HTTP server for tests/cli/probe_rate.sh: answers every request 404 at
# once (keep-alive) and appends to OUT the monotonic time, in seconds, at
# which each request arrived, one a line. Prints "ready"; runs until killed.
#   clock_server.py PORT OUT
import socket
import sys
import threading
import time

lock = threading.Lock()


def handle(conn, out):
    data = b''
    try:
        while True:
            while b'\r\n\r\n' not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            data = data.split(b'\r\n\r\n', 1)[1]
            with lock, open(out, 'a') as f:
                f.write('%.6f\n' % time.monotonic())
            conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    except OSError:
        pass
    finally:
        conn.close()


def main():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', int(sys.argv[1])))
    sock.listen(128)
    print('ready', flush=True)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn, sys.argv[2]),
                         daemon=True).start()


if __name__ == '__main__':
    main()
