// A non-blocking stream server for the daemon's event loop: accepts on one
// listening socket, buffers each client's input and output, and enforces
// limits (clients, time without progress) so that no client, however slow
// or hostile, can block the daemon or grow its memory without bound. The
// protocol is supplied by a subclass. One thread (the event loop) only.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace maglb::daemon {

using SteadyClock = std::chrono::steady_clock;

struct Connection {
  int fd = -1;
  ucred peer{};     // SO_PEERCRED (Unix sockets); zero otherwise
  std::string in;   // received, not yet consumed by the protocol
  std::string out;  // to send
  size_t out_sent = 0;
  bool close_after_flush = false;  // protocol: close once `out` is sent
  bool peer_closed = false;        // EOF seen on input
  SteadyClock::time_point last_progress{};
};

class StreamServer {
 public:
  struct Limits {
    size_t max_clients = 64;
    size_t max_input = 1u << 20;  // unconsumed input bytes kept per client (then on_overflow)
    // A client with a partial request, or unsent output, that makes no
    // progress for this long is dropped (a stalled or malicious peer).
    std::chrono::milliseconds stall_timeout{10000};
    std::chrono::milliseconds idle_timeout{300000};  // no request at all
  };

  StreamServer(int listen_fd, Limits limits);
  virtual ~StreamServer();
  StreamServer(const StreamServer &) = delete;
  StreamServer &operator=(const StreamServer &) = delete;

  // Appends this server's fds (listener first) to `fds`; dispatch() gets
  // the same range back after poll(). Per loop: fill, poll, dispatch, expire.
  void fill(std::vector<pollfd> &fds);
  void dispatch(const pollfd *fds, size_t n);
  // Drops stalled and idle clients. Call at least once a second.
  void expire(SteadyClock::time_point now);

  size_t clients() const { return clients_.size(); }

 protected:
  // A new client; return false to refuse it (anything queued in c.out is
  // sent if the socket takes it at once, then it is closed). server_full:
  // Limits::max_clients are connected, the client will be refused anyway.
  virtual bool on_accept(Connection &c, bool server_full) = 0;
  // c.in holds unconsumed bytes and c.out is empty: consume AT MOST one
  // complete request from c.in and queue its response (and/or set
  // close_after_flush). Consuming nothing means "need more bytes". One at a
  // time, so a client that pipelines requests but never reads gets one
  // response queued, not thousands.
  virtual void on_input(Connection &c) = 0;
  // c.in exceeds Limits::max_input without a complete request. Must queue
  // a response or set close_after_flush.
  virtual void on_overflow(Connection &c) = 0;
  // The peer closed its side (timed_out false), or stalled (true), with a
  // partial request in c.in. The connection is closed after this.
  virtual void on_truncated(Connection &c, bool timed_out) = 0;

 private:
  void accept_all();
  // Each returns false when the connection must be closed.
  bool read_some(Connection &c);
  bool flush(Connection &c);
  // Alternates flushing output and handing input to the protocol until it
  // has to wait for the socket.
  bool pump(Connection &c);
  void close_client(size_t i);

  const int listen_fd_;
  const Limits limits_;
  std::vector<std::unique_ptr<Connection>> clients_;
  std::vector<Connection *> polled_;  // clients in the order of the last fill()
};

}  // namespace maglb::daemon
