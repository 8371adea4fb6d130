// maglbctl's side of the daemon's control protocol (docs/daemon.md): one
// JSON object per line each way over the Unix socket.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace maglb::cli {

// Where maglbd listens unless the config says otherwise (control.socket).
inline constexpr const char *kDefaultDaemonSocket = "/run/maglb/maglbd.sock";

class DaemonClient {
 public:
  // nullptr and *error ("cannot connect to maglbd at PATH: ... (is maglbd
  // running?)") when the socket does not answer.
  static std::unique_ptr<DaemonClient> connect(const std::string &path,
                                               std::chrono::milliseconds timeout,
                                               std::string *error);
  ~DaemonClient();
  DaemonClient(const DaemonClient &) = delete;
  DaemonClient &operator=(const DaemonClient &) = delete;

  // Sends the request, returns the response object ({"ok": ...}); nullopt
  // and *error on a transport or framing failure (the connection is then
  // closed).
  std::optional<nlohmann::json> call(const nlohmann::json &request, std::string *error);

 private:
  DaemonClient(int fd, std::string path, std::chrono::milliseconds timeout)
      : fd_(fd), path_(std::move(path)), timeout_(timeout) {}
  int fd_;
  std::string path_;
  std::chrono::milliseconds timeout_;
  std::string buffer_;  // bytes read past the last response line
};

}  // namespace maglb::cli
