// The in-process benchmark modes of bench_ring (maglb's engine on a
// net_ring port, traffic from this process). Each returns one JSON
// document, or nullopt and *error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace maglb::bench {

struct RingArgs {
  uint64_t flows = 10000;
  unsigned size = 64;  // frame size on the wire (FCS included)
  int runs = 5;
  double seconds = 5;            // per measurement window / trial
  unsigned rx_slots = 1024;      // the dataplane's RX ring (a NIC's RX descriptors)
  double rate_mpps = 0;          // updates: forwarding rate (0: 80% of the unpaced maximum)
  int steps = 8;                 // rfc2544: binary-search trials after the first
  double syn_share = 0.5;        // synflood: share of the frames that are SYNs of new flows
  uint32_t capacity = 1u << 20;  // synflood: --flows-per-core
};

// Unpaced throughput, maglb against the macswap ceiling, runs alternating.
std::optional<nlohmann::json> run_throughput(const RingArgs &a, std::string *error);
// Zero-loss rate by binary search on the offered rate (RFC 2544 26.1).
std::optional<nlohmann::json> run_rfc2544(const RingArgs &a, std::string *error);
// Table installs per second while forwarding at a fixed rate.
std::optional<nlohmann::json> run_updates(const RingArgs &a, std::string *error);
// SYN flood filling the flow table while established flows forward.
std::optional<nlohmann::json> run_synflood(const RingArgs &a, std::string *error);
// Soak: forwarding with a table change every second; checks counters, memory
// and mbuf pools after every window ("pass" in the document).
std::optional<nlohmann::json> run_soak(const RingArgs &a, std::string *error);

// Flows per core for `flows` established flows: twice as many slots, so a
// full pass keeps ~100% of them (docs/flow-table.md, capacity table).
uint32_t flows_per_core_for(uint64_t flows);

}  // namespace maglb::bench
