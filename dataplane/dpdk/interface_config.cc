#include "interface_config.h"

#include <nlohmann/json.hpp>

namespace maglb::dpdk {

namespace {

using nlohmann::json;

// Parse failures carry the JSON path of the offending value.
struct ParseError {
  std::string what;
};

std::string string_at(const json &v, const std::string &path) {
  if (!v.is_string()) throw ParseError{path + ": expected a string"};
  return v.get<std::string>();
}

const json &array_at(const json &doc, const char *key) {
  static const json kEmpty = json::array();
  auto it = doc.find(key);
  if (it == doc.end()) return kEmpty;
  if (!it->is_array()) throw ParseError{std::string(key) + ": expected an array"};
  return *it;
}

InterfaceConfig parse(const json &doc) {
  if (!doc.is_object()) throw ParseError{"$: expected an object"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string &k = it.key();
    if (k != "addresses" && k != "onlink" && k != "gateways" && k != "neighbors" && k != "vlan") {
      throw ParseError{k + ": unknown key"};
    }
  }
  InterfaceConfig cfg;
  const json &addresses = array_at(doc, "addresses");
  for (size_t i = 0; i < addresses.size(); i++) {
    std::string path = "addresses[" + std::to_string(i) + "]";
    auto p = parse_prefix(string_at(addresses[i], path));
    if (!p) throw ParseError{path + ": expected ADDRESS/LENGTH"};
    for (const IpPrefix &other : cfg.addresses) {
      if (other.addr == p->addr) throw ParseError{path + ": duplicate address"};
    }
    cfg.addresses.push_back(*p);
  }
  const json &onlink = array_at(doc, "onlink");
  for (size_t i = 0; i < onlink.size(); i++) {
    std::string path = "onlink[" + std::to_string(i) + "]";
    auto p = parse_prefix(string_at(onlink[i], path));
    if (!p) throw ParseError{path + ": expected PREFIX/LENGTH"};
    cfg.onlink.push_back(*p);
  }
  std::vector<IpPrefix> links = cfg.onlink_prefixes();
  auto is_onlink = [&](const IpAddr &a) {
    for (const IpPrefix &p : links) {
      if (p.contains(a)) return true;
    }
    return false;
  };
  const json &gateways = array_at(doc, "gateways");
  for (size_t i = 0; i < gateways.size(); i++) {
    std::string path = "gateways[" + std::to_string(i) + "]";
    auto a = parse_ip(string_at(gateways[i], path));
    if (!a) throw ParseError{path + ": expected an IP address"};
    for (const IpAddr &other : cfg.gateways) {
      if (other.family == a->family) throw ParseError{path + ": second gateway of its family"};
    }
    // The resolver reaches a gateway with ARP/ND, so it must be on the link.
    if (!is_onlink(*a)) throw ParseError{path + ": gateway is not inside an on-link prefix"};
    cfg.gateways.push_back(*a);
  }
  const json &neighbors = array_at(doc, "neighbors");
  for (size_t i = 0; i < neighbors.size(); i++) {
    std::string path = "neighbors[" + std::to_string(i) + "]";
    const json &n = neighbors[i];
    if (!n.is_object() || !n.contains("address") || !n.contains("mac") || n.size() != 2) {
      throw ParseError{path + ": expected {\"address\": ..., \"mac\": ...}"};
    }
    auto a = parse_ip(string_at(n["address"], path + ".address"));
    if (!a) throw ParseError{path + ".address: expected an IP address"};
    auto m = parse_mac(string_at(n["mac"], path + ".mac"));
    if (!m) throw ParseError{path + ".mac: expected xx:xx:xx:xx:xx:xx"};
    cfg.neighbors.push_back({*a, *m});
  }
  if (auto it = doc.find("vlan"); it != doc.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > 4094) {
      throw ParseError{"vlan: expected an integer 0..4094"};
    }
    cfg.vlan = static_cast<uint16_t>(it->get<uint64_t>());
  }
  return cfg;
}

}  // namespace

std::vector<IpPrefix> InterfaceConfig::onlink_prefixes() const {
  std::vector<IpPrefix> out = addresses;
  out.insert(out.end(), onlink.begin(), onlink.end());
  return out;
}

const IpPrefix *InterfaceConfig::own_address(const IpAddr &a) const {
  for (const IpPrefix &p : addresses) {
    if (p.addr == a) return &p;
  }
  return nullptr;
}

std::optional<InterfaceConfig> parse_interface_config(std::string_view text, std::string *error) {
  try {
    return parse(json::parse(text));
  } catch (const json::exception &e) {
    *error = std::string("not valid JSON: ") + e.what();
  } catch (const ParseError &e) {
    *error = e.what;
  }
  return std::nullopt;
}

}  // namespace maglb::dpdk
