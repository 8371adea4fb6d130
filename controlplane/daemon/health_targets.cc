#include "health_targets.h"

#include "config_to_snapshot.h"
#include "snapshot_builder.h"

namespace maglb::daemon {

std::string vip_id_of(const config::VipConfig &vip) {
  return snapshot::format_vip(snapshot::vip_key_of(vip));
}

health::IpAddress ip_of(const config::Address &address) {
  health::IpAddress ip;
  ip.family = address.family;
  ip.addr = address.bytes;
  return ip;
}

namespace {

health::CheckType check_type_of(config::HealthcheckType type) {
  switch (type) {
    case config::HealthcheckType::kTcp:
      return health::CheckType::kTcp;
    case config::HealthcheckType::kHttp:
      return health::CheckType::kHttp;
    case config::HealthcheckType::kNone:
      break;
  }
  return health::CheckType::kNone;
}

}  // namespace

std::vector<health::VipTarget> health_targets_of(const config::Config &config) {
  std::vector<health::VipTarget> targets;
  targets.reserve(config.vips.size());
  for (const config::VipConfig &vip : config.vips) {
    const config::HealthcheckConfig &hc = vip.healthcheck;
    health::VipTarget t;
    t.id = vip_id_of(vip);
    t.check.type = check_type_of(hc.type);
    // docs/config.md: the probe port defaults to the VIP's port.
    t.check.port = hc.port != 0 ? hc.port : vip.port;
    t.check.path = hc.path;
    t.check.expect_status = hc.expect_status;
    t.check.interval_ms = hc.interval_ms;
    t.check.timeout_ms = hc.timeout_ms;
    t.check.rise = hc.rise;
    t.check.fall = hc.fall;
    t.check.slow_start_s = hc.slow_start_s;
    if (hc.through_tunnel) {
      // The backend answers the inner SYN at the encap source of the VIP's
      // family (validated to exist): this host's own address.
      const auto &source =
          vip.address.is_v4() ? config.dataplane.encap_source_v4 : config.dataplane.encap_source_v6;
      health::TunnelSpec tunnel;
      tunnel.vip = ip_of(vip.address);
      tunnel.vip_port = t.check.port;
      tunnel.gue = vip.method == config::Method::kGue;
      tunnel.gue_port = config.dataplane.gue_port;
      if (source) tunnel.inner_source = ip_of(*source);
      t.check.tunnel = tunnel;
    }
    for (const config::BackendConfig &b : vip.backends) {
      t.backends.push_back({b.name, ip_of(b.address), b.weight});
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

}  // namespace maglb::daemon
