// maglbd assembled: the programmer, the balancer, the health checker, the
// control socket and the metrics listener, driven by one poll() loop on
// the main thread (the health checker has its own thread and hands its
// reports over through a mailbox). Signals arrive through a signalfd:
// SIGHUP reloads the config file, SIGTERM/SIGINT stop the loop.
#pragma once

#include <memory>
#include <string>

#include "balancer.h"
#include "bgp_hook.h"
#include "command_handler.h"
#include "config.h"
#include "config_store.h"
#include "control_server.h"
#include "daemon_counters.h"
#include "health_checker.h"
#include "health_mailbox.h"
#include "logger.h"
#include "metrics_server.h"
#include "programmer.h"

namespace maglb::daemon {

class Daemon {
 public:
  // Blocks SIGHUP, SIGTERM and SIGINT in the calling thread (call before
  // any other thread exists, so every thread inherits the mask) and returns
  // a signalfd for them, or -1 and *error.
  static int block_signals(std::string *error);

  // Opens the dataplane, listens on the control socket and the metrics
  // endpoint, installs the first snapshot and starts the health checker.
  // `config` is the validated content of store's file (`content` its
  // bytes). nullptr and *error on any failure (start-up fails fast).
  static std::unique_ptr<Daemon> create(ConfigStore &store, const config::Config &config,
                                        std::string content, int signal_fd, Logger &log,
                                        std::string *error);
  ~Daemon();

  // Until SIGTERM or SIGINT. Returns the exit status.
  int run();

 private:
  Daemon(ConfigStore &store, int signal_fd, Logger &log);
  void handle_signals(bool *stop);
  std::string render_metrics_now();

  ConfigStore &store_;
  const int signal_fd_;
  Logger &log_;
  DaemonCounters counters_;
  std::unique_ptr<programmer::Programmer> programmer_;
  HealthMailbox mailbox_;
  std::unique_ptr<health::HealthChecker> checker_;
  std::unique_ptr<Balancer> balancer_;
  std::unique_ptr<CommandHandler> commands_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<BgpHook> bgp_;  // null without a bgp section
};

}  // namespace maglb::daemon
