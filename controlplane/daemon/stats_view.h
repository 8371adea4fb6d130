// The dataplane's normalized statistics (programmer.h) with VIP indexes
// and backend ids turned back into names: what `maglbctl stats` and `top`
// show and what the metrics endpoint exports.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "balancer.h"

namespace maglb::daemon {

// {"dataplane", "generation" (daemon), "dataplane_generation",
//  "vips": [{"vip", "packets", "bytes", "new_flows",
//            "backends": [{"address", "name", "id", "packets", "bytes", "new_flows"}]}],
//  "cores": [{"core", "flows": {"occupancy"}, "counters": {...}}],
//  "flows": {"capacity", "occupancy"}, "totals": {...}, "drops": {reason: n}}
// Only the VIP `only` when given. "drops" holds every drop counter.
nlohmann::json enrich_stats(const nlohmann::json &normalized, const Balancer &balancer,
                            const std::optional<maglb_vip_key> &only = std::nullopt);

}  // namespace maglb::daemon
