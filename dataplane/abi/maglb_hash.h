/* SPDX-License-Identifier: Apache-2.0
 *
 * The flow hash every maglb dataplane uses to pick a Maglev slot, and that
 * the control plane uses to answer `maglbctl trace`. It must give the same
 * value in BPF (no loops over unknown bounds, no library), in the DPDK
 * dataplane and in the control plane, on every machine, so it lives here as
 * a static inline function on fixed-width types only.
 *
 * Algorithm: MurmurHash3_x86_32 (Austin Appleby, public domain) over the ten
 * little-endian 32-bit words of a struct maglb_flow_key whose fields were
 * first masked per the VIP's hash fields (see maglb_flow_hash_mask), with
 * seed MAGLB_FLOW_HASH_SEED. Words are read as stored in memory, i.e. the
 * network-order port bytes are taken as they sit in the key. docs/maglev.md
 * has a worked example so another implementation can check itself.
 */
#ifndef MAGLB_HASH_H
#define MAGLB_HASH_H

#include "maglb_abi.h"

#define MAGLB_FLOW_HASH_SEED 0x6d61676cu /* "magl" */

static inline __u32 maglb_rotl32(__u32 x, __u32 r) { return (x << r) | (x >> (32 - r)); }

static inline __u32 maglb_murmur3_word(__u32 h, __u32 k) {
  k *= 0xcc9e2d51u;
  k = maglb_rotl32(k, 15);
  k *= 0x1b873593u;
  h ^= k;
  h = maglb_rotl32(h, 13);
  return h * 5u + 0xe6546b64u;
}

static inline __u32 maglb_murmur3_fmix(__u32 h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* Hash of a (masked) flow key. The key is read as ten 32-bit words through
 * __builtin_memcpy so the compiler emits plain loads (no aliasing UB, and
 * the BPF backend keeps it verifier-friendly). Little-endian hosts only
 * (x86_64, arm64 and BPF on them), which is every host maglb targets. */
static inline __u32 maglb_flow_hash(const struct maglb_flow_key *key) {
  __u32 w[10];
  __builtin_memcpy(w, key, sizeof(w));
  __u32 h = MAGLB_FLOW_HASH_SEED;
#if defined(__clang__)
#pragma unroll
#endif
  for (int i = 0; i < 10; i++) h = maglb_murmur3_word(h, w[i]);
  h ^= 40u; /* length in bytes, as in MurmurHash3 */
  return maglb_murmur3_fmix(h);
}

/* Zero the fields a VIP's hash_fields setting ignores. Fragments always use
 * MAGLB_HASH_3TUPLE (ports are not in later fragments), whatever the VIP. */
static inline void maglb_flow_hash_mask(struct maglb_flow_key *key, __u8 hash_fields) {
  if (hash_fields == MAGLB_HASH_3TUPLE || hash_fields == MAGLB_HASH_SRC_ADDR) {
    key->sport = 0;
    key->dport = 0;
  }
  if (hash_fields == MAGLB_HASH_SRC_ADDR) {
    __builtin_memset(key->dst, 0, sizeof(key->dst));
    key->proto = 0;
  }
}

/* The Maglev slot of a hash in a table of `table_size` entries. */
static inline __u32 maglb_slot_of(__u32 hash, __u32 table_size) { return hash % table_size; }

#endif /* MAGLB_HASH_H */
