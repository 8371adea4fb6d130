// Fuzzer: any sequence of frames through the whole packet pipeline (parse,
// VIP match, flow table, Maglev lookup, encapsulation / ICMP replies) on
// the fixture snapshot of tests/packets, plus the DPDK engine's ARP/ND
// parser on every frame the pipeline passes. See pipeline_harness.h for
// what is checked beyond "no crash, no sanitizer report".
//
// Input format (docs/robustness.md): byte 0 = burst size - 1 (low 5 bits),
// byte 1 = clock step per burst in 100 ms units, then records of
//   u16 length (little-endian) | u8 room | length bytes
// where room's high nibble * 16 is the headroom and its low nibble * 32 the
// tailroom. A short last record takes what is left.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core_runner.h"
#include "fixtures.h"
#include "pipeline_harness.h"

using namespace maglb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const auto snap = [] {
    std::string err;
    auto s = core::Snapshot::from_blob(fixtures::fixture_snapshot_blob(), &err);
    if (!s) __builtin_trap();
    return s;
  }();
  static const auto neigh = fixtures::fixture_neighbors();
  if (size < 2) return 0;
  const size_t burst = 1 + (data[0] & 31);
  const uint64_t step_ns = uint64_t{data[1]} * 100'000'000ull;
  size_t at = 2;

  // One context for every input (a fresh one zeroes 4 MB of per-backend
  // state: 50x slower); emptying the flow table makes each input replay
  // the same way alone.
  static const auto ctx = fuzz::small_worker();
  ctx->flows.clear();
  uint64_t now = fixtures::kFixtureNowNs;
  std::vector<fuzz::Frame> frames;
  while (at + 3 <= size) {
    const size_t want = data[at] | (size_t{data[at + 1]} << 8);
    const uint8_t room = data[at + 2];
    at += 3;
    const size_t len = std::min({want, size - at, size_t{9000}});
    fuzz::Frame f;
    f.bytes.assign(data + at, data + at + len);
    f.headroom = static_cast<uint16_t>((room >> 4) * 16);
    f.tailroom = static_cast<uint16_t>((room & 15) * 32);
    at += len;
    frames.push_back(std::move(f));
    if (frames.size() == burst) {
      fuzz::run_burst(*ctx, *snap, *neigh, frames, now);
      frames.clear();
      now += step_ns;
    }
  }
  if (!frames.empty()) fuzz::run_burst(*ctx, *snap, *neigh, frames, now);
  return 0;
}
