#include "config_serialize.h"

#include "config_names.h"

namespace maglb::config {

namespace {

using json = nlohmann::json;

json dataplane_json(const DataplaneConfig &dp) {
  json out = {
      {"mode", to_name(dp.mode)},
      {"cores", dp.cores},
      {"queues", dp.queues},
      {"encap_source_v4_entropy_bits", dp.encap_source_v4_entropy_bits},
      {"encap_source_v6_entropy_bits", dp.encap_source_v6_entropy_bits},
      {"mtu", dp.mtu},
      {"gue_port", dp.gue_port},
      {"icmp_too_big", dp.icmp_too_big},
      {"flow_table",
       {{"entries_per_core", dp.flow_table.entries_per_core},
        {"tcp_idle_timeout_s", dp.flow_table.tcp_idle_timeout_s},
        {"udp_idle_timeout_s", dp.flow_table.udp_idle_timeout_s}}},
  };
  if (!dp.interfaces.empty()) out["interfaces"] = dp.interfaces;
  if (dp.dpdk) out["dpdk"] = {{"socket", dp.dpdk->socket}};
  if (dp.address_v4) out["address_v4"] = format_prefix(*dp.address_v4);
  if (dp.address_v6) out["address_v6"] = format_prefix(*dp.address_v6);
  if (dp.gateway_v4) out["gateway_v4"] = format_address(*dp.gateway_v4);
  if (dp.gateway_v6) out["gateway_v6"] = format_address(*dp.gateway_v6);
  if (dp.encap_source_v4) out["encap_source_v4"] = format_address(*dp.encap_source_v4);
  if (dp.encap_source_v6) out["encap_source_v6"] = format_address(*dp.encap_source_v6);
  return out;
}

json healthcheck_json(const HealthcheckConfig &hc) {
  if (hc.type == HealthcheckType::kNone) return {{"type", to_name(hc.type)}};
  json out = {
      {"type", to_name(hc.type)},
      {"port", hc.port},
      {"interval_ms", hc.interval_ms},
      {"timeout_ms", hc.timeout_ms},
      {"rise", hc.rise},
      {"fall", hc.fall},
      {"through_tunnel", hc.through_tunnel},
      {"slow_start_s", hc.slow_start_s},
  };
  if (hc.type == HealthcheckType::kHttp) {
    out["path"] = hc.path;
    out["expect_status"] = hc.expect_status;
  }
  return out;
}

json vip_json(const VipConfig &vip) {
  json backends = json::array();
  for (const BackendConfig &backend : vip.backends) {
    json b = {{"address", format_address(backend.address)}, {"weight", backend.weight}};
    if (!backend.name.empty()) b["name"] = backend.name;
    if (backend.undrain_weight != 0) b["undrain_weight"] = backend.undrain_weight;
    backends.push_back(std::move(b));
  }
  return {
      {"address", format_address(vip.address)},
      {"port", vip.port},
      {"protocol", to_name(vip.protocol)},
      {"method", to_name(vip.method)},
      {"hash", to_name(vip.hash)},
      {"table_size", vip.table_size},
      {"healthcheck", healthcheck_json(vip.healthcheck)},
      {"backends", std::move(backends)},
  };
}

json bgp_json(const BgpConfig &bgp) {
  json peers = json::array();
  for (const BgpPeerConfig &peer : bgp.peers) {
    json p = {{"address", format_address(peer.address)}, {"asn", peer.asn}};
    if (!peer.password.empty()) p["password"] = peer.password;
    peers.push_back(std::move(p));
  }
  json communities = json::array();
  for (const BgpCommunity &c : bgp.communities) {
    communities.push_back(std::to_string(c.asn) + ":" + std::to_string(c.value));
  }
  json out = {
      {"local_asn", bgp.local_asn},
      {"router_id", format_address(bgp.router_id)},
      {"peers", std::move(peers)},
      {"communities", std::move(communities)},
      {"hold_time_s", bgp.hold_time_s},
      {"keepalive_s", bgp.keepalive_s},
      {"withdraw_delay_ms", bgp.withdraw_delay_ms},
      {"bird",
       {{"config", bgp.bird.config},
        {"socket", bgp.bird.socket},
        {"manage", bgp.bird.manage},
        {"bird", bgp.bird.bird},
        {"birdc", bgp.bird.birdc}}},
  };
  if (bgp.next_hop_v4) out["next_hop_v4"] = format_address(*bgp.next_hop_v4);
  if (bgp.next_hop_v6) out["next_hop_v6"] = format_address(*bgp.next_hop_v6);
  if (bgp.med) out["med"] = *bgp.med;
  return out;
}

}  // namespace

json to_json(const Config &config) {
  json vips = json::array();
  for (const VipConfig &vip : config.vips) vips.push_back(vip_json(vip));
  json control = {{"socket", config.control.socket},
                  {"metrics_listen", format_endpoint(config.control.metrics_listen)}};
  if (!config.control.socket_group.empty()) control["socket_group"] = config.control.socket_group;
  json out = {
      {"dataplane", dataplane_json(config.dataplane)},
      {"control", std::move(control)},
      {"vips", std::move(vips)},
  };
  if (config.bgp) out["bgp"] = bgp_json(*config.bgp);
  return out;
}

}  // namespace maglb::config
