// Checks the snapshot blob against the ABI layout by parsing it back here,
// independently of any dataplane code.
#include "snapshot_builder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>

namespace maglb::snapshot {
namespace {

maglb_vip_key v4_vip(const char *addr, uint16_t port, uint8_t proto) {
  maglb_vip_key k{};
  EXPECT_EQ(inet_pton(AF_INET, addr, k.addr), 1);
  k.port = htons(port);
  k.proto = proto;
  k.family = MAGLB_FAMILY_IPV4;
  return k;
}

BackendInput v4_backend(const char *addr, uint32_t weight) {
  BackendInput b;
  b.family = MAGLB_FAMILY_IPV4;
  EXPECT_EQ(inet_pton(AF_INET, addr, b.addr.data()), 1);
  b.weight = weight;
  return b;
}

SnapshotInput sample() {
  SnapshotInput in;
  in.generation = 7;
  in.params.mtu = 1500;
  VipInput web{v4_vip("198.18.0.100", 443, IPPROTO_TCP), MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, 17, {}};
  web.backends = {v4_backend("198.18.1.1", 1), v4_backend("198.18.1.2", 1), v4_backend("198.18.1.3", 2)};
  VipInput web80{v4_vip("198.18.0.100", 80, IPPROTO_TCP), MAGLB_FWD_GUE, MAGLB_HASH_3TUPLE, 7, {}};
  web80.backends = {v4_backend("198.18.1.1", 1), v4_backend("198.18.1.4", 0)};
  VipInput dns{v4_vip("198.18.0.101", 0, IPPROTO_UDP), MAGLB_FWD_L2, MAGLB_HASH_SRC_ADDR, 13, {}};
  dns.backends = {v4_backend("198.18.1.5", 3)};
  in.vips = {web, web80, dns};
  return in;
}

struct Parsed {
  maglb_snapshot_header hdr{};
  maglb_dp_params params{};
  std::vector<maglb_snapshot_vip> vips;
  std::vector<maglb_backend> backends;
  std::vector<maglb_slot_t> slots;
};

Parsed parse(const std::vector<uint8_t> &blob) {
  Parsed p;
  size_t off = 0;
  auto take = [&](void *dst, size_t n) {
    EXPECT_LE(off + n, blob.size());
    if (off + n <= blob.size()) std::memcpy(dst, blob.data() + off, n);
    off += n;
  };
  take(&p.hdr, sizeof(p.hdr));
  take(&p.params, sizeof(p.params));
  p.vips.resize(p.hdr.n_vips);
  take(p.vips.data(), p.vips.size() * sizeof(maglb_snapshot_vip));
  p.backends.resize(p.hdr.n_backends);
  take(p.backends.data(), p.backends.size() * sizeof(maglb_backend));
  p.slots.resize(p.hdr.total_slots);
  take(p.slots.data(), p.slots.size() * sizeof(maglb_slot_t));
  EXPECT_EQ(off, blob.size()) << "blob has trailing bytes";
  return p;
}

TEST(SnapshotBuilder, LayoutMatchesAbi) {
  IdAllocator ids;
  const BuildResult r = build_snapshot(sample(), ids);
  ASSERT_EQ(r.error, "");
  const Parsed p = parse(r.blob);
  EXPECT_EQ(p.hdr.magic, MAGLB_SNAPSHOT_MAGIC);
  EXPECT_EQ(p.hdr.abi_version, MAGLB_ABI_VERSION);
  EXPECT_EQ(p.hdr.generation, 7u);
  EXPECT_EQ(p.hdr.total_size, r.blob.size());
  EXPECT_EQ(p.params.mtu, 1500);
  // 3 VIPs + one FRAG_ONLY alias for 198.18.0.100/tcp (the UDP VIP is all-ports).
  ASSERT_EQ(p.vips.size(), 4u);
  EXPECT_EQ(p.hdr.total_slots, 17u + 7u + 13u);
  // Backends: 198.18.1.1 serves two VIPs -> two (vip, backend) ids: 3 + 2 + 1.
  EXPECT_EQ(p.backends.size(), 6u);
  for (size_t i = 1; i < p.backends.size(); ++i) EXPECT_LT(p.backends[i - 1].id, p.backends[i].id);
  for (size_t i = 1; i < p.vips.size(); ++i)
    EXPECT_LT(std::memcmp(&p.vips[i - 1].key, &p.vips[i].key, sizeof(maglb_vip_key)), 0);
}

TEST(SnapshotBuilder, SlotsAreIndexesOfTheTableIds) {
  IdAllocator ids;
  const SnapshotInput in = sample();
  const BuildResult r = build_snapshot(in, ids);
  ASSERT_EQ(r.error, "");
  const Parsed p = parse(r.blob);
  for (size_t v = 0; v < in.vips.size(); ++v) {
    const auto it = std::find_if(p.vips.begin(), p.vips.end(), [&](const maglb_snapshot_vip &e) {
      return std::memcmp(&e.key, &in.vips[v].key, sizeof(maglb_vip_key)) == 0;
    });
    ASSERT_NE(it, p.vips.end());
    EXPECT_EQ(it->meta.vip_index, r.vips[v].vip_index);
    EXPECT_EQ(it->meta.table_size, in.vips[v].table_size);
    EXPECT_EQ(it->meta.fwd_method, in.vips[v].fwd_method);
    EXPECT_EQ(it->meta.hash_fields, in.vips[v].hash_fields);
    ASSERT_EQ(r.vips[v].table.size(), in.vips[v].table_size);
    for (uint32_t s = 0; s < it->meta.table_size; ++s) {
      const maglb_slot_t slot = p.slots[it->meta.table_offset + s];
      ASSERT_LT(slot, p.backends.size());
      EXPECT_EQ(p.backends[slot].id, r.vips[v].table[s]);
    }
  }
  // The drained backend (weight 0) is present, flagged, and holds no slot.
  const uint32_t drained = r.vips[1].backend_ids[1];
  const auto be = std::find_if(p.backends.begin(), p.backends.end(),
                               [&](const maglb_backend &b) { return b.id == drained; });
  ASSERT_NE(be, p.backends.end());
  EXPECT_EQ(be->flags & MAGLB_BACKEND_F_DRAINING, MAGLB_BACKEND_F_DRAINING);
  EXPECT_EQ(std::count(r.vips[1].table.begin(), r.vips[1].table.end(), drained), 0);
}

TEST(SnapshotBuilder, FragmentAliasPointsAtLowestPort) {
  IdAllocator ids;
  const BuildResult r = build_snapshot(sample(), ids);
  ASSERT_EQ(r.error, "");
  const Parsed p = parse(r.blob);
  const maglb_vip_key alias_key = v4_vip("198.18.0.100", 0, IPPROTO_TCP);
  const maglb_vip_key port80 = v4_vip("198.18.0.100", 80, IPPROTO_TCP);
  const maglb_snapshot_vip *alias = nullptr, *p80 = nullptr;
  for (const auto &e : p.vips) {
    if (!std::memcmp(&e.key, &alias_key, sizeof(alias_key))) alias = &e;
    if (!std::memcmp(&e.key, &port80, sizeof(port80))) p80 = &e;
  }
  ASSERT_NE(alias, nullptr);
  ASSERT_NE(p80, nullptr);
  EXPECT_EQ(alias->meta.flags, MAGLB_VIP_F_FRAG_ONLY);
  EXPECT_EQ(alias->meta.vip_index, p80->meta.vip_index);
  EXPECT_EQ(alias->meta.table_offset, p80->meta.table_offset);
  // The all-ports UDP VIP gets no alias and carries ALL_PORTS.
  size_t udp_entries = 0;
  for (const auto &e : p.vips)
    if (e.key.proto == IPPROTO_UDP) {
      ++udp_entries;
      EXPECT_EQ(e.meta.flags, MAGLB_VIP_F_ALL_PORTS);
    }
  EXPECT_EQ(udp_entries, 1u);
}

TEST(SnapshotBuilder, InputOrderDoesNotChangeTheBytes) {
  IdAllocator a;
  const BuildResult ref = build_snapshot(sample(), a);
  ASSERT_EQ(ref.error, "");
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    SnapshotInput in = sample();
    std::shuffle(in.vips.begin(), in.vips.end(), rng);
    for (auto &v : in.vips) std::shuffle(v.backends.begin(), v.backends.end(), rng);
    IdAllocator fresh;
    const BuildResult r = build_snapshot(in, fresh);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.blob, ref.blob) << "round " << round;
  }
}

TEST(SnapshotBuilder, IdsAreStableAndNotReusedAtOnce) {
  IdAllocator ids;
  SnapshotInput in = sample();
  const BuildResult first = build_snapshot(in, ids);
  ASSERT_EQ(first.error, "");
  const uint32_t removed = first.vips[0].backend_ids[0];
  const uint32_t kept = first.vips[0].backend_ids[1];
  in.vips[0].backends.erase(in.vips[0].backends.begin());
  in.vips[0].backends.push_back(v4_backend("198.18.1.9", 1));
  const BuildResult second = build_snapshot(in, ids);
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(second.vips[0].backend_ids[0], kept);
  EXPECT_NE(second.vips[0].backend_ids[2], removed);
  for (const auto &v : second.vips)
    for (uint32_t id : v.table) EXPECT_NE(id, removed);
}

TEST(SnapshotBuilder, RejectsDuplicateVipAndBadTableSize) {
  IdAllocator ids;
  SnapshotInput in = sample();
  in.vips.push_back(in.vips[0]);
  EXPECT_NE(build_snapshot(in, ids).error.find("duplicate VIP"), std::string::npos);
  SnapshotInput bad = sample();
  bad.vips[0].table_size = 16;
  const BuildResult r = build_snapshot(bad, ids);
  EXPECT_NE(r.error.find("198.18.0.100:443/tcp"), std::string::npos) << r.error;
  EXPECT_TRUE(r.blob.empty());
}

}  // namespace
}  // namespace maglb::snapshot
