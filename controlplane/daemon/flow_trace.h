// `maglbctl trace`: which backend a NEW flow would get now, computed the
// way both dataplanes compute it (docs/forwarding.md sections 2 and 5):
// VIP match (exact port, then the all-ports VIP), the flow key masked per
// the VIP's hash fields, maglb_flow_hash (dataplane/abi/maglb_hash.h),
// slot = hash % table size, the backend in that slot of the installed table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "balancer.h"
#include "config_address.h"

namespace maglb::daemon {

struct FlowSpec {
  config::Address source;
  uint16_t source_port = 0;
  config::Address destination;
  uint16_t destination_port = 0;
  uint8_t protocol = 6;  // IPPROTO_TCP / IPPROTO_UDP
};

// The installed VIP this flow matches, or nullptr; *all_ports tells
// whether it matched through the port-0 (every port) VIP.
const InstalledVip *match_vip(const std::vector<InstalledVip> &vips, const FlowSpec &flow,
                              bool *all_ports);

// The masked key, hash, slot and backend, with a sentence on each step.
// generation: the snapshot generation `vips` were installed with (named in
// the last step, so an answer can be matched to the table it came from).
nlohmann::json trace_flow(const std::vector<InstalledVip> &vips, const FlowSpec &flow,
                          uint64_t generation);

}  // namespace maglb::daemon
