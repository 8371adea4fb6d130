#include "neighbor_packets.h"

#include <cstring>

namespace maglb::dpdk {

namespace {

constexpr uint16_t kEthArp = 0x0806, kEthIpv6 = 0x86dd, kEthVlan = 0x8100;
constexpr uint8_t kIcmpv6 = 58;
constexpr uint8_t kNs = 135, kNa = 136;
constexpr uint8_t kOptSourceLl = 1, kOptTargetLl = 2;
constexpr uint32_t kNaFlagSolicited = 0x40000000u, kNaFlagOverride = 0x20000000u;
constexpr size_t kArpFrameMin = 60;

uint16_t rd16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
void wr16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Ethernet header (with the tag when vlan_tci != 0); returns its length.
size_t put_eth(uint8_t *p, const MacAddr &dst, const MacAddr &src, uint16_t ethertype,
               uint16_t vlan_tci) {
  std::memcpy(p, dst.data(), 6);
  std::memcpy(p + 6, src.data(), 6);
  if (vlan_tci != 0) {
    wr16(p + 12, kEthVlan);
    wr16(p + 14, vlan_tci);
    wr16(p + 16, ethertype);
    return 18;
  }
  wr16(p + 12, ethertype);
  return 14;
}

size_t eth_len(uint16_t vlan_tci) {
  return vlan_tci != 0 ? 18 : 14;
}

size_t put_arp(std::span<uint8_t> out, uint16_t oper, const MacAddr &eth_dst, const MacAddr &my_mac,
               const IpAddr &my_ip, const MacAddr &tha, const IpAddr &tpa, uint16_t vlan_tci) {
  if (out.size() < kArpFrameMin + 4 || my_ip.family != MAGLB_FAMILY_IPV4 ||
      tpa.family != MAGLB_FAMILY_IPV4) {
    return 0;
  }
  std::memset(out.data(), 0, kArpFrameMin + 4);
  uint8_t *p = out.data();
  size_t off = put_eth(p, eth_dst, my_mac, kEthArp, vlan_tci);
  uint8_t *a = p + off;
  wr16(a, 1);           // hardware type Ethernet
  wr16(a + 2, 0x0800);  // protocol IPv4
  a[4] = 6;
  a[5] = 4;
  wr16(a + 6, oper);
  std::memcpy(a + 8, my_mac.data(), 6);
  std::memcpy(a + 14, my_ip.bytes.data(), 4);
  std::memcpy(a + 18, tha.data(), 6);
  std::memcpy(a + 24, tpa.bytes.data(), 4);
  size_t len = off + 28;
  return len < kArpFrameMin ? kArpFrameMin : len;
}

// IPv6 + ICMPv6 ND message (type, flags word, target, one link-layer option).
size_t put_nd(std::span<uint8_t> out, const MacAddr &eth_dst, const MacAddr &my_mac,
              const uint8_t src[16], const uint8_t dst[16], uint8_t type, uint32_t flags,
              const IpAddr &target, uint8_t opt_type, uint16_t vlan_tci) {
  constexpr size_t kIcmpLen = 4 + 4 + 16 + 8;
  size_t need = eth_len(vlan_tci) + 40 + kIcmpLen;
  if (out.size() < need || target.family != MAGLB_FAMILY_IPV6) return 0;
  uint8_t *p = out.data();
  size_t off = put_eth(p, eth_dst, my_mac, kEthIpv6, vlan_tci);
  uint8_t *ip = p + off;
  std::memset(ip, 0, 40);
  ip[0] = 0x60;
  wr16(ip + 4, kIcmpLen);
  ip[6] = kIcmpv6;
  ip[7] = 255;  // RFC 4861: receivers drop ND with any other hop limit
  std::memcpy(ip + 8, src, 16);
  std::memcpy(ip + 24, dst, 16);
  uint8_t *icmp = ip + 40;
  std::memset(icmp, 0, kIcmpLen);
  icmp[0] = type;
  icmp[4] = static_cast<uint8_t>(flags >> 24);
  std::memcpy(icmp + 8, target.bytes.data(), 16);
  icmp[24] = opt_type;
  icmp[25] = 1;  // option length in 8-byte units
  std::memcpy(icmp + 26, my_mac.data(), 6);
  wr16(icmp + 2, icmpv6_checksum(src, dst, {icmp, kIcmpLen}));
  return need;
}

}  // namespace

uint16_t icmpv6_checksum(const uint8_t src[16], const uint8_t dst[16],
                         std::span<const uint8_t> icmp) {
  uint64_t sum = 0;
  for (int i = 0; i < 16; i += 2) sum += rd16(src + i) + rd16(dst + i);
  sum += static_cast<uint32_t>(icmp.size());
  sum += kIcmpv6;
  size_t i = 0;
  for (; i + 1 < icmp.size(); i += 2) {
    // The checksum field itself (offset 2) counts as zero.
    if (i != 2) sum += rd16(icmp.data() + i);
  }
  if (i < icmp.size()) sum += static_cast<uint16_t>(icmp[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

bool is_neighbor_frame(const uint8_t *frame, size_t len) {
  if (len < 14) return false;
  size_t off = 12;
  uint16_t type = rd16(frame + off);
  if (type == kEthVlan) {
    if (len < 18) return false;
    off += 4;
    type = rd16(frame + off);
  }
  off += 2;
  if (type == kEthArp) return true;
  if (type != kEthIpv6 || len < off + 41) return false;
  if (frame[off + 6] != kIcmpv6) return false;
  uint8_t icmp_type = frame[off + 40];
  return icmp_type == kNs || icmp_type == kNa;
}

std::optional<NeighborMessage> parse_neighbor_message(std::span<const uint8_t> frame) {
  const uint8_t *p = frame.data();
  size_t len = frame.size();
  if (len < 14) return std::nullopt;
  NeighborMessage m{};
  std::memcpy(m.eth_src.data(), p + 6, 6);
  size_t off = 12;
  uint16_t type = rd16(p + off);
  if (type == kEthVlan) {
    if (len < 18) return std::nullopt;
    m.vlan_tci = rd16(p + 14);
    off += 4;
    type = rd16(p + off);
  }
  off += 2;

  if (type == kEthArp) {
    if (len < off + 28) return std::nullopt;
    const uint8_t *a = p + off;
    if (rd16(a) != 1 || rd16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) return std::nullopt;
    uint16_t oper = rd16(a + 6);
    if (oper != 1 && oper != 2) return std::nullopt;
    m.kind = oper == 1 ? NeighborMsgKind::ArpRequest : NeighborMsgKind::ArpReply;
    m.family = MAGLB_FAMILY_IPV4;
    std::memcpy(m.sender_mac.data(), a + 8, 6);
    m.sender_mac_known = true;
    m.sender_ip.family = MAGLB_FAMILY_IPV4;
    std::memcpy(m.sender_ip.bytes.data(), a + 14, 4);
    m.target_ip.family = MAGLB_FAMILY_IPV4;
    std::memcpy(m.target_ip.bytes.data(), a + 24, 4);
    return m;
  }

  if (type != kEthIpv6 || len < off + 40) return std::nullopt;
  const uint8_t *ip = p + off;
  if ((ip[0] >> 4) != 6 || ip[6] != kIcmpv6 || ip[7] != 255) return std::nullopt;
  size_t plen = rd16(ip + 4);
  if (plen < 24 || off + 40 + plen > len) return std::nullopt;
  const uint8_t *icmp = ip + 40;
  if ((icmp[0] != kNs && icmp[0] != kNa) || icmp[1] != 0) return std::nullopt;
  if (icmpv6_checksum(ip + 8, ip + 24, {icmp, plen}) != rd16(icmp + 2)) return std::nullopt;
  m.family = MAGLB_FAMILY_IPV6;
  m.kind = icmp[0] == kNs ? NeighborMsgKind::Solicitation : NeighborMsgKind::Advertisement;
  m.sender_ip.family = MAGLB_FAMILY_IPV6;
  std::memcpy(m.sender_ip.bytes.data(), ip + 8, 16);
  m.target_ip.family = MAGLB_FAMILY_IPV6;
  std::memcpy(m.target_ip.bytes.data(), icmp + 8, 16);
  m.solicited = (icmp[4] & 0x40) != 0;
  uint8_t wanted = m.kind == NeighborMsgKind::Solicitation ? kOptSourceLl : kOptTargetLl;
  for (size_t o = 24; o < plen;) {
    if (o + 2 > plen) return std::nullopt;
    size_t olen = static_cast<size_t>(icmp[o + 1]) * 8;
    if (olen == 0 || o + olen > plen) return std::nullopt;  // RFC 4861 4.6: length 0 is invalid
    if (icmp[o] == wanted && olen >= 8) {
      std::memcpy(m.sender_mac.data(), icmp + o + 2, 6);
      m.sender_mac_known = true;
    }
    o += olen;
  }
  return m;
}

size_t build_arp_request(std::span<uint8_t> out, const MacAddr &my_mac, const IpAddr &my_ip,
                         const IpAddr &target, const MacAddr &dst_mac, uint16_t vlan_tci) {
  return put_arp(out, 1, dst_mac, my_mac, my_ip, MacAddr{}, target, vlan_tci);
}

size_t build_arp_reply(std::span<uint8_t> out, const MacAddr &my_mac, const IpAddr &my_ip,
                       const MacAddr &to_mac, const IpAddr &to_ip, uint16_t vlan_tci) {
  return put_arp(out, 2, to_mac, my_mac, my_ip, to_mac, to_ip, vlan_tci);
}

size_t build_neighbor_solicitation(std::span<uint8_t> out, const MacAddr &my_mac,
                                   const IpAddr &my_ip, const IpAddr &target,
                                   const std::optional<MacAddr> &known_mac, uint16_t vlan_tci) {
  uint8_t dst[16];
  MacAddr eth_dst;
  if (known_mac) {
    std::memcpy(dst, target.bytes.data(), 16);
    eth_dst = *known_mac;
  } else {
    // Solicited-node multicast ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX.
    static constexpr uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
    std::memcpy(dst, kPrefix, 13);
    std::memcpy(dst + 13, target.bytes.data() + 13, 3);
    eth_dst = {0x33, 0x33, 0xff, target.bytes[13], target.bytes[14], target.bytes[15]};
  }
  return put_nd(out, eth_dst, my_mac, my_ip.bytes.data(), dst, kNs, 0, target, kOptSourceLl,
                vlan_tci);
}

size_t build_neighbor_advertisement(std::span<uint8_t> out, const MacAddr &my_mac,
                                    const IpAddr &my_ip, const IpAddr &dst_ip,
                                    const MacAddr &dst_mac, uint16_t vlan_tci) {
  static constexpr uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  bool dad = dst_ip.bytes == std::array<uint8_t, 16>{};
  const uint8_t *dst = dad ? kAllNodes : dst_ip.bytes.data();
  MacAddr eth_dst = dad ? MacAddr{0x33, 0x33, 0, 0, 0, 1} : dst_mac;
  uint32_t flags = kNaFlagOverride | (dad ? 0 : kNaFlagSolicited);
  return put_nd(out, eth_dst, my_mac, my_ip.bytes.data(), dst, kNa, flags, my_ip, kOptTargetLl,
                vlan_tci);
}

}  // namespace maglb::dpdk
