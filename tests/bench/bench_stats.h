// What the benchmarks read from the DPDK dataplane's GET_STATS document
// (docs/dataplane.md), and the median they report.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace maglb::bench {

// The GET_STATS totals the benchmarks use (sums over workers).
struct Totals {
  uint64_t rx = 0, forwarded = 0, drops = 0, loops = 0;
  uint64_t flow_new = 0, flow_hit = 0, flow_evicted = 0, flow_rebalanced = 0;
  uint64_t installs = 0, generation = 0;
  uint64_t flow_capacity = 0, flow_occupancy = 0;  // occupancy: GET_STATS scans the table

  static Totals of(const nlohmann::json &stats);
  Totals since(const Totals &before) const;  // counter deltas (generation, flows: as now)
  nlohmann::json to_json() const;
};

// Median of a list (0 for none).
double median(std::vector<double> v);

}  // namespace maglb::bench
