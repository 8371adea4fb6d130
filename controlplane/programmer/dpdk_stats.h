// Turns the DPDK dataplane's GET_STATS document (docs/dataplane.md) into the
// normalized statistics document of programmer.h.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace maglb::programmer {

// Returns "" and fills *out, or an error naming the first missing or
// mistyped field (then *out is untouched).
std::string normalize_dpdk_stats(const nlohmann::json &doc, nlohmann::json *out);

}  // namespace maglb::programmer
