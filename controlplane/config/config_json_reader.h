// Typed, non-throwing reads of one JSON object's fields. Every read checks
// the type before calling get<>() (which would throw), reports problems to
// an ErrorList under the field's path, and remembers the field as known so
// finish() can report every field nobody asked for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_errors.h"
#include "config_names.h"

namespace maglb::config {

enum class Presence { kRequired, kOptional };

class ObjectReader {
 public:
  // A value that is not an object is reported once ("must be an object");
  // then every read finds nothing and reports nothing more.
  ObjectReader(const nlohmann::json &json, std::string path, ErrorList &errors);

  bool is_object() const { return json_ != nullptr; }
  const std::string &path() const { return path_; }
  std::string path_of(std::string_view key) const { return join(path_, key); }
  ErrorList &errors() { return errors_; }

  // The field, or nullptr when absent (an error if kRequired).
  const nlohmann::json *field(std::string_view key, Presence presence);

  // Each returns true when the field was present and valid, and only then
  // writes out; absent optional fields leave out (the default) unchanged.
  template <class T>
  bool read_uint(std::string_view key, T &out, uint64_t min, uint64_t max, Presence presence) {
    uint64_t value = 0;
    if (!read_integer(key, value, min, max, presence)) return false;
    out = static_cast<T>(value);
    return true;
  }
  bool read_bool(std::string_view key, bool &out, Presence presence);
  bool read_string(std::string_view key, std::string &out, Presence presence);
  template <class E>
  bool read_enum(std::string_view key, E &out, Presence presence) {
    std::string text;
    if (!read_string(key, text, presence)) return false;
    const auto value = from_name<E>(text);
    if (!value) {
      errors_.add(path_of(key), one_of_reason<E>());
      return false;
    }
    out = *value;
    return true;
  }

  // Reports every field of the object that no read asked for.
  void finish();

 private:
  bool read_integer(std::string_view key, uint64_t &out, uint64_t min, uint64_t max,
                    Presence presence);

  const nlohmann::json *json_;  // nullptr when the value is not an object
  std::string path_;
  ErrorList &errors_;
  std::vector<std::string> known_;
};

// Reason text shared by every integer field: "must be an integer 0..65535".
std::string integer_reason(uint64_t min, uint64_t max);

}  // namespace maglb::config
