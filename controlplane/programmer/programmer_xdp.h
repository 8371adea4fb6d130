// Programmer adapter for the XDP dataplane (controlplane/xdp): one loaded
// program per configured interface, each with its maps pinned under
// /sys/fs/bpf/maglb/<ifname>/. A restarted daemon re-attaches to the pinned
// maps, so connection tracking survives it; stopping the daemon leaves the
// program attached and forwarding with its last tables.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "programmer.h"
#include "xdp_dataplane.h"

namespace maglb::programmer {

class XdpProgrammer : public Programmer {
 public:
  // flow_entries: connection-tracking capacity of each interface's program
  // (config dataplane.flow_table.entries_per_core).
  XdpProgrammer(std::vector<std::string> interfaces, uint32_t flow_entries, NoteFn notes);
  ~XdpProgrammer() override;

  std::string name() const override { return "xdp"; }
  std::string open(uint64_t *installed_generation) override;
  // Programs every interface. If one fails after others succeeded, the
  // interfaces hold different generations until the next program() call
  // (the daemon retries); the error names the interface.
  std::string program(std::span<const uint8_t> blob) override;
  std::string stats(nlohmann::json *out) override;
  // Re-attaches a program someone removed from its interface.
  std::string check() override;
  std::string stop_forwarding() override;

 private:
  struct Port {
    std::string ifname;
    std::unique_ptr<xdp::XdpDataplane> dp;
  };
  std::string attach(Port &port);

  const std::vector<std::string> interfaces_;
  const uint32_t flow_entries_;
  const NoteFn notes_;
  std::vector<Port> ports_;
};

}  // namespace maglb::programmer
