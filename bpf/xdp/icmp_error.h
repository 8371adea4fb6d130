/* SPDX-License-Identifier: Apache-2.0
 *
 * ICMP errors about a VIP flow (docs/forwarding.md section 4): "fragmentation
 * needed" / "packet too big" sent to a VIP about a packet a backend sent from
 * it. The quoted packet names the flow, reversed.
 */
#ifndef MAGLB_XDP_ICMP_ERROR_H
#define MAGLB_XDP_ICMP_ERROR_H

#include "xdp/parse.h"

/* 16-byte address equality without a memcmp call (BPF has no libc). */
MAGLB_INLINE int addr_equal(const __u8 *a, const __u8 *b) {
  __u64 a0, a1, b0, b1;
  __builtin_memcpy(&a0, a, 8);
  __builtin_memcpy(&a1, a + 8, 8);
  __builtin_memcpy(&b0, b, 8);
  __builtin_memcpy(&b1, b + 8, 8);
  return a0 == b0 && a1 == b1;
}

MAGLB_INLINE int is_too_big_error(const struct pkt *p) {
  if (p->family == MAGLB_FAMILY_IPV4)
    return p->icmp_type == ICMP_DEST_UNREACH_TYPE && p->icmp_code == ICMP_FRAG_NEEDED_CODE;
  return p->icmp_type == ICMPV6_PKT_TOOBIG_TYPE;
}

/* From the quote: the flow key (client -> VIP direction) in *flow, and the
 * quoted source port (the VIP's port) in *vip_port. A quote too short for
 * its IP header and 8 bytes of L4: drop_bad_icmp. MAGLB_V_PASS when the
 * quote is neither TCP nor UDP, is a later fragment (its 8 bytes are not
 * ports), or was not sent from the address the error is addressed to. */
MAGLB_INLINE __u32 parse_quoted_flow(struct xdp_md *ctx, const struct pkt *p,
                                     struct maglb_flow_key *flow, __be16 *vip_port) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  __u32 q = p->l4_off + ICMP_HLEN;
  __u32 ip_end = p->l3_off + p->ip_len;
  __u8 *h = data + (q & OFF_MASK);
  __u32 hl;
  __u8 proto;
  __builtin_memset(flow, 0, sizeof(*flow));
  flow->family = p->family;
  int later_fragment = 0;
  if (p->family == MAGLB_FAMILY_IPV4) {
    if (q + IPV4_HLEN > ip_end || (void *)(h + IPV4_HLEN) > end) return MAGLB_C_DROP_BAD_ICMP;
    hl = (h[0] & 0x0f) * 4;
    if ((h[0] >> 4) != 4 || hl < IPV4_HLEN) return MAGLB_C_DROP_BAD_ICMP;
    proto = h[9];
    later_fragment = ((((__u32)h[6] << 8) | h[7]) & IP_OFFMASK) != 0;
    __builtin_memcpy(flow->dst, h + 12, 4); /* quoted source: the VIP */
    __builtin_memcpy(flow->src, h + 16, 4); /* quoted destination: the client */
  } else {
    /* Extension headers in the quote are not walked (as in DPDK). */
    if (q + IPV6_HLEN > ip_end || (void *)(h + IPV6_HLEN) > end) return MAGLB_C_DROP_BAD_ICMP;
    if ((h[0] >> 4) != 6) return MAGLB_C_DROP_BAD_ICMP;
    hl = IPV6_HLEN;
    proto = h[6];
    __builtin_memcpy(flow->dst, h + 8, 16);
    __builtin_memcpy(flow->src, h + 24, 16);
  }
  if (q + hl + 8 > ip_end) return MAGLB_C_DROP_BAD_ICMP;
  __u8 *l4 = data + ((q + hl) & OFF_MASK);
  if ((void *)(l4 + 8) > end) return MAGLB_C_DROP_BAD_ICMP;
  if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) return MAGLB_V_PASS;
  if (later_fragment) return MAGLB_V_PASS;
  if (!addr_equal(flow->dst, p->key.dst)) return MAGLB_V_PASS;
  flow->proto = proto;
  __builtin_memcpy(vip_port, l4, 2);
  __builtin_memcpy(&flow->sport, l4 + 2, 2);
  __builtin_memcpy(&flow->dport, l4, 2);
  return MAGLB_V_CONTINUE;
}

#endif /* MAGLB_XDP_ICMP_ERROR_H */
