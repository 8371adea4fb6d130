/* SPDX-License-Identifier: Apache-2.0
 *
 * "Too big for the tunnel" replies: docs/forwarding.md section 7. The reply
 * is built in place: the head moves back by the new IP + ICMP headers, the
 * input's IP header (and what follows) stays where it is as the quote, and
 * the tail is cut where the quote ends.
 */
#ifndef MAGLB_XDP_ICMP_TOO_BIG_H
#define MAGLB_XDP_ICMP_TOO_BIG_H

#include "common/csum.h"
#include "xdp/encap.h"

/* RFC 8201: an ICMPv6 error must fit the IPv6 minimum MTU. */
#define IPV6_MIN_MTU 1280

/* Swapped Ethernet addresses of the input frame (the reply goes back the
 * way the packet came). */
MAGLB_INLINE int swapped_l2(struct xdp_md *ctx, struct l2_addrs *l2) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  if (data + ETH_HLEN > end) return -1;
  __builtin_memcpy(l2->dst, data + 6, ETH_ALEN);
  __builtin_memcpy(l2->src, data, ETH_ALEN);
  return 0;
}

MAGLB_INLINE int set_frame_len(struct xdp_md *ctx, __u32 want) {
  int frame = (int)(xdp_data_end(ctx) - xdp_data(ctx));
  if (frame == (int)want) return 0;
  return bpf_xdp_adjust_tail(ctx, (int)want - frame);
}

/* ICMPv4 type 3 code 4 to the client, quoting the IP header and 8 bytes. */
MAGLB_INLINE __u32 reply_frag_needed(struct xdp_md *ctx, const struct pkt *p, __u16 next_mtu) {
  struct l2_addrs l2;
  if (swapped_l2(ctx, &l2)) return MAGLB_C_DROP_NO_HEADROOM;
  __be16 tci = saved_tci(ctx, p);
  __u32 l3 = p->l3_off & 0x1f;
  __u32 quote = ((p->l4_off - p->l3_off) & 0x3f) + 8;
  __u32 icmp_len = ICMP_HLEN + quote;

  struct outer_ipv4 ip = {
      .ver_ihl = 0x45,
      .tot_len = bpf_htons(IPV4_HLEN + icmp_len),
      .ttl = 64,
      .proto = IPPROTO_ICMP,
  };
  __builtin_memcpy(&ip.src, p->key.dst, 4); /* the VIP */
  __builtin_memcpy(&ip.dst, p->key.src, 4); /* the client */
  ip.check = csum_ipv4_header(&ip);
  __u8 icmp[ICMP_HLEN] = {ICMP_DEST_UNREACH_TYPE, ICMP_FRAG_NEEDED_CODE, 0, 0, 0, 0,
                          (__u8)(next_mtu >> 8),  (__u8)next_mtu};

  if (bpf_xdp_adjust_head(ctx, -(int)(IPV4_HLEN + ICMP_HLEN))) return MAGLB_C_DROP_NO_HEADROOM;
  if (set_frame_len(ctx, l3 + IPV4_HLEN + icmp_len)) return MAGLB_C_DROP_NO_HEADROOM;
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  if (put_l2(data, end, &l2, p->vlan, tci, ETH_P_IP)) return MAGLB_C_DROP_NO_HEADROOM;
  __u8 *h = data + l3;
  if ((void *)(h + IPV4_HLEN + ICMP_HLEN) > end) return MAGLB_C_DROP_NO_HEADROOM;
  __builtin_memcpy(h, &ip, IPV4_HLEN);
  __builtin_memcpy(h + IPV4_HLEN, icmp, ICMP_HLEN);

  if (csum_store_l4(ctx, l3 + IPV4_HLEN, icmp_len, 0, 2, 0)) return MAGLB_C_DROP_NO_HEADROOM;
  return MAGLB_V_TX;
}

/* ICMPv6 packet too big to the client, quoting as much of the input as fits
 * in 1280 bytes. */
MAGLB_INLINE __u32 reply_packet_too_big(struct xdp_md *ctx, const struct pkt *p, __u32 next_mtu) {
  struct l2_addrs l2;
  if (swapped_l2(ctx, &l2)) return MAGLB_C_DROP_NO_HEADROOM;
  __be16 tci = saved_tci(ctx, p);
  __u32 l3 = p->l3_off & 0x1f;
  __u32 quote = p->ip_len;
  if (quote > IPV6_MIN_MTU - IPV6_HLEN - ICMP_HLEN) quote = IPV6_MIN_MTU - IPV6_HLEN - ICMP_HLEN;
  __u32 icmp_len = ICMP_HLEN + quote;

  struct outer_ipv6 ip = {
      .b = {0x60, 0, 0, 0},
      .payload_len = bpf_htons(icmp_len),
      .next_header = NEXTHDR_ICMPV6,
      .hop_limit = 64,
  };
  __builtin_memcpy(ip.src, p->key.dst, 16); /* the VIP */
  __builtin_memcpy(ip.dst, p->key.src, 16); /* the client */
  __be32 mtu_be = bpf_htonl(next_mtu);
  __u8 icmp[ICMP_HLEN] = {ICMPV6_PKT_TOOBIG_TYPE, 0, 0, 0};
  __builtin_memcpy(icmp + 4, &mtu_be, 4);

  if (bpf_xdp_adjust_head(ctx, -(int)(IPV6_HLEN + ICMP_HLEN))) return MAGLB_C_DROP_NO_HEADROOM;
  if (set_frame_len(ctx, l3 + IPV6_HLEN + icmp_len)) return MAGLB_C_DROP_NO_HEADROOM;
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  if (put_l2(data, end, &l2, p->vlan, tci, ETH_P_IPV6)) return MAGLB_C_DROP_NO_HEADROOM;
  __u8 *h = data + l3;
  if ((void *)(h + IPV6_HLEN + ICMP_HLEN) > end) return MAGLB_C_DROP_NO_HEADROOM;
  __builtin_memcpy(h, &ip, IPV6_HLEN);
  __builtin_memcpy(h + IPV6_HLEN, icmp, ICMP_HLEN);

  __u32 seed = csum_ipv6_pseudo(ip.src, ip.dst, icmp_len, NEXTHDR_ICMPV6);
  if (csum_store_l4(ctx, l3 + IPV6_HLEN, icmp_len, seed, 2, 0)) return MAGLB_C_DROP_NO_HEADROOM;
  return MAGLB_V_TX;
}

#endif /* MAGLB_XDP_ICMP_TOO_BIG_H */
