#include "daemon_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace maglb::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Largest response accepted: a table dump of the largest table (5,000,011
// slots of up to 10 digits) fits with room to spare.
constexpr size_t kMaxResponseBytes = 256u << 20;

bool wait_for(int fd, short events, Clock::time_point deadline, std::string *error) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      *error = "maglbd did not answer in time";
      return false;
    }
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) {
      *error = std::string("poll: ") + std::strerror(errno);
      return false;
    }
  }
}

}  // namespace

std::unique_ptr<DaemonClient> DaemonClient::connect(const std::string &path,
                                                    std::chrono::milliseconds timeout,
                                                    std::string *error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    *error = "socket path '" + path + "' is empty or too long";
    return nullptr;
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
    *error = "cannot connect to maglbd at " + path + ": " + std::strerror(errno) +
             " (is maglbd running? --socket PATH selects another socket)";
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<DaemonClient>(new DaemonClient(fd, path, timeout));
}

DaemonClient::~DaemonClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<nlohmann::json> DaemonClient::call(const nlohmann::json &request,
                                                 std::string *error) {
  if (fd_ < 0) {
    *error = "not connected";
    return std::nullopt;
  }
  auto fail = [&](const std::string &why) -> std::optional<nlohmann::json> {
    *error = why;
    ::close(fd_);
    fd_ = -1;
    return std::nullopt;
  };
  const auto deadline = Clock::now() + timeout_;
  const std::string line =
      request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd_, POLLOUT, deadline, error)) return fail(*error);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return fail("sending to maglbd: " + std::string(std::strerror(errno)));
    }
  }
  size_t nl;
  while ((nl = buffer_.find('\n')) == std::string::npos) {
    if (buffer_.size() > kMaxResponseBytes) return fail("response from maglbd too large");
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return fail("maglbd closed the connection without an answer");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLIN, deadline, error)) return fail(*error);
    } else if (errno != EINTR) {
      return fail("reading from maglbd: " + std::string(std::strerror(errno)));
    }
  }
  nlohmann::json response = nlohmann::json::parse(
      buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
  buffer_.erase(0, nl + 1);
  if (response.is_discarded() || !response.is_object() || !response.contains("ok")) {
    return fail("maglbd sent a malformed response");
  }
  return response;
}

}  // namespace maglb::cli
