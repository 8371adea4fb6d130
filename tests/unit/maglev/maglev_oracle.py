#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reference Maglev table builder: the paper (Eisenbud et al., NSDI 2016,
section 3.4, Pseudocode 1) written out literally, plus the weight rule of
docs/maglev.md. Deliberately independent of the C++ builder: no incremental
stepping, no occupancy bitmap, no direct search; permutation[i][j] is
computed as (offset + j * skip) % M every time.

  maglev_oracle.py golden          print the golden tables of the C++ test
  maglev_oracle.py check TOOL      compare TOOL (maglev_table_tool) with this
                                   oracle on random backend sets; exit 1 on
                                   any difference

Tool protocol (stdin): "M" on the first line, then one backend a line:
"<id> <weight> <identity hex>". The tool prints the table as one id a line
(4294967295 for an empty slot), or "error: <message>".
"""
import ipaddress
import random
import subprocess
import sys

import xxhash

OFFSET_SEED = 0x6D61676C65762D6F  # ASCII "maglev-o"
SKIP_SEED = 0x6D61676C65762D73  # ASCII "maglev-s"
SLOT_EMPTY = 0xFFFFFFFF
MAX_TABLE_SIZE = 5000011


def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def build(backends, m):
    """backends: list of (identity bytes, id, weight). Returns the table
    (list of ids) or raises ValueError."""
    if not 2 <= m <= MAX_TABLE_SIZE or not is_prime(m):
        raise ValueError("bad table size")
    if len({b[0] for b in backends}) != len(backends):
        raise ValueError("duplicate identity")
    if len({b[1] for b in backends}) != len(backends):
        raise ValueError("duplicate id")
    active = sorted((b for b in backends if b[2] > 0), key=lambda b: b[0])
    if len(active) > m:
        raise ValueError("table too small")
    if not active:
        return [SLOT_EMPTY] * m
    offset = [xxhash.xxh64_intdigest(b[0], seed=OFFSET_SEED) % m for b in active]
    skip = [xxhash.xxh64_intdigest(b[0], seed=SKIP_SEED) % (m - 1) + 1 for b in active]
    w_max = max(b[2] for b in active)
    nxt = [0] * len(active)  # j of Pseudocode 1
    turns = [0] * len(active)
    entry = [None] * m
    n = 0
    r = 0
    while True:
        r += 1
        for i, b in enumerate(active):
            if turns[i] * w_max >= r * b[2]:
                continue  # weight rule: not this backend's turn in round r
            c = (offset[i] + nxt[i] * skip[i]) % m
            while entry[c] is not None:
                nxt[i] += 1
                c = (offset[i] + nxt[i] * skip[i]) % m
            entry[c] = b[1]
            nxt[i] += 1
            turns[i] += 1
            n += 1
            if n == m:
                return entry


def v4(text):
    return ipaddress.IPv4Address(text).packed


def v6(text):
    return ipaddress.IPv6Address(text).packed


# Backend sets of the golden test: (name, table size, [(address, id, weight)]).
GOLDEN = [
    ("ThreeEqualV4", 7, [("198.18.0.1", 1, 1), ("198.18.0.2", 2, 1), ("198.18.0.3", 3, 1)]),
    ("ThreeEqualV4Size17", 17, [("198.18.0.1", 1, 1), ("198.18.0.2", 2, 1), ("198.18.0.3", 3, 1)]),
    ("Weighted123Size17", 17, [("198.18.1.10", 10, 1), ("198.18.1.20", 20, 2), ("198.18.1.30", 30, 3)]),
    ("MixedFamiliesWithDrain", 17, [("2001:db8::1", 7, 1), ("198.18.0.5", 5, 1),
                                    ("2001:db8::2", 9, 2), ("198.18.0.6", 6, 0)]),
    ("SkewedWeightsSize7", 7, [("198.18.2.1", 100, 1), ("198.18.2.2", 200, 1000)]),
]


def packed(addr):
    return v6(addr) if ":" in addr else v4(addr)


def golden():
    for name, m, spec in GOLDEN:
        table = build([(packed(a), i, w) for a, i, w in spec], m)
        print(f"// {name}: M = {m}, backends {spec}")
        print("{" + ", ".join(str(x) for x in table) + "}")


def random_set(rng, count, weights):
    identities = set()
    backends = []
    ids = rng.sample(range(1, 1 << 20), count)
    while len(backends) < count:
        if rng.random() < 0.5:
            identity = bytes([198, 18 + rng.randrange(2), rng.randrange(256), rng.randrange(256)])
        else:
            identity = bytes([0x20, 0x01, 0x0D, 0xB8]) + bytes(rng.randrange(256) for _ in range(12))
        if identity in identities:
            continue
        identities.add(identity)
        backends.append((identity, ids[len(backends)], weights(rng)))
    return backends


def run_tool(tool, backends, m):
    text = f"{m}\n" + "".join(f"{i} {w} {ident.hex()}\n" for ident, i, w in backends)
    res = subprocess.run([tool], input=text, capture_output=True, text=True, check=True)
    out = res.stdout.split()
    if out and out[0] == "error:":
        return None
    return [int(x) for x in out]


def check(tool):
    rng = random.Random(20160316)  # NSDI 2016
    cases = []
    weight_kinds = {
        "equal": lambda r: 1,
        "1..4": lambda r: r.randint(1, 4),
        "0..3": lambda r: r.randint(0, 3),
        "skewed": lambda r: r.choice([1, 1, 1, 50, 1000]),
    }
    for m in (2, 3, 7, 17, 101, 251, 1009, 4093):
        for count in (1, 2, 3, 5, 13, 40):
            if count > m:
                continue
            for kind, weights in weight_kinds.items():
                cases.append((m, count, kind, random_set(rng, count, weights)))
    for count, kind in ((100, "equal"), (100, "1..4"), (30, "skewed"), (1000, "equal")):
        cases.append((65537, count, kind, random_set(rng, count, weight_kinds[kind])))
    # Sets the C++ builder must reject: the oracle must agree.
    cases.append((8, 3, "non-prime", random_set(rng, 3, weight_kinds["equal"])))
    cases.append((3, 5, "too-small", random_set(rng, 5, weight_kinds["equal"])))
    failures = 0
    for m, count, kind, backends in cases:
        try:
            expected = build(backends, m)
        except ValueError:
            expected = None
        shuffled = backends[:]
        rng.shuffle(shuffled)
        got = run_tool(tool, shuffled, m)
        if got != expected:
            failures += 1
            diff = "rejected" if got is None or expected is None else \
                sum(1 for a, b in zip(got, expected) if a != b)
            print(f"MISMATCH M={m} N={count} weights={kind}: {diff}")
    print(f"{len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "golden":
        golden()
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
