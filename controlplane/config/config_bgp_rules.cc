#include "config_bgp_rules.h"

namespace maglb::config {

void complete_bgp(Config &config, ErrorList &errors) {
  if (!config.bgp) return;
  BgpConfig &bgp = *config.bgp;
  const DataplaneConfig &dp = config.dataplane;
  if (!bgp.next_hop_v4 && dp.address_v4) bgp.next_hop_v4 = dp.address_v4->address;
  if (!bgp.next_hop_v6 && dp.address_v6) bgp.next_hop_v6 = dp.address_v6->address;
  for (size_t i = 0; i < bgp.peers.size(); ++i) {
    const std::string at = join(index("bgp.peers", i), "address");
    if (!errors.clean(at)) continue;
    const bool v6 = bgp.peers[i].address.is_v6();
    if (v6 ? !bgp.next_hop_v6 : !bgp.next_hop_v4) {
      errors.add(at, v6 ? "an IPv6 peer needs bgp.next_hop_v6 or dataplane.address_v6"
                        : "an IPv4 peer needs bgp.next_hop_v4 or dataplane.address_v4");
    }
  }
}

}  // namespace maglb::config
