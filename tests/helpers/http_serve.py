#!/usr/bin/env python3
"""A misbehaving-on-demand HTTP server for the probe tests (standard library only).

usage: http_serve.py [--delay MS] [--lifetime S] [--unix PATH] PORTFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE with temp + rename;
with --unix, on the stream socket PATH instead, and PORTFILE gets 0) and
appends every request head it reads to LOGFILE. With --delay it writes
PORTFILE at once but listens only after MS milliseconds: until then a
connect is refused. It exits by itself after LIFETIME seconds (default 60).

What it answers depends on the request path:
  /ok /healthz  200 OK             /redirect  302 Found (Location: /elsewhere)
  /missing      404 Not Found      /down      503 Service Unavailable
  /garbage      bytes that are no HTTP     /endless  a 200 whose header never ends
  /close        closes without a reply     /silent   reads, never answers
  /drip         a 200 head, one byte every 100 ms, never finished
"""
import os
import socket
import sys
import threading
import time

REPLIES = {
    "/ok": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "/healthz": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "/redirect": b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    "/missing": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    "/down": b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
    "/garbage": b"\x00\xffSSH-2.0-OpenSSH_9.6\r\n\x1b[31m",
}


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve(conn, log):
    try:
        head = read_head(conn)
        with open(log, "ab") as f:
            f.write(head + b"--\n")
        parts = head.split(b" ")
        path = parts[1].decode("latin-1") if len(parts) > 1 else ""
        if path in REPLIES:
            conn.sendall(REPLIES[path])
        elif path == "/endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Endless: ")
            while True:
                conn.sendall(b"a" * 1024)
        elif path == "/silent":
            time.sleep(30)
        elif path == "/drip":
            for c in b"HTTP/1.1 200 OK\r\nX-Drip: " + b"d" * 1000:
                conn.sendall(bytes([c]))
                time.sleep(0.1)
        # /close and anything else: closed without a word
    except OSError:
        pass
    finally:
        conn.close()


def main():
    opts = {"delay": "0", "lifetime": "60", "unix": None}
    argv = sys.argv[1:]
    while argv and argv[0].startswith("--"):
        opts[argv[0][2:]] = argv[1]
        argv = argv[2:]
    portfile, log = argv
    if opts["unix"]:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(opts["unix"])
        port = 0
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delay = float(opts["delay"]) / 1000
    if not delay:
        sock.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    if delay:
        time.sleep(delay)
        sock.listen(16)
    end = time.monotonic() + float(opts["lifetime"])
    sock.settimeout(0.2)
    while time.monotonic() < end:
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, log), daemon=True).start()


if __name__ == "__main__":
    main()
