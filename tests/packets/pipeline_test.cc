// Pipeline behaviour that single fixtures cannot show: time (idle
// expiry), room (headroom), several packets of one flow in a burst, table
// and neighbor changes between bursts, and the per-VIP/backend stats.
#include <gtest/gtest.h>

#include <cstring>

#include "core_runner.h"
#include "fixture_list.h"
#include "fixture_model.h"
#include "worker.h"

namespace maglb::fixtures {
namespace {

using core::Verdict;
constexpr uint64_t kSec = 1'000'000'000ull;

struct Env {
  Env() {
    snap = core::Snapshot::from_blob(model.blob(), &err);
    EXPECT_TRUE(snap) << err;
    neigh = fixture_neighbors();
    ctx = std::make_unique<core::WorkerContext>();
    EXPECT_TRUE(ctx->init(4096, &err)) << err;
  }
  Verdict run(const Bytes &frame, uint64_t now, Bytes *out = nullptr, uint16_t headroom = 128,
              const core::Snapshot *s = nullptr, const core::NeighborTable *n = nullptr) {
    FrameBuffer fb(frame, headroom);
    Verdict v;
    core::process_burst(*ctx, s ? *s : *snap, n ? *n : *neigh, &fb.packet, &v, 1, now);
    if (out) *out = fb.bytes();
    return v;
  }
  uint64_t c(maglb_counter k) const { return ctx->counters.v[k]; }

  std::string err;
  Model model = fixture_model();
  std::unique_ptr<core::Snapshot> snap;
  std::unique_ptr<core::NeighborTable> neigh;
  std::unique_ptr<core::WorkerContext> ctx;
};

Bytes syn_to(const VipDef &v, uint16_t sport, uint8_t proto = 6) {
  PacketBuilder b = from_peer();
  if (v.addr.family == 4)
    b.Ipv4(client4(), v.addr);
  else
    b.Ipv6(client6(), v.addr);
  if (proto == 6)
    b.Tcp(sport, v.port ? v.port : 80);
  else
    b.Udp(sport, v.port ? v.port : 53).Payload(4);
  return b.Build();
}

TEST(Pipeline, IdleFlowExpiresPerProtocolTimeout) {
  Env e;
  const Bytes tcp = syn_to(e.model.vip("A"), 50000);
  const Bytes udp = syn_to(e.model.vip("B"), 50001, 17);
  const uint64_t t0 = 1000 * kSec;
  ASSERT_EQ(e.run(tcp, t0), Verdict::Tx);
  ASSERT_EQ(e.run(udp, t0), Verdict::Tx);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 2u);
  // UDP timeout 30 s, TCP 300 s (fixture params).
  e.run(tcp, t0 + 29 * kSec);
  e.run(udp, t0 + 29 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_HIT), 2u);
  e.run(udp, t0 + 29 * kSec + 31 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_EXPIRED), 1u);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 3u) << "expired entry replaced by a new one";
  e.run(tcp, t0 + 29 * kSec + 299 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_HIT), 3u);
  e.run(tcp, t0 + 29 * kSec + 299 * kSec + 301 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_EXPIRED), 2u);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 4u);
  EXPECT_EQ(e.c(MAGLB_C_TX_FORWARDED), 7u);
}

TEST(Pipeline, NotEnoughHeadroomIsCountedAndLeavesTheFrame) {
  Env e;
  const Bytes in = syn_to(e.model.vip("A"), 50002);
  Bytes out;
  EXPECT_EQ(e.run(in, kSec, &out, 19), Verdict::Drop);
  EXPECT_EQ(e.c(MAGLB_C_DROP_NO_HEADROOM), 1u);
  EXPECT_EQ(out, in);
  EXPECT_EQ(e.run(in, kSec, &out, 20), Verdict::Tx) << "IPIP needs exactly 20 bytes";
  // L2 needs none.
  EXPECT_EQ(e.run(syn_to(e.model.vip("G"), 50003), kSec, &out, 0), Verdict::Tx);
}

TEST(Pipeline, TwoPacketsOfANewFlowInOneBurstMakeOneEntry) {
  Env e;
  const Bytes in = syn_to(e.model.vip("A"), 50004);
  FrameBuffer a(in), b(in);
  core::Packet pk[2] = {a.packet, b.packet};
  Verdict v[2];
  core::process_burst(*e.ctx, *e.snap, *e.neigh, pk, v, 2, kSec);
  EXPECT_EQ(v[0], Verdict::Tx);
  EXPECT_EQ(v[1], Verdict::Tx);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 1u);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_HIT), 1u);
  EXPECT_EQ(e.ctx->flows.occupancy(), 1u);
  EXPECT_EQ(Bytes(pk[0].data, pk[0].data + pk[0].len), Bytes(pk[1].data, pk[1].data + pk[1].len));
}

TEST(Pipeline, EstablishedFlowSurvivesBackendIndexShift) {
  Env e;
  const VipDef &A = e.model.vip("A");
  const uint16_t sport = port_for_backend(e.model, A, client4(), 50100, 103, 80);
  const Bytes in = syn_to(A, sport);
  Bytes first, second;
  ASSERT_EQ(e.run(in, kSec, &first), Verdict::Tx);
  // A new backend with a lower id shifts every index by one, and A's table
  // now sends this flow elsewhere: the flow must stay on id 103.
  Model shifted = e.model;
  shifted.generation = 8;
  shifted.backends.push_back({99, ip("198.18.0.13"), Mac{}});
  for (VipDef &v : shifted.vips)
    if (v.name == "A") v.table = {101, 101, 101, 101, 101, 101, 101};
  auto snap2 = core::Snapshot::from_blob(shifted.blob(), &e.err);
  ASSERT_TRUE(snap2) << e.err;
  ASSERT_EQ(e.run(in, 2 * kSec, &second, 128, snap2.get()), Verdict::Tx);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_HIT), 1u);
  EXPECT_EQ(second, first);
}

TEST(Pipeline, NeighborTableChangeTakesEffectOnTheNextBurst) {
  Env e;
  const VipDef &A = e.model.vip("A");
  const uint16_t sport = port_for_backend(e.model, A, client4(), 50200, 101, 80);
  const Bytes in = syn_to(A, sport);
  const FixtureNet &n = fixture_net();
  std::vector<core::NeighborEntry> hosts;
  for (const auto &h : n.hosts)
    if (!(h.family == 4 && h.addr[3] == 11)) hosts.push_back(h);  // forget 198.18.0.11
  auto partial = core::NeighborTable::build(n.port_mac, n.onlink, hosts, n.gateways, &e.err);
  ASSERT_TRUE(partial) << e.err;
  EXPECT_EQ(e.run(in, kSec, nullptr, 128, nullptr, partial.get()), Verdict::Drop);
  EXPECT_EQ(e.c(MAGLB_C_DROP_NO_NEIGHBOR), 1u);
  EXPECT_EQ(e.run(in, kSec, nullptr, 128, nullptr, e.neigh.get()), Verdict::Tx);
  EXPECT_EQ(e.run(in, kSec, nullptr, 128, nullptr, partial.get()), Verdict::Drop);
}

TEST(Pipeline, VipAndBackendStatsFollowBackendIds) {
  Env e;
  const VipDef &N = e.model.vip("N");
  const Bytes in = syn_to(N, 50300);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(e.run(in, kSec), Verdict::Tx);
  const auto &vs = e.ctx->vip_stats[N.vip_index];
  EXPECT_EQ(vs.packets, 3u);
  EXPECT_EQ(vs.bytes, 3 * in.size());
  EXPECT_EQ(vs.new_flows, 1u);
  const int32_t idx = e.snap->backend_by_id(221);
  ASSERT_GE(idx, 0);
  EXPECT_EQ(e.ctx->backend_stats[idx].packets, 3u);
  EXPECT_EQ(e.ctx->backend_stats_ids[idx], 221u);
  // A snapshot with a lower id in front: 221's counts move to its new index.
  Model shifted = e.model;
  shifted.generation = 9;
  shifted.backends.push_back({1, ip("198.18.0.13"), Mac{}});
  auto snap2 = core::Snapshot::from_blob(shifted.blob(), &e.err);
  ASSERT_TRUE(snap2) << e.err;
  ASSERT_EQ(e.run(in, kSec, nullptr, 128, snap2.get()), Verdict::Tx);
  const int32_t idx2 = snap2->backend_by_id(221);
  ASSERT_EQ(idx2, idx + 1);
  EXPECT_EQ(e.ctx->backend_stats_generation, 9u);
  EXPECT_EQ(e.ctx->backend_stats_ids[idx2], 221u);
  EXPECT_EQ(e.ctx->backend_stats[idx2].packets, 4u);
  EXPECT_EQ(e.ctx->backend_stats[0].packets, 0u) << "the new backend starts at zero";
}

TEST(Pipeline, EvictionIsCountedWhenABucketOverflows) {
  Env e;
  std::string err;
  // Two buckets: every flow's primary and secondary, 4 IPv4 slots in all.
  ASSERT_TRUE(e.ctx->flows.init(4, &err)) << err;
  for (uint16_t i = 0; i < 5; ++i)
    ASSERT_EQ(e.run(syn_to(e.model.vip("A"), uint16_t(51000 + i)), kSec + i * kSec), Verdict::Tx);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 5u);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_EVICTED), 1u);
  EXPECT_EQ(e.ctx->flows.occupancy(), 4u);
  // The oldest (first) flow was evicted: it is new again; the second is a hit.
  e.run(syn_to(e.model.vip("A"), 51001), 30 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_HIT), 1u);
  e.run(syn_to(e.model.vip("A"), 51000), 30 * kSec);
  EXPECT_EQ(e.c(MAGLB_C_FLOW_NEW), 6u);
}

}  // namespace
}  // namespace maglb::fixtures
