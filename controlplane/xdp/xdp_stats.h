// Reads the XDP dataplane's statistics maps (per-CPU values summed).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "map_set.h"
#include "maglb_abi.h"

namespace maglb::xdp {

// Sum over CPUs of counter `c` (enum maglb_counter), or nullopt.
std::optional<uint64_t> read_counter(const MapSet &maps, uint32_t c);

// {"counters": {...}, "vips": [...], "backends": [...]}; slots maps VIP key
// bytes to the VIP's table slot (XdpProgrammer::slots()), backend_slots a
// backend id to its slot in maglb_be_slots (XdpProgrammer::backend_slots()).
nlohmann::json read_stats(const MapSet &maps, const std::map<std::string, uint32_t> &slots,
                          const std::map<uint32_t, uint32_t> &backend_slots);

// "198.18.0.10:80/tcp", "[2001:db8::10]:*/udp".
std::string format_vip_key(const maglb_vip_key &key);

}  // namespace maglb::xdp
