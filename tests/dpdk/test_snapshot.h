// Snapshot blobs for the engine tests, laid out here from the ABI header
// alone (not with the control plane's builder): the tests choose every
// table slot themselves, so they know which backend each flow must reach.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "maglb_abi.h"

namespace maglb::dpdk_test {

struct TestBackend {
  uint32_t id;
  uint8_t family;
  uint8_t addr[16];
  uint16_t weight;
};

struct TestVip {
  maglb_vip_key key;
  uint8_t fwd_method = MAGLB_FWD_IPIP;
  uint8_t hash_fields = MAGLB_HASH_5TUPLE;
  uint32_t table_size = 7;  // prime
  std::vector<uint32_t>
      table_ids;  // backend id per slot (0 = MAGLB_SLOT_EMPTY); table_size entries
};

// A weighted fill: slot i gets the backends (by id, repeated `weight` times)
// in a strided order. Any fill is a valid table; this one spreads weights.
std::vector<uint32_t> weighted_table(const std::vector<TestBackend> &backends, uint32_t size);

// Lays out the blob: VIPs sorted by key bytes with vip_index in that order,
// backends sorted by id, tables translated from ids to backend indexes.
std::vector<uint8_t> build_blob(uint64_t generation, const maglb_dp_params &params,
                                std::vector<TestVip> vips, std::vector<TestBackend> backends);

maglb_vip_key vip_key(const std::string &addr, uint16_t port, uint8_t proto);
TestBackend backend(uint32_t id, const std::string &addr, uint16_t weight = 1);

}  // namespace maglb::dpdk_test
