// Turns a SnapshotInput into the ABI snapshot blob (dataplane/abi/maglb_abi.h,
// "snapshot format") that both dataplanes install: Maglev tables are built
// here, off every hot path, and the result is immutable.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "id_allocator.h"
#include "snapshot_input.h"

namespace maglb::snapshot {

struct BuiltVip {
  maglb_vip_key key{};
  uint32_t vip_index = 0;
  std::vector<uint32_t> backend_ids;  // parallel to VipInput::backends
  std::vector<uint32_t> table;        // Maglev table of backend ids (MAGLB_SLOT_EMPTY if none)
};

struct BuildResult {
  std::string error;  // empty on success; else "vip 198.18.0.100:80/tcp: <reason>"
  std::vector<uint8_t> blob;
  std::vector<BuiltVip> vips;  // in input order
};

// Builds every VIP's Maglev table and lays out the blob. Deterministic: the
// same input (in any VIP or backend order) and the same allocator state give
// the same bytes. VIP indexes follow the sorted order of the VIP keys.
BuildResult build_snapshot(const SnapshotInput &input, IdAllocator &ids);

// "198.18.0.100:80/tcp", "[2001:db8::1]:443/tcp" (port 0 prints as "*").
std::string format_vip(const maglb_vip_key &key);
std::string format_addr(uint8_t family, const uint8_t *addr);

}  // namespace maglb::snapshot
