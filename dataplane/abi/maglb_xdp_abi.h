/* SPDX-License-Identifier: Apache-2.0
 *
 * Layouts only the XDP dataplane and its control plane (controlplane/xdp)
 * share, beside the project ABI (maglb_abi.h): the connection-tracking
 * table the program keeps in a plain array map. The program places and
 * finds entries with the functions below; the control plane reads the
 * same array (occupancy) and empties it (flush). C, includable from clang
 * -target bpf (after vmlinux.h) and from C++.
 *
 * Why not BPF_MAP_TYPE_LRU_(PERCPU_)HASH (docs/xdp.md, "Connection
 * tracking"): measured here, one insert costs about 500 ns (the LRU pop
 * rotates lists through cold nodes, and every nested kernel call pays the
 * SRSO return thunk), and a lookup is a helper call, a jhash over 40
 * bytes and three cache lines in different pages (bucket, element,
 * per-CPU value). An array lookup is inlined by the verifier, the
 * placement hash is three multiplies, and a lookup reads one cache line
 * while the bucket has room.
 */
#ifndef MAGLB_XDP_ABI_H
#define MAGLB_XDP_ABI_H

#include "maglb_abi.h"

/* A bucket holds this many flows; a new flow takes the first free way,
 * else an expired one, else the bucket's least recently seen (counted as
 * flow_evicted), like the DPDK table (docs/flow-table.md). */
#define MAGLB_XDP_FLOW_WAYS 8

/* One flow, one cache line. */
struct maglb_xdp_flow {
  struct maglb_flow_key key;
  __u32 backend_id; /* maglb_backend.id; 0 marks an empty way */
  /* maglb_flow_hash of the key masked per the VIP's hash fields: the Maglev
   * slot the flow was given and its per-flow entropy (forwarding.md
   * section 6), kept so that established flows never recompute it (as the
   * DPDK table does). */
  __u32 select_hash;
  __u32 last_seen;    /* clock units (docs/xdp.md, "Clock"), modulo 2^32 */
  __u32 vip_index;    /* the VIP's table slot when the flow was created */
  __u32 backend_slot; /* where backend_id sat in maglb_be_slots (a hint) */
  __u32 reserved;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_xdp_flow) == 64, "flow entry is one cache line");

struct maglb_xdp_flow_bucket {
  struct maglb_xdp_flow way[MAGLB_XDP_FLOW_WAYS];
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_xdp_flow_bucket) == 64 * MAGLB_XDP_FLOW_WAYS,
                    "bucket is whole cache lines");

/* Backends by slot (maglb_be_slots, an array the verifier inlines): the
 * programmer gives each backend id a slot for as long as the id is in the
 * snapshot; twice the backend limit, as old and new snapshots' backends
 * coexist while one replaces the other. A free slot has id 0. Flow entries
 * keep the slot, so an established flow reaches its backend, its
 * statistics and its cached next hop without a hash-map lookup. */
#define MAGLB_XDP_BACKEND_SLOTS (2u * MAGLB_MAX_BACKENDS)

#define MAGLB_XDP_MIX64 0x9e3779b97f4a7c15ull

/* Placement hash of a whole flow key, given as its five little-endian
 * 8-byte words (the Maglev spec hash is only computed for new flows): the
 * words folded with multiplies, whose top bits depend on every input bit. */
static inline __u32 maglb_xdp_flow_place_hash(__u64 w0, __u64 w1, __u64 w2, __u64 w3, __u64 w4) {
  __u64 h = (w0 ^ 0x636f6e6e747261ull) * MAGLB_XDP_MIX64;
  h = (h ^ w1) * MAGLB_XDP_MIX64;
  h = (h ^ w2) * MAGLB_XDP_MIX64;
  h = (h ^ w3) * MAGLB_XDP_MIX64;
  h = (h ^ w4) * MAGLB_XDP_MIX64;
  return (__u32)(h >> 32);
}

/* The bucket of a placement hash within one CPU's `buckets_per_cpu`
 * (multiply-shift: any bucket count, no modulo). */
static inline __u32 maglb_xdp_flow_bucket_of(__u32 place_hash, __u32 buckets_per_cpu) {
  return (__u32)(((__u64)place_hash * buckets_per_cpu) >> 32);
}

/* Connection tracking is per CPU, like the DPDK per-lcore tables: the array
 * holds ncpus * buckets_per_cpu buckets and CPU c reads and writes only
 * buckets [c * B, (c + 1) * B), so no entry is ever written concurrently.
 * `flow_entries` (the configured capacity) is shared out over the CPUs, as
 * BPF_F_NO_COMMON_LRU does; at least one bucket each. */
static inline __u32 maglb_xdp_flow_buckets_per_cpu(__u32 flow_entries, __u32 ncpus) {
  const __u64 n = ncpus ? ncpus : 1;
  const __u64 per_cpu = ((__u64)flow_entries + n - 1) / n;
  const __u64 b = (per_cpu + MAGLB_XDP_FLOW_WAYS - 1) / MAGLB_XDP_FLOW_WAYS;
  return b ? (__u32)b : 1u;
}

/* VIP index: every key of the VIP map (maglb_vips) in an array the
 * verifier inlines, placed by open addressing: the key's home slot, then
 * linear probing, at most MAGLB_XDP_VIP_PROBES slots. A hash-map lookup
 * is a helper call and a jhash; this is a multiply and, usually, one cache
 * line. A snapshot's keys (a VIP and its fragment alias: at most
 * 2 * MAGLB_MAX_VIPS) fill at most 1/16 of the slots, where a run of 8 is
 * vanishingly rare; the programmer refuses a snapshot that would need one
 * before it writes anything. */
#define MAGLB_XDP_VIP_INDEX_BITS 14
#define MAGLB_XDP_VIP_INDEX_SLOTS (1u << MAGLB_XDP_VIP_INDEX_BITS)
#define MAGLB_XDP_VIP_PROBES 8

/* One VIP index slot, one cache line; key.family 0 marks an empty slot,
 * which ends a probe run. meta.vip_index is the VIP's table slot in this
 * dataplane, as in maglb_vips. */
struct maglb_xdp_vip_entry {
  struct maglb_vip_key key;
  __u32 reserved;
  struct maglb_vip_meta meta;
  __u8 pad[16];
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_xdp_vip_entry) == 64, "VIP index entry is 64 bytes");
MAGLB_STATIC_ASSERT(MAGLB_OFFSETOF(struct maglb_xdp_vip_entry, meta) == 24, "VIP meta at 24");

/* Home slot of a VIP key given as its three little-endian words: address
 * bytes 0..7 and 8..15, and bytes 16..19 (port, protocol, family). */
static inline __u32 maglb_xdp_vip_home(__u64 addr_lo, __u64 addr_hi, __u32 tail) {
  __u64 h = (addr_lo ^ 0x6d61676c76697073ull) * MAGLB_XDP_MIX64;
  h = (h ^ addr_hi) * MAGLB_XDP_MIX64;
  h = (h ^ tail) * MAGLB_XDP_MIX64;
  return (__u32)(h >> (64 - MAGLB_XDP_VIP_INDEX_BITS));
}

/* VIP address filter: one bit per hash of a destination address, set for
 * the address of every VIP key. A packet whose bit is clear is not for a
 * VIP and passes to the kernel without a VIP-map lookup (two hash-map
 * helper calls: exact port, then port 0). One array element the verifier
 * inlines; 2^16 bits keep false positives under 2% at the VIP limit. */
#define MAGLB_XDP_VIP_FILTER_BITS_LOG2 16
#define MAGLB_XDP_VIP_FILTER_WORDS ((1u << MAGLB_XDP_VIP_FILTER_BITS_LOG2) / 64)

struct maglb_xdp_vip_filter {
  __u64 bits[MAGLB_XDP_VIP_FILTER_WORDS];
};

/* The filter bit of an address (16 bytes as in maglb_vip_key, given as its
 * two little-endian 8-byte words) of `family`. */
static inline __u32 maglb_xdp_vip_filter_bit(__u64 addr_lo, __u64 addr_hi, __u8 family) {
  __u64 h = (addr_lo ^ ((__u64)family << 56)) * MAGLB_XDP_MIX64;
  h = (h ^ addr_hi) * MAGLB_XDP_MIX64;
  return (__u32)(h >> (64 - MAGLB_XDP_VIP_FILTER_BITS_LOG2));
}

#endif /* MAGLB_XDP_ABI_H */
