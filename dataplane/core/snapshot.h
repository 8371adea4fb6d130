// An installed table snapshot: the validated, immutable form of the ABI
// blob (maglb_abi.h "snapshot format") plus the lookup structures the
// pipeline needs. Built on the control thread; workers only read it.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "maglb_abi.h"

namespace maglb::core {

// One VIP entry of the snapshot (including FRAG_ONLY aliases), with its
// Maglev table resolved to a pointer.
struct VipEntry {
  maglb_vip_key key;
  maglb_vip_meta meta;
  const maglb_slot_t *table;  // meta.table_size slots: backend indexes or MAGLB_SLOT_EMPTY
};

class Snapshot {
 public:
  // Validates every field of the blob (see snapshot.cc for the list) and
  // builds the lookup structures. Returns nullptr and sets *error (if not
  // null) to a message naming the offending field on any violation.
  // Allocates: control thread only.
  static std::unique_ptr<Snapshot> from_blob(std::span<const uint8_t> blob, std::string *error);

  uint64_t generation() const { return generation_; }
  const maglb_dp_params &params() const { return params_; }

  std::span<const VipEntry> vips() const { return vips_; }
  std::span<const maglb_backend> backends() const { return backends_; }
  uint32_t backend_count() const { return static_cast<uint32_t>(backends_.size()); }

  // Exact key lookup (no port-0 fallback; the pipeline applies the rules of
  // docs/forwarding.md section 2). nullptr when absent. No allocation.
  const VipEntry *find_vip(const maglb_vip_key &key) const;
  // The same on the key's memory image as words (bytes 0-7, 8-15, 16-19):
  // the packet path computes them in registers and never stores a key.
  const VipEntry *find_vip_words(uint64_t a, uint64_t b, uint32_t c) const;

  // Index of the backend with this id in backends(), or -1. Binary search.
  int32_t backend_by_id(uint32_t id) const;

  // Same, but tries `hint` (a previously returned index) first: O(1) for
  // established flows whose backend did not move in the sorted array.
  int32_t backend_by_id(uint32_t id, uint32_t hint) const {
    if (hint < backends_.size() && backends_[hint].id == id) return static_cast<int32_t>(hint);
    return backend_by_id(id);
  }

  // The raw blob this snapshot was built from (kept for re-export/tests).
  std::span<const uint8_t> blob() const { return blob_; }

  Snapshot(const Snapshot &) = delete;
  Snapshot &operator=(const Snapshot &) = delete;

 private:
  Snapshot() = default;

  uint64_t generation_ = 0;
  maglb_dp_params params_{};
  std::vector<uint8_t> blob_;
  std::vector<VipEntry> vips_;
  std::span<const maglb_backend> backends_;
  // Open-addressing VIP index: power-of-two sized, values are vips_ index
  // + 1 (0 = empty). Built once, at most half full, so probes stay short.
  std::vector<uint16_t> vip_index_;
  uint32_t vip_index_mask_ = 0;
};

// Hash of a VIP key for the snapshot's index: three multiply rounds over
// the key's 8+8+4 bytes (a, b, c: their little-endian memory images), high
// half kept (it depends on every input bit).
inline uint32_t vip_hash_words(uint64_t a, uint64_t b, uint32_t c) {
  uint64_t h = ((a * 0x9e3779b97f4a7c15ull) ^ b) * 0xc2b2ae3d27d4eb4full;
  h = (h ^ c) * 0x165667b19e3779f9ull;
  return static_cast<uint32_t>(h >> 32);
}

inline uint32_t vip_key_hash(const maglb_vip_key &key) {
  uint64_t a, b;
  uint32_t c;
  const auto *k = reinterpret_cast<const uint8_t *>(&key);
  std::memcpy(&a, k, 8);
  std::memcpy(&b, k + 8, 8);
  std::memcpy(&c, k + 16, 4);
  return vip_hash_words(a, b, c);
}

inline const VipEntry *Snapshot::find_vip_words(uint64_t a, uint64_t b, uint32_t c) const {
  uint32_t pos = vip_hash_words(a, b, c) & vip_index_mask_;
  for (;;) {
    const uint16_t v = vip_index_[pos];
    if (!v) return nullptr;
    const VipEntry &e = vips_[v - 1u];
    uint64_t ea, eb;
    uint32_t ec;
    const auto *k = reinterpret_cast<const uint8_t *>(&e.key);
    std::memcpy(&ea, k, 8);
    std::memcpy(&eb, k + 8, 8);
    std::memcpy(&ec, k + 16, 4);
    if (((ea ^ a) | (eb ^ b) | (ec ^ c)) == 0) return &e;
    pos = (pos + 1) & vip_index_mask_;
  }
}

inline const VipEntry *Snapshot::find_vip(const maglb_vip_key &key) const {
  uint64_t a, b;
  uint32_t c;
  const auto *k = reinterpret_cast<const uint8_t *>(&key);
  std::memcpy(&a, k, 8);
  std::memcpy(&b, k + 8, 8);
  std::memcpy(&c, k + 16, 4);
  return find_vip_words(a, b, c);
}

}  // namespace maglb::core
