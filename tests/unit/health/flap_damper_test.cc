#include "flap_damper.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fake_clock.h"

namespace maglb::health {
namespace {

using test::at_s;

TEST(FlapDamper, PenaltyHalvesEveryHalfLife) {
  FlapDamper d(DampingParams{});
  d.on_transition(at_s(0));
  EXPECT_DOUBLE_EQ(d.penalty(at_s(0)), 1000.0);
  EXPECT_NEAR(d.penalty(at_s(60)), 500.0, 1e-6);
  EXPECT_NEAR(d.penalty(at_s(120)), 250.0, 1e-6);
  EXPECT_NEAR(d.penalty(at_s(30)), 1000.0 / std::sqrt(2.0), 1e-6);
}

TEST(FlapDamper, SuppressesAboveThresholdAndCapsAtMax) {
  FlapDamper d(DampingParams{});
  d.on_transition(at_s(0));
  d.on_transition(at_s(0));
  EXPECT_FALSE(d.suppressed()) << "2000 is not above the 2000 threshold";
  d.on_transition(at_s(0));
  EXPECT_TRUE(d.suppressed());
  for (int i = 0; i < 10; ++i) d.on_transition(at_s(0));
  EXPECT_DOUBLE_EQ(d.penalty(at_s(0)), 4000.0);
}

TEST(FlapDamper, HysteresisReleasesOnlyBelowReuse) {
  FlapDamper d(DampingParams{});
  for (int i = 0; i < 3; ++i) d.on_transition(at_s(0));  // 3000, suppressed
  // 3000 * 2^(-t/60) = 1500 at t = 60: below suppress, above reuse: still held.
  d.update(at_s(60));
  EXPECT_TRUE(d.suppressed());
  // Below 750 after exactly two half-lives (3000 -> 750).
  d.update(at_s(119));
  EXPECT_TRUE(d.suppressed());
  d.update(at_s(121));
  EXPECT_FALSE(d.suppressed());
}

TEST(FlapDamper, DisabledNeverSuppresses) {
  DampingParams p;
  p.enabled = false;
  FlapDamper d(p);
  for (int i = 0; i < 10; ++i) d.on_transition(at_s(i));
  EXPECT_FALSE(d.suppressed());
  EXPECT_DOUBLE_EQ(d.penalty(at_s(10)), 0.0);
}

}  // namespace
}  // namespace maglb::health
