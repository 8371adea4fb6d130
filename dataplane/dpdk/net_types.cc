#include "net_types.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace maglb::dpdk {

bool IpPrefix::contains(const IpAddr &a) const {
  if (a.family != addr.family) return false;
  unsigned full = len / 8, rest = len % 8;
  for (unsigned i = 0; i < full; i++) {
    if (a.bytes[i] != addr.bytes[i]) return false;
  }
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff00u >> rest);
  return (a.bytes[full] & mask) == (addr.bytes[full] & mask);
}

IpAddr ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddr r;
  r.family = MAGLB_FAMILY_IPV4;
  r.bytes[0] = a;
  r.bytes[1] = b;
  r.bytes[2] = c;
  r.bytes[3] = d;
  return r;
}

std::optional<IpAddr> parse_ip(std::string_view text) {
  std::string s(text);
  IpAddr r;
  if (inet_pton(AF_INET, s.c_str(), r.bytes.data()) == 1) {
    r.family = MAGLB_FAMILY_IPV4;
    return r;
  }
  if (inet_pton(AF_INET6, s.c_str(), r.bytes.data()) == 1) {
    r.family = MAGLB_FAMILY_IPV6;
    return r;
  }
  return std::nullopt;
}

std::optional<IpPrefix> parse_prefix(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = parse_ip(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || end != len_text.data() + len_text.size() || len_text.empty()) {
    return std::nullopt;
  }
  if (len > (addr->family == MAGLB_FAMILY_IPV4 ? 32u : 128u)) return std::nullopt;
  return IpPrefix{*addr, static_cast<uint8_t>(len)};
}

std::optional<MacAddr> parse_mac(std::string_view text) {
  MacAddr m{};
  if (text.size() != 17) return std::nullopt;
  for (size_t i = 0; i < 6; i++) {
    if (i > 0 && text[i * 3 - 1] != ':') return std::nullopt;
    auto [end, ec] = std::from_chars(text.data() + i * 3, text.data() + i * 3 + 2, m[i], 16);
    if (ec != std::errc() || end != text.data() + i * 3 + 2) return std::nullopt;
  }
  return m;
}

std::string format_ip(const IpAddr &a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.family == MAGLB_FAMILY_IPV4) {
    inet_ntop(AF_INET, a.bytes.data(), buf, sizeof(buf));
  } else if (a.family == MAGLB_FAMILY_IPV6) {
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof(buf));
  } else {
    return "?";
  }
  return buf;
}

std::string format_mac(const MacAddr &m) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

}  // namespace maglb::dpdk
