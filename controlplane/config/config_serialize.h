// The canonical JSON form of a model: every field written, defaults
// included (absent optionals and the ignored fields of a "none" health
// check excepted), so parse_config_text(to_json(c).dump()) == c. The daemon
// uses it to rewrite its config file atomically (temporary file + rename).
#pragma once

#include <nlohmann/json.hpp>

#include "config.h"

namespace maglb::config {

nlohmann::json to_json(const Config &config);

}  // namespace maglb::config
