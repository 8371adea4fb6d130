#!/usr/bin/python3
"""Holds N keep-alive HTTP/1.1 connections to a VIP and keeps requesting on
each of them until STOP_FILE exists. Writes a JSON report: for every
connection, the backends that answered (must stay one), the number of
requests that succeeded and the first error. Used by the end-to-end tests
to prove that established connections survive table changes. An optional
7th argument is the per-request timeout in seconds (default 5); the report
also names each connection's source port, so a test can tell which ECMP
path carried it."""
import json
import os
import socket
import sys
import time


def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed by peer")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    status = head.split(b"\r\n", 1)[0]
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        rest += chunk
    if not status.startswith(b"HTTP/1.1 200"):
        raise ConnectionError("status " + status.decode(errors="replace"))
    return rest[:length].decode().strip(), rest[length:]


def main():
    vip, port, n, stop_file, report, ready_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4], sys.argv[5], sys.argv[6]
    timeout = float(sys.argv[7]) if len(sys.argv) > 7 else 5.0
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    conns = []
    for i in range(n):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((vip, port))
        conns.append({"sock": s, "buf": b"", "backends": [], "ok": 0, "error": None,
                      "sport": s.getsockname()[1]})
    host = "[%s]" % vip if family == socket.AF_INET6 else vip
    req = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
    deadline = time.monotonic() + 600  # bounded even if nobody stops us
    rounds = 0
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        for c in conns:
            if c["error"]:
                continue
            try:
                c["sock"].sendall(req)
                who, c["buf"] = read_response(c["sock"], c["buf"])
                if who not in c["backends"]:
                    c["backends"].append(who)
                c["ok"] += 1
            except (OSError, ConnectionError, ValueError) as e:
                c["error"] = "%s after %d requests" % (e, c["ok"])
        rounds += 1
        # Progress for the test driver: rounds completed by every connection.
        with open(ready_file + ".tmp", "w") as f:
            f.write("%d\n" % rounds)
        os.rename(ready_file + ".tmp", ready_file)
        time.sleep(0.05)
    out = [{"backends": c["backends"], "ok": c["ok"], "error": c["error"], "sport": c["sport"]}
           for c in conns]
    with open(report, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
