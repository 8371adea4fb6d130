// Every packet fixture through the DPDK-free core on plain buffers, one at
// a time, then all of them in shared bursts.
#include <gtest/gtest.h>

#include <map>

#include "core_runner.h"
#include "fixtures.h"

namespace maglb::fixtures {
namespace {

TEST(CoreFixtures, AtLeastFortyWithUniqueNames) {
  const auto &all = all_fixtures();
  EXPECT_GE(all.size(), 40u);
  std::map<std::string, int> names;
  for (const auto &f : all) EXPECT_EQ(++names[f.name], 1) << "duplicate fixture " << f.name;
}

class CoreFixture : public ::testing::TestWithParam<size_t> {};

TEST_P(CoreFixture, MatchesExpectation) {
  const Fixture &f = all_fixtures()[GetParam()];
  const CoreRun r = run_fixture_on_core(f);
  const std::string report = check_result(f, r.verdict, r.output, r.counters);
  EXPECT_TRUE(report.empty()) << report;
}

INSTANTIATE_TEST_SUITE_P(All, CoreFixture, ::testing::Range<size_t>(0, all_fixtures().size()),
                         [](const ::testing::TestParamInfo<size_t> &info) {
                           return all_fixtures()[info.param].name;
                         });

// The staged pipeline must give each packet the same result when it shares
// a burst with every other kind of packet (parse/prefetch/lookup stages run
// over the whole burst before any rewrite).
TEST(CoreFixtures, SameResultsInOneBurst) {
  std::string err;
  auto snap = core::Snapshot::from_blob(fixture_snapshot_blob(), &err);
  ASSERT_TRUE(snap) << err;
  auto neigh = fixture_neighbors();
  auto ctx = std::make_unique<core::WorkerContext>();
  ASSERT_TRUE(ctx->init(4096, &err)) << err;
  std::vector<const Fixture *> picked;
  for (const auto &f : all_fixtures())
    if (f.warmup.empty()) picked.push_back(&f);
  std::vector<FrameBuffer> bufs;
  bufs.reserve(picked.size());
  for (const Fixture *f : picked) bufs.emplace_back(f->input);
  std::vector<core::Packet> pkts;
  for (auto &b : bufs) pkts.push_back(b.packet);
  std::vector<core::Verdict> verdicts(pkts.size());
  // More than kMaxBurst packets: exercises the chunking too.
  ASSERT_GT(pkts.size(), size_t{core::kMaxBurst});
  core::process_burst(*ctx, *snap, *neigh, pkts.data(), verdicts.data(),
                      static_cast<uint16_t>(pkts.size()), kFixtureNowNs);
  uint64_t tx = 0, pass = 0, drop = 0;
  for (size_t i = 0; i < picked.size(); ++i) {
    const Fixture &f = *picked[i];
    EXPECT_EQ(verdicts[i], f.verdict) << f.name;
    if (verdicts[i] != f.verdict || f.verdict == core::Verdict::Drop) {
      drop += verdicts[i] == core::Verdict::Drop;
      continue;
    }
    const std::vector<uint8_t> out(pkts[i].data, pkts[i].data + pkts[i].len);
    EXPECT_EQ(out, f.expected) << f.name;
    (f.verdict == core::Verdict::Pass ? pass : tx)++;
  }
  const auto &c = ctx->counters.v;
  EXPECT_EQ(c[MAGLB_C_RX_PACKETS], picked.size());
  EXPECT_EQ(c[MAGLB_C_TX_FORWARDED] + c[MAGLB_C_TX_ICMP_GENERATED], tx);
  EXPECT_EQ(c[MAGLB_C_PASS_TO_KERNEL], pass);
  uint64_t drops = 0;
  for (int i = 0; i < MAGLB_C__COUNT; ++i)
    if (maglb_counter_kinds[i] == MAGLB_COUNTER_KIND_DROP) drops += c[i];
  EXPECT_EQ(drops, drop);
}

}  // namespace
}  // namespace maglb::fixtures
