// Immutable next-hop table: which MAC an outer (or L2-forwarded)
// destination goes to. The DPDK engine builds a new one whenever ARP/ND
// learns something and swaps it with RCU, like a snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace maglb::core {

struct NeighborEntry {
  uint8_t family;    // MAGLB_FAMILY_IPV4 / MAGLB_FAMILY_IPV6
  uint8_t addr[16];  // IPv4 in addr[0..3], rest zero
  uint8_t mac[6];
};

struct OnLinkPrefix {
  uint8_t family;
  uint8_t addr[16];
  uint8_t prefix_len;
};

class NeighborTable {
 public:
  // port_mac: the port's own MAC (source of every TX frame).
  // onlink: prefixes reached directly (destination resolved as itself).
  // gateways_and_hosts: every resolved neighbor (address -> MAC).
  // gateways: at most one per family: the next hop for destinations that
  //   are not on-link. Its MAC is taken from the entry when non-zero, else
  //   from gateways_and_hosts; unresolved gateways make off-link
  //   destinations resolve to nullptr.
  // Returns nullptr and sets *error on invalid input (bad family, prefix
  // length, two gateways for one family).
  static std::unique_ptr<NeighborTable> build(const uint8_t port_mac[6],
                                              std::span<const OnLinkPrefix> onlink,
                                              std::span<const NeighborEntry> gateways_and_hosts,
                                              std::span<const NeighborEntry> gateways,
                                              std::string *error = nullptr);

  const uint8_t *port_mac() const { return port_mac_; }

  // Next-hop MAC for a destination: the host itself if on-link, else the
  // gateway of its family; nullptr if unresolved. No allocation.
  const uint8_t *resolve(uint8_t family, const uint8_t addr[16]) const;

  // Incremented by build() for every table, so caches keyed on a table can
  // tell two tables apart even if one is allocated where the other was.
  uint64_t version() const { return version_; }

 private:
  NeighborTable() = default;
  const uint8_t *lookup_host(uint8_t family, const uint8_t addr[16]) const;

  struct Host {
    uint8_t family;
    uint8_t addr[16];
    uint8_t mac[6];
  };
  uint8_t port_mac_[6] = {};
  std::vector<OnLinkPrefix> onlink_;
  std::vector<Host> hosts_;    // open addressing, power-of-two size
  std::vector<uint8_t> used_;  // 1 where hosts_[i] holds an entry
  uint32_t host_mask_ = 0;
  bool have_gw_mac_[2] = {false, false};  // [0] IPv4, [1] IPv6
  uint8_t gw_mac_[2][6] = {};
  uint64_t version_ = 0;
};

}  // namespace maglb::core
