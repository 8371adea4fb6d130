#include "core_runner.h"

#include <cstdlib>
#include <cstring>

namespace maglb::fixtures {

FrameBuffer::FrameBuffer(const std::vector<uint8_t> &frame, uint16_t headroom) {
  const size_t tail = 2048;
  storage.assign(headroom + frame.size() + tail, 0xee);
  // An empty vector's data() may be null: memcpy from it is undefined even
  // for 0 bytes (fuzz_xdp_parity runs empty frames).
  if (!frame.empty()) std::memcpy(storage.data() + headroom, frame.data(), frame.size());
  packet.data = storage.data() + headroom;
  packet.len = static_cast<uint16_t>(frame.size());
  packet.headroom = headroom;
  packet.tailroom = static_cast<uint16_t>(tail);
}

std::unique_ptr<core::NeighborTable> fixture_neighbors() {
  const FixtureNet &n = fixture_net();
  std::vector<core::NeighborEntry> all = n.hosts;
  all.insert(all.end(), n.gateways.begin(), n.gateways.end());
  std::string err;
  auto t = core::NeighborTable::build(n.port_mac, n.onlink, all, n.gateways, &err);
  if (!t) {
    std::fprintf(stderr, "fixture neighbor table: %s\n", err.c_str());
    std::abort();
  }
  return t;
}

namespace {

std::unique_ptr<core::Snapshot> load(const std::vector<uint8_t> &blob) {
  std::string err;
  auto s = core::Snapshot::from_blob(blob, &err);
  if (!s) {
    std::fprintf(stderr, "fixture snapshot rejected: %s\n", err.c_str());
    std::abort();
  }
  return s;
}

}  // namespace

CoreRun run_fixture_on_core(const Fixture &f) {
  static const auto snap = load(fixture_snapshot_blob());
  static const auto neigh = fixture_neighbors();
  auto ctx = std::make_unique<core::WorkerContext>();
  std::string err;
  if (!ctx->init(4096, &err)) {
    std::fprintf(stderr, "worker init: %s\n", err.c_str());
    std::abort();
  }
  std::unique_ptr<core::Snapshot> warm_snap;
  if (!f.warmup_blob.empty()) warm_snap = load(f.warmup_blob);
  for (const auto &w : f.warmup) {
    FrameBuffer fb(w);
    core::Verdict v;
    core::process_burst(*ctx, warm_snap ? *warm_snap : *snap, *neigh, &fb.packet, &v, 1,
                        kFixtureNowNs);
  }
  ctx->counters = maglb_counters{};
  FrameBuffer fb(f.input);
  CoreRun r{};
  core::process_burst(*ctx, *snap, *neigh, &fb.packet, &r.verdict, 1, kFixtureNowNs);
  r.output = fb.bytes();
  r.counters = ctx->counters;
  return r;
}

}  // namespace maglb::fixtures
