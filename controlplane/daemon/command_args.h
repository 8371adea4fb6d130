// Reading a control request's fields (control_protocol.h): every field is
// checked for presence, type and range, and a request with a field its
// command does not know is refused (a typo must not be silently ignored).
// Each reader returns nullopt and sets *error with the field's name.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config_address.h"
#include "maglb_abi.h"

namespace maglb::daemon {

// "" if every field of `body` except "command" is in `allowed`.
std::string check_fields(const nlohmann::json &body, std::initializer_list<const char *> allowed);

// "198.18.0.100:80/tcp" (controlplane/cli/vip_spec.h notation).
std::optional<maglb_vip_key> vip_field(const nlohmann::json &body, const char *name,
                                       std::string *error);
std::optional<config::Address> address_field(const nlohmann::json &body, const char *name,
                                             std::string *error);
// Absent: `fallback` (nullopt fallback = required).
std::optional<uint64_t> uint_field(const nlohmann::json &body, const char *name, uint64_t min,
                                   uint64_t max, std::optional<uint64_t> fallback,
                                   std::string *error);
std::optional<std::string> string_field(const nlohmann::json &body, const char *name,
                                        std::optional<std::string> fallback, std::string *error);

}  // namespace maglb::daemon
