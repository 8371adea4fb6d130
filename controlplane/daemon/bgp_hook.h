// The daemon's end of the BGP announcements (controlplane/bgp): owns the
// Announcer, feeds it what the balancer and the dataplane say after every
// event-loop turn, and adds its state to `status`. Kept apart so daemon.cc
// only calls four functions.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "announcer.h"
#include "balancer.h"
#include "logger.h"

namespace maglb::daemon {

class BgpHook {
 public:
  // nullptr without error when the config has no bgp section; nullptr and
  // *error when BIRD cannot be set up (start-up fails fast).
  static std::unique_ptr<BgpHook> create(const config::Config &config, Logger &log,
                                         std::string *error);

  // After each event-loop turn: announce what is serviceable now.
  void after_event(const Balancer &balancer, bool dataplane_up);
  // Adds "bgp" to a successful `status` response.
  void add_status(const std::string &command, nlohmann::json &response) const;
  // Graceful stop (withdraw, wait, stop BIRD).
  void shutdown() { announcer_->shutdown(); }

 private:
  explicit BgpHook(std::unique_ptr<bgp::Announcer> a) : announcer_(std::move(a)) {}
  std::unique_ptr<bgp::Announcer> announcer_;
};

}  // namespace maglb::daemon
