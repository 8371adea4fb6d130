// The control socket with real Unix sockets: framing errors, limits, slow
// and hostile clients, and the peer check. The server runs its event loop
// on a thread of the test, as the daemon runs it on its main thread.
#include "control_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "listen_socket.h"

namespace maglb::daemon {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int connect_to(const std::string &path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string &s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close an oversized request early
    done += static_cast<size_t>(n);
  }
}

// Reads one line (or up to EOF) within `timeout`; "" if nothing came.
std::string read_line(int fd, std::chrono::milliseconds timeout = 5000ms) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.empty() || out.back() != '\n') {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char c;
    if (::recv(fd, &c, 1, 0) != 1) break;
    out += c;
  }
  return out;
}

bool closed_by_peer(int fd, std::chrono::milliseconds timeout = 5000ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n < 0) return false;
  }
}

std::string error_of(const std::string &line) {
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || j.value("ok", true)) return "(not an error: " + line + ")";
  return j.value("error", "");
}

class ControlServerTest : public ::testing::Test {
 protected:
  void start(StreamServer::Limits limits, std::optional<gid_t> group = std::nullopt) {
    char tmpl[] = "/tmp/maglbd-sock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/run/maglbd.sock";
    std::string error;
    const int fd = listen_unix(path_, group, &error);
    ASSERT_GE(fd, 0) << error;
    server_ = std::make_unique<ControlServer>(
        fd, path_,
        [](const Request &r) {
          if (r.command == "big") return ok_response({{"blob", std::string(8u << 20, 'x')}});
          return ok_response({{"echo", r.command}});
        },
        counters_, limits, group);
    loop_ = std::thread([this] {
      std::vector<pollfd> fds;
      while (!stop_) {
        fds.clear();
        server_->fill(fds);
        if (::poll(fds.data(), fds.size(), 20) > 0) server_->dispatch(fds.data(), fds.size());
        server_->expire(std::chrono::steady_clock::now());
      }
    });
  }
  void TearDown() override {
    stop_ = true;
    if (loop_.joinable()) loop_.join();
    server_.reset();
    if (!dir_.empty()) (void)!std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  static StreamServer::Limits fast_limits() {
    StreamServer::Limits l = ControlServer::default_limits();
    l.stall_timeout = 300ms;
    return l;
  }

  std::string dir_, path_;
  DaemonCounters counters_;
  std::unique_ptr<ControlServer> server_;
  std::atomic<bool> stop_{false};
  std::thread loop_;
};

TEST_F(ControlServerTest, SocketIsPrivateAndNotStolen) {
  start(fast_limits());
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string error;
  EXPECT_EQ(listen_unix(path_, std::nullopt, &error), -1);  // a live server answers there
  EXPECT_NE(error.find("another process"), std::string::npos) << error;
  const std::string file = dir_ + "/plain";
  ASSERT_EQ(::close(::creat(file.c_str(), 0644)), 0);
  EXPECT_EQ(listen_unix(file, std::nullopt, &error), -1);
  EXPECT_NE(error.find("is not a socket"), std::string::npos) << error;
}

TEST_F(ControlServerTest, StaleSocketFileIsReplaced) {
  char tmpl[] = "/tmp/maglbd-sock-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  const std::string path = dir_ + "/stale.sock";
  std::string error;
  const int first = listen_unix(path, std::nullopt, &error);
  ASSERT_GE(first, 0) << error;
  ::close(first);  // a crashed daemon: the file stays, nobody listens
  const int second = listen_unix(path, std::nullopt, &error);
  EXPECT_GE(second, 0) << error;
  ::close(second);
}

TEST_F(ControlServerTest, PipelinedRequestsAreAnsweredInOrderAndErrorsKeepTheConnection) {
  start(fast_limits());
  const int fd = connect_to(path_);
  ASSERT_GE(fd, 0);
  send_all(fd, "{\"command\":\"a\"}\n{\"command\":\"b\"}\r\nnot json\n{\"command\":\"c\"}\n");
  EXPECT_EQ(json::parse(read_line(fd))["result"]["echo"], "a");
  EXPECT_EQ(json::parse(read_line(fd))["result"]["echo"], "b");
  EXPECT_EQ(error_of(read_line(fd)).rfind("malformed request: not valid JSON", 0), 0u);
  EXPECT_EQ(json::parse(read_line(fd))["result"]["echo"], "c");
  ::close(fd);
}

TEST_F(ControlServerTest, OversizedRequestGetsAnErrorAndIsClosed) {
  start(fast_limits());
  const int fd = connect_to(path_);
  ASSERT_GE(fd, 0);
  std::thread writer([fd] { send_all(fd, std::string(kMaxRequestBytes + 4096, 'x')); });
  const std::string line = read_line(fd);
  writer.join();
  EXPECT_EQ(error_of(line).rfind("request too large", 0), 0u) << line;
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST_F(ControlServerTest, TruncatedRequestsAreAnswered) {
  start(fast_limits());
  // The client closes its side mid-request.
  int fd = connect_to(path_);
  ASSERT_GE(fd, 0);
  send_all(fd, "{\"command\": \"vip li");
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(error_of(read_line(fd)), "truncated request: connection closed before a newline");
  ::close(fd);
  // The client stalls mid-request.
  fd = connect_to(path_);
  send_all(fd, "{\"command\": \"vip li");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(read_line(fd, 3000ms)), "truncated request: no newline before the timeout");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST_F(ControlServerTest, AClientThatNeverReadsBlocksNobody) {
  start(fast_limits());
  const int slow = connect_to(path_);
  ASSERT_GE(slow, 0);
  send_all(slow, "{\"command\":\"big\"}\n{\"command\":\"big\"}\n");  // 16 MiB it will not read
  const int quick = connect_to(path_);
  const auto t0 = std::chrono::steady_clock::now();
  send_all(quick, "{\"command\":\"hello\"}\n");
  EXPECT_EQ(json::parse(read_line(quick))["result"]["echo"], "hello");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
  // The stalled reader is dropped after the stall timeout. POLLRDHUP tells
  // without reading (reading would be progress and keep it alive).
  pollfd p{slow, POLLRDHUP, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_TRUE(p.revents & (POLLRDHUP | POLLHUP));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  ::close(slow);
  ::close(quick);
}

TEST_F(ControlServerTest, TooManyClientsAreToldSo) {
  StreamServer::Limits l = fast_limits();
  l.max_clients = 2;
  start(l);
  const int a = connect_to(path_), b = connect_to(path_);
  send_all(a, "{\"command\":\"a\"}\n");
  send_all(b, "{\"command\":\"b\"}\n");
  ASSERT_NE(read_line(a), "");
  ASSERT_NE(read_line(b), "");
  const int c = connect_to(path_);
  EXPECT_EQ(error_of(read_line(c)), "too many control clients; try again");
  ::close(a);
  ::close(b);
  ::close(c);
}

TEST_F(ControlServerTest, OnlyRootAndTheDaemonsUserGetIn) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  start(fast_limits());
  // Open the file mode so that only SO_PEERCRED stands in the way.
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(out[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    const int fd = connect_to(path_);
    const std::string line = fd < 0 ? "connect failed\n" : read_line(fd);
    (void)!::write(out[1], line.data(), line.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string got;
  char buf[512];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof(buf))) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(error_of(got).rfind("permission denied: uid 65534", 0), 0u) << got;
  EXPECT_EQ(counters_.control_clients_rejected, 1u);
}

// One request from a forked client running as uid/gid 65534 (nobody) with
// the given supplementary groups; the server's answer line.
std::string ask_as_nobody(const std::string &path, std::vector<gid_t> groups) {
  int out[2];
  if (::pipe(out) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(out[0]);
    if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(65534) != 0 ||
        ::setuid(65534) != 0)
      ::_exit(2);
    const int fd = connect_to(path);
    if (fd >= 0) send_all(fd, "{\"command\":\"hello\"}\n");
    const std::string line = fd < 0 ? "connect failed\n" : read_line(fd);
    (void)!::write(out[1], line.data(), line.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string got;
  char buf[512];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof(buf))) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "client failed";
  return got;
}

TEST_F(ControlServerTest, TheControlGroupGetsInAndNoOtherGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run clients as another user";
  constexpr gid_t kGroup = 65530;  // any gid: the server needs no group entry
  start(fast_limits(), kGroup);
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, kGroup);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  const std::string member = ask_as_nobody(path_, {kGroup});
  const json answer = json::parse(member, nullptr, false);
  ASSERT_FALSE(answer.is_discarded()) << member;
  EXPECT_TRUE(answer.value("ok", false)) << member;
  // Not a member: the file mode already keeps it out (connect fails);
  // opened up, SO_PEERCRED/SO_PEERGROUPS still do.
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  const std::string other = ask_as_nobody(path_, {65531});
  EXPECT_EQ(error_of(other).rfind("permission denied: uid 65534", 0), 0u) << other;
  EXPECT_EQ(counters_.control_clients_rejected, 1u);
}

}  // namespace
}  // namespace maglb::daemon
