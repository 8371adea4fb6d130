/* SPDX-License-Identifier: Apache-2.0
 *
 * Backend selection: connection tracking and the Maglev lookup,
 * docs/forwarding.md sections 3 and 5.
 */
#ifndef MAGLB_XDP_BACKEND_SELECT_H
#define MAGLB_XDP_BACKEND_SELECT_H

#include "xdp/counters.h"
#include "xdp/flow_table.h"
#include "xdp/maps.h"
#include "xdp/verdict.h"

struct selection {
  struct maglb_backend *backend;
  __u32 backend_id;
  __u32 backend_slot; /* in maglb_be_slots: statistics, next-hop cache */
  __u32 hash;         /* the flow's spec hash: per-flow entropy (section 6) */
  __u32 new_flow;     /* 1: this packet created the flow's entry */
};

/* maglb_flow_hash of an IPv4 key: words 1-3 and 5-7 (address bytes 4-15)
 * are zero, and a MurmurHash3 round of a zero word reduces to the mixing of
 * h alone, which saves about a third of the instructions. The same value
 * as maglb_flow_hash (every IPv4 fixture checks the output entropy). */
MAGLB_INLINE __u32 maglb_flow_hash_ipv4(const struct maglb_flow_key *key) {
  const __u32 *w = (const __u32 *)key;
  __u32 h = MAGLB_FLOW_HASH_SEED;
  h = maglb_murmur3_word(h, w[0]);
#pragma unroll
  for (int i = 0; i < 3; i++) h = maglb_rotl32(h, 13) * 5u + 0xe6546b64u;
  h = maglb_murmur3_word(h, w[4]);
#pragma unroll
  for (int i = 0; i < 3; i++) h = maglb_rotl32(h, 13) * 5u + 0xe6546b64u;
  h = maglb_murmur3_word(h, w[8]);
  h = maglb_murmur3_word(h, w[9]);
  h ^= 40u;
  return maglb_murmur3_fmix(h);
}

/* The spec hash (maglb_hash.h) of a flow key masked per `hash_fields`. */
MAGLB_INLINE __u32 spec_hash(const struct maglb_flow_key *key, __u8 hash_fields) {
  struct maglb_flow_key hk __attribute__((aligned(8))) = *key;
  maglb_flow_hash_mask(&hk, hash_fields);
  if (hk.family == MAGLB_FAMILY_IPV4) return maglb_flow_hash_ipv4(&hk);
  return maglb_flow_hash(&hk);
}

/* Maglev slot of `hash` in the VIP's table: the backend id there, or a drop
 * reason. The table size is read from the inner map itself, not from the
 * VIP meta: the programmer swaps a VIP's table (one outer-map update)
 * before it rewrites the meta, so in between the meta may still carry the
 * old size; the map's own size always belongs to the table being read. */
MAGLB_INLINE __u32 maglev_lookup(__u32 vip_slot, __u32 hash, __u32 *backend_id) {
  struct bpf_map *table = bpf_map_lookup_elem(&maglb_tables, &vip_slot);
  if (!table) return MAGLB_C_DROP_NO_TABLE;
  __u32 size = table->max_entries;
  if (size == 0) return MAGLB_C_DROP_NO_TABLE;
  __u32 slot = maglb_slot_of(hash, size);
  maglb_slot_t *id = bpf_map_lookup_elem(table, &slot);
  if (!id) return MAGLB_C_DROP_NO_TABLE;
  if (*id == MAGLB_SLOT_EMPTY) return MAGLB_C_DROP_NO_BACKEND;
  *backend_id = *id;
  return MAGLB_V_CONTINUE;
}

/* Backend id -> slot, remembered per CPU for new flows (program-private,
 * like the next-hop cache): the id -> slot hash map is a kernel call and a
 * jhash, while this is an inlined array load; measured, a new flow costs
 * 7-65 ns less with it at the default table size (docs/benchmarks.md,
 * "XDP program"). An
 * entry is a hint like a flow entry's backend_slot: it is used only if
 * that slot of maglb_be_slots still holds the id, so a slot freed or
 * handed to another backend since falls back to the hash map, which then
 * refreshes the entry. Direct-mapped by a multiply hash of the id; a
 * collision only costs the hash lookup. */
#define MAGLB_BE_SLOT_CACHE_SLOTS 4096

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, MAGLB_BE_SLOT_CACHE_SLOTS);
  __type(key, __u32);
  __type(value, __u64); /* id << 32 | slot; id 0 (never a backend): empty */
} maglb_be_slot_cache SEC(".maps");

MAGLB_INLINE __u32 backend_at_slot(__u32 id, __u32 s, struct selection *sel) {
  struct maglb_backend *be = bpf_map_lookup_elem(&maglb_be_slots, &s);
  if (!be || be->id != id) return MAGLB_C_DROP_NO_BACKEND;
  sel->backend = be;
  sel->backend_id = id;
  sel->backend_slot = s;
  return MAGLB_V_CONTINUE;
}

MAGLB_INLINE __u32 backend_of_id(__u32 id, struct selection *sel) {
  __u32 c = (id * 0x9e3779b1u) >> (32 - 12);
  _Static_assert(MAGLB_BE_SLOT_CACHE_SLOTS == 1u << 12, "cache index bits");
  __u64 *hint = bpf_map_lookup_elem(&maglb_be_slot_cache, &c);
  if (hint && (__u32)(*hint >> 32) == id &&
      backend_at_slot(id, (__u32)*hint, sel) == MAGLB_V_CONTINUE)
    return MAGLB_V_CONTINUE;
  /* The programmer adds backends before any table names them, so a table
   * entry without a backend is a programming race: no backend. */
  __u32 *slot = bpf_map_lookup_elem(&maglb_backend_slot, &id);
  if (!slot) return MAGLB_C_DROP_NO_BACKEND;
  const __u32 s = *slot;
  __u32 v = backend_at_slot(id, s, sel);
  if (v == MAGLB_V_CONTINUE && hint) *hint = ((__u64)id << 32) | s;
  return v;
}

/* The backend of a tracked flow if the snapshot still has it: at the slot
 * the entry remembers (an inlined array lookup), or, if that slot was
 * freed since and the id came back elsewhere, wherever the id sits now
 * (the entry then remembers that slot). */
MAGLB_INLINE __u32 backend_of_flow(struct maglb_xdp_flow *e, struct selection *sel) {
  __u32 s = e->backend_slot;
  const __u32 id = e->backend_id;
  struct maglb_backend *be = bpf_map_lookup_elem(&maglb_be_slots, &s);
  if (be && be->id == id) {
    sel->backend = be;
    sel->backend_id = id;
    sel->backend_slot = s;
    return MAGLB_V_CONTINUE;
  }
  __u32 v = backend_of_id(id, sel);
  if (v == MAGLB_V_CONTINUE) e->backend_slot = sel->backend_slot;
  return v;
}

/* A fragment: the 3-tuple hash picks the slot; no connection tracking. */
MAGLB_INLINE __u32 select_stateless(__u32 vip_slot, __u32 hash, struct selection *sel) {
  __u32 id = 0;
  __u32 v = maglev_lookup(vip_slot, hash, &id);
  if (v != MAGLB_V_CONTINUE) return v;
  sel->hash = hash;
  return backend_of_id(id, sel);
}

/* Connection-tracked selection (section 5). `key` is 8-byte aligned. On
 * success sel->hash is the flow's spec hash: the stored one for an
 * established flow, computed (and stored) for a new one. `first_packet`:
 * a TCP SYN, which no other CPU can be tracking (no cross-CPU probe). */
MAGLB_INLINE __u32 select_tracked(const struct maglb_flow_key *key,
                                  const struct maglb_vip_meta *meta, struct flow_timeouts t,
                                  __u32 now, int first_packet, struct selection *sel) {
  struct flow_lookup fl;
  flow_lookup(key, t, now, 1, &fl);
  if (!fl.hit && !first_packet && flow_ncpus > 1 && fl.way && flow_adopt(key, t, now, fl.way)) {
    count(MAGLB_C_FLOW_ADOPTED_OTHER_CPU);
    if (fl.evicts_live) count(MAGLB_C_FLOW_EVICTED);
    fl.hit = fl.way;
    fl.evicts_live = 0;
  }
  if (fl.hit) {
    struct maglb_xdp_flow *e = fl.hit;
    if (backend_of_flow(e, sel) == MAGLB_V_CONTINUE) {
      flow_touch(e, now);
      sel->hash = e->select_hash;
      count(MAGLB_C_FLOW_HIT);
      return MAGLB_V_CONTINUE;
    }
    count(MAGLB_C_FLOW_REBALANCED); /* its backend left the snapshot: choose again */
    fl.way = e;
    fl.evicts_live = 0;
  }
  const __u32 vip_slot = meta->vip_index;
  const __u32 hash = spec_hash(key, meta->hash_fields);
  __u32 v = select_stateless(vip_slot, hash, sel);
  if (v != MAGLB_V_CONTINUE) return v;
  if (fl.way) {
    flow_store(fl.way, key, sel->backend_id, sel->backend_slot, hash, vip_slot, now);
    if (fl.evicts_live) count(MAGLB_C_FLOW_EVICTED);
  }
  count(MAGLB_C_FLOW_NEW);
  sel->new_flow = 1; /* its statistics go with the forwarded frame's */
  return MAGLB_V_CONTINUE;
}

/* ICMP errors (section 4): the flow entry if present (never inserted),
 * else the Maglev slot of `hash`. */
MAGLB_INLINE __u32 select_lookup_only(const struct maglb_flow_key *key, __u32 vip_slot, __u32 hash,
                                      struct flow_timeouts t, __u32 now, struct selection *sel) {
  struct flow_lookup fl;
  flow_lookup(key, t, now, 0, &fl);
  if (fl.hit && backend_of_flow(fl.hit, sel) == MAGLB_V_CONTINUE) {
    sel->hash = hash;
    return MAGLB_V_CONTINUE;
  }
  return select_stateless(vip_slot, hash, sel);
}

#endif /* MAGLB_XDP_BACKEND_SELECT_H */
