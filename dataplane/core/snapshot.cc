#include "snapshot.h"

#include <cstring>
#include <utility>

namespace maglb::core {
namespace {

constexpr uint16_t kKnownVipFlags = MAGLB_VIP_F_ALL_PORTS | MAGLB_VIP_F_FRAG_ONLY;
constexpr uint8_t kKnownBackendFlags = MAGLB_BACKEND_F_DRAINING;
constexpr uint16_t kKnownDpFlags = MAGLB_DP_F_ICMP_TOO_BIG;

bool fail(std::string *error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint32_t d = 3; uint64_t{d} * d <= n; d += 2)
    if (n % d == 0) return false;
  return true;
}

bool valid_family(uint8_t f) {
  return f == MAGLB_FAMILY_IPV4 || f == MAGLB_FAMILY_IPV6;
}

// IPv4 addresses live in addr[0..3]; the rest must be zero so keys compare
// and hash as bytes.
bool v4_tail_zero(const uint8_t addr[16]) {
  for (int i = 4; i < 16; ++i)
    if (addr[i]) return false;
  return true;
}

std::string vip_name(size_t i) {
  return "vip[" + std::to_string(i) + "]";
}

bool validate_params(const maglb_dp_params &p, std::string *error) {
  if (p.src_v4_entropy_bits > 32)
    return fail(
        error, "dp params: src_v4_entropy_bits " + std::to_string(p.src_v4_entropy_bits) + " > 32");
  if (p.src_v6_entropy_bits > 16)
    return fail(
        error, "dp params: src_v6_entropy_bits " + std::to_string(p.src_v6_entropy_bits) + " > 16");
  // Below the IPv4 minimum MTU the "mtu - overhead" of an ICMP reply could
  // go negative.
  if (p.mtu < 68) return fail(error, "dp params: mtu " + std::to_string(p.mtu) + " < 68");
  if (p.flags & ~kKnownDpFlags)
    return fail(error, "dp params: unknown flags " + std::to_string(p.flags));
  return true;
}

}  // namespace

std::unique_ptr<Snapshot> Snapshot::from_blob(std::span<const uint8_t> blob, std::string *error) {
  maglb_snapshot_header hdr;
  if (blob.size() < sizeof(hdr) + sizeof(maglb_dp_params)) {
    fail(error,
         "blob of " + std::to_string(blob.size()) + " bytes is shorter than header + params");
    return nullptr;
  }
  std::memcpy(&hdr, blob.data(), sizeof(hdr));
  if (hdr.magic != MAGLB_SNAPSHOT_MAGIC) {
    fail(error, "bad magic");
    return nullptr;
  }
  if (hdr.abi_version != MAGLB_ABI_VERSION) {
    fail(error, "abi version " + std::to_string(hdr.abi_version) +
                    " != " + std::to_string(MAGLB_ABI_VERSION));
    return nullptr;
  }
  if (hdr.header_size != sizeof(hdr)) {
    fail(error,
         "header_size " + std::to_string(hdr.header_size) + " != " + std::to_string(sizeof(hdr)));
    return nullptr;
  }
  if (hdr.total_size != blob.size()) {
    fail(error, "total_size " + std::to_string(hdr.total_size) + " != blob length " +
                    std::to_string(blob.size()));
    return nullptr;
  }
  if (hdr.n_vips > MAGLB_MAX_VIPS) {
    fail(error, "n_vips " + std::to_string(hdr.n_vips) + " > " + std::to_string(MAGLB_MAX_VIPS));
    return nullptr;
  }
  if (hdr.n_backends > MAGLB_MAX_BACKENDS) {
    fail(error, "n_backends " + std::to_string(hdr.n_backends) + " > " +
                    std::to_string(MAGLB_MAX_BACKENDS));
    return nullptr;
  }
  // Bounded before multiplying so the size sum cannot overflow.
  if (hdr.total_slots > uint64_t{MAGLB_MAX_VIPS} * MAGLB_MAX_TABLE_SIZE) {
    fail(error, "total_slots " + std::to_string(hdr.total_slots) + " exceeds n_vips * max table");
    return nullptr;
  }
  const uint64_t expect =
      sizeof(hdr) + sizeof(maglb_dp_params) + uint64_t{hdr.n_vips} * sizeof(maglb_snapshot_vip) +
      uint64_t{hdr.n_backends} * sizeof(maglb_backend) + hdr.total_slots * sizeof(maglb_slot_t);
  if (expect != hdr.total_size) {
    fail(error, "sections add up to " + std::to_string(expect) + " bytes, total_size is " +
                    std::to_string(hdr.total_size));
    return nullptr;
  }

  std::unique_ptr<Snapshot> s(new Snapshot());
  s->blob_.assign(blob.begin(), blob.end());
  const uint8_t *p = s->blob_.data() + sizeof(hdr);
  std::memcpy(&s->params_, p, sizeof(maglb_dp_params));
  p += sizeof(maglb_dp_params);
  if (!validate_params(s->params_, error)) return nullptr;
  s->generation_ = hdr.generation;

  const uint8_t *vip_bytes = p;
  p += size_t{hdr.n_vips} * sizeof(maglb_snapshot_vip);
  // The blob's vector storage is allocated by operator new, which aligns to
  // 16: every section starts at a multiple of 4 (40 + 36 + 48n + 32m), so
  // backends and slots are accessed in place.
  static_assert(alignof(maglb_backend) <= 4 && alignof(maglb_slot_t) <= 4);
  const auto *backends = reinterpret_cast<const maglb_backend *>(p);
  p += size_t{hdr.n_backends} * sizeof(maglb_backend);
  const auto *slots = reinterpret_cast<const maglb_slot_t *>(p);
  s->backends_ = std::span<const maglb_backend>(backends, hdr.n_backends);

  for (uint32_t i = 0; i < hdr.n_backends; ++i) {
    const maglb_backend &b = backends[i];
    const std::string name = "backend[" + std::to_string(i) + "] (id " + std::to_string(b.id) + ")";
    if (b.id == 0) {
      fail(error, name + ": id 0 is reserved");
      return nullptr;
    }
    if (i > 0 && backends[i - 1].id >= b.id) {
      fail(error, name + ": ids not strictly increasing (previous " +
                      std::to_string(backends[i - 1].id) + ")");
      return nullptr;
    }
    if (!valid_family(b.family)) {
      fail(error, name + ": bad family " + std::to_string(b.family));
      return nullptr;
    }
    if (b.family == MAGLB_FAMILY_IPV4 && !v4_tail_zero(b.addr)) {
      fail(error, name + ": IPv4 address with non-zero addr[4..15]");
      return nullptr;
    }
    if (b.flags & ~kKnownBackendFlags) {
      fail(error, name + ": unknown flags " + std::to_string(b.flags));
      return nullptr;
    }
  }
  for (uint64_t i = 0; i < hdr.total_slots; ++i) {
    if (slots[i] != MAGLB_SLOT_EMPTY && slots[i] >= hdr.n_backends) {
      fail(error, "slot " + std::to_string(i) + ": backend index " + std::to_string(slots[i]) +
                      " >= n_backends " + std::to_string(hdr.n_backends));
      return nullptr;
    }
  }

  bool any_gue = false;
  s->vips_.resize(hdr.n_vips);
  for (uint32_t i = 0; i < hdr.n_vips; ++i) {
    maglb_snapshot_vip v;
    std::memcpy(&v, vip_bytes + size_t{i} * sizeof(v), sizeof(v));
    const std::string name = vip_name(i);
    const maglb_vip_key &k = v.key;
    const maglb_vip_meta &m = v.meta;
    if (i > 0 && std::memcmp(&s->vips_[i - 1].key, &k, sizeof(k)) >= 0) {
      fail(error, name + ": keys not sorted or duplicate");
      return nullptr;
    }
    if (!valid_family(k.family)) {
      fail(error, name + ": bad family " + std::to_string(k.family));
      return nullptr;
    }
    if (k.family == MAGLB_FAMILY_IPV4 && !v4_tail_zero(k.addr)) {
      fail(error, name + ": IPv4 address with non-zero addr[4..15]");
      return nullptr;
    }
    if (k.proto != 6 && k.proto != 17) {
      fail(error, name + ": protocol " + std::to_string(k.proto) + " is not TCP or UDP");
      return nullptr;
    }
    if (m.flags & ~kKnownVipFlags) {
      fail(error, name + ": unknown flags " + std::to_string(m.flags));
      return nullptr;
    }
    const bool port0_flag = m.flags & (MAGLB_VIP_F_ALL_PORTS | MAGLB_VIP_F_FRAG_ONLY);
    if ((m.flags & MAGLB_VIP_F_ALL_PORTS) && (m.flags & MAGLB_VIP_F_FRAG_ONLY)) {
      fail(error, name + ": both ALL_PORTS and FRAG_ONLY");
      return nullptr;
    }
    if ((k.port == 0) != port0_flag) {
      fail(error, name +
                      ": port 0 requires exactly one of ALL_PORTS/FRAG_ONLY (and only port 0 "
                      "may have them)");
      return nullptr;
    }
    if (m.fwd_method < MAGLB_FWD_IPIP || m.fwd_method > MAGLB_FWD_L2) {
      fail(error, name + ": bad fwd_method " + std::to_string(m.fwd_method));
      return nullptr;
    }
    if (m.hash_fields < MAGLB_HASH_5TUPLE || m.hash_fields > MAGLB_HASH_SRC_ADDR) {
      fail(error, name + ": bad hash_fields " + std::to_string(m.hash_fields));
      return nullptr;
    }
    if (m.vip_index >= MAGLB_MAX_VIPS) {
      fail(error, name + ": vip_index " + std::to_string(m.vip_index) +
                      " >= " + std::to_string(MAGLB_MAX_VIPS));
      return nullptr;
    }
    if (m.generation != hdr.generation) {
      fail(error, name + ": generation " + std::to_string(m.generation) + " != snapshot " +
                      std::to_string(hdr.generation));
      return nullptr;
    }
    if (m.table_size > MAGLB_MAX_TABLE_SIZE || !is_prime(m.table_size)) {
      fail(error, name + ": table_size " + std::to_string(m.table_size) +
                      " is not a prime <= " + std::to_string(MAGLB_MAX_TABLE_SIZE));
      return nullptr;
    }
    if (uint64_t{m.table_offset} + m.table_size > hdr.total_slots) {
      fail(error, name + ": table [" + std::to_string(m.table_offset) + ", +" +
                      std::to_string(m.table_size) + ") outside total_slots " +
                      std::to_string(hdr.total_slots));
      return nullptr;
    }
    const maglb_slot_t *table = slots + m.table_offset;
    if (m.fwd_method == MAGLB_FWD_IPIP) {
      // IPIP / IP6IP6 cannot carry one family inside the other (GUE can).
      for (uint32_t j = 0; j < m.table_size; ++j) {
        if (table[j] != MAGLB_SLOT_EMPTY && backends[table[j]].family != k.family) {
          fail(error, name + ": IPIP table slot " + std::to_string(j) + " names backend id " +
                          std::to_string(backends[table[j]].id) + " of the other family");
          return nullptr;
        }
      }
    }
    any_gue |= m.fwd_method == MAGLB_FWD_GUE;
    s->vips_[i] = VipEntry{k, m, table};
  }
  if (any_gue && s->params_.gue_port == 0) {
    fail(error, "dp params: gue_port is 0 but a VIP uses GUE");
    return nullptr;
  }

  uint32_t size = 16;
  while (size < 2 * hdr.n_vips) size *= 2;
  s->vip_index_.assign(size, 0);
  s->vip_index_mask_ = size - 1;
  for (uint32_t i = 0; i < hdr.n_vips; ++i) {
    uint32_t pos = vip_key_hash(s->vips_[i].key) & s->vip_index_mask_;
    while (s->vip_index_[pos]) pos = (pos + 1) & s->vip_index_mask_;
    s->vip_index_[pos] = static_cast<uint16_t>(i + 1);
  }
  return s;
}

int32_t Snapshot::backend_by_id(uint32_t id) const {
  size_t lo = 0, hi = backends_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (backends_[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < backends_.size() && backends_[lo].id == id) return static_cast<int32_t>(lo);
  return -1;
}

}  // namespace maglb::core
