#include "xdp_programmer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "maglb_xdp_abi.h"
#include "snapshot_blob.h"
#include "xdp_stats.h"

namespace maglb::xdp {
namespace {

std::string errno_text(int err) {
  return std::strerror(err < 0 ? -err : err);
}

std::string key_bytes(const maglb_vip_key &k) {
  return std::string(reinterpret_cast<const char *>(&k), sizeof(k));
}

// Every key of a map (any key size), via get_next_key.
template <typename K>
std::vector<K> all_keys(int fd) {
  std::vector<K> keys;
  K key{}, next{};
  const K *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
  }
  return keys;
}

uint32_t max_entries_of(int fd) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return 0;
  return info.max_entries;
}

// A zeroed value for a per-CPU map whose value is `size` bytes.
std::vector<uint8_t> zero_per_cpu(size_t size) {
  const int ncpu = libbpf_num_possible_cpus();
  return std::vector<uint8_t>(((size + 7) / 8) * 8 * static_cast<size_t>(ncpu > 0 ? ncpu : 1), 0);
}

// The VIP index holding `entries` (open addressing, maglb_xdp_abi.h);
// "" or the key that found no slot.
std::string build_vip_index(const std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> &entries,
                            std::vector<maglb_xdp_vip_entry> *index) {
  index->assign(MAGLB_XDP_VIP_INDEX_SLOTS, maglb_xdp_vip_entry{});  // every slot empty
  for (const auto &[key, meta] : entries) {
    uint64_t lo, hi;
    uint32_t tail;
    std::memcpy(&lo, key.addr, 8);
    std::memcpy(&hi, key.addr + 8, 8);
    std::memcpy(&tail, &key.port, 4);  // port, proto, family: bytes 16..19
    const uint32_t home = maglb_xdp_vip_home(lo, hi, tail);
    bool placed = false;
    for (uint32_t i = 0; i < MAGLB_XDP_VIP_PROBES && !placed; ++i) {
      maglb_xdp_vip_entry &e = (*index)[(home + i) & (MAGLB_XDP_VIP_INDEX_SLOTS - 1)];
      if (e.key.family != 0) continue;
      e.key = key;
      e.meta = meta;
      placed = true;
    }
    if (!placed)
      return "VIP index: no free slot within " + std::to_string(MAGLB_XDP_VIP_PROBES) +
             " probes of " + format_vip_key(key);
  }
  return "";
}

}  // namespace

std::string XdpProgrammer::recover() {
  slot_of_.clear();
  be_slot_of_.clear();
  for (const uint32_t id : all_keys<uint32_t>(maps_.backend_slot)) {
    uint32_t slot = 0;
    if (bpf_map_lookup_elem(maps_.backend_slot, &id, &slot) == 0) be_slot_of_[id] = slot;
  }
  generation_ = 0;
  for (const maglb_vip_key &k : all_keys<maglb_vip_key>(maps_.vips)) {
    maglb_vip_meta meta{};
    if (bpf_map_lookup_elem(maps_.vips, &k, &meta) != 0) continue;  // deleted meanwhile
    if (meta.generation > generation_) generation_ = meta.generation;
    if (!(meta.flags & MAGLB_VIP_F_FRAG_ONLY)) slot_of_[key_bytes(k)] = meta.vip_index;
  }
  // The index and the filter follow the VIP map (a crash between the
  // writes of program() may have left them behind it).
  std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> entries;
  for (const maglb_vip_key &k : all_keys<maglb_vip_key>(maps_.vips)) {
    maglb_vip_meta meta{};
    if (bpf_map_lookup_elem(maps_.vips, &k, &meta) == 0) entries.emplace_back(k, meta);
  }
  if (std::string err = write_vip_index(entries); !err.empty()) return err;
  if (std::string err = write_vip_filter(all_keys<maglb_vip_key>(maps_.vips)); !err.empty())
    return err;
  return "";
}

bool XdpProgrammer::table_equals(uint32_t slot, std::span<const maglb_slot_t> ids) const {
  uint32_t inner_id = 0;
  if (bpf_map_lookup_elem(maps_.tables, &slot, &inner_id) != 0) return false;
  const int fd = bpf_map_get_fd_by_id(inner_id);
  if (fd < 0) return false;
  bool equal = max_entries_of(fd) == ids.size();
  if (equal) {
    std::vector<uint32_t> keys(ids.size()), values(ids.size());
    uint32_t count = static_cast<uint32_t>(ids.size());
    uint32_t out_batch = 0;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    const int rc =
        bpf_map_lookup_batch(fd, nullptr, &out_batch, keys.data(), values.data(), &count, &opts);
    // ENOENT marks the end of the map, with `count` entries read.
    equal = (rc == 0 || errno == ENOENT) && count == ids.size();
    for (uint32_t i = 0; equal && i < count; ++i) equal = keys[i] == i && values[i] == ids[i];
  }
  close(fd);
  return equal;
}

std::string XdpProgrammer::write_table(uint32_t slot, std::span<const maglb_slot_t> ids) {
  LIBBPF_OPTS(bpf_map_create_opts, create, .map_flags = BPF_F_INNER_MAP);
  const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "maglb_table", sizeof(uint32_t),
                                sizeof(maglb_slot_t), static_cast<uint32_t>(ids.size()), &create);
  if (fd < 0)
    return "create table of " + std::to_string(ids.size()) + " slots: " + errno_text(errno);
  std::vector<uint32_t> keys(ids.size());
  for (uint32_t i = 0; i < keys.size(); ++i) keys[i] = i;
  uint32_t count = static_cast<uint32_t>(ids.size());
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  std::string err;
  if (bpf_map_update_batch(fd, keys.data(), ids.data(), &count, &opts) != 0 || count != ids.size())
    err = "fill table: " + errno_text(errno);
  // The swap: one outer-map update replaces the VIP's whole table.
  else if (bpf_map_update_elem(maps_.tables, &slot, &fd, BPF_ANY) != 0)
    err = "install table in slot " + std::to_string(slot) + ": " + errno_text(errno);
  close(fd);  // the outer map holds its own reference
  if (err.empty()) ++tables_written_;
  return err;
}

std::string XdpProgrammer::write_vip_index(
    const std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> &entries) {
  std::vector<maglb_xdp_vip_entry> index;
  if (std::string err = build_vip_index(entries, &index); !err.empty()) return err;
  const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "maglb_vip_idx", sizeof(uint32_t),
                                sizeof(maglb_xdp_vip_entry), MAGLB_XDP_VIP_INDEX_SLOTS, nullptr);
  if (fd < 0) return "create VIP index: " + errno_text(errno);
  std::vector<uint32_t> keys(MAGLB_XDP_VIP_INDEX_SLOTS);
  for (uint32_t i = 0; i < keys.size(); ++i) keys[i] = i;
  uint32_t count = MAGLB_XDP_VIP_INDEX_SLOTS;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  std::string err;
  const uint32_t zero = 0;
  if (bpf_map_update_batch(fd, keys.data(), index.data(), &count, &opts) != 0 ||
      count != MAGLB_XDP_VIP_INDEX_SLOTS)
    err = "fill VIP index: " + errno_text(errno);
  // The swap: one outer-map update replaces the whole VIP set.
  else if (bpf_map_update_elem(maps_.vip_index, &zero, &fd, BPF_ANY) != 0)
    err = "install VIP index: " + errno_text(errno);
  close(fd);  // the outer map holds its own reference
  return err;
}

std::string XdpProgrammer::write_vip_filter(const std::vector<maglb_vip_key> &keys) {
  maglb_xdp_vip_filter filter{};
  for (const maglb_vip_key &k : keys) {
    uint64_t lo, hi;
    std::memcpy(&lo, k.addr, 8);
    std::memcpy(&hi, k.addr + 8, 8);
    const uint32_t bit = maglb_xdp_vip_filter_bit(lo, hi, k.family);
    filter.bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  const uint32_t zero = 0;
  if (bpf_map_update_elem(maps_.vip_filter, &zero, &filter, BPF_ANY) != 0)
    return "write VIP address filter: " + errno_text(errno);
  return "";
}

std::string XdpProgrammer::release_backend(uint32_t id) {
  const auto it = be_slot_of_.find(id);
  if (it == be_slot_of_.end()) return "";
  const uint32_t slot = it->second;
  // Unreachable for new flows first; then the entry dies in place (only its
  // id changes), so flows that remember the slot see it gone.
  if (bpf_map_delete_elem(maps_.backend_slot, &id) != 0 && errno != ENOENT)
    return "delete backend " + std::to_string(id) + ": " + errno_text(errno);
  maglb_backend dead{};
  if (bpf_map_lookup_elem(maps_.be_slots, &slot, &dead) != 0)
    return "read backend slot " + std::to_string(slot) + ": " + errno_text(errno);
  dead.id = 0;
  if (bpf_map_update_elem(maps_.be_slots, &slot, &dead, BPF_ANY) != 0)
    return "free backend slot " + std::to_string(slot) + ": " + errno_text(errno);
  be_slot_of_.erase(it);
  return "";
}

std::string XdpProgrammer::program(std::span<const uint8_t> blob) {
  SnapshotView snap;
  if (std::string err = parse_snapshot(blob, &snap); !err.empty()) return err;
  tables_written_ = 0;
  const uint32_t n_slots = max_entries_of(maps_.tables);
  {
    // A snapshot the VIP index cannot hold is refused before any write.
    std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> keys;
    for (const maglb_snapshot_vip &v : snap.vips) keys.emplace_back(v.key, v.meta);
    std::vector<maglb_xdp_vip_entry> index;
    if (std::string err = build_vip_index(keys, &index); !err.empty()) return err;
  }

  // 1. Dataplane parameters.
  const uint32_t zero = 0;
  if (bpf_map_update_elem(maps_.params, &zero, &snap.params, BPF_ANY) != 0)
    return "write dataplane parameters: " + errno_text(errno);

  // 2. Backends before any table names them. A new id gets the lowest free
  // slot (the next-hop cache is direct-mapped by slot): its entry and
  // zeroed statistics first, then id -> slot, which is what makes it
  // reachable. A known id is rewritten in place: an id always names the
  // same address, so a reader racing the update can only see a half-old
  // MAC (L2 method), never another server.
  const std::vector<uint8_t> zero_stats = zero_per_cpu(sizeof(maglb_traffic_stats));
  std::set<uint32_t> live_ids;
  std::set<uint32_t> used_slots;
  for (const auto &[id, slot] : be_slot_of_) used_slots.insert(slot);
  uint32_t next_free_slot = 0;
  for (const maglb_backend &b : snap.backends) {
    live_ids.insert(b.id);
    if (bpf_map_update_elem(maps_.backends, &b.id, &b, BPF_ANY) != 0)
      return "write backend " + std::to_string(b.id) + ": " + errno_text(errno);
    const auto known = be_slot_of_.find(b.id);
    if (known != be_slot_of_.end()) {
      if (bpf_map_update_elem(maps_.be_slots, &known->second, &b, BPF_ANY) != 0)
        return "write backend " + std::to_string(b.id) + ": " + errno_text(errno);
      continue;
    }
    while (next_free_slot < MAGLB_XDP_BACKEND_SLOTS && used_slots.count(next_free_slot))
      ++next_free_slot;
    if (next_free_slot >= MAGLB_XDP_BACKEND_SLOTS)
      return "no free backend slot (" + std::to_string(MAGLB_XDP_BACKEND_SLOTS) + ")";
    const uint32_t slot = next_free_slot;
    used_slots.insert(slot);
    if (bpf_map_update_elem(maps_.backend_stats, &slot, zero_stats.data(), BPF_ANY) != 0)
      return "reset statistics of backend " + std::to_string(b.id) + ": " + errno_text(errno);
    if (bpf_map_update_elem(maps_.be_slots, &slot, &b, BPF_ANY) != 0 ||
        bpf_map_update_elem(maps_.backend_slot, &b.id, &slot, BPF_ANY) != 0)
      return "write backend " + std::to_string(b.id) + ": " + errno_text(errno);
    be_slot_of_[b.id] = slot;
  }

  // 3. Slots (a VIP keeps its own), then each changed table, swapped whole.
  std::map<std::string, uint32_t> new_slot_of;
  std::set<uint32_t> used;
  for (const auto &[key, slot] : slot_of_) used.insert(slot);
  std::map<uint32_t, uint32_t> slot_of_index;  // snapshot vip_index -> slot
  uint32_t next_free = 0;
  for (const maglb_snapshot_vip &v : snap.vips) {
    if (v.meta.flags & MAGLB_VIP_F_FRAG_ONLY) continue;
    const std::string key = key_bytes(v.key);
    uint32_t slot;
    bool fresh = false;
    if (auto it = slot_of_.find(key); it != slot_of_.end()) {
      slot = it->second;
    } else {
      while (next_free < n_slots && used.count(next_free)) ++next_free;
      if (next_free >= n_slots) return "no free VIP table slot (" + std::to_string(n_slots) + ")";
      slot = next_free;
      used.insert(slot);
      fresh = true;
    }
    new_slot_of[key] = slot;
    slot_of_index[v.meta.vip_index] = slot;

    std::vector<maglb_slot_t> ids(v.meta.table_size);
    for (uint32_t i = 0; i < v.meta.table_size; ++i) {
      const maglb_slot_t s = snap.slots[v.meta.table_offset + i];
      ids[i] = s == MAGLB_SLOT_EMPTY ? MAGLB_SLOT_EMPTY : snap.backends[s].id;
    }
    if (fresh && bpf_map_update_elem(maps_.vip_stats, &slot, zero_stats.data(), BPF_ANY) != 0)
      return "reset statistics of slot " + std::to_string(slot) + ": " + errno_text(errno);
    if (!table_equals(slot, ids))
      if (std::string err = write_table(slot, ids); !err.empty()) return err;
  }

  // 4. VIP entries, now that their tables are in place; the filter passes
  // the old VIPs and the new ones meanwhile.
  std::vector<maglb_vip_key> filter_keys = all_keys<maglb_vip_key>(maps_.vips);
  const size_t n_old = filter_keys.size();
  for (const maglb_snapshot_vip &v : snap.vips) filter_keys.push_back(v.key);
  if (std::string err = write_vip_filter(filter_keys); !err.empty()) return err;
  filter_keys.erase(filter_keys.begin(), filter_keys.begin() + static_cast<ptrdiff_t>(n_old));
  std::set<std::string> live_keys;
  std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> entries;
  for (const maglb_snapshot_vip &v : snap.vips) {
    maglb_vip_meta meta = v.meta;
    meta.vip_index = slot_of_index.at(v.meta.vip_index);
    entries.emplace_back(v.key, meta);
  }
  if (std::string err = write_vip_index(entries); !err.empty()) return err;
  for (const maglb_snapshot_vip &v : snap.vips) {
    maglb_vip_meta meta = v.meta;
    meta.vip_index = slot_of_index.at(v.meta.vip_index);
    live_keys.insert(key_bytes(v.key));
    if (bpf_map_update_elem(maps_.vips, &v.key, &meta, BPF_ANY) != 0)
      return "write VIP entry: " + errno_text(errno);
  }

  // 5. What the snapshot no longer has: VIP entries first (nothing reaches
  // their tables afterwards), then the tables, then the backends.
  for (const maglb_vip_key &k : all_keys<maglb_vip_key>(maps_.vips))
    if (!live_keys.count(key_bytes(k)) && bpf_map_delete_elem(maps_.vips, &k) != 0 &&
        errno != ENOENT)
      return "delete VIP entry: " + errno_text(errno);
  for (const auto &[key, slot] : slot_of_)
    if (!new_slot_of.count(key) && bpf_map_delete_elem(maps_.tables, &slot) != 0 && errno != ENOENT)
      return "delete table in slot " + std::to_string(slot) + ": " + errno_text(errno);
  slot_of_ = std::move(new_slot_of);
  for (const uint32_t id : all_keys<uint32_t>(maps_.backends)) {
    if (live_ids.count(id)) continue;
    if (std::string err = release_backend(id); !err.empty()) return err;
    if (bpf_map_delete_elem(maps_.backends, &id) != 0 && errno != ENOENT)
      return "delete backend " + std::to_string(id) + ": " + errno_text(errno);
  }
  if (std::string err = write_vip_filter(filter_keys); !err.empty()) return err;
  generation_ = snap.header.generation;
  return "";
}

}  // namespace maglb::xdp
