// The dataplane section as the ABI's maglb_dp_params, which XDP keeps in an
// array map and the DPDK dataplane receives in every snapshot.
#pragma once

#include "config.h"
#include "maglb_abi.h"

namespace maglb::config {

// Absent encap sources become zero addresses (a validated config has the
// source of every family a VIP tunnels to). gue_port is in network order,
// as the ABI's __be16 says; mtu and timeouts are host order.
maglb_dp_params to_dp_params(const DataplaneConfig &dataplane);

}  // namespace maglb::config
