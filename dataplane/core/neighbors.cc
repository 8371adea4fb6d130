#include "neighbors.h"

#include <atomic>
#include <cstring>

#include "maglb_abi.h"

namespace maglb::core {
namespace {

bool fail(std::string *error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

int family_slot(uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? 1 : 0;
}
size_t addr_len(uint8_t family) {
  return family == MAGLB_FAMILY_IPV6 ? 16 : 4;
}

bool valid_family(uint8_t f) {
  return f == MAGLB_FAMILY_IPV4 || f == MAGLB_FAMILY_IPV6;
}

uint32_t addr_hash(uint8_t family, const uint8_t *addr) {
  uint32_t h = 2166136261u ^ family;
  for (size_t i = 0; i < addr_len(family); ++i) h = (h ^ addr[i]) * 16777619u;
  return h ^ (h >> 13);
}

bool in_prefix(const OnLinkPrefix &p, uint8_t family, const uint8_t *addr) {
  if (p.family != family) return false;
  unsigned bits = p.prefix_len;
  for (size_t i = 0; bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const uint8_t mask = static_cast<uint8_t>(0xff00u >> take);
    if ((addr[i] ^ p.addr[i]) & mask) return false;
    bits -= take;
  }
  return true;
}

bool mac_zero(const uint8_t mac[6]) {
  static const uint8_t zero[6] = {};
  return std::memcmp(mac, zero, 6) == 0;
}

std::atomic<uint64_t> g_versions{0};

}  // namespace

std::unique_ptr<NeighborTable> NeighborTable::build(
    const uint8_t port_mac[6], std::span<const OnLinkPrefix> onlink,
    std::span<const NeighborEntry> gateways_and_hosts, std::span<const NeighborEntry> gateways,
    std::string *error) {
  std::unique_ptr<NeighborTable> t(new NeighborTable());
  std::memcpy(t->port_mac_, port_mac, 6);
  for (const OnLinkPrefix &p : onlink) {
    if (!valid_family(p.family) || p.prefix_len > addr_len(p.family) * 8) {
      fail(error, "on-link prefix: bad family " + std::to_string(p.family) + " or length " +
                      std::to_string(p.prefix_len));
      return nullptr;
    }
    t->onlink_.push_back(p);
  }
  uint32_t size = 16;
  while (size < 2 * gateways_and_hosts.size()) size *= 2;
  t->hosts_.assign(size, Host{});
  t->used_.assign(size, 0);
  t->host_mask_ = size - 1;
  for (const NeighborEntry &n : gateways_and_hosts) {
    if (!valid_family(n.family)) {
      fail(error, "neighbor: bad family " + std::to_string(n.family));
      return nullptr;
    }
    Host h{};
    h.family = n.family;
    std::memcpy(h.addr, n.addr, addr_len(n.family));
    std::memcpy(h.mac, n.mac, 6);
    uint32_t pos = addr_hash(h.family, h.addr) & t->host_mask_;
    // A later entry for the same address replaces the earlier one.
    while (t->used_[pos] && !(t->hosts_[pos].family == h.family &&
                              std::memcmp(t->hosts_[pos].addr, h.addr, 16) == 0))
      pos = (pos + 1) & t->host_mask_;
    t->hosts_[pos] = h;
    t->used_[pos] = 1;
  }
  bool seen_gw[2] = {false, false};
  for (const NeighborEntry &g : gateways) {
    if (!valid_family(g.family)) {
      fail(error, "gateway: bad family " + std::to_string(g.family));
      return nullptr;
    }
    const int f = family_slot(g.family);
    if (seen_gw[f]) {
      fail(error, "two gateways for family " + std::to_string(g.family));
      return nullptr;
    }
    seen_gw[f] = true;
    const uint8_t *mac = mac_zero(g.mac) ? t->lookup_host(g.family, g.addr) : g.mac;
    if (mac) {
      std::memcpy(t->gw_mac_[f], mac, 6);
      t->have_gw_mac_[f] = true;
    }
  }
  t->version_ = ++g_versions;
  return t;
}

const uint8_t *NeighborTable::lookup_host(uint8_t family, const uint8_t addr[16]) const {
  uint8_t key[16] = {};
  std::memcpy(key, addr, addr_len(family));
  uint32_t pos = addr_hash(family, key) & host_mask_;
  while (used_[pos]) {
    const Host &h = hosts_[pos];
    if (h.family == family && std::memcmp(h.addr, key, 16) == 0) return h.mac;
    pos = (pos + 1) & host_mask_;
  }
  return nullptr;
}

const uint8_t *NeighborTable::resolve(uint8_t family, const uint8_t addr[16]) const {
  for (const OnLinkPrefix &p : onlink_)
    if (in_prefix(p, family, addr)) return lookup_host(family, addr);
  const int f = family_slot(family);
  return have_gw_mac_[f] ? gw_mac_[f] : nullptr;
}

}  // namespace maglb::core
