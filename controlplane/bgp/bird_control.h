// The BIRD instance maglbd drives, reached only through its own programs:
// `bird` to check a config and to start, `birdc -s SOCKET` to reconfigure,
// query and stop it. Each call runs a short-lived process bounded in time
// (run_command.h).
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace maglb::bgp {

struct SessionState {
  std::string protocol;  // "peer_198_18_0_254" (bird_config.h)
  std::string state;     // BIRD's protocol state: up, start, down...
  std::string info;      // "Established", "Active  Socket: Connection refused"...
  bool established = false;
};

// The BGP rows of `birdc show protocols` output (with `timeformat protocol
// iso long`, as bird_config.cc sets): other protocols are skipped.
std::vector<SessionState> parse_bgp_protocols(const std::string &show_protocols);

// birdc -v reply lines start with a four-digit code; 8xxx and 9xxx are
// errors (BIRD's doc/reply_codes). "" when none, else the error lines.
std::string reply_errors(const std::string &birdc_output);

class BirdControl {
 public:
  explicit BirdControl(config::BirdConfig paths) : paths_(std::move(paths)) {}

  bool alive() const;                // the control socket answers
  std::string check_config() const;  // `bird -p`: "" or BIRD's complaint
  // Starts a BIRD daemon with our config and socket and waits (bounded)
  // until its socket answers. "" or why not.
  std::string start() const;
  std::string configure() const;  // re-read the config file; "" or why not
  std::string stop() const;       // `birdc down`
  std::vector<SessionState> sessions(std::string *error) const;
  const config::BirdConfig &paths() const { return paths_; }

 private:
  config::BirdConfig paths_;
};

}  // namespace maglb::bgp
