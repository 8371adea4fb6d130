#include "encap.h"

#include <cstring>

namespace maglb::core {
void rewrite_l2(Packet &p, const FrameLayout &f, const uint8_t dst_mac[6],
                const uint8_t src_mac[6]) {
  std::memcpy(p.data, dst_mac, 6);
  std::memcpy(p.data + 6, src_mac, 6);
  detail::finish(p, p.data, f.l2_len + f.ip_len);
}

uint32_t icmp_too_big_reply_len(uint8_t family, const uint8_t *ip, uint16_t ip_len) {
  if (family == MAGLB_FAMILY_IPV6) {
    // The whole reply IPv6 packet stays within the IPv6 minimum MTU.
    const uint32_t quote = ip_len < 1280 - 48 ? ip_len : 1280 - 48;
    return 48 + quote;
  }
  const uint32_t want = (ip[0] & 15u) * 4 + 8;
  return 28 + (ip_len < want ? ip_len : want);
}

void write_icmp_too_big(Packet &p, const FrameLayout &f, uint8_t family, uint32_t mtu) {
  uint8_t *eth = p.data;
  uint8_t mac[6];
  std::memcpy(mac, eth, 6);
  std::memcpy(eth, eth + 6, 6);
  std::memcpy(eth + 6, mac, 6);
  uint8_t *ip = p.data + f.l2_len;
  const uint32_t total = icmp_too_big_reply_len(family, ip, f.ip_len);
  if (family == MAGLB_FAMILY_IPV6) {
    const uint32_t quote = total - 48;
    std::memmove(ip + 48, ip, quote);
    const uint8_t *q = ip + 48;
    uint8_t *icmp = ip + 40;
    detail::write_ipv6(ip, 0, 0, static_cast<uint16_t>(8 + quote), 58, q + 24, q + 8);
    icmp[0] = 2;
    icmp[1] = 0;
    icmp[2] = icmp[3] = 0;
    detail::put_be32(icmp + 4, mtu);
    uint64_t s = detail::ipv6_pseudo_sum(ip + 8, ip + 24, 8 + quote, 58);
    store_csum(icmp + 2, csum_fold(csum_add(s, icmp, 8 + quote)));
  } else {
    const uint32_t quote = total - 28;
    std::memmove(ip + 28, ip, quote);
    const uint8_t *q = ip + 28;
    uint8_t *icmp = ip + 20;
    uint8_t src[4], dst[4];
    std::memcpy(src, q + 16, 4);
    std::memcpy(dst, q + 12, 4);
    detail::write_ipv4(ip, 0, static_cast<uint16_t>(total), 1, false, src, dst);
    icmp[0] = 3;
    icmp[1] = 4;
    icmp[2] = icmp[3] = 0;
    icmp[4] = icmp[5] = 0;
    detail::put_be16(icmp + 6, static_cast<uint16_t>(mtu));
    store_csum(icmp + 2, csum_fold(csum_add(0, icmp, 8 + quote)));
  }
  detail::finish(p, p.data, f.l2_len + total);
}

}  // namespace maglb::core
