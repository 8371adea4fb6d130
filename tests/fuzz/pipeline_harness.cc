#include "pipeline_harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "neighbor_packets.h"

namespace maglb::fuzz {

namespace {

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "fuzz harness: %s\n", what);
  std::abort();
}

uint64_t outcomes(const maglb_counters &c) {
  uint64_t sum = 0;
  for (int i = 0; i < MAGLB_C__COUNT; ++i)
    if (maglb_counter_kinds[i] != MAGLB_COUNTER_KIND_INFO) sum += c.v[i];
  return sum;
}

}  // namespace

std::unique_ptr<core::WorkerContext> small_worker(size_t flow_capacity) {
  auto ctx = std::make_unique<core::WorkerContext>();
  std::string err;
  if (!ctx->init(flow_capacity, &err)) fail(err.c_str());
  return ctx;
}

void run_burst(core::WorkerContext &ctx, const core::Snapshot &snap,
               const core::NeighborTable &neigh, const std::vector<Frame> &frames,
               uint64_t now_ns) {
  const size_t n = frames.size();
  if (n == 0 || n > core::kMaxBurst) fail("burst size out of range");
  // One exact-size heap allocation per frame: ASan's redzones sit right
  // before the headroom and right after the tailroom.
  std::vector<std::unique_ptr<uint8_t[]>> bufs(n);
  std::vector<size_t> sizes(n);
  std::vector<core::Packet> pkts(n);
  for (size_t i = 0; i < n; ++i) {
    const Frame &f = frames[i];
    sizes[i] = f.headroom + f.bytes.size() + f.tailroom;
    bufs[i] = std::make_unique<uint8_t[]>(sizes[i]);
    std::memset(bufs[i].get(), 0xee, sizes[i]);
    if (!f.bytes.empty()) std::memcpy(bufs[i].get() + f.headroom, f.bytes.data(), f.bytes.size());
    pkts[i] = core::Packet{bufs[i].get() + f.headroom, static_cast<uint16_t>(f.bytes.size()),
                           f.headroom, f.tailroom};
  }
  std::vector<core::Verdict> verdicts(n);
  const maglb_counters before = ctx.counters;
  core::process_burst(ctx, snap, neigh, pkts.data(), verdicts.data(), static_cast<uint16_t>(n),
                      now_ns);

  const uint64_t rx = ctx.counters.v[MAGLB_C_RX_PACKETS] - before.v[MAGLB_C_RX_PACKETS];
  if (rx != n) fail("rx_packets did not grow by the burst size");
  if (outcomes(ctx.counters) - outcomes(before) != n) fail("outcome counters != packets");

  for (size_t i = 0; i < n; ++i) {
    const core::Packet &p = pkts[i];
    const uint8_t *lo = bufs[i].get();
    const uint8_t *hi = lo + sizes[i];
    switch (verdicts[i]) {
      case core::Verdict::Tx:
        if (p.data < lo || p.data + p.len > hi) fail("Tx frame outside its buffer");
        if (static_cast<size_t>(p.data - lo) != p.headroom) fail("Tx headroom inconsistent");
        if (static_cast<size_t>(hi - (p.data + p.len)) != p.tailroom)
          fail("Tx tailroom inconsistent");
        break;
      case core::Verdict::Pass:
      case core::Verdict::Drop: {
        const Frame &f = frames[i];
        if (p.len != f.bytes.size() || p.data != lo + f.headroom ||
            (p.len && std::memcmp(p.data, f.bytes.data(), p.len) != 0))
          fail("Pass/Drop frame was modified");
        if (verdicts[i] == core::Verdict::Pass && dpdk::is_neighbor_frame(p.data, p.len)) {
          (void)dpdk::parse_neighbor_message(std::span<const uint8_t>(p.data, p.len));
        }
        break;
      }
      default:
        fail("unknown verdict");
    }
  }
}

}  // namespace maglb::fuzz
