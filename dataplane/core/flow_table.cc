#include "flow_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace maglb::core {
FlowTable::~FlowTable() {
  if (mem_) munmap(mem_, bytes_);
}

uint32_t FlowTable::units_from_seconds(uint32_t seconds) {
  const uint64_t units = (uint64_t{seconds} * 1'000'000'000ull) >> kTimeShift;
  // Ages wrap at 2^32 units; a timeout beyond half of that could never be
  // told from a wrapped age.
  return units > 0x7fffffffull ? 0x7fffffffu : static_cast<uint32_t>(units);
}

bool FlowTable::init(size_t capacity, std::string *error) {
  if (capacity == 0) {
    if (error) *error = "flow table capacity must be > 0";
    return false;
  }
  // Two buckets at least, so a secondary bucket always differs from the primary.
  const size_t n_buckets = std::max<size_t>(2, (capacity + kWays - 1) / kWays);
  if (n_buckets > 0xffffffffull) {
    if (error) *error = "flow table capacity " + std::to_string(capacity) + " too large";
    return false;
  }
  const size_t bytes = n_buckets * sizeof(Group);
  void *mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    if (error) *error = "flow table: cannot map " + std::to_string(bytes) + " bytes";
    return false;
  }
  // Random access over tens of MB: 2 MB pages save a TLB miss per lookup
  // where transparent huge pages are enabled (advice only; failure is fine).
  madvise(mem, bytes, MADV_HUGEPAGE);
  if (mem_) munmap(mem_, bytes_);
  mem_ = mem;
  bytes_ = bytes;
  n_buckets_ = static_cast<uint32_t>(n_buckets);
  groups_ = static_cast<Group *>(mem);
  // Touch every page now so no page fault lands on the packet path.
  std::memset(mem_, 0, bytes_);
  return true;
}

void FlowTable::clear() {
  if (mem_) std::memset(mem_, 0, bytes_);
}

size_t FlowTable::occupancy() const {
  size_t n = 0;
  for (uint32_t b = 0; b < n_buckets_; ++b)
    for (uint32_t w = 0; w < kWays; ++w) n += groups_[b].bucket.sig[w] != 0;
  return n;
}

FlowTable::Slot FlowTable::victim(uint32_t hash, uint32_t now_units, const Timeouts &t,
                                  bool *evicts_live) const {
  *evicts_live = false;
  if (!n_buckets_) return {0, -1};
  const uint32_t bs[2] = {bucket_of(hash), secondary_of(hash)};
  // Primary before secondary, so the secondary (and the second line it
  // costs lookups) is used only when the primary holds no dead flow.
  for (uint32_t b : bs) {
    const Bucket &bk = groups_[b].bucket;
    const uint32_t free_ways = detail::flow_sig_matches(bk, 0);
    if (free_ways) return {b, __builtin_ctz(free_ways)};
    for (uint32_t w = 0; w < kWays; ++w)
      if (detail::flow_way_expired(bk, w, now_units, t)) return {b, static_cast<int32_t>(w)};
  }
  Slot oldest{bs[0], 0};
  uint32_t oldest_age = 0;
  for (uint32_t b : bs) {
    const Bucket &bk = groups_[b].bucket;
    for (uint32_t w = 0; w < kWays; ++w) {
      const uint32_t age = now_units - bk.last_seen[w];
      if (age > oldest_age) {
        oldest_age = age;
        oldest = {b, static_cast<int32_t>(w)};
      }
    }
  }
  *evicts_live = true;
  return oldest;
}

void FlowTable::store(Slot s, uint32_t hash, const maglb_flow_key &key, uint32_t backend_id,
                      uint16_t backend_hint, uint32_t select_hash, uint32_t now_units) {
  Bucket &bk = groups_[s.bucket].bucket;
  const auto w = static_cast<uint32_t>(s.way);
  FlowEntry &e = groups_[s.bucket].ways[w];
  std::memcpy(e.key, &key, sizeof(e.key));
  e.backend_hint = backend_hint;
  e.backend_id = backend_id;
  e.select_hash = select_hash;
  bk.sig[w] = sig_of(hash);
  bk.last_seen[w] = now_units;
  const auto bit = static_cast<uint8_t>(1u << w);
  bk.udp_mask = key.proto == 17 ? (bk.udp_mask | bit) : (bk.udp_mask & ~bit);
  const uint32_t primary = bucket_of(hash);
  if (s.bucket != primary) groups_[primary].bucket.overflowed = 1;
}

void FlowTable::erase(Slot s) {
  Bucket &bk = groups_[s.bucket].bucket;
  bk.sig[s.way] = 0;
  bk.udp_mask &= static_cast<uint8_t>(~(1u << s.way));
}

}  // namespace maglb::core
