#include "announce_set.h"

#include <algorithm>

#include "config_to_snapshot.h"
#include "snapshot_builder.h"

namespace maglb::bgp {

namespace {

bool has_weight(const config::VipConfig &vip) {
  return std::any_of(vip.backends.begin(), vip.backends.end(),
                     [](const config::BackendConfig &b) { return b.weight > 0; });
}

enum class Verdict { kUp, kDown, kUndecided };

// vip_id: the health checker's target id, the printed VIP key (as the
// daemon's health_targets.cc names them).
Verdict checked(const health::HealthReport *report, const std::string &vip_id) {
  if (report == nullptr) return Verdict::kUndecided;
  for (const health::VipStatus &vs : report->vips) {
    if (vs.id != vip_id) continue;
    const bool up =
        std::any_of(vs.backends.begin(), vs.backends.end(), [](const health::BackendStatus &b) {
          return b.configured_weight > 0 && b.state == health::BackendState::kUp && !b.suppressed;
        });
    if (up) return Verdict::kUp;
    return vs.pending ? Verdict::kUndecided : Verdict::kDown;
  }
  return Verdict::kUndecided;  // a VIP added since the last round
}

}  // namespace

std::vector<config::Address> announced_addresses(const config::Config &config,
                                                 const health::HealthReport *report,
                                                 bool dataplane_up,
                                                 const std::vector<config::Address> &current) {
  std::vector<config::Address> out;
  if (!dataplane_up) return out;
  for (const config::VipConfig &vip : config.vips) {
    Verdict v = Verdict::kDown;
    if (vip.healthcheck.type == config::HealthcheckType::kNone) {
      v = has_weight(vip) ? Verdict::kUp : Verdict::kDown;
    } else {
      v = checked(report, snapshot::format_vip(snapshot::vip_key_of(vip)));
    }
    const bool announced = std::find(current.begin(), current.end(), vip.address) != current.end();
    if (v == Verdict::kUp || (v == Verdict::kUndecided && announced)) {
      out.push_back(vip.address);
    }
  }
  std::sort(out.begin(), out.end(), [](const config::Address &a, const config::Address &b) {
    return a.family != b.family ? a.family < b.family : a.bytes < b.bytes;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace maglb::bgp
