// The XDP programmer against real maps: what a snapshot blob becomes (VIP
// slots, inner tables of backend ids, backends), how a second snapshot
// changes it (VIPs keep their slots, unchanged tables are not rewritten,
// removed VIPs and backends disappear), restart on pinned maps with
// connection tracking intact, blob validation, and statistics.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "fixture_env.h"
#include "fixture_model.h"
#include "fixtures.h"
#include "snapshot_blob.h"

namespace maglb::xdptest {
namespace {

using fixtures::Bytes;
using fixtures::Model;

std::unique_ptr<FixtureEnv> g_env;
std::string g_skip;

class XdpProgrammerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_env = FixtureEnv::create(4096, &g_skip);
    if (!g_env && g_skip.empty()) g_skip = "fixture environment failed";
  }
  static void TearDownTestSuite() { g_env.reset(); }
  void SetUp() override {
    if (!g_env) GTEST_SKIP() << g_skip;
    ASSERT_EQ(g_env->program(fixtures::fixture_snapshot_blob()), "");
    ASSERT_EQ(g_env->dp().flush_flows(), "");
    ASSERT_EQ(g_env->dp().reset_counters(), "");
  }
  const xdp::MapSet &maps() { return g_env->dp().maps(); }
};

maglb_vip_key key_of(const fixtures::VipDef &v, uint16_t port) {
  maglb_vip_key k{};
  std::memcpy(k.addr, v.addr.a, v.addr.family == 6 ? 16 : 4);
  k.port = htons(port);
  k.proto = v.proto;
  k.family = v.addr.family;
  return k;
}

std::optional<maglb_vip_meta> vip_entry(const xdp::MapSet &m, const maglb_vip_key &k) {
  maglb_vip_meta meta{};
  if (bpf_map_lookup_elem(m.vips, &k, &meta) != 0) return std::nullopt;
  return meta;
}

// Backend ids of the inner table in `slot` (empty if none).
std::vector<uint32_t> table_in_slot(const xdp::MapSet &m, uint32_t slot, uint32_t *map_id) {
  uint32_t id = 0;
  if (bpf_map_lookup_elem(m.tables, &slot, &id) != 0) return {};
  if (map_id) *map_id = id;
  const int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return {};
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  bpf_obj_get_info_by_fd(fd, &info, &len);
  std::vector<uint32_t> out(info.max_entries);
  for (uint32_t i = 0; i < info.max_entries; ++i) bpf_map_lookup_elem(fd, &i, &out[i]);
  close(fd);
  return out;
}

std::set<uint32_t> backend_ids(const xdp::MapSet &m) {
  std::set<uint32_t> ids;
  uint32_t key = 0, next = 0;
  const uint32_t *prev = nullptr;
  while (bpf_map_get_next_key(m.backends, prev, &next) == 0) {
    ids.insert(next);
    key = next;
    prev = &key;
  }
  return ids;
}

// A TCP SYN from `client`:sport to VIP v, as the router delivers it.
Bytes syn_to(const fixtures::VipDef &v, const char *client, uint16_t sport) {
  return fixtures::PacketBuilder()
      .Eth(fixtures::port_mac(), fixtures::peer_mac())
      .Ipv4(fixtures::ip(client), v.addr)
      .Tcp(sport, v.port)
      .Build();
}

// The model's table with 0 (the model's "empty") as MAGLB_SLOT_EMPTY.
std::vector<uint32_t> expected_ids(const fixtures::VipDef &v) {
  std::vector<uint32_t> ids = v.table;
  for (uint32_t &id : ids)
    if (id == 0) id = MAGLB_SLOT_EMPTY;
  return ids;
}

TEST_F(XdpProgrammerTest, SnapshotBecomesMaps) {
  const Model m = fixtures::fixture_model();
  std::set<uint32_t> slots;
  for (const fixtures::VipDef &v : m.vips) {
    const auto meta = vip_entry(maps(), key_of(v, v.port));
    ASSERT_TRUE(meta) << v.name;
    EXPECT_EQ(meta->generation, m.generation);
    EXPECT_EQ(meta->fwd_method, v.method) << v.name;
    EXPECT_EQ(meta->hash_fields, v.hash_fields) << v.name;
    EXPECT_EQ(meta->table_size, v.table.size()) << v.name;
    EXPECT_TRUE(slots.insert(meta->vip_index).second) << "slot shared by two VIPs: " << v.name;
    // The blob's slots are backend indexes; the XDP tables hold ids.
    EXPECT_EQ(table_in_slot(maps(), meta->vip_index, nullptr), expected_ids(v)) << v.name;
  }
  // The FRAG_ONLY alias of VIP A (198.18.100.1/tcp) points at A's slot.
  const auto a = vip_entry(maps(), key_of(m.vip("A"), 80));
  const auto alias = vip_entry(maps(), key_of(m.vip("A"), 0));
  ASSERT_TRUE(a && alias);
  EXPECT_EQ(alias->flags, MAGLB_VIP_F_FRAG_ONLY);
  EXPECT_EQ(alias->vip_index, a->vip_index);
  std::set<uint32_t> want;
  for (const fixtures::BackendDef &b : m.backends) want.insert(b.id);
  EXPECT_EQ(backend_ids(maps()), want);
  EXPECT_EQ(g_env->dp().generation(), m.generation);
}

TEST_F(XdpProgrammerTest, SecondSnapshotKeepsSlotsAndSwapsOnlyChangedTables) {
  Model m = fixtures::fixture_model();
  const auto before_a = vip_entry(maps(), key_of(m.vip("A"), 80));
  uint32_t a_map = 0, b_map_before = 0;
  table_in_slot(maps(), before_a->vip_index, &a_map);
  const uint32_t b_slot = vip_entry(maps(), key_of(m.vip("B"), 53))->vip_index;
  table_in_slot(maps(), b_slot, &b_map_before);

  // A new VIP that sorts first (shifting every snapshot vip_index), VIP B's
  // table changed, VIP C and backend 121 removed.
  m.generation = 8;
  fixtures::VipDef z = m.vip("A");
  z.name = "Z";
  z.addr = fixtures::ip("198.18.99.1");
  z.table = {101, 101, 101};
  for (fixtures::VipDef &v : m.vips) {
    if (v.name == "B") v.table = {112, 112, 112, 112, 112};
    ++v.vip_index;
  }
  m.vips.erase(std::remove_if(m.vips.begin(), m.vips.end(),
                              [](const fixtures::VipDef &v) { return v.name == "C"; }),
               m.vips.end());
  m.backends.erase(std::remove_if(m.backends.begin(), m.backends.end(),
                                  [](const fixtures::BackendDef &b) { return b.id == 121; }),
                   m.backends.end());
  z.vip_index = 0;
  m.vips.insert(m.vips.begin(), z);
  const Bytes blob = m.blob();
  ASSERT_EQ(g_env->program(blob), "");

  const auto after_a = vip_entry(maps(), key_of(m.vip("A"), 80));
  ASSERT_TRUE(after_a);
  EXPECT_EQ(after_a->vip_index, before_a->vip_index) << "VIP A moved to another slot";
  EXPECT_EQ(after_a->generation, 8u);
  uint32_t a_map_after = 0, b_map_after = 0;
  table_in_slot(maps(), after_a->vip_index, &a_map_after);
  EXPECT_EQ(a_map_after, a_map) << "unchanged table was rewritten";
  EXPECT_EQ(table_in_slot(maps(), b_slot, &b_map_after), expected_ids(m.vip("B")));
  EXPECT_NE(b_map_after, b_map_before) << "changed table was not swapped for a fresh map";
  const auto zm = vip_entry(maps(), key_of(z, 80));
  ASSERT_TRUE(zm);
  EXPECT_EQ(table_in_slot(maps(), zm->vip_index, nullptr), expected_ids(z));
  EXPECT_FALSE(vip_entry(maps(), key_of(fixtures::fixture_model().vip("C"), 443)));
  EXPECT_EQ(backend_ids(maps()).count(121), 0u);
}

// Backends live in slots; a flow entry remembers its backend's slot. A
// backend removed and added again (the same id) comes back in another slot
// when its old one was handed out meanwhile: its established flows must
// still reach it (found by id, not rebalanced), and removed backends must
// free their slots.
TEST_F(XdpProgrammerTest, FlowsFollowABackendIntoAnotherSlot) {
  const Model base = fixtures::fixture_model();
  const fixtures::VipDef &a = base.vip("A");
  const Bytes syn = syn_to(a, "198.19.200.9", 40002);
  ASSERT_EQ(g_env->run(syn).action, uint32_t{XDP_TX});
  uint32_t x = 0;  // the backend the flow was given
  const nlohmann::json first = g_env->dp().stats();
  for (const auto &b : first["backends"])
    if (b["packets"] == 1) x = b["id"].get<uint32_t>();
  ASSERT_NE(x, 0u) << first.dump();
  const auto &slots = g_env->dp().programmer_backend_slots();
  ASSERT_TRUE(slots.count(x));
  const uint32_t x_slot = slots.at(x);
  uint32_t other = 0;  // another backend of A, to stand in for x
  for (uint32_t id : a.table)
    if (id != 0 && id != x) other = id;
  ASSERT_NE(other, 0u);

  // x leaves (A's table names another backend instead), then a new backend
  // takes the lowest free slot: x's.
  Model without = base;
  without.generation = base.generation + 1;
  for (fixtures::VipDef &v : without.vips)
    for (uint32_t &id : v.table)
      if (id == x) id = other;
  without.backends.erase(std::remove_if(without.backends.begin(), without.backends.end(),
                                        [&](const fixtures::BackendDef &b) { return b.id == x; }),
                         without.backends.end());
  ASSERT_EQ(g_env->program(without.blob()), "");
  EXPECT_FALSE(slots.count(x));
  Model taker = without;
  taker.generation = without.generation + 1;
  taker.backends.push_back({901, fixtures::ip("198.18.0.201"), {}});
  ASSERT_EQ(g_env->program(taker.blob()), "");
  EXPECT_EQ(slots.at(901), x_slot) << "the freed slot was not reused";

  // x back, with its old table: another slot, and its flow still hits.
  Model back = base;
  back.generation = taker.generation + 1;
  back.backends.push_back({901, fixtures::ip("198.18.0.201"), {}});
  ASSERT_EQ(g_env->program(back.blob()), "");
  ASSERT_TRUE(slots.count(x));
  EXPECT_NE(slots.at(x), x_slot);
  ASSERT_EQ(g_env->dp().reset_counters(), "");
  const TestRun r = g_env->run(syn);
  EXPECT_EQ(r.action, uint32_t{XDP_TX});
  EXPECT_EQ(g_env->dp().counter("flow_hit"), 1u);
  EXPECT_EQ(g_env->dp().counter("flow_rebalanced"), 0u);
  EXPECT_EQ(g_env->dp().counter("flow_new"), 0u);
  const nlohmann::json after = g_env->dp().stats();
  for (const auto &b : after["backends"]) EXPECT_EQ(b["packets"], b["id"] == x ? 1 : 0) << b.dump();
}

TEST_F(XdpProgrammerTest, RejectsBadBlobsWithoutTouchingMaps) {
  Bytes blob = fixtures::fixture_snapshot_blob();
  Bytes cut(blob.begin(), blob.end() - 4);
  EXPECT_NE(g_env->dp().program(cut).find("sizes do not add up"), std::string::npos);
  Bytes bad = blob;
  bad[0] ^= 0xff;
  EXPECT_NE(g_env->dp().program(bad).find("magic"), std::string::npos);
  // A slot naming a backend index past the array.
  Bytes slot = blob;
  const uint32_t big = 1000;
  std::memcpy(slot.data() + slot.size() - 4, &big, 4);
  EXPECT_NE(g_env->dp().program(slot).find("out of range"), std::string::npos);
  EXPECT_EQ(g_env->dp().generation(), fixtures::fixture_model().generation);
}

// A restarted control plane: a second load on the same pinned maps reuses
// them, recovers slots and generation, and established flows still hit.
TEST_F(XdpProgrammerTest, RestartKeepsConnectionTracking) {
  const Model m = fixtures::fixture_model();
  const fixtures::VipDef &a = m.vip("A");
  const Bytes syn = syn_to(a, "198.19.200.7", 40000);
  ASSERT_EQ(g_env->run(syn).action, uint32_t{XDP_TX});
  EXPECT_EQ(g_env->dp().counter("flow_new"), 1u);

  xdp::LoadOptions opts;
  opts.ifname = "fx0";
  opts.pin_root = g_env->dp().pin_dir().substr(0, g_env->dp().pin_dir().rfind('/'));
  opts.flow_entries = 4096;
  std::string err;
  auto second = xdp::XdpDataplane::open_or_load(opts, &err);
  ASSERT_TRUE(second) << err;
  EXPECT_TRUE(second->reused_state());
  EXPECT_EQ(second->generation(), m.generation);
  ASSERT_EQ(second->reset_counters(), "");
  const TestRun r = g_env->run(second->prog_fd(), syn);
  EXPECT_EQ(r.action, uint32_t{XDP_TX});
  EXPECT_EQ(second->counter("flow_hit"), 1u);
  EXPECT_EQ(second->counter("flow_new"), 0u);
  // Programming through the restarted instance keeps every VIP's slot.
  const auto slot_before = vip_entry(maps(), key_of(a, 80))->vip_index;
  ASSERT_EQ(second->program(fixtures::fixture_snapshot_blob()), "");
  EXPECT_EQ(second->tables_written(), 0u);
  EXPECT_EQ(vip_entry(second->maps(), key_of(a, 80))->vip_index, slot_before);

  // A different flow-table size cannot reuse the pinned map: a clear error.
  opts.flow_entries = 8192;
  EXPECT_FALSE(xdp::XdpDataplane::open_or_load(opts, &err));
  EXPECT_NE(err.find("flow_entries=8192"), std::string::npos) << err;
}

TEST_F(XdpProgrammerTest, StatsNameEveryCounterAndCountTraffic) {
  const Model m = fixtures::fixture_model();
  const fixtures::VipDef &a = m.vip("A");
  const Bytes syn = syn_to(a, "198.19.200.8", 40001);
  ASSERT_EQ(g_env->run(syn).action, uint32_t{XDP_TX});
  const nlohmann::json s = g_env->dp().stats();
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c)
    EXPECT_TRUE(s["counters"].contains(maglb_counter_names[c])) << maglb_counter_names[c];
  EXPECT_EQ(s["counters"]["tx_forwarded"], 1);
  EXPECT_EQ(s["counters"]["rx_bytes"], syn.size());
  EXPECT_EQ(s["generation"], m.generation);
  bool found = false;
  for (const auto &v : s["vips"]) {
    if (v["vip"] != "198.18.100.1:80/tcp") continue;
    found = true;
    EXPECT_EQ(v["packets"], 1);
    EXPECT_EQ(v["bytes"], syn.size());
    EXPECT_EQ(v["new_flows"], 1);
  }
  EXPECT_TRUE(found) << s.dump();
  uint64_t backend_packets = 0;
  for (const auto &b : s["backends"]) backend_packets += b["packets"].get<uint64_t>();
  EXPECT_EQ(backend_packets, 1u);
}

}  // namespace
}  // namespace maglb::xdptest
