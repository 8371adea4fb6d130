// Which weight each backend's table is built with: health state, drains and
// the fail-open rule combined, as a pure function so that every case can be
// tested without threads or probes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config.h"
#include "health_types.h"

namespace maglb::daemon {

// The weights of the tables in the dataplane now: VIP id -> backend address
// key (health::address_key) -> effective weight.
using InstalledWeights = std::map<std::string, std::map<std::string, uint32_t>>;

struct VipPlan {
  std::vector<uint32_t> weights;  // parallel to VipConfig::backends
  // Every backend with a configured weight > 0 is out of service: the VIP
  // keeps the weights of its installed table (fail open) instead of an
  // empty table. `pending` (some backend not decided yet, e.g. start-up)
  // makes that expected rather than alarming.
  bool held = false;
  bool pending = false;
  bool all_down() const { return held && !pending; }
};

struct WeightPlan {
  std::vector<VipPlan> vips;  // parallel to Config::vips
};

// Per VIP, in this order:
//  - configured weight 0 (drained) gives 0, always and at once;
//  - health check "none": the configured weight;
//  - the VIP is not in `report` (no report yet, start-up, or a VIP added
//    since the last round): the configured weights (fail open: the checker
//    has not said anything is down);
//  - the report says all_down: held, each backend keeps its installed
//    weight (0 for a backend not in the installed table); a VIP with no
//    installed table yet gets its configured weights;
//  - otherwise the checker's effective weight (0 for a backend it has not
//    reported yet: it joins when it is up). A backend that is fully up
//    (Up, not suppressed, not ramping) gets its configured weight at once,
//    so `backend weight` does not wait for the next check round.
// unreported_up: count a backend the checker has not reported yet at its
// configured weight instead of 0 (what `diff` wants: where traffic settles
// once a new backend passes its check).
WeightPlan plan_weights(const config::Config &config, const health::HealthReport *report,
                        const InstalledWeights &installed, bool unreported_up = false);

// The InstalledWeights of `config` built with `plan`.
InstalledWeights installed_weights_of(const config::Config &config, const WeightPlan &plan);

}  // namespace maglb::daemon
