#include "flow_table.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "flow_key.h"
#include "maglb_hash.h"

namespace maglb::core {
namespace {

constexpr uint64_t kSec = 1'000'000'000ull;

maglb_flow_key key_n(uint32_t n, uint8_t proto = 6) {
  maglb_flow_key k{};
  std::memcpy(k.src, &n, 4);
  k.dst[0] = 198;
  k.dst[1] = 18;
  k.sport = static_cast<uint16_t>(n * 7);
  k.dport = 80;
  k.proto = proto;
  k.family = MAGLB_FAMILY_IPV4;
  return k;
}

FlowWords words_of(const maglb_flow_key &k) {
  static_assert(sizeof(maglb_flow_key) == sizeof(FlowWords));
  FlowWords w;
  std::memcpy(w.w, &k, sizeof(k));
  return w;
}

maglb_flow_key key6_n(uint32_t n, uint8_t proto = 6) {
  maglb_flow_key k{};
  k.src[0] = 0x20;
  k.src[1] = 0x01;
  k.src[2] = 0x0d;
  k.src[3] = 0xb8;
  std::memcpy(k.src + 12, &n, 4);
  k.dst[0] = 0x20;
  k.dst[1] = 0x01;
  k.dst[2] = 0x0d;
  k.dst[3] = 0xb8;
  k.dst[15] = 1;
  k.sport = static_cast<uint16_t>(n * 7);
  k.dport = 80;
  k.proto = proto;
  k.family = MAGLB_FAMILY_IPV6;
  return k;
}

struct Tbl {
  explicit Tbl(size_t cap) {
    std::string err;
    EXPECT_TRUE(t.init(cap, &err)) << err;
  }
  FlowTable t;
  FlowTable::Timeouts to{FlowTable::units_from_seconds(300), FlowTable::units_from_seconds(30)};

  FlowTable::Lookup find(const maglb_flow_key &k, uint64_t now) {
    return t.lookup(maglb_flow_hash(&k), words_of(k), FlowTable::time_units(now), to);
  }
  // Inserts (or overwrites) like the pipeline; returns how many live flows
  // were evicted.
  uint32_t put(const maglb_flow_key &k, uint32_t backend, uint64_t now) {
    const uint32_t h = maglb_flow_hash(&k);
    const FlowWords w = words_of(k);
    FlowTable::Lookup r = t.lookup(h, w, FlowTable::time_units(now), to);
    uint32_t evicted = 0;
    FlowTable::Slot s = r.slot.way >= 0 ? r.slot
                                        : t.victim(h, k.family == MAGLB_FAMILY_IPV6,
                                                   FlowTable::time_units(now), to, &evicted);
    EXPECT_GE(s.way, 0);
    t.store(s, h, w, FlowValue{backend, backend * 3, static_cast<uint16_t>(backend)},
            FlowTable::time_units(now));
    return evicted;
  }
  uint32_t backend_of(const maglb_flow_key &k, uint64_t now) {
    const auto r = find(k, now);
    if (r.slot.way < 0) return 0;
    const FlowValue v = t.value(r.slot);
    EXPECT_EQ(v.select_hash, v.backend_id * 3);
    EXPECT_EQ(v.backend_hint, static_cast<uint16_t>(v.backend_id));
    return v.backend_id;
  }
  bool has(const maglb_flow_key &k, uint64_t now) { return find(k, now).slot.way >= 0; }
  void touch(const maglb_flow_key &k, uint64_t now) {
    t.touch(find(k, now).slot, FlowTable::time_units(now));
  }
};

TEST(FlowTable, LayoutIsAtMost64BytesPerFlow) {
  static_assert(sizeof(FlowTable::Bucket) == 64);
  Tbl t(1 << 20);
  EXPECT_EQ(t.t.capacity(), size_t{1} << 20);
  // 32 bytes per IPv4 flow, 64 per IPv6 flow.
  EXPECT_EQ(t.t.memory_bytes(), t.t.capacity() * 32);
  EXPECT_EQ(t.t.memory_bytes() / (t.t.capacity() / 2), 64u);
}

TEST(FlowTable, BeforeInitEveryLookupMisses) {
  FlowTable t;
  const auto k = key_n(1);
  EXPECT_LT(t.lookup(maglb_flow_hash(&k), words_of(k), 0, {1, 1}).slot.way, 0);
  uint32_t evicted = 0;
  EXPECT_LT(t.victim(maglb_flow_hash(&k), false, 0, {1, 1}, &evicted).way, 0);
  EXPECT_EQ(t.capacity(), 0u);
}

TEST(FlowTable, InitRejectsZero) {
  FlowTable t;
  std::string err;
  EXPECT_FALSE(t.init(0, &err));
  EXPECT_FALSE(err.empty());
}

TEST(FlowTable, InsertLookupAndMiss) {
  Tbl t(1024);
  const auto k = key_n(1);
  EXPECT_FALSE(t.has(k, kSec));
  t.put(k, 77, kSec);
  const auto r = t.find(k, kSec);
  ASSERT_GE(r.slot.way, 0);
  EXPECT_FALSE(r.expired);
  EXPECT_EQ(t.backend_of(k, kSec), 77u);
  EXPECT_FALSE(t.has(key_n(2), kSec));
  EXPECT_EQ(t.t.occupancy(), 1u);
}

TEST(FlowTable, KeysDifferingInAnyByteAreDistinct) {
  Tbl t(4096);
  const auto base = key_n(5);
  t.put(base, 1, kSec);
  // An IPv4 key can differ in its addresses' first 4 bytes, the ports,
  // proto and family (the parser zeroes the rest).
  for (size_t byte : {0, 1, 2, 3, 16, 17, 18, 19, 32, 33, 34, 35, 36, 37}) {
    maglb_flow_key k = base;
    reinterpret_cast<uint8_t *>(&k)[byte] ^= 0x01;
    EXPECT_FALSE(t.has(k, kSec)) << "byte " << byte;
  }
  const auto base6 = key6_n(5);
  t.put(base6, 2, kSec);
  EXPECT_EQ(t.backend_of(base6, kSec), 2u);
  for (size_t byte = 0; byte < 38; ++byte) {
    maglb_flow_key k = base6;
    reinterpret_cast<uint8_t *>(&k)[byte] ^= 0x01;
    EXPECT_FALSE(t.has(k, kSec)) << "IPv6 byte " << byte;
  }
  EXPECT_EQ(t.backend_of(base, kSec), 1u);
}

TEST(FlowTable, Ipv6FlowsTakeAWholeBucket) {
  Tbl t(4);  // two buckets
  // Two IPv4 flows in each bucket, then an IPv6 flow: it replaces the
  // bucket whose most recent flow is older, evicting both of its flows.
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(t.put(key_n(i), i + 1, (10 + i) * kSec), 0u);
  const uint32_t b3 = t.find(key_n(3), 20 * kSec).slot.bucket;
  EXPECT_EQ(t.put(key6_n(1), 50, 20 * kSec), 2u);
  EXPECT_EQ(t.backend_of(key6_n(1), 20 * kSec), 50u);
  EXPECT_EQ(t.t.occupancy(), 3u);  // 2 IPv4 flows + 1 IPv6 flow
  EXPECT_TRUE(t.has(key_n(3), 20 * kSec)) << "the bucket of the newest flow stays";
  EXPECT_NE(t.find(key6_n(1), 20 * kSec).slot.bucket, b3);
  // An IPv4 flow that then needs a place evicts the LRU of the remaining
  // flows, here the IPv6 one (idle since 20 s against 12 s and 13 s:
  // touched later, so it is not the oldest; the oldest IPv4 flow goes).
  t.touch(key_n(3), 30 * kSec);
  EXPECT_EQ(t.put(key_n(9), 10, 31 * kSec), 1u);
  EXPECT_TRUE(t.has(key6_n(1), 31 * kSec));
  EXPECT_TRUE(t.has(key_n(3), 31 * kSec));
  EXPECT_EQ(t.backend_of(key_n(9), 31 * kSec), 10u);
  // Erasing the IPv6 flow frees its whole bucket.
  t.t.erase(t.find(key6_n(1), 31 * kSec).slot);
  EXPECT_FALSE(t.has(key6_n(1), 31 * kSec));
  EXPECT_EQ(t.put(key6_n(2), 60, 32 * kSec), 0u);
  EXPECT_EQ(t.backend_of(key6_n(2), 32 * kSec), 60u);
}

TEST(FlowTable, TcpAndUdpIdleTimeouts) {
  Tbl t(1024);
  const auto tcp = key_n(1, 6), udp = key_n(2, 17);
  t.put(tcp, 1, 10 * kSec);
  t.put(udp, 2, 10 * kSec);
  // 29 s idle: both live. 31 s: UDP (30 s) expired, TCP (300 s) live.
  EXPECT_FALSE(t.find(udp, 39 * kSec).expired);
  EXPECT_TRUE(t.find(udp, 41 * kSec).expired);
  EXPECT_FALSE(t.find(tcp, 41 * kSec).expired);
  EXPECT_FALSE(t.find(tcp, 309 * kSec).expired);
  EXPECT_TRUE(t.find(tcp, 311 * kSec).expired);
  // touch() restarts the idle clock.
  t.touch(tcp, 200 * kSec);
  EXPECT_FALSE(t.find(tcp, 311 * kSec).expired);
}

TEST(FlowTable, SecondaryBucketTakesOverflowOnly) {
  Tbl t(1024);
  // Three flows with one primary bucket: the third goes to the secondary
  // bucket instead of evicting, and is found there.
  std::vector<maglb_flow_key> keys;
  uint32_t primary = 0;
  for (uint32_t i = 0; keys.size() < FlowTable::kWays + 1; ++i) {
    const auto k = key_n(i);
    const uint32_t b = t.t.bucket_of(maglb_flow_hash(&k));
    if (keys.empty()) primary = b;
    if (b == primary) keys.push_back(k);
  }
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(t.put(keys[i], i + 1, kSec), 0u) << i;
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(t.backend_of(keys[i], kSec), i + 1) << i;
  const uint32_t h2 = maglb_flow_hash(&keys[2]);
  EXPECT_EQ(t.find(keys[2], kSec).slot.bucket, t.t.secondary_of(h2));
  EXPECT_EQ(t.find(keys[0], kSec).slot.bucket, primary);
  EXPECT_NE(t.t.secondary_of(h2), primary);
}

TEST(FlowTable, LruEvictionAcrossBothBuckets) {
  Tbl t(4);  // two buckets: every flow's primary and secondary
  const uint32_t n = 2 * FlowTable::kWays;
  for (uint32_t i = 0; i < n; ++i)
    EXPECT_EQ(t.put(key_n(i), i + 1, (10 + i) * kSec), 0u) << "free ways first";
  EXPECT_EQ(t.t.occupancy(), n);
  t.touch(key_n(0), 40 * kSec);  // key 1 is now the least recently used
  EXPECT_EQ(t.put(key_n(100), 101, 41 * kSec), 1u) << "both buckets full: a live flow goes";
  EXPECT_FALSE(t.has(key_n(1), 41 * kSec)) << "the LRU flow was evicted";
  EXPECT_TRUE(t.has(key_n(0), 41 * kSec));
  for (uint32_t i = 2; i < n; ++i) EXPECT_TRUE(t.has(key_n(i), 41 * kSec)) << i;
  EXPECT_EQ(t.backend_of(key_n(100), 41 * kSec), 101u);
}

TEST(FlowTable, ExpiredEntryIsReusedBeforeEvictingALiveOne) {
  Tbl t(4);
  const uint32_t n = 2 * FlowTable::kWays;
  for (uint32_t i = 0; i < n; ++i) t.put(key_n(i, i == 2 ? 17 : 6), i + 1, (100 + i) * kSec);
  // At 140 s the UDP flow (30 s timeout, idle 38 s) is expired, the TCP
  // flows (300 s) are not, although key 0 is older.
  EXPECT_EQ(t.put(key_n(100), 101, 140 * kSec), 0u) << "the expired way is not a live eviction";
  EXPECT_FALSE(t.has(key_n(2, 17), 140 * kSec));
  EXPECT_TRUE(t.has(key_n(0), 140 * kSec));
}

TEST(FlowTable, EraseAndClear) {
  Tbl t(1024);
  const auto k = key_n(3);
  t.put(k, 1, kSec);
  t.t.erase(t.find(k, kSec).slot);
  EXPECT_FALSE(t.has(k, kSec));
  t.put(k, 1, kSec);
  t.t.clear();
  EXPECT_EQ(t.t.occupancy(), 0u);
}

TEST(FlowTable, OneMillionFlowsInTheDefaultTable) {
  constexpr size_t kFlows = 1'000'000;
  Tbl t(FlowTable::kDefaultCapacity);
  ASSERT_GE(t.t.capacity(), kFlows);
  for (uint32_t i = 0; i < kFlows; ++i) t.put(key_n(i), i + 1, kSec);
  // 1M flows in 2M slots (two per line): with a secondary bucket for the
  // overflow over 98% stay (docs/flow-table.md).
  const size_t occ = t.t.occupancy();
  std::printf("1M flows into %zu slots: %zu kept (%.2f%%)\n", t.t.capacity(), occ,
              100.0 * static_cast<double>(occ) / kFlows);
  EXPECT_GT(occ, kFlows * 98 / 100);
  EXPECT_LE(occ, t.t.capacity());
  size_t found = 0, right = 0;
  for (uint32_t i = 0; i < kFlows; ++i) {
    const auto k = key_n(i);
    const auto r = t.find(k, kSec);
    if (r.slot.way < 0) continue;
    ++found;
    right += t.t.value(r.slot).backend_id == i + 1;
  }
  EXPECT_EQ(found, occ) << "every stored flow is found by its own key";
  EXPECT_EQ(right, found) << "and names its own backend";
}

}  // namespace
}  // namespace maglb::core
