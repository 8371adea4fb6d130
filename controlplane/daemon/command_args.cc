#include "command_args.h"

#include <algorithm>
#include <cstring>

#include "vip_spec.h"

namespace maglb::daemon {

std::string check_fields(const nlohmann::json &body, std::initializer_list<const char *> allowed) {
  for (const auto &item : body.items()) {
    // Not a structured binding: clang 14 (the sanitizer build) cannot
    // capture one in the lambda below.
    const std::string &k = item.key();
    if (k == "command") continue;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char *a) { return k == a; })) {
      return "unknown field \"" + k + "\" for this command";
    }
  }
  return "";
}

std::optional<std::string> string_field(const nlohmann::json &body, const char *name,
                                        std::optional<std::string> fallback, std::string *error) {
  const auto it = body.find(name);
  if (it == body.end()) {
    if (!fallback) *error = std::string("missing field \"") + name + "\"";
    return fallback;
  }
  if (!it->is_string()) {
    *error = std::string("field \"") + name + "\" must be a string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<maglb_vip_key> vip_field(const nlohmann::json &body, const char *name,
                                       std::string *error) {
  const auto text = string_field(body, name, std::nullopt, error);
  if (!text) return std::nullopt;
  return cli::parse_vip_spec(*text, error);
}

std::optional<config::Address> address_field(const nlohmann::json &body, const char *name,
                                             std::string *error) {
  const auto text = string_field(body, name, std::nullopt, error);
  if (!text) return std::nullopt;
  auto a = config::parse_address(*text);
  if (!a) *error = "bad address '" + *text + "': expected an IPv4 or IPv6 address";
  return a;
}

std::optional<uint64_t> uint_field(const nlohmann::json &body, const char *name, uint64_t min,
                                   uint64_t max, std::optional<uint64_t> fallback,
                                   std::string *error) {
  const auto it = body.find(name);
  if (it == body.end()) {
    if (!fallback) *error = std::string("missing field \"") + name + "\"";
    return fallback;
  }
  // Any JSON integer that is not negative (a parser reads 7 as unsigned, a
  // client library may build it as signed).
  const bool non_negative =
      it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() >= 0);
  if (!non_negative || it->get<uint64_t>() < min || it->get<uint64_t>() > max) {
    *error = std::string("field \"") + name + "\" must be an integer " + std::to_string(min) +
             ".." + std::to_string(max);
    return std::nullopt;
  }
  return it->get<uint64_t>();
}

}  // namespace maglb::daemon
