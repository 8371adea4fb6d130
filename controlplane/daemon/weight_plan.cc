#include "weight_plan.h"

#include <algorithm>
#include <unordered_map>

#include "health_targets.h"
#include "ip_address.h"

namespace maglb::daemon {
namespace {

uint32_t checked_weight(const health::BackendStatus &st, uint32_t configured) {
  const bool fully_up = st.state == health::BackendState::kUp && !st.suppressed &&
                        st.effective_weight == st.configured_weight;
  if (fully_up) return configured;
  return std::min(st.effective_weight, configured);
}

}  // namespace

WeightPlan plan_weights(const config::Config &config, const health::HealthReport *report,
                        const InstalledWeights &installed, bool unreported_up) {
  std::unordered_map<std::string, const health::VipStatus *> reported;
  if (report != nullptr) {
    for (const health::VipStatus &vs : report->vips) reported.emplace(vs.id, &vs);
  }
  WeightPlan plan;
  plan.vips.resize(config.vips.size());
  for (size_t v = 0; v < config.vips.size(); ++v) {
    const config::VipConfig &vip = config.vips[v];
    VipPlan &vp = plan.vips[v];
    vp.weights.assign(vip.backends.size(), 0);
    const std::string id = vip_id_of(vip);
    const auto rit = reported.find(id);
    const bool checked = vip.healthcheck.type != config::HealthcheckType::kNone;
    if (!checked || rit == reported.end()) {
      for (size_t b = 0; b < vip.backends.size(); ++b) vp.weights[b] = vip.backends[b].weight;
      continue;
    }
    const health::VipStatus &vs = *rit->second;
    vp.pending = vs.pending;
    if (vs.all_down) {
      vp.held = true;
      const auto iit = installed.find(id);
      for (size_t b = 0; b < vip.backends.size(); ++b) {
        const uint32_t configured = vip.backends[b].weight;
        if (iit == installed.end()) {
          vp.weights[b] = configured;
          continue;
        }
        const auto w = iit->second.find(health::address_key(ip_of(vip.backends[b].address)));
        vp.weights[b] = configured == 0 || w == iit->second.end() ? 0 : w->second;
      }
      continue;
    }
    std::unordered_map<std::string, const health::BackendStatus *> by_address;
    for (const health::BackendStatus &bs : vs.backends) {
      by_address.emplace(health::address_key(bs.address), &bs);
    }
    for (size_t b = 0; b < vip.backends.size(); ++b) {
      const uint32_t configured = vip.backends[b].weight;
      const auto it = by_address.find(health::address_key(ip_of(vip.backends[b].address)));
      if (configured == 0) {
        vp.weights[b] = 0;
      } else if (it == by_address.end()) {
        vp.weights[b] = unreported_up ? configured : 0;
      } else {
        vp.weights[b] = checked_weight(*it->second, configured);
      }
    }
  }
  return plan;
}

InstalledWeights installed_weights_of(const config::Config &config, const WeightPlan &plan) {
  InstalledWeights out;
  for (size_t v = 0; v < config.vips.size() && v < plan.vips.size(); ++v) {
    auto &m = out[vip_id_of(config.vips[v])];
    const auto &backends = config.vips[v].backends;
    for (size_t b = 0; b < backends.size() && b < plan.vips[v].weights.size(); ++b) {
      m[health::address_key(ip_of(backends[b].address))] = plan.vips[v].weights[b];
    }
  }
  return out;
}

}  // namespace maglb::daemon
