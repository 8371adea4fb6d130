/* SPDX-License-Identifier: Apache-2.0
 *
 * Parser: docs/forwarding.md section 1, rule for rule. Fills a struct pkt
 * with offsets from the start of the frame; later stages re-derive packet
 * pointers from these offsets (masked, so the verifier keeps a bound) and
 * re-check them against data_end before every access.
 */
#ifndef MAGLB_XDP_PARSE_H
#define MAGLB_XDP_PARSE_H

#include "common/bpf_abi.h"
#include "xdp/verdict.h"

#define FRAG_NONE 0
#define FRAG_FIRST 1 /* offset 0, more fragments follow: has the L4 header */
#define FRAG_LATER 2 /* offset != 0: no L4 header */

/* Offsets fit in 13 bits (a frame is at most a page); masking with this
 * keeps every offset provably small for the verifier. */
#define OFF_MASK 0x1fff

struct pkt {
  __u32 l3_off; /* 14, or 18 behind one 802.1Q tag */
  __u32 l4_off; /* first byte after the IP header(s) */
  __u32 ip_len; /* IPv4 total length, or 40 + IPv6 payload length */
  __u8 family;  /* MAGLB_FAMILY_* */
  __u8 proto;   /* L4 protocol (after IPv6 extension headers) */
  __u8 frag;    /* FRAG_* */
  __u8 ttl;     /* IPv4 TTL / IPv6 hop limit */
  __u8 vlan;    /* 1 if one 802.1Q tag precedes the IP header */
  __u8 df;      /* IPv4 don't-fragment bit */
  __u8 icmp_type;
  __u8 icmp_code;
  __u8 tcp_syn;    /* TCP SYN without ACK: a connection's first packet */
  __u32 frame_len; /* as received (rx_bytes, traffic statistics) */
  /* src/dst/proto/family always; ports unless FRAG_LATER. 8-byte aligned
   * so that filling it from the packet takes word stores. */
  struct maglb_flow_key key __attribute__((aligned(8)));
};

MAGLB_INLINE int is_ipv6_ext(__u8 nh) {
  return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST || nh == NEXTHDR_FRAGMENT;
}

MAGLB_INLINE __u32 parse_ipv4(void *data, void *end, struct pkt *p) {
  __u8 *ip = data + p->l3_off;
  if ((void *)(ip + IPV4_HLEN) > end) return MAGLB_C_DROP_BAD_IPV4;
  __u32 ihl = (ip[0] & 0x0f) * 4;
  __u32 tot = ((__u32)ip[2] << 8) | ip[3];
  if ((ip[0] >> 4) != 4 || ihl < IPV4_HLEN || tot < ihl) return MAGLB_C_DROP_BAD_IPV4;
  if ((void *)ip + tot > end) return MAGLB_C_DROP_BAD_IPV4;
  __u32 frag = ((__u32)ip[6] << 8) | ip[7];
  if (frag & IP_OFFMASK)
    p->frag = FRAG_LATER;
  else if (frag & IP_MF)
    p->frag = FRAG_FIRST;
  p->df = (frag & IP_DF) != 0;
  p->ip_len = tot;
  p->l4_off = p->l3_off + ihl;
  p->family = MAGLB_FAMILY_IPV4;
  p->ttl = ip[8];
  p->proto = ip[9];
  p->key.family = MAGLB_FAMILY_IPV4;
  p->key.proto = ip[9];
  *(__u32 *)p->key.src = PKT_U32(ip + 12);
  *(__u32 *)p->key.dst = PKT_U32(ip + 16);
  return MAGLB_V_CONTINUE;
}

MAGLB_INLINE __u32 parse_ipv6(void *data, void *end, struct pkt *p) {
  __u8 *ip = data + p->l3_off;
  if ((void *)(ip + IPV6_HLEN) > end) return MAGLB_C_DROP_BAD_IPV6;
  __u32 plen = ((__u32)ip[4] << 8) | ip[5];
  if ((ip[0] >> 4) != 6) return MAGLB_C_DROP_BAD_IPV6;
  if ((void *)ip + IPV6_HLEN + plen > end) return MAGLB_C_DROP_BAD_IPV6;
  p->ip_len = IPV6_HLEN + plen;
  p->family = MAGLB_FAMILY_IPV6;
  p->ttl = ip[7];
  p->key.family = MAGLB_FAMILY_IPV6;
  *(__u64 *)p->key.src = PKT_U64(ip + 8);
  *(__u64 *)(p->key.src + 8) = PKT_U64(ip + 16);
  *(__u64 *)p->key.dst = PKT_U64(ip + 24);
  *(__u64 *)(p->key.dst + 8) = PKT_U64(ip + 32);

  __u8 nh = ip[6];
  __u32 off = p->l3_off + IPV6_HLEN;
  __u32 ip_end = p->l3_off + p->ip_len;
  /* A bounded walk (the verifier unrolls it): the same bound as DPDK's
   * parser so both drop the same chains. */
  for (int i = 0; i < (int)MAGLB_MAX_IPV6_EXT_HDRS; i++) {
    if (!is_ipv6_ext(nh)) break;
    __u8 *h = data + (off & OFF_MASK);
    if (off + 8 > ip_end || (void *)(h + 8) > end) return MAGLB_C_DROP_BAD_IPV6;
    __u32 len = 8;
    if (nh == NEXTHDR_FRAGMENT) {
      __u32 fo = ((__u32)h[2] << 8) | h[3];
      p->frag = (fo & 0xfff8) ? FRAG_LATER : FRAG_FIRST;
    } else {
      len = ((__u32)h[1] + 1) * 8;
    }
    if (off + len > ip_end) return MAGLB_C_DROP_BAD_IPV6;
    nh = h[0];
    off += len;
    /* A later fragment carries payload, not headers, after its fragment
     * header: stop walking there. */
    if (p->frag == FRAG_LATER) break;
  }
  if (is_ipv6_ext(nh) && p->frag != FRAG_LATER) return MAGLB_C_DROP_IPV6_EXT_CHAIN;
  p->l4_off = off;
  p->proto = nh;
  p->key.proto = nh;
  return MAGLB_V_CONTINUE;
}

/* TCP and UDP headers; ICMP only needs its type and code here. */
MAGLB_INLINE __u32 parse_l4(void *data, void *end, struct pkt *p) {
  __u32 l4_len = p->l3_off + p->ip_len - p->l4_off;
  __u8 *l4 = data + (p->l4_off & OFF_MASK);
  if (p->proto == IPPROTO_TCP) {
    if (p->frag == FRAG_LATER) return MAGLB_V_CONTINUE;
    if (l4_len < 20 || (void *)(l4 + 20) > end) return MAGLB_C_DROP_BAD_L4;
    __u32 doff = (l4[12] >> 4) * 4;
    if (doff < 20 || doff > l4_len) return MAGLB_C_DROP_BAD_L4;
    p->tcp_syn = (l4[13] & (MAGLB_TCP_SYN | MAGLB_TCP_ACK)) == MAGLB_TCP_SYN;
  } else if (p->proto == IPPROTO_UDP) {
    if (p->frag == FRAG_LATER) return MAGLB_V_CONTINUE;
    if (l4_len < UDP_HLEN || (void *)(l4 + UDP_HLEN) > end) return MAGLB_C_DROP_BAD_L4;
    __u32 ulen = ((__u32)l4[4] << 8) | l4[5];
    /* A first fragment holds only the start of the datagram its length
     * describes. */
    if (ulen < UDP_HLEN || (ulen > l4_len && p->frag == FRAG_NONE)) return MAGLB_C_DROP_BAD_L4;
  } else if ((p->family == MAGLB_FAMILY_IPV4 && p->proto == IPPROTO_ICMP) ||
             (p->family == MAGLB_FAMILY_IPV6 && p->proto == NEXTHDR_ICMPV6)) {
    if (p->frag != FRAG_NONE) return MAGLB_V_PASS;
    if (l4_len < ICMP_HLEN || (void *)(l4 + ICMP_HLEN) > end) return MAGLB_C_DROP_BAD_ICMP;
    p->icmp_type = l4[0];
    p->icmp_code = l4[1];
    return MAGLB_V_CONTINUE;
  } else {
    return MAGLB_V_PASS;
  }
  *(__u32 *)&p->key.sport = PKT_U32(l4); /* sport, dport: adjacent in key and header */
  return MAGLB_V_CONTINUE;
}

/* Ethernet, one optional 802.1Q tag, IPv4/IPv6, L4. */
MAGLB_INLINE __u32 parse_packet(struct xdp_md *ctx, struct pkt *p) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  __u8 *eth = data;
  p->frame_len = (__u32)(end - data);
  if ((void *)(eth + ETH_HLEN) > end) return MAGLB_C_DROP_RUNT;
  __u16 type = ((__u16)eth[12] << 8) | eth[13];
  p->l3_off = ETH_HLEN;
  if (type == ETH_P_8021Q) {
    if ((void *)(eth + ETH_HLEN + VLAN_HLEN) > end) return MAGLB_C_DROP_RUNT;
    type = ((__u16)eth[16] << 8) | eth[17];
    if (type == ETH_P_8021Q || type == ETH_P_8021AD) return MAGLB_V_PASS;
    p->l3_off = ETH_HLEN + VLAN_HLEN;
    p->vlan = 1;
  }
  __u32 v;
  if (type == ETH_P_IP)
    v = parse_ipv4(data, end, p);
  else if (type == ETH_P_IPV6)
    v = parse_ipv6(data, end, p);
  else
    return MAGLB_V_PASS;
  if (v != MAGLB_V_CONTINUE) return v;
  return parse_l4(data, end, p);
}

#endif /* MAGLB_XDP_PARSE_H */
