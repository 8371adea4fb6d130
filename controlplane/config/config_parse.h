// The one entry point from JSON text to a config model, shared by the
// daemon and `maglbctl config check`. A config is accepted whole or
// rejected with every error found; nothing here throws or exits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "config_errors.h"

namespace maglb::config {

struct ParseResult {
  std::optional<Config> config;     // set exactly when errors is empty
  std::vector<ConfigError> errors;  // in the order found: fields, then cross-field rules
  bool ok() const { return config.has_value(); }
};

// Syntax, types, ranges, required and unknown fields, then the rules of
// docs/config.md.
ParseResult parse_config_text(std::string_view json_text);

// parse_config_text() of the file's contents. A file that cannot be read
// (missing, a directory, larger than 64 MiB) gives one error with path "".
ParseResult load_config_file(const std::string &path);

}  // namespace maglb::config
