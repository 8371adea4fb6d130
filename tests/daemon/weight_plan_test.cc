// The weight rules of weight_plan.h, case by case, with hand-made health
// reports (no checker thread, no probes).
#include "weight_plan.h"

#include <gtest/gtest.h>

#include "health_targets.h"
#include "ip_address.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

using health::BackendState;

const char *kVips = R"([
  {"address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip", "table_size": 17,
   "healthcheck": {"type": "tcp", "interval_ms": 1000, "timeout_ms": 500},
   "backends": [{"address": "198.18.1.1", "weight": 100}, {"address": "198.18.1.2", "weight": 50},
                {"address": "198.18.1.3", "weight": 0}]},
  {"address": "198.18.0.101", "port": 53, "protocol": "udp", "method": "gue", "table_size": 17,
   "backends": [{"address": "198.18.1.1", "weight": 7}, {"address": "198.18.1.4", "weight": 0}]}
])";

health::BackendStatus status(const char *addr, BackendState state, uint32_t configured,
                             uint32_t effective) {
  health::BackendStatus s;
  s.address = *health::parse_ip(addr);
  s.state = state;
  s.configured_weight = configured;
  s.effective_weight = effective;
  return s;
}

health::HealthReport report_for(const config::Config &c, std::vector<health::BackendStatus> b,
                                bool all_down = false, bool pending = false) {
  health::HealthReport r;
  health::VipStatus v;
  v.id = vip_id_of(c.vips[0]);
  v.all_down = all_down;
  v.pending = pending;
  v.backends = std::move(b);
  r.vips.push_back(v);
  return r;
}

TEST(WeightPlan, NoReportMeansConfiguredWeightsFailOpen) {
  const config::Config c = testing::make_config(kVips);
  const WeightPlan p = plan_weights(c, nullptr, {});
  ASSERT_EQ(p.vips.size(), 2u);
  EXPECT_EQ(p.vips[0].weights, (std::vector<uint32_t>{100, 50, 0}));
  EXPECT_EQ(p.vips[1].weights, (std::vector<uint32_t>{7, 0}));
  EXPECT_FALSE(p.vips[0].held);
}

TEST(WeightPlan, UncheckedVipIgnoresTheReport) {
  const config::Config c = testing::make_config(kVips);
  health::HealthReport r;
  health::VipStatus v;
  v.id = vip_id_of(c.vips[1]);
  v.backends = {status("198.18.1.1", BackendState::kDown, 7, 0)};
  r.vips.push_back(v);
  EXPECT_EQ(plan_weights(c, &r, {}).vips[1].weights, (std::vector<uint32_t>{7, 0}));
}

TEST(WeightPlan, DownBackendGetsZeroAndUnreportedBackendWaits) {
  const config::Config c = testing::make_config(kVips);
  // 198.18.1.2 is not in the report (added since the last round).
  const auto r = report_for(c, {status("198.18.1.1", BackendState::kDown, 100, 0),
                                status("198.18.1.3", BackendState::kUp, 0, 0)});
  EXPECT_EQ(plan_weights(c, &r, {}).vips[0].weights, (std::vector<uint32_t>{0, 0, 0}));
  // What diff asks: a backend not reported yet counts as up.
  EXPECT_EQ(plan_weights(c, &r, {}, true).vips[0].weights, (std::vector<uint32_t>{0, 50, 0}));
}

TEST(WeightPlan, FullyUpBackendFollowsANewConfiguredWeightAtOnce) {
  config::Config c = testing::make_config(kVips);
  // The checker still knows the old weight 100; the config now says 30.
  c.vips[0].backends[0].weight = 30;
  const auto r = report_for(c, {status("198.18.1.1", BackendState::kUp, 100, 100),
                                status("198.18.1.2", BackendState::kUp, 50, 50)});
  EXPECT_EQ(plan_weights(c, &r, {}).vips[0].weights, (std::vector<uint32_t>{30, 50, 0}));
}

TEST(WeightPlan, RampingBackendKeepsTheCheckersWeightCappedByConfig) {
  config::Config c = testing::make_config(kVips);
  const auto r = report_for(c, {status("198.18.1.1", BackendState::kUp, 100, 40),
                                status("198.18.1.2", BackendState::kUp, 50, 50)});
  EXPECT_EQ(plan_weights(c, &r, {}).vips[0].weights[0], 40u);
  c.vips[0].backends[0].weight = 10;
  EXPECT_EQ(plan_weights(c, &r, {}).vips[0].weights[0], 10u);
}

TEST(WeightPlan, DrainIsImmediateWhateverTheChecker) {
  config::Config c = testing::make_config(kVips);
  c.vips[0].backends[0].weight = 0;
  const auto r = report_for(c, {status("198.18.1.1", BackendState::kUp, 100, 100),
                                status("198.18.1.2", BackendState::kUp, 50, 50)});
  EXPECT_EQ(plan_weights(c, &r, {}).vips[0].weights[0], 0u);
}

TEST(WeightPlan, AllDownKeepsTheInstalledWeights) {
  config::Config c = testing::make_config(kVips);
  InstalledWeights installed;
  installed[vip_id_of(c.vips[0])][health::address_key(*health::parse_ip("198.18.1.1"))] = 100;
  installed[vip_id_of(c.vips[0])][health::address_key(*health::parse_ip("198.18.1.2"))] = 0;
  const auto r = report_for(c,
                            {status("198.18.1.1", BackendState::kDown, 100, 0),
                             status("198.18.1.2", BackendState::kDown, 50, 0)},
                            /*all_down=*/true);
  const WeightPlan p = plan_weights(c, &r, installed);
  EXPECT_TRUE(p.vips[0].held);
  EXPECT_TRUE(p.vips[0].all_down());
  EXPECT_EQ(p.vips[0].weights, (std::vector<uint32_t>{100, 0, 0}));
  // A drain while held still takes effect.
  c.vips[0].backends[0].weight = 0;
  EXPECT_EQ(plan_weights(c, &r, installed).vips[0].weights[0], 0u);
}

TEST(WeightPlan, AllDownWithoutAnInstalledTableUsesTheConfigAndPendingIsNoAlert) {
  const config::Config c = testing::make_config(kVips);
  const auto r = report_for(c,
                            {status("198.18.1.1", BackendState::kUnknown, 100, 0),
                             status("198.18.1.2", BackendState::kUnknown, 50, 0)},
                            /*all_down=*/true, /*pending=*/true);
  const WeightPlan p = plan_weights(c, &r, {});
  EXPECT_TRUE(p.vips[0].held);
  EXPECT_FALSE(p.vips[0].all_down());  // start-up: expected, not an alert
  EXPECT_EQ(p.vips[0].weights, (std::vector<uint32_t>{100, 50, 0}));
}

TEST(WeightPlan, InstalledWeightsRoundTrip) {
  const config::Config c = testing::make_config(kVips);
  const WeightPlan p = plan_weights(c, nullptr, {});
  const InstalledWeights w = installed_weights_of(c, p);
  const auto &v0 = w.at(vip_id_of(c.vips[0]));
  EXPECT_EQ(v0.at(health::address_key(*health::parse_ip("198.18.1.2"))), 50u);
  EXPECT_EQ(w.at(vip_id_of(c.vips[1])).size(), 2u);
}

}  // namespace
}  // namespace maglb::daemon
