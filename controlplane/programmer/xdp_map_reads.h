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
  uint64_t capacity = 0;          // ways in the table (every CPU's range)
  uint64_t entries = 0;           // ways in use
  std::vector<uint64_t> per_cpu;  // ways in use in each CPU's range
};

// Counts the ways in use of the XDP flow table (maglb_xdp_abi.h) through
// a read-only mapping: no syscall per bucket.
std::string read_flow_occupancy(int flows_fd, FlowOccupancy *out);

}  // namespace maglb::programmer
