#!/usr/bin/python3
"""Sends N UDP requests to ADDR:PORT, each from a new socket (a new source
port, so a new flow), and prints each reply, or FAILED after a 2 s wait."""
import socket
import sys

addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
family = socket.AF_INET6 if ":" in addr else socket.AF_INET
for i in range(n):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.sendto(b"ping %d\n" % i, (addr, port))
        data, peer = s.recvfrom(2048)
        # The reply must come from the VIP itself (direct server return).
        print(data.decode().strip() if peer[0] == addr else "WRONG-SOURCE-" + peer[0])
    except OSError:
        print("FAILED")
    finally:
        s.close()
