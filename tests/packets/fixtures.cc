#include "fixtures.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "fixture_list.h"

namespace maglb::fixtures {
namespace {

core::NeighborEntry neighbor(const std::string &addr, const std::string &m) {
  core::NeighborEntry e{};
  const Ip a = ip(addr);
  e.family = a.family;
  std::memcpy(e.addr, a.a, 16);
  std::memcpy(e.mac, mac(m).b, 6);
  return e;
}

core::OnLinkPrefix prefix(const std::string &addr, uint8_t len) {
  core::OnLinkPrefix p{};
  const Ip a = ip(addr);
  p.family = a.family;
  std::memcpy(p.addr, a.a, 16);
  p.prefix_len = len;
  return p;
}

FixtureNet make_net() {
  FixtureNet n{};
  std::memcpy(n.port_mac, port_mac().b, 6);
  n.onlink = {prefix("198.18.0.0", 24), prefix("2001:db8::", 64)};
  n.gateways = {neighbor("198.18.0.254", "02:00:00:00:fe:04"),
                neighbor("2001:db8::fe", "02:00:00:00:fe:06")};
  // Backends on the link with a resolved MAC. Not here on purpose:
  // 198.18.0.31 and 2001:db8::31 (L2 backends whose MAC is in the snapshot)
  // and 198.18.0.99 (unresolved).
  n.hosts = {
      neighbor("198.18.0.11", "02:00:00:00:b0:11"),  neighbor("198.18.0.12", "02:00:00:00:b0:12"),
      neighbor("198.18.0.13", "02:00:00:00:b0:13"),  neighbor("198.18.0.14", "02:00:00:00:b0:14"),
      neighbor("198.18.0.21", "02:00:00:00:b0:21"),  neighbor("198.18.0.32", "02:00:00:00:b0:32"),
      neighbor("2001:db8::11", "02:00:00:00:b6:11"), neighbor("2001:db8::12", "02:00:00:00:b6:12"),
      neighbor("2001:db8::13", "02:00:00:00:b6:13"), neighbor("2001:db8::14", "02:00:00:00:b6:14"),
      neighbor("2001:db8::21", "02:00:00:00:b6:21"),
  };
  return n;
}

std::vector<Fixture> make_all() {
  std::vector<Fixture> all;
  add_forwarding_fixtures(all);
  add_special_fixtures(all);
  add_malformed_fixtures(all);
  return all;
}

}  // namespace

const FixtureNet &fixture_net() {
  static const FixtureNet net = make_net();
  return net;
}

std::vector<uint8_t> fixture_snapshot_blob() {
  return fixture_model().blob();
}

const std::vector<Fixture> &all_fixtures() {
  static const std::vector<Fixture> all = make_all();
  return all;
}

Ip client4() {
  return ip("198.19.200.1");
}
Ip client6() {
  return ip("2001:db8:c::1");
}

PacketBuilder from_peer(std::optional<uint16_t> ether_type) {
  PacketBuilder b;
  b.Eth(port_mac(), peer_mac(), ether_type);
  return b;
}

Fixture make(const std::string &name, const std::string &description, const Bytes &input,
             core::Verdict verdict, const Bytes &expected, Counts counts) {
  Fixture f;
  f.name = name;
  f.description = description;
  f.input = input;
  f.verdict = verdict;
  f.expected = expected;
  counts.insert(counts.begin(), {{MAGLB_C_RX_PACKETS, 1}, {MAGLB_C_RX_BYTES, input.size()}});
  f.counters = counts;
  f.xdp_verdict = verdict;
  f.xdp_expected = expected;
  return f;
}

Fixture make_pass(const std::string &name, const std::string &description, const Bytes &input) {
  return make(name, description, input, core::Verdict::Pass, input, {{MAGLB_C_PASS_TO_KERNEL, 1}});
}

Fixture make_drop(const std::string &name, const std::string &description, const Bytes &input,
                  maglb_counter reason, Counts extra) {
  extra.push_back({reason, 1});
  return make(name, description, input, core::Verdict::Drop, {}, extra);
}

Fixture make_forward(const Model &m, const std::string &name, const std::string &description,
                     const Bytes &input, const std::string &vip, uint32_t backend_id, uint32_t hash,
                     Counts extra) {
  const VipDef &v = m.vip(vip);
  extra.push_back({MAGLB_C_TX_FORWARDED, 1});
  extra.push_back({v.method == MAGLB_FWD_IPIP  ? MAGLB_C_FWD_IPIP
                   : v.method == MAGLB_FWD_GUE ? MAGLB_C_FWD_GUE
                                               : MAGLB_C_FWD_L2,
                   1});
  return make(name, description, input, core::Verdict::Tx,
              expect_forward(m, input, v, m.backend(backend_id), hash), extra);
}

Fixture make_new_flow(const Model &m, const std::string &name, const std::string &description,
                      const Bytes &input, const std::string &vip, const Ip &client, uint16_t sport,
                      uint16_t dport) {
  const VipDef &v = m.vip(vip);
  const uint32_t h = spec_hash(flow_key(client, v.addr, sport, dport, v.proto), v.hash_fields);
  return make_forward(m, name, description, input, vip, table_pick(v, h), h,
                      {{MAGLB_C_FLOW_NEW, 1}});
}

const char *verdict_name(core::Verdict v) {
  switch (v) {
    case core::Verdict::Tx:
      return "TX";
    case core::Verdict::Pass:
      return "PASS";
    case core::Verdict::Drop:
      return "DROP";
  }
  return "?";
}

std::string hex_dump(std::span<const uint8_t> bytes) {
  std::string out;
  char buf[32];
  for (size_t i = 0; i < bytes.size(); i += 16) {
    std::snprintf(buf, sizeof(buf), "%04zx ", i);
    out += buf;
    for (size_t j = i; j < i + 16 && j < bytes.size(); ++j) {
      std::snprintf(buf, sizeof(buf), " %02x", bytes[j]);
      out += buf;
    }
    out += '\n';
  }
  return out;
}

std::string scapy_command(std::span<const uint8_t> bytes) {
  std::string hex;
  char buf[4];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    hex += buf;
  }
  return "/usr/bin/python3 -c \"from scapy.all import Ether; Ether(bytes.fromhex('" + hex +
         "')).show2()\"";
}

std::string check_result(const Fixture &f, core::Verdict verdict, std::span<const uint8_t> output,
                         const maglb_counters &counters, bool xdp) {
  const bool use_xdp = xdp && !f.xdp_difference.empty();
  const core::Verdict want_verdict = use_xdp ? f.xdp_verdict : f.verdict;
  const std::vector<uint8_t> &want = use_xdp ? f.xdp_expected : f.expected;
  std::string report;
  if (verdict != want_verdict)
    report += std::string("verdict ") + verdict_name(verdict) + ", expected " +
              verdict_name(want_verdict) + "\n";
  if (want_verdict != core::Verdict::Drop && verdict == want_verdict &&
      !std::equal(output.begin(), output.end(), want.begin(), want.end())) {
    report += "output differs (" + std::to_string(output.size()) + " bytes, expected " +
              std::to_string(want.size()) + ")\n";
    size_t first = 0;
    while (first < output.size() && first < want.size() && output[first] == want[first]) ++first;
    report += "first difference at byte " + std::to_string(first) + "\n";
    report += "got:\n" + hex_dump(output) + "expected:\n" + hex_dump(want);
    report += "got as scapy: " + scapy_command(output) + "\n";
    report += "expected as scapy: " + scapy_command(want) + "\n";
  }
  uint64_t expected_counts[MAGLB_C__COUNT] = {};
  for (const auto &[c, v] : f.counters) expected_counts[c] += v;
  for (int c = 0; c < MAGLB_C__COUNT; ++c) {
    if (counters.v[c] != expected_counts[c])
      report += std::string("counter ") + maglb_counter_names[c] + " = " +
                std::to_string(counters.v[c]) + ", expected " + std::to_string(expected_counts[c]) +
                "\n";
  }
  uint64_t outcomes = 0;
  for (int c = 0; c < MAGLB_C__COUNT; ++c)
    if (maglb_counter_kinds[c] != MAGLB_COUNTER_KIND_INFO) outcomes += counters.v[c];
  if (outcomes != counters.v[MAGLB_C_RX_PACKETS])
    report += "invariant broken: rx_packets " + std::to_string(counters.v[MAGLB_C_RX_PACKETS]) +
              " != tx_forwarded + tx_icmp_generated + pass_to_kernel + drops = " +
              std::to_string(outcomes) + "\n";
  if (!report.empty())
    report = "fixture " + f.name + " (" + f.description + "):\n" + report +
             "input as scapy: " + scapy_command(f.input) + "\ninput:\n" + hex_dump(f.input);
  return report;
}

}  // namespace maglb::fixtures
