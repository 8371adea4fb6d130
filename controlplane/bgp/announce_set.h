// Which VIP addresses this load balancer should announce: a pure function
// of the config, the latest health report and the dataplane's state, so
// every case is testable without BIRD, probes or threads.
#pragma once

#include <vector>

#include "config.h"
#include "health_types.h"

namespace maglb::bgp {

// An address is announced when the dataplane is up and at least one VIP on
// it (any port or protocol) can take a new flow now:
//  - health check "none": some backend has a configured weight > 0;
//  - otherwise: the report lists the VIP and some backend with configured
//    weight > 0 is Up and not suppressed by flap damping.
// A checked VIP whose health is undecided (no report yet, a VIP just added,
// or no backend Up while some have not reached rise/fall: `pending`) keeps
// what `current` says: not announced at a cold start (announcing before the
// first check would attract traffic that may have nowhere to go), still
// announced after a daemon restart that found BIRD announcing it (no flap
// while the new checker warms up).
// The daemon keeps forwarding a VIP whose backends are all down with its
// last table (fail open); withdrawing it lets the routers send its flows to
// a load balancer that still sees a healthy backend.
// Sorted (IPv4 before IPv6, then by bytes), each address once.
std::vector<config::Address> announced_addresses(const config::Config &config,
                                                 const health::HealthReport *report,
                                                 bool dataplane_up,
                                                 const std::vector<config::Address> &current);

}  // namespace maglb::bgp
