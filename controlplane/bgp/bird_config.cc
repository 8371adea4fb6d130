#include "bird_config.h"

#include <sstream>

namespace maglb::bgp {

namespace {

constexpr const char *kStatic4 = "maglb_vips4";
constexpr const char *kStatic6 = "maglb_vips6";

void render_static(std::ostream &os, const char *name, bool v6,
                   const std::vector<config::Address> &announced) {
  os << "protocol static " << name << " {\n  " << (v6 ? "ipv6" : "ipv4") << ";\n";
  for (const config::Address &a : announced) {
    if (a.is_v6() != v6) continue;
    // blackhole: the route exists only to be exported; nothing here
    // installs it in a kernel table.
    os << "  route " << config::format_address(a) << (v6 ? "/128" : "/32") << " blackhole;\n";
  }
  os << "}\n\n";
}

void render_filter(std::ostream &os, const config::BgpConfig &bgp) {
  // Only our VIP routes leave, with the configured communities and MED.
  os << "filter maglb_export {\n"
     << "  if proto != \"" << kStatic4 << "\" && proto != \"" << kStatic6 << "\" then reject;\n";
  for (const config::BgpCommunity &c : bgp.communities) {
    os << "  bgp_community.add((" << c.asn << ", " << c.value << "));\n";
  }
  if (bgp.med) os << "  bgp_med = " << *bgp.med << ";\n";
  os << "  accept;\n}\n\n";
}

void render_peer(std::ostream &os, const config::BgpConfig &bgp,
                 const config::BgpPeerConfig &peer) {
  const bool v6 = peer.address.is_v6();
  const auto &next_hop = v6 ? bgp.next_hop_v6 : bgp.next_hop_v4;
  os << "protocol bgp " << peer_protocol_name(peer) << " {\n"
     << "  local as " << bgp.local_asn << ";\n"
     << "  neighbor " << config::format_address(peer.address) << " as " << peer.asn << ";\n"
     << "  hold time " << bgp.hold_time_s << ";\n"
     << "  keepalive time " << bgp.keepalive_s << ";\n";
  if (!peer.password.empty()) os << "  password \"" << peer.password << "\";\n";
  os << "  " << (v6 ? "ipv6" : "ipv4") << " {\n"
     << "    import none;\n"
     << "    export filter maglb_export;\n";
  // Validation guarantees a next hop for every peer's family.
  if (next_hop) os << "    next hop address " << config::format_address(*next_hop) << ";\n";
  os << "  };\n}\n\n";
}

}  // namespace

std::string peer_protocol_name(const config::BgpPeerConfig &peer) {
  std::string name = "peer_" + config::format_address(peer.address);
  for (char &c : name) {
    if (c == '.' || c == ':') c = '_';
  }
  return name;
}

std::vector<config::Address> announced_in(const std::string &bird_config_text) {
  std::vector<config::Address> out;
  std::istringstream lines(bird_config_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string route, prefix, kind;
    if (!(words >> route >> prefix >> kind) || route != "route" || kind != "blackhole;") continue;
    if (const auto address = config::parse_address(prefix.substr(0, prefix.find('/')))) {
      out.push_back(*address);
    }
  }
  return out;
}

std::string render_bird_config(const config::BgpConfig &bgp,
                               const std::vector<config::Address> &announced) {
  std::ostringstream os;
  os << "# Written by maglbd from the bgp section of its JSON config: do not edit,\n"
     << "# maglbd rewrites it whenever the set of announced VIPs changes.\n"
     << "log syslog all;\n"
     << "router id " << config::format_address(bgp.router_id)
     << ";\n"
     // Two-token timestamps, so `show protocols` parses the same every day.
     << "timeformat protocol iso long;\n\n"
     // Interface state: a direct eBGP session needs its neighbour on link.
     << "protocol device {\n}\n\n";
  render_static(os, kStatic4, false, announced);
  render_static(os, kStatic6, true, announced);
  render_filter(os, bgp);
  for (const config::BgpPeerConfig &peer : bgp.peers) render_peer(os, bgp, peer);
  return os.str();
}

}  // namespace maglb::bgp
