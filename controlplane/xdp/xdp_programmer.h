// Turns ABI snapshot blobs into XDP map updates, in an order that never
// shows a packet half of two tables (docs/xdp.md, "Update order"):
//   1. dataplane parameters;
//   2. new and changed backends: each id keeps one slot of maglb_be_slots
//      while it lives (a new id: the slot's entry and zeroed statistics,
//      then id -> slot); changed ones are rewritten in place;
//   3. per VIP: a fresh inner map filled with backend ids, swapped in with
//      one update of the outer map at the VIP's own slot;
//   4. the VIP address filter (old and new VIPs), then the VIP index (a
//      fresh array swapped in whole: entries now point at the tables of
//      step 3) and the VIP map, the control plane's record;
//   5. removed VIPs (entry, then table slot) and removed backends (id ->
//      slot first, then the slot's entry rewritten with id 0), and the
//      filter (new VIPs only).
// Each VIP keeps its table slot for as long as it exists, so a slot never
// serves two VIPs within one update.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "map_set.h"
#include "maglb_abi.h"

namespace maglb::xdp {

class XdpProgrammer {
 public:
  explicit XdpProgrammer(const MapSet &maps) : maps_(maps) {}

  // Reads which slot each VIP and each backend holds and the generation
  // from the maps (a restarted control plane continues where the last one
  // stopped).
  std::string recover();

  // Validates the blob, then applies it (see the order above). On error,
  // returns what failed; the maps then hold a mix of old and new VIPs, but
  // every VIP is whole (old or new). Empty string on success.
  std::string program(std::span<const uint8_t> blob);

  uint64_t generation() const { return generation_; }
  // VIP key bytes -> table slot, for statistics.
  const std::map<std::string, uint32_t> &slots() const { return slot_of_; }
  // Backend id -> slot in maglb_be_slots (statistics).
  const std::map<uint32_t, uint32_t> &backend_slots() const { return be_slot_of_; }

  // Tables replaced by the last program() call (unchanged ones are kept).
  uint32_t tables_written() const { return tables_written_; }

 private:
  std::string write_table(uint32_t slot, std::span<const maglb_slot_t> ids);
  // Builds a fresh VIP index of `entries` and swaps it in (one update).
  std::string write_vip_index(const std::vector<std::pair<maglb_vip_key, maglb_vip_meta>> &entries);
  // Writes the VIP address filter: the bits of every key in `keys`.
  std::string write_vip_filter(const std::vector<maglb_vip_key> &keys);
  // Frees the slot of backend `id` (no-op if it has none).
  std::string release_backend(uint32_t id);
  bool table_equals(uint32_t slot, std::span<const maglb_slot_t> ids) const;

  MapSet maps_;
  uint64_t generation_ = 0;
  std::map<std::string, uint32_t> slot_of_;  // real (non-alias) VIPs only
  std::map<uint32_t, uint32_t> be_slot_of_;  // backend id -> slot
  uint32_t tables_written_ = 0;
};

}  // namespace maglb::xdp
