#include "tunnel_probe.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <random>

namespace maglb::health {
namespace {

constexpr uint8_t kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

bool is_v4(const IpAddress &a) {
  return a.family == MAGLB_FAMILY_IPV4;
}

uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

void put16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t *p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

uint16_t get16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

uint32_t get32(const uint8_t *p) {
  return static_cast<uint32_t>(get16(p)) << 16 | get16(p + 2);
}

// A raw or UDP socket, closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd &&o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd &operator=(Fd &&o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct InFlight {
  size_t index;  // into probes / results
  uint32_t sequence;
  std::chrono::steady_clock::time_point deadline;
  bool done = false;
};

// What the encapsulation socket for (outer family, inner family, gue) is:
// the kernel writes the outer header (protocol 4 or 41, or UDP for GUE).
int open_sender(uint8_t outer_family, uint8_t inner_family, bool gue) {
  const int domain = outer_family == MAGLB_FAMILY_IPV4 ? AF_INET : AF_INET6;
  if (gue) return ::socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int proto = inner_family == MAGLB_FAMILY_IPV4 ? IPPROTO_IPIP : IPPROTO_IPV6;
  return ::socket(domain, SOCK_RAW | SOCK_CLOEXEC, proto);
}

}  // namespace

std::vector<uint8_t> build_inner_syn(const IpAddress &source, const IpAddress &destination,
                                     uint16_t source_port, uint16_t destination_port,
                                     uint32_t sequence) {
  const bool v4 = is_v4(destination);
  const size_t ip_len = v4 ? 20 : 40, tcp_len = 20;
  std::vector<uint8_t> pkt(ip_len + tcp_len, 0);
  uint8_t *ip = pkt.data(), *tcp = pkt.data() + ip_len;
  const size_t alen = v4 ? 4 : 16;
  if (v4) {
    ip[0] = 0x45;
    put16(ip + 2, static_cast<uint16_t>(pkt.size()));
    put16(ip + 6, 0x4000);  // DF
    ip[8] = 64;
    ip[9] = IPPROTO_TCP;
    std::memcpy(ip + 12, source.addr.data(), 4);
    std::memcpy(ip + 16, destination.addr.data(), 4);
    put16(ip + 10, fold(sum16(ip, 20)));
  } else {
    ip[0] = 0x60;
    put16(ip + 4, static_cast<uint16_t>(tcp_len));
    ip[6] = IPPROTO_TCP;
    ip[7] = 64;
    std::memcpy(ip + 8, source.addr.data(), 16);
    std::memcpy(ip + 24, destination.addr.data(), 16);
  }
  put16(tcp, source_port);
  put16(tcp + 2, destination_port);
  put32(tcp + 4, sequence);
  tcp[12] = 5 << 4;  // data offset: 20 bytes, no options
  tcp[13] = kTcpSyn;
  put16(tcp + 14, 65535);  // window
  // Pseudo-header (RFC 793 / RFC 8200 8.1): addresses, protocol, length.
  uint32_t sum = sum16(source.addr.data(), alen);
  sum = sum16(destination.addr.data(), alen, sum);
  sum += IPPROTO_TCP + static_cast<uint32_t>(tcp_len);
  put16(tcp + 16, fold(sum16(tcp, tcp_len, sum)));
  return pkt;
}

std::vector<ProbeResult> run_tunnel_probes(const std::vector<TunnelProbe> &probes,
                                           int interrupt_fd) {
  using SteadyClock = std::chrono::steady_clock;
  std::vector<ProbeResult> results(probes.size());
  if (probes.empty()) return results;
  const auto start = SteadyClock::now();
  auto local_error = [&](size_t i, const std::string &why) {
    results[i] = {ProbeOutcome::kLocalError, why, {}};
  };

  // Answers arrive on raw TCP sockets, one per inner family in use.
  Fd rx4, rx6;
  for (const TunnelProbe &p : probes) {
    Fd &rx = is_v4(p.spec.vip) ? rx4 : rx6;
    if (rx.fd < 0)
      rx = Fd(::socket(is_v4(p.spec.vip) ? AF_INET : AF_INET6,
                       SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  }

  std::random_device rd;
  std::mt19937 rng(rd());
  // Our ports identify the answers: distinct within the batch, from the
  // ephemeral range so no local service is confused.
  std::map<uint16_t, InFlight> by_port;
  std::map<int, Fd> senders;  // key: outer family * 4 + inner family * 2 + gue
  for (size_t i = 0; i < probes.size(); ++i) {
    const TunnelProbe &p = probes[i];
    const Fd &rx = is_v4(p.spec.vip) ? rx4 : rx6;
    if (rx.fd < 0) {
      local_error(
          i, std::string("tunnel: raw socket: ") + std::strerror(errno) + " (needs CAP_NET_RAW)");
      continue;
    }
    const int key = p.backend.family * 4 + p.spec.vip.family * 2 + (p.spec.gue ? 1 : 0);
    auto sit = senders.find(key);
    if (sit == senders.end())
      sit = senders.emplace(key, Fd(open_sender(p.backend.family, p.spec.vip.family, p.spec.gue)))
                .first;
    if (sit->second.fd < 0) {
      local_error(i, std::string("tunnel: sender socket: ") + std::strerror(errno) +
                         " (needs CAP_NET_RAW)");
      continue;
    }
    uint16_t port = 0;
    do {
      port = static_cast<uint16_t>(32768 + rng() % 28232);
    } while (by_port.count(port));
    const uint32_t seq = static_cast<uint32_t>(rng());
    const std::vector<uint8_t> inner =
        build_inner_syn(p.spec.inner_source, p.spec.vip, port, p.spec.vip_port, seq);
    sockaddr_storage to{};
    // Raw sockets take the protocol, not a port, in sin_port: 0 there.
    const socklen_t len = to_sockaddr(p.backend, p.spec.gue ? p.spec.gue_port : 0, &to);
    if (::sendto(sit->second.fd, inner.data(), inner.size(), 0, reinterpret_cast<sockaddr *>(&to),
                 len) < 0) {
      local_error(i, std::string("tunnel: send: ") + std::strerror(errno));
      continue;
    }
    by_port.emplace(port, InFlight{i, seq, SteadyClock::now() + p.timeout});
    results[i] = {ProbeOutcome::kFailure, "tunnel: no answer from the VIP", {}};
  }

  size_t open = by_port.size();
  auto finish = [&](InFlight &f, ProbeOutcome outcome, const char *reason) {
    f.done = true;
    --open;
    results[f.index] = {
        outcome, reason,
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start)};
  };
  // One segment from the VIP: ours if it comes from VIP:port to one of our
  // ports and acknowledges our SYN.
  auto on_segment = [&](const IpAddress &from, const uint8_t *tcp, size_t n) {
    if (n < 20) return;
    const auto it = by_port.find(get16(tcp + 2));
    if (it == by_port.end() || it->second.done) return;
    const TunnelProbe &p = probes[it->second.index];
    if (!(from == p.spec.vip) || get16(tcp) != p.spec.vip_port) return;
    if (!(tcp[13] & kTcpAck) || get32(tcp + 8) != it->second.sequence + 1) return;
    if ((tcp[13] & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck)) {
      finish(it->second, ProbeOutcome::kSuccess, "SYN-ACK via the tunnel");
    } else if (tcp[13] & kTcpRst) {
      finish(it->second, ProbeOutcome::kFailure, "tunnel: refused (RST from the VIP)");
    }
  };

  uint8_t buf[2048];
  while (open > 0) {
    auto next = SteadyClock::time_point::max();
    const auto now = SteadyClock::now();
    for (auto &[port, f] : by_port) {
      if (f.done) continue;
      if (now >= f.deadline) {
        f.done = true;  // the result already says "no answer"
        --open;
        results[f.index].elapsed =
            std::chrono::duration_cast<std::chrono::microseconds>(now - start);
      } else {
        next = std::min(next, f.deadline);
      }
    }
    if (open == 0) break;
    pollfd fds[3] = {{interrupt_fd, POLLIN, 0}, {rx4.fd, POLLIN, 0}, {rx6.fd, POLLIN, 0}};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
    if (::poll(fds, 3, static_cast<int>(wait)) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      for (auto &[port, f] : by_port)
        if (!f.done) results[f.index] = {ProbeOutcome::kAborted, "aborted", {}};
      break;
    }
    // IPv4 raw sockets deliver the IP header; IPv6 ones only the payload.
    for (ssize_t n; rx4.fd >= 0 && (n = ::recv(rx4.fd, buf, sizeof(buf), 0)) > 0;) {
      const size_t ihl = static_cast<size_t>(buf[0] & 0x0f) * 4;
      if (static_cast<size_t>(n) < ihl + 20 || buf[9] != IPPROTO_TCP) continue;
      IpAddress from;
      from.family = MAGLB_FAMILY_IPV4;
      std::memcpy(from.addr.data(), buf + 12, 4);
      on_segment(from, buf + ihl, static_cast<size_t>(n) - ihl);
    }
    sockaddr_in6 sa{};
    socklen_t salen = sizeof(sa);
    for (ssize_t n; rx6.fd >= 0 && (n = ::recvfrom(rx6.fd, buf, sizeof(buf), 0,
                                                   reinterpret_cast<sockaddr *>(&sa), &salen)) > 0;
         salen = sizeof(sa)) {
      IpAddress from;
      from.family = MAGLB_FAMILY_IPV6;
      std::memcpy(from.addr.data(), &sa.sin6_addr, 16);
      on_segment(from, buf, static_cast<size_t>(n));
    }
  }
  return results;
}

}  // namespace maglb::health
