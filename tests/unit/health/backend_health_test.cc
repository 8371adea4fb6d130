#include "backend_health.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fake_clock.h"

namespace maglb::health {
namespace {

using test::at_ms;
using test::at_s;

StateParams params(uint32_t rise, uint32_t fall, int slow_start_s = 0, bool damping = true) {
  StateParams p;
  p.rise = rise;
  p.fall = fall;
  p.slow_start = std::chrono::seconds(slow_start_s);
  p.damping.enabled = damping;
  return p;
}

TEST(BackendHealth, RiseNeedsExactlyRiseConsecutiveSuccesses) {
  BackendHealth h(params(3, 2), 10, false);
  EXPECT_EQ(h.state(), BackendState::kUnknown);
  EXPECT_FALSE(h.record(true, at_s(1)));
  EXPECT_FALSE(h.record(true, at_s(2)));
  EXPECT_EQ(h.update(at_s(2)), 0u);
  EXPECT_TRUE(h.record(true, at_s(3)));
  EXPECT_EQ(h.state(), BackendState::kUp);
  EXPECT_EQ(h.last_change(), at_s(3));
  EXPECT_EQ(h.update(at_s(3)), 10u);
  EXPECT_FALSE(h.record(true, at_s(4))) << "already up: no transition";
}

TEST(BackendHealth, FallNeedsExactlyFallConsecutiveFailures) {
  BackendHealth h(params(1, 3), 10, false);
  h.record(true, at_s(0));
  ASSERT_EQ(h.state(), BackendState::kUp);
  EXPECT_FALSE(h.record(false, at_s(1)));
  EXPECT_FALSE(h.record(false, at_s(2)));
  EXPECT_EQ(h.consecutive_failures(), 2u);
  EXPECT_EQ(h.update(at_s(2)), 10u) << "still up after fall - 1 failures";
  EXPECT_TRUE(h.record(false, at_s(3)));
  EXPECT_EQ(h.state(), BackendState::kDown);
  EXPECT_EQ(h.update(at_s(3)), 0u);
}

TEST(BackendHealth, AnOppositeResultResetsTheCount) {
  BackendHealth h(params(3, 3), 10, false);
  h.record(true, at_s(0));
  h.record(true, at_s(1));
  h.record(false, at_s(2));  // breaks the streak
  EXPECT_EQ(h.consecutive_successes(), 0u);
  h.record(true, at_s(3));
  h.record(true, at_s(4));
  EXPECT_EQ(h.state(), BackendState::kUnknown);
  h.record(true, at_s(5));
  EXPECT_EQ(h.state(), BackendState::kUp);
}

TEST(BackendHealth, UnknownGoesDownAfterFallFailures) {
  BackendHealth h(params(2, 2), 10, false);
  h.record(false, at_s(0));
  EXPECT_EQ(h.state(), BackendState::kUnknown);
  h.record(false, at_s(1));
  EXPECT_EQ(h.state(), BackendState::kDown);
  EXPECT_DOUBLE_EQ(h.penalty(at_s(1)), 0.0) << "the first verdict is not a flap";
}

TEST(BackendHealth, FirstUpAtStartIsNotRamped) {
  BackendHealth h(params(1, 1, 10), 100, false);
  h.record(true, at_s(0));
  EXPECT_EQ(h.update(at_s(0)), 100u);
}

// Recovery at t = 100 s with slow_start 10 s and weight 100: the weight is
// 100 * elapsed / 10 s, at least 1.
TEST(BackendHealth, SlowStartRampsLinearlyAfterRecovery) {
  BackendHealth h(params(1, 1, 10, /*damping=*/false), 100, false);
  h.record(true, at_s(0));
  h.record(false, at_s(50));
  EXPECT_EQ(h.update(at_s(50)), 0u);
  h.record(true, at_s(100));
  EXPECT_EQ(h.update(at_s(100)), 1u) << "0 rounds up to 1 so the backend is in the table";
  EXPECT_EQ(h.update(at_ms(100050)), 1u);
  EXPECT_EQ(h.update(at_ms(102500)), 25u);
  EXPECT_EQ(h.update(at_s(105)), 50u);
  EXPECT_EQ(h.update(at_ms(109999)), 99u);
  EXPECT_EQ(h.update(at_s(110)), 100u);
  EXPECT_EQ(h.update(at_s(200)), 100u);
}

TEST(BackendHealth, SlowStartOfASmallWeightNeverDropsBelowOne) {
  BackendHealth h(params(1, 1, 10, false), 3, false);
  h.record(true, at_s(0));
  h.record(false, at_s(1));
  h.record(true, at_s(2));
  EXPECT_EQ(h.update(at_s(3)), 1u);  // 0.3
  EXPECT_EQ(h.update(at_s(7)), 1u);  // 1.5
  EXPECT_EQ(h.update(at_s(8)), 1u);  // 1.8
  EXPECT_EQ(h.update(at_s(9)), 2u);  // 2.1
  EXPECT_EQ(h.update(at_s(12)), 3u);
}

TEST(BackendHealth, RampFirstUpForABackendAddedLater) {
  BackendHealth h(params(1, 1, 4), 8, /*ramp_first_up=*/true);
  h.record(true, at_s(0));
  EXPECT_EQ(h.update(at_s(0)), 1u);
  EXPECT_EQ(h.update(at_s(2)), 4u);
  EXPECT_EQ(h.update(at_s(4)), 8u);
}

TEST(BackendHealth, DownDuringRampRestartsTheRampOnTheNextRecovery) {
  BackendHealth h(params(1, 1, 10, false), 100, false);
  h.record(true, at_s(0));
  h.record(false, at_s(1));
  h.record(true, at_s(2));
  EXPECT_EQ(h.update(at_s(7)), 50u);
  h.record(false, at_s(8));
  EXPECT_EQ(h.update(at_s(8)), 0u);
  h.record(true, at_s(20));
  EXPECT_EQ(h.update(at_s(21)), 10u);
}

TEST(BackendHealth, DrainKeepsWeightZeroWhileUp) {
  BackendHealth h(params(1, 1), 0, false);
  h.record(true, at_s(0));
  EXPECT_EQ(h.state(), BackendState::kUp);
  EXPECT_EQ(h.update(at_s(0)), 0u);
  h.set_configured_weight(7);
  EXPECT_EQ(h.update(at_s(1)), 7u) << "undrain: back at once, no ramp (it never left)";
  h.set_configured_weight(0);
  EXPECT_EQ(h.update(at_s(2)), 0u);
}

TEST(BackendHealth, DrainWinsDuringARamp) {
  BackendHealth h(params(1, 1, 10, false), 100, false);
  h.record(true, at_s(0));
  h.record(false, at_s(1));
  h.record(true, at_s(2));
  EXPECT_EQ(h.update(at_s(7)), 50u);
  h.set_configured_weight(0);
  EXPECT_EQ(h.update(at_s(8)), 0u);
}

TEST(BackendHealth, OneFlapIsNotSuppressed) {
  BackendHealth h(params(1, 1), 10, false);
  h.record(true, at_s(0));
  h.record(false, at_s(0));  // 1000
  h.record(true, at_s(0));   // 2000: not above the threshold
  EXPECT_FALSE(h.suppressed());
  EXPECT_EQ(h.update(at_s(0)), 10u);
}

// Transitions at one instant make the penalty exact: Down 1000, Up 2000,
// Down 3000 (> 2000: suppressed), Up 4000 (the cap). It falls below the
// reuse threshold 750 when 4000 * 2^(-t / 60 s) < 750, t > 60 * log2(16 / 3)
// = 144.9 s.
TEST(BackendHealth, DampingHoldsAFlappingBackendOutUntilThePenaltyDecays) {
  BackendHealth h(params(1, 1), 10, false);
  h.record(true, at_s(0));
  h.record(false, at_s(0));
  h.record(true, at_s(0));
  h.record(false, at_s(0));
  EXPECT_TRUE(h.suppressed());
  h.record(true, at_s(0));
  EXPECT_DOUBLE_EQ(h.penalty(at_s(0)), 4000.0);
  EXPECT_EQ(h.state(), BackendState::kUp);
  EXPECT_EQ(h.update(at_s(0)), 0u) << "up but suppressed: out of the table";
  const double release_s = 60.0 * std::log2(4000.0 / 750.0);
  ASSERT_NEAR(release_s, 144.9, 0.1);
  for (double t = 1; t < release_s - 0.5; t += 10) {
    h.record(true, at_s(t));
    EXPECT_EQ(h.update(at_s(t)), 0u) << "t=" << t;
  }
  EXPECT_EQ(h.update(at_s(release_s - 0.5)), 0u);
  EXPECT_TRUE(h.suppressed());
  EXPECT_EQ(h.update(at_s(release_s + 0.5)), 10u);
  EXPECT_FALSE(h.suppressed());
}

TEST(BackendHealth, DampingSuppressesARealisticFlapAndReleasesWithSlowStart) {
  // A backend that fails every few seconds: rise 1 / fall 1 so each round flips it.
  BackendHealth h(params(1, 1, 10), 100, false);
  h.record(true, at_s(0));
  bool suppressed_seen = false;
  double t = 0;
  for (int i = 0; i < 6; ++i) {
    t += 5;
    h.record(i % 2 == 1, at_s(t));
    h.update(at_s(t));
    suppressed_seen |= h.suppressed();
  }
  ASSERT_TRUE(suppressed_seen);
  ASSERT_EQ(h.state(), BackendState::kUp);
  // Stable from now on: released once the penalty decays below 750.
  const double p = h.penalty(at_s(t));
  const double release = t + 60.0 * std::log2(p / 750.0);
  EXPECT_EQ(h.update(at_s(release - 1)), 0u);
  // The ramp starts at the computed release time, not at the update that
  // noticed it (+-1 for the millisecond rounding of `release`).
  EXPECT_NEAR(h.update(at_s(release + 1)), 10, 1) << "release is a recovery: slow start";
  EXPECT_FALSE(h.suppressed());
  EXPECT_NEAR(h.update(at_s(release + 5)), 50, 1);
  EXPECT_EQ(h.update(at_s(release + 10.01)), 100u);
}

TEST(BackendHealth, UncheckedIsUpAtFullWeightAtOnce) {
  BackendHealth h(params(3, 3, 10), 5, true);
  h.set_unchecked(at_s(0));
  EXPECT_EQ(h.state(), BackendState::kUp);
  EXPECT_EQ(h.update(at_s(0)), 5u);
}

}  // namespace
}  // namespace maglb::health
