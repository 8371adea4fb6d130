/* SPDX-License-Identifier: Apache-2.0
 *
 * maglb XDP dataplane: the fallback for hosts without DPDK. Implements
 * docs/forwarding.md exactly (the shared packet fixtures check it against
 * the DPDK pipeline byte for byte). Stages live in the headers of bpf/xdp/, in the
 * order they run: parse, VIP match, backend selection, output.
 */
#include "common/bpf_abi.h"
#include "xdp/backend_select.h"
#include "xdp/clock.h"
#include "xdp/counters.h"
#include "xdp/encap.h"
#include "xdp/icmp_error.h"
#include "xdp/icmp_too_big.h"
#include "xdp/maps.h"
#include "xdp/next_hop.h"
#include "xdp/parse.h"
#include "xdp/verdict.h"
#include "xdp/vip_match.h"

char LICENSE[] SEC("license") = "GPL";

/* The port's own MAC (the interface the program is attached to), set by
 * the loader: the source of L2-method frames to a backend whose MAC the
 * snapshot carries, which need no FIB lookup (and may have no neighbour
 * entry). Every other source MAC comes from bpf_fib_lookup. */
const volatile __u8 port_mac[ETH_ALEN] = {};

/* Next hop of a backend: the snapshot's MAC for the L2 method when it has
 * one (docs/forwarding.md section 6), else the kernel's FIB. */
MAGLB_INLINE __u32 backend_next_hop(struct xdp_md *ctx, __u8 method, const struct selection *sel,
                                    struct l2_addrs *l2, __u32 now) {
  const struct maglb_backend *be = sel->backend;
  if (method == MAGLB_FWD_L2 &&
      (be->mac[0] | be->mac[1] | be->mac[2] | be->mac[3] | be->mac[4] | be->mac[5])) {
    __builtin_memcpy(l2->dst, be->mac, ETH_ALEN);
#pragma unroll
    for (int i = 0; i < ETH_ALEN; i++) l2->src[i] = port_mac[i];
    return MAGLB_V_CONTINUE;
  }
  return cached_next_hop(ctx, sel->backend_slot, sel->backend_id, be->family, be->addr, l2, now);
}

/* Sends the packet to the selected backend (section 6), or answers "too
 * big" (section 7; never about an ICMP error, RFC 1122 3.2.2 / RFC 4443
 * 2.4). */
MAGLB_INLINE __u32 forward(struct xdp_md *ctx, const struct pkt *p,
                           const struct maglb_vip_meta *meta, struct selection *sel,
                           const struct maglb_dp_params *params, __u32 now, int icmp_error) {
  const struct maglb_backend *be = sel->backend;
  __u32 overhead = encap_overhead(meta->fwd_method, be->family);
  if (p->ip_len + overhead > params->mtu) {
    if (sel->new_flow) {
      stats_new_flow(meta->vip_index, sel->backend_slot);
      sel->new_flow = 0;
    }
    if (!(params->flags & MAGLB_DP_F_ICMP_TOO_BIG) || icmp_error) return MAGLB_C_DROP_TOO_BIG;
    __u32 next_mtu = params->mtu - overhead;
    __u32 v;
    if (p->family == MAGLB_FAMILY_IPV6)
      v = reply_packet_too_big(ctx, p, next_mtu);
    else if (p->df)
      v = reply_frag_needed(ctx, p, (__u16)next_mtu);
    else
      return MAGLB_C_DROP_TOO_BIG;
    if (v == MAGLB_V_TX) count(MAGLB_C_TX_ICMP_GENERATED);
    return v;
  }

  struct l2_addrs l2;
  __u32 v = backend_next_hop(ctx, meta->fwd_method, sel, &l2, now);
  if (v != MAGLB_V_CONTINUE) return v;
  if (trim_padding(ctx, p) < 0) return MAGLB_C_DROP_NO_HEADROOM;
  v = emit_forward(ctx, p, meta->fwd_method, be, sel->hash, params, &l2);
  if (v != MAGLB_V_TX) return v;
  count(MAGLB_C_TX_FORWARDED);
  count(meta->fwd_method == MAGLB_FWD_GUE  ? MAGLB_C_FWD_GUE
        : meta->fwd_method == MAGLB_FWD_L2 ? MAGLB_C_FWD_L2
                                           : MAGLB_C_FWD_IPIP);
  if (icmp_error) count(MAGLB_C_ICMP_ERROR_FORWARDED);
  stats_forwarded(meta->vip_index, sel->backend_slot, p->frame_len, sel->new_flow);
  sel->new_flow = 0;
  return MAGLB_V_TX;
}

/* ICMP: only "too big" errors about a VIP flow are ours (section 4). */
MAGLB_INLINE __u32 process_icmp(struct xdp_md *ctx, const struct pkt *p,
                                const struct maglb_dp_params *params) {
  if (!is_too_big_error(p)) return MAGLB_V_PASS;
  /* 8-byte aligned: the flow table reads keys in words. */
  struct maglb_flow_key flow __attribute__((aligned(8)));
  __be16 vip_port = 0;
  __u32 v = parse_quoted_flow(ctx, p, &flow, &vip_port);
  if (v != MAGLB_V_CONTINUE) return v;
  struct maglb_vip_meta *meta = vip_lookup(flow.dst, vip_port, flow.proto, flow.family, 0);
  if (!meta) return MAGLB_V_PASS;
  if (p->ttl <= 1) return MAGLB_C_DROP_TTL_EXCEEDED;

  const __u32 hash = spec_hash(&flow, meta->hash_fields);
  const __u32 now = clock_now();
  struct selection sel = {};
  v = select_lookup_only(&flow, meta->vip_index, hash, flow_timeouts_of(params), now, &sel);
  if (v != MAGLB_V_CONTINUE) return v;
  return forward(ctx, p, meta, &sel, params, now, 1);
}

MAGLB_INLINE __u32 process(struct xdp_md *ctx) {
  struct pkt p;
  __builtin_memset(&p, 0, sizeof(p));
  __u32 v = parse_packet(ctx, &p);
  if (v != MAGLB_V_CONTINUE) return v;

  __u32 zero = 0;
  const struct maglb_dp_params *params = bpf_map_lookup_elem(&maglb_params, &zero);
  if (!params) return MAGLB_C_DROP_NO_TABLE;
  if (p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP) return process_icmp(ctx, &p, params);

  struct maglb_vip_meta *meta =
      vip_lookup(p.key.dst, p.key.dport, p.proto, p.family, p.frag == FRAG_LATER);
  if (!meta) return MAGLB_V_PASS;
  /* Tunnel semantics: the inner header is not decremented, so a packet
   * that would expire at this hop is refused rather than forwarded. */
  if (p.ttl <= 1) return MAGLB_C_DROP_TTL_EXCEEDED;
  const __u32 now = clock_now();

  struct selection sel = {};
  if (p.frag != FRAG_NONE) {
    /* Every fragment of a datagram on one backend: the 3-tuple hash,
     * whatever the VIP's hash fields (section 3); no tracking. */
    count(MAGLB_C_FRAGMENTS);
    v = select_stateless(meta->vip_index, spec_hash(&p.key, MAGLB_HASH_3TUPLE), &sel);
  } else {
    v = select_tracked(&p.key, meta, flow_timeouts_of(params), now,
                       p.proto == IPPROTO_TCP && p.tcp_syn, &sel);
  }
  if (v != MAGLB_V_CONTINUE) return v;
  v = forward(ctx, &p, meta, &sel, params, now, 0);
  /* A new flow whose packet was dropped after its entry was stored. */
  if (sel.new_flow) stats_new_flow(meta->vip_index, sel.backend_slot);
  return v;
}

SEC("xdp")
int maglb_xdp(struct xdp_md *ctx) {
  count(MAGLB_C_RX_PACKETS);
  count_add(MAGLB_C_RX_BYTES, xdp_data_end(ctx) - xdp_data(ctx));
  __u32 v = process(ctx);
  if (v == MAGLB_V_TX) return XDP_TX;
  if (v == MAGLB_V_PASS) {
    count(MAGLB_C_PASS_TO_KERNEL);
    return XDP_PASS;
  }
  count(v < MAGLB_C__COUNT ? v : MAGLB_C_DROP_BAD_L2);
  return XDP_DROP;
}
