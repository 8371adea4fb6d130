// SPDX-License-Identifier: Apache-2.0
//
// Maglev table build benchmark (not a test; scripts/bench_maglev.sh runs it).
// For each table size M and backend count N it prints the median build time
// (the paper reports 1.8 ms and 22.9 ms at N = 1000 for M = 65537
// and 655373) and the share of slots that change owner when one backend
// leaves or joins, next to the ideal 1/N (section 3.4, "minimal
// disruption").
//
// Usage: maglev_bench [--runs K] [--sizes M,M,...] [--backends N,N,...]
//                     [--weights equal|cycle4|skewed]
//   cycle4: backend i has weight 1 + i % 4 (the round scan of the rule)
//   skewed: the first N/100 backends weigh 1000, the rest 1 (the heap)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "maglev_table.h"

namespace {

using maglb::maglev::Backend;

// Backend i (0-based) is 198.18.0.0 + i + 1 with id i + 1 (198.18.0.0/15 has
// room for 131070 of them).
enum class Weights { kEqual, kCycle4, kSkewed };

uint32_t weight_of(Weights weights, uint32_t i, uint32_t n) {
  switch (weights) {
    case Weights::kCycle4:
      return 1 + i % 4;
    case Weights::kSkewed:
      return i < std::max(1u, n / 100) ? 1000 : 1;
    case Weights::kEqual:
      break;
  }
  return 1;
}

Backend make_backend(uint32_t i, uint32_t weight = 1) {
  const uint32_t addr = (198u << 24 | 18u << 16) + i + 1;
  return {{static_cast<uint8_t>(addr >> 24), static_cast<uint8_t>(addr >> 16),
           static_cast<uint8_t>(addr >> 8), static_cast<uint8_t>(addr)},
          i + 1,
          weight};
}

std::vector<uint32_t> parse_list(std::string_view text) {
  std::vector<uint32_t> values;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    values.push_back(static_cast<uint32_t>(
        std::strtoul(std::string(text.substr(0, comma)).c_str(), nullptr, 10)));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return values;
}

bool build_or_report(const std::vector<Backend> &backends, uint32_t m, std::vector<uint32_t> &t) {
  const std::string err = maglb::maglev::build_table(backends, m, t);
  if (!err.empty()) std::fprintf(stderr, "maglev_bench: %s\n", err.c_str());
  return err.empty();
}

struct Timing {
  double median_ms;
  double min_ms;
};

// Median (what docs/benchmarks.md records) and minimum (how far the median
// is from the quietest run: other processes on the machine show up here).
Timing time_builds(const std::vector<Backend> &backends, uint32_t m, int runs) {
  std::vector<double> ms;
  std::vector<uint32_t> table;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (!build_or_report(backends, m, table)) return {-1, -1};
    const auto stop = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

size_t count_changed(const std::vector<uint32_t> &a, const std::vector<uint32_t> &b) {
  size_t changed = 0;
  for (size_t s = 0; s < a.size(); ++s) changed += a[s] != b[s];
  return changed;
}

}  // namespace

int main(int argc, char **argv) {
  int runs = 11;
  std::vector<uint32_t> sizes = {65537, 655373, 5000011};
  std::vector<uint32_t> counts = {10, 100, 1000, 5000};
  Weights weights = Weights::kEqual;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--sizes") {
      sizes = parse_list(argv[i + 1]);
    } else if (flag == "--backends") {
      counts = parse_list(argv[i + 1]);
    } else if (flag == "--weights" && std::string_view(argv[i + 1]) == "equal") {
      weights = Weights::kEqual;
    } else if (flag == "--weights" && std::string_view(argv[i + 1]) == "cycle4") {
      weights = Weights::kCycle4;
    } else if (flag == "--weights" && std::string_view(argv[i + 1]) == "skewed") {
      weights = Weights::kSkewed;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--runs K] [--sizes M,...] [--backends N,...] "
                   "[--weights equal|cycle4|skewed]\n",
                   argv[0]);
      return 2;
    }
  }

  std::printf(
      "| M | N | build ms: median of %d (min) | remove one: moved / M (ideal 1/N) | "
      "remove one: others' slots moved | add one: moved / M (ideal 1/(N+1)) | "
      "add one: others' slots moved |\n",
      runs);
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  for (uint32_t m : sizes) {
    for (uint32_t n : counts) {
      std::vector<Backend> backends;
      for (uint32_t i = 0; i < n; ++i)
        backends.push_back(make_backend(i, weight_of(weights, i, n)));
      const Timing t = time_builds(backends, m, runs);
      if (t.median_ms < 0) return 1;

      std::vector<uint32_t> base, removed, added;
      if (!build_or_report(backends, m, base)) return 1;
      // Remove the middle backend: its own slots must move; any other slot
      // that moves is the disruption the paper trades for balance.
      const uint32_t gone_id = backends[n / 2].id;
      std::vector<Backend> fewer = backends;
      fewer.erase(fewer.begin() + n / 2);
      if (!build_or_report(fewer, m, removed)) return 1;
      const size_t own = static_cast<size_t>(std::count(base.begin(), base.end(), gone_id));
      const size_t moved_removed = count_changed(base, removed);

      // Add one: the newcomer's slots must move; others' moves are extra.
      std::vector<Backend> more = backends;
      more.push_back(make_backend(n));
      if (!build_or_report(more, m, added)) return 1;
      const size_t gained = static_cast<size_t>(std::count(added.begin(), added.end(), n + 1));
      const size_t moved_added = count_changed(base, added);

      const auto pct = [](size_t part, size_t whole) {
        return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
      };
      std::printf(
          "| %u | %u | %.3f (%.3f) | %.3f%% (%.3f%%) | %.3f%% | %.3f%% (%.3f%%) | %.3f%% |\n", m, n,
          t.median_ms, t.min_ms, pct(moved_removed, m), 100.0 / n,
          pct(moved_removed - own, m - own), pct(moved_added, m), 100.0 / (n + 1),
          pct(moved_added - gained, m - gained));
    }
  }
  return 0;
}
