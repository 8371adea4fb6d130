// What nlohmann::json::parse() cannot tell us: where a syntax error is, and
// which object keys appear twice (parse() silently keeps the last one, so a
// config with two "weight" fields would mean something its author did not
// see). One SAX pass, no exceptions, no DOM.
#pragma once

#include <string_view>

#include "config_errors.h"

namespace maglb::config {

// Adds "" / "not valid JSON: ..." (and returns false) for an empty or
// malformed text; otherwise adds one "duplicate field" error per repeated
// key, at the key's path, and returns true.
bool check_json_syntax(std::string_view text, ErrorList &errors);

}  // namespace maglb::config
