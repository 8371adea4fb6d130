// Every shared packet fixture (tests/packets) through the XDP program with
// BPF_PROG_TEST_RUN, each against fresh connection tracking and counters:
// verdict, output bytes and counter deltas must match what the DPDK
// pipeline gives (or the fixture's documented XDP difference).
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <memory>

#include "fixture_env.h"
#include "fixtures.h"

namespace maglb::xdptest {
namespace {

std::unique_ptr<FixtureEnv> g_env;
std::string g_skip;

class XdpFixture : public ::testing::TestWithParam<size_t> {
 protected:
  static void SetUpTestSuite() {
    g_env = FixtureEnv::create(4096, &g_skip);
    if (!g_env && g_skip.empty()) g_skip = "fixture environment failed";
  }
  static void TearDownTestSuite() { g_env.reset(); }
};

core::Verdict verdict_of(uint32_t action) {
  switch (action) {
    case XDP_TX:
      return core::Verdict::Tx;
    case XDP_PASS:
      return core::Verdict::Pass;
    default:
      return core::Verdict::Drop;
  }
}

TEST_P(XdpFixture, MatchesExpectation) {
  if (!g_env) GTEST_SKIP() << g_skip;
  const fixtures::Fixture &f = fixtures::all_fixtures()[GetParam()];
  xdp::XdpDataplane &dp = g_env->dp();
  if (f.input.size() < 14) {
    // The kernel hands XDP no frame shorter than an Ethernet header (and
    // BPF_PROG_TEST_RUN refuses one): nothing to run. The DPDK pipeline's
    // drop_runt for this frame has no XDP counterpart.
    EXPECT_EQ(g_env->run(f.input).rc, -EINVAL);
    return;
  }
  const std::vector<uint8_t> snapshot = fixtures::fixture_snapshot_blob();
  ASSERT_EQ(dp.flush_flows(), "");
  ASSERT_EQ(g_env->program(f.warmup_blob.empty() ? snapshot : f.warmup_blob), "");
  for (const auto &w : f.warmup) {
    const TestRun r = g_env->run(w);
    ASSERT_EQ(r.rc, 0) << "warmup frame of " << f.name;
  }
  ASSERT_EQ(g_env->program(snapshot), "");
  ASSERT_EQ(dp.reset_counters(), "");

  const TestRun r = g_env->run(f.input);
  ASSERT_EQ(r.rc, 0) << "BPF_PROG_TEST_RUN failed";
  ASSERT_TRUE(r.action == XDP_TX || r.action == XDP_PASS || r.action == XDP_DROP)
      << "unexpected XDP action " << r.action;
  maglb_counters counters{};
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c) {
    const std::optional<uint64_t> v = dp.counter(maglb_counter_names[c]);
    ASSERT_TRUE(v.has_value()) << maglb_counter_names[c];
    counters.v[c] = *v;
  }
  const std::string report =
      fixtures::check_result(f, verdict_of(r.action), r.output, counters, /*xdp=*/true);
  EXPECT_TRUE(report.empty()) << report;
}

INSTANTIATE_TEST_SUITE_P(All, XdpFixture,
                         ::testing::Range<size_t>(0, fixtures::all_fixtures().size()),
                         [](const ::testing::TestParamInfo<size_t> &info) {
                           return fixtures::all_fixtures()[info.param].name;
                         });

}  // namespace
}  // namespace maglb::xdptest
