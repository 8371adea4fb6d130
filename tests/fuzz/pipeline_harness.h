// What the packet and snapshot fuzzers share: frames placed in heap buffers
// of exactly headroom + len + tailroom bytes (so AddressSanitizer catches
// any access outside them), one burst through the core pipeline, and the
// checks every burst must pass whatever the input.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "neighbors.h"
#include "snapshot.h"
#include "worker.h"

namespace maglb::fuzz {

struct Frame {
  std::vector<uint8_t> bytes;  // the frame
  uint16_t headroom = 128;
  uint16_t tailroom = 128;
};

// A worker context with a small flow table, so a fuzz input of a few
// dozen frames already exercises eviction. Aborts on failure (harness).
std::unique_ptr<core::WorkerContext> small_worker(size_t flow_capacity = 64);

// Runs `frames` as one burst (split at core::kMaxBurst by the caller's
// choice of size) and aborts on any broken promise of process_burst:
//   - every packet counted once: rx_packets grows by n and the outcome
//     counters (docs/robustness.md, "Counter invariants") by n in total;
//   - a Tx packet's rewritten frame stays inside its buffer;
//   - Pass and Drop packets are unchanged, byte for byte;
//   - Pass frames go through the DPDK engine's neighbour parser, as the
//     worker loop does with frames it hands to the control thread.
void run_burst(core::WorkerContext &ctx, const core::Snapshot &snap,
               const core::NeighborTable &neigh, const std::vector<Frame> &frames, uint64_t now_ns);

}  // namespace maglb::fuzz
