// Fixtures of the forwarding methods: new flows and established flows for
// every (VIP family, method, backend family), VLAN, TOS, options, padding.
#include "fixture_list.h"

namespace maglb::fixtures {
namespace {

using core::Verdict;

TcpOpts ack_with(uint32_t seq) {
  TcpOpts o;
  o.flags = 0x10;
  o.seq = seq;
  o.ack = 1;
  return o;
}

}  // namespace

void add_forwarding_fixtures(std::vector<Fixture> &out) {
  const Model m = fixture_model();
  const Ip c4 = client4(), c6 = client6();
  const VipDef &A = m.vip("A"), &B = m.vip("B"), &C = m.vip("C"), &D = m.vip("D"), &E = m.vip("E"),
               &F = m.vip("F"), &G = m.vip("G"), &H = m.vip("H"), &K = m.vip("K"), &L = m.vip("L");

  // --- IPIP over IPv4, one fixture per backend of A's table ---
  for (uint32_t id : {101u, 102u, 103u}) {
    const uint16_t sport = port_for_backend(m, A, c4, 40000, id, 80);
    const Bytes in = from_peer().Ipv4(c4, A.addr).Tcp(sport, 80).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_syn_ipip_backend_" + std::to_string(id),
                                "TCP SYN to an IPIP VIP, new flow to backend " +
                                    std::to_string(id) + " (Maglev slot of the 5-tuple hash)",
                                in, "A", c4, sport, 80));
  }
  {
    const uint16_t sport = 41001;
    const Bytes syn = from_peer().Ipv4(c4, A.addr).Tcp(sport, 80).Build();
    const Bytes in =
        from_peer().Ipv4(c4, A.addr).Tcp(sport, 80, ack_with(1001)).Payload(100).Build();
    const uint32_t h = spec_hash(flow_key(c4, A.addr, sport, 80, 6), MAGLB_HASH_5TUPLE);
    Fixture f = make_forward(m, "ipv4_tcp_established_hit",
                             "second packet of a flow: flow-table hit, same backend", in, "A",
                             table_pick(A, h), h, {{MAGLB_C_FLOW_HIT, 1}});
    f.warmup = {syn};
    out.push_back(f);
  }
  {
    Ipv4Opts o;
    o.tos = 0xb9;  // DSCP 46 + ECN 01: the whole byte is copied out
    const Bytes in = from_peer().Ipv4(c4, A.addr, o).Tcp(41002, 80).Payload(20).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_tos_copied_to_outer",
                                "inner TOS byte (DSCP and ECN) copied to the outer header", in, "A",
                                c4, 41002, 80));
  }
  {
    Ipv4Opts o;
    o.options = {0x01, 0x01, 0x01, 0x00, 0x07, 0x07, 0x04, 0x00};  // NOP NOP NOP EOL, RR
    const Bytes in = from_peer().Ipv4(c4, A.addr, o).Tcp(41003, 80).Payload(10).Build();
    out.push_back(make_new_flow(m, "ipv4_options_tcp_ipip",
                                "IPv4 header with 8 bytes of options (IHL 7): L4 found after "
                                "them, inner packet carried unchanged",
                                in, "A", c4, 41003, 80));
  }
  {
    const Bytes in = from_peer().Vlan(0x2064).Ipv4(c4, A.addr).Tcp(41004, 80).Build();
    out.push_back(make_new_flow(m, "ipv4_vlan_tcp_ipip",
                                "802.1Q tagged frame (PCP 1, VID 100): the tag is kept in the "
                                "output",
                                in, "A", c4, 41004, 80));
  }
  {
    const Bytes in = from_peer().Ipv4(c4, A.addr).Tcp(41005, 80).Pad(6).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_padding_trimmed",
                                "minimum-size frame with Ethernet padding after the IP packet: "
                                "the padding is not in the output",
                                in, "A", c4, 41005, 80));
  }
  {
    Ipv4Opts o;
    o.ttl = 2;
    const Bytes in = from_peer().Ipv4(c4, A.addr, o).Tcp(41006, 80).Build();
    out.push_back(make_new_flow(m, "ipv4_ttl2_forwarded_unchanged",
                                "TTL 2 is forwarded; the inner TTL is not decremented", in, "A", c4,
                                41006, 80));
  }
  // --- GUE over IPv4 (UDP VIP), on-link backend and backend behind the gateway ---
  for (uint32_t id : {111u, 112u}) {
    const uint16_t sport = port_for_backend(m, B, c4, 50000, id, 53);
    const Bytes in = from_peer().Ipv4(c4, B.addr).Udp(sport, 53).Payload(30).Build();
    out.push_back(make_new_flow(
        m, id == 111 ? "ipv4_udp_gue_v4_onlink" : "ipv4_udp_gue_v4_via_gateway",
        id == 111 ? "UDP to a GUE VIP, IPv4 backend on the link: outer UDP checksum 0"
                  : "UDP to a GUE VIP, IPv4 backend off-link: next hop is the IPv4 gateway",
        in, "B", c4, sport, 53));
  }
  {
    const Bytes in = from_peer().Ipv4(c4, C.addr).Tcp(41010, 443).Payload(12).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_gue_v6_outer",
                                "IPv4 VIP, IPv6 backend: IPv4-in-GUE-in-IPv6 with full UDP "
                                "checksum and the flow hash as flow label",
                                in, "C", c4, 41010, 443));
  }
  // --- IPv6 VIPs ---
  for (uint32_t id : {131u, 132u, 133u}) {
    const uint16_t sport = port_for_backend(m, D, c6, 40000, id, 80);
    const Bytes in = from_peer().Ipv6(c6, D.addr).Tcp(sport, 80).Build();
    out.push_back(
        make_new_flow(m, "ipv6_tcp_syn_ip6ip6_backend_" + std::to_string(id),
                      "TCP SYN to an IPv6 IPIP VIP: IP6IP6 to backend " + std::to_string(id), in,
                      "D", c6, sport, 80));
  }
  {
    Ipv6Opts o;
    o.traffic_class = 0xb8;
    o.flow_label = 0x12345;
    const Bytes in = from_peer().Vlan(7).Ipv6(c6, D.addr, o).Tcp(41020, 80).Payload(64).Build();
    out.push_back(make_new_flow(m, "ipv6_vlan_tclass_ip6ip6",
                                "tagged IPv6 with traffic class 0xb8: class copied, outer flow "
                                "label from the flow hash (not the inner label)",
                                in, "D", c6, 41020, 80));
  }
  {
    const uint16_t sport = 41021;
    const Bytes syn = from_peer().Ipv6(c6, D.addr).Tcp(sport, 80).Build();
    const Bytes in =
        from_peer().Ipv6(c6, D.addr).Tcp(sport, 80, ack_with(1001)).Payload(10).Build();
    const uint32_t h = spec_hash(flow_key(c6, D.addr, sport, 80, 6), MAGLB_HASH_5TUPLE);
    Fixture f = make_forward(m, "ipv6_tcp_established_hit", "IPv6 flow-table hit", in, "D",
                             table_pick(D, h), h, {{MAGLB_C_FLOW_HIT, 1}});
    f.warmup = {syn};
    out.push_back(f);
  }
  for (uint32_t id : {141u, 142u}) {
    const uint16_t sport = port_for_backend(m, E, c6, 50000, id, 53);
    const Bytes in = from_peer().Ipv6(c6, E.addr).Udp(sport, 53).Payload(40).Build();
    out.push_back(make_new_flow(
        m, id == 141 ? "ipv6_udp_gue_v6_onlink" : "ipv6_udp_gue_v6_via_gateway",
        id == 141 ? "UDP to an IPv6 GUE VIP, IPv6 backend on the link (UDP checksum filled)"
                  : "UDP to an IPv6 GUE VIP, backend off-link: IPv6 gateway MAC",
        in, "E", c6, sport, 53));
  }
  {
    const Bytes in = from_peer().Ipv6(c6, F.addr).Tcp(41030, 443).Payload(8).Build();
    out.push_back(make_new_flow(m, "ipv6_tcp_gue_v4_outer",
                                "IPv6 VIP, IPv4 backend: IPv6-in-GUE-in-IPv4", in, "F", c6, 41030,
                                443));
  }
  // --- L2 (all-ports VIPs) ---
  for (uint32_t id : {161u, 162u}) {
    const uint16_t dport = 22;
    const uint16_t sport = port_for_backend(m, G, c4, 40000, id, dport);
    const Bytes in = from_peer().Ipv4(c4, G.addr).Tcp(sport, dport).Pad(4).Build();
    out.push_back(make_new_flow(
        m, id == 161 ? "ipv4_all_ports_l2_backend_mac" : "ipv4_all_ports_l2_resolved_mac",
        id == 161 ? "all-ports VIP, L2 method, backend MAC from the snapshot; padding dropped"
                  : "all-ports VIP, L2 method, backend MAC zero in the snapshot: resolved",
        in, "G", c4, sport, dport));
  }
  {
    const Bytes in = from_peer().Ipv6(c6, H.addr).Udp(41040, 9999).Payload(5).Build();
    out.push_back(make_new_flow(m, "ipv6_udp_all_ports_l2", "IPv6 all-ports UDP VIP, L2 method", in,
                                "H", c6, 41040, 9999));
  }
  // --- hash fields ---
  {
    const Bytes in = from_peer().Ipv4(c4, K.addr).Tcp(41050, 80).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_hash_src_addr",
                                "VIP hashing on the source address only (slot and entropy from "
                                "the masked key)",
                                in, "K", c4, 41050, 80));
  }
  {
    const Bytes in = from_peer().Ipv4(c4, L.addr).Tcp(41051, 8080).Build();
    out.push_back(make_new_flow(m, "ipv4_tcp_hash_3tuple",
                                "VIP hashing on the 3-tuple (ports ignored)", in, "L", c4, 41051,
                                8080));
  }
  // --- table changes between two packets of a flow ---
  {
    const Model warm = fixture_model("n_to_222");
    const VipDef &N = m.vip("N");
    const uint16_t sport = 41060;
    const Bytes syn = from_peer().Ipv4(c4, N.addr).Tcp(sport, 80).Build();
    const Bytes in = from_peer().Ipv4(c4, N.addr).Tcp(sport, 80, ack_with(1001)).Build();
    const uint32_t h = spec_hash(flow_key(c4, N.addr, sport, 80, 6), MAGLB_HASH_5TUPLE);
    Fixture f = make_forward(m, "flow_sticks_to_draining_backend",
                             "established flow keeps its backend (id 222) after the table moved "
                             "away from it: draining backends keep their flows",
                             in, "N", 222, h, {{MAGLB_C_FLOW_HIT, 1}});
    f.warmup = {syn};
    f.warmup_blob = warm.blob();
    out.push_back(f);
  }
  {
    const Model warm = fixture_model("n_to_223");
    const VipDef &N = m.vip("N");
    const uint16_t sport = 41061;
    const Bytes syn = from_peer().Ipv4(c4, N.addr).Tcp(sport, 80).Build();
    const Bytes in = from_peer().Ipv4(c4, N.addr).Tcp(sport, 80, ack_with(1001)).Build();
    const uint32_t h = spec_hash(flow_key(c4, N.addr, sport, 80, 6), MAGLB_HASH_5TUPLE);
    Fixture f = make_forward(m, "flow_rebalanced_backend_removed",
                             "the flow's backend id (223) is gone from the snapshot: re-selected "
                             "from the table and the entry overwritten",
                             in, "N", table_pick(N, h), h,
                             {{MAGLB_C_FLOW_REBALANCED, 1}, {MAGLB_C_FLOW_NEW, 1}});
    f.warmup = {syn};
    f.warmup_blob = warm.blob();
    out.push_back(f);
  }
}

}  // namespace maglb::fixtures
