// Rules of the bgp section that need the rest of the config (internal to
// the library): the next hops default to the dataplane's own addresses, and
// every peer needs a next hop of its family.
#pragma once

#include "config.h"
#include "config_errors.h"

namespace maglb::config {

// Fills bgp.next_hop_v4/v6 from dataplane.address_v4/v6 when not given, and
// reports a peer whose family has no next hop. No-op without a bgp section.
void complete_bgp(Config &config, ErrorList &errors);

}  // namespace maglb::config
