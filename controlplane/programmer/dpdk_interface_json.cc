#include "dpdk_interface_json.h"

#include <nlohmann/json.hpp>

namespace maglb::programmer {

std::string interface_json_of(const config::DataplaneConfig &dp) {
  nlohmann::json addresses = nlohmann::json::array();
  nlohmann::json gateways = nlohmann::json::array();
  for (const auto &p : {dp.address_v4, dp.address_v6}) {
    if (p) addresses.push_back(config::format_prefix(*p));
  }
  for (const auto &g : {dp.gateway_v4, dp.gateway_v6}) {
    if (g) gateways.push_back(config::format_address(*g));
  }
  return nlohmann::json{{"addresses", addresses}, {"gateways", gateways}}.dump();
}

}  // namespace maglb::programmer
