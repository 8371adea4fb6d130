// A read-only, validated view of an ABI snapshot blob (maglb_abi.h,
// "snapshot format"): what the XDP programmer turns into map updates.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "maglb_abi.h"

namespace maglb::xdp {

struct SnapshotView {
  maglb_snapshot_header header{};
  maglb_dp_params params{};
  // Including FRAG_ONLY aliases. Copied out of the blob: entries hold a u64
  // and sit at offset 76 + 48 i, never 8-byte aligned, so a view of them
  // would be misaligned access (UBSan finding).
  std::vector<maglb_snapshot_vip> vips;
  std::span<const maglb_backend> backends;  // sorted by id
  std::span<const maglb_slot_t> slots;      // backend indexes (not ids)
};

// Checks the whole blob (magic, ABI version, sizes adding up to the blob
// length exactly, counts within the ABI limits, backend ids unique, sorted
// and non-zero, every slot a backend index or MAGLB_SLOT_EMPTY, every table
// inside the slot array with a non-zero size, enums in range, unique VIP
// keys, every alias naming a real VIP) and returns a view into it (the blob
// must outlive the view). Empty string on success, else the first problem.
std::string parse_snapshot(std::span<const uint8_t> blob, SnapshotView *out);

}  // namespace maglb::xdp
