#include "health_checker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "server_fixture.h"

namespace maglb::health {
namespace {

using namespace std::chrono_literals;

// Collects every callback; tests wait on it instead of sleeping.
class Recorder {
 public:
  void operator()(const HealthReport &r) {
    std::lock_guard lock(mu_);
    reports_.push_back(r);
    cv_.notify_all();
  }
  bool wait_for(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return reports_.size() >= count; });
  }
  std::vector<HealthReport> reports() {
    std::lock_guard lock(mu_);
    return reports_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<HealthReport> reports_;
};

// Polls a condition on the checker's state (no callback fires for rounds
// without changes, so there is nothing else to wait on).
bool eventually(const std::function<bool()> &condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

BackendTarget backend(const std::string &addr, uint32_t weight = 10) {
  return BackendTarget{"b-" + addr, *parse_ip(addr), weight};
}

CheckSpec http_check(uint32_t interval_ms, uint32_t timeout_ms) {
  CheckSpec c;
  c.type = CheckType::kHttp;
  c.port = test::kHttpPort;
  c.path = "/healthz";
  c.interval_ms = interval_ms;
  c.timeout_ms = timeout_ms;
  c.rise = 1;
  c.fall = 1;
  return c;
}

const BackendStatus *find(const HealthReport &r, const std::string &addr) {
  for (const VipStatus &v : r.vips) {
    for (const BackendStatus &b : v.backends) {
      if (format_ip(b.address) == addr) return &b;
    }
  }
  return nullptr;
}

class HealthCheckerTest : public test::ServerFixture {};

TEST_F(HealthCheckerTest, OneCallbackPerRoundWithEveryChangeInIt) {
  Recorder rec;
  HealthChecker checker({}, std::ref(rec));
  ASSERT_EQ(checker.set_targets({VipTarget{
                "web",
                http_check(150, 100),
                {backend(test::kV4Ok), backend(test::kV4Unavailable), backend(test::kV4Hang),
                 backend(test::kV4Refused), backend(test::kV6Ok)}}}),
            "");
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(rec.wait_for(1, 2000ms));
  const HealthReport first = rec.reports()[0];
  EXPECT_EQ(first.round, 1u);
  ASSERT_EQ(first.vips.size(), 1u);
  EXPECT_FALSE(first.vips[0].all_down);
  EXPECT_FALSE(first.vips[0].pending);
  for (const BackendStatus &b : first.vips[0].backends) EXPECT_TRUE(b.changed) << b.name;
  EXPECT_EQ(find(first, test::kV4Ok)->effective_weight, 10u);
  EXPECT_EQ(find(first, test::kV6Ok)->effective_weight, 10u);
  EXPECT_EQ(find(first, test::kV4Unavailable)->last_reason, "HTTP 503 (expected 200)");
  EXPECT_EQ(find(first, test::kV4Hang)->last_reason,
            "timeout after 100 ms (waiting for status line)");
  EXPECT_EQ(find(first, test::kV4Refused)->last_reason, "connect refused");
  for (const char *down : {test::kV4Unavailable, test::kV4Hang, test::kV4Refused}) {
    EXPECT_EQ(find(first, down)->state, BackendState::kDown) << down;
    EXPECT_EQ(find(first, down)->effective_weight, 0u) << down;
  }

  // Steady state: rounds go on, callbacks do not.
  ASSERT_TRUE(eventually([&] { return checker.snapshot().round >= 4; }, 3000ms));
  EXPECT_EQ(rec.reports().size(), 1u);

  // One backend recovers: exactly one more callback, naming only it.
  unavailable->set_status(200);
  ASSERT_TRUE(rec.wait_for(2, 2000ms));
  const HealthReport second = rec.reports()[1];
  EXPECT_GE(second.round, 5u);
  int changed = 0;
  for (const BackendStatus &b : second.vips[0].backends) changed += b.changed;
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(find(second, test::kV4Unavailable)->state, BackendState::kUp);
  checker.stop();
  unavailable->set_status(503);

  std::set<uint64_t> rounds;
  for (const HealthReport &r : rec.reports()) {
    EXPECT_TRUE(rounds.insert(r.round).second) << "two callbacks for round " << r.round;
  }
}

TEST_F(HealthCheckerTest, ARoundWithManyHangingBackendsTakesAboutOneTimeout) {
  Recorder rec;
  HealthChecker checker({}, std::ref(rec));
  // 1 s timeout: overlapped probes take about 1 s, sequential ones 8 s.
  VipTarget vip{"hang", http_check(4000, 1000), {}};
  for (int i = 0; i < test::kExtraHangCount; ++i) {
    vip.backends.push_back(backend(test::extra_hang_address(i)));
  }
  vip.backends.push_back(backend(test::kV4Hang));
  vip.backends.push_back(backend(test::kV6Hang));
  ASSERT_EQ(checker.set_targets({vip}), "");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(rec.wait_for(1, 6000ms));
  const auto took = std::chrono::steady_clock::now() - start;
  const HealthReport r = rec.reports()[0];
  EXPECT_TRUE(r.vips[0].all_down);
  EXPECT_FALSE(r.vips[0].pending);
  EXPECT_GE(r.probe_duration, 1000ms);
  EXPECT_LT(r.probe_duration, 2500ms) << "8 hanging backends, 1000 ms timeout";
  EXPECT_LT(took, 2500ms);
}

TEST_F(HealthCheckerTest, AllDownIsReported) {
  Recorder rec;
  HealthChecker checker({}, std::ref(rec));
  ASSERT_EQ(
      checker.set_targets({VipTarget{"dead",
                                     http_check(200, 100),
                                     {backend(test::kV4Refused), backend(test::kV4Unavailable)}}}),
      "");
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(rec.wait_for(1, 2000ms));
  const VipStatus v = rec.reports()[0].vips[0];  // a copy: reports() returns a temporary
  EXPECT_TRUE(v.all_down);
  EXPECT_TRUE(v.all_down_changed);
  EXPECT_FALSE(v.pending);
}

TEST_F(HealthCheckerTest, SetTargetsWhileRunningKeepsStateAndRejectsBadSets) {
  Recorder rec;
  HealthChecker checker({}, std::ref(rec));
  CheckSpec check = http_check(200, 100);
  check.slow_start_s = 60;
  ASSERT_EQ(checker.set_targets({VipTarget{"web", check, {backend(test::kV4Ok)}}}), "");
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(rec.wait_for(1, 2000ms));
  ASSERT_EQ(find(rec.reports()[0], test::kV4Ok)->state, BackendState::kUp);

  CheckSpec bad = check;
  bad.timeout_ms = 1000;
  EXPECT_NE(checker.set_targets({VipTarget{"web", bad, {backend(test::kV4Ok)}}}), "");

  ASSERT_EQ(checker.set_targets(
                {VipTarget{"web", check, {backend(test::kV6Ok), backend(test::kV4Ok, 20)}}}),
            "");
  const HealthReport snap = checker.snapshot();
  ASSERT_NE(find(snap, test::kV4Ok), nullptr);
  EXPECT_EQ(find(snap, test::kV4Ok)->state, BackendState::kUp) << "kept across set_targets";
  EXPECT_EQ(find(snap, test::kV6Ok)->state, BackendState::kUnknown);

  // The added backend comes up slow-started; the kept one takes its new weight.
  ASSERT_TRUE(eventually(
      [&] {
        const HealthReport s = checker.snapshot();
        return find(s, test::kV6Ok)->state == BackendState::kUp;
      },
      2000ms));
  const HealthReport after = checker.snapshot();
  EXPECT_EQ(find(after, test::kV4Ok)->effective_weight, 20u);
  EXPECT_GE(find(after, test::kV6Ok)->effective_weight, 1u);
  EXPECT_LT(find(after, test::kV6Ok)->effective_weight, 10u) << "ramping over 60 s";
}

TEST_F(HealthCheckerTest, StopInterruptsALongRound) {
  HealthChecker checker({}, nullptr);
  // A hanging server no earlier test left a connection in flight to, so its
  // count moves only when this round's probe arrives.
  const int before = hang_spare->connections();
  ASSERT_EQ(checker.set_targets({VipTarget{
                "slow", http_check(20000, 10000), {backend(test::extra_hang_address(0))}}}),
            "");
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(eventually([&] { return hang_spare->connections() > before; }, 2000ms))
      << "the round is under way";
  const auto start = std::chrono::steady_clock::now();
  checker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms) << "not the 10 s timeout";
  EXPECT_EQ(checker.snapshot().round, 0u) << "an interrupted round is not applied";
  EXPECT_EQ(checker.start(), "") << "restartable";
}

TEST_F(HealthCheckerTest, SourceAddressOptionIsUsed) {
  Recorder rec;
  HealthChecker::Options options;
  options.source_v4 = parse_ip(test::kV4Source);
  HealthChecker checker(options, std::ref(rec));
  ASSERT_EQ(checker.set_targets({VipTarget{"web", http_check(500, 100), {backend(test::kV4Ok)}}}),
            "");
  ASSERT_EQ(checker.start(), "");
  ASSERT_TRUE(rec.wait_for(1, 2000ms));
  EXPECT_EQ(find(rec.reports()[0], test::kV4Ok)->state, BackendState::kUp);
  EXPECT_EQ(ok4->last_peer(), test::kV4Source);
}

}  // namespace
}  // namespace maglb::health
