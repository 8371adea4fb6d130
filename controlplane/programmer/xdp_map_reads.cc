#include "xdp_map_reads.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "flow_table_mapping.h"
#include "maglb_abi.h"

namespace maglb::programmer {
namespace {

size_t possible_cpus() {
  const int n = libbpf_num_possible_cpus();
  return n > 0 ? static_cast<size_t>(n) : 1;
}

std::string errno_text(const std::string &what, int err) {
  return what + ": " + std::strerror(err < 0 ? -err : err);
}

}  // namespace

std::string read_percpu_counters(int fd, std::vector<std::vector<uint64_t>> *counters) {
  const size_t ncpu = possible_cpus();
  std::vector<std::vector<uint64_t>> out(ncpu, std::vector<uint64_t>(MAGLB_C__COUNT, 0));
  std::vector<uint64_t> values(ncpu);
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c) {
    if (bpf_map_lookup_elem(fd, &c, values.data()) != 0) {
      return errno_text(std::string("read counter ") + maglb_counter_names[c], errno);
    }
    for (size_t cpu = 0; cpu < ncpu; ++cpu) out[cpu][c] = values[cpu];
  }
  *counters = std::move(out);
  return "";
}

std::string read_flow_occupancy(int fd, FlowOccupancy *out) {
  xdp::FlowTableMapping table;
  if (std::string err = table.map(fd, /*writable=*/false); !err.empty()) return err;
  FlowOccupancy occ;
  occ.capacity = uint64_t{table.buckets()} * MAGLB_XDP_FLOW_WAYS;
  occ.per_cpu = table.used_per_cpu(possible_cpus());
  for (uint64_t n : occ.per_cpu) occ.entries += n;
  *out = std::move(occ);
  return "";
}

}  // namespace maglb::programmer
