// The SET_INTERFACE request: the dataplane's own addresses, on-link
// prefixes, gateways and static neighbours (docs/dataplane.md). This is what
// the neighbour resolver needs; it comes from the config's "dataplane"
// section through the control plane.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net_types.h"

namespace maglb::dpdk {

struct StaticNeighbor {
  IpAddr addr;
  MacAddr mac{};
};

struct InterfaceConfig {
  std::vector<IpPrefix> addresses;        // own addresses; each prefix is on-link
  std::vector<IpPrefix> onlink;           // further on-link prefixes
  std::vector<IpAddr> gateways;           // next hop for off-link destinations, one per family
  std::vector<StaticNeighbor> neighbors;  // never probed, never expire
  uint16_t vlan = 0;                      // 802.1Q VLAN id of ARP/ND traffic, 0 = untagged

  // Every on-link prefix: the addresses' own prefixes, then `onlink`.
  std::vector<IpPrefix> onlink_prefixes() const;
  const IpPrefix *own_address(const IpAddr &a) const;
};

// Parses and validates the JSON document. Unknown keys are errors (a typo
// must not silently drop a gateway). On error returns nullopt and sets
// *error to "<json path>: <reason>".
std::optional<InterfaceConfig> parse_interface_config(std::string_view json, std::string *error);

}  // namespace maglb::dpdk
