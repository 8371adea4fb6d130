// Hands health reports from the checker's thread to the daemon's event
// loop: the callback stores the newest report and wakes the loop through
// an eventfd. Only the newest matters (each report is complete), so a slow
// loop never makes reports queue up.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "health_types.h"

namespace maglb::daemon {

class HealthMailbox {
 public:
  HealthMailbox();  // check fd() >= 0
  ~HealthMailbox();
  HealthMailbox(const HealthMailbox &) = delete;
  HealthMailbox &operator=(const HealthMailbox &) = delete;

  int fd() const { return fd_; }
  // Any thread.
  void post(const health::HealthReport &report);
  // The loop thread, when fd() is readable: the newest report, if any.
  std::optional<health::HealthReport> take();

 private:
  int fd_;
  std::mutex mu_;
  std::optional<health::HealthReport> report_;  // guarded by mu_
};

}  // namespace maglb::daemon
