// SPDX-License-Identifier: Apache-2.0
//
// Golden tables: the expected arrays were produced by the independent
// oracle (`/usr/bin/python3 maglev_oracle.py golden`, a literal rendering
// of the paper's Pseudocode 1 and the weight rule of docs/maglev.md), not by
// the C++ builder. They pin the hash seeds, the identity order and the
// weight rule: any change to those changes every load balancer's table.
#include <gtest/gtest.h>

#include <vector>

#include "maglev_table.h"
#include "maglev_test_util.h"

namespace maglb::maglev {
namespace {

using testing::build;
using testing::make_backend;

TEST(MaglevGolden, ThreeEqualV4Size7) {
  const std::vector<Backend> backends = {make_backend("198.18.0.1", 1, 1),
                                         make_backend("198.18.0.2", 2, 1),
                                         make_backend("198.18.0.3", 3, 1)};
  EXPECT_EQ(build(backends, 7), (std::vector<uint32_t>{1, 3, 2, 1, 2, 1, 3}));
}

TEST(MaglevGolden, ThreeEqualV4Size17) {
  const std::vector<Backend> backends = {make_backend("198.18.0.1", 1, 1),
                                         make_backend("198.18.0.2", 2, 1),
                                         make_backend("198.18.0.3", 3, 1)};
  EXPECT_EQ(build(backends, 17),
            (std::vector<uint32_t>{2, 2, 1, 3, 1, 1, 3, 2, 3, 1, 1, 3, 3, 2, 1, 2, 2}));
}

TEST(MaglevGolden, Weighted123Size17) {
  const std::vector<Backend> backends = {make_backend("198.18.1.10", 10, 1),
                                         make_backend("198.18.1.20", 20, 2),
                                         make_backend("198.18.1.30", 30, 3)};
  EXPECT_EQ(build(backends, 17), (std::vector<uint32_t>{30, 20, 30, 30, 20, 20, 30, 30, 20, 30, 30,
                                                        10, 10, 20, 10, 20, 30}));
}

TEST(MaglevGolden, MixedFamiliesWithDrainSize17) {
  const std::vector<Backend> backends = {
      make_backend("2001:db8::1", 7, 1), make_backend("198.18.0.5", 5, 1),
      make_backend("2001:db8::2", 9, 2), make_backend("198.18.0.6", 6, 0)};
  EXPECT_EQ(build(backends, 17),
            (std::vector<uint32_t>{9, 5, 7, 7, 5, 7, 9, 9, 9, 9, 5, 7, 9, 5, 9, 7, 9}));
}

TEST(MaglevGolden, SkewedWeightsSize7) {
  // Weight 1 against 1000: the light backend still gets its round-1 turn.
  const std::vector<Backend> backends = {make_backend("198.18.2.1", 100, 1),
                                         make_backend("198.18.2.2", 200, 1000)};
  EXPECT_EQ(build(backends, 7), (std::vector<uint32_t>{200, 200, 200, 100, 200, 200, 200}));
}

}  // namespace
}  // namespace maglb::maglev
