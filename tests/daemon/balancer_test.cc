// The balancer against a recording programmer: one snapshot per change,
// all-or-nothing applies, fail open when every backend is down, retries.
#include "balancer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "health_targets.h"
#include "ip_address.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

using health::BackendState;
using testing::FakeProgrammer;

const char *kVips = R"([{"address": "198.18.0.100", "port": 80, "protocol": "tcp",
    "method": "ipip", "table_size": 17,
    "healthcheck": {"type": "tcp", "interval_ms": 1000, "timeout_ms": 500},
    "backends": [{"address": "198.18.1.1"}, {"address": "198.18.1.2"}, {"address": "198.18.1.3"}]}])";

class BalancerTest : public ::testing::Test {
 protected:
  BalancerTest()
      : log_(log_text_, LogLevel::kDebug),
        balancer_(programmer_, log_, counters_, [this](const auto &t) {
          targets_ = t;
          return std::string();
        }) {}

  // The table of the one test VIP in the last installed blob, as the last
  // octet of each slot's backend (0 = empty).
  std::vector<uint8_t> last_table() {
    EXPECT_FALSE(programmer_.blobs.empty());
    const testing::BlobView b = testing::parse_blob(programmer_.blobs.back());
    for (size_t i = 0; i < b.vips.size(); ++i) {
      if (!(b.vips[i].meta.flags & MAGLB_VIP_F_FRAG_ONLY)) return b.table_by_last_octet(i);
    }
    ADD_FAILURE() << "no VIP in the blob";
    return {};
  }

  health::HealthReport report(std::vector<std::pair<const char *, BackendState>> states,
                              bool all_down = false) {
    health::HealthReport r;
    health::VipStatus v;
    v.id = "198.18.0.100:80/tcp";
    v.all_down = all_down;
    for (const auto &[addr, state] : states) {
      health::BackendStatus s;
      s.address = *health::parse_ip(addr);
      s.state = state;
      s.configured_weight = 100;
      s.effective_weight = state == BackendState::kUp ? 100 : 0;
      v.backends.push_back(s);
    }
    r.vips.push_back(v);
    return r;
  }

  std::ostringstream log_text_;
  Logger log_;
  DaemonCounters counters_;
  FakeProgrammer programmer_;
  std::vector<health::VipTarget> targets_;
  Balancer balancer_;
};

TEST_F(BalancerTest, StartNumbersAboveWhatTheDataplaneHolds) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 41), "");
  EXPECT_TRUE(balancer_.deferred());  // a restart: see the next test
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kUp},
                              {"198.18.1.3", BackendState::kUp}}));
  ASSERT_EQ(programmer_.blobs.size(), 1u);
  EXPECT_EQ(testing::parse_blob(programmer_.blobs[0]).generation, 42u);
  EXPECT_EQ(balancer_.generation(), 42u);
  ASSERT_EQ(targets_.size(), 1u);
  EXPECT_EQ(targets_[0].id, "198.18.0.100:80/tcp");
  EXPECT_EQ(targets_[0].check.port, 80);  // the VIP's port by default
  const auto table = last_table();
  for (uint8_t octet : {1, 2, 3}) EXPECT_NE(std::count(table.begin(), table.end(), octet), 0);
  ASSERT_EQ(balancer_.vips().size(), 1u);
  EXPECT_EQ(balancer_.vips()[0].table.size(), 17u);
}

TEST_F(BalancerTest, RestartKeepsTheDataplanesTableUntilFirstVerdicts) {
  const auto t0 = std::chrono::steady_clock::now();
  // The dataplane holds generation 7: a restarted daemon installs nothing
  // that presumes every backend up.
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 7, t0), "");
  EXPECT_TRUE(balancer_.deferred());
  EXPECT_EQ(programmer_.program_calls, 0);
  ASSERT_EQ(targets_.size(), 1u);  // but the checks run
  // A round with a backend still without a verdict changes nothing yet.
  health::HealthReport pending = report({{"198.18.1.1", BackendState::kUp},
                                         {"198.18.1.2", BackendState::kUnknown},
                                         {"198.18.1.3", BackendState::kUp}});
  pending.vips[0].pending = true;
  balancer_.on_health(pending);
  balancer_.tick(t0 + std::chrono::milliseconds(100));
  EXPECT_EQ(programmer_.program_calls, 0);
  // Every verdict in: the first table already leaves the down backend out.
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kUp}}));
  EXPECT_FALSE(balancer_.deferred());
  ASSERT_EQ(programmer_.program_calls, 1);
  EXPECT_EQ(balancer_.generation(), 8u);
  const auto table = last_table();
  EXPECT_EQ(std::count(table.begin(), table.end(), 2), 0);
  EXPECT_EQ(std::count(table.begin(), table.end(), 0), 0);
}

TEST_F(BalancerTest, RestartDeferralIsBounded) {
  const auto t0 = std::chrono::steady_clock::now();
  const config::Config config = testing::make_config(kVips);
  // interval 1000 ms x (max(rise 2, fall 3) + 1) + timeout 500 ms.
  EXPECT_EQ(Balancer::first_verdicts_bound(config), std::chrono::milliseconds(4500));
  ASSERT_EQ(balancer_.start(config, 7, t0), "");
  balancer_.tick(t0 + std::chrono::milliseconds(4499));
  EXPECT_EQ(programmer_.program_calls, 0);
  balancer_.tick(t0 + std::chrono::milliseconds(4500));
  EXPECT_FALSE(balancer_.deferred());
  EXPECT_EQ(programmer_.program_calls, 1);
}

TEST_F(BalancerTest, UncheckedConfigsAndFirstStartsInstallAtOnce) {
  ASSERT_EQ(balancer_.start(testing::make_config(R"([{"address": "198.18.0.100", "port": 80,
      "protocol": "tcp", "method": "ipip", "table_size": 17,
      "backends": [{"address": "198.18.1.1"}]}])"),
                            7),
            "");
  EXPECT_FALSE(balancer_.deferred());
  EXPECT_EQ(programmer_.program_calls, 1);
}

TEST_F(BalancerTest, RefusedProgramChangesNothingAndBurnsTheGeneration) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  config::Config next = balancer_.config();
  next.vips[0].backends.pop_back();
  programmer_.fail_with = "dataplane says no";
  const auto errors = balancer_.apply(next, "test");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("dataplane says no"), std::string::npos);
  EXPECT_EQ(balancer_.config().vips[0].backends.size(), 3u);
  EXPECT_EQ(balancer_.generation(), 1u);
  EXPECT_EQ(counters_.snapshot_installs_failed, 1u);
  programmer_.fail_with.clear();
  ASSERT_TRUE(balancer_.apply(next, "test").empty());
  // Generation 2 may have reached the dataplane before it failed: never reused.
  EXPECT_EQ(testing::parse_blob(programmer_.blobs.back()).generation, 3u);
  EXPECT_EQ(balancer_.config().vips[0].backends.size(), 2u);
}

TEST_F(BalancerTest, RestartOnlyChangesAreRejectedEachNamed) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  config::Config next = balancer_.config();
  next.dataplane.interfaces = {"other0"};
  next.control.socket = "/run/other.sock";
  const auto errors = balancer_.apply(next, "test");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind("dataplane.interfaces: changed from [mgt0] to [other0]", 0), 0u);
  EXPECT_EQ(errors[1].rfind("control.socket:", 0), 0u);
  EXPECT_EQ(programmer_.program_calls, 1);
}

TEST_F(BalancerTest, HealthRoundsBecomeOneSnapshotEachAndOnlyWhenWeightsChange) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kUp},
                              {"198.18.1.3", BackendState::kUp}}));
  EXPECT_EQ(programmer_.program_calls, 1);  // same weights as the start-up table
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kUp}}));
  ASSERT_EQ(programmer_.program_calls, 2);
  const auto table = last_table();
  EXPECT_EQ(std::count(table.begin(), table.end(), 2), 0);
  EXPECT_EQ(std::count(table.begin(), table.end(), 0), 0);
  EXPECT_EQ(counters_.health_reports, 2u);
}

TEST_F(BalancerTest, AllDownKeepsTheLastTableAndAlerts) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kUp}}));
  const auto before = last_table();
  const int calls = programmer_.program_calls;
  balancer_.on_health(report({{"198.18.1.1", BackendState::kDown},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kDown}},
                             /*all_down=*/true));
  EXPECT_EQ(programmer_.program_calls, calls);  // nothing to install: the table stays
  EXPECT_EQ(last_table(), before);
  ASSERT_EQ(balancer_.vips().size(), 1u);
  EXPECT_TRUE(balancer_.vips()[0].held);
  EXPECT_FALSE(balancer_.vips()[0].pending);
  EXPECT_NE(log_text_.str().find("level=alert msg=\"every backend of the VIP is down"),
            std::string::npos)
      << log_text_.str();
  EXPECT_NE(log_text_.str().find("vip=198.18.0.100:80/tcp"), std::string::npos);

  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kDown}}));
  const auto after = last_table();
  EXPECT_EQ(std::count(after.begin(), after.end(), 1), 17);
  EXPECT_FALSE(balancer_.vips()[0].held);
  EXPECT_NE(log_text_.str().find("VIP has a backend in service again"), std::string::npos);
}

TEST_F(BalancerTest, FailedHealthInstallIsRetriedByTick) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  programmer_.fail_with = "busy";
  balancer_.on_health(report({{"198.18.1.1", BackendState::kUp},
                              {"198.18.1.2", BackendState::kDown},
                              {"198.18.1.3", BackendState::kUp}}));
  EXPECT_EQ(programmer_.blobs.size(), 1u);
  balancer_.tick();  // still failing
  EXPECT_EQ(programmer_.blobs.size(), 1u);
  programmer_.fail_with.clear();
  balancer_.tick();
  ASSERT_EQ(programmer_.blobs.size(), 2u);
  const auto table = last_table();
  EXPECT_EQ(std::count(table.begin(), table.end(), 2), 0);
  const int calls = programmer_.program_calls;
  balancer_.tick();  // nothing left to retry
  EXPECT_EQ(programmer_.program_calls, calls);
}

TEST_F(BalancerTest, TickTracksDataplaneReachability) {
  ASSERT_EQ(balancer_.start(testing::make_config(kVips), 0), "");
  balancer_.tick();
  EXPECT_TRUE(counters_.dataplane_up);
  programmer_.check_error = "socket gone";
  balancer_.tick();
  EXPECT_FALSE(counters_.dataplane_up);
  EXPECT_NE(log_text_.str().find("level=error msg=\"dataplane unreachable\""), std::string::npos);
}

}  // namespace
}  // namespace maglb::daemon
