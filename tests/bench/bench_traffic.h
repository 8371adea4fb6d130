// The benchmark's network and traffic, shared by the pcap generator, the
// ring harness and their checks so that every tool sends the same frames
// to the same table.
//
// Addresses (198.18.0.0/15 only):
//   198.18.0.1          the load balancer (outer IPIP source)
//   198.18.0.254        the gateway every backend is reached through
//   198.18.1.10:80/tcp  the VIP (IPIP, 5-tuple hash)
//   198.18.16.0/21      backend id i at 198.18.16.0 + i (1..1100)
//   198.19.0.0/16       clients: flow f is 198.19.0.0 + (f & 0xffff),
//                       source port 1024 + (f >> 16)
//   198.18.128.0/17     SYN-flood sources (random address and port)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "maglb_abi.h"

namespace maglb::bench {

inline constexpr uint32_t kBackends = 1000;      // ids 1..1000
inline constexpr uint32_t kSpareBackends = 100;  // ids 1001..1100 (table updates)
inline constexpr uint32_t kTableSize = MAGLB_DEFAULT_TABLE_SIZE;
inline constexpr uint32_t kVipAddr = 0xc612010a;  // 198.18.1.10
inline constexpr uint16_t kVipPort = 80;
inline constexpr uint32_t kLbAddr = 0xc6120001;       // 198.18.0.1
inline constexpr uint32_t kBackendBase = 0xc6121000;  // 198.18.16.0
inline constexpr uint32_t kClientBase = 0xc6130000;   // 198.19.0.0
inline constexpr uint32_t kFloodBase = 0xc6128000;    // 198.18.128.0
inline constexpr uint64_t kMaxFlows = 65536ull * (65536 - 1024);
// Underlay MTU in the benchmark's dp params: a 1518-byte frame plus the
// 20-byte IPIP header must fit (production underlays carry jumbo frames).
inline constexpr uint16_t kUnderlayMtu = 9000;
// The frame sizes of the packet-size sweep (Ethernet, FCS included).
inline constexpr uint16_t kMinFrame = 64, kMaxFrame = 1518;

// Addresses and ports in host order.
struct FlowTuple {
  uint32_t src;
  uint16_t sport;
};
FlowTuple client_flow(uint64_t f);
std::optional<uint64_t> client_flow_index(uint32_t src, uint16_t sport);
uint32_t backend_addr(uint32_t id);
std::optional<uint32_t> backend_id_of(uint32_t addr);

// An Ethernet/IPv4/TCP frame to the VIP with a zero source, and the partial
// checksums that let a flow's source be patched in with a few additions.
class FrameTemplate {
 public:
  // frame_size: on the wire with FCS (64..1518); length() is 4 bytes less.
  // tcp_flags: 0x10 (ACK: an established flow) or 0x02 (SYN).
  FrameTemplate(uint16_t frame_size, uint8_t tcp_flags);
  uint16_t length() const { return static_cast<uint16_t>(bytes_.size()); }
  // The whole frame of (src, sport) into `out` (length() bytes).
  void write(uint8_t *out, FlowTuple flow) const;

 private:
  std::vector<uint8_t> bytes_;
  uint32_t ip_sum_ = 0;   // one's-complement sum of the IPv4 header, source 0
  uint32_t tcp_sum_ = 0;  // of the pseudo header and TCP segment, source 0
};

// Where the flow fields sit in a frame and in an IPIP output frame.
inline constexpr unsigned kIpOff = 14, kTcpOff = 34;
struct OutputFlow {
  uint32_t backend_addr;  // outer destination
  FlowTuple inner;
  uint8_t tcp_flags;
};
// Parses a frame the load balancer sent: Ethernet, outer IPv4 protocol 4,
// inner IPv4/TCP. nullopt for anything else.
std::optional<OutputFlow> parse_ipip_output(const uint8_t *frame, uint32_t len);

// Backend `id` of the benchmark with weight `weight`.
struct BenchBackend {
  uint32_t id;
  uint16_t weight;
};
// The 1000 backends of weight 1.
std::vector<BenchBackend> default_backends();

// A table snapshot of the benchmark VIP and the slot -> backend id table
// it holds (the expectations are computed from `slot_ids`, not by the
// dataplane).
struct BenchTable {
  std::vector<uint8_t> blob;
  std::vector<uint32_t> slot_ids;
};
BenchTable make_table(uint64_t generation, const std::vector<BenchBackend> &backends);
// Rewrites the generation of a blob made by make_table (header and every
// VIP's meta), so a handful of prepared tables can be installed in turn.
void set_generation(std::vector<uint8_t> &blob, uint64_t generation);

// The backend a new flow of (src, sport) gets from `slot_ids`
// (maglb_hash.h, docs/forwarding.md section 5).
uint32_t expected_backend(const std::vector<uint32_t> &slot_ids, FlowTuple flow);

// SET_INTERFACE document: our address, the gateway with a static MAC.
std::string interface_json();

}  // namespace maglb::bench
