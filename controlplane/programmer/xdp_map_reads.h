// Reads of the XDP dataplane's pinned maps that its library does not
// offer in the shape the normalized statistics need: counters per CPU, and
// connection-tracking occupancy per CPU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace maglb::programmer {

// counters[cpu][c] for every enum maglb_counter c; "" or the error.
std::string read_percpu_counters(int counters_fd, std::vector<std::vector<uint64_t>> *counters);

struct FlowOccupancy {
  uint64_t capacity = 0;          // the map's max_entries
  uint64_t entries = 0;           // keys in the map
  std::vector<uint64_t> per_cpu;  // keys whose value on that CPU is set (backend id != 0)
};

// Walks the per-CPU LRU flow map with batched lookups (a few hundred
// syscalls for a million flows, instead of one per key).
std::string read_flow_occupancy(int flows_fd, FlowOccupancy *out);

}  // namespace maglb::programmer
