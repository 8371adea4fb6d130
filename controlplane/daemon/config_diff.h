// `maglbctl diff FILE`: what applying another config would change, per VIP,
// and how much of each VIP's traffic would move: both Maglev tables are
// built (with the weights the daemon would use, health included) and the
// share of new flows whose backend differs is counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"
#include "weight_plan.h"

namespace maglb::daemon {

struct WeightChange {
  std::string address;
  uint32_t from = 0;  // configured weights
  uint32_t to = 0;
};

struct VipDiff {
  enum class Kind { kAdded, kRemoved, kChanged, kUnchanged };
  std::string vip;  // "198.18.0.100:80/tcp"
  Kind kind = Kind::kUnchanged;
  std::vector<std::string> backends_added;
  std::vector<std::string> backends_removed;
  std::vector<WeightChange> weight_changes;
  std::vector<std::string> settings_changed;  // "method: ipip -> gue", ...
  // Share of new flows that would go to another backend than today. Exact
  // (slot by slot) when the table size is unchanged; estimated over 2^20
  // hash values when it changes (then every slot index moves).
  double moved_share = 0.0;
  bool moved_estimated = false;
  std::string error;  // a table that could not be built (the diff is then partial)
};

struct ConfigDiff {
  std::vector<VipDiff> vips;               // running config's order, then added VIPs
  std::vector<std::string> other_changes;  // "dataplane.mtu: 1500 -> 1400", ...
  bool changed() const;
};

// `running_plan` / `next_plan`: the weights each config's tables would be
// built with (Balancer::plan_for).
ConfigDiff diff_configs(const config::Config &running, const WeightPlan &running_plan,
                        const config::Config &next, const WeightPlan &next_plan);

nlohmann::json to_json(const ConfigDiff &diff);

}  // namespace maglb::daemon
