#include "dpdk_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace maglb::dpdk_client {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until fd is ready for `events` or the deadline passes.
bool wait_ready(int fd, short events, Clock::time_point deadline, std::string *error) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      *error = "timed out";
      return false;
    }
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) {
      *error = std::string("poll: ") + std::strerror(errno);
      return false;
    }
  }
}

}  // namespace

std::string status_name(uint32_t status) {
  switch (status) {
    case MAGLB_CTL_OK:
      return "ok";
    case MAGLB_CTL_BAD_REQUEST:
      return "bad_request";
    case MAGLB_CTL_INVALID:
      return "invalid";
    case MAGLB_CTL_STALE:
      return "stale";
    case MAGLB_CTL_TOO_LARGE:
      return "too_large";
    case MAGLB_CTL_INTERNAL:
      return "internal";
    case kTransportError:
      return "transport";
    default:
      return "status_" + std::to_string(status);
  }
}

std::unique_ptr<Client> Client::connect(const std::string &path, std::chrono::milliseconds timeout,
                                        std::string *error) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    *error = "control socket path '" + path + "' is empty or too long";
    return nullptr;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  // A Unix stream connect either completes or fails at once (EAGAIN when the
  // backlog is full), so no connect-in-progress handling is needed.
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
    *error = "connect " + path + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<Client>(new Client(fd, timeout));
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

Reply Client::fail(const std::string &what) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return Reply{kTransportError, what};
}

bool Client::write_all(std::span<const uint8_t> bytes, Clock::time_point deadline,
                       std::string *error) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_ready(fd_, POLLOUT, deadline, error)) return false;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      *error = std::string("send: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool Client::read_all(std::span<uint8_t> bytes, Clock::time_point deadline, std::string *error) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::recv(fd_, bytes.data() + done, bytes.size() - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0) {
      *error = "connection closed by the dataplane";
      return false;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_ready(fd_, POLLIN, deadline, error)) return false;
    } else if (errno != EINTR) {
      *error = std::string("recv: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

Reply Client::read_reply(Clock::time_point deadline) {
  maglb_ctl_header h{};
  std::string error;
  if (!read_all({reinterpret_cast<uint8_t *>(&h), sizeof(h)}, deadline, &error)) {
    return fail("reading response header: " + error);
  }
  if (h.magic != MAGLB_CTL_MAGIC || h.version != MAGLB_CTL_VERSION ||
      (h.type & MAGLB_CTL_RESPONSE) == 0 || h.length > MAGLB_CTL_MAX_PAYLOAD) {
    return fail("malformed response header");
  }
  std::string message(h.length, '\0');
  if (!read_all({reinterpret_cast<uint8_t *>(message.data()), message.size()}, deadline, &error)) {
    return fail("reading response payload: " + error);
  }
  return Reply{h.status, std::move(message)};
}

Reply Client::request(uint16_t type, std::span<const uint8_t> payload) {
  if (fd_ < 0) return Reply{kTransportError, "not connected"};
  if (payload.size() > MAGLB_CTL_MAX_PAYLOAD) {
    return Reply{MAGLB_CTL_TOO_LARGE, "payload of " + std::to_string(payload.size()) +
                                          " bytes exceeds the protocol limit"};
  }
  auto deadline = Clock::now() + timeout_;
  maglb_ctl_header h{MAGLB_CTL_MAGIC, MAGLB_CTL_VERSION, type, 0,
                     static_cast<uint32_t>(payload.size())};
  std::string error;
  if (!write_all({reinterpret_cast<const uint8_t *>(&h), sizeof(h)}, deadline, &error) ||
      !write_all(payload, deadline, &error)) {
    return fail("sending request: " + error);
  }
  return read_reply(deadline);
}

Reply Client::send_raw(std::span<const uint8_t> bytes) {
  if (fd_ < 0) return Reply{kTransportError, "not connected"};
  auto deadline = Clock::now() + timeout_;
  std::string error;
  if (!write_all(bytes, deadline, &error)) return fail("sending raw bytes: " + error);
  return read_reply(deadline);
}

Reply Client::ping() {
  return request(MAGLB_CTL_PING, {});
}

Reply Client::stop_forwarding() {
  return request(MAGLB_CTL_STOP_FORWARDING, {});
}

Reply Client::install_snapshot(std::span<const uint8_t> blob) {
  return request(MAGLB_CTL_INSTALL_SNAPSHOT, blob);
}

Reply Client::set_interface(const std::string &json) {
  return request(MAGLB_CTL_SET_INTERFACE,
                 {reinterpret_cast<const uint8_t *>(json.data()), json.size()});
}

Reply Client::get_stats(nlohmann::json *stats) {
  Reply r = request(MAGLB_CTL_GET_STATS, {});
  if (!r.ok()) return r;
  try {
    *stats = nlohmann::json::parse(r.message);
  } catch (const nlohmann::json::exception &e) {
    return Reply{MAGLB_CTL_INTERNAL, std::string("stats are not JSON: ") + e.what()};
  }
  return r;
}

}  // namespace maglb::dpdk_client
