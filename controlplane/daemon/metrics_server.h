// The Prometheus endpoint: a minimal HTTP/1.0-style server on the event
// loop (one request per connection, then close). GET /metrics answers the
// text format; everything else gets a short error. Requests are bounded
// (8 KiB of headers, 5 s) so scrapers cannot tie the daemon up.
#pragma once

#include <functional>
#include <string>

#include "daemon_counters.h"
#include "stream_server.h"

namespace maglb::daemon {

class MetricsServer : public StreamServer {
 public:
  using Render = std::function<std::string()>;
  MetricsServer(int listen_fd, Render render, DaemonCounters &counters);

  // The response bytes for one request head (request line + headers);
  // public so that it can be tested without sockets.
  static std::string respond(const std::string &head, const Render &render);

 protected:
  bool on_accept(Connection &c, bool server_full) override;
  void on_input(Connection &c) override;
  void on_overflow(Connection &c) override;
  void on_truncated(Connection &c, bool timed_out) override;

 private:
  Render render_;
  DaemonCounters &counters_;
};

}  // namespace maglb::daemon
