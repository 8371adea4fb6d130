// A frame placed so that its last byte is the last readable byte before an
// unmapped page: any read (or write) past the end of the frame faults.
// Test-only (aborts if the pages cannot be mapped).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace maglb::fixtures {

class GuardedBuffer {
 public:
  GuardedBuffer() {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void *m = mmap(nullptr, 3 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(static_cast<uint8_t *>(m) + 2 * page_, page_, PROT_NONE) != 0)
      std::abort();
    mem_ = static_cast<uint8_t *>(m);
  }
  ~GuardedBuffer() { munmap(mem_, 3 * page_); }
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;

  // Copies the frame against the guard page; at least a page of room before it.
  uint8_t *place(const std::vector<uint8_t> &frame) {
    uint8_t *at = mem_ + 2 * page_ - frame.size();
    // An empty vector's data() may be null: memcpy(…, nullptr, 0) is UB.
    if (!frame.empty()) std::memcpy(at, frame.data(), frame.size());
    return at;
  }

 private:
  size_t page_;
  uint8_t *mem_;
};

}  // namespace maglb::fixtures
