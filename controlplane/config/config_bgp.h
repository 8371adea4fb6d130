// The `bgp` section: how maglbd announces its VIPs to the routers in front
// of a fleet of load balancers (docs/scale-out.md). maglbd renders a BIRD 2
// config from it; nothing here speaks BGP itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_address.h"

namespace maglb::config {

struct BgpPeerConfig {
  Address address;       // the router; its family is the family of routes it gets
  uint32_t asn = 0;      // 1..4294967295
  std::string password;  // TCP MD5 (RFC 2385); empty = none
  friend bool operator==(const BgpPeerConfig &, const BgpPeerConfig &) = default;
};

// A standard community (RFC 1997), "asn:value".
struct BgpCommunity {
  uint16_t asn = 0;
  uint16_t value = 0;
  friend bool operator==(const BgpCommunity &, const BgpCommunity &) = default;
};

// The BIRD instance maglbd drives: its config file (maglbd writes it whole),
// its control socket, and whether maglbd starts and stops it.
struct BirdConfig {
  std::string config = "/run/maglb/bird.conf";
  std::string socket = "/run/maglb/bird.ctl";
  bool manage = true;  // start BIRD if its socket does not answer; stop it on shutdown
  std::string bird = "/usr/sbin/bird";
  std::string birdc = "/usr/sbin/birdc";
  friend bool operator==(const BirdConfig &, const BirdConfig &) = default;
};

struct BgpConfig {
  uint32_t local_asn = 0;
  Address router_id;  // IPv4, the BGP identifier
  std::vector<BgpPeerConfig> peers;
  // Next hop of the announced routes (this load balancer's address on the
  // routers' segment). After validation both are set whenever a peer of
  // their family exists (defaults: dataplane.address_v4 / address_v6).
  std::optional<Address> next_hop_v4;
  std::optional<Address> next_hop_v6;
  std::vector<BgpCommunity> communities;
  std::optional<uint32_t> med;
  uint16_t hold_time_s = 9;
  uint16_t keepalive_s = 3;
  // Graceful shutdown: withdraw every VIP, keep forwarding this long (the
  // routers move the flows away), then stop.
  uint32_t withdraw_delay_ms = 2000;
  BirdConfig bird;
  friend bool operator==(const BgpConfig &, const BgpConfig &) = default;
};

}  // namespace maglb::config
