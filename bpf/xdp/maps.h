/* SPDX-License-Identifier: Apache-2.0
 *
 * Every map of the XDP dataplane. Keys and values are the shared ABI types;
 * controlplane/xdp programs these maps by name (docs/xdp.md has the table).
 */
#ifndef MAGLB_XDP_MAPS_H
#define MAGLB_XDP_MAPS_H

#include "common/bpf_abi.h"

/* The control plane's record of the VIPs (the program reads the same
 * entries from maglb_vip_index): VIP (exact port, or port 0 for all-ports /
 * FRAG_ONLY aliases) -> meta, whose vip_index is the VIP's table slot in
 * this dataplane (see maglb_tables), not the snapshot's index. Room for two snapshots' worth
 * while one replaces the other. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4 * MAGLB_MAX_VIPS);
  __type(key, struct maglb_vip_key);
  __type(value, struct maglb_vip_meta);
} maglb_vips SEC(".maps");

/* Inner map template of the VIP index (maglb_xdp_abi.h). A fixed size and
 * no BPF_F_INNER_MAP, so the verifier inlines lookups into it. The value
 * is a struct maglb_xdp_vip_entry, declared by its size in words: clang
 * emits a struct reached only through an inner-map template as a forward
 * declaration, whose size libbpf cannot read. */
struct maglb_vip_index_inner {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAGLB_XDP_VIP_INDEX_SLOTS);
  __type(key, __u32);
  __type(value, __u64[sizeof(struct maglb_xdp_vip_entry) / 8]);
};

/* 0 -> the current VIP index. The programmer fills a fresh inner map and
 * swaps it in with one update: a packet sees the whole old VIP set or the
 * whole new one. maglb_vips stays the control plane's record. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 1);
  __type(key, __u32);
  __array(values, struct maglb_vip_index_inner);
} maglb_vip_index SEC(".maps");

/* 0 -> the VIP address filter (maglb_xdp_abi.h). The programmer writes
 * the union of the old and new VIP sets before it adds VIP entries and the
 * new set after it removed the old ones, so the filter never hides a VIP
 * entry; a reader racing a write sees every bit that stays set. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct maglb_xdp_vip_filter);
} maglb_vip_filter SEC(".maps");

/* Inner map template: one Maglev table of backend ids. BPF_F_INNER_MAP lets
 * inner maps of any max_entries (table size) be swapped in; the price is
 * that the verifier no longer inlines the inner lookup with a constant
 * bound, which is also why the program reads the size from the map itself. */
struct maglb_table_inner {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_INNER_MAP);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, maglb_slot_t);
};

/* VIP table slots. The programmer gives each VIP a slot for as long as the
 * VIP exists (the snapshot's vip_index may shift when VIPs come and go, and
 * a slot that changed owners between the outer-map and VIP-map updates
 * would send one VIP's packets to another's backends). Twice the VIP limit:
 * a snapshot replacing every VIP needs new slots while the old ones live. */
#define MAGLB_XDP_VIP_SLOTS (2 * MAGLB_MAX_VIPS)

/* VIP slot -> that VIP's Maglev table (an inner map). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, MAGLB_XDP_VIP_SLOTS);
  __type(key, __u32);
  __array(values, struct maglb_table_inner);
} maglb_tables SEC(".maps");

/* The control plane's record of the backends: stable id -> backend (twice
 * the limit: old and new snapshot's backends coexist until the switch is
 * complete). The program reads backends from maglb_be_slots. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 2 * MAGLB_MAX_BACKENDS);
  __type(key, __u32);
  __type(value, struct maglb_backend);
} maglb_backends SEC(".maps");

/* Backend slot -> backend (id 0: free slot), see MAGLB_XDP_BACKEND_SLOTS.
 * A removed backend's slot is rewritten with id 0 and nothing else
 * changed, so a concurrent reader sees the live entry or a dead one. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAGLB_XDP_BACKEND_SLOTS);
  __type(key, __u32);
  __type(value, struct maglb_backend);
} maglb_be_slots SEC(".maps");

/* Backend id -> its slot in maglb_be_slots: what new flows (whose Maglev
 * table holds ids) and entries whose slot hint went stale look up. Written
 * after the slot's entry, deleted before it is freed. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 2 * MAGLB_MAX_BACKENDS);
  __type(key, __u32);
  __type(value, __u32);
} maglb_backend_slot SEC(".maps");

/* Connection tracking (dataplane/abi/maglb_xdp_abi.h, xdp/flow_table.h):
 * ncpus * flow_buckets_per_cpu buckets, sized by the loader; each CPU reads
 * and writes only its own range. An array, so the verifier inlines the
 * lookup. BPF_F_MMAPABLE places the values on a page boundary (every
 * 64-byte entry on its own cache line) and lets the control plane read and
 * empty the table without a syscall per bucket. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct maglb_xdp_flow_bucket);
} maglb_flows SEC(".maps");

/* Dataplane parameters (one entry). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct maglb_dp_params);
} maglb_params SEC(".maps");

/* enum maglb_counter -> per-CPU count. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, MAGLB_C__COUNT);
  __type(key, __u32);
  __type(value, __u64);
} maglb_counters SEC(".maps");

/* VIP slot -> per-CPU traffic stats. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, MAGLB_XDP_VIP_SLOTS);
  __type(key, __u32);
  __type(value, struct maglb_traffic_stats);
} maglb_vip_stats SEC(".maps");

/* Backend slot -> per-CPU traffic stats. The programmer zeroes a slot's
 * entry when it gives the slot to a backend. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, MAGLB_XDP_BACKEND_SLOTS);
  __type(key, __u32);
  __type(value, struct maglb_traffic_stats);
} maglb_backend_stats SEC(".maps");

#endif /* MAGLB_XDP_MAPS_H */
