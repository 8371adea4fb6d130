#include "metrics.h"

#include <algorithm>
#include <sstream>

#include "config_edit.h"
#include "health_types.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

class Writer {
 public:
  // One HELP/TYPE header per metric family, before its first sample.
  void family(const char *name, const char *type, const char *help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  void sample(const char *name, const std::string &labels, uint64_t value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char *name, const std::string &value) {
  return std::string(name) + "=\"" + escape_label(value) + "\"";
}

uint64_t u64(const json &o, const char *key) {
  const auto it = o.find(key);
  // Non-negative integers whichever way they were built (signed or not).
  if (it == o.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() ? it->get<uint64_t>()
                                  : static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
}

void daemon_metrics(Writer &w, const Balancer &balancer, const DaemonCounters &c) {
  const std::string dp = label("dataplane", balancer.programmer_name());
  w.family("maglb_dataplane_up", "gauge", "1 when the dataplane answered the last check");
  w.sample("maglb_dataplane_up", dp, c.dataplane_up ? 1 : 0);
  w.family("maglb_snapshot_generation", "gauge", "generation of the snapshot installed last");
  w.sample("maglb_snapshot_generation", "", balancer.generation());
  w.family("maglb_snapshot_installs_total", "counter", "snapshots sent to the dataplane");
  w.sample("maglb_snapshot_installs_total", label("result", "ok"), c.snapshot_installs_ok);
  w.sample("maglb_snapshot_installs_total", label("result", "error"), c.snapshot_installs_failed);
  w.family("maglb_snapshot_build_failures_total", "counter", "snapshots that could not be built");
  w.sample("maglb_snapshot_build_failures_total", "", c.snapshot_builds_failed);
  w.family("maglb_config_reloads_total", "counter",
           "config file reloads (SIGHUP, maglbctl reload)");
  w.sample("maglb_config_reloads_total", label("result", "ok"), c.reloads_ok);
  w.sample("maglb_config_reloads_total", label("result", "rejected"), c.reloads_rejected);
  w.family("maglb_runtime_changes_total", "counter", "maglbctl vip/backend changes");
  w.sample("maglb_runtime_changes_total", label("result", "ok"), c.runtime_changes_ok);
  w.sample("maglb_runtime_changes_total", label("result", "rejected"), c.runtime_changes_rejected);
  w.family("maglb_health_reports_total", "counter", "health-check rounds that changed something");
  w.sample("maglb_health_reports_total", "", c.health_reports);
  w.family("maglb_control_requests_total", "counter", "control-socket requests answered");
  w.sample("maglb_control_requests_total", label("result", "ok"), c.control_requests_ok);
  w.sample("maglb_control_requests_total", label("result", "error"), c.control_requests_failed);
  w.family("maglb_control_clients_rejected_total", "counter",
           "control-socket clients refused (peer uid, too many clients)");
  w.sample("maglb_control_clients_rejected_total", "", c.control_clients_rejected);
}

void vip_metrics(Writer &w, const Balancer &balancer) {
  w.family("maglb_vip_all_backends_down", "gauge",
           "1 when no backend of the VIP is in service and its last table is kept (fail open)");
  for (const InstalledVip &v : balancer.vips()) {
    w.sample("maglb_vip_all_backends_down", label("vip", v.id), v.held && !v.pending ? 1 : 0);
  }
  struct Family {
    const char *name;
    const char *type;
    const char *help;
  };
  const Family families[] = {
      {"maglb_backend_up", "gauge",
       "1 when the backend passes its health check (always, without one)"},
      {"maglb_backend_configured_weight", "gauge", "weight in the config (0 = drained)"},
      {"maglb_backend_effective_weight", "gauge", "weight the installed table was built with"},
      {"maglb_backend_table_slots", "gauge", "Maglev table slots that hold the backend"},
  };
  for (size_t f = 0; f < std::size(families); ++f) {
    w.family(families[f].name, families[f].type, families[f].help);
    for (const InstalledVip &v : balancer.vips()) {
      const auto vc = find_vip(balancer.config(), v.key);
      const bool checked =
          vc && balancer.config().vips[*vc].healthcheck.type != config::HealthcheckType::kNone;
      for (const InstalledBackend &b : v.backends) {
        const std::string labels = label("vip", v.id) + "," +
                                   label("backend", config::format_address(b.address)) + "," +
                                   label("name", b.name);
        uint64_t value = 0;
        switch (f) {
          case 0: {
            const health::BackendStatus *st = balancer.health_of(v.id, b.address);
            value = !checked || (st && st->state == health::BackendState::kUp) ? 1 : 0;
            break;
          }
          case 1:
            value = b.configured_weight;
            break;
          case 2:
            value = b.effective_weight;
            break;
          default:
            value = b.slots;
            break;
        }
        w.sample(families[f].name, labels, value);
      }
    }
  }
}

// The array (or object) at `key`, or an empty one: a named value to loop
// over (GCC's -Wmaybe-uninitialized misfires on loops over temporaries).
json member(const json &o, const char *key, const json &empty) {
  const auto it = o.find(key);
  return it != o.end() && it->type() == empty.type() ? *it : empty;
}

void dataplane_metrics(Writer &w, const json &stats) {
  const json cores = member(stats, "cores", json::array());
  const json vips = member(stats, "vips", json::array());
  w.family("maglb_dataplane_counter_total", "counter",
           "dataplane counters (dataplane/abi/maglb_abi.h) per core");
  for (const json &core : cores) {
    const std::string c = core.contains("core") ? core["core"].dump() : "?";
    const json counters = member(core, "counters", json::object());
    for (const auto &[name, v] : counters.items()) {
      w.sample("maglb_dataplane_counter_total", label("name", name) + "," + label("core", c),
               u64(counters, name.c_str()));
    }
  }
  const json flows = member(stats, "flows", json::object());
  w.family("maglb_flow_table_capacity", "gauge",
           "connection-tracking entries the dataplane can hold");
  w.sample("maglb_flow_table_capacity", "", u64(flows, "capacity"));
  if (flows.contains("occupancy") && flows["occupancy"].is_number_integer()) {
    w.family("maglb_flow_table_entries", "gauge", "connection-tracking entries in use");
    w.sample("maglb_flow_table_entries", "", u64(flows, "occupancy"));
  }
  const char *kinds[][2] = {{"packets", "maglb_vip_packets_total"},
                            {"bytes", "maglb_vip_bytes_total"},
                            {"new_flows", "maglb_vip_new_flows_total"}};
  for (const auto &[field, name] : kinds) {
    w.family(name, "counter", "traffic to the VIP");
    for (const json &v : vips) w.sample(name, label("vip", v.value("vip", "")), u64(v, field));
  }
  const char *bkinds[][2] = {{"packets", "maglb_backend_packets_total"},
                             {"bytes", "maglb_backend_bytes_total"},
                             {"new_flows", "maglb_backend_new_flows_total"}};
  for (const auto &[field, name] : bkinds) {
    w.family(name, "counter", "traffic sent to the backend of the VIP");
    for (const json &v : vips) {
      const json backends = member(v, "backends", json::array());
      for (const json &b : backends) {
        w.sample(name,
                 label("vip", v.value("vip", "")) + "," + label("backend", b.value("address", "")) +
                     "," + label("name", b.value("name", "")),
                 u64(b, field));
      }
    }
  }
}

}  // namespace

std::string escape_label(const std::string &value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\' || ch == '"') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string render_metrics(const Balancer &balancer, const DaemonCounters &counters,
                           const json &stats) {
  Writer w;
  daemon_metrics(w, balancer, counters);
  vip_metrics(w, balancer);
  w.family("maglb_dataplane_stats_ok", "gauge", "1 when the dataplane's statistics were read");
  w.sample("maglb_dataplane_stats_ok", "", stats.is_object() ? 1 : 0);
  if (stats.is_object()) dataplane_metrics(w, stats);
  return w.str();
}

}  // namespace maglb::daemon
