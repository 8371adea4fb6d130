// The checker's state without its thread: the target set, one BackendHealth
// per (VIP, backend), the schedule of each VIP, and the turning of a round's
// probe results into one HealthReport. Pure (time is passed in, no I/O), so
// tests drive whole rounds with a fake clock; HealthChecker adds the thread
// and the probes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend_health.h"
#include "health_types.h"
#include "probe_engine.h"

namespace maglb::health {

// One probe of one round, and where its result goes.
struct ProbeJob {
  uint64_t targets_generation = 0;  // set_targets count when the job was made
  size_t vip_index = 0;             // valid while targets_generation is current
  size_t backend_index = 0;
  std::string vip_id;            // for results that outlive a set_targets
  uint64_t spec_generation = 0;  // results of an older check spec are dropped
  ProbeRequest request;
};

class HealthTable {
 public:
  // VIPs due within this much of each other share a round (and so a
  // callback and a table rebuild) instead of running back to back.
  static constexpr std::chrono::milliseconds kRoundCoalesce{20};

  struct Options {
    std::optional<IpAddress> source_v4;  // bind probes of IPv4 backends to it
    std::optional<IpAddress> source_v6;
  };

  explicit HealthTable(Options options = {}) : options_(std::move(options)) {}

  // Replaces the target set whole (after validate_targets; on error returns
  // it and changes nothing). A backend that stays (same VIP id, same
  // address) keeps its state, counters, penalty and ramp; new weights and
  // parameters apply at once. A VIP whose probe changed (same_probe) is
  // checked again at once and drops results of the old probe. A backend
  // added to an existing VIP slow-starts when it first comes up.
  std::string set_targets(const std::vector<VipTarget> &targets, TimePoint now);

  // When the next round is due: TimePoint::min() after set_targets (the new
  // set is evaluated at once), TimePoint::max() if nothing is ever due.
  TimePoint next_due() const;

  // Starts a round: the probes of every VIP due by now (+ kRoundCoalesce),
  // whose next round is then scheduled interval_ms after `now`.
  std::vector<ProbeJob> take_due(TimePoint now);

  // Ends a round: records the results (kLocalError and kAborted are not
  // counted as failures), then re-evaluates every backend at `now` (damping
  // release, slow-start ramp) and reports all of it, with what changed
  // since the previous round.
  HealthReport apply(const std::vector<ProbeJob> &jobs, const std::vector<ProbeResult> &results,
                     TimePoint now,
                     std::chrono::milliseconds probe_duration = std::chrono::milliseconds(0));

  // The state as of the last apply() (changed flags false).
  HealthReport snapshot() const;

 private:
  struct BackendEntry {
    BackendTarget target;
    BackendHealth health;
    std::string last_reason = "not checked yet";
    TimePoint last_check{};
    // As of the last report: what "changed" is measured against.
    uint32_t reported_weight = 0;
    BackendState reported_state = BackendState::kUnknown;
    bool reported_suppressed = false;
    double reported_penalty = 0.0;
  };
  struct VipEntry {
    std::string id;
    CheckSpec check;
    uint64_t spec_generation = 0;
    TimePoint next_due{};
    bool reported_all_down = false;
    bool reported_pending = false;
    std::vector<BackendEntry> backends;
  };

  BackendEntry *find_backend(const ProbeJob &job);
  static BackendStatus status_of(const BackendEntry &b, bool changed);

  Options options_;
  std::vector<VipEntry> vips_;
  uint64_t targets_generation_ = 0;
  uint64_t spec_counter_ = 0;
  uint64_t round_ = 0;
  TimePoint last_round_at_{};
  std::chrono::milliseconds last_probe_duration_{0};
  bool evaluate_pending_ = false;
};

}  // namespace maglb::health
