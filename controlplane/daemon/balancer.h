// The daemon's core: the running config, the stable backend ids, the
// tables installed in the dataplane and the latest health report. Every
// change (start-up, reload, runtime edit, health round) goes through here
// and becomes at most ONE new snapshot (generation + 1), programmed whole;
// a change the dataplane refuses changes nothing. Single-threaded: the
// daemon's event loop owns it (health reports are handed over to that
// thread first).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "daemon_counters.h"
#include "health_types.h"
#include "id_allocator.h"
#include "logger.h"
#include "programmer.h"
#include "weight_plan.h"

namespace maglb::daemon {

struct InstalledBackend {
  config::Address address;
  std::string name;
  uint32_t id = 0;
  uint32_t configured_weight = 0;
  uint32_t effective_weight = 0;  // the weight its table was built with
  uint64_t slots = 0;             // slots of the table that are this backend's
};

struct InstalledVip {
  maglb_vip_key key{};
  std::string id;  // "198.18.0.100:80/tcp"
  uint32_t vip_index = 0;
  uint32_t table_size = 0;
  uint8_t method = 0;       // enum maglb_fwd_method
  uint8_t hash_fields = 0;  // enum maglb_hash_fields
  bool held = false;        // all backends out: the last table is kept (fail open)
  bool pending = false;
  std::vector<InstalledBackend> backends;  // in config order
  std::vector<uint32_t> table;             // backend id per slot (MAGLB_SLOT_EMPTY if none)
};

class Balancer {
 public:
  // Hands the checker its new targets; "" or why they were refused.
  using SetTargetsFn = std::function<std::string(const std::vector<health::VipTarget> &)>;

  Balancer(programmer::Programmer &programmer, Logger &log, DaemonCounters &counters,
           SetTargetsFn set_targets);

  // Installs the start-up config. installed_generation: what the dataplane
  // already holds (Programmer::open), so snapshots are numbered above it.
  // When it holds one (maglbd restarted, the dataplane kept forwarding) and
  // some VIP is health-checked, the first table is deferred: the dataplane
  // keeps its snapshot until every checked backend has a verdict (the first
  // report with no VIP pending) or until first_verdicts_bound() has passed
  // (tick()), so a backend that is down is never presumed up again.
  std::string start(const config::Config &config, uint64_t installed_generation,
                    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  // Replaces the running config whole (reload or runtime edit), or changes
  // nothing and returns every reason. `why` is logged.
  std::vector<std::string> apply(const config::Config &next, std::string_view why);

  // A health round's report: rebuilds when an effective weight changed.
  void on_health(const health::HealthReport &report);

  // Once a second: checks the dataplane, retries a failed rebuild and ends a
  // start-up deferral whose bound has passed.
  void tick(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  // Start-up deferral in progress (see start()).
  bool deferred() const { return defer_until_.has_value(); }
  // How long start() waits for first verdicts: per checked VIP, the probes
  // a verdict needs (max(rise, fall) rounds of interval, plus one timeout),
  // plus one interval of slack; the longest over VIPs.
  static std::chrono::milliseconds first_verdicts_bound(const config::Config &config);

  const config::Config &config() const { return config_; }
  uint64_t generation() const { return generation_; }
  const std::vector<InstalledVip> &vips() const { return vips_; }
  const InstalledVip *find(const maglb_vip_key &key) const;
  const health::HealthReport *health() const { return report_ ? &*report_ : nullptr; }
  // Health status of one backend, nullptr if not reported (yet).
  const health::BackendStatus *health_of(const std::string &vip_id,
                                         const config::Address &address) const;
  programmer::Programmer &programmer() { return programmer_; }
  std::string programmer_name() const { return programmer_.name(); }

  // The weights the tables of `config` would be built with now (health
  // state and fail-open rule applied). unreported_up: see plan_weights.
  WeightPlan plan_for(const config::Config &config, bool unreported_up = false) const;

 private:
  // Builds and programs one snapshot; on success commits vips_, ids and
  // generation. Returns "" or the error (nothing committed).
  std::string install(const config::Config &config, const WeightPlan &plan);
  // Records each VIP's held/pending state and logs all-down transitions.
  void log_held_changes(const WeightPlan &plan);
  // Ends the start-up deferral with a first install; `why` is logged.
  void end_deferral(const char *why);

  programmer::Programmer &programmer_;
  Logger &log_;
  DaemonCounters &counters_;
  SetTargetsFn set_targets_;

  config::Config config_;
  snapshot::IdAllocator ids_;
  uint64_t generation_ = 0;       // installed
  uint64_t next_generation_ = 1;  // every attempt consumes one (see install())
  std::vector<InstalledVip> vips_;
  InstalledWeights installed_weights_;
  std::optional<health::HealthReport> report_;
  std::vector<std::string> all_down_;  // VIP ids currently all down (for transitions)
  bool retry_ = false;                 // the last health rebuild failed
  std::optional<std::chrono::steady_clock::time_point> defer_until_;  // see start()
};

}  // namespace maglb::daemon
