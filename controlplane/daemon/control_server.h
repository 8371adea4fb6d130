// The daemon's control socket: the stream server plus the control
// protocol's framing (control_protocol.h) and the peer check: only root,
// the daemon's own user and, when configured, members of the control group
// (SO_PEERCRED, SO_PEERGROUPS) may talk to it, whatever the socket file's
// mode says.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "control_protocol.h"
#include "daemon_counters.h"
#include "stream_server.h"

namespace maglb::daemon {

class ControlServer : public StreamServer {
 public:
  // Runs on the event loop; returns the response object.
  using Handler = std::function<nlohmann::json(const Request &)>;

  // Takes ownership of listen_fd (from listen_unix); removes `path` when
  // destroyed. `group`: peers whose primary or supplementary groups hold it
  // are let in too (control.socket_group).
  ControlServer(int listen_fd, std::string path, Handler handler, DaemonCounters &counters,
                Limits limits = default_limits(), std::optional<gid_t> group = std::nullopt);
  ~ControlServer() override;

  static Limits default_limits();

 protected:
  bool on_accept(Connection &c, bool server_full) override;
  void on_input(Connection &c) override;
  void on_overflow(Connection &c) override;
  void on_truncated(Connection &c, bool timed_out) override;

 private:
  void respond(Connection &c, const nlohmann::json &response);
  bool allowed(const Connection &c) const;

  const std::string path_;
  Handler handler_;
  DaemonCounters &counters_;
  const std::optional<gid_t> group_;
};

}  // namespace maglb::daemon
