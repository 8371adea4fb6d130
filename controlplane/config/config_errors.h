// Validation errors: every problem of a rejected config, each with the JSON
// path it is about ("vips[2].backends[5].weight", "" for the whole file).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace maglb::config {

struct ConfigError {
  std::string path;    // "" = the document itself
  std::string reason;  // lower case, no trailing period
  // "path: reason", or just "reason" when path is empty.
  std::string to_string() const;
  friend bool operator==(const ConfigError &, const ConfigError &) = default;
};

// Collects errors while a config is read, and answers whether a field read
// cleanly, so that cross-field checks skip inputs that already failed
// (one mistake, one error).
class ErrorList {
 public:
  void add(std::string path, std::string reason);
  // False when path, or any object/array that contains it, has an error.
  bool clean(std::string_view path) const;
  bool empty() const { return errors_.empty(); }
  const std::vector<ConfigError> &errors() const { return errors_; }
  std::vector<ConfigError> take() {
    error_paths_.clear();
    return std::move(errors_);
  }

 private:
  std::vector<ConfigError> errors_;
  // Paths with an error, so clean() costs O(depth), not O(errors): a file
  // with 65535 broken backends must not take minutes to reject.
  std::unordered_set<std::string> error_paths_;
};

// Path building: join("vips[2]", "port") = "vips[2].port", join("", "vips")
// = "vips", index("vips", 2) = "vips[2]".
std::string join(std::string_view parent, std::string_view field);
std::string index(std::string_view parent, size_t i);

}  // namespace maglb::config
