// Small TCP servers for the probe tests, each on its own thread: an HTTP
// server answering a settable status, a server that accepts and never
// answers, and one that writes fixed bytes and closes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ip_address.h"

namespace maglb::health::test {

class TestServer {
 public:
  enum class Mode { kHttp, kHang, kRaw };

  // Listens on address:port; nullptr and *error on failure.
  static std::unique_ptr<TestServer> start(const std::string &address, uint16_t port, Mode mode,
                                           std::string *error);
  ~TestServer();

  void set_status(int status) { status_ = status; }  // kHttp
  void set_raw(std::string bytes);                   // kRaw
  int connections() const { return connections_; }
  std::string last_peer() const;  // address of the last accepted client

 private:
  TestServer(int listen_fd, int stop_fd, Mode mode);
  void run();
  static bool read_request(int fd);
  void serve_http(int fd);

  const int listen_fd_;
  const int stop_fd_;
  const Mode mode_;
  std::atomic<int> status_{200};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::string raw_;        // guarded by mu_
  std::string last_peer_;  // guarded by mu_
  std::vector<int> held_;  // kHang: accepted, never answered
  std::thread thread_;
};

}  // namespace maglb::health::test
