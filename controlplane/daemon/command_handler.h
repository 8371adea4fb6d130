// Every control-protocol command (docs/daemon.md lists them with their
// fields): reads the request's fields, runs the command against the
// balancer, and returns the response object. Runtime changes are applied
// all-or-nothing: edit a copy of the config, validate it like a file, build
// and program the tables, then rewrite the config file; if the rewrite
// fails the previous config is programmed again and the change reported as
// failed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "balancer.h"
#include "config_store.h"
#include "control_protocol.h"
#include "daemon_counters.h"
#include "logger.h"
#include "stream_server.h"

namespace maglb::daemon {

class CommandHandler {
 public:
  CommandHandler(Balancer &balancer, ConfigStore &store, Logger &log, DaemonCounters &counters);

  nlohmann::json handle(const Request &request);

  // SIGHUP and the "reload" command: re-reads the config file (always the
  // configured path) and applies it. Returns every error; empty = applied.
  std::vector<std::string> reload(std::string_view why);

 private:
  using Edit = std::function<std::string(config::Config &)>;
  nlohmann::json apply_edit(const Edit &edit, const std::string &why, nlohmann::json result);

  nlohmann::json status(const Request &r);
  nlohmann::json vip_list(const Request &r);
  nlohmann::json vip_show(const Request &r);
  nlohmann::json vip_add(const Request &r);
  nlohmann::json vip_remove(const Request &r);
  nlohmann::json backend_add(const Request &r);
  nlohmann::json backend_remove(const Request &r);
  nlohmann::json backend_weight(const Request &r);
  nlohmann::json backend_drain(const Request &r);
  nlohmann::json backend_undrain(const Request &r);
  nlohmann::json stats(const Request &r);
  nlohmann::json table_dump(const Request &r);
  nlohmann::json trace(const Request &r);
  nlohmann::json reload_command(const Request &r);
  nlohmann::json diff(const Request &r);
  nlohmann::json config_show(const Request &r);

  // The installed VIP a request's "vip" names (fields other than "vip"
  // refused), or nullptr and *error.
  const InstalledVip *requested_vip(const Request &r, std::string *error) const;

  Balancer &balancer_;
  ConfigStore &store_;
  Logger &log_;
  DaemonCounters &counters_;
  const SteadyClock::time_point started_;
};

}  // namespace maglb::daemon
