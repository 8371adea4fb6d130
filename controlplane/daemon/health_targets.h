// The config model mapped onto the health checker's types. A VIP's target
// id is its printed key ("198.18.0.100:80/tcp"), which is also how the
// daemon finds it again in a report.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "health_types.h"

namespace maglb::daemon {

std::string vip_id_of(const config::VipConfig &vip);
health::IpAddress ip_of(const config::Address &address);
std::vector<health::VipTarget> health_targets_of(const config::Config &config);

}  // namespace maglb::daemon
