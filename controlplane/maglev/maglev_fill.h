// SPDX-License-Identifier: Apache-2.0
//
// The population step of Maglev (paper section 3.4, Pseudocode 1) on
// precomputed permutations: internal to the builder, exposed so that tests
// can check the turn orders against each other.
#ifndef MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_FILL_H
#define MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_FILL_H

#include <cstdint>
#include <span>
#include <vector>

namespace maglb::maglev::detail {

// One backend with weight > 0, in fill order (sorted by identity bytes).
struct FillEntry {
  uint32_t offset;  // permutation[0], in [0, M)
  uint32_t skip;    // in [1, M-1]
  uint32_t id;
  uint32_t weight;  // > 0
};

// The turn rule (docs/maglev.md, "Weights"): in round r = 1, 2, ... every
// entry i, in order, takes a turn iff turns_i * max_weight < r * weight_i; a
// turn claims the first empty slot of the entry's permutation from where its
// previous turn stopped. Filling stops as soon as all M slots are taken.
// Every function below implements exactly that rule, so all give
// byte-identical tables; they differ only in how they find the next turn.
// Preconditions (checked by build_table): M prime, 1 <= entries.size() <= M,
// ids != MAGLB_SLOT_EMPTY.

// Visits every entry every round and tests the rule.
void fill_by_rounds(std::span<const FillEntry> entries, uint32_t table_size,
                    std::vector<uint32_t> &out);

// Orders turns with a binary heap keyed by (round of the next turn,
// position): O(log N) per slot however skewed the weights, where the round
// scan would visit all N entries in rounds in which few take a turn.
void fill_by_schedule(std::span<const FillEntry> entries, uint32_t table_size,
                      std::vector<uint32_t> &out);

// What build_table uses: plain round robin when all weights are equal (the
// rule then lets every entry take every turn), else the cheaper of the two
// above for these weights.
void fill(std::span<const FillEntry> entries, uint32_t table_size, std::vector<uint32_t> &out);

}  // namespace maglb::maglev::detail

#endif  // MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_FILL_H
