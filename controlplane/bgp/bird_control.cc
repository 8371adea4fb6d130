#include "bird_control.h"

#include <chrono>
#include <sstream>
#include <thread>

#include "run_command.h"

namespace maglb::bgp {

namespace {

using std::chrono::milliseconds;
// Local socket round trips take milliseconds; a BIRD that needs longer is
// stuck, and the daemon's event loop must not wait on it.
constexpr milliseconds kBirdcTimeout{3000};

std::string first_line(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? text : line;
}

}  // namespace

std::vector<SessionState> parse_bgp_protocols(const std::string &show_protocols) {
  std::vector<SessionState> out;
  std::istringstream lines(show_protocols);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    // Name Proto Table State Since(date time) Info...
    if (w.size() < 4 || w[1] != "BGP") continue;
    SessionState s;
    s.protocol = w[0];
    s.state = w[3];
    for (size_t i = 6; i < w.size(); ++i) {
      if (!s.info.empty()) s.info += ' ';
      s.info += w[i];
    }
    s.established = s.info.rfind("Established", 0) == 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::string reply_errors(const std::string &birdc_output) {
  std::string errors;
  std::istringstream lines(birdc_output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() >= 4 && (line[0] == '8' || line[0] == '9') &&
        line.find_first_not_of("0123456789") == 4) {
      if (!errors.empty()) errors += "; ";
      errors += line.substr(5);
    }
  }
  return errors;
}

bool BirdControl::alive() const {
  return run_command({paths_.birdc, "-s", paths_.socket, "show", "status"}, kBirdcTimeout).ok;
}

std::string BirdControl::check_config() const {
  const CommandResult r = run_command({paths_.bird, "-p", "-c", paths_.config}, kBirdcTimeout);
  if (r.ok) return "";
  return r.error + (r.output.empty() ? "" : ": " + first_line(r.output));
}

std::string BirdControl::start() const {
  if (std::string e = check_config(); !e.empty()) return "BIRD refused its config: " + e;
  const CommandResult r = run_command(
      {paths_.bird, "-c", paths_.config, "-s", paths_.socket, "-P", paths_.socket + ".pid"},
      kBirdcTimeout, /*capture=*/false);
  if (!r.ok) return "starting BIRD: " + r.error;
  // bird returns once it has forked into the background; its socket opens
  // a moment later.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!alive()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return "BIRD started but its socket " + paths_.socket + " does not answer";
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return "";
}

std::string BirdControl::configure() const {
  const CommandResult r =
      run_command({paths_.birdc, "-v", "-s", paths_.socket, "configure"}, kBirdcTimeout);
  if (!r.ok) return "birdc configure: " + r.error + (r.output.empty() ? "" : ": " + r.output);
  if (std::string e = reply_errors(r.output); !e.empty()) return "birdc configure: " + e;
  return "";
}

std::string BirdControl::stop() const {
  const CommandResult r = run_command({paths_.birdc, "-s", paths_.socket, "down"}, kBirdcTimeout);
  return r.ok ? "" : "birdc down: " + r.error;
}

std::vector<SessionState> BirdControl::sessions(std::string *error) const {
  const CommandResult r =
      run_command({paths_.birdc, "-s", paths_.socket, "show", "protocols"}, kBirdcTimeout);
  if (!r.ok) {
    *error = "birdc show protocols: " + r.error;
    return {};
  }
  return parse_bgp_protocols(r.output);
}

}  // namespace maglb::bgp
