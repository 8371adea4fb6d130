#include "flow_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace maglb::core {
namespace {

const FlowTable::Bucket kEmptyBucket{};

constexpr size_t kHugePage = size_t{2} << 20;

// An anonymous mapping of `bytes`. From one huge page up it starts on a
// 2 MiB boundary and is rounded up to whole 2 MiB pages, so transparent huge
// pages can back all of it: an unaligned 64 MB mapping left its first and
// last partial 2 MiB in 4 KiB pages (5% of the table measured in smaps).
// Smaller tables (unit tests) stay small. Sets *map_bytes to what to unmap.
void *map_table(size_t bytes, size_t *map_bytes) {
  if (bytes < kHugePage) {
    void *m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *map_bytes = bytes;
    return m;
  }
  const size_t len = (bytes + kHugePage - 1) & ~(kHugePage - 1);
  void *raw =
      mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return raw;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~uintptr_t{kHugePage - 1};
  if (aligned > start) munmap(raw, aligned - start);
  const size_t tail = start + len + kHugePage - (aligned + len);
  if (tail > 0) munmap(reinterpret_cast<void *>(aligned + len), tail);
  *map_bytes = len;
  return reinterpret_cast<void *>(aligned);
}

uint32_t last_seen_of(const FlowTable::Bucket &bk, uint32_t way) {
  return load_u32(bk.b + way * FlowTable::kSlotBytes + FlowTable::kValueOff + 8);
}

// The flows of a bucket as (way, idle age, expired) for victim choice.
struct Resident {
  uint32_t n;
  uint32_t way[2];
  uint32_t age[2];
  bool expired[2];
};

Resident residents(const FlowTable::Bucket &bk, uint32_t now_units, const FlowTable::Timeouts &t) {
  Resident r{};
  const uint16_t m = FlowTable::meta_of(bk);
  for (uint32_t w = 0; w < FlowTable::kWays; ++w) {
    const uint16_t used = w ? FlowTable::kUsed1 : FlowTable::kUsed0;
    if (!(m & used)) continue;
    const uint32_t age = now_units - last_seen_of(bk, w);  // modulo 2^32 units
    const bool udp = m & (w ? FlowTable::kUdp1 : FlowTable::kUdp0);
    r.way[r.n] = w;
    r.age[r.n] = age;
    r.expired[r.n] = age > (udp ? t.udp : t.tcp);
    ++r.n;
  }
  return r;
}

}  // namespace

FlowTable::FlowTable() : buckets_(const_cast<Bucket *>(&kEmptyBucket)) {}

FlowTable::~FlowTable() {
  if (mem_) munmap(mem_, map_bytes_);
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
  const size_t bytes = n_buckets * sizeof(Bucket);
  size_t map_bytes = 0;
  void *mem = map_table(bytes, &map_bytes);
  if (mem == MAP_FAILED) {
    if (error) *error = "flow table: cannot map " + std::to_string(bytes) + " bytes";
    return false;
  }
  // Random access over tens of MB: 2 MB pages save a TLB miss per lookup
  // where transparent huge pages are enabled (advice only; failure is fine).
  madvise(mem, map_bytes, MADV_HUGEPAGE);
  if (mem_) munmap(mem_, map_bytes_);
  mem_ = mem;
  bytes_ = bytes;
  map_bytes_ = map_bytes;
  n_buckets_ = static_cast<uint32_t>(n_buckets);
  ++writes_;
  buckets_ = static_cast<Bucket *>(mem);
  // Touch every page now so no page fault lands on the packet path.
  std::memset(mem_, 0, bytes_);
  return true;
}

void FlowTable::clear() {
  ++writes_;
  if (mem_) std::memset(mem_, 0, bytes_);
}

size_t FlowTable::occupancy() const {
  if (!mem_) return 0;
  size_t n = 0;
  for (uint32_t b = 0; b < n_buckets_; ++b) {
    const uint16_t m = meta_of(buckets_[b]);
    n += (m & kUsed0) != 0;
    n += (m & kUsed1) != 0;
  }
  return n;
}

FlowTable::Slot FlowTable::victim(uint32_t hash, bool v6, uint32_t now_units, const Timeouts &t,
                                  uint32_t *evicted) const {
  *evicted = 0;
  if (!mem_) return {0, -1};
  const uint32_t bs[2] = {bucket_of(hash), secondary_of(hash)};
  // Free room first, primary before secondary, so the secondary (and the
  // second line it costs lookups) is used only when the primary is full.
  for (uint32_t b : bs) {
    const uint16_t m = meta_of(buckets_[b]);
    if (!(m & kUsed0)) {
      if (v6 ? !(m & kUsed1) : true) return {b, 0};
    } else if (!v6 && !(m & (kUsed1 | kV6))) {
      return {b, 1};
    }
  }
  if (!v6) {
    // Then a flow that timed out; then the least recently used of the up
    // to four flows (an IPv6 flow counts as one, way 0).
    for (uint32_t b : bs) {
      const Resident r = residents(buckets_[b], now_units, t);
      for (uint32_t i = 0; i < r.n; ++i)
        if (r.expired[i]) return {b, static_cast<int32_t>(r.way[i])};
    }
    Slot oldest{bs[0], 0};
    uint32_t oldest_age = 0;
    for (uint32_t b : bs) {
      const Resident r = residents(buckets_[b], now_units, t);
      for (uint32_t i = 0; i < r.n; ++i)
        if (r.age[i] >= oldest_age) {
          oldest_age = r.age[i];
          oldest = {b, static_cast<int32_t>(r.way[i])};
        }
    }
    *evicted = 1;
    return oldest;
  }
  // IPv6 takes a whole line: the one whose flows are all expired, else the
  // one whose most recent flow is older (fewest live flows lost on a tie).
  uint32_t best = bs[0], best_live = 3, best_newest = 0;
  bool first = true;
  for (uint32_t b : bs) {
    const Resident r = residents(buckets_[b], now_units, t);
    uint32_t live = 0, newest_age = 0xffffffffu;
    for (uint32_t i = 0; i < r.n; ++i) {
      live += !r.expired[i];
      newest_age = std::min(newest_age, r.age[i]);
    }
    if (live == 0) {
      *evicted = 0;
      return {b, 0};
    }
    if (first || newest_age > best_newest || (newest_age == best_newest && live < best_live)) {
      best = b;
      best_live = live;
      best_newest = newest_age;
      first = false;
    }
  }
  *evicted = best_live;
  return {best, 0};
}

void FlowTable::store(Slot s, uint32_t hash, const FlowWords &key, const FlowValue &v,
                      uint32_t now_units) {
  ++writes_;
  Bucket &bk = buckets_[s.bucket];
  uint8_t *p = bk.b;
  uint16_t m = meta_of(bk);
  const bool udp = words_proto(key) == 17;
  const auto w = static_cast<uint32_t>(s.way);
  uint8_t *val;
  if (detail::flow_is_v6(key)) {
    std::memcpy(p, &key.w[0], 8);
    std::memcpy(p + 8, &key.w[1], 8);
    std::memcpy(p + 32, &key.w[2], 8);
    std::memcpy(p + 40, &key.w[3], 8);
    std::memcpy(p + 48, &key.w[4], 8);
    m = static_cast<uint16_t>((m & kOverflowed) | kV6 | kUsed0 | (udp ? kUdp0 : 0));
    val = p + kValueOff;
  } else {
    // An IPv4 flow written over (part of) an IPv6 line ends that flow.
    if (m & kV6) m &= kOverflowed;
    uint8_t *way = p + w * kSlotBytes;
    const uint64_t a = detail::flow_v4_addrs(key);
    std::memcpy(way, &a, 8);
    std::memcpy(way + 8, &key.w[4], 8);
    const uint16_t used = w ? kUsed1 : kUsed0, udp_bit = w ? kUdp1 : kUdp0;
    m = static_cast<uint16_t>((m | used) & ~udp_bit);
    if (udp) m |= udp_bit;
    val = way + kValueOff;
  }
  std::memcpy(val, &v.backend_id, 4);
  std::memcpy(val + 4, &v.select_hash, 4);
  std::memcpy(val + 8, &now_units, 4);
  std::memcpy(val + 12, &v.backend_hint, 2);
  std::memcpy(p + kMetaOff, &m, 2);
  const uint32_t primary = bucket_of(hash);
  if (s.bucket != primary) {
    uint16_t pm = meta_of(buckets_[primary]);
    pm |= kOverflowed;
    std::memcpy(buckets_[primary].b + kMetaOff, &pm, 2);
  }
}

void FlowTable::erase(Slot s) {
  ++writes_;
  Bucket &bk = buckets_[s.bucket];
  uint16_t m = meta_of(bk);
  if (m & kV6)
    m &= kOverflowed;
  else
    m = static_cast<uint16_t>(m & ~(s.way ? (kUsed1 | kUdp1) : (kUsed0 | kUdp0)));
  std::memcpy(bk.b + kMetaOff, &m, 2);
}

}  // namespace maglb::core
