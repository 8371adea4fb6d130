#include "control_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace maglb::daemon {

StreamServer::Limits ControlServer::default_limits() {
  Limits l;
  l.max_input = kMaxRequestBytes + 2;  // the longest line plus "\r\n"
  return l;
}

ControlServer::ControlServer(int listen_fd, std::string path, Handler handler,
                             DaemonCounters &counters, Limits limits, std::optional<gid_t> group)
    : StreamServer(listen_fd, limits),
      path_(std::move(path)),
      handler_(std::move(handler)),
      counters_(counters),
      group_(group) {}

ControlServer::~ControlServer() {
  ::unlink(path_.c_str());
}

void ControlServer::respond(Connection &c, const nlohmann::json &response) {
  const bool ok = response.value("ok", false);
  ++(ok ? counters_.control_requests_ok : counters_.control_requests_failed);
  c.out += encode_response(response);
}

bool ControlServer::allowed(const Connection &c) const {
  if (c.peer.uid == 0 || c.peer.uid == ::geteuid()) return true;
  if (!group_) return false;
  if (c.peer.gid == *group_) return true;
  // The credentials the peer had when it connected (Linux >= 4.13), not a
  // lookup in /etc/group that could disagree with the running process.
  std::vector<gid_t> groups(256);
  socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
  if (::getsockopt(c.fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) != 0) return false;
  groups.resize(len / sizeof(gid_t));
  return std::find(groups.begin(), groups.end(), *group_) != groups.end();
}

bool ControlServer::on_accept(Connection &c, bool server_full) {
  if (!allowed(c)) {
    ++counters_.control_clients_rejected;
    c.out = encode_response(error_response(
        "permission denied: uid " + std::to_string(c.peer.uid) +
        " may not use the control socket (only root, the daemon's user" +
        (group_ ? " and members of gid " + std::to_string(*group_) : std::string()) + ")"));
    return false;
  }
  if (server_full) {
    ++counters_.control_clients_rejected;
    c.out = encode_response(error_response("too many control clients; try again"));
    return false;
  }
  return true;
}

void ControlServer::on_input(Connection &c) {
  std::string line;
  switch (take_line(c.in, kMaxRequestBytes, &line)) {
    case LineResult::kNeedMore:
      return;
    case LineResult::kOversized:
      on_overflow(c);
      c.close_after_flush = true;
      return;
    case LineResult::kLine:
      break;
  }
  std::string error;
  const auto request = parse_request(line, &error);
  if (!request) {
    respond(c, error_response(error));
    return;
  }
  respond(c, handler_(*request));
}

void ControlServer::on_overflow(Connection &c) {
  c.in.clear();
  respond(c, error_response("request too large: no newline within " +
                            std::to_string(kMaxRequestBytes) + " bytes"));
}

void ControlServer::on_truncated(Connection &c, bool timed_out) {
  c.in.clear();
  respond(c, error_response(timed_out ? "truncated request: no newline before the timeout"
                                      : "truncated request: connection closed before a newline"));
}

}  // namespace maglb::daemon
