#include "health_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "fake_clock.h"
#include "validate_targets.h"

namespace maglb::health {
namespace {

using test::at_ms;

IpAddress ip(const char *text) {
  auto parsed = parse_ip(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

CheckSpec tcp_check(uint32_t rise = 1, uint32_t fall = 1) {
  CheckSpec c;
  c.type = CheckType::kTcp;
  c.port = 8080;
  c.interval_ms = 1000;
  c.timeout_ms = 500;
  c.rise = rise;
  c.fall = fall;
  return c;
}

VipTarget vip(std::string id, CheckSpec check, std::vector<std::string> addrs, uint32_t w = 10) {
  VipTarget v;
  v.id = std::move(id);
  v.check = std::move(check);
  for (const std::string &a : addrs) v.backends.push_back({"b-" + a, ip(a.c_str()), w});
  return v;
}

// Answers every job of a round from a map "address -> success?".
std::vector<ProbeResult> answer(const std::vector<ProbeJob> &jobs,
                                const std::map<std::string, bool> &up) {
  std::vector<ProbeResult> results;
  for (const ProbeJob &job : jobs) {
    const bool ok = up.at(format_ip(job.request.target));
    results.push_back({ok ? ProbeOutcome::kSuccess : ProbeOutcome::kFailure,
                       ok ? "connected" : "connect refused",
                       {}});
  }
  return results;
}

HealthReport round(HealthTable &t, TimePoint now, const std::map<std::string, bool> &up) {
  auto jobs = t.take_due(now);
  return t.apply(jobs, answer(jobs, up), now);
}

const BackendStatus &backend(const HealthReport &r, const std::string &vip_id, const char *addr) {
  for (const VipStatus &v : r.vips) {
    if (v.id != vip_id) continue;
    for (const BackendStatus &b : v.backends) {
      if (b.address == ip(addr)) return b;
    }
  }
  static BackendStatus missing;
  ADD_FAILURE() << "no backend " << addr << " in " << vip_id;
  return missing;
}

TEST(HealthTable, OneJobPerBackendOfEveryDueVipAndNoneForUncheckedVips) {
  HealthTable t;
  CheckSpec none;
  none.type = CheckType::kNone;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(), {"198.18.0.1", "2001:db8::1"}),
                           vip("n", none, {"198.18.0.9"})},
                          at_ms(0)),
            "");
  EXPECT_EQ(t.next_due(), TimePoint::min()) << "a new target set is evaluated at once";
  const auto jobs = t.take_due(at_ms(0));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].request.port, 8080);
  EXPECT_EQ(jobs[1].request.target, ip("2001:db8::1"));
  EXPECT_EQ(jobs[0].request.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(t.next_due(), at_ms(1000));
  EXPECT_TRUE(t.take_due(at_ms(500)).empty());
}

TEST(HealthTable, EachVipKeepsItsOwnInterval) {
  HealthTable t;
  CheckSpec slow = tcp_check();
  slow.interval_ms = 3000;
  ASSERT_EQ(
      t.set_targets({vip("fast", tcp_check(), {"198.18.0.1"}), vip("slow", slow, {"198.18.0.2"})},
                    at_ms(0)),
      "");
  auto ids = [&](TimePoint now) {
    std::string s;
    for (const ProbeJob &j : t.take_due(now)) s += j.vip_id + " ";
    return s;
  };
  EXPECT_EQ(ids(at_ms(0)), "fast slow ");
  EXPECT_EQ(ids(at_ms(1000)), "fast ");
  EXPECT_EQ(ids(at_ms(2000)), "fast ");
  EXPECT_EQ(ids(at_ms(2990)), "fast slow ") << "due within 20 ms: one round, one callback";
}

TEST(HealthTable, ARoundReportsAllChangesTogetherThenNothing) {
  HealthTable t;
  ASSERT_EQ(
      t.set_targets({vip("a", tcp_check(), {"198.18.0.1", "198.18.0.2", "198.18.0.3"})}, at_ms(0)),
      "");
  const std::map<std::string, bool> up{
      {"198.18.0.1", true}, {"198.18.0.2", false}, {"198.18.0.3", true}};
  const HealthReport r1 = round(t, at_ms(0), up);
  EXPECT_EQ(r1.round, 1u);
  EXPECT_TRUE(r1.changed);
  EXPECT_TRUE(r1.weights_changed);
  EXPECT_TRUE(backend(r1, "a", "198.18.0.1").changed);
  EXPECT_EQ(backend(r1, "a", "198.18.0.1").effective_weight, 10u);
  EXPECT_EQ(backend(r1, "a", "198.18.0.2").state, BackendState::kDown);
  EXPECT_EQ(backend(r1, "a", "198.18.0.2").last_reason, "connect refused");
  EXPECT_TRUE(backend(r1, "a", "198.18.0.2").changed);
  EXPECT_EQ(backend(r1, "a", "198.18.0.3").effective_weight, 10u);
  EXPECT_FALSE(r1.vips[0].all_down);

  const HealthReport r2 = round(t, at_ms(1000), up);
  EXPECT_EQ(r2.round, 2u);
  EXPECT_FALSE(r2.changed);
  for (const BackendStatus &b : r2.vips[0].backends) EXPECT_FALSE(b.changed);

  auto flipped = up;
  flipped["198.18.0.2"] = true;
  const HealthReport r3 = round(t, at_ms(2000), flipped);
  EXPECT_TRUE(r3.changed);
  int changed = 0;
  for (const BackendStatus &b : r3.vips[0].backends) changed += b.changed;
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(backend(r3, "a", "198.18.0.2").effective_weight, 10u);
}

TEST(HealthTable, AllDownIsReportedOnceAndPendingWhileUnknown) {
  HealthTable t;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(1, 2), {"198.18.0.1", "198.18.0.2"})}, at_ms(0)), "");
  const std::map<std::string, bool> down{{"198.18.0.1", false}, {"198.18.0.2", false}};
  const HealthReport r1 = round(t, at_ms(0), down);
  EXPECT_TRUE(r1.vips[0].all_down) << "nothing in service yet";
  EXPECT_TRUE(r1.vips[0].pending) << "fall=2 not reached: still unknown, no alert";
  EXPECT_TRUE(r1.vips[0].all_down_changed);
  const HealthReport r2 = round(t, at_ms(1000), down);
  EXPECT_TRUE(r2.vips[0].all_down);
  EXPECT_FALSE(r2.vips[0].pending);
  EXPECT_FALSE(r2.vips[0].all_down_changed);
  EXPECT_TRUE(r2.changed) << "unknown -> down is a state change";
  EXPECT_FALSE(r2.weights_changed);
  const HealthReport r3 = round(t, at_ms(2000), {{"198.18.0.1", true}, {"198.18.0.2", false}});
  EXPECT_FALSE(r3.vips[0].all_down);
  EXPECT_TRUE(r3.vips[0].all_down_changed);
}

TEST(HealthTable, DrainedBackendsDoNotMakeAVipAllDown) {
  HealthTable t;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(), {"198.18.0.1"}, /*w=*/0)}, at_ms(0)), "");
  const HealthReport r = round(t, at_ms(0), {{"198.18.0.1", true}});
  EXPECT_EQ(backend(r, "a", "198.18.0.1").state, BackendState::kUp);
  EXPECT_EQ(backend(r, "a", "198.18.0.1").effective_weight, 0u);
  EXPECT_FALSE(r.vips[0].all_down) << "an operator drain is not an outage";
}

TEST(HealthTable, UncheckedVipIsUpAtConfiguredWeights) {
  HealthTable t;
  CheckSpec none;
  none.type = CheckType::kNone;
  VipTarget v = vip("n", none, {"198.18.0.1", "198.18.0.2"});
  v.backends[1].weight = 0;
  ASSERT_EQ(t.set_targets({v}, at_ms(0)), "");
  const HealthReport r = round(t, at_ms(0), {});
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(backend(r, "n", "198.18.0.1").effective_weight, 10u);
  EXPECT_EQ(backend(r, "n", "198.18.0.2").effective_weight, 0u);
  EXPECT_EQ(t.next_due(), TimePoint::max());
}

TEST(HealthTable, SetTargetsKeepsTheStateOfBackendsThatRemain) {
  HealthTable t;
  CheckSpec c = tcp_check(2, 2);
  c.slow_start_s = 10;
  ASSERT_EQ(t.set_targets({vip("a", c, {"198.18.0.1", "198.18.0.2"})}, at_ms(0)), "");
  const std::map<std::string, bool> up{
      {"198.18.0.1", true}, {"198.18.0.2", true}, {"198.18.0.3", true}};
  round(t, at_ms(0), up);
  const HealthReport r1 = round(t, at_ms(1000), up);
  ASSERT_EQ(backend(r1, "a", "198.18.0.1").state, BackendState::kUp);

  // Reordered, one removed, one added, the remaining one re-weighted.
  VipTarget next = vip("a", c, {"198.18.0.3", "198.18.0.1"});
  next.backends[1].weight = 20;
  ASSERT_EQ(t.set_targets({next}, at_ms(1500)), "");
  const HealthReport snap = t.snapshot();
  ASSERT_EQ(snap.vips[0].backends.size(), 2u);
  EXPECT_EQ(backend(snap, "a", "198.18.0.1").state, BackendState::kUp);
  EXPECT_EQ(backend(snap, "a", "198.18.0.3").state, BackendState::kUnknown);

  round(t, at_ms(2000), up);
  const HealthReport r2 = round(t, at_ms(3000), up);
  EXPECT_EQ(backend(r2, "a", "198.18.0.1").effective_weight, 20u) << "kept Up, new weight at once";
  EXPECT_EQ(backend(r2, "a", "198.18.0.3").state, BackendState::kUp);
  EXPECT_EQ(backend(r2, "a", "198.18.0.3").effective_weight, 1u)
      << "added to a serving VIP: slow start from its first up";
  const HealthReport r3 = round(t, at_ms(8000), up);
  EXPECT_EQ(backend(r3, "a", "198.18.0.3").effective_weight, 5u);  // 10 * 5 s / 10 s
}

TEST(HealthTable, ResultsStraddlingSetTargetsFindTheirBackendOrAreDropped) {
  HealthTable t;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(), {"198.18.0.1", "198.18.0.2"}),
                           vip("b", tcp_check(), {"198.18.0.5"})},
                          at_ms(0)),
            "");
  const auto jobs = t.take_due(at_ms(0));
  // While the probes run: VIP a's backends swap places, VIP b's port changes.
  CheckSpec moved = tcp_check();
  moved.port = 9090;
  ASSERT_EQ(t.set_targets({vip("b", moved, {"198.18.0.5"}),
                           vip("a", tcp_check(), {"198.18.0.2", "198.18.0.1"})},
                          at_ms(100)),
            "");
  const HealthReport r = t.apply(
      jobs, answer(jobs, {{"198.18.0.1", true}, {"198.18.0.2", false}, {"198.18.0.5", true}}),
      at_ms(500));
  EXPECT_EQ(backend(r, "a", "198.18.0.1").state, BackendState::kUp);
  EXPECT_EQ(backend(r, "a", "198.18.0.2").state, BackendState::kDown);
  EXPECT_EQ(backend(r, "b", "198.18.0.5").state, BackendState::kUnknown)
      << "a result for the old port says nothing about the new one";
}

TEST(HealthTable, LocalErrorsAndAbortsDoNotCountAgainstTheBackend) {
  HealthTable t;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(1, 1), {"198.18.0.1"})}, at_ms(0)), "");
  auto jobs = t.take_due(at_ms(0));
  HealthReport r =
      t.apply(jobs, {{ProbeOutcome::kLocalError, "socket: Too many open files", {}}}, at_ms(10));
  EXPECT_EQ(backend(r, "a", "198.18.0.1").state, BackendState::kUnknown);
  EXPECT_EQ(backend(r, "a", "198.18.0.1").last_reason, "socket: Too many open files");
  jobs = t.take_due(at_ms(1000));
  r = t.apply(jobs, {{ProbeOutcome::kAborted, "aborted", {}}}, at_ms(1010));
  EXPECT_EQ(backend(r, "a", "198.18.0.1").consecutive_failures, 0u);
}

TEST(HealthTable, InvalidTargetsAreRejectedWholeAndTheOldSetKept) {
  HealthTable t;
  ASSERT_EQ(t.set_targets({vip("a", tcp_check(), {"198.18.0.1"})}, at_ms(0)), "");
  CheckSpec bad = tcp_check();
  bad.port = 0;
  EXPECT_EQ(t.set_targets({vip("a", tcp_check(), {"198.18.0.2"}), vip("b", bad, {"198.18.0.3"})},
                          at_ms(1)),
            "vip b: check.port must be 1..65535");
  const HealthReport snap = t.snapshot();
  ASSERT_EQ(snap.vips.size(), 1u);
  EXPECT_EQ(snap.vips[0].backends[0].address, ip("198.18.0.1"));
}

TEST(ValidateTargets, NamesTheFirstProblem) {
  auto with = [](auto edit) {
    VipTarget v = vip("v", tcp_check(), {"198.18.0.1"});
    edit(v);
    return validate_targets({v});
  };
  EXPECT_EQ(with([](VipTarget &) {}), "");
  EXPECT_EQ(with([](VipTarget &v) { v.check.timeout_ms = 2000; }),
            "vip v: check.timeout_ms (2000) must not exceed check.interval_ms (1000)");
  EXPECT_EQ(with([](VipTarget &v) { v.check.rise = 0; }), "vip v: check.rise must be at least 1");
  EXPECT_EQ(with([](VipTarget &v) {
              v.check.type = CheckType::kHttp;
              v.check.path = "/x\r\nEvil: 1";
            }),
            "vip v: check.path must start with '/' and hold only visible ASCII");
  EXPECT_EQ(with([](VipTarget &v) {
              v.check.type = CheckType::kHttp;
              v.check.expect_status = 42;
            }),
            "vip v: check.expect_status must be 100..599");
  EXPECT_EQ(with([](VipTarget &v) { v.check.damping.reuse_threshold = 5000; }),
            "vip v: damping thresholds must satisfy 0 < reuse < suppress < max_penalty");
  EXPECT_EQ(with([](VipTarget &v) { v.backends.push_back(v.backends[0]); }),
            "vip v backend 198.18.0.1 (b-198.18.0.1): duplicate address");
  EXPECT_EQ(validate_targets({vip("v", tcp_check(), {}), vip("v", tcp_check(), {})}),
            "vip v: duplicate id");
}

}  // namespace
}  // namespace maglb::health
