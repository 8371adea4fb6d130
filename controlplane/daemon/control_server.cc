#include "control_server.h"

#include <unistd.h>

namespace maglb::daemon {

StreamServer::Limits ControlServer::default_limits() {
  Limits l;
  l.max_input = kMaxRequestBytes + 2;  // the longest line plus "\r\n"
  return l;
}

ControlServer::ControlServer(int listen_fd, std::string path, Handler handler,
                             DaemonCounters &counters, Limits limits)
    : StreamServer(listen_fd, limits),
      path_(std::move(path)),
      handler_(std::move(handler)),
      counters_(counters) {}

ControlServer::~ControlServer() {
  ::unlink(path_.c_str());
}

void ControlServer::respond(Connection &c, const nlohmann::json &response) {
  const bool ok = response.value("ok", false);
  ++(ok ? counters_.control_requests_ok : counters_.control_requests_failed);
  c.out += encode_response(response);
}

bool ControlServer::on_accept(Connection &c, bool server_full) {
  if (c.peer.uid != 0 && c.peer.uid != ::geteuid()) {
    ++counters_.control_clients_rejected;
    c.out = encode_response(
        error_response("permission denied: uid " + std::to_string(c.peer.uid) +
                       " may not use the control socket (only root and the daemon's user)"));
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
