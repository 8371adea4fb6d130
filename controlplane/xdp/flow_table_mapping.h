// The XDP connection-tracking table (maglb_flows, a BPF_F_MMAPABLE array of
// maglb_xdp_flow_bucket, dataplane/abi/maglb_xdp_abi.h) mapped into this
// process: emptied with one memset and counted without a syscall per
// bucket. The mapping is live: the program keeps writing while it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "maglb_xdp_abi.h"

namespace maglb::xdp {

class FlowTableMapping {
 public:
  FlowTableMapping() = default;
  ~FlowTableMapping();
  FlowTableMapping(const FlowTableMapping &) = delete;
  FlowTableMapping &operator=(const FlowTableMapping &) = delete;

  // Maps the whole table of `flows_fd`; "" or what failed.
  std::string map(int flows_fd, bool writable);

  void *data() const { return mem_; }
  size_t size() const { return bytes_; }
  uint32_t buckets() const { return buckets_; }

  // Ways in use per CPU range (the array holds `ncpus` equal ranges).
  std::vector<uint64_t> used_per_cpu(size_t ncpus) const;

 private:
  void *mem_ = nullptr;
  size_t bytes_ = 0;
  uint32_t buckets_ = 0;
};

}  // namespace maglb::xdp
