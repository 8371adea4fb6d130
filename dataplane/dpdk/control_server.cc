#include "control_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace maglb::dpdk {

namespace {

// Requests are read in slices of this size, so a header announcing a large
// payload costs memory only as its bytes actually arrive.
constexpr size_t kReadChunk = 1u << 20;

bool known_type(uint16_t type) {
  return type == MAGLB_CTL_PING || type == MAGLB_CTL_INSTALL_SNAPSHOT ||
         type == MAGLB_CTL_SET_INTERFACE || type == MAGLB_CTL_GET_STATS ||
         type == MAGLB_CTL_STOP_FORWARDING;
}

}  // namespace

std::unique_ptr<ControlServer> ControlServer::create(const std::string &path,
                                                     ControlHandler &handler, Limits limits,
                                                     std::string *error) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    *error = "control socket path '" + path + "' is empty or longer than " +
             std::to_string(sizeof(addr.sun_path) - 1) + " bytes";
    return nullptr;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());

  // Is a live dataplane already serving this path? Then refuse rather than
  // steal its socket; a file nobody accepts on is a leftover and goes.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = path + " exists and is not a socket";
      return nullptr;
    }
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0) {
      bool live = ::connect(probe, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
      ::close(probe);
      if (live) {
        *error = "another process is serving " + path;
        return nullptr;
      }
    }
    ::unlink(path.c_str());
  }

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  // The umask makes the file 0600 from the moment it exists (a chmod after
  // bind would leave a window in which others could connect).
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
  int bind_errno = errno;
  ::umask(old_mask);
  if (rc != 0) {
    *error = "bind " + path + ": " + std::strerror(bind_errno);
    ::close(fd);
    return nullptr;
  }
  if (::listen(fd, 16) != 0) {
    *error = "listen " + path + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(path.c_str());
    return nullptr;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(fd, path, handler, limits));
}

ControlServer::~ControlServer() {
  for (auto &c : clients_) ::close(c->fd);
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

void ControlServer::accept_clients() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an error the next poll will report again
    if (clients_.size() >= limits_.max_clients) {
      counters_.rejected_full++;
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = fd;
    c->last_activity = Clock::now();
    clients_.push_back(std::move(c));
    counters_.accepted++;
  }
}

void ControlServer::respond(Client &c, uint16_t type, uint32_t status, const std::string &body) {
  // Bodies never exceed the limit in practice (stats of 65,535 backends are
  // a few MB); truncating keeps the frame valid if one ever did.
  size_t len = std::min<size_t>(body.size(), MAGLB_CTL_MAX_PAYLOAD);
  maglb_ctl_header h{MAGLB_CTL_MAGIC, MAGLB_CTL_VERSION,
                     static_cast<uint16_t>(type | MAGLB_CTL_RESPONSE), status,
                     static_cast<uint32_t>(len)};
  if (c.out.empty()) c.write_started = Clock::now();
  c.out.append(reinterpret_cast<const char *>(&h), sizeof(h));
  c.out.append(body, 0, len);
}

void ControlServer::finish_request(Client &c) {
  counters_.requests++;
  uint16_t type = c.header.type;
  if (!known_type(type)) {
    respond(c, type, MAGLB_CTL_BAD_REQUEST, "unknown request type " + std::to_string(type));
  } else {
    ControlResponse r = handler_.handle(type, {c.payload.data(), c.payload_have});
    respond(c, type, r.status, r.body);
  }
  c.header_have = 0;
  c.payload.clear();
  c.payload.shrink_to_fit();  // a 20 MB blob must not stay allocated per client
  c.payload_have = 0;
}

bool ControlServer::read_client(Client &c) {
  // While a response is pending, read nothing more: a client that does not
  // read its responses cannot make us buffer without bound.
  while (c.out.empty() && !c.close_after_write) {
    if (c.header_have < sizeof(c.header)) {
      auto *h = reinterpret_cast<uint8_t *>(&c.header);
      ssize_t n = ::recv(c.fd, h + c.header_have, sizeof(c.header) - c.header_have, 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      if (c.header_have == 0) c.message_started = Clock::now();
      c.header_have += static_cast<size_t>(n);
      c.last_activity = Clock::now();
      if (c.header_have < sizeof(c.header)) continue;
      if (c.header.magic != MAGLB_CTL_MAGIC || c.header.version != MAGLB_CTL_VERSION) {
        // Without a trustworthy length the stream cannot be resynchronised.
        counters_.framing_errors++;
        respond(c, c.header.type, MAGLB_CTL_BAD_REQUEST, "bad magic or protocol version");
        c.close_after_write = true;
        return true;
      }
      if (c.header.length > MAGLB_CTL_MAX_PAYLOAD) {
        counters_.framing_errors++;
        respond(c, c.header.type, MAGLB_CTL_TOO_LARGE,
                "payload of " + std::to_string(c.header.length) + " bytes exceeds the limit of " +
                    std::to_string(MAGLB_CTL_MAX_PAYLOAD));
        c.close_after_write = true;
        return true;
      }
      if (c.header.length == 0) finish_request(c);
      continue;
    }
    size_t want = c.header.length - c.payload_have;
    if (c.payload.size() < c.payload_have + std::min(want, kReadChunk)) {
      c.payload.resize(c.payload_have + std::min(want, kReadChunk));
    }
    ssize_t n =
        ::recv(c.fd, c.payload.data() + c.payload_have, c.payload.size() - c.payload_have, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.payload_have += static_cast<size_t>(n);
    c.last_activity = Clock::now();
    if (c.payload_have == c.header.length) finish_request(c);
  }
  return true;
}

bool ControlServer::write_client(Client &c) {
  while (c.out_sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.out_sent += static_cast<size_t>(n);
    c.last_activity = Clock::now();
  }
  c.out.clear();
  c.out.shrink_to_fit();
  c.out_sent = 0;
  return !c.close_after_write;
}

bool ControlServer::timed_out(const Client &c, Clock::time_point now) {
  if (!c.out.empty()) return now - c.write_started > limits_.write_timeout;
  if (c.header_have > 0) return now - c.message_started > limits_.message_timeout;
  return now - c.last_activity > limits_.idle_timeout;
}

void ControlServer::poll(int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(clients_.size() + 1);
  fds.push_back({listen_fd_, POLLIN, 0});
  for (auto &c : clients_) {
    short ev = c->out.empty() ? POLLIN : POLLOUT;
    fds.push_back({c->fd, ev, 0});
  }
  int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  if (rc < 0) return;  // EINTR: the caller's loop checks its stop flag
  if (fds[0].revents & POLLIN) accept_clients();

  auto now = Clock::now();
  std::vector<std::unique_ptr<Client>> kept;
  kept.reserve(clients_.size());
  for (size_t i = 0; i < clients_.size(); i++) {
    Client &c = *clients_[i];
    bool alive = true;
    // Clients accepted during this poll are not in fds; serve them next time.
    short rev = i + 1 < fds.size() ? fds[i + 1].revents : 0;
    if (rev & (POLLIN | POLLHUP | POLLERR)) alive = read_client(c);
    // A request read just now may have produced a response: try it at once.
    if (alive && !c.out.empty()) alive = write_client(c);
    if (alive && timed_out(c, now)) {
      counters_.timeouts++;
      alive = false;
    }
    if (alive) {
      kept.push_back(std::move(clients_[i]));
    } else {
      ::close(c.fd);
    }
  }
  clients_ = std::move(kept);
}

}  // namespace maglb::dpdk
