#include "balancer.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "config_to_snapshot.h"
#include "health_targets.h"
#include "ip_address.h"
#include "restart_fields.h"
#include "snapshot_builder.h"
#include "validate_targets.h"

namespace maglb::daemon {

Balancer::Balancer(programmer::Programmer &programmer, Logger &log, DaemonCounters &counters,
                   SetTargetsFn set_targets)
    : programmer_(programmer),
      log_(log),
      counters_(counters),
      set_targets_(std::move(set_targets)) {}

const InstalledVip *Balancer::find(const maglb_vip_key &key) const {
  for (const InstalledVip &v : vips_) {
    if (std::memcmp(&v.key, &key, sizeof(key)) == 0) return &v;
  }
  return nullptr;
}

const health::BackendStatus *Balancer::health_of(const std::string &vip_id,
                                                 const config::Address &address) const {
  if (!report_) return nullptr;
  const health::IpAddress ip = ip_of(address);
  for (const health::VipStatus &vs : report_->vips) {
    if (vs.id != vip_id) continue;
    for (const health::BackendStatus &bs : vs.backends) {
      if (bs.address == ip) return &bs;
    }
  }
  return nullptr;
}

WeightPlan Balancer::plan_for(const config::Config &config, bool unreported_up) const {
  return plan_weights(config, health(), installed_weights_, unreported_up);
}

std::string Balancer::install(const config::Config &config, const WeightPlan &plan) {
  // A generation number is never used twice, even when programming fails:
  // the dataplane may have installed a blob whose answer was lost, and
  // would then refuse the same number again as stale.
  const uint64_t generation = next_generation_++;
  const snapshot::SnapshotInput input = snapshot::snapshot_input_of(
      config, generation, [&](size_t v, size_t b) { return plan.vips[v].weights[b]; });
  snapshot::BuildResult built = snapshot::build_snapshot(input, ids_);
  if (!built.error.empty()) {
    ++counters_.snapshot_builds_failed;
    return "building the tables: " + built.error;
  }
  if (std::string e = programmer_.program(built.blob); !e.empty()) {
    ++counters_.snapshot_installs_failed;
    return "programming the " + programmer_.name() + " dataplane: " + e;
  }
  ++counters_.snapshot_installs_ok;

  std::vector<std::pair<maglb_vip_key, snapshot::BackendInput>> live;
  for (const snapshot::VipInput &vi : input.vips) {
    for (const snapshot::BackendInput &b : vi.backends) live.emplace_back(vi.key, b);
  }
  ids_.retain_only(live);

  std::vector<InstalledVip> vips;
  vips.reserve(config.vips.size());
  for (size_t v = 0; v < config.vips.size(); ++v) {
    const config::VipConfig &vc = config.vips[v];
    snapshot::BuiltVip &bv = built.vips[v];
    InstalledVip iv;
    iv.key = bv.key;
    iv.id = snapshot::format_vip(bv.key);
    iv.vip_index = bv.vip_index;
    iv.table_size = vc.table_size;
    iv.method = static_cast<uint8_t>(vc.method);
    iv.hash_fields = static_cast<uint8_t>(vc.hash);
    iv.held = plan.vips[v].held;
    iv.pending = plan.vips[v].pending;
    std::map<uint32_t, uint64_t> slots;
    for (uint32_t id : bv.table) ++slots[id];
    for (size_t b = 0; b < vc.backends.size(); ++b) {
      const uint32_t id = bv.backend_ids[b];
      iv.backends.push_back({vc.backends[b].address, vc.backends[b].name, id, vc.backends[b].weight,
                             plan.vips[v].weights[b], slots[id]});
    }
    iv.table = std::move(bv.table);
    vips.push_back(std::move(iv));
  }
  vips_ = std::move(vips);
  installed_weights_ = installed_weights_of(config, plan);
  generation_ = generation;
  log_.info("snapshot installed", {{"generation", std::to_string(generation)},
                                   {"vips", std::to_string(config.vips.size())},
                                   {"backends", std::to_string(live.size())},
                                   {"bytes", std::to_string(built.blob.size())}});
  return "";
}

void Balancer::log_held_changes(const WeightPlan &plan) {
  // vips_ follows config_ (both change only together, in apply()), so the
  // views and metrics show all-down even when no new table was needed.
  for (size_t v = 0; v < plan.vips.size() && v < vips_.size(); ++v) {
    vips_[v].held = plan.vips[v].held;
    vips_[v].pending = plan.vips[v].pending;
  }
  std::vector<std::string> now;
  for (size_t v = 0; v < plan.vips.size(); ++v) {
    const std::string id = vip_id_of(config_.vips[v]);
    const bool was = std::find(all_down_.begin(), all_down_.end(), id) != all_down_.end();
    if (plan.vips[v].all_down()) {
      now.push_back(id);
      if (!was) {
        log_.alert("every backend of the VIP is down; keeping its last table (fail open)",
                   {{"vip", id}});
      }
    } else if (was) {
      log_.info("VIP has a backend in service again", {{"vip", id}});
    }
  }
  all_down_ = std::move(now);
}

std::chrono::milliseconds Balancer::first_verdicts_bound(const config::Config &config) {
  std::chrono::milliseconds bound{0};
  for (const config::VipConfig &v : config.vips) {
    const config::HealthcheckConfig &hc = v.healthcheck;
    if (hc.type == config::HealthcheckType::kNone) continue;
    const uint64_t ms = uint64_t{hc.interval_ms} * (std::max(hc.rise, hc.fall) + 1) + hc.timeout_ms;
    bound = std::max(bound, std::chrono::milliseconds(ms));
  }
  return bound;
}

std::string Balancer::start(const config::Config &config, uint64_t installed_generation,
                            std::chrono::steady_clock::time_point now) {
  next_generation_ = std::max<uint64_t>(next_generation_, installed_generation + 1);
  if (std::string e = health::validate_targets(health_targets_of(config)); !e.empty()) {
    return "health checks: " + e;
  }
  const std::chrono::milliseconds bound = first_verdicts_bound(config);
  if (installed_generation > 0 && bound.count() > 0) {
    // Presuming every backend up would send new flows to backends that were
    // down before the restart until the checks catch up; the dataplane's own
    // snapshot is the better guess meanwhile (it may be stale by the changes
    // made while maglbd was away, but no more than that, and only this long).
    config_ = config;
    if (std::string e = set_targets_(health_targets_of(config_)); !e.empty()) {
      return "health checks: " + e;
    }
    defer_until_ = now + bound;
    log_.info("dataplane already holds a snapshot; keeping it until the first health verdicts",
              {{"installed_generation", std::to_string(installed_generation)},
               {"at_most_ms", std::to_string(bound.count())}});
    return "";
  }
  const WeightPlan plan = plan_weights(config, nullptr, {});
  if (std::string e = install(config, plan); !e.empty()) return e;
  config_ = config;
  if (std::string e = set_targets_(health_targets_of(config_)); !e.empty()) {
    return "health checks: " + e;
  }
  return "";
}

std::vector<std::string> Balancer::apply(const config::Config &next, std::string_view why) {
  std::vector<std::string> errors = restart_required_changes(config_, next);
  const auto targets = health_targets_of(next);
  if (std::string e = health::validate_targets(targets); !e.empty()) {
    errors.push_back("health checks: " + e);
  }
  if (!errors.empty()) return errors;
  const WeightPlan plan = plan_for(next);
  if (std::string e = install(next, plan); !e.empty()) return {e};
  defer_until_.reset();  // an operator's change is installed at once, verdicts or not
  for (const std::string &field : dataplane_start_only_changes(config_, next)) {
    log_.warn("changed field is read by the dataplane only when it starts",
              {{"field", field}, {"why", std::string(why)}});
  }
  config_ = next;
  retry_ = false;
  log_held_changes(plan);
  if (std::string e = set_targets_(targets); !e.empty()) {
    // Validated above, so this is not expected; the tables are right anyway.
    log_.error("health checker refused the new targets", {{"error", e}});
  }
  log_.info("config applied",
            {{"why", std::string(why)}, {"generation", std::to_string(generation_)}});
  return {};
}

void Balancer::on_health(const health::HealthReport &report) {
  ++counters_.health_reports;
  std::vector<std::string> unchecked;  // VIPs without probes: their "changes" are not news
  for (const config::VipConfig &v : config_.vips) {
    if (v.healthcheck.type == config::HealthcheckType::kNone) unchecked.push_back(vip_id_of(v));
  }
  for (const health::VipStatus &vs : report.vips) {
    if (std::find(unchecked.begin(), unchecked.end(), vs.id) != unchecked.end()) continue;
    for (const health::BackendStatus &bs : vs.backends) {
      if (!bs.changed) continue;
      const bool down = bs.state != health::BackendState::kUp || bs.suppressed;
      log_.log(down ? LogLevel::kWarn : LogLevel::kInfo, "backend health changed",
               {{"vip", vs.id},
                {"backend", health::format_ip(bs.address)},
                {"name", bs.name},
                {"state", health::to_string(bs.state)},
                {"suppressed", bs.suppressed ? "yes" : "no"},
                {"effective_weight", std::to_string(bs.effective_weight)},
                {"reason", bs.last_reason}});
    }
  }
  report_ = report;
  if (defer_until_) {
    const bool verdicts_in = std::none_of(report.vips.begin(), report.vips.end(),
                                          [](const health::VipStatus &vs) { return vs.pending; });
    if (verdicts_in) end_deferral("every checked backend has a verdict");
    return;
  }
  const WeightPlan plan = plan_for(config_);
  log_held_changes(plan);
  if (installed_weights_of(config_, plan) == installed_weights_ && !retry_) return;
  if (std::string e = install(config_, plan); !e.empty()) {
    retry_ = true;
    log_.error("health change not installed; retrying every second", {{"error", e}});
    return;
  }
  retry_ = false;
}

void Balancer::end_deferral(const char *why) {
  defer_until_.reset();
  const WeightPlan plan = plan_for(config_);
  log_held_changes(plan);
  if (std::string e = install(config_, plan); !e.empty()) {
    retry_ = true;
    log_.error("first table not installed; retrying every second", {{"error", e}});
    return;
  }
  log_.info("first table installed after the restart", {{"why", why}});
}

void Balancer::tick(std::chrono::steady_clock::time_point now) {
  if (defer_until_ && now >= *defer_until_) end_deferral("waited the bound for first verdicts");
  const std::string e = programmer_.check();
  if (e.empty() != counters_.dataplane_up) {
    counters_.dataplane_up = e.empty();
    if (e.empty()) {
      log_.info("dataplane reachable", {{"dataplane", programmer_.name()}});
    } else {
      log_.error("dataplane unreachable", {{"dataplane", programmer_.name()}, {"error", e}});
    }
  }
  if (!retry_ || !e.empty()) return;
  const WeightPlan plan = plan_for(config_);
  if (install(config_, plan).empty()) {
    retry_ = false;
    log_.info("retried snapshot installed", {{"generation", std::to_string(generation_)}});
  }
}

}  // namespace maglb::daemon
