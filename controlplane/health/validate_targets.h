// Checks a target set before the checker accepts it: a set is taken whole or
// not at all, so the checker never runs half of a bad config.
#pragma once

#include <string>
#include <vector>

#include "health_types.h"

namespace maglb::health {

// Empty if valid; else the first problem, with its context:
// "vip 198.18.0.10:80/tcp: check.port must be 1..65535".
std::string validate_targets(const std::vector<VipTarget> &targets);

// The fields that change what a probe does (type, port, path, host,
// expect_status, timeout, interval): if any differs, earlier results of
// this VIP no longer apply.
bool same_probe(const CheckSpec &a, const CheckSpec &b);

}  // namespace maglb::health
