#include "config_errors.h"

namespace maglb::config {

std::string ConfigError::to_string() const {
  return path.empty() ? reason : path + ": " + reason;
}

void ErrorList::add(std::string path, std::string reason) {
  error_paths_.insert(path);
  errors_.push_back(ConfigError{std::move(path), std::move(reason)});
}

bool ErrorList::clean(std::string_view path) const {
  if (error_paths_.empty()) return true;
  // The path itself, then every container that holds it: "vips[1].port",
  // "vips[1]", "vips", "" (cut before each '.' and '[').
  for (size_t end = path.size();; --end) {
    if (end == path.size() || end == 0 || path[end] == '.' || path[end] == '[') {
      if (error_paths_.count(std::string(path.substr(0, end))) != 0) return false;
    }
    if (end == 0) return true;
  }
}

std::string join(std::string_view parent, std::string_view field) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += field;
  return out;
}

std::string index(std::string_view parent, size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

}  // namespace maglb::config
