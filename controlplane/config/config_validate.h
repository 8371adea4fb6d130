// The rules that span sections of a config (internal to the library):
// limits of the ABI, duplicate VIPs and backends, which backend families a
// forwarding method can carry, on-link L2 backends, the IPv6 minimum MTU.
// Inputs whose own field already failed are skipped (ErrorList::clean), so
// one mistake gives one error.
#pragma once

#include "config.h"
#include "config_errors.h"

namespace maglb::config {

void validate_config(const Config &config, ErrorList &errors);

}  // namespace maglb::config
