#include "config_dp_params.h"

#include <arpa/inet.h>

#include <cstring>

namespace maglb::config {

maglb_dp_params to_dp_params(const DataplaneConfig &dataplane) {
  maglb_dp_params params{};
  if (dataplane.encap_source_v6) {
    std::memcpy(params.encap_src_v6, dataplane.encap_source_v6->bytes.data(), 16);
  }
  if (dataplane.encap_source_v4) {
    // The address bytes are already network order: copy, don't convert.
    std::memcpy(&params.encap_src_v4, dataplane.encap_source_v4->bytes.data(), 4);
  }
  params.src_v4_entropy_bits = dataplane.encap_source_v4_entropy_bits;
  params.src_v6_entropy_bits = dataplane.encap_source_v6_entropy_bits;
  params.mtu = dataplane.mtu;
  params.gue_port = htons(dataplane.gue_port);
  params.flags = dataplane.icmp_too_big ? MAGLB_DP_F_ICMP_TOO_BIG : 0;
  params.tcp_idle_timeout_s = dataplane.flow_table.tcp_idle_timeout_s;
  params.udp_idle_timeout_s = dataplane.flow_table.udp_idle_timeout_s;
  return params;
}

}  // namespace maglb::config
