// JSON views of the running state for the read-only control commands.
#pragma once

#include <nlohmann/json.hpp>

#include "balancer.h"

namespace maglb::daemon {

// vip list: one summary object per VIP.
nlohmann::json vip_list_view(const Balancer &balancer);
// vip show: settings, and per backend its health state, configured and
// effective weight, slots and share of the installed table.
nlohmann::json vip_show_view(const Balancer &balancer, const InstalledVip &vip);
// table dump: the installed table, slot by slot, and the backends its ids name.
nlohmann::json table_view(const Balancer &balancer, const InstalledVip &vip);

}  // namespace maglb::daemon
