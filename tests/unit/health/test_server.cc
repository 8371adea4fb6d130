#include "test_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace maglb::health::test {

std::unique_ptr<TestServer> TestServer::start(const std::string &address, uint16_t port, Mode mode,
                                              std::string *error) {
  const auto ip = parse_ip(address);
  if (!ip) {
    *error = "bad address " + address;
    return nullptr;
  }
  sockaddr_storage sa;
  const socklen_t len = to_sockaddr(*ip, port, &sa);
  const int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  }
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&sa), len) != 0 || listen(fd, 128) != 0) {
    *error = "listen on " + format_ip_port(*ip, port) + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return nullptr;
  }
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  auto server = std::unique_ptr<TestServer>(new TestServer(fd, stop_fd, mode));
  server->thread_ = std::thread([s = server.get()] { s->run(); });
  return server;
}

TestServer::TestServer(int listen_fd, int stop_fd, Mode mode)
    : listen_fd_(listen_fd), stop_fd_(stop_fd), mode_(mode) {}

TestServer::~TestServer() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof(one));
  thread_.join();
  for (int fd : held_) close(fd);
  close(listen_fd_);
  close(stop_fd_);
}

void TestServer::set_raw(std::string bytes) {
  std::lock_guard lock(mu_);
  raw_ = std::move(bytes);
}

std::string TestServer::last_peer() const {
  std::lock_guard lock(mu_);
  return last_peer_;
}

void TestServer::run() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_storage peer;
    socklen_t peer_len = sizeof(peer);
    const int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr *>(&peer), &peer_len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    {
      IpAddress ip;
      if (peer.ss_family == AF_INET) {
        ip.family = MAGLB_FAMILY_IPV4;
        std::memcpy(ip.addr.data(), &reinterpret_cast<sockaddr_in *>(&peer)->sin_addr, 4);
      } else {
        ip.family = MAGLB_FAMILY_IPV6;
        std::memcpy(ip.addr.data(), &reinterpret_cast<sockaddr_in6 *>(&peer)->sin6_addr, 16);
      }
      std::lock_guard lock(mu_);
      last_peer_ = format_ip(ip);
    }
    switch (mode_) {
      case Mode::kHang:
        held_.push_back(fd);
        break;
      case Mode::kRaw: {
        std::string raw;
        {
          std::lock_guard lock(mu_);
          raw = raw_;
        }
        // Read the request first: closing with unread bytes would send a
        // reset instead of the orderly close this mode is for.
        if (read_request(fd)) {
          [[maybe_unused]] ssize_t n = send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
        }
        close(fd);
        break;
      }
      case Mode::kHttp:
        serve_http(fd);
        close(fd);
        break;
    }
  }
}

// Reads a request head (bounded, 1 s at most: a TCP-connect probe sends
// nothing and resets). False if none arrived.
bool TestServer::read_request(int fd) {
  std::string request;
  char buf[1024];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) return false;
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    request.append(buf, static_cast<size_t>(n));
  }
  return true;
}

void TestServer::serve_http(int fd) {
  if (!read_request(fd)) return;
  const int status = status_;
  const std::string response = "HTTP/1.1 " + std::to_string(status) +
                               (status == 200 ? " OK" : " Service Unavailable") +
                               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  [[maybe_unused]] ssize_t n = send(fd, response.data(), response.size(), MSG_NOSIGNAL);
}

}  // namespace maglb::health::test
