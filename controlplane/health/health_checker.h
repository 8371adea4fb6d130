// The health checker the daemon drives: owns the targets, probes them on its
// own thread (each VIP at its own interval, all due probes of a round at
// once), and after each round in which anything changed calls ONE callback
// with the complete report, so the daemon rebuilds its tables at most once
// per round. It only reports: keeping the last table when a VIP is all_down
// (fail open) is the daemon's job. See docs/health.md.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "health_table.h"
#include "health_types.h"
#include "probe_engine.h"

namespace maglb::health {

class HealthChecker {
 public:
  struct Options {
    std::optional<IpAddress> source_v4;  // source address of IPv4 probes (none: kernel's choice)
    std::optional<IpAddress> source_v6;
    size_t max_in_flight = 512;  // sockets open at once; more probes wait their turn
  };
  // Runs on the checker thread, never concurrently with itself, outside the
  // checker's lock (it may call snapshot() or set_targets()). A slow
  // callback delays the next round.
  using Callback = std::function<void(const HealthReport &)>;

  HealthChecker(Options options, Callback callback);
  ~HealthChecker();  // stop()s
  HealthChecker(const HealthChecker &) = delete;
  HealthChecker &operator=(const HealthChecker &) = delete;

  // Replaces the target set atomically (see HealthTable::set_targets); the
  // next round starts at once. Returns an error and keeps the old set if
  // the new one is invalid. Allowed before start() and while running.
  std::string set_targets(const std::vector<VipTarget> &targets);

  // Starts the checker thread. Returns an error if it is already running or
  // the probe engine cannot be created.
  std::string start();

  // Interrupts a running round (its results are discarded) and joins the
  // thread. Idempotent; start() may be called again afterwards. Not from
  // the callback (the thread cannot join itself).
  void stop();

  // Everything as of the last completed round.
  HealthReport snapshot() const;

 private:
  void run();

  const Options options_;
  const Callback callback_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  HealthTable table_;                    // guarded by mu_
  bool stopping_ = false;                // guarded by mu_
  std::unique_ptr<ProbeEngine> engine_;  // used by the thread; interrupt() from stop()
  std::thread thread_;
};

}  // namespace maglb::health
