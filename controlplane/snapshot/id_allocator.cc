#include "id_allocator.h"

#include <xxhash.h>

#include <cstring>

namespace maglb::snapshot {

std::string IdAllocator::pair_key(const maglb_vip_key &vip, const BackendInput &backend) {
  std::string k(sizeof(vip) + 17, '\0');
  std::memcpy(k.data(), &vip, sizeof(vip));
  k[sizeof(vip)] = static_cast<char>(backend.family);
  std::memcpy(k.data() + sizeof(vip) + 1, backend.addr.data(), 16);
  return k;
}

uint32_t IdAllocator::id_for(const maglb_vip_key &vip, const BackendInput &backend) {
  const std::string key = pair_key(vip, backend);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  // 31 bits keep ids printable as non-negative ints everywhere; seed "mgid".
  uint32_t id = static_cast<uint32_t>(XXH64(key.data(), key.size(), 0x6d676964u)) & 0x7fffffffu;
  while (id == 0 || id == MAGLB_SLOT_EMPTY || used_.count(id) || quarantine_.count(id)) {
    id = (id + 1) & 0x7fffffffu;
  }
  ids_.emplace(key, id);
  used_.insert(id);
  return id;
}

void IdAllocator::retain_only(const std::vector<std::pair<maglb_vip_key, BackendInput>> &live,
                              unsigned quarantine_generations) {
  std::set<std::string> keep;
  for (const auto &[vip, be] : live) keep.insert(pair_key(vip, be));
  for (auto it = quarantine_.begin(); it != quarantine_.end();) {
    if (--it->second == 0)
      it = quarantine_.erase(it);
    else
      ++it;
  }
  for (auto it = ids_.begin(); it != ids_.end();) {
    if (!keep.count(it->first)) {
      used_.erase(it->second);
      quarantine_[it->second] = quarantine_generations;
      it = ids_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace maglb::snapshot
