#include "bgp_hook.h"

#include "announce_set.h"
#include "atomic_file.h"

namespace maglb::daemon {

std::unique_ptr<BgpHook> BgpHook::create(const config::Config &config, Logger &log,
                                         std::string *error) {
  if (!config.bgp) return nullptr;
  auto announcer = std::make_unique<bgp::Announcer>(
      *config.bgp, write_file_atomically, [&log](bool warn, const std::string &message) {
        log.log(warn ? LogLevel::kWarn : LogLevel::kInfo, message);
      });
  if (std::string e = announcer->start(); !e.empty()) {
    *error = "BGP: " + e;
    return nullptr;
  }
  return std::unique_ptr<BgpHook>(new BgpHook(std::move(announcer)));
}

void BgpHook::after_event(const Balancer &balancer, bool dataplane_up) {
  const auto now = bgp::Announcer::Clock::now();
  const config::Config &config = balancer.config();
  if (config.bgp) announcer_->set_config(*config.bgp);
  announcer_->update(
      bgp::announced_addresses(config, balancer.health(), dataplane_up, announcer_->announced()),
      now);
}

void BgpHook::add_status(const std::string &command, nlohmann::json &response) const {
  if (command != "status" || !response.value("ok", false)) return;
  response["result"]["bgp"] = announcer_->status();
}

}  // namespace maglb::daemon
