// Runs maglb-dataplane as a child process for whole-process tests: start,
// wait for its control socket (polling, bounded), stop with SIGTERM.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dpdk_client.h"

namespace maglb::dpdk_test {

class DataplaneProcess {
 public:
  // argv without the program; output goes to `log_path`.
  DataplaneProcess(std::string binary, std::vector<std::string> args, std::string log_path);
  ~DataplaneProcess();  // kills the child if still running

  bool start(std::string *error);
  // Connects to `socket_path` once the child listens on it; nullptr (and
  // *error, with the child's log) if it exits or `timeout` passes first.
  std::unique_ptr<dpdk_client::Client> connect(const std::string &socket_path,
                                               std::chrono::milliseconds timeout,
                                               std::string *error);
  // SIGTERM, then wait up to `timeout` (SIGKILL after). Returns the exit
  // status (as waitpid), or -1 if it had to be killed.
  int stop(std::chrono::milliseconds timeout);
  bool running();
  std::string log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Polls `condition` every few milliseconds until it holds or `timeout`
// passes. Returns whether it held.
template <class F>
bool wait_until(F condition, std::chrono::milliseconds timeout);

// A fresh directory under /tmp, removed with its files by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace maglb::dpdk_test

#include <thread>

template <class F>
bool maglb::dpdk_test::wait_until(F condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}
