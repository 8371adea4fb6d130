// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the Maglev tests.
#ifndef MAGLB_TESTS_UNIT_MAGLEV_MAGLEV_TEST_UTIL_H
#define MAGLB_TESTS_UNIT_MAGLEV_MAGLEV_TEST_UTIL_H

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "maglev_table.h"

namespace maglb::maglev::testing {

// A backend from its textual address (IPv4 or IPv6).
inline Backend make_backend(const std::string &address, uint32_t id, uint32_t weight) {
  Backend b{{}, id, weight};
  uint8_t bytes[16] = {};
  if (inet_pton(AF_INET, address.c_str(), bytes) == 1) {
    b.identity.assign(bytes, bytes + 4);
  } else if (inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
    b.identity.assign(bytes, bytes + 16);
  }
  return b;
}

// Backend i of a numbered set: 198.18.0.0 + i + 1 (198.18.0.0/15 holds
// 131070 of them), id i + 1.
inline Backend numbered_backend(uint32_t i, uint32_t weight = 1) {
  const uint32_t addr = (198u << 24 | 18u << 16) + i + 1;
  return {{static_cast<uint8_t>(addr >> 24), static_cast<uint8_t>(addr >> 16),
           static_cast<uint8_t>(addr >> 8), static_cast<uint8_t>(addr)},
          i + 1,
          weight};
}

inline std::vector<Backend> numbered_backends(uint32_t n, uint32_t weight = 1) {
  std::vector<Backend> backends;
  for (uint32_t i = 0; i < n; ++i) backends.push_back(numbered_backend(i, weight));
  return backends;
}

// The table for a set that must be accepted.
inline std::vector<uint32_t> build(const std::vector<Backend> &backends, uint32_t m) {
  std::vector<uint32_t> table;
  const std::string err = build_table(backends, m, table);
  EXPECT_EQ(err, "");
  return table;
}

// Slots per backend id.
inline std::map<uint32_t, uint32_t> count_slots(const std::vector<uint32_t> &table) {
  std::map<uint32_t, uint32_t> counts;
  for (uint32_t id : table) ++counts[id];
  return counts;
}

}  // namespace maglb::maglev::testing

#endif  // MAGLB_TESTS_UNIT_MAGLEV_MAGLEV_TEST_UTIL_H
