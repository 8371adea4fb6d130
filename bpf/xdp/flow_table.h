/* SPDX-License-Identifier: Apache-2.0
 *
 * Connection tracking in an array of buckets (dataplane/abi/maglb_xdp_abi.h),
 * each CPU with its own range of buckets: docs/forwarding.md section 5 with
 * the DPDK table's rules (a free way, else an expired one, else the
 * bucket's least recently seen, counted as flow_evicted).
 */
#ifndef MAGLB_XDP_FLOW_TABLE_H
#define MAGLB_XDP_FLOW_TABLE_H

#include "xdp/clock.h"
#include "xdp/counters.h"
#include "xdp/maps.h"

/* Buckets per CPU and CPU ranges, set by the loader together with
 * maglb_flows' size (flow_ncpus * flow_buckets_per_cpu buckets). */
const volatile __u32 flow_buckets_per_cpu = 1;
const volatile __u32 flow_ncpus = 1;

/* The bucket of `key` (8-byte aligned) within one CPU's range. */
MAGLB_INLINE __u32 flow_bucket_in_range(const struct maglb_flow_key *key) {
  const __u64 *w = (const __u64 *)key;
  return maglb_xdp_flow_bucket_of(maglb_xdp_flow_place_hash(w[0], w[1], w[2], w[3], w[4]),
                                  flow_buckets_per_cpu);
}

/* This CPU's bucket of `key` (8-byte aligned), or NULL. */
MAGLB_INLINE struct maglb_xdp_flow_bucket *flow_bucket(const struct maglb_flow_key *key) {
  __u32 idx = bpf_get_smp_processor_id() * flow_buckets_per_cpu + flow_bucket_in_range(key);
  return bpf_map_lookup_elem(&maglb_flows, &idx);
}

MAGLB_INLINE int flow_key_equal(const struct maglb_xdp_flow *e, const struct maglb_flow_key *k) {
  const __u64 *a = (const __u64 *)&e->key;
  const __u64 *b = (const __u64 *)k;
  /* Ports, protocol and family first: the word most likely to differ. */
  return a[4] == b[4] && a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* Idle timeouts in clock units. */
struct flow_timeouts {
  __u32 tcp;
  __u32 udp;
};

MAGLB_INLINE struct flow_timeouts flow_timeouts_of(const struct maglb_dp_params *params) {
  struct flow_timeouts t = {
      .tcp = params->tcp_idle_timeout_s * clock_units_per_s(),
      .udp = params->udp_idle_timeout_s * clock_units_per_s(),
  };
  return t;
}

/* A lookup: the entry if the flow is tracked and live; else the way a new
 * entry for it goes (a free way, the flow's own expired entry, an expired
 * way, or the least recently seen). */
struct flow_lookup {
  struct maglb_xdp_flow *hit;
  struct maglb_xdp_flow *way;
  int evicts_live; /* `way` holds a live flow */
};

#define FLOW_VICTIM_LIVE 8 /* flow_victim(): the way holds a live flow */

/* The way of a full bucket that a new flow replaces: an expired way, else
 * the least recently seen. A global subprogram, verified once on its own
 * (inlined, its per-way choices multiply the verifier's states); only
 * called when a bucket is full. Returns the way, or'ed with
 * FLOW_VICTIM_LIVE when it holds a live flow. */
MAGLB_SUBPROG int flow_victim(struct maglb_xdp_flow_bucket *bk, __u32 now, __u32 tcp_timeout,
                              __u32 udp_timeout) {
  if (!bk) return 0;
  __u32 best = 0, best_score = 0;
  for (int w = 0; w < MAGLB_XDP_FLOW_WAYS; w++) {
    const struct maglb_xdp_flow *e = &bk->way[w];
    const __u32 age = now - e->last_seen;
    const __u32 timeout = e->key.proto == IPPROTO_TCP ? tcp_timeout : udp_timeout;
    /* Any expired way first, then the longest idle. */
    const __u32 score = age > timeout ? 0xffffffffu : age;
    if (score > best_score || w == 0) {
      best_score = score;
      best = w;
    }
  }
  return (int)(best | (best_score == 0xffffffffu ? 0 : FLOW_VICTIM_LIVE));
}

/* Looks `key` up in this CPU's bucket. An entry idle for longer than its
 * timeout is a miss, counted as flow_expired if `count_expiry`. */
MAGLB_INLINE void flow_lookup(const struct maglb_flow_key *key, struct flow_timeouts t, __u32 now,
                              int count_expiry, struct flow_lookup *r) {
  r->hit = 0;
  r->way = 0;
  r->evicts_live = 0;
  struct maglb_xdp_flow_bucket *bk = flow_bucket(key);
  if (!bk) return;
#pragma unroll
  for (int w = 0; w < MAGLB_XDP_FLOW_WAYS; w++) {
    struct maglb_xdp_flow *e = &bk->way[w];
    /* Ways fill from way 0 and entries are only ever overwritten (a flush
     * empties the whole table), so nothing tracked lies past an empty way. */
    if (e->backend_id == 0) {
      r->way = e;
      return;
    }
    if (flow_key_equal(e, key)) {
      /* The entry's own timeout: a bucket mixes TCP and UDP flows. */
      if (now - e->last_seen <= (key->proto == IPPROTO_TCP ? t.tcp : t.udp)) {
        r->hit = e;
        return;
      }
      if (count_expiry) count(MAGLB_C_FLOW_EXPIRED);
      r->way = e; /* chosen again, in place */
      return;
    }
  }
  const int v = flow_victim(bk, now, t.tcp, t.udp);
  r->way = &bk->way[v & (MAGLB_XDP_FLOW_WAYS - 1)];
  r->evicts_live = (v & FLOW_VICTIM_LIVE) != 0;
}

/* Cross-CPU adoption (docs/xdp.md, "Flows that change CPU"). Each CPU
 * writes only its own range, but a connection's packets can reach another
 * CPU (veth, generic XDP, a NIC without strict RSS pinning, an RSS
 * indirection change); that CPU would miss and re-pick from the Maglev
 * table, which may have changed since or drained the flow's backend. On a
 * miss that is not a TCP SYN, the same bucket of every other CPU's range
 * is probed (bpf_loop: verified once, any CPU count) and a live entry is
 * copied into this CPU's range. The other CPU may be writing that entry
 * meanwhile: the key is compared again after the copy, and the backend id
 * is checked against the snapshot before use, as for any entry. */
struct flow_probe {
  struct maglb_flow_key key __attribute__((aligned(8)));
  __u32 bucket; /* index within a CPU's range */
  __u32 self;   /* this CPU, whose range was searched already */
  __u32 now;
  __u32 tcp_timeout;
  __u32 udp_timeout;
  __u32 found;
  struct maglb_xdp_flow entry; /* the copy, when found */
};

static long flow_probe_cpu(__u64 cpu, void *ctx) {
  struct flow_probe *pr = ctx;
  if (cpu == pr->self) return 0;
  __u32 idx = (__u32)cpu * flow_buckets_per_cpu + pr->bucket;
  struct maglb_xdp_flow_bucket *bk = bpf_map_lookup_elem(&maglb_flows, &idx);
  if (!bk) return 1;
  const __u32 timeout = pr->key.proto == IPPROTO_TCP ? pr->tcp_timeout : pr->udp_timeout;
#pragma unroll
  for (int w = 0; w < MAGLB_XDP_FLOW_WAYS; w++) {
    const struct maglb_xdp_flow *e = &bk->way[w];
    if (e->backend_id == 0) return 0; /* nothing past an empty way: next CPU */
    if (!flow_key_equal(e, &pr->key)) continue;
    if (pr->now - e->last_seen > timeout) return 0;
    pr->entry = *e;
    /* Overwritten while we copied: no entry. */
    if (!flow_key_equal(e, &pr->key)) return 0;
    pr->found = 1;
    return 1;
  }
  return 0;
}

/* Copies the live entry of `key` (8-byte aligned) from another CPU's range
 * into `way` (this CPU's). Returns 1 if it did. */
MAGLB_INLINE int flow_adopt(const struct maglb_flow_key *key, struct flow_timeouts t, __u32 now,
                            struct maglb_xdp_flow *way) {
  struct flow_probe pr;
  __builtin_memcpy(&pr.key, key, sizeof(pr.key));
  pr.bucket = flow_bucket_in_range(key);
  pr.self = bpf_get_smp_processor_id();
  pr.now = now;
  pr.tcp_timeout = t.tcp;
  pr.udp_timeout = t.udp;
  pr.found = 0;
  bpf_loop(flow_ncpus, flow_probe_cpu, &pr, 0);
  if (!pr.found) return 0;
  *way = pr.entry;
  way->last_seen = now;
  return 1;
}

/* Writes a new entry for `key` (8-byte aligned) into `way`. */
MAGLB_INLINE void flow_store(struct maglb_xdp_flow *way, const struct maglb_flow_key *key,
                             __u32 backend_id, __u32 backend_slot, __u32 select_hash,
                             __u32 vip_index, __u32 now) {
  const __u64 *k = (const __u64 *)key;
  __u64 *d = (__u64 *)&way->key;
  d[0] = k[0];
  d[1] = k[1];
  d[2] = k[2];
  d[3] = k[3];
  d[4] = k[4];
  way->backend_id = backend_id;
  way->backend_slot = backend_slot;
  way->select_hash = select_hash;
  way->last_seen = now;
  way->vip_index = vip_index;
}

/* A packet of a tracked flow: the timestamp is written only when the clock
 * has ticked since (at most HZ times a second per flow), so a busy flow's
 * line is not dirtied by every packet. */
MAGLB_INLINE void flow_touch(struct maglb_xdp_flow *e, __u32 now) {
  if (e->last_seen != now) e->last_seen = now;
}

#endif /* MAGLB_XDP_FLOW_TABLE_H */
