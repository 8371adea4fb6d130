// The control socket server (dataplane/dpdk/control_server.h) against the
// control-plane client (controlplane/dpdk_client), with a fake handler: no
// DPDK needed.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "control_server.h"
#include "dpdk_client.h"

namespace maglb::dpdk {
namespace {

using dpdk_client::Client;
using namespace std::chrono_literals;

class EchoHandler : public ControlHandler {
 public:
  ControlResponse handle(uint16_t type, std::span<const uint8_t> payload) override {
    calls++;
    if (type == MAGLB_CTL_GET_STATS) return {MAGLB_CTL_OK, R"({"generation": 7})"};
    if (type == MAGLB_CTL_INSTALL_SNAPSHOT) {
      // Sum of bytes proves the whole payload arrived intact.
      uint64_t sum = 0;
      for (uint8_t b : payload) sum += b;
      return {payload.empty() ? uint32_t{MAGLB_CTL_INVALID} : uint32_t{MAGLB_CTL_OK},
              std::to_string(payload.size()) + " " + std::to_string(sum)};
    }
    return {MAGLB_CTL_OK,
            "type " + std::to_string(type) + " len " + std::to_string(payload.size())};
  }
  std::atomic<int> calls{0};
};

class ControlSocketTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = "/tmp/maglb_ctl_test_" + std::to_string(getpid()) + ".sock"; }
  void start(ControlServer::Limits limits = {}) {
    std::string error;
    server_ = ControlServer::create(path_, handler_, limits, &error);
    ASSERT_TRUE(server_) << error;
    thread_ = std::thread([this] {
      while (!stop_) server_->poll(5);
    });
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    server_.reset();
    ::unlink(path_.c_str());
  }
  std::unique_ptr<Client> connect() {
    std::string error;
    auto c = Client::connect(path_, 5000ms, &error);
    EXPECT_TRUE(c) << error;
    return c;
  }

  std::string path_;
  EchoHandler handler_;
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

std::vector<uint8_t> header_bytes(uint32_t magic, uint16_t type, uint32_t length) {
  maglb_ctl_header h{magic, MAGLB_CTL_VERSION, type, 0, length};
  std::vector<uint8_t> out(sizeof(h));
  std::memcpy(out.data(), &h, sizeof(h));
  return out;
}

TEST_F(ControlSocketTest, RequestsAndResponses) {
  start();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto c = connect();
  ASSERT_TRUE(c);
  auto r = c->ping();
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.message, "type 1 len 0");

  // A 20 MB payload (the size of a 5M-slot table) arrives whole.
  std::vector<uint8_t> blob(20u << 20);
  uint64_t sum = 0;
  for (size_t i = 0; i < blob.size(); i++) {
    blob[i] = static_cast<uint8_t>(i * 7 + 3);
    sum += blob[i];
  }
  r = c->install_snapshot(blob);
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.message, std::to_string(blob.size()) + " " + std::to_string(sum));

  r = c->install_snapshot({});
  EXPECT_EQ(r.status, MAGLB_CTL_INVALID);

  nlohmann::json stats;
  r = c->get_stats(&stats);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(stats["generation"], 7);

  r = c->set_interface(R"({"addresses": []})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.message, "type 3 len 17");
}

TEST_F(ControlSocketTest, UnknownTypeKeepsTheConnection) {
  start();
  auto c = connect();
  ASSERT_TRUE(c);
  auto r = c->request(99, {});
  EXPECT_EQ(r.status, MAGLB_CTL_BAD_REQUEST);
  EXPECT_EQ(r.message, "unknown request type 99");
  EXPECT_TRUE(c->ping().ok());
  EXPECT_EQ(handler_.calls, 1);  // the unknown type never reached the handler
}

TEST_F(ControlSocketTest, BadMagicIsAnsweredThenClosed) {
  start();
  auto c = connect();
  ASSERT_TRUE(c);
  auto r = c->send_raw(header_bytes(0x12345678, MAGLB_CTL_PING, 0));
  EXPECT_EQ(r.status, MAGLB_CTL_BAD_REQUEST);
  EXPECT_EQ(r.message, "bad magic or protocol version");
  EXPECT_EQ(c->ping().status, dpdk_client::kTransportError);
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(ControlSocketTest, OversizedLengthIsRefusedWithoutReadingIt) {
  start();
  auto c = connect();
  ASSERT_TRUE(c);
  auto r = c->send_raw(
      header_bytes(MAGLB_CTL_MAGIC, MAGLB_CTL_INSTALL_SNAPSHOT, MAGLB_CTL_MAX_PAYLOAD + 1));
  EXPECT_EQ(r.status, MAGLB_CTL_TOO_LARGE);
  EXPECT_EQ(handler_.calls, 0);
  // A fresh connection works.
  auto c2 = connect();
  ASSERT_TRUE(c2);
  EXPECT_TRUE(c2->ping().ok());
}

TEST_F(ControlSocketTest, PipelinedRequestsAnsweredInOrder) {
  start();
  auto c = connect();
  ASSERT_TRUE(c);
  std::vector<uint8_t> two = header_bytes(MAGLB_CTL_MAGIC, MAGLB_CTL_PING, 3);
  two.insert(two.end(), {1, 2, 3});
  auto second = header_bytes(MAGLB_CTL_MAGIC, MAGLB_CTL_SET_INTERFACE, 0);
  two.insert(two.end(), second.begin(), second.end());
  auto r = c->send_raw(two);
  EXPECT_EQ(r.message, "type 1 len 3");
  r = c->send_raw({});
  EXPECT_EQ(r.message, "type 3 len 0");
}

TEST_F(ControlSocketTest, StalledClientIsDroppedAndOthersAreServed) {
  ControlServer::Limits limits;
  limits.message_timeout = 200ms;
  start(limits);
  auto slow = connect();
  ASSERT_TRUE(slow);
  // Half a header, then silence.
  auto h = header_bytes(MAGLB_CTL_MAGIC, MAGLB_CTL_PING, 0);
  std::vector<uint8_t> half(h.begin(), h.begin() + 8);
  auto fast = connect();
  ASSERT_TRUE(fast);
  // The slow client gets no answer; its read ends when the server closes it.
  auto start_time = std::chrono::steady_clock::now();
  std::thread t([&] {
    auto r = slow->send_raw(half);
    EXPECT_EQ(r.status, dpdk_client::kTransportError);
    EXPECT_NE(r.message.find("closed"), std::string::npos) << r.message;
  });
  EXPECT_TRUE(fast->ping().ok());  // served while the other one stalls
  t.join();
  auto took = std::chrono::steady_clock::now() - start_time;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 4000ms);
  EXPECT_EQ(server_->counters().timeouts, 1u);
}

TEST_F(ControlSocketTest, LivePathIsRefusedAndStaleFileReplaced) {
  start();
  EchoHandler other;
  std::string error;
  EXPECT_FALSE(ControlServer::create(path_, other, {}, &error));
  EXPECT_EQ(error, "another process is serving " + path_);

  // A leftover socket file that nobody accepts on.
  std::string stale = path_ + ".stale";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, stale.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
  ::close(fd);
  auto s = ControlServer::create(stale, other, {}, &error);
  EXPECT_TRUE(s) << error;
}

TEST(ControlClient, ConnectFailureIsReported) {
  std::string error;
  EXPECT_FALSE(Client::connect("/tmp/maglb_no_such.sock", 100ms, &error));
  EXPECT_NE(error.find("connect /tmp/maglb_no_such.sock"), std::string::npos) << error;
  EXPECT_EQ(dpdk_client::status_name(MAGLB_CTL_STALE), "stale");
}

}  // namespace
}  // namespace maglb::dpdk
