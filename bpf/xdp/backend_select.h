/* SPDX-License-Identifier: Apache-2.0
 *
 * Backend selection: connection tracking and the Maglev lookup,
 * docs/forwarding.md sections 3 and 5.
 */
#ifndef MAGLB_XDP_BACKEND_SELECT_H
#define MAGLB_XDP_BACKEND_SELECT_H

#include "xdp/counters.h"
#include "xdp/maps.h"
#include "xdp/verdict.h"

struct selection {
  struct maglb_backend *backend;
  __u32 backend_id;
};

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

MAGLB_INLINE __u32 backend_of_id(__u32 id, struct selection *sel) {
  sel->backend = bpf_map_lookup_elem(&maglb_backends, &id);
  /* The programmer adds backends before any table names them, so a table
   * entry without a backend is a programming race: no backend. */
  if (!sel->backend) return MAGLB_C_DROP_NO_BACKEND;
  sel->backend_id = id;
  return MAGLB_V_CONTINUE;
}

/* A fragment: the 3-tuple hash picks the slot; no connection tracking. */
MAGLB_INLINE __u32 select_stateless(__u32 vip_slot, __u32 hash, struct selection *sel) {
  __u32 id = 0;
  __u32 v = maglev_lookup(vip_slot, hash, &id);
  if (v != MAGLB_V_CONTINUE) return v;
  return backend_of_id(id, sel);
}

/* The clock of flow timestamps (maglb_flow_value.last_seen_ns) and of the
 * next-hop cache: CLOCK_MONOTONIC at tick resolution. Idle timeouts are
 * whole seconds, and the coarse clock skips the TSC read and conversion
 * of bpf_ktime_get_ns() on every VIP packet. */
MAGLB_INLINE __u64 flow_clock_ns(void) {
  return bpf_ktime_get_coarse_ns();
}

/* Timeout of an idle flow, in ns. */
MAGLB_INLINE __u64 idle_timeout_ns(const struct maglb_dp_params *params, __u8 proto) {
  __u32 s = proto == IPPROTO_TCP ? params->tcp_idle_timeout_s : params->udp_idle_timeout_s;
  return (__u64)s * 1000000000ull;
}

/* Looks the flow up; NULL on a miss (absent, set by another CPU only, or
 * idle too long: then counted as flow_expired if `count_expiry`). The
 * entry's backend may be gone. */
MAGLB_INLINE struct maglb_flow_value *flow_lookup(const struct maglb_flow_key *key,
                                                  const struct maglb_dp_params *params, __u64 now,
                                                  int count_expiry) {
  struct maglb_flow_value *fv = bpf_map_lookup_elem(&maglb_flows, key);
  if (!fv || fv->backend_id == 0) return 0;
  if (now - fv->last_seen_ns > idle_timeout_ns(params, key->proto)) {
    if (count_expiry) count(MAGLB_C_FLOW_EXPIRED);
    return 0;
  }
  return fv;
}

/* Connection-tracked selection (section 5). */
MAGLB_INLINE __u32 select_tracked(const struct maglb_flow_key *key, __u32 vip_slot, __u32 hash,
                                  const struct maglb_dp_params *params, __u64 now,
                                  struct selection *sel) {
  struct maglb_flow_value *fv = flow_lookup(key, params, now, 1);
  if (fv) {
    if (backend_of_id(fv->backend_id, sel) == MAGLB_V_CONTINUE) {
      fv->last_seen_ns = now;
      count(MAGLB_C_FLOW_HIT);
      return MAGLB_V_CONTINUE;
    }
    count(MAGLB_C_FLOW_REBALANCED); /* its backend left the snapshot: choose again */
  }
  __u32 id = 0;
  __u32 v = maglev_lookup(vip_slot, hash, &id);
  if (v != MAGLB_V_CONTINUE) return v;
  v = backend_of_id(id, sel);
  if (v != MAGLB_V_CONTINUE) return v;
  struct maglb_flow_value nv = {.last_seen_ns = now, .backend_id = id, .vip_index = vip_slot};
  bpf_map_update_elem(&maglb_flows, key, &nv, BPF_ANY);
  count(MAGLB_C_FLOW_NEW);
  stats_new_flow(vip_slot, id);
  return MAGLB_V_CONTINUE;
}

/* ICMP errors (section 4): the flow entry if present (never inserted),
 * else the Maglev slot. */
MAGLB_INLINE __u32 select_lookup_only(const struct maglb_flow_key *key, __u32 vip_slot, __u32 hash,
                                      const struct maglb_dp_params *params, __u64 now,
                                      struct selection *sel) {
  struct maglb_flow_value *fv = flow_lookup(key, params, now, 0);
  if (fv && backend_of_id(fv->backend_id, sel) == MAGLB_V_CONTINUE) return MAGLB_V_CONTINUE;
  return select_stateless(vip_slot, hash, sel);
}

#endif /* MAGLB_XDP_BACKEND_SELECT_H */
