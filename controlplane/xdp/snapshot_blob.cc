#include "snapshot_blob.h"

#include <cstring>
#include <set>
#include <string_view>

namespace maglb::xdp {
namespace {

template <typename T>
std::span<const T> view_of(const uint8_t *p, uint64_t n) {
  // The blob arrives as bytes; backends and slots have 4-byte alignment at
  // most, and callers pass vector storage (malloc-aligned), so their offsets
  // (multiples of 4) stay aligned. VIP entries (8-byte aligned) are copied.
  return {reinterpret_cast<const T *>(p), static_cast<size_t>(n)};
}

std::string vip_name(size_t i) {
  return "vip entry " + std::to_string(i);
}

}  // namespace

std::string parse_snapshot(std::span<const uint8_t> blob, SnapshotView *out) {
  *out = SnapshotView{};
  if (reinterpret_cast<uintptr_t>(blob.data()) % alignof(uint64_t) != 0)
    return "snapshot blob is not 8-byte aligned";
  if (blob.size() < sizeof(maglb_snapshot_header) + sizeof(maglb_dp_params))
    return "snapshot blob too short: " + std::to_string(blob.size()) + " bytes";
  maglb_snapshot_header h;
  std::memcpy(&h, blob.data(), sizeof(h));
  if (h.magic != MAGLB_SNAPSHOT_MAGIC) return "snapshot magic is wrong";
  if (h.abi_version != MAGLB_ABI_VERSION)
    return "snapshot ABI version " + std::to_string(h.abi_version) + ", expected " +
           std::to_string(MAGLB_ABI_VERSION);
  if (h.header_size != sizeof(h)) return "snapshot header_size is wrong";
  if (h.n_vips > 2 * MAGLB_MAX_VIPS)
    return "snapshot has " + std::to_string(h.n_vips) + " VIP entries (limit " +
           std::to_string(2 * MAGLB_MAX_VIPS) + ")";
  if (h.n_backends > MAGLB_MAX_BACKENDS)
    return "snapshot has " + std::to_string(h.n_backends) + " backends (limit " +
           std::to_string(MAGLB_MAX_BACKENDS) + ")";
  if (h.total_slots > 0xffffffffull) return "snapshot total_slots exceeds 2^32";
  const uint64_t want =
      sizeof(h) + sizeof(maglb_dp_params) + uint64_t{h.n_vips} * sizeof(maglb_snapshot_vip) +
      uint64_t{h.n_backends} * sizeof(maglb_backend) + h.total_slots * sizeof(maglb_slot_t);
  if (h.total_size != want || blob.size() != want)
    return "snapshot sizes do not add up: header says " + std::to_string(h.total_size) +
           ", counts say " + std::to_string(want) + ", blob has " + std::to_string(blob.size());

  const uint8_t *p = blob.data() + sizeof(h);
  out->header = h;
  std::memcpy(&out->params, p, sizeof(out->params));
  p += sizeof(maglb_dp_params);
  out->vips.resize(h.n_vips);
  if (h.n_vips) std::memcpy(out->vips.data(), p, h.n_vips * sizeof(maglb_snapshot_vip));
  p += h.n_vips * sizeof(maglb_snapshot_vip);
  out->backends = view_of<maglb_backend>(p, h.n_backends);
  p += h.n_backends * sizeof(maglb_backend);
  out->slots = view_of<maglb_slot_t>(p, h.total_slots);

  if (out->params.src_v6_entropy_bits > 16) return "dp params: src_v6_entropy_bits > 16";
  if (out->params.src_v4_entropy_bits > 32) return "dp params: src_v4_entropy_bits > 32";

  for (size_t i = 0; i < out->backends.size(); ++i) {
    const maglb_backend &b = out->backends[i];
    const std::string name = "backend " + std::to_string(i);
    if (b.id == 0 || b.id == MAGLB_SLOT_EMPTY) return name + ": invalid id " + std::to_string(b.id);
    if (i > 0 && out->backends[i - 1].id >= b.id) return name + ": ids not sorted and unique";
    if (b.family != MAGLB_FAMILY_IPV4 && b.family != MAGLB_FAMILY_IPV6)
      return name + ": bad family " + std::to_string(b.family);
  }
  for (size_t i = 0; i < out->slots.size(); ++i) {
    const maglb_slot_t s = out->slots[i];
    if (s != MAGLB_SLOT_EMPTY && s >= h.n_backends)
      return "slot " + std::to_string(i) + ": backend index " + std::to_string(s) + " out of range";
  }

  std::set<std::string_view> keys;
  std::set<uint32_t> real_indexes;
  for (size_t i = 0; i < out->vips.size(); ++i) {
    const maglb_snapshot_vip &v = out->vips[i];
    const std::string name = vip_name(i);
    const maglb_vip_meta &m = v.meta;
    if (v.key.family != MAGLB_FAMILY_IPV4 && v.key.family != MAGLB_FAMILY_IPV6)
      return name + ": bad family";
    if (v.key.proto != 6 && v.key.proto != 17) return name + ": protocol is not TCP or UDP";
    if (!keys.insert({reinterpret_cast<const char *>(&v.key), sizeof(v.key)}).second)
      return name + ": duplicate VIP key";
    if (m.fwd_method < MAGLB_FWD_IPIP || m.fwd_method > MAGLB_FWD_L2)
      return name + ": bad forwarding method " + std::to_string(m.fwd_method);
    if (m.hash_fields < MAGLB_HASH_5TUPLE || m.hash_fields > MAGLB_HASH_SRC_ADDR)
      return name + ": bad hash fields " + std::to_string(m.hash_fields);
    if (m.flags & ~(MAGLB_VIP_F_ALL_PORTS | MAGLB_VIP_F_FRAG_ONLY)) return name + ": unknown flags";
    if ((m.flags & (MAGLB_VIP_F_ALL_PORTS | MAGLB_VIP_F_FRAG_ONLY)) && v.key.port != 0)
      return name + ": all-ports / FRAG_ONLY entry with a port";
    if (m.table_size == 0 || uint64_t{m.table_offset} + m.table_size > h.total_slots)
      return name + ": table outside the slot array";
    if (m.table_size > MAGLB_MAX_TABLE_SIZE) return name + ": table larger than the limit";
    if (!(m.flags & MAGLB_VIP_F_FRAG_ONLY) && !real_indexes.insert(m.vip_index).second)
      return name + ": vip_index " + std::to_string(m.vip_index) + " used twice";
  }
  for (size_t i = 0; i < out->vips.size(); ++i) {
    const maglb_snapshot_vip &v = out->vips[i];
    if ((v.meta.flags & MAGLB_VIP_F_FRAG_ONLY) && !real_indexes.count(v.meta.vip_index))
      return vip_name(i) + ": FRAG_ONLY alias names no VIP";
  }
  return "";
}

}  // namespace maglb::xdp
