#include "parser.h"

namespace maglb::core {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmpv6 = 58;

inline uint16_t be16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

inline void drop(Parsed *o, maglb_counter c) {
  o->kind = ParseKind::Drop;
  o->drop_counter = static_cast<uint8_t>(c);
}

inline uint32_t swap_ports(uint32_t ports) {
  return ports >> 16 | ports << 16;
}

// TCP/UDP header checks of docs/forwarding.md section 1. A first fragment's
// UDP length describes the whole datagram, so it is not compared with the
// bytes of this fragment; it is still at least the UDP header (the XDP
// parser checks that too: fuzz_xdp_parity found the core forwarding it).
inline bool l4_ok(uint8_t proto, const uint8_t *l4, uint32_t l4len, bool fragment) {
  if (proto == kProtoTcp) {
    if (l4len < 20) return false;
    const uint32_t doff = l4[12] >> 4;
    return doff >= 5 && doff * 4 <= l4len;
  }
  if (l4len < 8) return false;
  const uint32_t ulen = be16(l4 + 4);
  return ulen >= 8 && (fragment || ulen <= l4len);
}

inline bool tcp_or_udp(uint8_t proto) {
  return proto == kProtoTcp || proto == kProtoUdp;
}

void parse_icmp4(const uint8_t *l4, uint32_t l4len, uint32_t outer_dst, Parsed *o) {
  if (l4len < 8) return drop(o, MAGLB_C_DROP_BAD_ICMP);
  if (l4[0] != 3 || l4[1] != 4) return;  // only fragmentation-needed is routed by its quote
  const uint8_t *q = l4 + 8;
  const uint32_t qlen = l4len - 8;
  if (qlen < 20 || (q[0] >> 4) != 4) return drop(o, MAGLB_C_DROP_BAD_ICMP);
  const uint32_t qihl = (q[0] & 15u) * 4;
  if (qihl < 20 || qihl + 8 > qlen) return drop(o, MAGLB_C_DROP_BAD_ICMP);
  const uint8_t qproto = q[9];
  if (!tcp_or_udp(qproto)) return;
  if (be16(q + 6) & 0x1fff) return;  // quoted later fragment: its 8 bytes are not ports
  const uint32_t qsrc = load_u32(q + 12);
  if (qsrc != outer_dst) return;  // the quoted packet was not sent from this address
  o->key.w[0] = load_u32(q + 16);
  o->key.w[1] = 0;
  o->key.w[2] = qsrc;
  o->key.w[3] = 0;
  o->key.w[4] = tail_word(swap_ports(load_u32(q + qihl)), qproto, MAGLB_FAMILY_IPV4);
  o->kind = ParseKind::IcmpError;
}

void parse_icmp6(const uint8_t *ip, const uint8_t *l4, uint32_t l4len, Parsed *o) {
  if (l4len < 8) return drop(o, MAGLB_C_DROP_BAD_ICMP);
  if (l4[0] != 2) return;  // only packet-too-big is routed by its quote
  const uint8_t *q = l4 + 8;
  const uint32_t qlen = l4len - 8;
  if (qlen < 48 || (q[0] >> 4) != 6) return drop(o, MAGLB_C_DROP_BAD_ICMP);
  const uint8_t qproto = q[6];  // extension headers in the quote are not walked
  if (!tcp_or_udp(qproto)) return;
  const uint64_t src0 = load_u64(q + 8), src1 = load_u64(q + 16);
  if (src0 != load_u64(ip + 24) || src1 != load_u64(ip + 32)) return;
  o->key.w[0] = load_u64(q + 24);
  o->key.w[1] = load_u64(q + 32);
  o->key.w[2] = src0;
  o->key.w[3] = src1;
  o->key.w[4] = tail_word(swap_ports(load_u32(q + 40)), qproto, MAGLB_FAMILY_IPV6);
  o->kind = ParseKind::IcmpError;
}

void parse_ipv4(const uint8_t *ip, uint32_t avail, Parsed *o) {
  if (avail < 20 || (ip[0] >> 4) != 4) return drop(o, MAGLB_C_DROP_BAD_IPV4);
  const uint32_t ihl = (ip[0] & 15u) * 4;
  const uint32_t tot = be16(ip + 2);
  if (ihl < 20 || tot < ihl || tot > avail) return drop(o, MAGLB_C_DROP_BAD_IPV4);
  o->ip_len = static_cast<uint16_t>(tot);
  o->tos = ip[1];
  o->ttl = ip[8];
  const uint16_t frag = be16(ip + 6);
  o->df = frag & 0x4000;
  const bool fragment = frag & 0x3fff;  // MF or offset
  const bool later = frag & 0x1fff;
  const uint8_t proto = ip[9];
  const uint8_t *l4 = ip + ihl;
  const uint32_t l4len = tot - ihl;
  if (tcp_or_udp(proto)) {
    uint32_t ports = 0;
    if (!later) {
      if (!l4_ok(proto, l4, l4len, fragment)) return drop(o, MAGLB_C_DROP_BAD_L4);
      ports = load_u32(l4);
    }
    o->key.w[0] = load_u32(ip + 12);
    o->key.w[1] = 0;
    o->key.w[2] = load_u32(ip + 16);
    o->key.w[3] = 0;
    o->key.w[4] = tail_word(ports, proto, MAGLB_FAMILY_IPV4);
    o->kind = fragment ? ParseKind::Fragment : ParseKind::Flow;
    o->later_fragment = later;
    return;
  }
  if (proto == kProtoIcmp && !fragment) parse_icmp4(l4, l4len, load_u32(ip + 16), o);
}

void parse_ipv6(const uint8_t *ip, uint32_t avail, Parsed *o) {
  if (avail < 40 || (ip[0] >> 4) != 6) return drop(o, MAGLB_C_DROP_BAD_IPV6);
  const uint32_t ip_len = 40u + be16(ip + 4);
  if (ip_len > avail) return drop(o, MAGLB_C_DROP_BAD_IPV6);
  o->ip_len = static_cast<uint16_t>(ip_len);
  o->tos = static_cast<uint8_t>((ip[0] & 15u) << 4 | ip[1] >> 4);
  o->ttl = ip[7];
  o->df = true;
  uint8_t nh = ip[6];
  uint32_t off = 40;
  bool fragment = false, later = false;
  // Bounded walk: the same bound as the XDP program's unrolled loop.
  for (uint32_t n_ext = 0; nh == 0 || nh == 43 || nh == 60 || nh == 44; ++n_ext) {
    if (n_ext == MAGLB_MAX_IPV6_EXT_HDRS) return drop(o, MAGLB_C_DROP_IPV6_EXT_CHAIN);
    if (off + 8 > ip_len) return drop(o, MAGLB_C_DROP_BAD_IPV6);
    const uint8_t *h = ip + off;
    if (nh == 44) {
      fragment = true;
      later = (be16(h + 2) & 0xfff8) != 0;
      nh = h[0];
      off += 8;
      if (later) break;  // what follows is the middle of the datagram
    } else {
      const uint32_t elen = (h[1] + 1u) * 8;
      if (off + elen > ip_len) return drop(o, MAGLB_C_DROP_BAD_IPV6);
      nh = h[0];
      off += elen;
    }
  }
  const uint8_t *l4 = ip + off;
  const uint32_t l4len = ip_len - off;
  if (tcp_or_udp(nh)) {
    uint32_t ports = 0;
    if (!later) {
      if (!l4_ok(nh, l4, l4len, fragment)) return drop(o, MAGLB_C_DROP_BAD_L4);
      ports = load_u32(l4);
    }
    o->key.w[0] = load_u64(ip + 8);
    o->key.w[1] = load_u64(ip + 16);
    o->key.w[2] = load_u64(ip + 24);
    o->key.w[3] = load_u64(ip + 32);
    o->key.w[4] = tail_word(ports, nh, MAGLB_FAMILY_IPV6);
    o->kind = fragment ? ParseKind::Fragment : ParseKind::Flow;
    o->later_fragment = later;
    return;
  }
  if (nh == kProtoIcmpv6 && !fragment) parse_icmp6(ip, l4, l4len, o);
}

}  // namespace

void parse_frame(const uint8_t *data, uint16_t len, Parsed *o) {
  if (parse_frame_fast(data, len, o)) return;
  o->kind = ParseKind::Pass;
  o->later_fragment = false;
  o->df = false;
  if (len < 14) return drop(o, MAGLB_C_DROP_RUNT);
  uint16_t ether_type = be16(data + 12);
  uint32_t l3 = 14;
  if (ether_type == kEtherVlan) {
    if (len < 18) return drop(o, MAGLB_C_DROP_RUNT);
    ether_type = be16(data + 16);
    l3 = 18;
    if (ether_type == kEtherVlan || ether_type == kEtherQinQ) return;  // second tag: kernel's
  }
  o->l2_len = static_cast<uint8_t>(l3);
  if (ether_type == kEtherIpv4)
    parse_ipv4(data + l3, len - l3, o);
  else if (ether_type == kEtherIpv6)
    parse_ipv6(data + l3, len - l3, o);
}

}  // namespace maglb::core
