// Fuzzer: the DPDK dataplane's control socket (dataplane/abi/maglb_control.h)
// as a client can drive it: the input is the byte stream a client writes
// to the real ControlServer over a Unix socket, and the handler decodes the
// payloads as the engine does (INSTALL_SNAPSHOT: core::Snapshot::from_blob,
// SET_INTERFACE: parse_interface_config). Checked: no crash or sanitizer
// report; every byte the server sends back is a well-formed response frame
// (magic, version, RESPONSE bit, known status, length within the limit);
// the server drops the connection once the client has closed its side.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "control_server.h"
#include "interface_config.h"
#include "maglb_control.h"
#include "snapshot.h"

using namespace maglb;

namespace {

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "fuzz_dp_control: %s\n", what);
  std::abort();
}

class DecodingHandler : public dpdk::ControlHandler {
 public:
  dpdk::ControlResponse handle(uint16_t type, std::span<const uint8_t> payload) override {
    std::string err;
    switch (type) {
      case MAGLB_CTL_INSTALL_SNAPSHOT:
        if (!core::Snapshot::from_blob(payload, &err)) return {MAGLB_CTL_INVALID, err};
        return {MAGLB_CTL_OK, "installed"};
      case MAGLB_CTL_SET_INTERFACE: {
        const std::string_view json(reinterpret_cast<const char *>(payload.data()), payload.size());
        if (!dpdk::parse_interface_config(json, &err)) return {MAGLB_CTL_BAD_REQUEST, err};
        return {MAGLB_CTL_OK, "set"};
      }
      case MAGLB_CTL_GET_STATS:
        return {MAGLB_CTL_OK, R"({"generation": 1})"};
      default:
        return {MAGLB_CTL_OK, "pong"};
    }
  }
};

struct Server {
  std::string path = "/tmp/maglb-fuzz-ctl-" + std::to_string(::getpid()) + ".sock";
  DecodingHandler handler;
  std::unique_ptr<dpdk::ControlServer> server;
  Server() {
    std::string err;
    server = dpdk::ControlServer::create(path, handler, {}, &err);
    if (!server) fail(err.c_str());
    std::atexit([] { ::unlink(instance().path.c_str()); });
  }
  static Server &instance() {
    static Server s;
    return s;
  }
};

int connect_to(const std::string &path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  // A local listening socket accepts at once (backlog), even non-blocking.
  if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) fail("connect");
  return fd;
}

// Checks every complete response frame in `in`; returns the bytes used.
size_t check_responses(const std::string &in) {
  size_t at = 0;
  while (in.size() - at >= sizeof(maglb_ctl_header)) {
    maglb_ctl_header h;
    std::memcpy(&h, in.data() + at, sizeof(h));
    if (h.magic != MAGLB_CTL_MAGIC || h.version != MAGLB_CTL_VERSION) fail("bad response magic");
    if (!(h.type & MAGLB_CTL_RESPONSE)) fail("response without the RESPONSE bit");
    if (h.status > MAGLB_CTL_INTERNAL) fail("unknown response status");
    if (h.length > MAGLB_CTL_MAX_PAYLOAD) fail("response longer than the limit");
    if (in.size() - at - sizeof(h) < h.length) break;
    at += sizeof(h) + h.length;
  }
  return at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Server &s = Server::instance();
  const int fd = connect_to(s.path);
  size_t sent = 0;
  bool shut = false;
  std::string received;
  size_t checked = 0;
  // Bounded: each round either moves bytes or lets the server notice EOF;
  // a server that neither reads nor closes within the bound is a bug.
  for (int round = 0; round < 100'000; ++round) {
    if (sent < size) {
      const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) sent = size;  // server closed us
    }
    if (sent == size && !shut) {
      ::shutdown(fd, SHUT_WR);
      shut = true;
    }
    s.server->poll(0);
    char buf[65536];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) received.append(buf, static_cast<size_t>(n));
    checked += check_responses(received.substr(checked));
    if (n == 0 && shut && s.server->clients() == 0) {
      ::close(fd);
      return 0;
    }
  }
  fail("the server neither finished nor closed the connection");
}
