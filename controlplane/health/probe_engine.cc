#include "probe_engine.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "http_status.h"
#include "tunnel_probe.h"

namespace maglb::health {
namespace {

constexpr uint64_t kInterruptTag = std::numeric_limits<uint64_t>::max();
// The status line is all the probe reads: a bounded buffer, whatever the body.
constexpr size_t kMaxResponseBytes = 512;
constexpr int kMaxEventsPerWait = 256;

std::string errno_text(int err) {
  return std::strerror(err);
}

// Errors that say something about this host rather than the backend: they
// must not push a healthy backend towards Down.
bool is_local_errno(int err) {
  return err == EADDRNOTAVAIL || err == EAGAIN || err == ENOBUFS || err == ENOMEM ||
         err == EMFILE || err == ENFILE || err == EADDRINUSE;
}

std::string connect_reason(int err) {
  switch (err) {
    case ECONNREFUSED:
      return "connect refused";
    case ETIMEDOUT:
      return "connect timed out";
    case EHOSTUNREACH:
      return "host unreachable";
    case ENETUNREACH:
      return "network unreachable";
    default:
      return "connect: " + errno_text(err);
  }
}

}  // namespace

class ProbeEngine::Batch {
 public:
  Batch(ProbeEngine &engine, const std::vector<ProbeRequest> &requests)
      : engine_(engine), requests_(requests), results_(requests.size()) {
    slots_.resize(std::min(engine.max_in_flight_, requests.size()));
    for (size_t i = slots_.size(); i-- > 0;) free_.push_back(i);
  }

  std::vector<ProbeResult> run();

 private:
  enum class Phase { kConnecting, kSending, kReceiving };
  struct Slot {
    int fd = -1;
    size_t request = 0;
    Phase phase = Phase::kConnecting;
    TimePoint start{};
    TimePoint deadline{};
    std::string out;  // HTTP request bytes
    size_t sent = 0;
    std::string in;  // response bytes so far (bounded)
  };

  void start(size_t request_index);
  void on_event(size_t slot_index, uint32_t events);
  void on_connected(Slot &slot);
  void send_some(Slot &slot);
  void receive_some(Slot &slot);
  void expire(TimePoint now);
  int wait_ms(TimePoint now) const;
  void finish(Slot &slot, ProbeOutcome outcome, std::string reason);
  void finish_unstarted(size_t request_index, ProbeOutcome outcome, std::string reason);
  void close_all();
  size_t slot_index(const Slot &slot) const { return static_cast<size_t>(&slot - slots_.data()); }

  ProbeEngine &engine_;
  const std::vector<ProbeRequest> &requests_;
  std::vector<ProbeResult> results_;
  std::vector<Slot> slots_;
  std::vector<size_t> free_;
  size_t active_ = 0;
};

std::vector<ProbeResult> ProbeEngine::Batch::run() {
  size_t next = 0;
  std::vector<epoll_event> events(kMaxEventsPerWait);
  while (true) {
    while (!free_.empty() && next < requests_.size()) start(next++);
    if (active_ == 0 && next == requests_.size()) break;

    const int n =
        epoll_wait(engine_.epoll_fd_, events.data(), kMaxEventsPerWait, wait_ms(Clock::now()));
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = "epoll_wait: " + errno_text(errno);
      for (Slot &slot : slots_) {
        if (slot.fd >= 0) finish(slot, ProbeOutcome::kLocalError, reason);
      }
      while (next < requests_.size()) finish_unstarted(next++, ProbeOutcome::kLocalError, reason);
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kInterruptTag) {
        close_all();  // unfinished results stay kAborted
        return std::move(results_);
      }
      on_event(static_cast<size_t>(events[i].data.u64), events[i].events);
    }
    expire(Clock::now());
  }
  return std::move(results_);
}

void ProbeEngine::Batch::start(size_t request_index) {
  const ProbeRequest &req = requests_[request_index];
  if (req.type != CheckType::kTcp && req.type != CheckType::kHttp) {
    finish_unstarted(request_index, ProbeOutcome::kLocalError, "no probe for check type none");
    return;
  }
  sockaddr_storage dst;
  const socklen_t dst_len = to_sockaddr(req.target, req.port, &dst);
  if (dst_len == 0) {
    finish_unstarted(request_index, ProbeOutcome::kLocalError, "bad address family");
    return;
  }
  const int fd = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    finish_unstarted(request_index, ProbeOutcome::kLocalError, "socket: " + errno_text(errno));
    return;
  }
  Slot &slot = slots_[free_.back()];
  free_.pop_back();
  ++active_;
  slot.fd = fd;
  slot.request = request_index;
  slot.phase = Phase::kConnecting;
  slot.start = Clock::now();
  slot.deadline = slot.start + req.timeout;
  slot.out.clear();
  slot.sent = 0;
  slot.in.clear();

  // Reset instead of FIN on close: the prober would otherwise keep one
  // TIME_WAIT socket per probe (HAProxy closes its checks the same way).
  const linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));

  if (req.source) {
    if (req.source->family != req.target.family) {
      finish(slot, ProbeOutcome::kLocalError, "source address family differs from backend's");
      return;
    }
    // Defer the port choice to connect(): the kernel can then reuse a local
    // port towards different backends instead of running out at bind().
    const int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    sockaddr_storage src;
    const socklen_t src_len = to_sockaddr(*req.source, 0, &src);
    if (bind(fd, reinterpret_cast<sockaddr *>(&src), src_len) != 0) {
      finish(slot, ProbeOutcome::kLocalError,
             "bind " + format_ip(*req.source) + ": " + errno_text(errno));
      return;
    }
  }

  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.u64 = slot_index(slot);
  if (epoll_ctl(engine_.epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    finish(slot, ProbeOutcome::kLocalError, "epoll_ctl: " + errno_text(errno));
    return;
  }
  if (connect(fd, reinterpret_cast<sockaddr *>(&dst), dst_len) == 0) {
    on_connected(slot);
    return;
  }
  if (errno == EINPROGRESS) return;
  const int err = errno;
  finish(slot, is_local_errno(err) ? ProbeOutcome::kLocalError : ProbeOutcome::kFailure,
         connect_reason(err));
}

void ProbeEngine::Batch::on_event(size_t slot_index, uint32_t events) {
  if (slot_index >= slots_.size()) return;
  Slot &slot = slots_[slot_index];
  if (slot.fd < 0) return;
  switch (slot.phase) {
    case Phase::kConnecting: {
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) {
        finish(slot, ProbeOutcome::kFailure, connect_reason(err));
      } else if (events & EPOLLOUT) {
        on_connected(slot);
      } else {
        finish(slot, ProbeOutcome::kFailure, "connection closed while connecting");
      }
      return;
    }
    case Phase::kSending:
      send_some(slot);
      return;
    case Phase::kReceiving:
      receive_some(slot);
      return;
  }
}

void ProbeEngine::Batch::on_connected(Slot &slot) {
  const ProbeRequest &req = requests_[slot.request];
  if (req.type == CheckType::kTcp) {
    finish(slot, ProbeOutcome::kSuccess, "connected");
    return;
  }
  slot.out = build_http_request(req.path,
                                req.host.empty() ? format_ip_port(req.target, req.port) : req.host);
  slot.phase = Phase::kSending;
  send_some(slot);
}

void ProbeEngine::Batch::send_some(Slot &slot) {
  const ssize_t n =
      send(slot.fd, slot.out.data() + slot.sent, slot.out.size() - slot.sent, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;  // still EPOLLOUT-registered
    finish(slot, ProbeOutcome::kFailure, "send: " + errno_text(errno));
    return;
  }
  slot.sent += static_cast<size_t>(n);
  if (slot.sent < slot.out.size()) return;
  slot.phase = Phase::kReceiving;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = slot_index(slot);
  if (epoll_ctl(engine_.epoll_fd_, EPOLL_CTL_MOD, slot.fd, &ev) != 0) {
    finish(slot, ProbeOutcome::kLocalError, "epoll_ctl: " + errno_text(errno));
  }
}

void ProbeEngine::Batch::receive_some(Slot &slot) {
  char buf[kMaxResponseBytes];
  const size_t room = kMaxResponseBytes - slot.in.size();
  const ssize_t n = recv(slot.fd, buf, room, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    finish(slot, ProbeOutcome::kFailure,
           errno == ECONNRESET ? "connection reset" : "read: " + errno_text(errno));
    return;
  }
  if (n == 0) {
    finish(slot, ProbeOutcome::kFailure,
           slot.in.empty() ? "connection closed without response"
                           : "connection closed before status line");
    return;
  }
  slot.in.append(buf, static_cast<size_t>(n));
  const StatusLineParse parsed = parse_status_line(slot.in);
  switch (parsed.kind) {
    case StatusLineParse::Kind::kStatus: {
      const uint16_t expect = requests_[slot.request].expect_status;
      if (parsed.status == expect) {
        finish(slot, ProbeOutcome::kSuccess, "HTTP " + std::to_string(parsed.status));
      } else {
        finish(
            slot, ProbeOutcome::kFailure,
            "HTTP " + std::to_string(parsed.status) + " (expected " + std::to_string(expect) + ")");
      }
      return;
    }
    case StatusLineParse::Kind::kMalformed:
      finish(slot, ProbeOutcome::kFailure, "malformed status line");
      return;
    case StatusLineParse::Kind::kNeedMore:
      if (slot.in.size() >= kMaxResponseBytes) {
        finish(slot, ProbeOutcome::kFailure, "malformed status line");
      }
      return;
  }
}

void ProbeEngine::Batch::expire(TimePoint now) {
  for (Slot &slot : slots_) {
    if (slot.fd < 0 || now < slot.deadline) continue;
    const char *phase = slot.phase == Phase::kConnecting ? "connect"
                        : slot.phase == Phase::kSending  ? "sending request"
                                                         : "waiting for status line";
    const auto ms = requests_[slot.request].timeout.count();
    finish(slot, ProbeOutcome::kFailure,
           "timeout after " + std::to_string(ms) + " ms (" + phase + ")");
  }
}

int ProbeEngine::Batch::wait_ms(TimePoint now) const {
  TimePoint earliest = TimePoint::max();
  for (const Slot &slot : slots_) {
    if (slot.fd >= 0) earliest = std::min(earliest, slot.deadline);
  }
  if (earliest == TimePoint::max()) return -1;
  if (earliest <= now) return 0;
  // Round up: waking a little late only stretches a timeout by < 1 ms, while
  // waking early would spin on epoll_wait(0) until the deadline.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(earliest - now).count();
  return static_cast<int>(std::min<int64_t>((us + 999) / 1000, std::numeric_limits<int>::max()));
}

void ProbeEngine::Batch::finish(Slot &slot, ProbeOutcome outcome, std::string reason) {
  ProbeResult &result = results_[slot.request];
  result.outcome = outcome;
  result.reason = std::move(reason);
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - slot.start);
  close(slot.fd);  // also removes it from the epoll set (no dup'ed fds exist)
  slot.fd = -1;
  free_.push_back(slot_index(slot));
  --active_;
}

void ProbeEngine::Batch::finish_unstarted(size_t request_index, ProbeOutcome outcome,
                                          std::string reason) {
  results_[request_index].outcome = outcome;
  results_[request_index].reason = std::move(reason);
}

void ProbeEngine::Batch::close_all() {
  for (Slot &slot : slots_) {
    if (slot.fd < 0) continue;
    close(slot.fd);
    slot.fd = -1;
  }
  active_ = 0;
}

std::unique_ptr<ProbeEngine> ProbeEngine::create(size_t max_in_flight, std::string *error) {
  if (max_in_flight == 0) {
    *error = "max_in_flight must be at least 1";
    return nullptr;
  }
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    *error = "epoll_create1: " + errno_text(errno);
    return nullptr;
  }
  const int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (ev < 0) {
    *error = "eventfd: " + errno_text(errno);
    close(ep);
    return nullptr;
  }
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = kInterruptTag;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) != 0) {
    *error = "epoll_ctl(eventfd): " + errno_text(errno);
    close(ev);
    close(ep);
    return nullptr;
  }
  return std::unique_ptr<ProbeEngine>(new ProbeEngine(ep, ev, max_in_flight));
}

ProbeEngine::ProbeEngine(int epoll_fd, int interrupt_fd, size_t max_in_flight)
    : epoll_fd_(epoll_fd), interrupt_fd_(interrupt_fd), max_in_flight_(max_in_flight) {}

ProbeEngine::~ProbeEngine() {
  close(interrupt_fd_);
  close(epoll_fd_);
}

std::vector<ProbeResult> ProbeEngine::run(const std::vector<ProbeRequest> &requests) {
  if (requests.empty()) return {};
  Batch batch(*this, requests);
  std::vector<ProbeResult> results = batch.run();
  // Through-tunnel checks: only backends that passed the direct probe are
  // probed again through the tunnel (a failure needs no second opinion), so
  // such a round takes up to two timeouts.
  std::vector<size_t> index;
  std::vector<TunnelProbe> tunnel;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!requests[i].tunnel || results[i].outcome != ProbeOutcome::kSuccess) continue;
    index.push_back(i);
    tunnel.push_back({*requests[i].tunnel, requests[i].target, requests[i].timeout});
  }
  const std::vector<ProbeResult> through = run_tunnel_probes(tunnel, interrupt_fd_);
  for (size_t k = 0; k < index.size(); ++k) {
    ProbeResult &r = results[index[k]];
    if (through[k].outcome == ProbeOutcome::kSuccess) {
      r.reason += ", " + through[k].reason;
    } else {
      r = through[k];
    }
  }
  return results;
}

void ProbeEngine::interrupt() {
  const uint64_t one = 1;
  // A full counter (EAGAIN) is still readable, which is all that matters.
  [[maybe_unused]] ssize_t n = write(interrupt_fd_, &one, sizeof(one));
}

}  // namespace maglb::health
