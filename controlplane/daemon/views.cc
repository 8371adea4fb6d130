#include "views.h"

#include "config_edit.h"
#include "config_names.h"
#include "health_types.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

const config::VipConfig *config_of(const Balancer &balancer, const InstalledVip &vip) {
  const auto v = find_vip(balancer.config(), vip.key);
  return v ? &balancer.config().vips[*v] : nullptr;
}

json settings_of(const config::VipConfig &vc) {
  return {{"method", config::to_name(vc.method)},
          {"hash", config::to_name(vc.hash)},
          {"table_size", vc.table_size},
          {"healthcheck", config::to_name(vc.healthcheck.type)}};
}

}  // namespace

json vip_list_view(const Balancer &balancer) {
  json out = json::array();
  for (const InstalledVip &iv : balancer.vips()) {
    const config::VipConfig *vc = config_of(balancer, iv);
    if (vc == nullptr) continue;
    json v = settings_of(*vc);
    v["vip"] = iv.id;
    uint64_t in_service = 0;
    for (const InstalledBackend &b : iv.backends) in_service += b.effective_weight > 0;
    v["backends"] = iv.backends.size();
    v["backends_in_service"] = in_service;
    v["all_down"] = iv.held && !iv.pending;
    out.push_back(std::move(v));
  }
  return {{"generation", balancer.generation()}, {"vips", out}};
}

json vip_show_view(const Balancer &balancer, const InstalledVip &iv) {
  const config::VipConfig *vc = config_of(balancer, iv);
  json v = vc ? settings_of(*vc) : json::object();
  v["vip"] = iv.id;
  v["vip_index"] = iv.vip_index;
  v["generation"] = balancer.generation();
  v["all_down"] = iv.held && !iv.pending;
  v["held"] = iv.held;
  json backends = json::array();
  const bool checked = vc && vc->healthcheck.type != config::HealthcheckType::kNone;
  for (const InstalledBackend &b : iv.backends) {
    json e = {{"address", config::format_address(b.address)},
              {"name", b.name},
              {"id", b.id},
              {"configured_weight", b.configured_weight},
              {"effective_weight", b.effective_weight},
              {"drained", b.configured_weight == 0},
              {"slots", b.slots},
              {"share", iv.table.empty()
                            ? 0.0
                            : static_cast<double>(b.slots) / static_cast<double>(iv.table.size())}};
    const health::BackendStatus *st = checked ? balancer.health_of(iv.id, b.address) : nullptr;
    if (!checked) {
      e["state"] = "up";
      e["reason"] = "no health check";
    } else if (st == nullptr) {
      e["state"] = "unknown";
      e["reason"] = "not checked yet";
    } else {
      e["state"] = health::to_string(st->state);
      e["reason"] = st->last_reason;
      e["suppressed"] = st->suppressed;
      e["consecutive_successes"] = st->consecutive_successes;
      e["consecutive_failures"] = st->consecutive_failures;
    }
    backends.push_back(std::move(e));
  }
  v["backends"] = std::move(backends);
  return v;
}

json table_view(const Balancer &balancer, const InstalledVip &iv) {
  json backends = json::object();
  for (const InstalledBackend &b : iv.backends) {
    backends[std::to_string(b.id)] = {{"address", config::format_address(b.address)},
                                      {"name", b.name}};
  }
  return {{"vip", iv.id},
          {"generation", balancer.generation()},
          {"table_size", iv.table.size()},
          {"empty_slot", MAGLB_SLOT_EMPTY},
          {"backends", backends},
          {"slots", iv.table}};
}

}  // namespace maglb::daemon
