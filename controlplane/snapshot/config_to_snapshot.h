// Maps the validated config model to a SnapshotInput: the one place that
// knows how config fields become ABI fields. Effective weights (after health
// checks, drains, slow start) are supplied by the caller; with none given the
// configured weights are used.
#pragma once

#include <functional>

#include "config.h"
#include "config_dp_params.h"
#include "snapshot_input.h"

namespace maglb::snapshot {

// Returns the effective weight of backend `b` of VIP `v` (indexes into
// config.vips / vips[v].backends). Default: the configured weight.
using WeightFn = std::function<uint32_t(size_t v, size_t b)>;

maglb_vip_key vip_key_of(const config::VipConfig &vip);
SnapshotInput snapshot_input_of(const config::Config &cfg, uint64_t generation,
                                const WeightFn &weight = nullptr);

}  // namespace maglb::snapshot
