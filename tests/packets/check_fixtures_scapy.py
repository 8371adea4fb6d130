#!/usr/bin/python3
"""Cross-checks the fixture frames with scapy, an implementation that shares
no code with packet_builder.cc or dataplane/core: every checksum and length
field of every forwarded input and every expected TX frame must be what scapy
computes for it. Usage: check_fixtures_scapy.py <fixtures_dump binary>"""
import subprocess
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Padding
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6PacketTooBig)

RECOMPUTED = (IP, TCP, UDP, ICMP, IPv6, ICMPv6PacketTooBig, ICMPv6ND_NS, ICMPv6EchoRequest)


def recompute(raw):
    """Rebuilds the frame with scapy computing every length and checksum of
    the outer protocol layers (quoted packets inside ICMP errors are scapy's
    *error classes and stay as parsed)."""
    pkt = Ether(raw)
    layer = pkt
    while layer is not None and layer.name != 'NoPayload':
        if isinstance(layer, RECOMPUTED) and 'error' not in type(layer).__name__:
            for field in ('chksum', 'cksum', 'len', 'plen'):
                if field not in layer.fields:
                    continue
                # IPv4 GUE carries UDP checksum 0 ("none"): keep it.
                if (isinstance(layer, UDP) and field == 'chksum' and layer.chksum == 0 and
                        isinstance(layer.underlayer, IP)):
                    continue
                # Fragments carry a partial L4 segment: its checksum and
                # length are those of the whole datagram.
                if isinstance(layer, (TCP, UDP)) and is_fragment(layer.underlayer):
                    continue
                setattr(layer, field, None)
        if isinstance(layer, Padding) or 'ICMP' in type(layer).__name__:
            break  # what follows an ICMP header is a quote: bytes as they were
        layer = layer.payload
    return bytes(pkt)


def is_fragment(ip_layer):
    if isinstance(ip_layer, IP):
        return ip_layer.flags.MF or ip_layer.frag != 0
    return False


def main():
    out = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    checked = 0
    failures = []
    for line in out.splitlines():
        name, verdict, inp, exp = line.split('\t')
        frames = []
        if verdict == 'TX':
            frames = [('input', bytes.fromhex(inp)), ('expected', bytes.fromhex(exp))]
        for what, raw in frames:
            again = recompute(raw)
            checked += 1
            if again != raw:
                at = next(i for i in range(min(len(raw), len(again))) if raw[i] != again[i]) \
                    if len(raw) == len(again) else min(len(raw), len(again))
                failures.append(f'{name} {what}: scapy rebuilds it differently from byte {at}\n'
                                f'  ours : {raw.hex()}\n  scapy: {again.hex()}')
    for f in failures:
        print(f)
    print(f'{checked} frames checked, {len(failures)} differ')
    if checked < 80:
        print('too few TX frames checked')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
