#include "xdp_map_reads.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

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

// Per-CPU values are laid out by the kernel in 8-byte aligned slots.
constexpr size_t kFlowValueStride = (sizeof(maglb_flow_value) + 7) / 8 * 8;

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
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return errno_text("flow map info", errno);
  const size_t ncpu = possible_cpus();
  FlowOccupancy occ;
  occ.capacity = info.max_entries;
  occ.per_cpu.assign(ncpu, 0);

  constexpr uint32_t kBatch = 4096;
  std::vector<maglb_flow_key> keys(kBatch);
  std::vector<uint8_t> values(static_cast<size_t>(kBatch) * ncpu * kFlowValueStride);
  maglb_flow_key in_batch{}, out_batch{};
  bool first = true;
  for (;;) {
    uint32_t count = kBatch;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    const int rc = bpf_map_lookup_batch(fd, first ? nullptr : &in_batch, &out_batch, keys.data(),
                                        values.data(), &count, &opts);
    const int err = errno;
    if (rc != 0 && err != ENOENT) return errno_text("read flow map", err);
    for (uint32_t i = 0; i < count; ++i) {
      ++occ.entries;
      for (size_t cpu = 0; cpu < ncpu; ++cpu) {
        maglb_flow_value v;
        std::memcpy(&v, values.data() + (i * ncpu + cpu) * kFlowValueStride, sizeof(v));
        // An entry another CPU created reads as zero on this one (maps.h).
        occ.per_cpu[cpu] += v.backend_id != 0;
      }
    }
    if (rc != 0) break;  // ENOENT: that was the last batch
    in_batch = out_batch;
    first = false;
  }
  *out = std::move(occ);
  return "";
}

}  // namespace maglb::programmer
