#include "restart_fields.h"

namespace maglb::daemon {
namespace {

std::string mode_name(config::DataplaneMode m) {
  return m == config::DataplaneMode::kDpdk ? "dpdk" : "xdp";
}

std::string join(const std::vector<std::string> &v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

std::string changed(const std::string &field, const std::string &from, const std::string &to) {
  return field + ": changed from " + from + " to " + to + "; restart maglbd to apply it";
}

}  // namespace

std::vector<std::string> restart_required_changes(const config::Config &running,
                                                  const config::Config &next) {
  std::vector<std::string> out;
  const auto &a = running.dataplane;
  const auto &b = next.dataplane;
  if (a.mode != b.mode)
    out.push_back(changed("dataplane.mode", mode_name(a.mode), mode_name(b.mode)));
  if (a.mode == config::DataplaneMode::kXdp && a.interfaces != b.interfaces) {
    out.push_back(changed("dataplane.interfaces", join(a.interfaces), join(b.interfaces)));
  }
  if (a.mode == config::DataplaneMode::kDpdk && a.dpdk != b.dpdk) {
    out.push_back(changed("dataplane.dpdk.socket", a.dpdk ? a.dpdk->socket : "(none)",
                          b.dpdk ? b.dpdk->socket : "(none)"));
  }
  if (a.mode == config::DataplaneMode::kDpdk &&
      (a.address_v4 != b.address_v4 || a.address_v6 != b.address_v6 ||
       a.gateway_v4 != b.gateway_v4 || a.gateway_v6 != b.gateway_v6)) {
    // The DPDK process gets these over SET_INTERFACE once per connection.
    out.push_back(
        "dataplane.address_v4/address_v6/gateway_v4/gateway_v6: changed; restart maglbd to apply "
        "them");
  }
  if (running.control.socket != next.control.socket) {
    out.push_back(changed("control.socket", running.control.socket, next.control.socket));
  }
  if (running.control.socket_group != next.control.socket_group) {
    out.push_back(
        changed("control.socket_group", running.control.socket_group, next.control.socket_group));
  }
  if (running.control.metrics_listen != next.control.metrics_listen) {
    out.push_back(changed("control.metrics_listen",
                          config::format_endpoint(running.control.metrics_listen),
                          config::format_endpoint(next.control.metrics_listen)));
  }
  // BIRD's paths and whether maglbd owns it are settled when it starts it;
  // the rest of the bgp section applies on reload (controlplane/bgp).
  if (running.bgp.has_value() != next.bgp.has_value()) {
    out.push_back(
        changed("bgp", running.bgp ? "present" : "absent", next.bgp ? "present" : "absent"));
  } else if (running.bgp && running.bgp->bird != next.bgp->bird) {
    out.push_back("bgp.bird: changed; restart maglbd to apply it");
  }
  return out;
}

std::vector<std::string> dataplane_start_only_changes(const config::Config &running,
                                                      const config::Config &next) {
  std::vector<std::string> out;
  const auto &a = running.dataplane;
  const auto &b = next.dataplane;
  if (a.cores != b.cores) out.push_back("dataplane.cores");
  if (a.queues != b.queues) out.push_back("dataplane.queues");
  if (a.flow_table.entries_per_core != b.flow_table.entries_per_core) {
    out.push_back("dataplane.flow_table.entries_per_core");
  }
  return out;
}

}  // namespace maglb::daemon
