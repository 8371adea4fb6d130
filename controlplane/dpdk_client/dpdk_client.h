// Client of the DPDK dataplane's control socket (protocol:
// dataplane/abi/maglb_control.h, docs/dataplane.md). No DPDK headers:
// the control plane reaches the DPDK dataplane only through this socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "maglb_control.h"

namespace maglb::dpdk_client {

// Not a wire status: the request never got a response (connect, write, read,
// timeout or framing failure on the client side). The connection is closed.
inline constexpr uint32_t kTransportError = 0x10000;

struct Reply {
  uint32_t status = kTransportError;  // enum maglb_ctl_status, or kTransportError
  std::string message;                // the server's message, or the transport error
  bool ok() const { return status == MAGLB_CTL_OK; }
};

// "ok", "bad_request", "invalid", "stale", "too_large", "internal", "transport".
std::string status_name(uint32_t status);

class Client {
 public:
  // Connects to the Unix socket at `path`. `timeout` bounds every later
  // request (send and receive together). Returns nullptr and sets *error.
  static std::unique_ptr<Client> connect(const std::string &path, std::chrono::milliseconds timeout,
                                         std::string *error);
  ~Client();
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  Reply ping();
  // The dataplane validates the whole blob; on any error nothing changes.
  Reply install_snapshot(std::span<const uint8_t> blob);
  // JSON document described in docs/dataplane.md ("SET_INTERFACE").
  Reply set_interface(const std::string &json);
  // On success *stats holds the parsed document; a reply that is not JSON
  // becomes status MAGLB_CTL_INTERNAL with the parser's message.
  Reply get_stats(nlohmann::json *stats);
  // STOP_FORWARDING: RX off until the next install_snapshot.
  Reply stop_forwarding();

  // One framed request, one response.
  Reply request(uint16_t type, std::span<const uint8_t> payload);
  // Writes `bytes` as they are (no framing), then reads one response: lets
  // tests send malformed frames.
  Reply send_raw(std::span<const uint8_t> bytes);

  bool connected() const { return fd_ >= 0; }

 private:
  Client(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}
  Reply fail(const std::string &what);
  bool write_all(std::span<const uint8_t> bytes, std::chrono::steady_clock::time_point deadline,
                 std::string *error);
  bool read_all(std::span<uint8_t> bytes, std::chrono::steady_clock::time_point deadline,
                std::string *error);
  Reply read_reply(std::chrono::steady_clock::time_point deadline);

  int fd_;
  std::chrono::milliseconds timeout_;
};

}  // namespace maglb::dpdk_client
