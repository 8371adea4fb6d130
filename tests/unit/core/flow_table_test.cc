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

struct Tbl {
  explicit Tbl(size_t cap) {
    std::string err;
    EXPECT_TRUE(t.init(cap, &err)) << err;
  }
  FlowTable t;
  FlowTable::Timeouts to{FlowTable::units_from_seconds(300), FlowTable::units_from_seconds(30)};

  FlowTable::Lookup find(const maglb_flow_key &k, uint64_t now) {
    return t.lookup(maglb_flow_hash(&k), k, FlowTable::time_units(now), to);
  }
  // Inserts (or overwrites) like the pipeline; returns whether a live flow was evicted.
  bool put(const maglb_flow_key &k, uint32_t backend, uint64_t now) {
    const uint32_t h = maglb_flow_hash(&k);
    FlowTable::Lookup r = t.lookup(h, k, FlowTable::time_units(now), to);
    bool live = false;
    FlowTable::Slot s =
        r.slot.way >= 0 ? r.slot : t.victim(h, FlowTable::time_units(now), to, &live);
    t.store(s, h, k, backend, 0, backend * 3, FlowTable::time_units(now));
    return live;
  }
  uint32_t backend_of(const maglb_flow_key &k, uint64_t now) {
    const auto r = find(k, now);
    if (r.slot.way < 0) return 0;
    EXPECT_EQ(t.entry(r.slot).select_hash, t.entry(r.slot).backend_id * 3);
    return t.entry(r.slot).backend_id;
  }
  bool has(const maglb_flow_key &k, uint64_t now) { return find(k, now).slot.way >= 0; }
  void touch(const maglb_flow_key &k, uint64_t now) {
    t.touch(find(k, now).slot, FlowTable::time_units(now));
  }
};

TEST(FlowTable, LayoutIsAtMost64BytesPerFlow) {
  static_assert(sizeof(FlowTable::Bucket) == 64);
  static_assert(sizeof(FlowEntry) == 48);
  Tbl t(1 << 20);
  EXPECT_EQ(t.t.capacity(), size_t{1} << 20);
  EXPECT_LE(t.t.memory_bytes() / t.t.capacity(), 64u);
  EXPECT_EQ(t.t.memory_bytes(), t.t.capacity() * (48 + 64 / FlowTable::kWays));
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
  for (size_t byte = 0; byte < 38; ++byte) {
    maglb_flow_key k = base;
    reinterpret_cast<uint8_t *>(&k)[byte] ^= 0x01;
    EXPECT_FALSE(t.has(k, kSec)) << "byte " << byte;
  }
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
  // Nine flows with one primary bucket: the ninth goes to the secondary
  // bucket instead of evicting, and is found there.
  std::vector<maglb_flow_key> keys;
  uint32_t primary = 0;
  for (uint32_t i = 0; keys.size() < FlowTable::kWays + 1; ++i) {
    const auto k = key_n(i);
    const uint32_t b = t.t.bucket_of(maglb_flow_hash(&k));
    if (keys.empty()) primary = b;
    if (b == primary) keys.push_back(k);
  }
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_FALSE(t.put(keys[i], i + 1, kSec)) << i;
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(t.backend_of(keys[i], kSec), i + 1) << i;
  const uint32_t h8 = maglb_flow_hash(&keys[8]);
  EXPECT_EQ(t.find(keys[8], kSec).slot.bucket, t.t.secondary_of(h8));
  EXPECT_NE(t.t.secondary_of(h8), primary);
}

TEST(FlowTable, LruEvictionAcrossBothBuckets) {
  Tbl t(16);  // two buckets: every flow's primary and secondary
  const uint32_t n = 2 * FlowTable::kWays;
  for (uint32_t i = 0; i < n; ++i)
    EXPECT_FALSE(t.put(key_n(i), i + 1, (10 + i) * kSec)) << "free ways first";
  EXPECT_EQ(t.t.occupancy(), n);
  t.touch(key_n(0), 40 * kSec);  // key 1 is now the least recently used
  EXPECT_TRUE(t.put(key_n(100), 101, 41 * kSec)) << "both buckets full: a live flow goes";
  EXPECT_FALSE(t.has(key_n(1), 41 * kSec)) << "the LRU flow was evicted";
  EXPECT_TRUE(t.has(key_n(0), 41 * kSec));
  for (uint32_t i = 2; i < n; ++i) EXPECT_TRUE(t.has(key_n(i), 41 * kSec)) << i;
  EXPECT_EQ(t.backend_of(key_n(100), 41 * kSec), 101u);
}

TEST(FlowTable, ExpiredEntryIsReusedBeforeEvictingALiveOne) {
  Tbl t(16);
  const uint32_t n = 2 * FlowTable::kWays;
  for (uint32_t i = 0; i < n; ++i) t.put(key_n(i, i == 5 ? 17 : 6), i + 1, (100 + i) * kSec);
  // At 140 s the UDP flow (30 s timeout, idle 35 s) is expired, the TCP
  // flows (300 s) are not, although key 0 is older.
  EXPECT_FALSE(t.put(key_n(100), 101, 140 * kSec)) << "the expired way is not a live eviction";
  EXPECT_FALSE(t.has(key_n(5, 17), 140 * kSec));
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
  // 1M flows in 1.31M slots: with a secondary bucket for the overflow 98%
  // stay (one 8-way bucket alone would keep about 95%).
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
    right += t.t.entry(r.slot).backend_id == i + 1;
  }
  EXPECT_EQ(found, occ) << "every stored flow is found by its own key";
  EXPECT_EQ(right, found) << "and names its own backend";
}

}  // namespace
}  // namespace maglb::core
