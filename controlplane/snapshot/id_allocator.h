// Stable backend ids. A flow entry in either dataplane names its backend by
// id, so an id must keep meaning the same (VIP, backend address) pair for as
// long as any flow may hold it: a later table never makes an entry point at a
// different server. Ids are derived from a hash of the pair (so a restarted
// control plane usually re-derives the same ids without any state) and
// remembered for the allocator's lifetime; a collision probes to the next
// free id, and a released id is quarantined so it is not handed to another
// pair while flows may still name it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "snapshot_input.h"

namespace maglb::snapshot {

class IdAllocator {
 public:
  // Returns the id of (vip, backend), allocating one if new. Never 0 and
  // never MAGLB_SLOT_EMPTY.
  uint32_t id_for(const maglb_vip_key &vip, const BackendInput &backend);

  // Forget every pair not in `live` (call after each successful build).
  // Their ids stay quarantined until `quarantine_generations` more calls.
  void retain_only(const std::vector<std::pair<maglb_vip_key, BackendInput>> &live,
                   unsigned quarantine_generations = 16);

  size_t size() const { return ids_.size(); }

 private:
  static std::string pair_key(const maglb_vip_key &vip, const BackendInput &backend);
  std::map<std::string, uint32_t> ids_;
  std::set<uint32_t> used_;
  std::map<uint32_t, unsigned> quarantine_;  // id -> rounds left
};

}  // namespace maglb::snapshot
