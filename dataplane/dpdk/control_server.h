// The dataplane's control socket server (protocol: maglb_control.h,
// docs/dataplane.md). Single-threaded and non-blocking: the control thread
// calls poll() in its loop, and a request is handled synchronously when its
// last byte arrives. No client can block it: every socket is non-blocking,
// sizes are bounded before anything is allocated, and a client that stalls
// in the middle of a message or does not read its responses is dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "maglb_control.h"

namespace maglb::dpdk {

struct ControlResponse {
  uint32_t status = MAGLB_CTL_OK;  // enum maglb_ctl_status
  std::string body;                // message, or JSON for GET_STATS
};

class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  // Called on the control thread with a complete, well-framed request of a
  // known type. Must not throw.
  virtual ControlResponse handle(uint16_t type, std::span<const uint8_t> payload) = 0;
};

class ControlServer {
 public:
  struct Limits {
    size_t max_clients = 16;
    std::chrono::milliseconds message_timeout{10'000};  // first byte to last byte of a request
    std::chrono::milliseconds write_timeout{10'000};    // a pending response must drain
    std::chrono::milliseconds idle_timeout{600'000};    // no message at all
  };
  struct Counters {
    uint64_t accepted = 0, rejected_full = 0, requests = 0, framing_errors = 0, timeouts = 0;
  };

  // Binds `path` with mode 0600. A stale socket file is replaced; a path on
  // which another process still accepts connections is an error.
  static std::unique_ptr<ControlServer> create(const std::string &path, ControlHandler &handler,
                                               Limits limits, std::string *error);
  ~ControlServer();
  ControlServer(const ControlServer &) = delete;
  ControlServer &operator=(const ControlServer &) = delete;

  // Waits up to timeout_ms for activity, then serves whatever is ready.
  void poll(int timeout_ms);
  const Counters &counters() const { return counters_; }
  size_t clients() const { return clients_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Client {
    int fd = -1;
    maglb_ctl_header header{};
    size_t header_have = 0;
    std::vector<uint8_t> payload;
    size_t payload_have = 0;
    std::string out;
    size_t out_sent = 0;
    bool close_after_write = false;
    Clock::time_point message_started{};  // valid while a message is partly read
    Clock::time_point last_activity{};
    Clock::time_point write_started{};
  };

  ControlServer(int fd, std::string path, ControlHandler &handler, Limits limits)
      : listen_fd_(fd), path_(std::move(path)), handler_(handler), limits_(limits) {}
  void accept_clients();
  // Each returns false when the client must be closed now.
  bool read_client(Client &c);
  bool write_client(Client &c);
  void finish_request(Client &c);
  void respond(Client &c, uint16_t type, uint32_t status, const std::string &body);
  bool timed_out(const Client &c, Clock::time_point now);

  int listen_fd_;
  std::string path_;
  ControlHandler &handler_;
  Limits limits_;
  std::vector<std::unique_ptr<Client>> clients_;
  Counters counters_;
};

}  // namespace maglb::dpdk
