#include "announcer.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "bird_config.h"

namespace maglb::bgp {

namespace {

std::string list(const std::vector<config::Address> &addresses) {
  std::string out;
  for (const config::Address &a : addresses) {
    if (!out.empty()) out += ' ';
    out += config::format_address(a);
  }
  return out.empty() ? "(none)" : out;
}

std::vector<config::Address> minus(const std::vector<config::Address> &a,
                                   const std::vector<config::Address> &b) {
  std::vector<config::Address> out;
  for (const config::Address &x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

}  // namespace

Announcer::Announcer(config::BgpConfig config, WriteFile write_file, Note note)
    : config_(std::move(config)),
      bird_(config_.bird),
      write_file_(std::move(write_file)),
      note_(std::move(note)) {}

std::string Announcer::apply(const std::vector<config::Address> &announce) {
  if (std::string e = write_file_(config_.bird.config, render_bird_config(config_, announce));
      !e.empty()) {
    return "writing " + config_.bird.config + ": " + e;
  }
  return bird_.configure();
}

std::string Announcer::start() {
  if (bird_.alive()) {
    // A BIRD that outlived the previous maglbd (crash, restart, or run by
    // someone else) keeps announcing what that one decided; leave it alone
    // until the first update() so that a daemon restart does not flap the
    // routes (and move flows between instances).
    note_(false, "BIRD is running (socket " + config_.bird.socket +
                     "); keeping its announcements until health checks decide");
    std::ifstream file(config_.bird.config);
    std::stringstream text;
    text << file.rdbuf();
    applied_ = announced_in(text.str());
    adopted_ = true;
    dirty_ = true;
    return "";
  }
  if (std::string e = write_file_(config_.bird.config, render_bird_config(config_, {}));
      !e.empty()) {
    return "writing " + config_.bird.config + ": " + e;
  }
  if (!config_.bird.manage) {
    // Someone else starts BIRD (with our file); retried until it answers.
    note_(true, "BIRD does not answer on " + config_.bird.socket + "; waiting for it");
    dirty_ = true;
    return "";
  }
  if (std::string e = bird_.start(); !e.empty()) return e;
  note_(false,
        "BIRD started (config " + config_.bird.config + ", socket " + config_.bird.socket + ")");
  return "";
}

void Announcer::update(const std::vector<config::Address> &wanted, Clock::time_point now) {
  if (wanted != wanted_) {
    wanted_ = wanted;
    dirty_ = true;
    next_try_ = now;  // news is applied at once, even right after a failure
  }
  if (!dirty_ || now < next_try_) return;
  const std::string e = apply(wanted_);
  if (!e.empty()) {
    if (e != last_error_)
      note_(true, "BGP announcements not applied (retrying every second): " + e);
    last_error_ = e;
    next_try_ = now + std::chrono::seconds(1);
    return;
  }
  const auto added = minus(wanted_, applied_);
  const auto removed = minus(applied_, wanted_);
  if (!added.empty()) note_(false, "BGP: announcing " + list(added));
  if (!removed.empty()) note_(false, "BGP: withdrawing " + list(removed));
  applied_ = wanted_;
  dirty_ = false;
  last_error_.clear();
}

void Announcer::set_config(const config::BgpConfig &config) {
  if (config == config_) return;
  if (config.bird != config_.bird) {
    note_(true, "bgp.bird changed: the new paths take effect when maglbd restarts");
  }
  const config::BirdConfig bird = config_.bird;
  config_ = config;
  config_.bird = bird;
  dirty_ = true;
  next_try_ = {};
}

void Announcer::shutdown() {
  if (std::string e = apply({}); !e.empty()) {
    note_(true, "BGP: could not withdraw on shutdown: " + e);
  } else {
    note_(false, "BGP: withdrew every VIP; forwarding for " +
                     std::to_string(config_.withdraw_delay_ms) + " ms more");
    applied_.clear();
    // The one deliberate wait: the routers need this long to move the
    // flows elsewhere; until then this dataplane must keep serving them.
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.withdraw_delay_ms));
  }
  if (config_.bird.manage) {
    if (std::string e = bird_.stop(); !e.empty()) note_(true, e);
  }
}

nlohmann::json Announcer::status() const {
  nlohmann::json announced = nlohmann::json::array();
  for (const config::Address &a : applied_) announced.push_back(config::format_address(a));
  nlohmann::json sessions = nlohmann::json::array();
  std::string error;
  for (const SessionState &s : bird_.sessions(&error)) {
    std::string peer = s.protocol;
    for (const config::BgpPeerConfig &p : config_.peers) {
      if (peer_protocol_name(p) == s.protocol) peer = config::format_address(p.address);
    }
    sessions.push_back(
        {{"peer", peer}, {"state", s.state}, {"info", s.info}, {"established", s.established}});
  }
  nlohmann::json out = {{"announced", announced}, {"sessions", sessions}};
  if (!error.empty()) out["bird_error"] = error;
  if (!last_error_.empty()) out["error"] = last_error_;
  return out;
}

}  // namespace maglb::bgp
