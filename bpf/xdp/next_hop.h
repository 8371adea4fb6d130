/* SPDX-License-Identifier: Apache-2.0
 *
 * Next-hop MACs from the kernel's own FIB and neighbour tables
 * (bpf_fib_lookup): the XDP dataplane keeps no static MACs. The kernel
 * checks that forwarding is enabled on the ingress device (per device:
 * net.ipv4.conf.IF.forwarding, net.ipv6.conf.IF.forwarding) and returns
 * BPF_FIB_LKUP_RET_FWD_DISABLED otherwise; the loader warns about it.
 */
#ifndef MAGLB_XDP_NEXT_HOP_H
#define MAGLB_XDP_NEXT_HOP_H

#include "common/bpf_abi.h"
#include "xdp/clock.h"
#include "xdp/verdict.h"

/* A FIB + neighbour lookup costs about 180 ns here, more than the rest of
 * an established flow's path: each CPU remembers the result per backend
 * for one second (a direct-mapped cache indexed by backend slot, tagged
 * with the backend id; slots are handed out from 0, so below 4096
 * backends no two share an entry). A neighbour MAC change therefore reaches the dataplane within
 * that time; failed lookups are never cached. */
#define MAGLB_NH_CACHE_SLOTS 4096

struct nh_cache_entry {
  __u32 expires;    /* clock_now() units, modulo 2^32 */
  __u32 backend_id; /* 0: empty */
  __u8 dst[ETH_ALEN];
  __u8 src[ETH_ALEN];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, MAGLB_NH_CACHE_SLOTS);
  __type(key, __u32);
  __type(value, struct nh_cache_entry);
} maglb_nh_cache SEC(".maps");

/* Aligned so that put_l2() moves it with word accesses. */
struct l2_addrs {
  __u8 dst[ETH_ALEN];
  __u8 src[ETH_ALEN];
} __attribute__((aligned(4)));

/* Ethernet addresses to reach `addr` (a backend): the host itself when
 * on-link, else its gateway. Unresolved neighbour, no route, or any other
 * FIB failure: drop_no_neighbor (the kernel resolves neighbours only for
 * its own traffic; see docs/xdp.md). */
MAGLB_INLINE __u32 next_hop(struct xdp_md *ctx, __u8 family, const __u8 *addr,
                            struct l2_addrs *l2) {
  struct bpf_fib_lookup fib;
  __builtin_memset(&fib, 0, sizeof(fib));
  fib.ifindex = ctx->ingress_ifindex;
  if (family == MAGLB_FAMILY_IPV4) {
    fib.family = AF_INET;
    __builtin_memcpy(&fib.ipv4_dst, addr, 4);
  } else {
    fib.family = AF_INET6;
    __builtin_memcpy(fib.ipv6_dst, addr, 16);
  }
  long rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
  if (rc != BPF_FIB_LKUP_RET_SUCCESS) return MAGLB_C_DROP_NO_NEIGHBOR;
  __builtin_memcpy(l2->dst, fib.dmac, ETH_ALEN);
  __builtin_memcpy(l2->src, fib.smac, ETH_ALEN);
  return MAGLB_V_CONTINUE;
}

/* next_hop() through this CPU's cache, for backend `id` in `be_slot`. */
MAGLB_INLINE __u32 cached_next_hop(struct xdp_md *ctx, __u32 be_slot, __u32 id, __u8 family,
                                   const __u8 *addr, struct l2_addrs *l2, __u32 now) {
  __u32 slot = be_slot & (MAGLB_NH_CACHE_SLOTS - 1);
  struct nh_cache_entry *e = bpf_map_lookup_elem(&maglb_nh_cache, &slot);
  /* Modulo-2^32 comparison: `expires` is at most one second ahead. */
  if (e && e->backend_id == id && (__s32)(e->expires - now) > 0) {
    __builtin_memcpy(l2->dst, e->dst, ETH_ALEN);
    __builtin_memcpy(l2->src, e->src, ETH_ALEN);
    return MAGLB_V_CONTINUE;
  }
  __u32 v = next_hop(ctx, family, addr, l2);
  if (v == MAGLB_V_CONTINUE && e) {
    e->expires = now + clock_units_per_s();
    e->backend_id = id;
    __builtin_memcpy(e->dst, l2->dst, ETH_ALEN);
    __builtin_memcpy(e->src, l2->src, ETH_ALEN);
  }
  return v;
}

#endif /* MAGLB_XDP_NEXT_HOP_H */
