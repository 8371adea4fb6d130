#!/usr/bin/python3
"""Reference MurmurHash3_x86_32 (written from Appleby's description, no code
shared with maglb_hash.h) and the known-answer file of maglb_flow_hash.

  murmur3_ref.py check  <kat file>   verify published vectors and the file
  murmur3_ref.py generate <kat file> (re)write the file from this reference

The file holds "<40-byte flow key hex> <hash hex>" lines; flow_hash_test.cc
checks the C implementation (maglb_flow_hash and the core's word version)
against the same file."""
import struct
import sys

SEED = 0x6D61676C  # "magl", MAGLB_FLOW_HASH_SEED
M32 = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def murmur3_32(data: bytes, seed: int) -> int:
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & M32
    n = len(data) // 4
    for i in range(n):
        k = struct.unpack_from('<I', data, 4 * i)[0]
        k = (k * c1) & M32
        k = rotl(k, 15)
        k = (k * c2) & M32
        h ^= k
        h = rotl(h, 13)
        h = (h * 5 + 0xE6546B64) & M32
    tail = data[4 * n:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & M32
        k = rotl(k, 15)
        k = (k * c2) & M32
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


# Published test vectors of MurmurHash3_x86_32.
VECTORS = [
    (b'', 0, 0),
    (b'', 1, 0x514E28B7),
    (b'', 0xFFFFFFFF, 0x81F16F39),
    (b'\x00\x00\x00\x00', 0, 0x2362F9DE),
    (b'aaaa', 0x9747B28C, 0x5A97808A),
    (b'Hello, world!', 0x9747B28C, 0x24884CBA),
    (b'The quick brown fox jumps over the lazy dog', 0x9747B28C, 0x2FA826CD),
]


def ip4(text):
    return bytes(int(x) for x in text.split('.')) + bytes(12)


def ip6(text):
    import ipaddress
    return ipaddress.IPv6Address(text).packed


def key(src, dst, sport, dport, proto, family):
    return src + dst + struct.pack('>HH', sport, dport) + bytes([proto, family]) + b'\0\0'


def kat_keys():
    keys = [
        key(ip4('198.19.200.1'), ip4('198.18.100.1'), 40000, 80, 6, 4),
        key(ip4('198.19.200.1'), ip4('198.18.100.1'), 40001, 80, 6, 4),
        key(ip4('198.19.200.1'), ip4('198.18.100.1'), 0, 0, 6, 4),  # 3-tuple masked
        key(ip4('198.19.200.1'), bytes(16), 0, 0, 0, 4),  # source-address masked
        key(ip4('198.18.0.1'), ip4('198.18.0.2'), 53, 53, 17, 4),
        key(ip6('2001:db8:c::1'), ip6('2001:db8:100::1'), 40000, 80, 6, 6),
        key(ip6('2001:db8:c::1'), ip6('2001:db8:100::1'), 65535, 443, 17, 6),
        key(ip6('2001:db8::ffff:ffff'), bytes(16), 0, 0, 0, 6),
        bytes(40),
        bytes([0xFF] * 38) + b'\0\0',
    ]
    return keys


def main():
    mode, path = sys.argv[1], sys.argv[2]
    for data, seed, want in VECTORS:
        got = murmur3_32(data, seed)
        if got != want:
            print(f'reference murmur3 wrong on {data!r} seed {seed:#x}: {got:#x} != {want:#x}')
            return 1
    if mode == 'generate':
        with open(path, 'w') as f:
            for k in kat_keys():
                f.write(f'{k.hex()} {murmur3_32(k, SEED):08x}\n')
        return 0
    bad = 0
    lines = [l.split() for l in open(path) if l.strip()]
    for khex, hhex in lines:
        got = murmur3_32(bytes.fromhex(khex), SEED)
        if got != int(hhex, 16):
            print(f'{khex}: reference {got:08x}, file {hhex}')
            bad += 1
    print(f'{len(VECTORS)} published vectors ok, {len(lines)} KAT lines, {bad} wrong')
    return 1 if bad or len(lines) < 10 else 0


if __name__ == '__main__':
    sys.exit(main())
