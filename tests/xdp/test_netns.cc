#include "test_netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace maglb::xdptest {

int run(const std::string &cmd, std::string *output) {
  std::string out;
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return 127;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  const int status = pclose(p);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  if (output) *output = out;
  return rc;
}

std::string missing_privileges() {
  if (geteuid() != 0) return "needs root (BPF programs, network namespaces)";
  struct stat st {};
  if (stat("/sys/kernel/btf/vmlinux", &st) != 0) return "kernel has no BTF";
  if (run("ip -V") != 0) return "iproute2 (ip) is not installed";
  return "";
}

Netns::Netns(const std::string &prefix) {
  static std::atomic<int> counter{0};
  name_ = prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::string out;
  if (run("ip netns add " + name_, &out) != 0)
    error_ = "ip netns add " + name_ + ": " + out;
  else
    ip("link set lo up");
}

Netns::~Netns() {
  if (run("ip netns del " + name_) != 0)
    std::fprintf(stderr, "could not delete netns %s\n", name_.c_str());
}

int Netns::exec(const std::string &cmd, bool may_fail) {
  std::string out;
  const int rc = run("ip netns exec " + name_ + " " + cmd, &out);
  if (rc != 0 && !may_fail) error_ += "[" + name_ + "] " + cmd + ": " + out;
  return rc;
}

int Netns::ip(const std::string &args, bool may_fail) {
  std::string out;
  const int rc = run("ip -n " + name_ + " " + args, &out);
  if (rc != 0 && !may_fail) error_ += "[" + name_ + "] ip " + args + ": " + out;
  return rc;
}

EnterNetns::EnterNetns(const std::string &name) {
  self_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const std::string path = "/var/run/netns/" + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (self_fd_ < 0 || fd < 0) {
    error_ = "open " + path + ": " + std::strerror(errno);
  } else if (setns(fd, CLONE_NEWNET) != 0) {
    error_ = "setns " + name + ": " + std::strerror(errno);
  }
  if (fd >= 0) close(fd);
}

EnterNetns::~EnterNetns() {
  if (self_fd_ >= 0) {
    if (setns(self_fd_, CLONE_NEWNET) != 0) std::perror("setns back");
    close(self_fd_);
  }
}

std::string pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0)
    return std::string("sched_setaffinity: ") + std::strerror(errno);
  return "";
}

}  // namespace maglb::xdptest
