#include "config_field_readers.h"

#include <sys/un.h>

namespace maglb::config {

namespace {

const char *family_text(uint8_t family) {
  switch (family) {
    case MAGLB_FAMILY_IPV4:
      return "an IPv4 address (e.g. 198.18.0.1)";
    case MAGLB_FAMILY_IPV6:
      return "an IPv6 address (e.g. 2001:db8::1)";
    default:
      return "an IPv4 or IPv6 address";
  }
}

}  // namespace

bool read_address(ObjectReader &reader, std::string_view key, uint8_t family,
                  std::optional<Address> &out, Presence presence) {
  std::string text;
  if (!reader.read_string(key, text, presence)) return false;
  const auto address = parse_address(text);
  if (!address || (family != 0 && address->family != family)) {
    reader.errors().add(reader.path_of(key), std::string("must be ") + family_text(family));
    return false;
  }
  if (!is_unicast(*address)) {
    reader.errors().add(reader.path_of(key),
                        "must be a unicast address (not unspecified, multicast or broadcast)");
    return false;
  }
  out = *address;
  return true;
}

bool read_prefix(ObjectReader &reader, std::string_view key, uint8_t family,
                 std::optional<Prefix> &out, Presence presence) {
  std::string text;
  if (!reader.read_string(key, text, presence)) return false;
  const auto prefix = parse_prefix(text);
  if (!prefix || prefix->address.family != family) {
    reader.errors().add(reader.path_of(key),
                        family == MAGLB_FAMILY_IPV4
                            ? "must be an IPv4 address with a prefix length 1..32 (e.g. "
                              "198.18.0.1/24)"
                            : "must be an IPv6 address with a prefix length 1..128 (e.g. "
                              "2001:db8::1/64)");
    return false;
  }
  if (!is_unicast(prefix->address)) {
    reader.errors().add(reader.path_of(key),
                        "must be a unicast address (not unspecified, multicast or broadcast)");
    return false;
  }
  out = *prefix;
  return true;
}

bool read_socket_path(ObjectReader &reader, std::string_view key, std::string &out,
                      Presence presence) {
  std::string text;
  if (!reader.read_string(key, text, presence)) return false;
  constexpr size_t kMax = sizeof(sockaddr_un::sun_path) - 1;
  if (text.empty() || text.front() != '/' || text.size() > kMax ||
      text.find('\0') != std::string::npos) {
    reader.errors().add(reader.path_of(key), "must be an absolute path of at most " +
                                                 std::to_string(kMax) +
                                                 " bytes (a unix socket path)");
    return false;
  }
  out = std::move(text);
  return true;
}

}  // namespace maglb::config
