/* SPDX-License-Identifier: Apache-2.0
 *
 * Output frames for forwarded packets: docs/forwarding.md section 6.
 * Headers are built on the stack (where checksumming is cheap and the
 * verifier needs no packet bounds), then copied into the frame.
 */
#ifndef MAGLB_XDP_ENCAP_H
#define MAGLB_XDP_ENCAP_H

#include "common/csum.h"
#include "xdp/next_hop.h"
#include "xdp/parse.h"

struct outer_ipv4 {
  __u8 ver_ihl, tos;
  __be16 tot_len, id, frag_off;
  __u8 ttl, proto;
  __u16 check;
  __be32 src, dst;
};

struct outer_ipv6 {
  __u8 b[4]; /* version, traffic class, flow label */
  __be16 payload_len;
  __u8 next_header, hop_limit;
  __u8 src[16], dst[16];
} __attribute__((aligned(4)));

struct outer_udp {
  __be16 sport, dport, len;
  __u16 check;
} __attribute__((aligned(4)));

/* Drops the Ethernet padding after the IP packet (it must not reach the
 * output) and returns the frame length, or -1. */
MAGLB_INLINE int trim_padding(struct xdp_md *ctx, const struct pkt *p) {
  int frame = (int)(xdp_data_end(ctx) - xdp_data(ctx));
  int want = (int)(p->l3_off + p->ip_len);
  if (frame > want && bpf_xdp_adjust_tail(ctx, want - frame)) return -1;
  return want;
}

/* encap_src_v4 with its low src_v4_entropy_bits taken from the flow hash:
 * backends' NIC RSS then spreads tunnels from one LB over their queues. */
MAGLB_INLINE __be32 outer_src_v4(const struct maglb_dp_params *pp, __u32 hash) {
  __u32 bits = pp->src_v4_entropy_bits;
  __u32 mask = bits >= 32 ? 0xffffffffu : ((1u << bits) - 1);
  __u32 src = bpf_ntohl(pp->encap_src_v4);
  return bpf_htonl((src & ~mask) | (hash & mask));
}

MAGLB_INLINE void outer_src_v6(const struct maglb_dp_params *pp, __u32 hash, __u8 out[16]) {
  __builtin_memcpy(out, pp->encap_src_v6, 16);
  __u32 bits = pp->src_v6_entropy_bits > 16 ? 16 : pp->src_v6_entropy_bits;
  __u32 mask = (1u << bits) - 1;
  __u32 w = ((__u32)out[14] << 8) | out[15];
  w = (w & ~mask) | (hash & mask);
  out[14] = (__u8)(w >> 8);
  out[15] = (__u8)w;
}

/* Writes the Ethernet header (and the saved VLAN tag) at the frame start. */
MAGLB_INLINE int put_l2(void *data, void *end, const struct l2_addrs *l2, int vlan, __be16 tci,
                        __u16 ethertype) {
  __u8 *eth = data;
  if ((void *)(eth + ETH_HLEN + VLAN_HLEN) > end) return -1;
  PKT_U32(eth) = *(const __u32 *)l2->dst;
  PKT_U16(eth + 4) = *(const __u16 *)(l2->dst + 4);
  PKT_U16(eth + 6) = *(const __u16 *)l2->src;
  PKT_U32(eth + 8) = *(const __u32 *)(l2->src + 2);
  if (vlan) {
    eth[12] = ETH_P_8021Q >> 8;
    eth[13] = ETH_P_8021Q & 0xff;
    __builtin_memcpy(eth + 14, &tci, 2);
    eth[16] = ethertype >> 8;
    eth[17] = ethertype & 0xff;
  } else {
    eth[12] = ethertype >> 8;
    eth[13] = ethertype & 0xff;
  }
  return 0;
}

/* Reads the VLAN TCI (network order) of the current frame, 0 if untagged. */
MAGLB_INLINE __be16 saved_tci(struct xdp_md *ctx, const struct pkt *p) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  __be16 tci = 0;
  if (p->vlan && data + ETH_HLEN + VLAN_HLEN <= end) __builtin_memcpy(&tci, data + 14, 2);
  return tci;
}

/* Inner TOS / traffic class, copied into the outer header. */
MAGLB_INLINE __u8 inner_tos(struct xdp_md *ctx, const struct pkt *p) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  __u8 *ip = data + (p->l3_off & 0x1f);
  if ((void *)(ip + 2) > end) return 0;
  if (p->family == MAGLB_FAMILY_IPV4) return ip[1];
  return (__u8)((ip[0] << 4) | (ip[1] >> 4));
}

/* IPIP / IP6IP6 / GUE encapsulation (the outer family is the backend's),
 * or the L2 rewrite. The frame has been trimmed to l3_off + ip_len. */
MAGLB_INLINE __u32 emit_forward(struct xdp_md *ctx, const struct pkt *p, __u8 method,
                                const struct maglb_backend *be, __u32 hash,
                                const struct maglb_dp_params *pp, const struct l2_addrs *l2) {
  __be16 tci = saved_tci(ctx, p);
  __u32 l3 = p->l3_off & 0x1f;
  __u16 inner_type = p->family == MAGLB_FAMILY_IPV4 ? ETH_P_IP : ETH_P_IPV6;
  if (method == MAGLB_FWD_L2) {
    void *data = xdp_data(ctx);
    void *end = xdp_data_end(ctx);
    if (put_l2(data, end, l2, p->vlan, tci, inner_type)) return MAGLB_C_DROP_NO_HEADROOM;
    return MAGLB_V_TX;
  }

  const int gue = method == MAGLB_FWD_GUE;
  const int outer_v6 = be->family == MAGLB_FAMILY_IPV6;
  __u8 tos = inner_tos(ctx, p);
  __u32 ip_len = p->ip_len & 0xffff;
  __u32 outer_hl = outer_v6 ? IPV6_HLEN : IPV4_HLEN;
  __u32 overhead = outer_hl + (gue ? UDP_HLEN : 0);
  __u8 proto =
      gue ? IPPROTO_UDP : (p->family == MAGLB_FAMILY_IPV4 ? IPPROTO_IPIP_NUM : IPPROTO_IPV6_NUM);

  struct outer_udp udp = {
      .sport = bpf_htons(0xC000 | (hash & 0x3FFF)),
      .dport = pp->gue_port,
      .len = bpf_htons(UDP_HLEN + ip_len),
      .check = 0,
  };
  struct outer_ipv4 o4 = {};
  struct outer_ipv6 o6 = {};
  if (outer_v6) {
    __u32 flow = hash & 0xFFFFF;
    o6.b[0] = 0x60 | (tos >> 4);
    o6.b[1] = (__u8)((tos << 4) | (flow >> 16));
    o6.b[2] = (__u8)(flow >> 8);
    o6.b[3] = (__u8)flow;
    o6.payload_len = bpf_htons((gue ? UDP_HLEN : 0) + ip_len);
    o6.next_header = proto;
    o6.hop_limit = 64;
    outer_src_v6(pp, hash, o6.src);
    __builtin_memcpy(o6.dst, be->addr, 16);
  } else {
    o4.ver_ihl = 0x45;
    o4.tos = tos;
    o4.tot_len = bpf_htons(overhead + ip_len);
    o4.id = 0;
    o4.frag_off = bpf_htons(IP_DF);
    o4.ttl = 64;
    o4.proto = proto;
    o4.check = 0;
    o4.src = outer_src_v4(pp, hash);
    __builtin_memcpy(&o4.dst, be->addr, 4);
    o4.check = csum_ipv4_header(&o4);
  }

  if (bpf_xdp_adjust_head(ctx, -(int)overhead)) return MAGLB_C_DROP_NO_HEADROOM;
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  if (put_l2(data, end, l2, p->vlan, tci, outer_v6 ? ETH_P_IPV6 : ETH_P_IP))
    return MAGLB_C_DROP_NO_HEADROOM;
  __u8 *outer = data + l3;
  /* Bounds of the header written, not of the largest one: IPIP of an
   * inner packet under 28 bytes (an IPv4 later fragment) is shorter than
   * 48 bytes after the outer header (fuzz_xdp_parity). */
  if (outer_v6) {
    if ((void *)(outer + IPV6_HLEN) > end) return MAGLB_C_DROP_NO_HEADROOM;
    *(struct outer_ipv6 *)(void *)outer = o6;
  } else {
    if ((void *)(outer + IPV4_HLEN) > end) return MAGLB_C_DROP_NO_HEADROOM;
    *(struct outer_ipv4 *)(void *)outer = o4;
  }
  if (!gue) return MAGLB_V_TX;

  __u8 *u = outer + outer_hl;
  if ((void *)(u + UDP_HLEN) > end) return MAGLB_C_DROP_NO_HEADROOM;
  *(struct outer_udp *)(void *)u = udp;
  if (!outer_v6) return MAGLB_V_TX; /* UDP checksum 0 over IPv4 (RFC 768) */

  /* Over IPv6 the UDP checksum is mandatory (RFC 8200 section 8.1). */
  __u32 seed = csum_ipv6_pseudo(o6.src, o6.dst, UDP_HLEN + ip_len, IPPROTO_UDP);
  if (csum_store_l4(ctx, l3 + IPV6_HLEN, UDP_HLEN + ip_len, seed, 6, 1))
    return MAGLB_C_DROP_NO_HEADROOM;
  return MAGLB_V_TX;
}

/* Encapsulation overhead of a method towards a backend family. */
MAGLB_INLINE __u32 encap_overhead(__u8 method, __u8 backend_family) {
  if (method == MAGLB_FWD_L2) return 0;
  __u32 o = backend_family == MAGLB_FAMILY_IPV6 ? IPV6_HLEN : IPV4_HLEN;
  return method == MAGLB_FWD_GUE ? o + UDP_HLEN : o;
}

#endif /* MAGLB_XDP_ENCAP_H */
