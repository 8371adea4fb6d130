// Network namespaces for the XDP tests: created with unique names, removed
// on destruction, and entered by the calling thread (setns) when a test
// needs interface indexes and FIB lookups resolved inside one.
#pragma once

#include <string>
#include <vector>

namespace maglb::xdptest {

// Runs a shell command; returns its exit status (127 if it could not run).
// Output goes to the test's stderr only when the command fails.
int run(const std::string &cmd, std::string *output = nullptr);

// Skips-with-reason text if this process cannot run BPF/netns tests (not
// root, no ip tool, no BTF), else "".
std::string missing_privileges();

class Netns {
 public:
  // Creates "<prefix>-<pid>-<n>". Check ok() / error().
  explicit Netns(const std::string &prefix);
  ~Netns();
  Netns(const Netns &) = delete;
  Netns &operator=(const Netns &) = delete;

  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }
  const std::string &name() const { return name_; }

  // Runs `cmd` inside the namespace (ip netns exec). Appends a failure to
  // error() unless allowed to fail.
  int exec(const std::string &cmd, bool may_fail = false);
  // "ip -n NAME " + args.
  int ip(const std::string &args, bool may_fail = false);

 private:
  std::string name_;
  std::string error_;
};

// Moves the calling thread into a namespace for its lifetime, and back.
class EnterNetns {
 public:
  explicit EnterNetns(const std::string &name);
  ~EnterNetns();
  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }

 private:
  int self_fd_ = -1;
  std::string error_;
};

// Binds the calling thread to one CPU (per-CPU maps give each CPU its own
// connection-tracking view: a test that inserts a flow and then looks for
// it must stay on one CPU). Returns "" or the error.
std::string pin_to_cpu(int cpu);

}  // namespace maglb::xdptest
