// Event counters of the daemon itself, exported as metrics. Touched only by
// the daemon's event-loop thread.
#pragma once

#include <cstdint>

namespace maglb::daemon {

struct DaemonCounters {
  uint64_t snapshot_installs_ok = 0;
  uint64_t snapshot_installs_failed = 0;
  uint64_t snapshot_builds_failed = 0;
  uint64_t reloads_ok = 0;
  uint64_t reloads_rejected = 0;  // invalid file, or the dataplane refused it
  uint64_t runtime_changes_ok = 0;
  uint64_t runtime_changes_rejected = 0;
  uint64_t health_reports = 0;
  uint64_t control_requests_ok = 0;
  uint64_t control_requests_failed = 0;
  uint64_t control_clients_rejected = 0;  // peer uid, or too many clients
  uint64_t metrics_scrapes = 0;
  bool dataplane_up = false;
};

}  // namespace maglb::daemon
