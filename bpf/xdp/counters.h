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
 * slot) and a backend (by id). */
MAGLB_INLINE void stats_forwarded(__u32 vip_slot, __u32 backend_id, __u32 bytes) {
  struct maglb_traffic_stats *s = bpf_map_lookup_elem(&maglb_vip_stats, &vip_slot);
  if (s) {
    s->packets++;
    s->bytes += bytes;
  }
  s = bpf_map_lookup_elem(&maglb_backend_stats, &backend_id);
  if (s) {
    s->packets++;
    s->bytes += bytes;
  }
}

/* A flow entry was inserted (counted even if the packet is then dropped,
 * as the DPDK pipeline does). */
MAGLB_INLINE void stats_new_flow(__u32 vip_slot, __u32 backend_id) {
  struct maglb_traffic_stats *s = bpf_map_lookup_elem(&maglb_vip_stats, &vip_slot);
  if (s) s->new_flows++;
  s = bpf_map_lookup_elem(&maglb_backend_stats, &backend_id);
  if (s) s->new_flows++;
}

#endif /* MAGLB_XDP_COUNTERS_H */
