// Addresses as the DPDK engine's control side handles them (neighbour
// resolution, SET_INTERFACE). Families use the ABI tags MAGLB_FAMILY_IPV4/6;
// IPv4 sits in bytes[0..3] with the rest zero, as in every ABI key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "maglb_abi.h"

namespace maglb::dpdk {

using MacAddr = std::array<uint8_t, 6>;

struct IpAddr {
  uint8_t family = 0;
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddr &) const = default;
};

struct IpPrefix {
  IpAddr addr;
  uint8_t len = 0;
  bool contains(const IpAddr &a) const;
  bool operator==(const IpPrefix &) const = default;
};

IpAddr ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
// inet_pton text, either family. nullopt when it does not parse.
std::optional<IpAddr> parse_ip(std::string_view text);
// "198.18.0.1/24" or "2001:db8::1/64"; the length is required.
std::optional<IpPrefix> parse_prefix(std::string_view text);
// "02:00:00:00:00:01" (six hex pairs, ':' separated).
std::optional<MacAddr> parse_mac(std::string_view text);
std::string format_ip(const IpAddr &a);
std::string format_mac(const MacAddr &m);

}  // namespace maglb::dpdk
