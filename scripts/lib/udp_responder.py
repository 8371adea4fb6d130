#!/usr/bin/python3
"""A UDP request/response service for the testbed's backends: answers every
datagram with this backend's name, from the address it is bound to (the VIP),
so the reply goes straight to the client (direct server return)."""
import socket
import sys

addr, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode() + b"\n"
family = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
while True:
    _, peer = s.recvfrom(65535)
    s.sendto(name, peer)
