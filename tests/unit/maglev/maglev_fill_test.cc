// SPDX-License-Identifier: Apache-2.0
//
// The population step against a naive rendering of Pseudocode 1 (paper
// section 3.4): every claim computed as (offset + j * skip) % M, a plain
// vector<bool> for occupancy, the weight rule tested for every entry every
// round. Covers the large-table path (bit occupancy), which the Python
// oracle test does not reach, and both turn orders.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "maglev_fill.h"

namespace maglb::maglev::detail {
namespace {

std::vector<uint32_t> naive_fill(const std::vector<FillEntry> &entries, uint32_t m) {
  uint64_t w_max = 0;
  for (const FillEntry &e : entries) w_max = std::max<uint64_t>(w_max, e.weight);
  std::vector<uint64_t> j(entries.size(), 0), turns(entries.size(), 0);
  std::vector<bool> taken(m, false);
  std::vector<uint32_t> table(m, 0);
  uint32_t filled = 0;
  for (uint64_t round = 1;; ++round) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (turns[i] * w_max >= round * entries[i].weight) continue;
      uint64_t slot = (entries[i].offset + j[i] * entries[i].skip) % m;
      while (taken[slot]) slot = (entries[i].offset + ++j[i] * entries[i].skip) % m;
      taken[slot] = true;
      table[slot] = entries[i].id;
      ++j[i];
      ++turns[i];
      if (++filled == m) return table;
    }
  }
}

std::vector<FillEntry> random_entries(std::mt19937 &rng, uint32_t n, uint32_t m,
                                      uint32_t max_weight) {
  std::vector<FillEntry> entries;
  for (uint32_t i = 0; i < n; ++i) {
    entries.push_back({static_cast<uint32_t>(rng() % m), static_cast<uint32_t>(rng() % (m - 1) + 1),
                       i + 1, static_cast<uint32_t>(1 + rng() % max_weight)});
  }
  return entries;
}

struct Case {
  uint32_t m, n, max_weight;
};

TEST(MaglevFill, MatchesNaivePseudocode) {
  std::mt19937 rng(3);
  // Sizes on both sides of the byte/bit occupancy switch (2^18 slots).
  for (const Case c : {Case{2, 1, 1}, Case{2, 2, 3}, Case{3, 2, 1}, Case{7, 7, 1}, Case{17, 5, 9},
                       Case{1009, 30, 1}, Case{1009, 30, 1000}, Case{65537, 500, 1},
                       Case{65537, 200, 4}, Case{262139, 100, 1}, Case{262147, 100, 1},
                       Case{655373, 300, 1}, Case{655373, 50, 3}, Case{655373, 20, 500}}) {
    const std::vector<FillEntry> entries = random_entries(rng, c.n, c.m, c.max_weight);
    const std::vector<uint32_t> expected = naive_fill(entries, c.m);
    std::vector<uint32_t> got;
    fill(entries, c.m, got);
    EXPECT_EQ(got, expected) << "fill M=" << c.m << " N=" << c.n << " w<=" << c.max_weight;
    fill_by_rounds(entries, c.m, got);
    EXPECT_EQ(got, expected) << "rounds M=" << c.m << " N=" << c.n << " w<=" << c.max_weight;
    fill_by_schedule(entries, c.m, got);
    EXPECT_EQ(got, expected) << "schedule M=" << c.m << " N=" << c.n << " w<=" << c.max_weight;
  }
}

TEST(MaglevFill, LargestTableMatchesNaivePseudocode) {
  std::mt19937 rng(4);
  const std::vector<FillEntry> entries = random_entries(rng, 40, 5000011, 1);
  std::vector<uint32_t> got;
  fill(entries, 5000011, got);
  EXPECT_EQ(got, naive_fill(entries, 5000011));
}

}  // namespace
}  // namespace maglb::maglev::detail
