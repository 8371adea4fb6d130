#include "config_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace maglb::config {

std::optional<Address> parse_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string; INET6_ADDRSTRLEN bounds both.
  char buf[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';

  Address out;
  if (text.find(':') == std::string_view::npos) {
    out.family = MAGLB_FAMILY_IPV4;
    if (inet_pton(AF_INET, buf, out.bytes.data()) != 1) return std::nullopt;
  } else {
    out.family = MAGLB_FAMILY_IPV6;
    if (inet_pton(AF_INET6, buf, out.bytes.data()) != 1) return std::nullopt;
  }
  return out;
}

namespace {

// Decimal digits only (from_chars alone would accept a leading '-' for
// signed types and stops silently at trailing junk).
std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Prefix> parse_prefix(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned max_len = address->is_v4() ? 32 : 128;
  const auto length = parse_decimal(text.substr(slash + 1), max_len);
  if (!length || *length == 0) return std::nullopt;
  return Prefix{*address, static_cast<uint8_t>(*length)};
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    // Brackets are for IPv6 only, and IPv6 must be bracketed (below).
    if (host.find(':') == std::string_view::npos) return std::nullopt;
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  const auto address = parse_address(host);
  const auto port_value = parse_decimal(port, 65535);
  if (!address || !port_value || *port_value == 0) return std::nullopt;
  return Endpoint{*address, static_cast<uint16_t>(*port_value)};
}

std::string format_address(uint8_t family, const std::array<uint8_t, 16> &bytes) {
  char buf[INET6_ADDRSTRLEN];
  const int af = family == MAGLB_FAMILY_IPV4 ? AF_INET : family == MAGLB_FAMILY_IPV6 ? AF_INET6 : 0;
  if (af == 0 || inet_ntop(af, bytes.data(), buf, sizeof(buf)) == nullptr) return "?";
  return buf;
}

std::string format_address(const Address &address) {
  return format_address(address.family, address.bytes);
}

std::string format_prefix(const Prefix &prefix) {
  return format_address(prefix.address) + "/" + std::to_string(prefix.length);
}

std::string format_endpoint(const Endpoint &endpoint) {
  const std::string host = format_address(endpoint.address);
  return (endpoint.address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(endpoint.port);
}

bool prefix_contains(const Prefix &prefix, const Address &address) {
  if (prefix.address.family != address.family) return false;
  const unsigned full_bytes = prefix.length / 8;
  const unsigned rest_bits = prefix.length % 8;
  if (std::memcmp(prefix.address.bytes.data(), address.bytes.data(), full_bytes) != 0) {
    return false;
  }
  if (rest_bits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest_bits));
  return (prefix.address.bytes[full_bytes] & mask) == (address.bytes[full_bytes] & mask);
}

bool is_unicast(const Address &address) {
  const auto &b = address.bytes;
  if (address.is_v4()) {
    const bool unspecified = b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0;
    const bool multicast = (b[0] & 0xf0) == 0xe0;
    const bool broadcast = b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
    return !unspecified && !multicast && !broadcast;
  }
  bool unspecified = true;
  for (uint8_t byte : b) unspecified = unspecified && byte == 0;
  return !unspecified && b[0] != 0xff;
}

}  // namespace maglb::config
