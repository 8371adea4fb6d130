#include "flow_table_mapping.h"

#include <bpf/bpf.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace maglb::xdp {

FlowTableMapping::~FlowTableMapping() {
  if (mem_) munmap(mem_, bytes_);
}

std::string FlowTableMapping::map(int flows_fd, bool writable) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(flows_fd, &info, &len) != 0)
    return std::string("flow table info: ") + std::strerror(errno);
  if (info.value_size != sizeof(maglb_xdp_flow_bucket) || !(info.map_flags & BPF_F_MMAPABLE))
    return "flow table: not an mmapable array of maglb_xdp_flow_bucket";
  const size_t bytes = static_cast<size_t>(info.max_entries) * sizeof(maglb_xdp_flow_bucket);
  void *mem =
      mmap(nullptr, bytes, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, flows_fd, 0);
  if (mem == MAP_FAILED) return std::string("map flow table: ") + std::strerror(errno);
  mem_ = mem;
  bytes_ = bytes;
  buckets_ = info.max_entries;
  return "";
}

std::vector<uint64_t> FlowTableMapping::used_per_cpu(size_t ncpus) const {
  std::vector<uint64_t> used(ncpus ? ncpus : 1, 0);
  const auto *b = static_cast<const maglb_xdp_flow_bucket *>(mem_);
  const size_t per_cpu = buckets_ / used.size();
  for (size_t i = 0; i < buckets_ && per_cpu; ++i) {
    const size_t cpu = i / per_cpu < used.size() ? i / per_cpu : used.size() - 1;
    for (const maglb_xdp_flow &w : b[i].way) used[cpu] += w.backend_id != 0;
  }
  return used;
}

}  // namespace maglb::xdp
