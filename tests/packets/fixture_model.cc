#include "fixture_model.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>

#include "maglb_hash.h"

namespace maglb::fixtures {
namespace {

template <typename T>
void append_struct(std::vector<uint8_t> &out, const T &v) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

maglb_vip_key vip_key(const VipDef &v) {
  maglb_vip_key k{};
  std::memcpy(k.addr, v.addr.a, v.addr.family == 6 ? 16 : 4);
  k.port = htons(v.port);
  k.proto = v.proto;
  k.family = v.addr.family;
  return k;
}

bool in_onlink(const Ip &a) {
  for (const core::OnLinkPrefix &p : fixture_net().onlink) {
    if (p.family != a.family) continue;
    bool match = true;
    for (unsigned bit = 0; bit < p.prefix_len; ++bit) {
      const unsigned byte = bit / 8, mask = 0x80u >> (bit % 8);
      if ((a.a[byte] & mask) != (p.addr[byte] & mask)) match = false;
    }
    if (match) return true;
  }
  return false;
}

bool mac_is_zero(const Mac &m) {
  for (uint8_t b : m.b)
    if (b) return false;
  return true;
}

}  // namespace

Mac port_mac() {
  return mac("02:00:00:00:00:01");
}
Mac peer_mac() {
  return mac("02:00:00:00:0c:01");
}
Mac gateway_mac(uint8_t family) {
  return family == 6 ? mac("02:00:00:00:fe:06") : mac("02:00:00:00:fe:04");
}

const VipDef &Model::vip(const std::string &name) const {
  for (const VipDef &v : vips)
    if (v.name == name) return v;
  std::abort();  // test-only: a fixture names a VIP that does not exist
}

const BackendDef &Model::backend(uint32_t id) const {
  for (const BackendDef &b : backends)
    if (b.id == id) return b;
  std::abort();
}

std::vector<uint8_t> Model::blob() const {
  std::vector<BackendDef> sorted = backends;
  std::sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) { return a.id < b.id; });
  std::map<uint32_t, uint32_t> index_of;
  for (uint32_t i = 0; i < sorted.size(); ++i) index_of[sorted[i].id] = i;

  std::vector<maglb_snapshot_vip> entries;
  std::vector<maglb_slot_t> slots;
  std::map<std::tuple<std::string, uint8_t>, size_t> lowest;  // group -> entry
  std::map<std::tuple<std::string, uint8_t>, bool> all_ports;
  for (const VipDef &v : vips) {
    maglb_snapshot_vip e{};
    e.key = vip_key(v);
    e.meta.generation = generation;
    e.meta.vip_index = v.vip_index;
    e.meta.table_size = static_cast<uint32_t>(v.table.size());
    e.meta.table_offset = static_cast<uint32_t>(slots.size());
    e.meta.flags = v.port == 0 ? MAGLB_VIP_F_ALL_PORTS : 0;
    e.meta.fwd_method = v.method;
    e.meta.hash_fields = v.hash_fields;
    for (uint32_t id : v.table) slots.push_back(id ? index_of.at(id) : MAGLB_SLOT_EMPTY);
    const auto group = std::make_tuple(to_string(v.addr), v.proto);
    if (v.port == 0) all_ports[group] = true;
    auto it = lowest.find(group);
    if (it == lowest.end() || v.port < ntohs(entries[it->second].key.port))
      lowest[group] = entries.size();
    entries.push_back(e);
  }
  for (const auto &[group, idx] : lowest) {
    if (all_ports.count(group)) continue;
    maglb_snapshot_vip alias = entries[idx];
    alias.key.port = 0;
    alias.meta.flags = MAGLB_VIP_F_FRAG_ONLY;
    entries.push_back(alias);
  }
  std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
    return std::memcmp(&a.key, &b.key, sizeof(a.key)) < 0;
  });

  maglb_snapshot_header h{};
  h.magic = MAGLB_SNAPSHOT_MAGIC;
  h.abi_version = MAGLB_ABI_VERSION;
  h.header_size = sizeof(h);
  h.generation = generation;
  h.n_vips = static_cast<uint32_t>(entries.size());
  h.n_backends = static_cast<uint32_t>(sorted.size());
  h.total_slots = slots.size();
  h.total_size = sizeof(h) + sizeof(params) + entries.size() * sizeof(maglb_snapshot_vip) +
                 sorted.size() * sizeof(maglb_backend) + slots.size() * sizeof(maglb_slot_t);
  std::vector<uint8_t> out;
  append_struct(out, h);
  append_struct(out, params);
  for (const auto &e : entries) append_struct(out, e);
  for (const BackendDef &b : sorted) {
    maglb_backend be{};
    std::memcpy(be.addr, b.addr.a, 16);
    be.id = b.id;
    be.family = b.addr.family;
    be.flags = b.flags;
    be.weight = b.flags & MAGLB_BACKEND_F_DRAINING ? 0 : 1;
    std::memcpy(be.mac, b.mac.b, 6);
    append_struct(out, be);
  }
  for (maglb_slot_t s : slots) append_struct(out, s);
  return out;
}

Model fixture_model(const std::string &variant) {
  Model m{};
  m.generation = 7;
  maglb_dp_params &p = m.params;
  std::memcpy(&p.encap_src_v4, ip("198.18.0.1").a, 4);
  p.src_v4_entropy_bits = 4;
  std::memcpy(p.encap_src_v6, ip("2001:db8::1:0").a, 16);
  p.src_v6_entropy_bits = 8;
  p.mtu = 1500;
  p.gue_port = htons(6080);
  p.flags = MAGLB_DP_F_ICMP_TOO_BIG;
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  const Mac none{};
  m.backends = {
      {101, ip("198.18.0.11"), none},
      {102, ip("198.18.0.12"), none},
      {103, ip("198.18.0.13"), none},
      {111, ip("198.18.0.14"), none},
      {112, ip("198.19.1.10"), none},
      {121, ip("2001:db8::21"), none},
      {131, ip("2001:db8::11"), none},
      {132, ip("2001:db8::12"), none},
      {133, ip("2001:db8::13"), none},
      {141, ip("2001:db8::14"), none},
      {142, ip("2001:db8:1::10"), none},
      {151, ip("198.18.0.21"), none},
      {161, ip("198.18.0.31"), mac("02:00:00:00:b1:61")},
      {162, ip("198.18.0.32"), none},
      {171, ip("2001:db8::31"), mac("02:00:00:00:b1:71")},
      {191, ip("198.18.0.99"), none},
      {201, ip("198.18.0.11"), none},
      {202, ip("198.18.0.12"), none},
      {203, ip("198.18.0.13"), none},
      {211, ip("198.18.0.11"), none},
      {212, ip("198.18.0.12"), none},
      {213, ip("198.18.0.13"), none},
      {221, ip("198.18.0.11"), none},
      {222, ip("198.18.0.12"), none, MAGLB_BACKEND_F_DRAINING},
  };
  const uint8_t tcp = 6, udp = 17;
  m.vips = {
      {"A",
       ip("198.18.100.1"),
       80,
       tcp,
       MAGLB_FWD_IPIP,
       MAGLB_HASH_5TUPLE,
       0,
       {101, 102, 103, 102, 101, 103, 101}},
      {"B",
       ip("198.18.100.1"),
       53,
       udp,
       MAGLB_FWD_GUE,
       MAGLB_HASH_5TUPLE,
       1,
       {111, 112, 111, 112, 112}},
      {"C", ip("198.18.100.2"), 443, tcp, MAGLB_FWD_GUE, MAGLB_HASH_5TUPLE, 2, {121, 121, 121}},
      {"D",
       ip("2001:db8:100::1"),
       80,
       tcp,
       MAGLB_FWD_IPIP,
       MAGLB_HASH_5TUPLE,
       3,
       {131, 132, 133, 131, 132, 133, 133}},
      {"E",
       ip("2001:db8:100::1"),
       53,
       udp,
       MAGLB_FWD_GUE,
       MAGLB_HASH_5TUPLE,
       4,
       {141, 142, 142, 141, 142}},
      {"F", ip("2001:db8:100::2"), 443, tcp, MAGLB_FWD_GUE, MAGLB_HASH_5TUPLE, 5, {151, 151, 151}},
      {"G",
       ip("198.18.100.3"),
       0,
       tcp,
       MAGLB_FWD_L2,
       MAGLB_HASH_5TUPLE,
       6,
       {161, 162, 161, 162, 161}},
      {"H", ip("2001:db8:100::3"), 0, udp, MAGLB_FWD_L2, MAGLB_HASH_5TUPLE, 7, {171, 171, 171}},
      {"I", ip("198.18.100.4"), 80, tcp, MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, 8, {0, 0, 0}},
      {"J", ip("198.18.100.5"), 80, tcp, MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, 9, {191, 191, 191}},
      {"K",
       ip("198.18.100.6"),
       80,
       tcp,
       MAGLB_FWD_IPIP,
       MAGLB_HASH_SRC_ADDR,
       10,
       {201, 202, 203, 201, 202, 203, 202}},
      {"L",
       ip("198.18.100.6"),
       8080,
       tcp,
       MAGLB_FWD_IPIP,
       MAGLB_HASH_3TUPLE,
       11,
       {211, 212, 213, 211, 212, 213, 211, 212, 213, 211, 213}},
      {"N", ip("198.18.100.7"), 80, tcp, MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, 12, {221, 221, 221}},
  };
  if (variant == "n_to_222") {
    // Warmup: VIP N's flows went to 222 (active then, draining now).
    m.generation = 6;
    m.backends.back().flags = 0;
    for (VipDef &v : m.vips)
      if (v.name == "N") v.table = {222, 222, 222};
  } else if (variant == "n_to_223") {
    // Warmup: VIP N's flows went to 223, which the fixture snapshot removed.
    m.generation = 6;
    m.backends.push_back({223, ip("198.18.0.13"), none});
    for (VipDef &v : m.vips)
      if (v.name == "N") v.table = {223, 223, 223};
  } else if (!variant.empty()) {
    std::abort();
  }
  return m;
}

maglb_flow_key flow_key(const Ip &src, const Ip &dst, uint16_t sport, uint16_t dport,
                        uint8_t proto) {
  maglb_flow_key k{};
  std::memcpy(k.src, src.a, src.family == 6 ? 16 : 4);
  std::memcpy(k.dst, dst.a, dst.family == 6 ? 16 : 4);
  k.sport = htons(sport);
  k.dport = htons(dport);
  k.proto = proto;
  k.family = src.family;
  return k;
}

uint32_t spec_hash(maglb_flow_key key, uint8_t hash_fields) {
  maglb_flow_hash_mask(&key, hash_fields);
  return maglb_flow_hash(&key);
}

uint32_t table_pick(const VipDef &v, uint32_t hash) {
  return v.table[hash % v.table.size()];
}

uint16_t port_for_backend(const Model &m, const VipDef &v, const Ip &client, uint16_t from,
                          uint32_t want, uint16_t dport) {
  (void)m;
  for (uint32_t port = from; port < 65536; ++port) {
    const auto k = flow_key(client, v.addr, static_cast<uint16_t>(port), dport, v.proto);
    if (table_pick(v, spec_hash(k, v.hash_fields)) == want) return static_cast<uint16_t>(port);
  }
  std::abort();
}

Mac next_hop(const BackendDef &b, uint8_t method) {
  if (method == MAGLB_FWD_L2 && !mac_is_zero(b.mac)) return b.mac;
  if (!in_onlink(b.addr)) return gateway_mac(b.addr.family);
  for (const core::NeighborEntry &h : fixture_net().hosts) {
    if (h.family == b.addr.family &&
        std::memcmp(h.addr, b.addr.a, b.addr.family == 6 ? 16 : 4) == 0) {
      Mac out;
      std::memcpy(out.b, h.mac, 6);
      return out;
    }
  }
  std::abort();  // fixtures only forward to resolvable backends
}

Bytes expect_forward(const Model &m, const Bytes &input, const VipDef &v, const BackendDef &b,
                     uint32_t hash) {
  const Bytes inner = ip_packet_of(input);
  const bool vlan = input[12] == 0x81 && input[13] == 0x00;
  const uint16_t tci = static_cast<uint16_t>(input[14] << 8 | input[15]);
  PacketBuilder pb;
  if (v.method == MAGLB_FWD_L2) {
    // The builder cannot infer the EtherType of a raw IP packet: name it.
    const uint16_t et = (inner[0] >> 4) == 4 ? 0x0800 : 0x86dd;
    if (vlan)
      pb.Eth(next_hop(b, v.method), port_mac()).Vlan(tci, et);
    else
      pb.Eth(next_hop(b, v.method), port_mac(), et);
    return pb.Raw(inner).Build();
  }
  pb.Eth(next_hop(b, v.method), port_mac());
  if (vlan) pb.Vlan(tci);
  const uint8_t tos =
      (inner[0] >> 4) == 4 ? inner[1] : static_cast<uint8_t>((inner[0] & 15) << 4 | inner[1] >> 4);
  if (b.addr.family == 4) {
    // Outer source: encap_src_v4 with its low src_v4_entropy_bits from the hash.
    uint32_t src = ntohl(m.params.encap_src_v4);
    const uint32_t bits = m.params.src_v4_entropy_bits;
    const uint32_t mask = bits >= 32 ? ~0u : (1u << bits) - 1;
    src = (src & ~mask) | (hash & mask);
    Ip s{};
    s.family = 4;
    const uint32_t be = htonl(src);
    std::memcpy(s.a, &be, 4);
    Ipv4Opts o;
    o.tos = tos;
    o.ttl = 64;
    o.id = 0;
    o.df = true;
    if (v.method == MAGLB_FWD_IPIP) o.proto = 4;
    pb.Ipv4(s, b.addr, o);
  } else {
    Ip s{};
    s.family = 6;
    std::memcpy(s.a, m.params.encap_src_v6, 16);
    const uint32_t bits = m.params.src_v6_entropy_bits;
    const uint32_t mask = (1u << bits) - 1;
    uint32_t low = uint32_t{s.a[14]} << 8 | s.a[15];
    low = (low & ~mask) | (hash & mask);
    s.a[14] = static_cast<uint8_t>(low >> 8);
    s.a[15] = static_cast<uint8_t>(low);
    Ipv6Opts o;
    o.traffic_class = tos;
    o.flow_label = hash & 0xfffff;
    o.hop_limit = 64;
    if (v.method == MAGLB_FWD_IPIP) o.next_header = 41;
    pb.Ipv6(s, b.addr, o);
  }
  if (v.method == MAGLB_FWD_GUE) {
    UdpOpts u;
    u.zero_checksum = b.addr.family == 4;
    pb.Udp(static_cast<uint16_t>(0xc000 | (hash & 0x3fff)), ntohs(m.params.gue_port), u);
  }
  return pb.Raw(inner).Build();
}

Bytes expect_too_big_reply(const Bytes &input, uint32_t mtu) {
  const Bytes inner = ip_packet_of(input);
  const bool vlan = input[12] == 0x81 && input[13] == 0x00;
  const uint16_t tci = static_cast<uint16_t>(input[14] << 8 | input[15]);
  Mac in_dst, in_src;
  std::memcpy(in_dst.b, input.data(), 6);
  std::memcpy(in_src.b, input.data() + 6, 6);
  PacketBuilder pb;
  pb.Eth(in_src, in_dst);
  if (vlan) pb.Vlan(tci);
  Ip client{}, vip{};
  if ((inner[0] >> 4) == 4) {
    client.family = vip.family = 4;
    std::memcpy(client.a, &inner[12], 4);
    std::memcpy(vip.a, &inner[16], 4);
    const size_t quote = std::min<size_t>(inner.size(), (inner[0] & 15u) * 4 + 8);
    Ipv4Opts o;
    o.tos = 0;
    o.ttl = 64;
    o.id = 0;
    o.df = false;
    pb.Ipv4(vip, client, o).Icmp4(3, 4, mtu & 0xffff);
    return pb.Raw(Bytes(inner.begin(), inner.begin() + static_cast<long>(quote))).Build();
  }
  client.family = vip.family = 6;
  std::memcpy(client.a, &inner[8], 16);
  std::memcpy(vip.a, &inner[24], 16);
  const size_t quote = std::min<size_t>(inner.size(), 1280 - 48);
  Ipv6Opts o;
  o.hop_limit = 64;
  pb.Ipv6(vip, client, o).Icmp6(2, 0, mtu);
  return pb.Raw(Bytes(inner.begin(), inner.begin() + static_cast<long>(quote))).Build();
}

}  // namespace maglb::fixtures
