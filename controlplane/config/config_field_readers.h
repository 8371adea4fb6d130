// Reads of the field kinds that several sections share: addresses,
// prefixes, unix socket paths. Same contract as ObjectReader's reads: true
// only when the field was present and valid; errors go to the reader's list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config_address.h"
#include "config_json_reader.h"

namespace maglb::config {

// family: MAGLB_FAMILY_IPV4, MAGLB_FAMILY_IPV6, or 0 for either. The
// address must be unicast: every address in a config names one host.
bool read_address(ObjectReader &reader, std::string_view key, uint8_t family,
                  std::optional<Address> &out, Presence presence);
bool read_prefix(ObjectReader &reader, std::string_view key, uint8_t family,
                 std::optional<Prefix> &out, Presence presence);
// An absolute path that fits struct sockaddr_un (107 bytes + NUL).
bool read_socket_path(ObjectReader &reader, std::string_view key, std::string &out,
                      Presence presence);

}  // namespace maglb::config
