#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Test servers that misbehave as nginx cannot: on consecutive ports from
# PORT, one that accepts and never answers (stall), one that sends headers
# without end, one whose body never ends (huge), one that answers garbage.
# PORT 0 picks free consecutive ports itself (so that tests running side by
# side never race for them). Prints "ready PORT" once listening; runs until
# killed.
import os
import random
import socket
import sys
import threading
import time

BEHAVIOURS = ['stall', 'headers', 'body', 'garbage']


def serve(sock, kind):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn, kind), daemon=True).start()


def handle(conn, kind):
    try:
        conn.recv(65536)
        if kind == 'stall':
            time.sleep(3600)
        elif kind == 'headers':
            conn.sendall(b'HTTP/1.1 200 OK\r\n')
            n = 0
            while True:
                conn.sendall(b'X-Filler-%d: %s\r\n' % (n, b'a' * 200))
                n += 1
        elif kind == 'body':
            conn.sendall(b'HTTP/1.1 200 OK\r\nX-OWA-Version: 15.1.2176.2\r\n'
                         b'Content-Length: 100000000000\r\n\r\n')
            while True:
                conn.sendall(b'<a href="/owa/auth/99999.1.1/">' * 1000)
        else:
            conn.sendall(b'\x00\xff garbage \r\n\r\n' * 10)
    except OSError:
        pass
    finally:
        conn.close()


def listen(port):
    """Sockets listening on port, port + 1, ...; None if one is taken."""
    socks = []
    try:
        for i in range(len(BEHAVIOURS)):
            s = socket.socket()
            socks.append(s)
            s.bind(('127.0.0.1', port + i))
            s.listen(64)
        return socks
    except OSError:
        for s in socks:
            s.close()
        return None


def main():
    port = int(sys.argv[1])
    if port:
        socks = listen(port)
    else:
        rng = random.Random(os.getpid())
        socks = None
        while socks is None:
            port = rng.randrange(20000, 60000)
            socks = listen(port)
    if socks is None:
        sys.exit('hostile_server.py: port %d or the next ones are taken' % port)
    for s, kind in zip(socks, BEHAVIOURS):
        threading.Thread(target=serve, args=(s, kind), daemon=True).start()
    print('ready %d' % port, flush=True)
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    main()
