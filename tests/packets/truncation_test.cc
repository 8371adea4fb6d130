// Every prefix of every fixture input, parsed and run through the whole
// pipeline with the frame placed against an unmapped page: any read (or
// write) past the end of the frame faults.
#include <gtest/gtest.h>

#include "guarded_buffer.h"

#include <cstring>
#include <vector>

#include "core_runner.h"
#include "fixtures.h"
#include "parser.h"
#include "worker.h"

namespace maglb::core {
namespace {

using Bytes = std::vector<uint8_t>;
using fixtures::GuardedBuffer;

TEST(Parser, NoAccessPastTheFrameOnAnyTruncation) {
  std::string err;
  auto snap = Snapshot::from_blob(fixtures::fixture_snapshot_blob(), &err);
  ASSERT_TRUE(snap) << err;
  auto neigh = fixtures::fixture_neighbors();
  auto ctx = std::make_unique<WorkerContext>();
  ASSERT_TRUE(ctx->init(1024, &err)) << err;
  GuardedBuffer g;
  size_t runs = 0;
  for (const auto &f : fixtures::all_fixtures()) {
    const size_t step = f.input.size() > 200 ? 7 : 1;  // long frames: every 7th length
    for (size_t n = 0; n <= f.input.size(); n += step) {
      const Bytes frame(f.input.begin(), f.input.begin() + static_cast<long>(n));
      uint8_t *at = g.place(frame);
      Parsed p{};
      parse_frame(at, static_cast<uint16_t>(n), &p);
      Packet pk{at, static_cast<uint16_t>(n), 128, 0};
      Verdict v;
      process_burst(*ctx, *snap, *neigh, &pk, &v, 1, fixtures::kFixtureNowNs);
      ++runs;
    }
  }
  EXPECT_GT(runs, 2000u);
  // Every packet got exactly one outcome.
  const auto &c = ctx->counters.v;
  uint64_t outcomes = 0;
  for (int i = 0; i < MAGLB_C__COUNT; ++i)
    if (maglb_counter_kinds[i] != MAGLB_COUNTER_KIND_INFO) outcomes += c[i];
  EXPECT_EQ(outcomes, c[MAGLB_C_RX_PACKETS]);
  EXPECT_EQ(c[MAGLB_C_RX_PACKETS], runs);
}

}  // namespace
}  // namespace maglb::core
