// IP addresses, prefixes and listen endpoints as the config model stores
// them: the bytes of maglb_abi.h (network order, IPv4 in bytes[0..3]) with a
// MAGLB_FAMILY_* tag, so the snapshot and map code can copy them unchanged.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "maglb_abi.h"

namespace maglb::config {

struct Address {
  uint8_t family = MAGLB_FAMILY_IPV4;  // MAGLB_FAMILY_IPV4 or MAGLB_FAMILY_IPV6
  std::array<uint8_t, 16> bytes{};     // network order; IPv4 in [0..3], rest zero

  bool is_v4() const { return family == MAGLB_FAMILY_IPV4; }
  bool is_v6() const { return family == MAGLB_FAMILY_IPV6; }
  friend bool operator==(const Address &, const Address &) = default;
};

// An own address with its on-link prefix length ("198.18.0.1/24"): host bits
// are kept, because the address itself is what the balancer answers on.
struct Prefix {
  Address address;
  uint8_t length = 0;
  friend bool operator==(const Prefix &, const Prefix &) = default;
};

// host:port to listen on ("198.18.0.1:9108", "[2001:db8::1]:9108").
struct Endpoint {
  Address address;
  uint16_t port = 0;
  friend bool operator==(const Endpoint &, const Endpoint &) = default;
};

// Dotted quad or RFC 4291 text (inet_pton: no zone ids, no leading-zero
// octets). nullopt for anything else.
std::optional<Address> parse_address(std::string_view text);
// "address/length", length 1..32 or 1..128 in decimal. nullopt otherwise.
std::optional<Prefix> parse_prefix(std::string_view text);
// "a.b.c.d:port" or "[v6]:port", port 1..65535. nullopt otherwise.
std::optional<Endpoint> parse_endpoint(std::string_view text);

// inet_ntop form. An unknown family formats as "?" (never fails).
std::string format_address(uint8_t family, const std::array<uint8_t, 16> &bytes);
std::string format_address(const Address &address);
std::string format_prefix(const Prefix &prefix);
std::string format_endpoint(const Endpoint &endpoint);

// True when address has the family of prefix and shares its first
// prefix.length bits (i.e. the address is on-link for that prefix).
bool prefix_contains(const Prefix &prefix, const Address &address);

// Unicast: not unspecified, not multicast, not IPv4 limited broadcast.
bool is_unicast(const Address &address);

}  // namespace maglb::config
