#include "health_checker.h"

namespace maglb::health {

HealthChecker::HealthChecker(Options options, Callback callback)
    : options_(std::move(options)),
      callback_(std::move(callback)),
      table_(HealthTable::Options{options_.source_v4, options_.source_v6}) {}

HealthChecker::~HealthChecker() {
  stop();
}

std::string HealthChecker::set_targets(const std::vector<VipTarget> &targets) {
  std::string error;
  {
    std::lock_guard lock(mu_);
    error = table_.set_targets(targets, Clock::now());
  }
  if (error.empty()) wake_.notify_all();
  return error;
}

std::string HealthChecker::start() {
  if (thread_.joinable()) return "health checker already running";
  std::string error;
  engine_ = ProbeEngine::create(options_.max_in_flight, &error);
  if (!engine_) return "health checker: " + error;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
  return "";
}

void HealthChecker::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  engine_->interrupt();  // ends a round in progress; latched, so no race with run()
  thread_.join();
  engine_.reset();
}

HealthReport HealthChecker::snapshot() const {
  std::lock_guard lock(mu_);
  return table_.snapshot();
}

void HealthChecker::run() {
  while (true) {
    std::vector<ProbeJob> jobs;
    {
      std::unique_lock lock(mu_);
      while (!stopping_) {
        const TimePoint due = table_.next_due();
        if (due <= Clock::now()) break;
        if (due == TimePoint::max()) {
          wake_.wait(lock);
        } else {
          wake_.wait_until(lock, due);
        }
      }
      if (stopping_) return;
      jobs = table_.take_due(Clock::now());
    }

    // Probes run without the lock: set_targets() and snapshot() stay quick,
    // and results of replaced targets are matched (or dropped) by apply().
    std::vector<ProbeRequest> requests;
    requests.reserve(jobs.size());
    for (const ProbeJob &job : jobs) requests.push_back(job.request);
    const TimePoint started = Clock::now();
    const std::vector<ProbeResult> results = engine_->run(requests);
    const auto probe_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);

    HealthReport report;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      report = table_.apply(jobs, results, Clock::now(), probe_ms);
    }
    if (report.changed && callback_) callback_(report);
  }
}

}  // namespace maglb::health
