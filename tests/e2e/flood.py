#!/usr/bin/python3
"""Floods the load balancer from the client's namespace with raw frames.

Usage: flood.py IFACE DST_MAC VIP4 VIP6 MODE COUNT SECONDS REPORT
MODE syn: COUNT TCP SYNs to VIP4:80 from sources and ports scattered over
  198.18.128.0/17 x 1024-61023 (new flows), unpaced.
MODE junk: COUNT frames of each kind below, paced (about 2,000 frames/s,
  so no receive ring overflows and every frame must be counted):
    bad_ipv4      IPv4 header with IHL 3                 -> drop_bad_ipv4
    short_ipv4    IPv4 total length beyond the frame     -> drop_bad_ipv4
    bad_ipv6      IPv6 header cut at 30 bytes            -> drop_bad_ipv6
    ext_chain     VIP6 TCP behind 5 destination options  -> drop_ipv6_ext_chain
    bad_tcp       TCP to VIP4:80 with data offset 3      -> drop_bad_l4
    ttl1          SYN to VIP4:80 with TTL 1              -> drop_ttl_exceeded
    non_vip       SYN to 198.18.0.250:80 (not a VIP)     -> pass_to_kernel
Stops after SECONDS whatever the count. Writes a JSON report: frames sent
per kind. Addresses stay inside 198.18.0.0/15 and 2001:db8::/32."""
import json
import socket
import struct
import sys
import time

SRC_MAC = b"\x02\x00\x00\x00\xcc\x01"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, ethertype):
    return dst + SRC_MAC + struct.pack("!H", ethertype)


def ipv4(src, dst, payload, proto=6, ttl=64, ihl=5, total=None):
    total = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, 0x4000, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(sport, dport, flags=0x02, doff=5):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, doff << 4, flags, 65535, 0, 0)


def ipv6(src, dst, next_header, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def junk_frames(dst_mac, vip4, vip6):
    e4, e6 = eth(dst_mac, 0x0800), eth(dst_mac, 0x86DD)
    client4, client6 = "198.18.0.2", "2001:db8::2"
    chain = b""
    for i in range(5):  # destination options (60), 8 bytes each, then TCP
        chain += struct.pack("!BB6s", 60 if i < 4 else 6, 0, b"\x01\x04\0\0\0\0")
    return {
        "bad_ipv4": e4 + ipv4(client4, vip4, tcp(40000, 80), ihl=3),
        "short_ipv4": e4 + ipv4(client4, vip4, tcp(40001, 80), total=400),
        "bad_ipv6": e6 + ipv6(client6, vip6, 6, tcp(40002, 80))[:30],
        "ext_chain": e6 + ipv6(client6, vip6, 60, chain + tcp(40003, 80)),
        "bad_tcp": e4 + ipv4(client4, vip4, tcp(40004, 80, doff=3)),
        "ttl1": e4 + ipv4(client4, vip4, tcp(40005, 80), ttl=1),
        "non_vip": e4 + ipv4(client4, "198.18.0.250", tcp(40006, 80)),
    }


def main():
    iface, dst_mac, vip4, vip6, mode = sys.argv[1:6]
    count, seconds, report = int(sys.argv[6]), float(sys.argv[7]), sys.argv[8]
    mac = bytes(int(x, 16) for x in dst_mac.split(":"))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    end = time.monotonic() + seconds
    sent = {}
    if mode == "syn":
        e4 = eth(mac, 0x0800)
        n = 0
        for n in range(count):
            if n % 1024 == 0 and time.monotonic() > end:
                break
            # Scatter n over (source, port) pairs in 198.18.128.0/17.
            x = (n * 0x9E3779B1) & 0x3FFFFFFF
            src = "198.18.%d.%d" % (128 + ((x >> 8) & 0x7F), x & 0xFF)
            sport = 1024 + ((x >> 15) % 60000)
            s.send(e4 + ipv4(src, vip4, tcp(sport, 80)))
            sent["syn"] = sent.get("syn", 0) + 1
    else:
        frames = junk_frames(mac, vip4, vip6)
        for _ in range(count):
            if time.monotonic() > end:
                break
            for kind, frame in frames.items():
                s.send(frame)
                sent[kind] = sent.get(kind, 0) + 1
            time.sleep(len(frames) / 2000.0)
    with open(report, "w") as f:
        json.dump(sent, f)


if __name__ == "__main__":
    main()
