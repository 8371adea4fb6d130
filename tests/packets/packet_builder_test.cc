// The packet builder against frames built by scapy (an independent
// implementation; the hex below was produced by /usr/bin/python3 with
// scapy 2.5, script in the comment of each case), and the malformed-frame
// overrides.
#include "packet_builder.h"

#include <gtest/gtest.h>

#include <string>

namespace maglb::fixtures {
namespace {

Bytes hex(const std::string &h) {
  Bytes b;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    b.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  return b;
}

PacketBuilder eth() {
  PacketBuilder b;
  b.Eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:0c:01"));
  return b;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return b;
}

TEST(PacketBuilder, Ipv4TcpMatchesScapy) {
  // Ether()/IP(src="198.19.200.1",dst="198.18.100.1",id=0x1234,flags="DF")/
  // TCP(sport=40000,dport=80,seq=1000,flags="S",window=65535)/Raw(pattern 10)
  EXPECT_EQ(eth().Ipv4(ip("198.19.200.1"), ip("198.18.100.1")).Tcp(40000, 80).Payload(10).Build(),
            hex("020000000001020000000c010800450000321234400040067069c613c801c61264019c400050000003"
                "e8000000005002ffffca87000000070e151c232a31383f"));
}

TEST(PacketBuilder, VlanIpv6UdpMatchesScapy) {
  // Dot1Q(vlan=100,prio=1)/IPv6(tc=0xb8,fl=0x12345)/UDP(sport=5000,dport=53)/Raw(pattern 5 seed 3)
  Ipv6Opts o;
  o.traffic_class = 0xb8;
  o.flow_label = 0x12345;
  EXPECT_EQ(
      eth()
          .Vlan(0x2064)
          .Ipv6(ip("2001:db8:c::1"), ip("2001:db8:100::1"), o)
          .Udp(5000, 53)
          .Raw(pattern(5, 3))
          .Build(),
      hex("020000000001020000000c018100206486dd6b812345000d114020010db8000c00000000000000000001"
          "20010db801000000000000000000000113880035000d5c75030a11181f"));
}

TEST(PacketBuilder, Ipv6HopByHopAndFragmentMatchScapy) {
  // IPv6()/IPv6ExtHdrHopByHop(options=[Pad1()]*6)/IPv6ExtHdrFragment(m=1,id=0xabcd)/TCP(...)
  EXPECT_EQ(eth()
                .Ipv6(ip("2001:db8:c::1"), ip("2001:db8:100::1"))
                .Ipv6Ext(0, 8)
                .Ipv6Frag(0, true, 0xabcd)
                .Tcp(1, 80)
                .Build(),
            hex("020000000001020000000c0186dd600000000024004020010db8000c00000000000000000001200"
                "10db80100000000000000000000012c00000000000000060000010000abcd00010050000003e80000"
                "00005002ffff4f2a0000"));
}

TEST(PacketBuilder, IcmpErrorsMatchScapy) {
  Bytes quote28, quote48;
  for (int i = 0; i < 48; ++i) (i < 28 ? quote28 : quote48).push_back(uint8_t(i));
  quote48.insert(quote48.begin(), quote28.begin(), quote28.end());
  // IP(src="198.19.0.1",dst="198.18.100.1",id=0x1234,flags="DF")/ICMP(type=3,code=4,nexthopmtu=1400)
  EXPECT_EQ(
      eth().Ipv4(ip("198.19.0.1"), ip("198.18.100.1")).Icmp4(3, 4, 1400).Raw(quote28).Build(),
      hex("020000000001020000000c010800450000381234400040013869c6130001c6126401030440bf0000057"
          "8000102030405060708090a0b0c0d0e0f101112131415161718191a1b"));
  // IPv6(src="2001:db8:ffff::1",dst="2001:db8:100::1")/ICMPv6PacketTooBig(mtu=1280)
  EXPECT_EQ(eth()
                .Ipv6(ip("2001:db8:ffff::1"), ip("2001:db8:100::1"))
                .Icmp6(2, 0, 1280)
                .Raw(quote48)
                .Build(),
            hex("020000000001020000000c0186dd6000000000383a4020010db8ffff00000000000000000001200"
                "10db8010000000000000000000001020071d700000500000102030405060708090a0b0c0d0e0f1011"
                "12131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"));
}

TEST(PacketBuilder, Ipv4OptionsAndZeroUdpChecksumMatchScapy) {
  // IP(id=0,flags="DF",tos=0xb9,options=IPOption(b'\x01\x01\x01\x00'))/UDP(sport=0xc001,
  // dport=6080,chksum=0)/Raw(b'\x45\x00')
  Ipv4Opts o;
  o.id = 0;
  o.tos = 0xb9;
  o.options = {1, 1, 1, 0};
  UdpOpts u;
  u.zero_checksum = true;
  EXPECT_EQ(eth()
                .Ipv4(ip("198.18.0.1"), ip("198.18.0.11"), o)
                .Udp(0xc001, 6080, u)
                .Raw({0x45, 0x00})
                .Build(),
            hex("020000000001020000000c01080046b90022000040004011aae0c6120001c612000b01010100c00117"
                "c0000a00004500"));
}

TEST(PacketBuilder, OverridesBuildMalformedFrames) {
  Ipv4Opts o;
  o.ihl = 4;
  o.total_length = 999;
  o.version = 6;
  const Bytes b = eth().Ipv4(ip("198.18.0.1"), ip("198.18.0.2"), o).Tcp(1, 2).Pad(3).Build();
  ASSERT_EQ(b.size(), 14u + 40 + 3);
  EXPECT_EQ(b[14], 0x64);
  EXPECT_EQ(b[16] << 8 | b[17], 999);
  EXPECT_EQ(ip_packet_of(b).size(), b.size() - 14) << "clamped to the frame";
  TcpOpts t;
  t.data_offset = 15;
  EXPECT_EQ(eth().Ipv4(ip("198.18.0.1"), ip("198.18.0.2")).Tcp(1, 2, t).Build()[14 + 20 + 12],
            0xf0);
}

TEST(PacketBuilder, ReferenceChecksumKnownValue) {
  // RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d.
  EXPECT_EQ(ref_checksum({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}), 0x220d);
}

}  // namespace
}  // namespace maglb::fixtures
