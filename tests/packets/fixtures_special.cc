// Fixtures of fragments, ICMP errors routed by their quote, packets too big
// for the tunnel and TTL expiry.
#include <algorithm>

#include "fixture_list.h"

namespace maglb::fixtures {
namespace {

using core::Verdict;

Ipv4Opts fragment_v4(bool more, uint16_t offset) {
  Ipv4Opts o;
  o.df = false;
  o.mf = more;
  o.frag_offset = offset;
  o.id = 0x4242;
  return o;
}

// The first bytes of a packet a backend sent from the VIP to the client,
// as an ICMP error quotes it.
Bytes quote_of(const Bytes &ip_packet, size_t n) {
  return Bytes(ip_packet.begin(),
               ip_packet.begin() + static_cast<long>(std::min(n, ip_packet.size())));
}

}  // namespace

void add_special_fixtures(std::vector<Fixture> &out) {
  const Model m = fixture_model();
  const Ip c4 = client4(), c6 = client6();
  const VipDef &A = m.vip("A"), &B = m.vip("B"), &D = m.vip("D"), &G = m.vip("G"), &K = m.vip("K"),
               &N = m.vip("N");
  const uint8_t tcp = 6, udp = 17;

  // ---------------------------------------------------------- fragments
  {
    const uint32_t h = spec_hash(flow_key(c4, A.addr, 0, 0, tcp), MAGLB_HASH_3TUPLE);
    const Bytes first =
        from_peer().Ipv4(c4, A.addr, fragment_v4(true, 0)).Tcp(42000, 80).Payload(200).Build();
    out.push_back(make_forward(m, "ipv4_first_fragment",
                               "first fragment (MF, offset 0): matched by port, slot from the "
                               "3-tuple hash, no flow entry",
                               first, "A", table_pick(A, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
    Ipv4Opts o = fragment_v4(false, 28);
    o.proto = tcp;
    const Bytes later = from_peer().Ipv4(c4, A.addr, o).Payload(100).Build();
    out.push_back(make_forward(m, "ipv4_later_fragment",
                               "non-first fragment (no ports): found through the FRAG_ONLY "
                               "alias, same 3-tuple slot as its first fragment",
                               later, "A", table_pick(A, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
    // Found by fuzz_xdp_parity: the XDP program required 48 bytes after the
    // outer header whatever its size, so IPIP of an inner packet shorter
    // than 28 bytes was drop_no_headroom there.
    const Bytes tiny = from_peer().Ipv4(c4, A.addr, o).Payload(4).Build();
    out.push_back(make_forward(m, "ipv4_later_fragment_4_bytes_ipip",
                               "non-first fragment of 4 bytes (inner packet 24 bytes) in IPIP",
                               tiny, "A", table_pick(A, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
  }
  {
    const uint32_t h = spec_hash(flow_key(c4, K.addr, 0, 0, tcp), MAGLB_HASH_3TUPLE);
    Ipv4Opts o = fragment_v4(false, 40);
    o.proto = tcp;
    const Bytes later = from_peer().Ipv4(c4, K.addr, o).Payload(64).Build();
    out.push_back(make_forward(m, "ipv4_later_fragment_3tuple_on_src_addr_vip",
                               "fragment to a source-address-hash VIP: fragments always use the "
                               "3-tuple",
                               later, "K", table_pick(K, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
  }
  {
    const uint32_t h = spec_hash(flow_key(c4, G.addr, 0, 0, tcp), MAGLB_HASH_3TUPLE);
    Ipv4Opts o = fragment_v4(false, 3);
    o.proto = tcp;
    const Bytes later = from_peer().Ipv4(c4, G.addr, o).Payload(40).Build();
    out.push_back(make_forward(m, "ipv4_later_fragment_all_ports_vip",
                               "non-first fragment to an all-ports VIP (L2 method)", later, "G",
                               table_pick(G, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
  }
  {
    Ipv4Opts o = fragment_v4(false, 3);
    o.proto = tcp;
    const Bytes later = from_peer().Ipv4(c4, ip("198.18.100.200"), o).Payload(40).Build();
    out.push_back(make_pass("ipv4_later_fragment_non_vip_pass",
                            "non-first fragment to an address without VIPs", later));
  }
  {
    const uint32_t h = spec_hash(flow_key(c6, D.addr, 0, 0, tcp), MAGLB_HASH_3TUPLE);
    const Bytes first =
        from_peer().Ipv6(c6, D.addr).Ipv6Frag(0, true).Tcp(42001, 80).Payload(300).Build();
    out.push_back(make_forward(m, "ipv6_first_fragment",
                               "IPv6 fragment header with offset 0: port match, 3-tuple slot",
                               first, "D", table_pick(D, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
    Ipv6Opts o;
    const Bytes later = from_peer()
                            .Ipv6(c6, D.addr, o)
                            .Ipv6Frag(39, false)
                            .Raw(PacketBuilder().Payload(77).Build())
                            .Build();
    // Raw after a fragment header says "no next header" (59): set TCP explicitly.
    Bytes fixed = later;
    fixed[14 + 40] = tcp;
    out.push_back(make_forward(m, "ipv6_later_fragment",
                               "IPv6 non-first fragment: FRAG_ONLY alias, same backend as the "
                               "first fragment",
                               fixed, "D", table_pick(D, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
  }
  {
    const Bytes first = from_peer()
                            .Ipv4(c4, B.addr, fragment_v4(true, 0))
                            .Udp(42002, 53, UdpOpts{uint16_t{1008}, false})
                            .Payload(100)
                            .Build();
    const uint32_t h = spec_hash(flow_key(c4, B.addr, 0, 0, udp), MAGLB_HASH_3TUPLE);
    out.push_back(make_forward(m, "ipv4_udp_first_fragment_datagram_length",
                               "UDP first fragment: the UDP length (whole datagram, 1008) is "
                               "larger than this fragment and is not checked",
                               first, "B", table_pick(B, h), h, {{MAGLB_C_FRAGMENTS, 1}}));
  }
  // Found by fuzz_xdp_parity: the core skipped the whole UDP length check
  // of a first fragment, the XDP parser only its upper bound.
  out.push_back(make_drop("ipv4_udp_first_fragment_length_below_8",
                          "UDP first fragment with UDP length 0: below the UDP header, whatever "
                          "the datagram",
                          from_peer()
                              .Ipv4(c4, B.addr, fragment_v4(true, 0))
                              .Udp(42002, 53, UdpOpts{uint16_t{0}, false})
                              .Payload(100)
                              .Build(),
                          MAGLB_C_DROP_BAD_L4));
  out.push_back(make_drop("ipv6_udp_first_fragment_length_below_8",
                          "IPv6 UDP first fragment with UDP length 7",
                          from_peer()
                              .Ipv6(c6, D.addr)
                              .Ipv6Frag(0, true)
                              .Udp(42003, 53, UdpOpts{uint16_t{7}, false})
                              .Payload(100)
                              .Build(),
                          MAGLB_C_DROP_BAD_L4));

  // ---------------------------------------------------------- ICMP errors
  {
    const uint16_t cport = 43000;
    const Bytes sent = PacketBuilder()
                           .Ipv4(A.addr, c4)
                           .Tcp(80, cport, TcpOpts{0x18, 5, 6, 100, {}})
                           .Payload(1400)
                           .Build();
    const Bytes in = from_peer()
                         .Ipv4(ip("198.19.0.1"), A.addr)
                         .Icmp4(3, 4, 1400)
                         .Raw(quote_of(sent, 28))
                         .Build();
    const uint32_t h = spec_hash(flow_key(c4, A.addr, cport, 80, tcp), MAGLB_HASH_5TUPLE);
    out.push_back(make_forward(m, "icmp4_frag_needed_forwarded",
                               "ICMP fragmentation-needed quoting VIP:80 -> client: forwarded to "
                               "the backend of the reversed flow (Maglev, no entry)",
                               in, "A", table_pick(A, h), h, {{MAGLB_C_ICMP_ERROR_FORWARDED, 1}}));
    const Bytes longer = from_peer()
                             .Ipv4(ip("198.19.0.1"), A.addr)
                             .Icmp4(3, 4, 1400)
                             .Raw(quote_of(sent, 548))
                             .Build();
    out.push_back(make_forward(m, "icmp4_frag_needed_long_quote_forwarded",
                               "frag-needed quoting 548 bytes: whole ICMP packet forwarded", longer,
                               "A", table_pick(A, h), h, {{MAGLB_C_ICMP_ERROR_FORWARDED, 1}}));
    // Quoted source is a VIP, but the error was not addressed to it.
    const Bytes other_in = from_peer()
                               .Ipv4(ip("198.19.0.1"), ip("198.18.100.2"))
                               .Icmp4(3, 4, 1400)
                               .Raw(quote_of(sent, 28))
                               .Build();
    out.push_back(make_pass("icmp4_frag_needed_quote_from_other_address_pass",
                            "quoted source (a VIP) differs from the ICMP destination", other_in));
    const Bytes short_in = from_peer()
                               .Ipv4(ip("198.19.0.1"), A.addr)
                               .Icmp4(3, 4, 1400)
                               .Raw(quote_of(sent, 27))
                               .Build();
    out.push_back(make_drop("icmp4_frag_needed_short_quote",
                            "quote shorter than IP header + 8 bytes", short_in,
                            MAGLB_C_DROP_BAD_ICMP));
  }
  {
    const Bytes sent = PacketBuilder().Ipv4(ip("198.18.100.200"), c4).Tcp(80, 43001).Build();
    const Bytes in = from_peer()
                         .Ipv4(ip("198.19.0.1"), ip("198.18.100.200"))
                         .Icmp4(3, 4, 1400)
                         .Raw(quote_of(sent, 28))
                         .Build();
    out.push_back(make_pass("icmp4_frag_needed_non_vip_pass",
                            "frag-needed for a flow of a non-VIP address", in));
  }
  {
    const Bytes in = from_peer().Ipv4(c4, A.addr).Icmp4(8, 0, 0x00010001).Payload(32).Build();
    out.push_back(make_pass("icmp4_echo_to_vip_pass", "echo request to a VIP address", in));
    const Bytes unreach_other =
        from_peer()
            .Ipv4(ip("198.19.0.1"), A.addr)
            .Icmp4(3, 3, 0)
            .Raw(quote_of(PacketBuilder().Ipv4(A.addr, c4).Udp(53, 4000).Build(), 28))
            .Build();
    out.push_back(make_pass("icmp4_port_unreachable_pass",
                            "other ICMP errors (port unreachable) go to the kernel",
                            unreach_other));
    Ipv4Opts o;
    o.proto = 1;
    const Bytes tiny = from_peer().Ipv4(ip("198.19.0.1"), A.addr, o).Payload(4).Build();
    out.push_back(make_drop("icmp4_header_truncated", "ICMP message of 4 bytes", tiny,
                            MAGLB_C_DROP_BAD_ICMP));
  }
  {
    const uint16_t cport = 43002;
    const Bytes sent = PacketBuilder()
                           .Ipv6(D.addr, c6)
                           .Tcp(80, cport, TcpOpts{0x10, 5, 6, 100, {}})
                           .Payload(1400)
                           .Build();
    const Bytes in = from_peer()
                         .Ipv6(ip("2001:db8:ffff::1"), D.addr)
                         .Icmp6(2, 0, 1280)
                         .Raw(quote_of(sent, 1232))
                         .Build();
    const uint32_t h = spec_hash(flow_key(c6, D.addr, cport, 80, tcp), MAGLB_HASH_5TUPLE);
    out.push_back(make_forward(m, "icmp6_packet_too_big_forwarded",
                               "ICMPv6 packet-too-big quoting [VIP]:80 -> client, forwarded "
                               "IP6IP6 to the reversed flow's backend",
                               in, "D", table_pick(D, h), h, {{MAGLB_C_ICMP_ERROR_FORWARDED, 1}}));
    const Bytes short_in = from_peer()
                               .Ipv6(ip("2001:db8:ffff::1"), D.addr)
                               .Icmp6(2, 0, 1280)
                               .Raw(quote_of(sent, 47))
                               .Build();
    out.push_back(make_drop("icmp6_packet_too_big_short_quote", "quote shorter than 40 + 8 bytes",
                            short_in, MAGLB_C_DROP_BAD_ICMP));
  }
  {
    // Neighbor solicitation for a VIP address: the kernel answers (ARP/ND pass).
    const Bytes ns = from_peer()
                         .Ipv6(c6, ip("ff02::1:ff00:1"), Ipv6Opts{0, 0, 255, {}, {}, {}})
                         .Icmp6(135, 0, 0)
                         .Raw(Bytes(D.addr.a, D.addr.a + 16))
                         .Build();
    out.push_back(make_pass("icmp6_neighbor_solicitation_pass", "ND goes to the kernel", ns));
  }
  {
    // Warmup under a table that sent the flow to 222; now the table says 221.
    const Model warm = fixture_model("n_to_222");
    const uint16_t cport = 43003;
    const Bytes syn = from_peer().Ipv4(c4, N.addr).Tcp(cport, 80).Build();
    const Bytes sent = PacketBuilder().Ipv4(N.addr, c4).Tcp(80, cport).Build();
    const Bytes in = from_peer()
                         .Ipv4(ip("198.19.0.1"), N.addr)
                         .Icmp4(3, 4, 1300)
                         .Raw(quote_of(sent, 28))
                         .Build();
    const uint32_t h = spec_hash(flow_key(c4, N.addr, cport, 80, tcp), MAGLB_HASH_5TUPLE);
    Fixture f = make_forward(m, "icmp4_frag_needed_follows_flow_entry",
                             "frag-needed for a tracked flow goes to the entry's backend (222), "
                             "not the current table's choice",
                             in, "N", 222, h, {{MAGLB_C_ICMP_ERROR_FORWARDED, 1}});
    f.warmup = {syn};
    f.warmup_blob = warm.blob();
    out.push_back(f);
  }

  // ---------------------------------------------------------- too big
  {
    // 1490 + 20 (IPIP) > 1500.
    const Bytes in = from_peer()
                         .Ipv4(c4, A.addr)
                         .Tcp(44000, 80, TcpOpts{0x10, 1, 1, 1000, {}})
                         .Payload(1450)
                         .Build();
    out.push_back(make("ipv4_too_big_icmp_reply",
                       "1490-byte DF packet + IPIP exceeds MTU 1500: ICMP "
                       "fragmentation-needed reply with next-hop MTU 1480",
                       in, Verdict::Tx, expect_too_big_reply(in, 1480),
                       {{MAGLB_C_FLOW_NEW, 1}, {MAGLB_C_TX_ICMP_GENERATED, 1}}));
    const Bytes vin =
        from_peer().Vlan(0x0123).Ipv4(c4, A.addr).Tcp(44001, 80).Payload(1450).Build();
    out.push_back(make("ipv4_vlan_too_big_icmp_reply",
                       "too-big reply keeps the VLAN tag and swaps the MAC addresses", vin,
                       Verdict::Tx, expect_too_big_reply(vin, 1480),
                       {{MAGLB_C_FLOW_NEW, 1}, {MAGLB_C_TX_ICMP_GENERATED, 1}}));
    Ipv4Opts nodf;
    nodf.df = false;
    const Bytes nin = from_peer().Ipv4(c4, A.addr, nodf).Tcp(44002, 80).Payload(1450).Build();
    out.push_back(make_drop("ipv4_too_big_without_df_drop",
                            "too big and DF clear: dropped (no fragmentation)", nin,
                            MAGLB_C_DROP_TOO_BIG, {{MAGLB_C_FLOW_NEW, 1}}));
    const Bytes fits = from_peer().Ipv4(c4, A.addr).Tcp(44003, 80).Payload(1440).Build();
    out.push_back(make_new_flow(m, "ipv4_1480_fits_ipip", "1480 + 20 = MTU exactly: forwarded",
                                fits, "A", c4, 44003, 80));
  }
  {
    // 1480 fits IPIP but not GUE (28).
    const uint16_t sport = port_for_backend(m, B, c4, 44100, 111, 53);
    const Bytes in = from_peer().Ipv4(c4, B.addr).Udp(sport, 53).Payload(1452).Build();
    out.push_back(make("ipv4_gue_too_big_icmp_reply",
                       "1480-byte UDP packet + GUE (28) exceeds MTU 1500: reply with MTU 1472", in,
                       Verdict::Tx, expect_too_big_reply(in, 1472),
                       {{MAGLB_C_FLOW_NEW, 1}, {MAGLB_C_TX_ICMP_GENERATED, 1}}));
  }
  {
    // 1520-byte IPv6 packet: too big; the reply quotes 1232 bytes (1280 total).
    const Bytes in = from_peer().Ipv6(c6, D.addr).Tcp(44200, 80).Payload(1460).Build();
    out.push_back(make("ipv6_too_big_icmp_reply",
                       "IPv6 packet + IP6IP6 over MTU: packet-too-big with MTU 1460, reply "
                       "truncated to 1280 bytes",
                       in, Verdict::Tx, expect_too_big_reply(in, 1460),
                       {{MAGLB_C_FLOW_NEW, 1}, {MAGLB_C_TX_ICMP_GENERATED, 1}}));
    const Bytes small = from_peer().Ipv6(c6, D.addr).Tcp(44201, 80).Payload(1421).Build();
    out.push_back(make("ipv6_too_big_short_input_icmp_reply",
                       "1481-byte IPv6 packet just over the limit: reply quotes 1232 bytes", small,
                       Verdict::Tx, expect_too_big_reply(small, 1460),
                       {{MAGLB_C_FLOW_NEW, 1}, {MAGLB_C_TX_ICMP_GENERATED, 1}}));
  }
  {
    const Bytes in =
        from_peer().Ipv4(c4, A.addr, fragment_v4(true, 0)).Tcp(44300, 80).Payload(1460).Build();
    out.push_back(make_drop("ipv4_fragment_too_big_drop",
                            "too-big first fragment (DF clear): dropped", in, MAGLB_C_DROP_TOO_BIG,
                            {{MAGLB_C_FRAGMENTS, 1}}));
  }

  // ---------------------------------------------------------- TTL
  {
    Ipv4Opts o;
    o.ttl = 1;
    const Bytes in = from_peer().Ipv4(c4, A.addr, o).Tcp(45000, 80).Build();
    out.push_back(
        make_drop("ipv4_ttl1_drop", "VIP packet with TTL 1", in, MAGLB_C_DROP_TTL_EXCEEDED));
    const Bytes non_vip = from_peer().Ipv4(c4, ip("198.18.100.200"), o).Tcp(45000, 80).Build();
    out.push_back(make_pass("ipv4_ttl1_non_vip_pass",
                            "TTL 1 to a non-VIP address is the kernel's business", non_vip));
    Ipv6Opts o6;
    o6.hop_limit = 1;
    const Bytes in6 = from_peer().Ipv6(c6, D.addr, o6).Tcp(45001, 80).Build();
    out.push_back(make_drop("ipv6_hop_limit1_drop", "VIP packet with hop limit 1", in6,
                            MAGLB_C_DROP_TTL_EXCEEDED));
  }

  // ---------------------------------------------------------- resolution failures
  {
    const Bytes in = from_peer().Ipv4(c4, m.vip("I").addr).Tcp(46000, 80).Build();
    out.push_back(
        make_drop("ipv4_no_backend", "VIP whose table is empty", in, MAGLB_C_DROP_NO_BACKEND));
    const Bytes nn = from_peer().Ipv4(c4, m.vip("J").addr).Tcp(46001, 80).Build();
    out.push_back(make_drop("ipv4_no_neighbor",
                            "backend on the link without a resolved MAC: dropped (flow entry "
                            "kept)",
                            nn, MAGLB_C_DROP_NO_NEIGHBOR, {{MAGLB_C_FLOW_NEW, 1}}));
  }
}

}  // namespace maglb::fixtures
