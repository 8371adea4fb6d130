// The address of a backend or of the prober's source, in the ABI's own
// representation (family tag + 16 bytes, IPv4 in addr[0..3]) so the daemon
// copies it straight from the config model and into snapshot inputs.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "maglb_abi.h"

namespace maglb::health {

struct IpAddress {
  uint8_t family = MAGLB_FAMILY_IPV4;  // MAGLB_FAMILY_IPV4 or MAGLB_FAMILY_IPV6
  std::array<uint8_t, 16> addr{};      // IPv4 in addr[0..3], the rest zero

  bool operator==(const IpAddress &) const = default;
};

// "198.18.0.1" / "2001:db8::1"; "<bad family N>" for an invalid family.
std::string format_ip(const IpAddress &ip);

// "198.18.0.1:80" / "[2001:db8::1]:80": also the default HTTP Host header.
std::string format_ip_port(const IpAddress &ip, uint16_t port);

// Parses a literal IPv4 or IPv6 address; nullopt if it is neither.
std::optional<IpAddress> parse_ip(std::string_view text);

// Fills a sockaddr_in / sockaddr_in6 for connect() or bind(); returns its
// length, or 0 if the family is invalid.
socklen_t to_sockaddr(const IpAddress &ip, uint16_t port, sockaddr_storage *out);

// A byte string usable as a hash-map key (family byte + 16 address bytes).
std::string address_key(const IpAddress &ip);

}  // namespace maglb::health
