#include "config_json_reader.h"

#include <algorithm>

namespace maglb::config {

ObjectReader::ObjectReader(const nlohmann::json &json, std::string path, ErrorList &errors)
    : json_(json.is_object() ? &json : nullptr), path_(std::move(path)), errors_(errors) {
  if (json_ == nullptr) errors_.add(path_, "must be an object");
}

const nlohmann::json *ObjectReader::field(std::string_view key, Presence presence) {
  if (json_ == nullptr) return nullptr;
  known_.emplace_back(key);
  const auto it = json_->find(key);
  if (it == json_->end()) {
    if (presence == Presence::kRequired) errors_.add(path_of(key), "required field is missing");
    return nullptr;
  }
  return &*it;
}

bool ObjectReader::read_integer(std::string_view key, uint64_t &out, uint64_t min, uint64_t max,
                                Presence presence) {
  const nlohmann::json *value = field(key, presence);
  if (value == nullptr) return false;
  // Floats (even 80.0), strings and booleans are all wrong types; a
  // negative integer is simply out of range.
  bool in_range = false;
  if (value->is_number_unsigned()) {
    out = value->get<uint64_t>();
    in_range = out >= min && out <= max;
  } else if (value->is_number_integer()) {
    const int64_t signed_value = value->get<int64_t>();
    out = static_cast<uint64_t>(signed_value);
    in_range = signed_value >= 0 && out >= min && out <= max;
  }
  if (!in_range) errors_.add(path_of(key), integer_reason(min, max));
  return in_range;
}

bool ObjectReader::read_bool(std::string_view key, bool &out, Presence presence) {
  const nlohmann::json *value = field(key, presence);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    errors_.add(path_of(key), "must be true or false");
    return false;
  }
  out = value->get<bool>();
  return true;
}

bool ObjectReader::read_string(std::string_view key, std::string &out, Presence presence) {
  const nlohmann::json *value = field(key, presence);
  if (value == nullptr) return false;
  if (!value->is_string()) {
    errors_.add(path_of(key), "must be a string");
    return false;
  }
  out = value->get<std::string>();
  return true;
}

void ObjectReader::finish() {
  if (json_ == nullptr) return;
  for (const auto &[key, value] : json_->items()) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      errors_.add(path_of(key), "unknown field");
    }
  }
}

std::string integer_reason(uint64_t min, uint64_t max) {
  return "must be an integer " + std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace maglb::config
