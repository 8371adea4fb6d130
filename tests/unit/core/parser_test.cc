// Parser bounds: IPv6 extension-header walking and "never read past the
// end of the frame", checked with the frame placed against an unmapped
// page so that any read beyond it faults.
#include "parser.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "guarded_buffer.h"
#include "packet_builder.h"

namespace maglb::core {
namespace {

using fixtures::Bytes;
using fixtures::GuardedBuffer;
using fixtures::Ip;
using fixtures::ip;
using fixtures::Ipv6Opts;
using fixtures::mac;
using fixtures::PacketBuilder;

PacketBuilder eth() {
  PacketBuilder b;
  b.Eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"));
  return b;
}

Parsed parse(const Bytes &f) {
  GuardedBuffer g;
  Parsed p{};
  parse_frame(g.place(f), static_cast<uint16_t>(f.size()), &p);
  return p;
}

const Ip kSrc6 = ip("2001:db8:c::1");
const Ip kDst6 = ip("2001:db8:100::1");

TEST(Parser, Ipv6ExtensionChainBound) {
  static_assert(MAGLB_MAX_IPV6_EXT_HDRS == 4);
  for (int n = 0; n <= 6; ++n) {
    PacketBuilder b = eth();
    b.Ipv6(kSrc6, kDst6);
    for (int i = 0; i < n; ++i) b.Ipv6Ext(i == 0 ? 0 : 60, 8 * (1 + i % 3));
    const Parsed p = parse(b.Tcp(1, 80).Build());
    if (n <= 4) {
      EXPECT_EQ(p.kind, ParseKind::Flow) << n << " headers";
    } else {
      ASSERT_EQ(p.kind, ParseKind::Drop) << n << " headers";
      EXPECT_EQ(p.drop_counter, MAGLB_C_DROP_IPV6_EXT_CHAIN);
    }
  }
}

TEST(Parser, Ipv6FragmentHeaderCountsInTheChainAndStopsTheWalkWhenLater) {
  // Four headers including a later fragment: not walked beyond the fragment.
  Bytes f = eth().Ipv6(kSrc6, kDst6).Ipv6Ext(0, 8).Ipv6Frag(10, true).Payload(40).Build();
  f[14 + 40 + 8] = 6;  // fragment's next header: TCP
  Parsed p = parse(f);
  ASSERT_EQ(p.kind, ParseKind::Fragment);
  EXPECT_TRUE(p.later_fragment);
  EXPECT_EQ(words_proto(p.key), 6);
  EXPECT_EQ(words_dport(p.key), 0);
  // First fragment followed by destination options, then TCP: walked.
  p = parse(eth().Ipv6(kSrc6, kDst6).Ipv6Frag(0, true).Ipv6Ext(60, 8).Tcp(5, 443).Build());
  ASSERT_EQ(p.kind, ParseKind::Fragment);
  EXPECT_FALSE(p.later_fragment);
  EXPECT_EQ(words_dport(p.key), htons(443));
}

TEST(Parser, Ipv6ExtensionLengthMustFitThePayload) {
  // Routing header claiming 24 bytes with 16 present.
  Bytes f = eth().Ipv6(kSrc6, kDst6).Ipv6Ext(43, 16, uint8_t{2}).Build();
  Parsed p = parse(f);
  ASSERT_EQ(p.kind, ParseKind::Drop);
  EXPECT_EQ(p.drop_counter, MAGLB_C_DROP_BAD_IPV6);
  // Extension bytes present in the frame but beyond the payload length
  // (Ethernet padding) do not count.
  Ipv6Opts o;
  o.payload_length = 8;
  f = eth().Ipv6(kSrc6, kDst6, o).Ipv6Ext(60, 16).Build();
  p = parse(f);
  ASSERT_EQ(p.kind, ParseKind::Drop);
  EXPECT_EQ(p.drop_counter, MAGLB_C_DROP_BAD_IPV6);
}

TEST(Parser, FlowKeyWords) {
  const Parsed p =
      parse(eth().Ipv4(ip("198.19.200.1"), ip("198.18.100.1")).Udp(1234, 53).Payload(3).Build());
  ASSERT_EQ(p.kind, ParseKind::Flow);
  maglb_flow_key k;
  store_key(p.key, &k);
  const uint8_t src[4] = {198, 19, 200, 1}, dst[4] = {198, 18, 100, 1};
  EXPECT_EQ(std::memcmp(k.src, src, 4), 0);
  EXPECT_EQ(std::memcmp(k.dst, dst, 4), 0);
  for (int i = 4; i < 16; ++i) EXPECT_EQ(k.src[i] | k.dst[i], 0);
  EXPECT_EQ(k.sport, htons(1234));
  EXPECT_EQ(k.dport, htons(53));
  EXPECT_EQ(k.proto, 17);
  EXPECT_EQ(k.family, MAGLB_FAMILY_IPV4);
  EXPECT_EQ(k.pad, 0);
}

}  // namespace
}  // namespace maglb::core
