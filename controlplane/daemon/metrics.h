// Prometheus text exposition (format 0.0.4) of the daemon's state and the
// dataplane's counters. Every metric name is listed in docs/daemon.md,
// "Metrics"; names are stable (dashboards and alerts depend on them).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "balancer.h"
#include "daemon_counters.h"

namespace maglb::daemon {

// `stats`: enrich_stats() of the dataplane's statistics, or null when they
// could not be read (then only the daemon's own metrics are written and
// maglb_dataplane_stats_ok is 0).
std::string render_metrics(const Balancer &balancer, const DaemonCounters &counters,
                           const nlohmann::json &stats);

// A label value with \ " and newline escaped, as the format requires.
std::string escape_label(const std::string &value);

}  // namespace maglb::daemon
