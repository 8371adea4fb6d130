// Fixtures of frames the load balancer does not forward: malformed input
// truncated or corrupted at every layer (dropped with the layer's counter)
// and traffic that belongs to the kernel (passed).
#include "fixture_list.h"

namespace maglb::fixtures {
namespace {

Bytes cut(Bytes b, size_t n) {
  b.resize(n);
  return b;
}

}  // namespace

void add_malformed_fixtures(std::vector<Fixture> &out) {
  const Model m = fixture_model();
  const Ip c4 = client4(), c6 = client6();
  const VipDef &A = m.vip("A"), &B = m.vip("B"), &C = m.vip("C"), &D = m.vip("D");
  const Bytes good4 = from_peer().Ipv4(c4, A.addr).Tcp(47000, 80).Payload(20).Build();
  const Bytes good6 = from_peer().Ipv6(c6, D.addr).Tcp(47000, 80).Payload(20).Build();

  // ---------------------------------------------------------- Ethernet
  out.push_back(make_drop("runt_13_bytes", "frame shorter than an Ethernet header", cut(good4, 13),
                          MAGLB_C_DROP_RUNT));
  {
    const Bytes tagged = from_peer().Vlan(5).Ipv4(c4, A.addr).Tcp(47000, 80).Build();
    out.push_back(make_drop("vlan_runt_17_bytes", "802.1Q frame cut inside the tag",
                            cut(tagged, 17), MAGLB_C_DROP_RUNT));
  }
  out.push_back(make_drop("ipv4_ethertype_no_header", "IPv4 EtherType and nothing after it",
                          cut(good4, 14), MAGLB_C_DROP_BAD_IPV4));

  // ---------------------------------------------------------- IPv4
  out.push_back(make_drop("ipv4_truncated_header", "19 bytes of IPv4 header", cut(good4, 14 + 19),
                          MAGLB_C_DROP_BAD_IPV4));
  {
    Ipv4Opts o;
    o.version = 6;
    out.push_back(make_drop("ipv4_bad_version", "IPv4 EtherType, version nibble 6",
                            from_peer(0x0800).Ipv4(c4, A.addr, o).Tcp(47000, 80).Build(),
                            MAGLB_C_DROP_BAD_IPV4));
  }
  {
    Ipv4Opts o;
    o.ihl = 4;
    out.push_back(make_drop("ipv4_bad_ihl", "IHL 4 (< 5)",
                            from_peer().Ipv4(c4, A.addr, o).Tcp(47000, 80).Build(),
                            MAGLB_C_DROP_BAD_IPV4));
    o.ihl = 15;
    out.push_back(make_drop("ipv4_ihl_beyond_total_length", "IHL 15 (60 bytes) > total length 40",
                            from_peer().Ipv4(c4, A.addr, o).Tcp(47000, 80).Build(),
                            MAGLB_C_DROP_BAD_IPV4));
  }
  {
    Ipv4Opts o;
    o.total_length = 19;
    out.push_back(make_drop("ipv4_total_length_below_header", "total length 19",
                            from_peer().Ipv4(c4, A.addr, o).Tcp(47000, 80).Build(),
                            MAGLB_C_DROP_BAD_IPV4));
  }
  out.push_back(make_drop("ipv4_total_length_beyond_frame",
                          "frame cut inside TCP: total length says more than is present",
                          cut(good4, good4.size() - 21), MAGLB_C_DROP_BAD_IPV4));

  // ---------------------------------------------------------- L4 (IPv4)
  {
    Ipv4Opts o;
    o.proto = 6;
    out.push_back(make_drop("ipv4_tcp_header_truncated", "consistent IPv4 carrying 10 bytes of TCP",
                            from_peer().Ipv4(c4, A.addr, o).Payload(10).Build(),
                            MAGLB_C_DROP_BAD_L4));
  }
  {
    TcpOpts t;
    t.data_offset = 4;
    out.push_back(make_drop("ipv4_tcp_data_offset_4", "TCP data offset below 5",
                            from_peer().Ipv4(c4, A.addr).Tcp(47000, 80, t).Build(),
                            MAGLB_C_DROP_BAD_L4));
    t.data_offset = 15;
    out.push_back(make_drop(
        "ipv4_tcp_data_offset_beyond_segment", "TCP data offset 15 (60 bytes) in a 30-byte segment",
        from_peer().Ipv4(c4, A.addr).Tcp(47000, 80, t).Payload(10).Build(), MAGLB_C_DROP_BAD_L4));
  }
  {
    Ipv4Opts o;
    o.proto = 17;
    out.push_back(make_drop("ipv4_udp_header_truncated", "4 bytes of UDP",
                            from_peer().Ipv4(c4, B.addr, o).Payload(4).Build(),
                            MAGLB_C_DROP_BAD_L4));
    UdpOpts u;
    u.length = 7;
    out.push_back(make_drop("ipv4_udp_length_below_8", "UDP length 7",
                            from_peer().Ipv4(c4, B.addr).Udp(47000, 53, u).Payload(4).Build(),
                            MAGLB_C_DROP_BAD_L4));
    u.length = 100;
    out.push_back(make_drop("ipv4_udp_length_beyond_packet", "UDP length 100 in a 12-byte segment",
                            from_peer().Ipv4(c4, B.addr).Udp(47000, 53, u).Payload(4).Build(),
                            MAGLB_C_DROP_BAD_L4));
  }

  // ---------------------------------------------------------- IPv6
  out.push_back(make_drop("ipv6_truncated_header", "39 bytes of IPv6 header", cut(good6, 14 + 39),
                          MAGLB_C_DROP_BAD_IPV6));
  {
    Ipv6Opts o;
    o.version = 4;
    out.push_back(make_drop("ipv6_bad_version", "IPv6 EtherType, version nibble 4",
                            from_peer(0x86dd).Ipv6(c6, D.addr, o).Tcp(47000, 80).Build(),
                            MAGLB_C_DROP_BAD_IPV6));
  }
  out.push_back(make_drop("ipv6_payload_length_beyond_frame", "frame cut inside TCP",
                          cut(good6, good6.size() - 1), MAGLB_C_DROP_BAD_IPV6));
  {
    // Hop-by-hop header says 16 bytes, only 8 are inside the payload.
    const Bytes b = from_peer().Ipv6(c6, D.addr).Ipv6Ext(0, 8, uint8_t{1}).Build();
    out.push_back(make_drop("ipv6_ext_header_beyond_payload",
                            "hop-by-hop length 16 with 8 bytes of payload", b,
                            MAGLB_C_DROP_BAD_IPV6));
    Ipv6Opts o;
    o.next_header = 0;
    const Bytes none = from_peer().Ipv6(c6, D.addr, o).Payload(4).Build();
    out.push_back(make_drop("ipv6_ext_header_truncated", "hop-by-hop with 4 bytes of payload", none,
                            MAGLB_C_DROP_BAD_IPV6));
  }
  {
    const Bytes five = from_peer()
                           .Ipv6(c6, D.addr)
                           .Ipv6Ext(0, 8)
                           .Ipv6Ext(60, 8)
                           .Ipv6Ext(43, 8)
                           .Ipv6Ext(60, 16)
                           .Ipv6Ext(60, 8)
                           .Tcp(47001, 80)
                           .Build();
    out.push_back(make_drop("ipv6_ext_chain_too_long",
                            "five extension headers (the bound is MAGLB_MAX_IPV6_EXT_HDRS = 4)",
                            five, MAGLB_C_DROP_IPV6_EXT_CHAIN));
    const Bytes four = from_peer()
                           .Ipv6(c6, D.addr)
                           .Ipv6Ext(0, 8)
                           .Ipv6Ext(60, 24)
                           .Ipv6Ext(43, 8)
                           .Ipv6Ext(60, 8)
                           .Tcp(47002, 80)
                           .Build();
    out.push_back(make_new_flow(m, "ipv6_ext_chain_four_forwarded",
                                "hop-by-hop, destination options, routing, destination options, "
                                "then TCP: walked and forwarded (IP6IP6)",
                                four, "D", c6, 47002, 80));
    const Bytes hbh = from_peer().Ipv6(c6, D.addr).Ipv6Ext(0, 8).Tcp(47003, 80).Payload(3).Build();
    out.push_back(make_new_flow(m, "ipv6_hop_by_hop_tcp_forwarded", "hop-by-hop options before TCP",
                                hbh, "D", c6, 47003, 80));
  }
  {
    Ipv6Opts o;
    o.next_header = 6;
    out.push_back(make_drop("ipv6_tcp_header_truncated", "consistent IPv6 with 19 bytes of TCP",
                            from_peer().Ipv6(c6, D.addr, o).Payload(19).Build(),
                            MAGLB_C_DROP_BAD_L4));
    o.next_header = 17;
    out.push_back(make_drop("ipv6_udp_header_truncated", "7 bytes of UDP",
                            from_peer().Ipv6(c6, m.vip("E").addr, o).Payload(7).Build(),
                            MAGLB_C_DROP_BAD_L4));
  }
  // A malformed packet is dropped whatever its destination.
  {
    TcpOpts t;
    t.data_offset = 2;
    out.push_back(make_drop("ipv4_bad_tcp_to_non_vip_drop", "bad TCP header to a non-VIP address",
                            from_peer().Ipv4(c4, ip("198.18.100.200")).Tcp(47000, 80, t).Build(),
                            MAGLB_C_DROP_BAD_L4));
  }

  // ---------------------------------------------------------- kernel traffic
  {
    // ARP request who-has 198.18.100.1.
    Bytes arp = {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};
    const Mac pm = peer_mac();
    arp.insert(arp.end(), pm.b, pm.b + 6);
    arp.insert(arp.end(), c4.a, c4.a + 4);
    arp.insert(arp.end(), 6, 0);
    arp.insert(arp.end(), A.addr.a, A.addr.a + 4);
    const Bytes in = PacketBuilder()
                         .Eth(mac("ff:ff:ff:ff:ff:ff"), peer_mac(), uint16_t{0x0806})
                         .Raw(arp)
                         .Pad(18)
                         .Build();
    out.push_back(make_pass("arp_request_pass", "ARP goes to the kernel", in));
  }
  out.push_back(make_pass("ipv4_non_vip_pass", "TCP to an address without VIPs",
                          from_peer().Ipv4(c4, ip("198.18.0.1")).Tcp(47000, 22).Build()));
  out.push_back(make_pass("ipv6_non_vip_pass", "IPv6 TCP to an address without VIPs",
                          from_peer().Ipv6(c6, ip("2001:db8::1")).Tcp(47000, 22).Build()));
  out.push_back(make_pass("ipv4_vip_other_port_pass",
                          "VIP address, port without a VIP (the FRAG_ONLY alias matches "
                          "fragments only)",
                          from_peer().Ipv4(c4, A.addr).Tcp(47000, 81).Build()));
  out.push_back(make_pass("ipv4_vip_port_zero_pass", "destination port 0 to a VIP address",
                          from_peer().Ipv4(c4, A.addr).Tcp(47000, 0).Build()));
  out.push_back(make_pass("ipv4_vip_other_protocol_pass", "UDP to an address with only a TCP VIP",
                          from_peer().Ipv4(c4, C.addr).Udp(47000, 443).Build()));
  {
    Ipv4Opts o;
    o.proto = 47;  // GRE
    out.push_back(make_pass("ipv4_gre_to_vip_pass", "protocol other than TCP/UDP/ICMP",
                            from_peer().Ipv4(c4, A.addr, o).Payload(24).Build()));
  }
  out.push_back(make_pass("vlan_second_8021q_tag_pass", "two 802.1Q tags",
                          from_peer().Vlan(10).Vlan(20).Ipv4(c4, A.addr).Tcp(47000, 80).Build()));
  out.push_back(
      make_pass("vlan_inner_8021ad_tag_pass", "802.1Q tag followed by an 802.1ad tag",
                from_peer().Vlan(10, uint16_t{0x88a8}).Raw({0x00, 0x14, 0x08, 0x00}).Build()));
  out.push_back(make_pass("qinq_outer_8021ad_pass", "outer 802.1ad (S-tag) frame",
                          PacketBuilder()
                              .Eth(port_mac(), peer_mac(), uint16_t{0x88a8})
                              .Raw({0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x08, 0x00})
                              .Pad(40)
                              .Build()));
}

}  // namespace maglb::fixtures
