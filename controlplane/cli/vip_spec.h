// Parses the VIP notation every maglbctl command takes:
//   198.18.0.100:80/tcp   [2001:db8::100]:443/tcp   198.18.0.101:*/udp (all ports, also :0)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "maglb_abi.h"

namespace maglb::cli {

// On failure returns nullopt and sets *error to why.
std::optional<maglb_vip_key> parse_vip_spec(std::string_view text, std::string *error);

}  // namespace maglb::cli
