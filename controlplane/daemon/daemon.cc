#include "daemon.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "listen_socket.h"
#include "metrics.h"
#include "stats_view.h"

namespace maglb::daemon {

int Daemon::block_signals(std::string *error) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    *error = "cannot block signals";
    return -1;
  }
  // A client that disconnects mid-response must cost an EPIPE, not the
  // process (sends use MSG_NOSIGNAL too; this covers every other write).
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) *error = std::string("signalfd: ") + std::strerror(errno);
  return fd;
}

Daemon::Daemon(ConfigStore &store, int signal_fd, Logger &log)
    : store_(store), signal_fd_(signal_fd), log_(log) {}

Daemon::~Daemon() {
  if (checker_) checker_->stop();
}

std::unique_ptr<Daemon> Daemon::create(ConfigStore &store, const config::Config &config,
                                       std::string content, int signal_fd, Logger &log,
                                       std::string *error) {
  std::unique_ptr<Daemon> d(new Daemon(store, signal_fd, log));
  if (d->mailbox_.fd() < 0) {
    *error = std::string("eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  // Listen before opening the dataplane: a start-up that cannot serve its
  // operators should fail before it changes the dataplane, and a second
  // maglbd started by mistake must stop here, before it attaches to (and,
  // exiting, detaches from) the interfaces the running one serves.
  std::optional<gid_t> group;
  if (!config.control.socket_group.empty()) {
    group = lookup_group(config.control.socket_group, error);
    if (!group) return nullptr;
  }
  const int control_fd = listen_unix(config.control.socket, group, error);
  if (control_fd < 0) return nullptr;
  Daemon *self = d.get();
  d->control_ = std::make_unique<ControlServer>(
      control_fd, config.control.socket,
      [self](const Request &r) {
        nlohmann::json response = self->commands_->handle(r);
        if (self->bgp_) self->bgp_->add_status(r.command, response);
        return response;
      },
      d->counters_, ControlServer::default_limits(), group);
  const int metrics_fd = listen_tcp(config.control.metrics_listen, error);
  if (metrics_fd < 0) return nullptr;
  d->metrics_ = std::make_unique<MetricsServer>(
      metrics_fd, [self] { return self->render_metrics_now(); }, d->counters_);

  d->programmer_ = programmer::make_programmer(
      config,
      [&log](programmer::NoteLevel level, const std::string &note) {
        log.log(level == programmer::NoteLevel::kInfo ? LogLevel::kInfo : LogLevel::kWarn, note);
      },
      error);
  if (!d->programmer_) return nullptr;
  uint64_t installed_generation = 0;
  if (std::string e = d->programmer_->open(&installed_generation); !e.empty()) {
    *error = "opening the " + d->programmer_->name() + " dataplane: " + e;
    return nullptr;
  }
  d->counters_.dataplane_up = true;
  log.info("dataplane opened", {{"dataplane", d->programmer_->name()},
                                {"installed_generation", std::to_string(installed_generation)}});

  d->checker_ = std::make_unique<health::HealthChecker>(
      health::HealthChecker::Options{},
      [self](const health::HealthReport &report) { self->mailbox_.post(report); });
  health::HealthChecker *checker = d->checker_.get();
  d->balancer_ = std::make_unique<Balancer>(
      *d->programmer_, log, d->counters_,
      [checker](const std::vector<health::VipTarget> &t) { return checker->set_targets(t); });
  if (std::string e = d->balancer_->start(config, installed_generation); !e.empty()) {
    *error = e;
    return nullptr;
  }
  store.accept(std::move(content));
  d->commands_ = std::make_unique<CommandHandler>(*d->balancer_, store, log, d->counters_);
  if (std::string e = d->checker_->start(); !e.empty()) {
    *error = "health checker: " + e;
    return nullptr;
  }
  d->bgp_ = BgpHook::create(config, log, error);
  if (!d->bgp_ && config.bgp) return nullptr;
  log.info("maglbd started", {{"config", store.path()},
                              {"control_socket", config.control.socket},
                              {"metrics", config::format_endpoint(config.control.metrics_listen)},
                              {"generation", std::to_string(d->balancer_->generation())}});
  return d;
}

std::string Daemon::render_metrics_now() {
  nlohmann::json raw;
  nlohmann::json stats;  // null: unavailable
  if (std::string e = programmer_->stats(&raw); e.empty()) {
    stats = enrich_stats(raw, *balancer_);
  } else {
    log_.warn("metrics: dataplane statistics unavailable", {{"error", e}});
  }
  return render_metrics(*balancer_, counters_, stats);
}

void Daemon::handle_signals(bool *stop) {
  signalfd_siginfo si{};
  while (::read(signal_fd_, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
    if (si.ssi_signo == SIGHUP) {
      log_.info("SIGHUP: reloading", {{"file", store_.path()}});
      const auto errors = commands_->reload("SIGHUP");
      for (const std::string &e : errors) log_.error("reload error", {{"error", e}});
    } else {
      log_.info("stopping", {{"signal", strsignal(static_cast<int>(si.ssi_signo))}});
      *stop = true;
    }
  }
}

int Daemon::run() {
  using std::chrono::milliseconds;
  constexpr milliseconds kTick{1000};
  auto next_tick = SteadyClock::now() + kTick;
  std::vector<pollfd> fds;
  bool stop = false;
  while (!stop) {
    fds.clear();
    fds.push_back({signal_fd_, POLLIN, 0});
    fds.push_back({mailbox_.fd(), POLLIN, 0});
    const size_t control_at = fds.size();
    control_->fill(fds);
    const size_t metrics_at = fds.size();
    metrics_->fill(fds);
    const auto wait = std::chrono::duration_cast<milliseconds>(next_tick - SteadyClock::now());
    const int n =
        ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (n < 0 && errno != EINTR) {
      log_.error("poll failed", {{"error", std::strerror(errno)}});
      return 1;
    }
    if (n > 0) {
      if (fds[0].revents & POLLIN) handle_signals(&stop);
      if (fds[1].revents & POLLIN) {
        if (auto report = mailbox_.take()) balancer_->on_health(*report);
      }
      control_->dispatch(&fds[control_at], metrics_at - control_at);
      metrics_->dispatch(&fds[metrics_at], fds.size() - metrics_at);
    }
    const auto now = SteadyClock::now();
    if (now >= next_tick) {
      balancer_->tick();
      next_tick = now + kTick;
    }
    control_->expire(now);
    metrics_->expire(now);
    if (bgp_) bgp_->after_event(*balancer_, counters_.dataplane_up);
  }
  checker_->stop();
  if (bgp_) {
    // Graceful stop behind ECMP (docs/scale-out.md): withdraw every VIP,
    // keep forwarding for the withdraw delay while the routers move the
    // flows to the other instances, stop BIRD, then stop forwarding, so
    // this instance no longer takes traffic it is no longer announcing.
    bgp_->shutdown();
    if (std::string e = programmer_->stop_forwarding(); !e.empty()) {
      log_.error("could not stop forwarding after the withdraw", {{"error", e}});
    } else {
      log_.info("forwarding stopped after the withdraw; the dataplane keeps its state",
                {{"generation", std::to_string(balancer_->generation())}});
    }
    return 0;
  }
  // Without BGP nothing else would carry the traffic: the dataplane keeps
  // forwarding with its last tables, and a restarted maglbd takes over.
  log_.info("maglbd stopped; the dataplane keeps forwarding with its last tables",
            {{"generation", std::to_string(balancer_->generation())}});
  return 0;
}

}  // namespace maglb::daemon
