#include "neighbor_resolver.h"

#include <array>
#include <utility>

#include "neighbor_packets.h"

namespace maglb::dpdk {

namespace {
constexpr MacAddr kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
}

NeighborResolver::NeighborResolver(const MacAddr &port_mac, Timing timing)
    : port_mac_(port_mac), timing_(timing) {}

bool NeighborResolver::set_interface(InterfaceConfig cfg, uint64_t now_ns) {
  cfg_ = std::move(cfg);
  return rebuild_targets(now_ns);
}

bool NeighborResolver::set_backends(const std::vector<IpAddr> &backends, uint64_t now_ns) {
  backends_ = backends;
  return rebuild_targets(now_ns);
}

// Recomputes the wanted set from the interface and the backends, keeping the
// state of addresses that stay wanted.
bool NeighborResolver::rebuild_targets(uint64_t now_ns) {
  std::vector<ResolvedNeighbor> before = resolved();
  std::map<IpAddr, Target, AddrLess> next;
  for (const IpAddr &g : cfg_.gateways) next[g].is_gateway = true;
  std::vector<IpPrefix> links = cfg_.onlink_prefixes();
  for (const IpAddr &b : backends_) {
    for (const IpPrefix &p : links) {
      if (p.contains(b)) {
        next[b].is_backend = true;
        break;
      }
    }
  }
  for (auto &[addr, t] : next) {
    if (auto old = targets_.find(addr); old != targets_.end() && !old->second.is_static) {
      t.mac_valid = old->second.mac_valid;
      t.mac = old->second.mac;
      t.confirmed_at = old->second.confirmed_at;
      t.unanswered = old->second.unanswered;
      t.next_probe_at = old->second.next_probe_at;
    } else {
      t.next_probe_at = now_ns;  // new: probe on the next tick
    }
  }
  for (const StaticNeighbor &n : cfg_.neighbors) {
    Target &t = next[n.addr];
    t.is_static = true;
    t.mac_valid = true;
    t.mac = n.mac;
  }
  // Own addresses are never resolved (a misconfigured gateway equal to our
  // own address would otherwise probe itself forever).
  for (const IpPrefix &own : cfg_.addresses) next.erase(own.addr);
  targets_ = std::move(next);
  std::vector<ResolvedNeighbor> after = resolved();
  if (before.size() != after.size()) return true;
  for (size_t i = 0; i < before.size(); i++) {
    if (before[i].addr != after[i].addr || before[i].mac != after[i].mac ||
        before[i].is_gateway != after[i].is_gateway) {
      return true;
    }
  }
  return false;
}

bool NeighborResolver::learn(const IpAddr &addr, const MacAddr &mac, uint64_t now_ns) {
  auto it = targets_.find(addr);
  if (it == targets_.end() || it->second.is_static) return false;
  Target &t = it->second;
  bool changed = !t.mac_valid || t.mac != mac;
  t.mac_valid = true;
  t.mac = mac;
  t.confirmed_at = now_ns;
  t.unanswered = 0;
  t.next_probe_at = now_ns + timing_.reachable_ns;
  if (changed) counters_.learned++;
  return changed;
}

const IpPrefix *NeighborResolver::source_for(const IpAddr &target) const {
  const IpPrefix *any = nullptr;
  for (const IpPrefix &p : cfg_.addresses) {
    if (p.addr.family != target.family) continue;
    if (p.contains(target)) return &p;
    if (!any) any = &p;
  }
  return any;
}

void NeighborResolver::queue(std::span<const uint8_t> frame_buffer, size_t len) {
  if (len > 0) outgoing_.emplace_back(frame_buffer.begin(), frame_buffer.begin() + len);
}

void NeighborResolver::send_probe(const IpAddr &addr, Target &t) {
  const IpPrefix *src = source_for(addr);
  if (!src) return;  // no own address of that family: nothing to ask with
  std::array<uint8_t, kMaxNeighborFrame> buf;
  size_t len;
  // A known MAC is refreshed with a unicast probe (as Linux does), so a
  // healthy entry costs no broadcast.
  if (addr.family == MAGLB_FAMILY_IPV4) {
    len = build_arp_request(buf, port_mac_, src->addr, addr, t.mac_valid ? t.mac : kBroadcast,
                            cfg_.vlan);
  } else {
    len = build_neighbor_solicitation(buf, port_mac_, src->addr, addr,
                                      t.mac_valid ? std::optional<MacAddr>(t.mac) : std::nullopt,
                                      cfg_.vlan);
  }
  queue(buf, len);
  counters_.probes_sent++;
}

bool NeighborResolver::on_frame(std::span<const uint8_t> frame, uint64_t now_ns) {
  auto m = parse_neighbor_message(frame);
  if (!m || (m->vlan_tci & 0x0fff) != cfg_.vlan) {
    counters_.ignored++;
    return false;
  }
  std::array<uint8_t, kMaxNeighborFrame> buf;
  bool changed = false;
  switch (m->kind) {
    case NeighborMsgKind::ArpRequest:
    case NeighborMsgKind::ArpReply:
      // RFC 826 merge: any ARP from a target refreshes it (gratuitous included).
      if (m->sender_ip.bytes != std::array<uint8_t, 16>{}) {
        changed = learn(m->sender_ip, m->sender_mac, now_ns);
      }
      if (m->kind == NeighborMsgKind::ArpRequest && cfg_.own_address(m->target_ip)) {
        queue(buf, build_arp_reply(buf, port_mac_, m->target_ip, m->sender_mac, m->sender_ip,
                                   m->vlan_tci));
        counters_.arp_replies_sent++;
      }
      return changed;
    case NeighborMsgKind::Solicitation: {
      bool dad = m->sender_ip.bytes == std::array<uint8_t, 16>{};
      if (!dad && m->sender_mac_known) changed = learn(m->sender_ip, m->sender_mac, now_ns);
      if (cfg_.own_address(m->target_ip)) {
        MacAddr to = m->sender_mac_known ? m->sender_mac : m->eth_src;
        queue(buf, build_neighbor_advertisement(buf, port_mac_, m->target_ip, m->sender_ip, to,
                                                m->vlan_tci));
        counters_.nd_advertisements_sent++;
      }
      return changed;
    }
    case NeighborMsgKind::Advertisement:
      return learn(m->target_ip, m->sender_mac_known ? m->sender_mac : m->eth_src, now_ns);
  }
  return false;
}

bool NeighborResolver::on_timer(uint64_t now_ns) {
  bool changed = false;
  uint32_t budget = timing_.max_probes_per_tick;
  for (auto &[addr, t] : targets_) {
    if (t.is_static || now_ns < t.next_probe_at) continue;
    if (budget == 0) break;  // the rest stay due and go out on the next ticks
    if (t.unanswered >= timing_.max_probes && t.mac_valid) {
      t.mac_valid = false;  // timed out: forward nothing to a MAC nobody confirms
      counters_.timeouts++;
      changed = true;
    }
    send_probe(addr, t);
    t.unanswered++;
    t.next_probe_at = now_ns + timing_.retry_ns;
    budget--;
  }
  return changed;
}

std::vector<std::vector<uint8_t>> NeighborResolver::take_outgoing() {
  return std::exchange(outgoing_, {});
}

std::vector<ResolvedNeighbor> NeighborResolver::resolved() const {
  std::vector<ResolvedNeighbor> out;
  for (const auto &[addr, t] : targets_) {
    if (t.mac_valid) out.push_back({addr, t.mac, t.is_gateway});
  }
  return out;
}

std::vector<NeighborResolver::TargetState> NeighborResolver::targets() const {
  std::vector<TargetState> out;
  for (const auto &[addr, t] : targets_) {
    out.push_back({addr, t.is_gateway, t.is_static, t.mac_valid, t.mac, t.unanswered});
  }
  return out;
}

}  // namespace maglb::dpdk
