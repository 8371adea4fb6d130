#include <algorithm>

#include "config_field_readers.h"
#include "config_sections.h"

namespace maglb::config {

namespace {

// Linux netdev names: 1..15 bytes (IFNAMSIZ - 1), no '/', ':' or
// whitespace (dev_valid_name() in the kernel), and not "." or "..".
bool valid_netdev_name(const std::string &name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '/' && c != ':'; });
}

std::vector<std::string> parse_interfaces(const nlohmann::json &json, const std::string &path,
                                          ErrorList &errors) {
  std::vector<std::string> names;
  if (!json.is_array()) {
    errors.add(path, "must be an array of interface names");
    return names;
  }
  for (size_t i = 0; i < json.size(); ++i) {
    const nlohmann::json &item = json[i];
    if (!item.is_string() || !valid_netdev_name(item.get<std::string>())) {
      errors.add(index(path, i),
                 "must be a network interface name (1..15 characters, no '/', ':' or spaces)");
      continue;
    }
    const std::string name = item.get<std::string>();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      errors.add(index(path, i), "duplicate interface \"" + name + "\"");
      continue;
    }
    names.push_back(name);
  }
  return names;
}

FlowTableConfig parse_flow_table(const nlohmann::json &json, ErrorList &errors) {
  FlowTableConfig flow;
  ObjectReader reader(json, "dataplane.flow_table", errors);
  // 2^10..2^27 entries: below, a table is too small to be useful; above,
  // one core's table (64-byte entries) would exceed 8 GiB of hugepages.
  reader.read_uint("entries_per_core", flow.entries_per_core, 1024, 134217728, Presence::kOptional);
  reader.read_uint("tcp_idle_timeout_s", flow.tcp_idle_timeout_s, 1, 86400, Presence::kOptional);
  reader.read_uint("udp_idle_timeout_s", flow.udp_idle_timeout_s, 1, 86400, Presence::kOptional);
  reader.finish();
  return flow;
}

DpdkConfig parse_dpdk(const nlohmann::json &json, ErrorList &errors) {
  DpdkConfig dpdk;
  ObjectReader reader(json, "dataplane.dpdk", errors);
  read_socket_path(reader, "socket", dpdk.socket, Presence::kOptional);
  reader.finish();
  return dpdk;
}

// A gateway must be reachable on-link through the own address of its family.
void check_gateway(const std::optional<Address> &gateway, const std::optional<Prefix> &own,
                   const std::string &gateway_path, const char *own_name, ErrorList &errors) {
  if (!gateway || !errors.clean(join("dataplane", own_name))) return;
  if (!own) {
    errors.add(gateway_path,
               std::string("needs dataplane.") + own_name + " (the gateway is on-link)");
  } else if (!prefix_contains(*own, *gateway)) {
    errors.add(gateway_path, std::string("must be inside dataplane.") + own_name + " " +
                                 format_prefix(*own) + " (the gateway is on-link)");
  }
}

}  // namespace

DataplaneConfig parse_dataplane(const nlohmann::json &json, ErrorList &errors) {
  DataplaneConfig dp;
  ObjectReader reader(json, "dataplane", errors);
  const bool mode_ok = reader.read_enum("mode", dp.mode, Presence::kRequired);

  const std::string interfaces_path = reader.path_of("interfaces");
  const auto *interfaces = reader.field("interfaces", Presence::kOptional);
  if (interfaces) dp.interfaces = parse_interfaces(*interfaces, interfaces_path, errors);
  // Absent or [] (a broken list has its own errors already).
  const bool no_interfaces = !interfaces || (interfaces->is_array() && interfaces->empty());
  if (const auto *dpdk = reader.field("dpdk", Presence::kOptional)) {
    dp.dpdk = parse_dpdk(*dpdk, errors);
  }
  // 128 = DPDK's default RTE_MAX_LCORE; 64 queues per port is beyond any
  // NIC queue count this balancer would use per core.
  reader.read_uint("cores", dp.cores, 1, 128, Presence::kOptional);
  reader.read_uint("queues", dp.queues, 1, 64, Presence::kOptional);
  read_prefix(reader, "address_v4", MAGLB_FAMILY_IPV4, dp.address_v4, Presence::kOptional);
  read_prefix(reader, "address_v6", MAGLB_FAMILY_IPV6, dp.address_v6, Presence::kOptional);
  read_address(reader, "gateway_v4", MAGLB_FAMILY_IPV4, dp.gateway_v4, Presence::kOptional);
  read_address(reader, "gateway_v6", MAGLB_FAMILY_IPV6, dp.gateway_v6, Presence::kOptional);
  read_address(reader, "encap_source_v4", MAGLB_FAMILY_IPV4, dp.encap_source_v4,
               Presence::kOptional);
  read_address(reader, "encap_source_v6", MAGLB_FAMILY_IPV6, dp.encap_source_v6,
               Presence::kOptional);
  // 16 bits: the flow hash's low bits spread over at most a /16 (v4) of
  // sources, which is all the entropy ECMP/RSS on the backend side needs.
  reader.read_uint("encap_source_v4_entropy_bits", dp.encap_source_v4_entropy_bits, 0, 16,
                   Presence::kOptional);
  reader.read_uint("encap_source_v6_entropy_bits", dp.encap_source_v6_entropy_bits, 0, 16,
                   Presence::kOptional);
  // 576 is the IPv4 minimum datagram every host must accept (RFC 791);
  // 9216 the usual jumbo-frame ceiling of switches.
  reader.read_uint("mtu", dp.mtu, 576, 9216, Presence::kOptional);
  reader.read_uint("gue_port", dp.gue_port, 1, 65535, Presence::kOptional);
  reader.read_bool("icmp_too_big", dp.icmp_too_big, Presence::kOptional);
  if (const auto *flow = reader.field("flow_table", Presence::kOptional)) {
    dp.flow_table = parse_flow_table(*flow, errors);
  }
  reader.finish();
  if (!reader.is_object()) return dp;

  if (mode_ok && dp.mode == DataplaneMode::kDpdk && !dp.dpdk) {
    errors.add(reader.path_of("dpdk"), "required when mode is \"dpdk\" ({} takes the defaults)");
  }
  if (mode_ok && dp.mode == DataplaneMode::kXdp && no_interfaces) {
    errors.add(interfaces_path, "required when mode is \"xdp\" (at least one interface name)");
  }
  if (!dp.address_v4 && !dp.address_v6 && errors.clean(reader.path_of("address_v4")) &&
      errors.clean(reader.path_of("address_v6"))) {
    // Reported on address_v4 rather than on "dataplane", which would mark
    // every dataplane field unclean and hide the cross-section checks.
    errors.add(reader.path_of("address_v4"),
               "required unless address_v6 is set (at least one own address)");
  }
  check_gateway(dp.gateway_v4, dp.address_v4, reader.path_of("gateway_v4"), "address_v4", errors);
  check_gateway(dp.gateway_v6, dp.address_v6, reader.path_of("gateway_v6"), "address_v6", errors);
  return dp;
}

}  // namespace maglb::config
