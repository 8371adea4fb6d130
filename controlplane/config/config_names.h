// The JSON spelling of every enum in the model: one table per enum, read by
// the parser and the serializer alike so the two can never disagree.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config.h"

namespace maglb::config {

template <class E>
struct EnumName {
  E value;
  const char *name;
};

std::span<const EnumName<DataplaneMode>> enum_names(DataplaneMode);
std::span<const EnumName<Method>> enum_names(Method);
std::span<const EnumName<HashFields>> enum_names(HashFields);
std::span<const EnumName<Protocol>> enum_names(Protocol);
std::span<const EnumName<HealthcheckType>> enum_names(HealthcheckType);

// The JSON name of value ("?" for a value missing from its table).
template <class E>
const char *to_name(E value) {
  for (const auto &entry : enum_names(E{})) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

template <class E>
std::optional<E> from_name(std::string_view name) {
  for (const auto &entry : enum_names(E{})) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

// `one of "ipip", "gue", "l2"`: the reason text for a bad enum value.
template <class E>
std::string one_of_reason() {
  std::string out = "must be one of ";
  bool first = true;
  for (const auto &entry : enum_names(E{})) {
    if (!first) out += ", ";
    out += '"';
    out += entry.name;
    out += '"';
    first = false;
  }
  return out;
}

}  // namespace maglb::config
