// Runs a batch of TCP-connect and HTTP probes at once, in the calling thread,
// over non-blocking sockets and one epoll set: a batch of N probes takes
// about one timeout, not N (up to max_in_flight sockets open at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "health_types.h"

namespace maglb::health {

struct ProbeRequest {
  CheckType type = CheckType::kTcp;  // kTcp or kHttp
  IpAddress target;
  uint16_t port = 0;
  std::optional<IpAddress> source;  // bind before connect (same family as target)
  std::string path = "/";           // HTTP only
  std::string host;                 // HTTP Host header; empty: "<target>:<port>"
  uint16_t expect_status = 200;     // HTTP only
  std::chrono::milliseconds timeout{500};
  std::optional<TunnelSpec> tunnel;  // then also the tunnel probe (tunnel_probe.h)
};

enum class ProbeOutcome : uint8_t {
  kSuccess,
  kFailure,     // the backend failed the check: counts towards `fall`
  kLocalError,  // this host could not run the probe (no socket, bad source): not counted
  kAborted,     // interrupted by ProbeEngine::interrupt(): not counted
};

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kAborted;
  std::string reason = "aborted";  // "connected", "HTTP 200", "connect refused", ...
  std::chrono::microseconds elapsed{0};
};

class ProbeEngine {
 public:
  // Returns nullptr and sets *error if the epoll set cannot be created.
  static std::unique_ptr<ProbeEngine> create(size_t max_in_flight, std::string *error);
  ~ProbeEngine();
  ProbeEngine(const ProbeEngine &) = delete;
  ProbeEngine &operator=(const ProbeEngine &) = delete;

  // Runs every request; results[i] belongs to requests[i]. Returns when all
  // are done or, after interrupt(), promptly with the rest kAborted.
  std::vector<ProbeResult> run(const std::vector<ProbeRequest> &requests);

  // Safe from any thread. Latched: every later run() returns at once.
  void interrupt();

 private:
  class Batch;
  ProbeEngine(int epoll_fd, int interrupt_fd, size_t max_in_flight);

  int epoll_fd_;
  int interrupt_fd_;  // eventfd, in the epoll set, never drained
  size_t max_in_flight_;
};

}  // namespace maglb::health
