// Per-core connection tracking: maglb_flow_key -> backend id, with idle
// timeouts and LRU eviction inside a bucket. One table per worker lcore,
// written only by it: no locks, no atomics, no allocation after init().
// Layout and rules: docs/flow-table.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "maglb_abi.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace maglb::core {

// 48 bytes: the key (without its always-zero pad, compared as five 8-byte
// words with the last one masked) and the stored choice. The per-way
// timestamp and signature live in the bucket line.
struct FlowEntry {
  uint8_t key[38];        // maglb_flow_key bytes 0..37
  uint16_t backend_hint;  // index of backend_id in the snapshot last seen (O(1) re-find)
  uint32_t backend_id;    // maglb_backend.id (stable across snapshots)
  // maglb_flow_hash of the key masked per the VIP's hash fields: the slot
  // the flow was given and its per-flow entropy, kept so established flows
  // never recompute the spec hash.
  uint32_t select_hash;
};
static_assert(sizeof(FlowEntry) == 48, "flow entry is 48 bytes");

class FlowTable {
 public:
  static constexpr uint32_t kWays = 8;
  // 1.25 * 2^20 slots (70 MiB): 1M concurrent flows keep 98% of their
  // entries (docs/flow-table.md has the measured load/loss table).
  static constexpr size_t kDefaultCapacity = size_t{5} << 18;
  // Timestamps are stored as now_ns >> kTimeShift (about 1.05 ms units) in
  // 32 bits: ages are computed modulo 2^32 units (about 52 days).
  static constexpr unsigned kTimeShift = 20;

  // One 64-byte line per bucket: everything a lookup, an expiry check or a
  // victim choice needs, so the burst prefetches exactly one line per flow
  // before touching any entry.
  struct alignas(64) Bucket {
    uint16_t sig[kWays];        // 0 = empty way, else a 16-bit signature of the hash
    uint32_t last_seen[kWays];  // time units of the last packet
    uint8_t udp_mask;           // bit w: way w holds a UDP flow (UDP idle timeout)
    // Set once a flow whose primary bucket is this one was stored in its
    // secondary bucket: only then do lookups look there too.
    uint8_t overflowed;
    uint8_t pad[14];
  };
  static_assert(sizeof(Bucket) == 64, "bucket is one cache line");

  // Idle timeouts in time units (see units_from_seconds).
  struct Timeouts {
    uint32_t tcp;
    uint32_t udp;
  };

  // Where a flow is (or goes): a bucket and a way in it.
  struct Slot {
    uint32_t bucket;
    int32_t way;  // -1: none
  };

  struct Lookup {
    Slot slot;     // slot.way == -1: miss
    bool expired;  // found but idle for longer than its timeout
  };

  FlowTable() = default;
  ~FlowTable();
  FlowTable(const FlowTable &) = delete;
  FlowTable &operator=(const FlowTable &) = delete;

  // Allocates room for at least `capacity` flows (rounded up to whole
  // buckets, at least two). Returns false with *error set if capacity is 0
  // or the memory cannot be mapped. May be called again to resize (drops
  // every flow).
  bool init(size_t capacity, std::string *error);

  size_t capacity() const { return size_t{n_buckets_} * kWays; }
  size_t memory_bytes() const { return bytes_; }
  // Ways in use (expired entries included). Scans the table: not for the hot path.
  size_t occupancy() const;
  // Forgets every flow.
  void clear();

  static uint32_t time_units(uint64_t now_ns) {
    return static_cast<uint32_t>(now_ns >> kTimeShift);
  }
  static uint32_t units_from_seconds(uint32_t seconds);
  static Timeouts timeouts_from_params(const maglb_dp_params &p) {
    return {units_from_seconds(p.tcp_idle_timeout_s), units_from_seconds(p.udp_idle_timeout_s)};
  }

  // ---- hot path (hash = table_hash_words of the unmasked key, flow_key.h) ----
  uint32_t bucket_of(uint32_t hash) const {
    // Multiply-shift range reduction takes the bucket from the high bits, the
    // signature below comes from the low bits.
    return static_cast<uint32_t>((uint64_t{hash} * n_buckets_) >> 32);
  }
  // The secondary bucket: from a bijective remix of the hash, never the primary.
  uint32_t secondary_of(uint32_t hash) const {
    uint32_t x = hash * 0x9e3779b1u;
    x ^= x >> 15;
    const uint32_t b = static_cast<uint32_t>((uint64_t{x} * n_buckets_) >> 32);
    const uint32_t p = bucket_of(hash);
    return b != p ? b : (p + 1 == n_buckets_ ? 0 : p + 1);
  }
  static uint16_t sig_of(uint32_t hash) {
    const uint16_t s = static_cast<uint16_t>(hash);
    return s ? s : 1;
  }
  void prefetch_bucket(uint32_t hash) const {
    if (n_buckets_) __builtin_prefetch(&groups_[bucket_of(hash)].bucket, 1, 3);
  }
  // Prefetches the entries whose signature matches, and the secondary
  // bucket if the primary overflowed (the primary line should already be on
  // its way from prefetch_bucket).
  void prefetch_entries(uint32_t hash) const;

  Lookup lookup(uint32_t hash, const maglb_flow_key &key, uint32_t now_units,
                const Timeouts &t) const;
  FlowEntry &entry(Slot s) { return groups_[s.bucket].ways[s.way]; }
  const FlowEntry &entry(Slot s) const { return groups_[s.bucket].ways[s.way]; }
  void touch(Slot s, uint32_t now_units) { groups_[s.bucket].bucket.last_seen[s.way] = now_units; }
  // Where a new flow goes: a free way of the primary bucket, else of the
  // secondary, else an expired way of either, else the least recently used
  // of both. *evicts_live tells whether a live flow is lost.
  Slot victim(uint32_t hash, uint32_t now_units, const Timeouts &t, bool *evicts_live) const;
  void store(Slot s, uint32_t hash, const maglb_flow_key &key, uint32_t backend_id,
             uint16_t backend_hint, uint32_t select_hash, uint32_t now_units);
  // Removes a flow (tests and tools).
  void erase(Slot s);

 private:
  // A bucket line followed by its 8 entries (448 bytes, 7 lines): a flow's
  // bucket and entry share a page, so a lookup costs one address
  // translation (a two-dimensional page walk under virtualisation).
  struct Group {
    Bucket bucket;
    FlowEntry ways[kWays];
  };
  static_assert(sizeof(Group) == 448, "group is 7 lines");
  Group *groups_ = nullptr;
  void *mem_ = nullptr;
  size_t bytes_ = 0;
  uint32_t n_buckets_ = 0;
};

// ---- inline hot path ----
namespace detail {
// Bit w set where bucket.sig[w] == sig.
inline uint32_t flow_sig_matches(const FlowTable::Bucket &b, uint16_t sig) {
#if defined(__SSE2__)
  const __m128i sigs = _mm_load_si128(reinterpret_cast<const __m128i *>(b.sig));
  const __m128i eq = _mm_cmpeq_epi16(sigs, _mm_set1_epi16(static_cast<short>(sig)));
  // Narrow the 16-bit lanes to bytes so movemask yields one bit per way.
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128())));
#else
  uint32_t m = 0;
  for (uint32_t w = 0; w < FlowTable::kWays; ++w) m |= uint32_t{b.sig[w] == sig} << w;
  return m;
#endif
}

inline uint64_t flow_load64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Five 8-byte words; the last covers key bytes 32..39 of which the entry
// keeps 32..37 (38..39 hold the backend hint), so it is masked.
inline bool flow_key_equal(const FlowEntry &e, const maglb_flow_key &k) {
  const uint8_t *pa = e.key;
  const auto *pb = reinterpret_cast<const uint8_t *>(&k);
  return ((flow_load64(pa) ^ flow_load64(pb)) | (flow_load64(pa + 8) ^ flow_load64(pb + 8)) |
          (flow_load64(pa + 16) ^ flow_load64(pb + 16)) |
          (flow_load64(pa + 24) ^ flow_load64(pb + 24)) |
          ((flow_load64(pa + 32) ^ flow_load64(pb + 32)) & 0x0000ffffffffffffull)) == 0;
}

inline bool flow_way_expired(const FlowTable::Bucket &b, uint32_t w, uint32_t now_units,
                             const FlowTable::Timeouts &t) {
  const uint32_t age = now_units - b.last_seen[w];  // modulo 2^32 units
  return age > ((b.udp_mask >> w) & 1 ? t.udp : t.tcp);
}

inline int32_t flow_find_in(const FlowTable::Bucket &bk, const FlowEntry *entries, uint16_t sig,
                            const maglb_flow_key &key) {
  uint32_t m = detail::flow_sig_matches(bk, sig);
  while (m) {
    const uint32_t w = static_cast<uint32_t>(__builtin_ctz(m));
    m &= m - 1;
    if (flow_key_equal(entries[w], key)) return static_cast<int32_t>(w);
  }
  return -1;
}

}  // namespace detail

inline void FlowTable::prefetch_entries(uint32_t hash) const {
  if (!n_buckets_) return;
  const Group &g = groups_[bucket_of(hash)];
  uint32_t m = detail::flow_sig_matches(g.bucket, sig_of(hash));
  // No signature match: most likely a new flow, which will be written to
  // the first free way (a cold line otherwise stalls the insert).
  bool need_secondary = g.bucket.overflowed;
  if (!m) {
    const uint32_t free_ways = detail::flow_sig_matches(g.bucket, 0);
    m = free_ways & (0u - free_ways);  // the lowest one, where victim() will put it
    need_secondary |= !free_ways;      // full: victim() weighs the secondary too
  }
  while (m) {
    const uint32_t w = static_cast<uint32_t>(__builtin_ctz(m));
    m &= m - 1;
    const auto *e = reinterpret_cast<const uint8_t *>(&g.ways[w]);
    // 48-byte entries straddle a line boundary for half the ways.
    __builtin_prefetch(e, 1, 3);
    __builtin_prefetch(e + sizeof(FlowEntry) - 1, 1, 3);
  }
  if (need_secondary) __builtin_prefetch(&groups_[secondary_of(hash)].bucket, 1, 3);
}

inline FlowTable::Lookup FlowTable::lookup(uint32_t hash, const maglb_flow_key &key,
                                           uint32_t now_units, const Timeouts &t) const {
  if (!n_buckets_) return {{0, -1}, false};
  const uint16_t sig = sig_of(hash);
  uint32_t b = bucket_of(hash);
  int32_t w = detail::flow_find_in(groups_[b].bucket, groups_[b].ways, sig, key);
  if (w < 0 && groups_[b].bucket.overflowed) {
    b = secondary_of(hash);
    w = detail::flow_find_in(groups_[b].bucket, groups_[b].ways, sig, key);
  }
  if (w < 0) return {{b, -1}, false};
  return {{b, w},
          detail::flow_way_expired(groups_[b].bucket, static_cast<uint32_t>(w), now_units, t)};
}

}  // namespace maglb::core
