// SPDX-License-Identifier: Apache-2.0
//
// The turn orders of the Maglev population (docs/maglev.md, "Weights"): who
// takes the next turn. TableFiller does the claiming.
#include "maglev_fill.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

#include "occupancy.h"
#include "table_filler.h"

namespace maglb::maglev::detail {
namespace {

uint64_t max_weight(std::span<const FillEntry> entries) {
  uint64_t w = 0;
  for (const FillEntry &e : entries) w = std::max<uint64_t>(w, e.weight);
  return w;
}

// All weights equal: the rule lets every entry take every round's turn.
class RoundRobin {
 public:
  explicit RoundRobin(size_t n) : n_(n) {}
  size_t operator()() {
    const size_t i = next_;
    next_ = next_ + 1 == n_ ? 0 : next_ + 1;
    return i;
  }

 private:
  size_t n_;
  size_t next_ = 0;
};

// The rule as written: in round r, entry i takes a turn iff
// turns_i * w_max < r * weight_i. A max-weight entry takes a turn every
// round, so r <= M < 2^23; with turns <= M and weights < 2^32 both products
// stay below 2^55.
class WeightedRounds {
 public:
  explicit WeightedRounds(std::span<const FillEntry> entries)
      : entries_(entries), w_max_(max_weight(entries)), turns_(entries.size(), 0) {}
  size_t operator()() {
    while (true) {
      const size_t i = next_;
      const bool turn = uint64_t{turns_[i]} * w_max_ < round_ * entries_[i].weight;
      if (++next_ == entries_.size()) {
        next_ = 0;
        ++round_;
      }
      if (turn) {
        ++turns_[i];
        return i;
      }
    }
  }

 private:
  std::span<const FillEntry> entries_;
  uint64_t w_max_;
  std::vector<uint32_t> turns_;
  size_t next_ = 0;
  uint64_t round_ = 1;
};

// The same turns from a min-heap of (round of the entry's next turn) << 32 |
// position: rounds first, then positions within a round, as the scan takes
// them. After its t-th turn, turns * w_max < r * weight first holds again
// in round floor(t * w_max / weight) + 1, a later round as weight <= w_max.
class WeightedSchedule {
 public:
  explicit WeightedSchedule(std::span<const FillEntry> entries)
      : entries_(entries), w_max_(max_weight(entries)), turns_(entries.size(), 0) {
    std::vector<uint64_t> keys;
    keys.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) keys.push_back(uint64_t{1} << 32 | i);
    heap_ = Heap(std::greater<>(), std::move(keys));
  }
  size_t operator()() {
    const auto i = static_cast<uint32_t>(heap_.top());
    heap_.pop();
    const uint64_t turns = ++turns_[i];
    heap_.push((turns * w_max_ / entries_[i].weight + 1) << 32 | i);
    return i;
  }

 private:
  using Heap = std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>>;
  std::span<const FillEntry> entries_;
  uint64_t w_max_;
  std::vector<uint32_t> turns_;
  Heap heap_;
};

template <class NextTurn>
void fill_with(std::span<const FillEntry> entries, uint32_t table_size, std::vector<uint32_t> &out,
               NextTurn &next_turn) {
  if (table_size <= ByteOccupancy::kMaxSlots) {
    TableFiller<ByteOccupancy>(entries, table_size, out).run(next_turn);
  } else {
    TableFiller<BitOccupancy>(entries, table_size, out).run(next_turn);
  }
}

}  // namespace

void fill_by_rounds(std::span<const FillEntry> entries, uint32_t table_size,
                    std::vector<uint32_t> &out) {
  WeightedRounds turns(entries);
  fill_with(entries, table_size, out, turns);
}

void fill_by_schedule(std::span<const FillEntry> entries, uint32_t table_size,
                      std::vector<uint32_t> &out) {
  WeightedSchedule turns(entries);
  fill_with(entries, table_size, out, turns);
}

void fill(std::span<const FillEntry> entries, uint32_t table_size, std::vector<uint32_t> &out) {
  const uint64_t w_max = max_weight(entries);
  uint64_t w_sum = 0;
  for (const FillEntry &e : entries) w_sum += e.weight;
  if (entries.size() * w_max == w_sum) {
    RoundRobin turns(entries.size());
    fill_with(entries, table_size, out, turns);
  } else if (entries.size() * w_max <= 4 * w_sum) {
    // The scan visits N * w_max / sum(w) entries per turn: cheap while that
    // is a few; beyond, the heap's log N per turn wins.
    fill_by_rounds(entries, table_size, out);
  } else {
    fill_by_schedule(entries, table_size, out);
  }
}

}  // namespace maglb::maglev::detail
