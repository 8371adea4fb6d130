#include "metrics_server.h"

namespace maglb::daemon {
namespace {

StreamServer::Limits metrics_limits() {
  StreamServer::Limits l;
  l.max_clients = 16;
  l.max_input = 8192;
  l.stall_timeout = std::chrono::milliseconds(5000);
  l.idle_timeout = std::chrono::milliseconds(5000);
  return l;
}

std::string http(const char *status, const char *content_type, const std::string &body) {
  return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

}  // namespace

MetricsServer::MetricsServer(int listen_fd, Render render, DaemonCounters &counters)
    : StreamServer(listen_fd, metrics_limits()), render_(std::move(render)), counters_(counters) {}

std::string MetricsServer::respond(const std::string &head, const Render &render) {
  const size_t eol = head.find_first_of("\r\n");
  const std::string line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos) return http("400 Bad Request", "text/plain", "bad request\n");
  const std::string method = line.substr(0, sp1);
  std::string target =
      line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
  if (const size_t q = target.find('?'); q != std::string::npos) target.resize(q);
  if (method != "GET" && method != "HEAD") {
    return http("405 Method Not Allowed", "text/plain", "only GET\n");
  }
  std::string response;
  if (target == "/metrics") {
    response = http("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
  } else if (target == "/") {
    response = http("200 OK", "text/plain", "maglbd: metrics at /metrics\n");
  } else {
    response = http("404 Not Found", "text/plain", "not found; metrics are at /metrics\n");
  }
  if (method == "HEAD") response.resize(response.find("\r\n\r\n") + 4);
  return response;
}

bool MetricsServer::on_accept(Connection &, bool) {
  return true;
}

void MetricsServer::on_input(Connection &c) {
  size_t end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) end = c.in.find("\n\n");
  if (end == std::string::npos) return;
  ++counters_.metrics_scrapes;
  c.out = respond(c.in.substr(0, end), render_);
  c.in.clear();
  c.close_after_flush = true;
}

void MetricsServer::on_overflow(Connection &c) {
  c.in.clear();
  c.out = http("431 Request Header Fields Too Large", "text/plain", "request too large\n");
}

void MetricsServer::on_truncated(Connection &c, bool) {
  c.in.clear();
  c.out = http("400 Bad Request", "text/plain", "incomplete request\n");
}

}  // namespace maglb::daemon
