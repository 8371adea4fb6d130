// Field-level readers of each config section (internal to the library).
// Each checks types, ranges and the rules that need only its own object,
// fills every default, and reports errors under its JSON path. Rules that
// span sections (families, on-link, duplicates, limits) are in
// config_validate.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"
#include "config_errors.h"

namespace maglb::config {

DataplaneConfig parse_dataplane(const nlohmann::json &json, ErrorList &errors);
ControlConfig parse_control(const nlohmann::json &json, ErrorList &errors);
// One VipConfig per array element, even a broken one, so indexes in later
// errors ("duplicate of vips[3]") match the file.
std::vector<VipConfig> parse_vips(const nlohmann::json &json, ErrorList &errors);
// The bgp section's own fields; next hops are defaulted in validate_bgp.
BgpConfig parse_bgp(const nlohmann::json &json, ErrorList &errors);
// vip_port fills the default health-check port; nullopt when the VIP's
// port did not read cleanly (its error is already reported).
HealthcheckConfig parse_healthcheck(const nlohmann::json &json, const std::string &path,
                                    std::optional<uint16_t> vip_port, ErrorList &errors);

}  // namespace maglb::config
