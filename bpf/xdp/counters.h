/* SPDX-License-Identifier: Apache-2.0
 *
 * Per-CPU counters (enum maglb_counter) and per-VIP / per-backend traffic
 * statistics. Plain increments: per-CPU values are written only by their
 * own CPU, with preemption off for the whole program run.
 */
#ifndef MAGLB_XDP_COUNTERS_H
#define MAGLB_XDP_COUNTERS_H

#include "xdp/maps.h"

MAGLB_INLINE void count_add(__u32 counter, __u64 n) {
  __u64 *v = bpf_map_lookup_elem(&maglb_counters, &counter);
  if (v) *v += n;
}

MAGLB_INLINE void count(__u32 counter) {
  count_add(counter, 1);
}

/* One forwarded frame of `bytes` (as received) for a VIP (by its XDP table
 * slot) and a backend (by its slot); `new_flow` (0 or 1): the frame also
 * created its flow's entry, counted in the same two lookups. */
MAGLB_INLINE void stats_forwarded(__u32 vip_slot, __u32 backend_slot, __u32 bytes, __u32 new_flow) {
  struct maglb_traffic_stats *s = bpf_map_lookup_elem(&maglb_vip_stats, &vip_slot);
  if (s) {
    s->packets++;
    s->bytes += bytes;
    s->new_flows += new_flow;
  }
  s = bpf_map_lookup_elem(&maglb_backend_stats, &backend_slot);
  if (s) {
    s->packets++;
    s->bytes += bytes;
    s->new_flows += new_flow;
  }
}

/* A flow entry was inserted but its packet was not forwarded (counted all
 * the same, as the DPDK pipeline does). */
MAGLB_INLINE void stats_new_flow(__u32 vip_slot, __u32 backend_slot) {
  struct maglb_traffic_stats *s = bpf_map_lookup_elem(&maglb_vip_stats, &vip_slot);
  if (s) s->new_flows++;
  s = bpf_map_lookup_elem(&maglb_backend_stats, &backend_slot);
  if (s) s->new_flows++;
}

#endif /* MAGLB_XDP_COUNTERS_H */
