// The packet fixtures' network (tests/packets/fixtures.h, FixtureNet)
// rebuilt as a real one for the XDP program: a namespace with a veth whose
// MAC is the fixture port MAC, the on-link prefixes and default routes of
// the fixture network, and permanent neighbour entries for its gateways and
// hosts, so that bpf_fib_lookup resolves exactly the MACs the DPDK
// dataplane's neighbour table does. The calling thread stays inside the
// namespace (and on one CPU) while the environment lives.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "test_netns.h"
#include "xdp_dataplane.h"

namespace maglb::xdptest {

struct TestRun {
  int rc = 0;           // bpf_prog_test_run_opts() return value (0 or -errno)
  uint32_t action = 0;  // XDP_* returned by the program
  uint32_t duration_ns = 0;
  std::vector<uint8_t> output;
};

class FixtureEnv {
 public:
  // Empty *error and a ready environment, or nullptr and the reason.
  static std::unique_ptr<FixtureEnv> create(uint32_t flow_entries, std::string *error);
  ~FixtureEnv();

  xdp::XdpDataplane &dp() { return *dp_; }
  int ifindex() const { return ifindex_; }

  // One BPF_PROG_TEST_RUN of `prog_fd` (repeat 1) on `frame`, arriving on
  // the fixture veth.
  TestRun run(int prog_fd, std::span<const uint8_t> frame) const;
  TestRun run(std::span<const uint8_t> frame) const { return run(dp_->prog_fd(), frame); }

  // Programs `blob` unless it is the one programmed last.
  std::string program(const std::vector<uint8_t> &blob);

 private:
  FixtureEnv() = default;
  std::unique_ptr<Netns> ns_;
  std::unique_ptr<EnterNetns> inside_;
  std::unique_ptr<xdp::XdpDataplane> dp_;
  std::vector<uint8_t> programmed_;
  std::string pin_root_;
  int ifindex_ = 0;
};

}  // namespace maglb::xdptest
