// The packet fixtures both dataplanes run: input frame, expected verdict,
// expected output frame and expected counter deltas, built with the packet
// builder (packet_builder.h) against a hand-written snapshot blob. No DPDK,
// no libbpf: the DPDK runner (dpdk_fixtures_test.cc), the core runner
// (core_fixtures_test.cc) and the XDP runner all use this table unchanged.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "maglb_abi.h"
#include "neighbors.h"
#include "packet.h"

namespace maglb::fixtures {

// The environment every fixture runs in.
struct FixtureNet {
  uint8_t port_mac[6];                        // the load balancer's port MAC
  std::vector<core::OnLinkPrefix> onlink;     // 198.18.0.0/24, 2001:db8::/64
  std::vector<core::NeighborEntry> gateways;  // 198.18.0.254, 2001:db8::fe
  std::vector<core::NeighborEntry> hosts;     // resolved on-link hosts (backends) with MACs
};

struct Fixture {
  std::string name;  // e.g. "ipv4_tcp_syn_ipip"
  std::string description;
  // Frames run first, in order, against the same fresh flow table (and
  // against warmup_blob if not empty, else the fixture snapshot); their
  // verdicts, outputs and counters are not checked.
  std::vector<std::vector<uint8_t>> warmup;
  std::vector<uint8_t> warmup_blob;
  std::vector<uint8_t> input;
  core::Verdict verdict = core::Verdict::Drop;
  std::vector<uint8_t> expected;  // output frame for Tx; the input for Pass; empty for Drop
  // Expected counter deltas of `input` alone; every other counter stays 0.
  std::vector<std::pair<maglb_counter, uint64_t>> counters;
  // Empty, or why XDP differs; then xdp_verdict/xdp_expected apply to XDP.
  std::string xdp_difference;
  core::Verdict xdp_verdict = core::Verdict::Drop;
  std::vector<uint8_t> xdp_expected;
};

const FixtureNet &fixture_net();
// The snapshot blob (ABI format) every fixture runs against: explicit small
// tables, several VIPs, every forwarding method.
std::vector<uint8_t> fixture_snapshot_blob();
// Monotonic time (ns) fixtures run at (warmup included).
inline constexpr uint64_t kFixtureNowNs = 1'000'000'000'000ull;
// Headroom and tailroom runners should give each frame (DPDK's default
// RTE_PKTMBUF_HEADROOM; XDP has 256).
inline constexpr uint16_t kFixtureHeadroom = 128;
const std::vector<Fixture> &all_fixtures();

// "0000  ff ff ..." lines of 16 bytes.
std::string hex_dump(std::span<const uint8_t> bytes);
// A shell one-liner that rebuilds and shows the frame with scapy.
std::string scapy_command(std::span<const uint8_t> bytes);

// Compares one run of a fixture with its expectation (the XDP expectation
// when xdp is true and the fixture has an xdp_difference). `counters` are
// the counter deltas of the input alone. Also checks the invariant
// rx_packets = tx_forwarded + tx_icmp_generated + pass_to_kernel + drops.
// Returns "" on a match, else a report with both frames in hex, a scapy
// command for the input and the counter differences.
std::string check_result(const Fixture &f, core::Verdict verdict, std::span<const uint8_t> output,
                         const maglb_counters &counters, bool xdp = false);

const char *verdict_name(core::Verdict v);

}  // namespace maglb::fixtures
