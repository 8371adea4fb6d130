#include "stream_server.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace maglb::daemon {

StreamServer::StreamServer(int listen_fd, Limits limits) : listen_fd_(listen_fd), limits_(limits) {}

StreamServer::~StreamServer() {
  for (auto &c : clients_) ::close(c->fd);
  ::close(listen_fd_);
}

void StreamServer::fill(std::vector<pollfd> &fds) {
  fds.push_back({listen_fd_, POLLIN, 0});
  polled_.clear();
  for (auto &c : clients_) {
    short events = 0;
    // Backpressure: the next request is read only once the answer to the
    // previous one is sent, and never beyond max_input.
    if (c->out_sent < c->out.size()) {
      events |= POLLOUT;
    } else if (!c->close_after_flush && !c->peer_closed && c->in.size() <= limits_.max_input) {
      events |= POLLIN;
    }
    fds.push_back({c->fd, events, 0});
    polled_.push_back(c.get());
  }
}

void StreamServer::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error: try at the next poll
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->last_progress = SteadyClock::now();
    socklen_t len = sizeof(c->peer);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) != 0) {
      c->peer = ucred{-1, static_cast<uid_t>(-1), static_cast<gid_t>(-1)};
    }
    const bool full = clients_.size() >= limits_.max_clients;
    if (!on_accept(*c, full) || full) {
      // Best effort: a refused client gets its one-line reason if the
      // socket buffer takes it now; it is never waited for.
      if (!c->out.empty()) {
        (void)!::send(fd, c->out.data(), c->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      ::close(fd);
      continue;
    }
    clients_.push_back(std::move(c));
  }
}

bool StreamServer::read_some(Connection &c) {
  char buf[65536];
  while (c.in.size() <= limits_.max_input) {
    const ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n > 0) {
      c.in.append(buf, static_cast<size_t>(n));
      c.last_progress = SteadyClock::now();
    } else if (n == 0) {
      c.peer_closed = true;
      return true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return true;
    } else if (errno != EINTR) {
      return false;  // reset by the peer, ...
    }
  }
  return true;
}

bool StreamServer::flush(Connection &c) {
  while (c.out_sent < c.out.size()) {
    const ssize_t n =
        ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_sent += static_cast<size_t>(n);
      c.last_progress = SteadyClock::now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      return false;  // EPIPE: the reader went away
    }
  }
  c.out.clear();
  c.out_sent = 0;
  return true;
}

bool StreamServer::pump(Connection &c) {
  for (;;) {
    if (c.out_sent < c.out.size()) {
      if (!flush(c)) return false;
      if (c.out_sent < c.out.size()) return true;  // wait for POLLOUT
    }
    if (c.close_after_flush) return false;
    if (c.in.empty()) return !c.peer_closed;
    const size_t before = c.in.size();
    on_input(c);
    if (!c.out.empty() || c.close_after_flush || c.in.size() != before) continue;
    // No complete request in c.in.
    if (c.in.size() > limits_.max_input) {
      on_overflow(c);
      c.close_after_flush = true;
    } else if (c.peer_closed) {
      on_truncated(c, false);
      c.close_after_flush = true;
    } else {
      return true;  // wait for more bytes
    }
  }
}

void StreamServer::close_client(size_t i) {
  ::close(clients_[i]->fd);
  clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
}

void StreamServer::dispatch(const pollfd *fds, size_t n) {
  if (n == 0) return;
  std::vector<Connection *> dead;
  for (size_t i = 1; i < n && i - 1 < polled_.size(); ++i) {
    Connection *c = polled_[i - 1];
    const short re = fds[i].revents;
    if (re == 0) continue;
    bool keep = (re & POLLNVAL) == 0;
    if (keep && (re & (POLLIN | POLLHUP | POLLERR)) && c->out_sent >= c->out.size()) {
      keep = read_some(*c);
    }
    if (keep) keep = pump(*c);
    if (!keep) dead.push_back(c);
  }
  for (Connection *d : dead) {
    const auto it =
        std::find_if(clients_.begin(), clients_.end(), [d](const auto &p) { return p.get() == d; });
    if (it != clients_.end()) close_client(static_cast<size_t>(it - clients_.begin()));
  }
  polled_.clear();
  // Accept last: new clients are not in polled_ and must not be closed or
  // dispatched with another client's revents.
  if (fds[0].revents & POLLIN) accept_all();
}

void StreamServer::expire(SteadyClock::time_point now) {
  for (size_t i = 0; i < clients_.size();) {
    Connection &c = *clients_[i];
    const auto quiet = now - c.last_progress;
    const bool output_pending = c.out_sent < c.out.size();
    bool drop = false;
    if (output_pending) {
      drop = quiet > limits_.stall_timeout;  // the reader stopped reading
    } else if (!c.in.empty()) {
      if (quiet > limits_.stall_timeout) {
        // A partial request that never completed: say so, then close.
        on_truncated(c, true);
        c.close_after_flush = true;
        c.last_progress = now;
        drop = !pump(c);
      }
    } else {
      drop = quiet > limits_.idle_timeout;
    }
    if (drop) {
      close_client(i);
    } else {
      ++i;
    }
  }
}

}  // namespace maglb::daemon
