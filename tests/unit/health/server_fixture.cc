#include "server_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace maglb::health::test {
namespace {

// One TCP connect to [v6]:port, 200 ms at most.
bool tcp_connects_v6(const char *v6, uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  if (inet_pton(AF_INET6, v6, &sa.sin6_addr) != 1) return false;
  const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    ok = poll(&p, 1, 200) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

TestServer *ServerFixture::ok4 = nullptr;
TestServer *ServerFixture::ok6 = nullptr;
TestServer *ServerFixture::unavailable = nullptr;
TestServer *ServerFixture::hang_spare = nullptr;
std::vector<std::unique_ptr<TestServer>> *ServerFixture::all_ = nullptr;
std::string *ServerFixture::error_ = nullptr;

void ServerFixture::SetUpTestSuite() {
  all_ = new std::vector<std::unique_ptr<TestServer>>;
  error_ = new std::string;
  if (!netns_skip_reason().empty()) return;
  auto add = [](const std::string &addr, uint16_t port, TestServer::Mode mode) -> TestServer * {
    if (!error_->empty()) return nullptr;
    auto s = TestServer::start(addr, port, mode, error_);
    if (!s) return nullptr;
    all_->push_back(std::move(s));
    return all_->back().get();
  };
  using Mode = TestServer::Mode;
  ok4 = add(kV4Ok, kHttpPort, Mode::kHttp);
  ok6 = add(kV6Ok, kHttpPort, Mode::kHttp);
  unavailable = add(kV4Unavailable, kHttpPort, Mode::kHttp);
  if (unavailable) unavailable->set_status(503);
  add(kV4Hang, kHttpPort, Mode::kHang);
  add(kV6Hang, kHttpPort, Mode::kHang);
  for (int i = 0; i < kExtraHangCount; ++i) {
    TestServer *s = add(extra_hang_address(i), kHttpPort, Mode::kHang);
    if (i == 0) hang_spare = s;
  }
  if (TestServer *g = add(kV4Ok, kGarbagePort, Mode::kRaw)) g->set_raw("SSH-2.0-OpenSSH_9.2\r\n");
  add(kV4Ok, kSilentPort, Mode::kRaw);
  // In a fresh namespace IPv6 over lo can refuse connections for about a
  // second after setup ("network unreachable" in clean CI runs, while a
  // route lookup already succeeds): wait until a real TCP connect to the
  // IPv6 server works, 10 s at most, so the first test is not that moment.
  if (!error_->empty() || !ok6) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!tcp_connects_v6(kV6Ok, kHttpPort)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      *error_ = std::string("no TCP connection to [") + kV6Ok + "]:8080 within 10 s";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ServerFixture::TearDownTestSuite() {
  delete all_;
  delete error_;
  all_ = nullptr;
  error_ = nullptr;
  ok4 = ok6 = unavailable = hang_spare = nullptr;
}

void ServerFixture::SetUp() {
  if (!netns_skip_reason().empty()) GTEST_SKIP() << netns_skip_reason();
  ASSERT_TRUE(error_->empty()) << "test servers: " << *error_;
}

}  // namespace maglb::health::test
