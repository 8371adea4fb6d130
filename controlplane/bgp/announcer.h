// Keeps BIRD announcing exactly the VIP addresses the daemon wants: renders
// the BIRD config (bird_config.h), writes it atomically and has BIRD re-read
// it. Single-threaded: the daemon's event loop owns it. A failed apply is
// retried at most once a second; the daemon never stops forwarding for it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bird_control.h"
#include "config.h"

namespace maglb::bgp {

class Announcer {
 public:
  using Clock = std::chrono::steady_clock;
  // (warn, message): where the announcer's news goes (the daemon's log).
  using Note = std::function<void(bool warn, const std::string &message)>;
  // Writes a file so that a reader sees the old or the new content, never a
  // mix; "" or the error (the daemon's write_file_atomically).
  using WriteFile = std::function<std::string(const std::string &path, std::string_view content)>;

  Announcer(config::BgpConfig config, WriteFile write_file, Note note);

  // When BIRD's socket answers (it outlived the previous maglbd), changes
  // nothing yet (adopted()). Otherwise writes the config with nothing
  // announced and, when BIRD is managed, starts it. "" or why not
  // (start-up fails fast on it).
  std::string start();

  // The addresses to announce now (announce_set.h). Applies them when they
  // differ from what BIRD has, or retries a failed apply once a second.
  void update(const std::vector<config::Address> &wanted, Clock::time_point now);

  // A reloaded bgp section: applied with the next update(). The bird
  // subsection (paths, manage) is read only at start.
  void set_config(const config::BgpConfig &config);

  // Graceful stop: withdraw everything, wait withdraw_delay_ms while the
  // routers move the flows away (the dataplane keeps forwarding meanwhile),
  // then stop BIRD if managed.
  void shutdown();

  // {"announced": [...], "sessions": [{"peer", "state", "info", "established"}],
  //  "error": last apply error or absent}: for `maglbctl status`.
  nlohmann::json status() const;

  const std::vector<config::Address> &announced() const { return applied_; }
  // start() found a BIRD already running and left its routes as they were.
  bool adopted() const { return adopted_; }

 private:
  std::string apply(const std::vector<config::Address> &announce);

  config::BgpConfig config_;
  BirdControl bird_;
  WriteFile write_file_;
  Note note_;
  std::vector<config::Address> applied_;  // what BIRD announces (as far as we know)
  std::vector<config::Address> wanted_;
  bool dirty_ = false;  // applied_ != wanted_ or the config changed
  bool adopted_ = false;
  std::string last_error_;
  Clock::time_point next_try_{};
};

}  // namespace maglb::bgp
