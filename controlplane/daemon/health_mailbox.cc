#include "health_mailbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace maglb::daemon {

HealthMailbox::HealthMailbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

HealthMailbox::~HealthMailbox() {
  if (fd_ >= 0) ::close(fd_);
}

void HealthMailbox::post(const health::HealthReport &report) {
  {
    std::lock_guard lock(mu_);
    report_ = report;
  }
  const uint64_t one = 1;
  // Can only fail when the counter would overflow (never, we drain it).
  (void)!::write(fd_, &one, sizeof(one));
}

std::optional<health::HealthReport> HealthMailbox::take() {
  uint64_t n = 0;
  (void)!::read(fd_, &n, sizeof(n));
  std::lock_guard lock(mu_);
  std::optional<health::HealthReport> r = std::move(report_);
  report_.reset();
  return r;
}

}  // namespace maglb::daemon
