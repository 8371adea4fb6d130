// SPDX-License-Identifier: Apache-2.0
//
// Inputs build_table rejects, with the message it gives, and is_prime.
#include <gtest/gtest.h>

#include <vector>

#include "maglb_abi.h"
#include "maglev_table.h"
#include "maglev_test_util.h"

namespace maglb::maglev {
namespace {

using testing::make_backend;
using testing::numbered_backends;

// The message, and `out` left empty so no stale or partial table survives.
std::string rejection(const std::vector<Backend> &backends, uint32_t m) {
  std::vector<uint32_t> table(5, 42);
  std::string err = build_table(backends, m, table);
  EXPECT_TRUE(table.empty()) << err;
  return err;
}

TEST(MaglevErrors, TableSizeOutOfRange) {
  EXPECT_EQ(rejection({}, 0), "table size must be 2..5000011 (got 0)");
  EXPECT_EQ(rejection({}, 1), "table size must be 2..5000011 (got 1)");
  EXPECT_EQ(rejection(numbered_backends(3), 5000077),
            "table size must be 2..5000011 (got 5000077)");
}

TEST(MaglevErrors, TableSizeNotPrime) {
  EXPECT_EQ(rejection(numbered_backends(3), 65536), "table size 65536 is not prime");
  EXPECT_EQ(rejection({}, 9), "table size 9 is not prime");
}

TEST(MaglevErrors, LargestTableSizeIsAccepted) {
  std::vector<uint32_t> table;
  EXPECT_EQ(build_table(numbered_backends(3), MAGLB_MAX_TABLE_SIZE, table), "");
  EXPECT_EQ(table.size(), MAGLB_MAX_TABLE_SIZE);
}

TEST(MaglevErrors, IdentityLength) {
  Backend b{{198, 18, 0}, 7, 1};
  EXPECT_EQ(rejection({b}, 7), "backend id 7: identity must be 4 (IPv4) or 16 (IPv6) bytes, got 3");
}

TEST(MaglevErrors, ReservedId) {
  EXPECT_EQ(rejection({make_backend("198.18.1.2", MAGLB_SLOT_EMPTY, 1)}, 7),
            "backend 198.18.1.2: id 4294967295 is reserved for empty slots");
}

TEST(MaglevErrors, DuplicateIdentity) {
  EXPECT_EQ(rejection({make_backend("198.18.1.2", 1, 1), make_backend("198.18.1.3", 2, 1),
                       make_backend("198.18.1.2", 3, 0)},
                      7),
            "duplicate backend identity 198.18.1.2");
  EXPECT_EQ(rejection({make_backend("2001:db8::5", 1, 1), make_backend("2001:db8::5", 2, 1)}, 7),
            "duplicate backend identity 2001:db8::5");
}

TEST(MaglevErrors, DuplicateId) {
  EXPECT_EQ(rejection({make_backend("198.18.1.2", 7, 1), make_backend("198.18.1.3", 7, 0)}, 7),
            "duplicate backend id 7 (198.18.1.2 and 198.18.1.3)");
}

TEST(MaglevErrors, MoreActiveBackendsThanSlots) {
  std::vector<Backend> backends = numbered_backends(9);
  EXPECT_EQ(rejection(backends, 7),
            "table size 7 is below the number of backends with weight > 0 (9)");
  // Drained backends need no slot.
  backends[0].weight = 0;
  backends[1].weight = 0;
  std::vector<uint32_t> table;
  EXPECT_EQ(build_table(backends, 7, table), "");
  EXPECT_EQ(table.size(), 7u);
}

TEST(MaglevPrime, SmallNumbers) {
  const std::vector<uint64_t> primes = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 65537};
  for (uint64_t n = 0; n <= 65537; ++n) {
    bool by_trial = n >= 2;
    for (uint64_t d = 2; d * d <= n && by_trial; ++d) by_trial = n % d != 0;
    ASSERT_EQ(is_prime(n), by_trial) << n;
  }
  for (uint64_t p : primes) EXPECT_TRUE(is_prime(p)) << p;
}

TEST(MaglevPrime, TableSizesAndPseudoprimes) {
  EXPECT_TRUE(is_prime(655373));
  EXPECT_TRUE(is_prime(5000011));
  EXPECT_FALSE(is_prime(5000013));
  EXPECT_TRUE(is_prime((uint64_t{1} << 61) - 1));
  EXPECT_TRUE(is_prime(18446744073709551557ull));  // largest 64-bit prime
  // Carmichael numbers and strong pseudoprimes to base 2 fool weaker tests.
  for (uint64_t n : {561ull, 41041ull, 2047ull, 3215031751ull, 3825123056546413051ull,
                     4294967297ull /* 641 * 6700417 */, 4294967291ull * 4294967279ull}) {
    EXPECT_FALSE(is_prime(n)) << n;
  }
}

}  // namespace
}  // namespace maglb::maglev
