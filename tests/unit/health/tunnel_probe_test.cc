// The tunnel probe's inner SYN, checked field by field and against the
// Internet checksum definition (RFC 1071): a receiver's sum over a correct
// header (and, for TCP, the pseudo-header) folds to zero.
#include "tunnel_probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

namespace maglb::health {
namespace {

uint16_t ones_sum(const std::vector<uint8_t> &bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += bytes[i] << 8 | bytes[i + 1];
  if (bytes.size() & 1) sum += bytes.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

std::vector<uint8_t> pseudo_and_tcp(const IpAddress &src, const IpAddress &dst,
                                    const std::vector<uint8_t> &pkt, size_t ip_len) {
  const size_t alen = src.family == MAGLB_FAMILY_IPV4 ? 4 : 16;
  std::vector<uint8_t> v(src.addr.begin(), src.addr.begin() + static_cast<long>(alen));
  v.insert(v.end(), dst.addr.begin(), dst.addr.begin() + static_cast<long>(alen));
  const size_t tcp_len = pkt.size() - ip_len;
  v.insert(v.end(),
           {0, IPPROTO_TCP, static_cast<uint8_t>(tcp_len >> 8), static_cast<uint8_t>(tcp_len)});
  v.insert(v.end(), pkt.begin() + static_cast<long>(ip_len), pkt.end());
  return v;
}

TEST(TunnelProbeTest, InnerSynV4) {
  const IpAddress src = *parse_ip("198.18.0.1"), vip = *parse_ip("198.18.0.100");
  const std::vector<uint8_t> p = build_inner_syn(src, vip, 40000, 80, 0x01020304);
  ASSERT_EQ(p.size(), 40u);
  EXPECT_EQ(p[0], 0x45);
  EXPECT_EQ(p[9], IPPROTO_TCP);
  EXPECT_EQ(p[3], 40);
  EXPECT_EQ(ones_sum({p.begin(), p.begin() + 20}), 0xffff) << "IPv4 header checksum";
  EXPECT_EQ(std::vector<uint8_t>(p.begin() + 12, p.begin() + 16),
            std::vector<uint8_t>({198, 18, 0, 1}));
  EXPECT_EQ(std::vector<uint8_t>(p.begin() + 16, p.begin() + 20),
            std::vector<uint8_t>({198, 18, 0, 100}));
  EXPECT_EQ(p[20] << 8 | p[21], 40000);
  EXPECT_EQ(p[22] << 8 | p[23], 80);
  EXPECT_EQ(std::vector<uint8_t>(p.begin() + 24, p.begin() + 28),
            std::vector<uint8_t>({1, 2, 3, 4}));
  EXPECT_EQ(p[33], 0x02) << "SYN only";
  EXPECT_EQ(ones_sum(pseudo_and_tcp(src, vip, p, 20)), 0xffff) << "TCP checksum";
}

TEST(TunnelProbeTest, InnerSynV6) {
  const IpAddress src = *parse_ip("2001:db8::1"), vip = *parse_ip("2001:db8:100::100");
  const std::vector<uint8_t> p = build_inner_syn(src, vip, 50000, 443, 7);
  ASSERT_EQ(p.size(), 60u);
  EXPECT_EQ(p[0] >> 4, 6);
  EXPECT_EQ(p[5], 20) << "payload length";
  EXPECT_EQ(p[6], IPPROTO_TCP);
  EXPECT_EQ(p[40] << 8 | p[41], 50000);
  EXPECT_EQ(p[42] << 8 | p[43], 443);
  EXPECT_EQ(p[53], 0x02);
  EXPECT_EQ(ones_sum(pseudo_and_tcp(src, vip, p, 40)), 0xffff) << "TCP checksum";
}

TEST(TunnelProbeTest, NoProbesNoResults) {
  EXPECT_TRUE(run_tunnel_probes({}, -1).empty());
}

}  // namespace
}  // namespace maglb::health
