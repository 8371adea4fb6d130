#include "dataplane_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace maglb::dpdk_test {

DataplaneProcess::DataplaneProcess(std::string binary, std::vector<std::string> args,
                                   std::string log_path)
    : binary_(std::move(binary)), args_(std::move(args)), log_path_(std::move(log_path)) {}

DataplaneProcess::~DataplaneProcess() {
  if (pid_ > 0) stop(std::chrono::milliseconds(5000));
}

bool DataplaneProcess::start(std::string *error) {
  std::vector<char *> argv;
  argv.push_back(binary_.data());
  for (auto &a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *error = "cannot create " + log_path_;
    return false;
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(log_fd);
    return false;
  }
  if (pid_ == 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  ::close(log_fd);
  return true;
}

bool DataplaneProcess::running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::unique_ptr<dpdk_client::Client> DataplaneProcess::connect(const std::string &socket_path,
                                                               std::chrono::milliseconds timeout,
                                                               std::string *error) {
  std::unique_ptr<dpdk_client::Client> client;
  bool ok = wait_until(
      [&] {
        if (!running()) return true;
        std::string ignored;
        client =
            dpdk_client::Client::connect(socket_path, std::chrono::milliseconds(30000), &ignored);
        return client != nullptr;
      },
      timeout);
  if (!client) {
    *error = std::string(ok ? "dataplane exited" : "control socket did not appear") +
             "; its output:\n" + log();
  }
  return client;
}

int DataplaneProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    status = -1;
  }
  pid_ = -1;
  return status;
}

std::string DataplaneProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/maglb_dpdk_test_XXXXXX";
  char *p = ::mkdtemp(tmpl);
  path_ = p ? p : "/tmp";
}

TempDir::~TempDir() {
  if (path_ != "/tmp" && std::getenv("MAGLB_KEEP_TEST_FILES") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

}  // namespace maglb::dpdk_test
