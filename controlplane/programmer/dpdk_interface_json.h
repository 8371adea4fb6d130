// The SET_INTERFACE document the DPDK dataplane needs for ARP/ND (its own
// addresses and gateways), made from the config's dataplane section.
#pragma once

#include <string>

#include "config.h"

namespace maglb::programmer {

// {"addresses": ["198.18.0.1/24", ...], "gateways": ["198.18.0.254", ...]}
std::string interface_json_of(const config::DataplaneConfig &dataplane);

}  // namespace maglb::programmer
