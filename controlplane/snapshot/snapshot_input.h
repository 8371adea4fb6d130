// The control plane's description of one table snapshot before it becomes
// bytes: what every VIP looks like and which backends (with effective
// weights) it has. Built from the config model plus health state by the
// daemon, or straight from a config by `maglbctl table show`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "maglb_abi.h"

namespace maglb::snapshot {

struct BackendInput {
  uint8_t family = MAGLB_FAMILY_IPV4;
  std::array<uint8_t, 16> addr{};  // IPv4 in addr[0..3]
  uint32_t weight = 0;             // effective weight (0 = drain: keeps flows, no new ones)
  std::array<uint8_t, 6> mac{};    // L2 method: known MAC or zero
};

struct VipInput {
  maglb_vip_key key{};
  uint8_t fwd_method = MAGLB_FWD_IPIP;
  uint8_t hash_fields = MAGLB_HASH_5TUPLE;
  uint32_t table_size = MAGLB_DEFAULT_TABLE_SIZE;
  std::vector<BackendInput> backends;
};

struct SnapshotInput {
  uint64_t generation = 1;
  maglb_dp_params params{};
  std::vector<VipInput> vips;
};

}  // namespace maglb::snapshot
