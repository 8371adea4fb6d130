// SPDX-License-Identifier: Apache-2.0
//
// Claims slots for a sequence of turns (Pseudocode 1 of the Maglev paper,
// section 3.4): each turn gives an entry the first empty slot along its
// permutation, starting where its previous turn stopped. Which entry takes
// each turn is the caller's business (maglev_fill.cc). Internal header.
#ifndef MAGLB_CONTROLPLANE_MAGLEV_TABLE_FILLER_H
#define MAGLB_CONTROLPLANE_MAGLEV_TABLE_FILLER_H

#include <cstdint>
#include <span>
#include <vector>

#include "maglev_fill.h"
#include "mod_arith.h"

namespace maglb::maglev::detail {

// Two ways to find an entry's next slot, chosen by how many slots are still
// empty (E):
//  - walk: step along the permutation, about M / E probes. Stepping adds
//    skip mod M to the previous slot rather than computing
//    (offset + j * skip) mod M: the same sequence without a multiply or a
//    division per probe.
//  - direct: the slot e is reached after j = (e - next) * skip^-1 mod M
//    steps, so the empty slot with the smallest j is the one the walk would
//    stop at: E products and no walk.
// Both find the same slot. Walking the last ~sqrt(M) slots would cost about
// half of all the M log M probes; searching them directly costs ~2M
// products, which vectorize.
template <class Occupancy>
class TableFiller {
 public:
  TableFiller(std::span<const FillEntry> entries, uint32_t table_size, std::vector<uint32_t> &out)
      : m_(table_size), occupancy_(table_size), montgomery_(table_size | 1u) {
    out.resize(table_size);
    out_ = out.data();
    cursors_.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      Cursor &c = cursors_[i];
      c.next = entries[i].offset;
      c.skip[0] = entries[i].skip;
      for (uint32_t k = 1; k < kGroup; ++k) c.skip[k] = add_mod(c.skip[k - 1], c.skip[0], m_);
      c.id = entries[i].id;
      c.skip_inverse = 0;
    }
  }

  // Runs turns until every slot is taken; next_turn() returns the position
  // of the entry that takes the next turn.
  template <class NextTurn>
  void run(NextTurn &next_turn) {
    const uint32_t walk_until = m_ - direct_threshold(m_);
    uint32_t filled = 0;
    for (; filled < walk_until; ++filled) {
      Cursor &c = cursors_[next_turn()];
      const uint32_t slot = walk(c);
      occupancy_.take(slot);
      out_[slot] = c.id;
      c.next = add_mod(slot, c.skip[0], m_);
    }
    if (filled == m_) return;
    std::vector<uint32_t> empty;
    empty.reserve(m_ - filled);
    occupancy_.collect_empty(empty);
    for (; filled < m_; ++filled) {
      Cursor &c = cursors_[next_turn()];
      const uint32_t slot = take_direct(c, empty);
      out_[slot] = c.id;
      c.next = add_mod(slot, c.skip[0], m_);
    }
  }

 private:
  // Probes per group of a walk (see walk()).
  static constexpr uint32_t kGroup = 4;

  struct Cursor {
    uint32_t next;          // the next slot of the permutation to probe
    uint32_t skip[kGroup];  // skip[k] = (k + 1) * skip mod M
    uint32_t id;
    uint64_t skip_inverse;  // skip^-1 mod M in Montgomery form; 0 = not yet
  };

  // E below which turns search directly: 2 sqrt(M), measured on the
  // benchmark grid (a direct product is a few times cheaper than a probe).
  // The Montgomery form needs an odd M, so M = 2 only walks.
  static uint32_t direct_threshold(uint32_t m) {
    if (m < 3) return 0;
    uint32_t root = 1;
    while (uint64_t{root} * root < m) ++root;
    return 2 * root < m ? 2 * root : m;
  }

  // Probing kGroup slots from one base makes the candidates independent (no
  // add-compare-select chain per probe) and takes one branch per group
  // instead of one per probe; the first empty candidate of a group is the
  // slot the one-probe-at-a-time walk would stop at.
  uint32_t walk(const Cursor &c) const {
    uint32_t base = c.next;
    if constexpr (!Occupancy::kGroupFirstProbe) {
      if (!occupancy_.taken(base)) return base;
    } else {
      uint32_t candidate[kGroup];
      uint32_t empty = 0;
      candidate[0] = base;
      for (uint32_t k = 1; k < kGroup; ++k) candidate[k] = add_mod(base, c.skip[k - 1], m_);
      for (uint32_t k = 0; k < kGroup; ++k) {
        empty |= static_cast<uint32_t>(!occupancy_.taken(candidate[k])) << k;
      }
      if (empty != 0) return candidate[__builtin_ctz(empty)];
      base = candidate[kGroup - 1];
    }
    while (true) {  // terminates: M is prime, so the permutation visits every slot
      uint32_t candidate[kGroup];
      uint32_t empty = 0;
      for (uint32_t k = 0; k < kGroup; ++k) {
        candidate[k] = add_mod(base, c.skip[k], m_);
        empty |= static_cast<uint32_t>(!occupancy_.taken(candidate[k])) << k;
      }
      if (empty != 0) return candidate[__builtin_ctz(empty)];
      base = candidate[kGroup - 1];
    }
  }

  // Removes and returns the empty slot the walk would reach first. The
  // order of `empty` does not matter (the key breaks no ties: distinct slots
  // are distinct numbers of steps away), so removal swaps in the last one.
  uint32_t take_direct(Cursor &c, std::vector<uint32_t> &empty) {
    if (c.skip_inverse == 0) {
      c.skip_inverse = montgomery_.to_montgomery(inverse_mod(c.skip[0], m_));
    }
    const uint64_t m = m_, next = c.next, inverse = c.skip_inverse;
    const uint32_t *slots = empty.data();
    const size_t n = empty.size();
    uint64_t best = ~uint64_t{0};  // steps << 32 | index, minimised
    for (size_t k = 0; k < n; ++k) {
      uint64_t distance = slots[k] + m - next;
      distance = distance >= m ? distance - m : distance;
      const uint64_t key = montgomery_.mul(distance, inverse) << 32 | k;
      best = key < best ? key : best;
    }
    const auto index = static_cast<uint32_t>(best);
    const uint32_t slot = empty[index];
    empty[index] = empty.back();
    empty.pop_back();
    return slot;
  }

  uint32_t m_;
  Occupancy occupancy_;
  Montgomery montgomery_;  // unused when M = 2
  uint32_t *out_;
  std::vector<Cursor> cursors_;
};

}  // namespace maglb::maglev::detail

#endif  // MAGLB_CONTROLPLANE_MAGLEV_TABLE_FILLER_H
