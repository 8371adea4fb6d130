#include "snapshot_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "maglev_table.h"

namespace maglb::snapshot {
namespace {

bool key_less(const maglb_vip_key &a, const maglb_vip_key &b) {
  return std::memcmp(&a, &b, sizeof(a)) < 0;
}

template <typename T>
void append(std::vector<uint8_t> &out, const T &v) {
  const auto *p = reinterpret_cast<const uint8_t *>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

}  // namespace

std::string format_addr(uint8_t family, const uint8_t *addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == MAGLB_FAMILY_IPV6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf));
  return buf;
}

std::string format_vip(const maglb_vip_key &key) {
  std::string a = format_addr(key.family, key.addr);
  if (key.family == MAGLB_FAMILY_IPV6) a = "[" + a + "]";
  const uint16_t port = ntohs(key.port);
  return a + ":" + (port ? std::to_string(port) : std::string("*")) + "/" +
         (key.proto == IPPROTO_UDP ? "udp" : key.proto == IPPROTO_TCP ? "tcp" : "?");
}

BuildResult build_snapshot(const SnapshotInput &input, IdAllocator &ids) {
  BuildResult res;
  if (input.vips.size() > MAGLB_MAX_VIPS) {
    res.error = "too many VIPs: " + std::to_string(input.vips.size()) + " > " +
                std::to_string(MAGLB_MAX_VIPS);
    return res;
  }

  // VIP indexes follow the key order so every control plane with the same
  // config numbers VIPs (and lays out the blob) identically.
  std::vector<size_t> order(input.vips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return key_less(input.vips[a].key, input.vips[b].key);
  });

  res.vips.resize(input.vips.size());
  std::map<uint32_t, maglb_backend> backends;  // id -> entry, sorted by id
  std::vector<std::pair<maglb_vip_key, BackendInput>> live;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const size_t i = order[rank];
    const VipInput &vip = input.vips[i];
    BuiltVip &built = res.vips[i];
    built.key = vip.key;
    built.vip_index = static_cast<uint32_t>(rank);
    if (rank > 0 && std::memcmp(&input.vips[order[rank - 1]].key, &vip.key, sizeof(vip.key)) == 0) {
      res.error = "vip " + format_vip(vip.key) + ": duplicate VIP";
      return res;
    }
    std::vector<maglev::Backend> mb;
    mb.reserve(vip.backends.size());
    for (const BackendInput &be : vip.backends) {
      const uint32_t id = ids.id_for(vip.key, be);
      built.backend_ids.push_back(id);
      live.emplace_back(vip.key, be);
      const size_t alen = be.family == MAGLB_FAMILY_IPV6 ? 16 : 4;
      mb.push_back({std::vector<uint8_t>(be.addr.begin(), be.addr.begin() + alen), id, be.weight});
      maglb_backend e{};
      std::memcpy(e.addr, be.addr.data(), 16);
      e.id = id;
      e.family = be.family;
      e.flags = be.weight == 0 ? MAGLB_BACKEND_F_DRAINING : 0;
      e.weight = static_cast<uint16_t>(std::min<uint32_t>(be.weight, 0xffff));
      std::memcpy(e.mac, be.mac.data(), 6);
      backends[id] = e;
    }
    if (std::string err = maglev::build_table(mb, vip.table_size, built.table); !err.empty()) {
      res.error = "vip " + format_vip(vip.key) + ": " + err;
      return res;
    }
  }
  if (backends.size() > MAGLB_MAX_BACKENDS) {
    res.error = "too many backends: " + std::to_string(backends.size()) + " > " +
                std::to_string(MAGLB_MAX_BACKENDS);
    return res;
  }

  std::map<uint32_t, uint32_t> index_of;  // id -> index in the sorted backend array
  for (const auto &[id, e] : backends) index_of.emplace(id, static_cast<uint32_t>(index_of.size()));

  // VIP entries: one per VIP, plus a FRAG_ONLY alias under port 0 for each
  // (family, address, proto) without an all-ports VIP, pointing at its
  // lowest-port VIP (docs/forwarding.md section 2).
  std::vector<maglb_snapshot_vip> entries;
  uint64_t offset = 0;
  std::map<std::tuple<std::string, uint8_t>, size_t> first_of_group;  // -> entry index
  std::map<std::tuple<std::string, uint8_t>, bool> has_all_ports;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const VipInput &vip = input.vips[order[rank]];
    maglb_snapshot_vip e{};
    e.key = vip.key;
    e.meta.generation = input.generation;
    e.meta.vip_index = static_cast<uint32_t>(rank);
    e.meta.table_size = vip.table_size;
    e.meta.table_offset = static_cast<uint32_t>(offset);
    e.meta.flags = vip.key.port == 0 ? MAGLB_VIP_F_ALL_PORTS : 0;
    e.meta.fwd_method = vip.fwd_method;
    e.meta.hash_fields = vip.hash_fields;
    offset += vip.table_size;
    // Keys sort by address bytes, then port (network order, so the first
    // entry of a group in key order is not always the lowest port: compare).
    auto group = std::make_tuple(
        std::string(reinterpret_cast<const char *>(vip.key.addr), 16) + char(vip.key.family),
        vip.key.proto);
    if (vip.key.port == 0) has_all_ports[group] = true;
    auto it = first_of_group.find(group);
    if (it == first_of_group.end() || ntohs(vip.key.port) < ntohs(entries[it->second].key.port))
      first_of_group[group] = entries.size();
    entries.push_back(e);
  }
  if (offset > 0xffffffffull) {
    res.error = "total table slots exceed 2^32";
    return res;
  }
  for (const auto &[group, idx] : first_of_group) {
    if (has_all_ports.count(group)) continue;
    maglb_snapshot_vip alias = entries[idx];
    alias.key.port = 0;
    alias.meta.flags = MAGLB_VIP_F_FRAG_ONLY;
    entries.push_back(alias);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto &a, const auto &b) { return key_less(a.key, b.key); });

  maglb_snapshot_header hdr{};
  hdr.magic = MAGLB_SNAPSHOT_MAGIC;
  hdr.abi_version = MAGLB_ABI_VERSION;
  hdr.header_size = sizeof(hdr);
  hdr.generation = input.generation;
  hdr.n_vips = static_cast<uint32_t>(entries.size());
  hdr.n_backends = static_cast<uint32_t>(backends.size());
  hdr.total_slots = offset;
  hdr.total_size = sizeof(hdr) + sizeof(maglb_dp_params) + entries.size() * sizeof(maglb_snapshot_vip) +
                   backends.size() * sizeof(maglb_backend) + offset * sizeof(maglb_slot_t);

  std::vector<uint8_t> &blob = res.blob;
  blob.reserve(hdr.total_size);
  append(blob, hdr);
  append(blob, input.params);
  for (const auto &e : entries) append(blob, e);
  for (const auto &[id, e] : backends) append(blob, e);
  for (size_t rank = 0; rank < order.size(); ++rank) {
    for (uint32_t id : res.vips[order[rank]].table) {
      const maglb_slot_t slot = id == MAGLB_SLOT_EMPTY ? MAGLB_SLOT_EMPTY : index_of.at(id);
      append(blob, slot);
    }
  }
  ids.retain_only(live);
  return res;
}

}  // namespace maglb::snapshot
