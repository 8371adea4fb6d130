#include "config_validate.h"

#include <map>
#include <tuple>

#include "config_names.h"

namespace maglb::config {

namespace {

const char *family_name(uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? "IPv6" : "IPv4";
}
const char *family_suffix(uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? "v6" : "v4";
}

const std::optional<Address> &encap_source(const DataplaneConfig &dp, uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? dp.encap_source_v6 : dp.encap_source_v4;
}
const std::optional<Prefix> &own_prefix(const DataplaneConfig &dp, uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? dp.address_v6 : dp.address_v4;
}

void check_limits(const Config &config, ErrorList &errors) {
  if (config.vips.size() > MAGLB_MAX_VIPS) {
    errors.add("vips", "too many VIPs: " + std::to_string(config.vips.size()) + " (at most " +
                           std::to_string(MAGLB_MAX_VIPS) + ")");
  }
  size_t backends = 0;
  for (const VipConfig &vip : config.vips) backends += vip.backends.size();
  // Slot values index the snapshot's backend array, which is at most this long.
  if (backends > MAGLB_MAX_BACKENDS) {
    errors.add("vips", "too many backends in total: " + std::to_string(backends) + " (at most " +
                           std::to_string(MAGLB_MAX_BACKENDS) + ")");
  }
}

// Which backends the VIP's method can reach: ipip and l2 keep the packet's
// family (IPIP is 4-in-4 or 6-in-6; l2 does not touch IP), gue can wrap
// either family in either; every tunnel needs an outer source address.
void check_backend_families(const Config &config, size_t v, ErrorList &errors) {
  const VipConfig &vip = config.vips[v];
  const DataplaneConfig &dp = config.dataplane;
  const std::string vip_path = index("vips", v);
  if (!errors.clean(join(vip_path, "method")) || !errors.clean(join(vip_path, "address"))) return;
  const char *method = to_name(vip.method);

  if (vip.method == Method::kIpip && !encap_source(dp, vip.address.family) &&
      errors.clean(std::string("dataplane.encap_source_") + family_suffix(vip.address.family))) {
    errors.add(join(vip_path, "method"),
               std::string("method ipip for an ") + family_name(vip.address.family) +
                   " VIP needs dataplane.encap_source_" + family_suffix(vip.address.family));
  }
  bool gue_reported[2] = {false, false};  // one error per missing family, not per backend
  for (size_t b = 0; b < vip.backends.size(); ++b) {
    const Address &backend = vip.backends[b].address;
    const std::string path = join(index(join(vip_path, "backends"), b), "address");
    if (!errors.clean(path)) continue;
    if (vip.method != Method::kGue && backend.family != vip.address.family) {
      errors.add(path, std::string("method ") + method + " needs an " +
                           family_name(vip.address.family) +
                           " backend (the VIP's family); only gue crosses families");
      continue;
    }
    bool &reported = gue_reported[backend.is_v6() ? 1 : 0];
    const std::string source =
        std::string("dataplane.encap_source_") + family_suffix(backend.family);
    if (vip.method == Method::kGue && !reported && !encap_source(dp, backend.family) &&
        errors.clean(source)) {
      errors.add(path, std::string("method gue to an ") + family_name(backend.family) +
                           " backend needs " + source);
      reported = true;
    }
    if (vip.method == Method::kL2) {
      // The frame is only re-addressed at L2: the backend must be a neighbour.
      const std::string own = std::string("address_") + family_suffix(backend.family);
      const auto &prefix = own_prefix(dp, backend.family);
      if (!errors.clean(join("dataplane", own))) continue;
      if (!prefix) {
        errors.add(path,
                   "method l2 needs an on-link backend, but dataplane." + own + " is not set");
      } else if (!prefix_contains(*prefix, backend)) {
        errors.add(path, "method l2 needs an on-link backend: " + format_address(backend) +
                             " is outside dataplane." + own + " " + format_prefix(*prefix));
      }
    }
  }
  if (vip.method == Method::kL2 && vip.healthcheck.through_tunnel) {
    errors.add(join(vip_path, "healthcheck.through_tunnel"), "method l2 has no tunnel");
  } else if (vip.healthcheck.through_tunnel &&
             !(vip.address.is_v4() ? config.dataplane.encap_source_v4
                                   : config.dataplane.encap_source_v6)) {
    // The tunnel probe's inner source: where the backend sends its answer.
    errors.add(join(vip_path, "healthcheck.through_tunnel"),
               std::string("needs dataplane.") +
                   (vip.address.is_v4() ? "encap_source_v4" : "encap_source_v6") +
                   " (the probe's inner source, where the backend answers)");
  }
}

void check_vip(const Config &config, size_t v, ErrorList &errors) {
  const VipConfig &vip = config.vips[v];
  const std::string vip_path = index("vips", v);
  check_backend_families(config, v, errors);

  // Maglev gives each backend at least one slot only if M >= N.
  if (vip.backends.size() > vip.table_size && errors.clean(join(vip_path, "table_size"))) {
    errors.add(join(vip_path, "table_size"), "must be at least the number of backends (" +
                                                 std::to_string(vip.backends.size()) + ")");
  }
  // Backend identity is its address: two entries would be one server
  // with two weights.
  std::map<std::pair<uint8_t, std::array<uint8_t, 16>>, size_t> seen;
  const std::string backends_path = join(vip_path, "backends");
  for (size_t b = 0; b < vip.backends.size(); ++b) {
    const std::string path = join(index(backends_path, b), "address");
    if (!errors.clean(path)) continue;
    const Address &address = vip.backends[b].address;
    const auto [it, inserted] = seen.emplace(std::pair(address.family, address.bytes), b);
    if (!inserted) {
      errors.add(path, "duplicate of " + index(backends_path, it->second) + " (" +
                           format_address(address) + ")");
    }
  }
}

void check_duplicate_vips(const Config &config, ErrorList &errors) {
  using Key = std::tuple<uint8_t, std::array<uint8_t, 16>, uint16_t, Protocol>;
  std::map<Key, size_t> seen;
  for (size_t v = 0; v < config.vips.size(); ++v) {
    const std::string path = index("vips", v);
    if (!errors.clean(join(path, "address")) || !errors.clean(join(path, "port")) ||
        !errors.clean(join(path, "protocol"))) {
      continue;
    }
    const VipConfig &vip = config.vips[v];
    const auto [it, inserted] =
        seen.emplace(Key{vip.address.family, vip.address.bytes, vip.port, vip.protocol}, v);
    if (!inserted) {
      const std::string host = format_address(vip.address);
      errors.add(path, "duplicate of " + index("vips", it->second) + " (" +
                           (vip.address.is_v6() ? "[" + host + "]" : host) + ":" +
                           std::to_string(vip.port) + "/" + to_name(vip.protocol) + ")");
    }
  }
}

// IPv6 links must carry 1280-byte packets (RFC 8200 section 5).
void check_ipv6_mtu(const Config &config, ErrorList &errors) {
  const DataplaneConfig &dp = config.dataplane;
  if (dp.mtu >= 1280 || !errors.clean("dataplane.mtu")) return;
  bool uses_ipv6 = dp.address_v6.has_value();
  for (const VipConfig &vip : config.vips) {
    uses_ipv6 = uses_ipv6 || vip.address.is_v6();
    for (const BackendConfig &backend : vip.backends)
      uses_ipv6 = uses_ipv6 || backend.address.is_v6();
  }
  if (uses_ipv6) errors.add("dataplane.mtu", "must be at least 1280 when IPv6 is used (RFC 8200)");
}

}  // namespace

void validate_config(const Config &config, ErrorList &errors) {
  check_ipv6_mtu(config, errors);
  for (size_t v = 0; v < config.vips.size(); ++v) check_vip(config, v, errors);
  // Last: their errors mark a whole VIP ("vips[3]") or all of them
  // ("vips"), which would hide the checks above.
  check_duplicate_vips(config, errors);
  check_limits(config, errors);
}

}  // namespace maglb::config
