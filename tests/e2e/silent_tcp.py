#!/usr/bin/python3
"""A backend fault: accepts TCP connections on ADDR PORT (IPv4 or IPv6,
several pairs allowed) and never sends a byte, holding every connection
until it exits. Exits by itself after LIFETIME seconds (bounded).
Usage: silent_tcp.py LIFETIME ADDR PORT [ADDR PORT ...]"""
import select
import socket
import sys
import time


def main():
    lifetime = float(sys.argv[1])
    listeners = []
    args = sys.argv[2:]
    for addr, port in zip(args[0::2], args[1::2]):
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        s.listen(128)
        listeners.append(s)
    held = []
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        ready, _, _ = select.select(listeners, [], [], 0.5)
        for s in ready:
            conn, _ = s.accept()
            held.append(conn)  # read nothing, answer nothing, close nothing


if __name__ == "__main__":
    main()
