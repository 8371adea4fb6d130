#include "health_table.h"

#include <unordered_map>

#include "validate_targets.h"

namespace maglb::health {

std::string HealthTable::set_targets(const std::vector<VipTarget> &targets, TimePoint now) {
  if (std::string error = validate_targets(targets); !error.empty()) return error;

  std::unordered_map<std::string, size_t> old_index;
  for (size_t i = 0; i < vips_.size(); ++i) old_index.emplace(vips_[i].id, i);

  std::vector<VipEntry> next;
  next.reserve(targets.size());
  for (const VipTarget &target : targets) {
    const StateParams params = state_params(target.check);
    VipEntry vip;
    std::unordered_map<std::string, BackendEntry *> old_backends;
    const auto found = old_index.find(target.id);
    const bool existed = found != old_index.end();
    if (existed) {
      VipEntry &old = vips_[found->second];
      vip.spec_generation = old.spec_generation;
      vip.next_due = old.next_due;
      vip.reported_all_down = old.reported_all_down;
      vip.reported_pending = old.reported_pending;
      if (!same_probe(old.check, target.check)) {
        vip.spec_generation = ++spec_counter_;
        vip.next_due = now;
      }
      for (BackendEntry &b : old.backends) old_backends.emplace(address_key(b.target.address), &b);
    } else {
      vip.spec_generation = ++spec_counter_;
      vip.next_due = now;
    }
    vip.id = target.id;
    vip.check = target.check;
    vip.backends.reserve(target.backends.size());
    for (const BackendTarget &bt : target.backends) {
      const auto old = old_backends.find(address_key(bt.address));
      if (old != old_backends.end()) {
        vip.backends.push_back(std::move(*old->second));
        BackendEntry &b = vip.backends.back();
        b.target = bt;
        b.health.set_params(params);
        b.health.set_configured_weight(bt.weight);
      } else {
        vip.backends.push_back(BackendEntry{bt, BackendHealth(params, bt.weight, existed)});
      }
      if (target.check.type == CheckType::kNone) {
        vip.backends.back().health.set_unchecked(now);
        vip.backends.back().last_reason = "not checked (check type none)";
      }
    }
    next.push_back(std::move(vip));
  }
  vips_ = std::move(next);
  ++targets_generation_;
  evaluate_pending_ = true;
  return "";
}

TimePoint HealthTable::next_due() const {
  if (evaluate_pending_) return TimePoint::min();
  TimePoint due = TimePoint::max();
  for (const VipEntry &vip : vips_) {
    if (vip.check.type != CheckType::kNone && vip.next_due < due) due = vip.next_due;
  }
  return due;
}

std::vector<ProbeJob> HealthTable::take_due(TimePoint now) {
  evaluate_pending_ = false;
  std::vector<ProbeJob> jobs;
  for (size_t v = 0; v < vips_.size(); ++v) {
    VipEntry &vip = vips_[v];
    if (vip.check.type == CheckType::kNone || vip.next_due > now + kRoundCoalesce) continue;
    vip.next_due = now + std::chrono::milliseconds(vip.check.interval_ms);
    for (size_t b = 0; b < vip.backends.size(); ++b) {
      const IpAddress &addr = vip.backends[b].target.address;
      ProbeJob job;
      job.targets_generation = targets_generation_;
      job.vip_index = v;
      job.backend_index = b;
      job.vip_id = vip.id;
      job.spec_generation = vip.spec_generation;
      job.request.type = vip.check.type;
      job.request.target = addr;
      job.request.port = vip.check.port;
      job.request.source =
          addr.family == MAGLB_FAMILY_IPV4 ? options_.source_v4 : options_.source_v6;
      job.request.path = vip.check.path;
      job.request.host = vip.check.host;
      job.request.expect_status = vip.check.expect_status;
      job.request.timeout = std::chrono::milliseconds(vip.check.timeout_ms);
      job.request.tunnel = vip.check.tunnel;
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

HealthTable::BackendEntry *HealthTable::find_backend(const ProbeJob &job) {
  if (job.targets_generation == targets_generation_) {
    return &vips_[job.vip_index].backends[job.backend_index];
  }
  // The target set was replaced while the probes ran: match by identity.
  // Linear, but only in the round that straddles a set_targets.
  for (VipEntry &vip : vips_) {
    if (vip.id != job.vip_id) continue;
    if (vip.spec_generation != job.spec_generation) return nullptr;
    for (BackendEntry &b : vip.backends) {
      if (b.target.address == job.request.target) return &b;
    }
    return nullptr;
  }
  return nullptr;
}

BackendStatus HealthTable::status_of(const BackendEntry &b, bool changed) {
  BackendStatus s;
  s.name = b.target.name;
  s.address = b.target.address;
  s.configured_weight = b.target.weight;
  s.effective_weight = b.reported_weight;
  s.state = b.reported_state;
  s.suppressed = b.reported_suppressed;
  s.penalty = b.reported_penalty;
  s.consecutive_successes = b.health.consecutive_successes();
  s.consecutive_failures = b.health.consecutive_failures();
  s.last_reason = b.last_reason;
  s.last_check = b.last_check;
  s.last_change = b.health.last_change();
  s.changed = changed;
  return s;
}

HealthReport HealthTable::apply(const std::vector<ProbeJob> &jobs,
                                const std::vector<ProbeResult> &results, TimePoint now,
                                std::chrono::milliseconds probe_duration) {
  for (size_t i = 0; i < jobs.size() && i < results.size(); ++i) {
    const ProbeResult &r = results[i];
    if (r.outcome == ProbeOutcome::kAborted) continue;
    BackendEntry *b = find_backend(jobs[i]);
    if (b == nullptr) continue;
    if (r.outcome == ProbeOutcome::kSuccess || r.outcome == ProbeOutcome::kFailure) {
      b->health.record(r.outcome == ProbeOutcome::kSuccess, now);
    }
    b->last_reason = r.reason;
    b->last_check = now;
  }

  HealthReport report;
  report.round = ++round_;
  report.at = now;
  report.probe_duration = probe_duration;
  last_round_at_ = now;
  last_probe_duration_ = probe_duration;
  report.vips.reserve(vips_.size());
  for (VipEntry &vip : vips_) {
    VipStatus vs;
    vs.id = vip.id;
    bool weighted = false;
    bool serving = false;
    for (BackendEntry &b : vip.backends) {
      const uint32_t weight = b.health.update(now);
      const BackendState state = b.health.state();
      const bool suppressed = b.health.suppressed();
      const bool weight_changed = weight != b.reported_weight;
      const bool changed =
          weight_changed || state != b.reported_state || suppressed != b.reported_suppressed;
      b.reported_weight = weight;
      b.reported_state = state;
      b.reported_suppressed = suppressed;
      b.reported_penalty = b.health.penalty(now);
      report.changed |= changed;
      report.weights_changed |= weight_changed;
      weighted |= b.target.weight > 0;
      serving |= weight > 0;
      vs.pending |= state == BackendState::kUnknown;
      vs.backends.push_back(status_of(b, changed));
    }
    vs.all_down = weighted && !serving;
    vs.all_down_changed = vs.all_down != vip.reported_all_down;
    vip.reported_all_down = vs.all_down;
    vip.reported_pending = vs.pending;
    report.changed |= vs.all_down_changed;
    report.weights_changed |= vs.all_down_changed;
    report.vips.push_back(std::move(vs));
  }
  return report;
}

HealthReport HealthTable::snapshot() const {
  HealthReport report;
  report.round = round_;
  report.at = last_round_at_;
  report.probe_duration = last_probe_duration_;
  report.vips.reserve(vips_.size());
  for (const VipEntry &vip : vips_) {
    VipStatus vs;
    vs.id = vip.id;
    vs.all_down = vip.reported_all_down;
    vs.pending = vip.reported_pending;
    for (const BackendEntry &b : vip.backends) vs.backends.push_back(status_of(b, false));
    report.vips.push_back(std::move(vs));
  }
  return report;
}

}  // namespace maglb::health
