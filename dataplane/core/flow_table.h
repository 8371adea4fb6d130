// Per-core connection tracking: flow key -> backend id, with idle timeouts
// and LRU eviction. One table per worker lcore, written only by it: no
// locks, no atomics, no allocation after init(). Layout and rules:
// docs/flow-table.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "flow_key.h"
#include "maglb_abi.h"

namespace maglb::core {

// What an entry says about its flow (a copy; the table stores it packed).
struct FlowValue {
  uint32_t backend_id;  // maglb_backend.id (stable across snapshots)
  // maglb_flow_hash of the key masked per the VIP's hash fields: the slot
  // the flow was given and its per-flow entropy, kept so established flows
  // never recompute the spec hash.
  uint32_t select_hash;
  uint16_t backend_hint;  // index of backend_id in the snapshot last seen (O(1) re-find)
};

class FlowTable {
 public:
  // A bucket is one 64-byte line: two IPv4 flows of 32 bytes, or one IPv6
  // flow over the whole line. A lookup that finds its flow in its primary
  // bucket reads exactly one line (one DRAM access at 1M flows).
  static constexpr uint32_t kWays = 2;
  static constexpr size_t kSlotBytes = 32;
  // 2^21 IPv4 slots (64 MiB): 1M concurrent IPv4 flows keep over 99% of
  // their entries (docs/flow-table.md has the measured table).
  static constexpr size_t kDefaultCapacity = size_t{1} << 21;
  // Timestamps are stored as now_ns >> kTimeShift (about 1.05 ms units) in
  // 32 bits: ages are computed modulo 2^32 units (about 52 days).
  static constexpr unsigned kTimeShift = 20;

  struct alignas(64) Bucket {
    uint8_t b[64];
  };
  static_assert(sizeof(Bucket) == 64, "bucket is one cache line");

  // Byte offsets in a bucket (docs/flow-table.md draws them).
  static constexpr uint32_t kValueOff = 16;  // of an IPv4 way (+32 per way); of an IPv6 flow
  static constexpr uint32_t kMetaOff = 30;   // uint16 bucket flags
  static constexpr uint16_t kUsed0 = 1, kUsed1 = 2, kV6 = 4, kUdp0 = 8, kUdp1 = 16,
                            kOverflowed = 32;

  // Idle timeouts in time units (see units_from_seconds).
  struct Timeouts {
    uint32_t tcp;
    uint32_t udp;
  };

  // Where a flow is (or goes): a bucket and a way in it (an IPv6 flow: way 0).
  struct Slot {
    uint32_t bucket;
    int32_t way;  // -1: none
  };

  struct Lookup {
    Slot slot;     // slot.way == -1: miss
    bool expired;  // found but idle for longer than its timeout
    // The found flow's value bytes (nullptr on a miss): value_at, touch_at
    // and set_backend_hint_at use it without recomputing the bucket.
    uint8_t *value;
  };

  FlowTable();
  ~FlowTable();
  FlowTable(const FlowTable &) = delete;
  FlowTable &operator=(const FlowTable &) = delete;

  // Allocates room for at least `capacity` IPv4 flows (IPv6 flows take two
  // slots), rounded up to whole buckets, at least two. Returns false with
  // *error set if capacity is 0 or the memory cannot be mapped. May be
  // called again to resize (drops every flow). Until the first successful
  // init() every lookup misses and victim() finds no slot.
  bool init(size_t capacity, std::string *error);

  size_t capacity() const { return mem_ ? size_t{n_buckets_} * kWays : 0; }
  size_t memory_bytes() const { return bytes_; }
  // Flows stored (expired entries included). Scans the table: not for the hot path.
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
    // Multiply-shift range reduction: no division.
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
  // Stage 1 of a burst: the primary bucket line.
  void prefetch_bucket(uint32_t hash) const {
    __builtin_prefetch(&buckets_[bucket_of(hash)], 1, 3);
  }
  // Stage 2, once the primary line is in: if the flow is not there and may
  // be in (or go to) its secondary bucket, prefetches that line. Returns
  // true when the flow is certainly absent (not in the primary, and the
  // primary never overflowed).
  bool prefetch_secondary(uint32_t hash, const FlowWords &key) const {
    int32_t way;
    return probe_primary(hash, key, &way);
  }
  // The same, also giving the flow's way in its primary bucket (-1: not
  // there). Valid for lookup_known() while writes() has not changed.
  bool probe_primary(uint32_t hash, const FlowWords &key, int32_t *way) const;
  // Changes with every store(), erase() and clear(): the only calls that
  // move keys between ways (touch and hints do not).
  uint32_t writes() const { return writes_; }
  // lookup() for a flow probe_primary() found in `way` of its primary
  // bucket, with no writes() since: the same result without the key compare.
  Lookup lookup_known(uint32_t hash, int32_t way, uint32_t now_units, const Timeouts &t) const;

  Lookup lookup(uint32_t hash, const FlowWords &key, uint32_t now_units, const Timeouts &t) const;
  FlowValue value(Slot s) const;
  void set_backend_hint(Slot s, uint16_t hint) { store16(s, kValueOff + 12, hint); }
  void touch(Slot s, uint32_t now_units) { store32(s, kValueOff + 8, now_units); }
  // The same on Lookup::value (a hit's fields in one place).
  static FlowValue value_at(const uint8_t *v) {
    return {load_u32(v), load_u32(v + 4), load_u16(v + 12)};
  }
  static void touch_at(uint8_t *v, uint32_t now_units) { std::memcpy(v + 8, &now_units, 4); }
  static void set_backend_hint_at(uint8_t *v, uint16_t hint) { std::memcpy(v + 12, &hint, 2); }
  // Where a new flow of this family goes: a free slot of the primary
  // bucket (a free line for IPv6), else of the secondary, else an expired
  // one of either, else the least recently used of both. *evicted: live
  // flows the store will overwrite (0, 1, or 2 when an IPv6 flow replaces
  // two IPv4 flows).
  Slot victim(uint32_t hash, bool v6, uint32_t now_units, const Timeouts &t,
              uint32_t *evicted) const;
  void store(Slot s, uint32_t hash, const FlowWords &key, const FlowValue &v, uint32_t now_units);
  // Removes a flow (tests and tools).
  void erase(Slot s);

  // ---- bucket decoding (inline for the hot path; public for tests) ----
  static uint16_t meta_of(const Bucket &bk) {
    uint16_t m;
    std::memcpy(&m, bk.b + kMetaOff, 2);
    return m;
  }
  // Way of `key` in `bk`, or -1.
  static int32_t find_in(const Bucket &bk, const FlowWords &key);
  // Whether a flow of this family has a free place in `bk`.
  static bool has_room(const Bucket &bk, bool v6) {
    const uint16_t m = meta_of(bk);
    return v6 ? !(m & (kUsed0 | kUsed1)) : (m & (kUsed0 | kUsed1)) != (kUsed0 | kUsed1);
  }

 private:
  uint8_t *way_bytes(Slot s) const {
    return buckets_[s.bucket].b + static_cast<uint32_t>(s.way) * kSlotBytes;
  }
  void store16(Slot s, uint32_t off, uint16_t v) { std::memcpy(way_bytes(s) + off, &v, 2); }
  void store32(Slot s, uint32_t off, uint32_t v) { std::memcpy(way_bytes(s) + off, &v, 4); }

  // Before init(): one empty, read-only bucket, so lookups need no check.
  Bucket *buckets_;
  void *mem_ = nullptr;
  size_t bytes_ = 0;      // the buckets
  size_t map_bytes_ = 0;  // the mapping: bytes_ rounded up to whole huge pages
  uint32_t n_buckets_ = 1;
  uint32_t writes_ = 0;
};

// ---- inline hot path ----
namespace detail {
// The IPv4 key as it is stored: source and destination in one word, then
// the tail word (ports, proto, family).
inline uint64_t flow_v4_addrs(const FlowWords &k) {
  return k.w[0] | k.w[2] << 32;
}
inline bool flow_is_v6(const FlowWords &k) {
  return words_family(k) == MAGLB_FAMILY_IPV6;
}
}  // namespace detail

inline int32_t FlowTable::find_in(const Bucket &bk, const FlowWords &key) {
  const uint16_t m = meta_of(bk);
  const uint8_t *p = bk.b;
  if (!detail::flow_is_v6(key)) {
    if (m & kV6) return -1;
    const uint64_t a = detail::flow_v4_addrs(key), t = key.w[4];
    if ((m & kUsed0) && ((load_u64(p) ^ a) | (load_u64(p + 8) ^ t)) == 0) return 0;
    if ((m & kUsed1) && ((load_u64(p + 32) ^ a) | (load_u64(p + 40) ^ t)) == 0) return 1;
    return -1;
  }
  if (!(m & kV6)) return -1;
  // IPv6 words 0-1 at bytes 0-15, words 2-4 at bytes 32-55 (the value and
  // the bucket flags sit at 16-31, where they are for an IPv4 way 0).
  const bool eq =
      ((load_u64(p) ^ key.w[0]) | (load_u64(p + 8) ^ key.w[1]) | (load_u64(p + 32) ^ key.w[2]) |
       (load_u64(p + 40) ^ key.w[3]) | (load_u64(p + 48) ^ key.w[4])) == 0;
  return eq ? 0 : -1;
}

inline bool FlowTable::probe_primary(uint32_t hash, const FlowWords &key, int32_t *way) const {
  const Bucket &bk = buckets_[bucket_of(hash)];
  *way = find_in(bk, key);
  if (*way >= 0) return false;
  // Not in the primary: it lives in the secondary only if the primary ever
  // overflowed; a new flow goes there if the primary is full.
  const bool overflowed = meta_of(bk) & kOverflowed;
  if (overflowed || !has_room(bk, detail::flow_is_v6(key)))
    __builtin_prefetch(&buckets_[secondary_of(hash)], 1, 3);
  return !overflowed;
}

inline FlowTable::Lookup FlowTable::lookup(uint32_t hash, const FlowWords &key, uint32_t now_units,
                                           const Timeouts &t) const {
  uint32_t b = bucket_of(hash);
  int32_t w = find_in(buckets_[b], key);
  if (w < 0 && (meta_of(buckets_[b]) & kOverflowed)) {
    b = secondary_of(hash);
    w = find_in(buckets_[b], key);
  }
  if (w < 0) return {{b, -1}, false, nullptr};
  uint8_t *v = buckets_[b].b + static_cast<uint32_t>(w) * kSlotBytes + kValueOff;
  const uint32_t age = now_units - load_u32(v + 8);  // modulo 2^32 units
  const bool udp = meta_of(buckets_[b]) & (w ? kUdp1 : kUdp0);
  return {{b, w}, age > (udp ? t.udp : t.tcp), v};
}

inline FlowTable::Lookup FlowTable::lookup_known(uint32_t hash, int32_t way, uint32_t now_units,
                                                 const Timeouts &t) const {
  const uint32_t b = bucket_of(hash);
  uint8_t *v = buckets_[b].b + static_cast<uint32_t>(way) * kSlotBytes + kValueOff;
  const uint32_t age = now_units - load_u32(v + 8);  // modulo 2^32 units
  const bool udp = meta_of(buckets_[b]) & (way ? kUdp1 : kUdp0);
  return {{b, way}, age > (udp ? t.udp : t.tcp), v};
}

inline FlowValue FlowTable::value(Slot s) const {
  const uint8_t *v = way_bytes(s) + kValueOff;
  return {load_u32(v), load_u32(v + 4), load_u16(v + 12)};
}

}  // namespace maglb::core
