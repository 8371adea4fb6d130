// ARP/ND frames and the neighbour resolver (dataplane/dpdk), without DPDK.
// Reference frames were built with scapy (an independent implementation):
//   Ether(src=MY, dst="33:33:ff:00:00:fe")/IPv6(src="2001:db8::1",
//     dst="ff02::1:ff00:fe", hlim=255)/ICMPv6ND_NS(tgt="2001:db8::fe")/
//     ICMPv6NDOptSrcLLAddr(lladdr=MY)          and the like for each below.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interface_config.h"
#include "neighbor_packets.h"
#include "neighbor_resolver.h"

namespace maglb::dpdk {
namespace {

const MacAddr kMy = {0x02, 0, 0, 0, 0, 0x01};
const MacAddr kPeer = {0x02, 0, 0, 0, 0, 0x99};
const MacAddr kBcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

std::vector<uint8_t> unhex(const std::string &h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

IpAddr ip(const char *s) {
  return *parse_ip(s);
}

std::vector<uint8_t> frame(size_t len, const std::array<uint8_t, kMaxNeighborFrame> &buf) {
  return {buf.begin(), buf.begin() + len};
}

TEST(NeighborPackets, ArpRequestMatchesScapy) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_arp_request(buf, kMy, ip("198.18.0.1"), ip("198.18.0.254"), kBcast, 0);
  EXPECT_EQ(frame(len, buf),
            unhex("ffffffffffff02000000000108060001080006040001020000000001c6120001000000000000c6"
                  "1200fe000000000000000000000000000000000000"));
}

TEST(NeighborPackets, ArpReplyMatchesScapy) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_arp_reply(buf, kMy, ip("198.18.0.1"), kPeer, ip("198.18.0.99"), 0);
  EXPECT_EQ(frame(len, buf),
            unhex("02000000009902000000000108060001080006040002020000000001c6120001020000000099c6"
                  "120063000000000000000000000000000000000000"));
}

TEST(NeighborPackets, SolicitationMatchesScapy) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len =
      build_neighbor_solicitation(buf, kMy, ip("2001:db8::1"), ip("2001:db8::fe"), std::nullopt, 0);
  EXPECT_EQ(frame(len, buf),
            unhex("3333ff0000fe02000000000186dd6000000000203aff20010db80000000000000000000000"
                  "01ff0200000000000000000001ff0000fe87001a2f0000000020010db8000000000000000000"
                  "0000fe0101020000000001"));
}

TEST(NeighborPackets, AdvertisementMatchesScapy) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len =
      build_neighbor_advertisement(buf, kMy, ip("2001:db8::1"), ip("2001:db8::99"), kPeer, 0);
  EXPECT_EQ(frame(len, buf),
            unhex("02000000009902000000000186dd6000000000203aff20010db800000000000000000000000120"
                  "010db8000000000000000000000099880089dc6000000020010db8000000000000000000000001"
                  "0201020000000001"));
}

TEST(NeighborPackets, ParsesWhatItBuildsAndKeepsVlan) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_neighbor_solicitation(buf, kPeer, ip("2001:db8::99"), ip("2001:db8::1"),
                                           std::nullopt, 0x0064);
  auto m = parse_neighbor_message({buf.data(), len});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, NeighborMsgKind::Solicitation);
  EXPECT_EQ(m->vlan_tci, 0x0064);
  EXPECT_EQ(m->sender_ip, ip("2001:db8::99"));
  EXPECT_EQ(m->target_ip, ip("2001:db8::1"));
  EXPECT_TRUE(m->sender_mac_known);
  EXPECT_EQ(m->sender_mac, kPeer);
  EXPECT_TRUE(is_neighbor_frame(buf.data(), len));
}

TEST(NeighborPackets, RejectsBadChecksumHopLimitAndZeroLengthOption) {
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_neighbor_solicitation(buf, kPeer, ip("2001:db8::99"), ip("2001:db8::1"),
                                           std::nullopt, 0);
  auto bad = buf;
  bad[14 + 40 + 2] ^= 1;  // checksum
  EXPECT_FALSE(parse_neighbor_message({bad.data(), len}));
  bad = buf;
  bad[14 + 7] = 64;  // hop limit must be 255
  EXPECT_FALSE(parse_neighbor_message({bad.data(), len}));
  bad = buf;
  bad[14 + 40 + 25] = 0;  // option length 0, checksum fixed up below
  uint16_t c = icmpv6_checksum(bad.data() + 14 + 8, bad.data() + 14 + 24, {bad.data() + 54, 32});
  bad[56] = static_cast<uint8_t>(c >> 8);
  bad[57] = static_cast<uint8_t>(c);
  EXPECT_FALSE(parse_neighbor_message({bad.data(), len}));
  EXPECT_FALSE(parse_neighbor_message({buf.data(), len - 1}));  // truncated payload
}

TEST(NeighborPackets, IsNeighborFrameIgnoresOtherTraffic) {
  std::vector<uint8_t> ipv4_udp(60, 0);
  ipv4_udp[12] = 0x08;
  EXPECT_FALSE(is_neighbor_frame(ipv4_udp.data(), ipv4_udp.size()));
  std::vector<uint8_t> echo6(14 + 40 + 8, 0);
  echo6[12] = 0x86;
  echo6[13] = 0xdd;
  echo6[14 + 6] = 58;
  echo6[14 + 40] = 128;  // echo request
  EXPECT_FALSE(is_neighbor_frame(echo6.data(), echo6.size()));
  EXPECT_FALSE(is_neighbor_frame(echo6.data(), 13));
}

InterfaceConfig config(const std::string &json) {
  std::string error;
  auto cfg = parse_interface_config(json, &error);
  EXPECT_TRUE(cfg) << error;
  return cfg ? *cfg : InterfaceConfig{};
}

TEST(InterfaceConfig, ParsesAndRejectsWithPath) {
  InterfaceConfig c = config(R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"],
      "gateways": ["198.18.0.254"], "onlink": ["198.19.0.0/16"],
      "neighbors": [{"address": "198.19.0.5", "mac": "02:00:00:00:00:05"}], "vlan": 7})");
  EXPECT_EQ(c.addresses.size(), 2u);
  EXPECT_EQ(c.onlink_prefixes().size(), 3u);
  EXPECT_EQ(c.vlan, 7);
  ASSERT_EQ(c.neighbors.size(), 1u);
  EXPECT_EQ(c.neighbors[0].mac, (MacAddr{2, 0, 0, 0, 0, 5}));

  std::string error;
  EXPECT_FALSE(parse_interface_config(R"({"gateways": ["198.18.0.254"]})", &error));
  EXPECT_EQ(error, "gateways[0]: gateway is not inside an on-link prefix");
  EXPECT_FALSE(parse_interface_config(R"({"adresses": []})", &error));
  EXPECT_EQ(error, "adresses: unknown key");
  EXPECT_FALSE(parse_interface_config(R"({"addresses": ["198.18.0.1/33"]})", &error));
  EXPECT_EQ(error, "addresses[0]: expected ADDRESS/LENGTH");
  EXPECT_FALSE(parse_interface_config(
      R"({"neighbors": [{"address": "198.18.0.5", "mac": "02:00:00:00:00"}]})", &error));
  EXPECT_EQ(error, "neighbors[0].mac: expected xx:xx:xx:xx:xx:xx");
  EXPECT_FALSE(parse_interface_config("{", &error));
  EXPECT_EQ(error.rfind("not valid JSON", 0), 0u);
}

constexpr uint64_t kSec = 1'000'000'000;

NeighborResolver::Timing timing() {
  NeighborResolver::Timing t;
  t.retry_ns = kSec;
  t.max_probes = 3;
  t.reachable_ns = 30 * kSec;
  return t;
}

TEST(NeighborResolver, ResolvesGatewayRefreshesAndTimesOut) {
  NeighborResolver r(kMy, timing());
  r.set_interface(config(R"({"addresses": ["198.18.0.1/24"], "gateways": ["198.18.0.254"]})"), 0);
  EXPECT_TRUE(r.resolved().empty());
  EXPECT_FALSE(r.on_timer(0));
  auto out = r.take_outgoing();
  ASSERT_EQ(out.size(), 1u);
  auto m = parse_neighbor_message(out[0]);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, NeighborMsgKind::ArpRequest);
  EXPECT_EQ(m->target_ip, ip("198.18.0.254"));
  EXPECT_EQ(m->sender_ip, ip("198.18.0.1"));
  EXPECT_EQ(std::vector<uint8_t>(out[0].begin(), out[0].begin() + 6),
            std::vector<uint8_t>(kBcast.begin(), kBcast.end()));

  // Not yet due: nothing more goes out.
  r.on_timer(kSec / 2);
  EXPECT_TRUE(r.take_outgoing().empty());

  // The gateway answers.
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_arp_reply(buf, kPeer, ip("198.18.0.254"), kMy, ip("198.18.0.1"), 0);
  EXPECT_TRUE(r.on_frame({buf.data(), len}, kSec));
  ASSERT_EQ(r.resolved().size(), 1u);
  EXPECT_EQ(r.resolved()[0].mac, kPeer);
  EXPECT_TRUE(r.resolved()[0].is_gateway);

  // Reachable for 30 s: no probes before, a unicast probe after.
  r.on_timer(30 * kSec);
  EXPECT_TRUE(r.take_outgoing().empty());
  r.on_timer(31 * kSec);
  out = r.take_outgoing();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::vector<uint8_t>(out[0].begin(), out[0].begin() + 6),
            std::vector<uint8_t>(kPeer.begin(), kPeer.end()));

  // Three unanswered probes, then the MAC is forgotten on the fourth tick.
  EXPECT_FALSE(r.on_timer(32 * kSec));
  EXPECT_FALSE(r.on_timer(33 * kSec));
  EXPECT_EQ(r.resolved().size(), 1u);
  EXPECT_TRUE(r.on_timer(34 * kSec));
  EXPECT_TRUE(r.resolved().empty());
  EXPECT_EQ(r.counters().timeouts, 1u);
}

TEST(NeighborResolver, AnswersOnlyForOwnAddresses) {
  NeighborResolver r(kMy, timing());
  r.set_interface(config(R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"]})"), 0);
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len = build_arp_request(buf, kPeer, ip("198.18.0.99"), ip("198.18.0.1"), kBcast, 0);
  r.on_frame({buf.data(), len}, 0);
  len = build_arp_request(buf, kPeer, ip("198.18.0.99"), ip("198.18.0.2"), kBcast, 0);
  r.on_frame({buf.data(), len}, 0);
  len = build_neighbor_solicitation(buf, kPeer, ip("2001:db8::99"), ip("2001:db8::1"), std::nullopt,
                                    0);
  r.on_frame({buf.data(), len}, 0);
  auto out = r.take_outgoing();
  ASSERT_EQ(out.size(), 2u);
  auto arp = parse_neighbor_message(out[0]);
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->kind, NeighborMsgKind::ArpReply);
  EXPECT_EQ(arp->sender_ip, ip("198.18.0.1"));
  EXPECT_EQ(arp->sender_mac, kMy);
  EXPECT_EQ(arp->target_ip, ip("198.18.0.99"));
  auto na = parse_neighbor_message(out[1]);
  ASSERT_TRUE(na);
  EXPECT_EQ(na->kind, NeighborMsgKind::Advertisement);
  EXPECT_TRUE(na->solicited);
  EXPECT_EQ(na->target_ip, ip("2001:db8::1"));
  EXPECT_EQ(na->sender_mac, kMy);
  EXPECT_EQ(r.counters().arp_replies_sent, 1u);
  EXPECT_EQ(r.counters().nd_advertisements_sent, 1u);
}

TEST(NeighborResolver, OnLinkBackendsStaticNeighborsAndIpv6) {
  NeighborResolver r(kMy, timing());
  r.set_interface(config(R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"],
      "gateways": ["2001:db8::fe"],
      "neighbors": [{"address": "198.18.0.7", "mac": "02:00:00:00:00:07"}]})"),
                  0);
  ASSERT_EQ(r.resolved().size(), 1u);  // the static one, at once
  // One on-link backend, one behind the gateway (not a target).
  EXPECT_FALSE(r.set_backends({ip("2001:db8::10"), ip("198.19.5.5")}, 0));
  r.on_timer(0);
  auto out = r.take_outgoing();
  ASSERT_EQ(out.size(), 2u);  // NS for the gateway and for the backend; none for 198.19.5.5
  for (const auto &f : out) {
    auto m = parse_neighbor_message(f);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, NeighborMsgKind::Solicitation);
    EXPECT_EQ(f[0], 0x33);  // solicited-node multicast
  }
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len =
      build_neighbor_advertisement(buf, kPeer, ip("2001:db8::10"), ip("2001:db8::1"), kMy, 0);
  EXPECT_TRUE(r.on_frame({buf.data(), len}, kSec));
  EXPECT_EQ(r.resolved().size(), 2u);
  // Removing the backend forgets it.
  EXPECT_TRUE(r.set_backends({}, 2 * kSec));
  EXPECT_EQ(r.resolved().size(), 1u);
  // Frames on another VLAN are ignored.
  len = build_neighbor_advertisement(buf, kPeer, ip("2001:db8::fe"), ip("2001:db8::1"), kMy, 5);
  EXPECT_FALSE(r.on_frame({buf.data(), len}, 3 * kSec));
  EXPECT_EQ(r.counters().ignored, 1u);
}

TEST(NeighborResolver, ProbeBurstIsBounded) {
  NeighborResolver::Timing t = timing();
  t.max_probes_per_tick = 10;
  NeighborResolver r(kMy, t);
  r.set_interface(config(R"({"addresses": ["198.18.0.1/16"]})"), 0);
  std::vector<IpAddr> backends;
  for (int i = 0; i < 25; i++) backends.push_back(ipv4(198, 18, 1, static_cast<uint8_t>(i)));
  r.set_backends(backends, 0);
  r.on_timer(0);
  EXPECT_EQ(r.take_outgoing().size(), 10u);
  r.on_timer(1);
  EXPECT_EQ(r.take_outgoing().size(), 10u);
  r.on_timer(2);
  EXPECT_EQ(r.take_outgoing().size(), 5u);
}

}  // namespace
}  // namespace maglb::dpdk
