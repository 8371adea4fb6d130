// Runs a helper program (bird, birdc) to completion with a time limit and
// collects what it printed. The daemon calls this from its event loop, so
// every call is bounded: a hung BIRD costs at most `timeout`, never the
// daemon.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace maglb::bgp {

struct CommandResult {
  bool ok = false;     // ran and exited with status 0
  std::string output;  // stdout and stderr, interleaved
  std::string error;   // why it did not run or finish ("" when it exited)
};

// argv[0] is an absolute path (no PATH search). A program that has not
// exited after `timeout` is killed (SIGKILL) and reaped. A program that
// daemonizes (bird) is done when its first process exits, even if its
// child keeps the output pipe open. capture = false sends the output to
// /dev/null: for a program that becomes a daemon and would otherwise keep
// writing into a pipe nobody reads.
CommandResult run_command(const std::vector<std::string> &argv, std::chrono::milliseconds timeout,
                          bool capture = true);

}  // namespace maglb::bgp
