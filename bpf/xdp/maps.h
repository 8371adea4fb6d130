/* SPDX-License-Identifier: Apache-2.0
 *
 * Every map of the XDP dataplane. Keys and values are the shared ABI types;
 * controlplane/xdp programs these maps by name (docs/xdp.md has the table).
 */
#ifndef MAGLB_XDP_MAPS_H
#define MAGLB_XDP_MAPS_H

#include "common/bpf_abi.h"

/* Default connection-tracking capacity; the loader resizes it before load. */
#define MAGLB_XDP_DEFAULT_FLOWS (1u << 20)

/* VIP (exact port, or port 0 for all-ports / FRAG_ONLY aliases) -> meta,
 * whose vip_index is the VIP's table slot in this dataplane (see
 * maglb_tables), not the snapshot's index. Room for two snapshots' worth
 * while one replaces the other. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4 * MAGLB_MAX_VIPS);
  __type(key, struct maglb_vip_key);
  __type(value, struct maglb_vip_meta);
} maglb_vips SEC(".maps");

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

/* Stable backend id -> backend (twice the limit: old and new snapshot's
 * backends coexist until the switch is complete). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 2 * MAGLB_MAX_BACKENDS);
  __type(key, __u32);
  __type(value, struct maglb_backend);
} maglb_backends SEC(".maps");

/* Connection tracking. Per-CPU values give each CPU its own flow table
 * view, like the DPDK per-lcore tables: an entry another CPU created reads
 * as zero here (backend id 0, never valid) and is treated as a miss. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __uint(max_entries, MAGLB_XDP_DEFAULT_FLOWS);
  __type(key, struct maglb_flow_key);
  __type(value, struct maglb_flow_value);
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

/* Backend id -> per-CPU traffic stats. The control plane creates the entry
 * with the backend (ids are sparse, so this is a hash, not an array); the
 * program only updates entries in place. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 2 * MAGLB_MAX_BACKENDS);
  __type(key, __u32);
  __type(value, struct maglb_traffic_stats);
} maglb_backend_stats SEC(".maps");

#endif /* MAGLB_XDP_MAPS_H */
