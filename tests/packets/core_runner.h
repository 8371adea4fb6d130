// Runs fixtures through the DPDK-free core (process_burst on plain
// buffers): used by core_fixtures_test and by unit tests of the pipeline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fixtures.h"
#include "worker.h"

namespace maglb::fixtures {

struct CoreRun {
  core::Verdict verdict;
  std::vector<uint8_t> output;  // frame after the run (Tx: rewritten; else unchanged)
  maglb_counters counters;      // deltas of the input alone
};

// A frame in a buffer with kFixtureHeadroom bytes before it and enough
// room after it for any reply.
struct FrameBuffer {
  explicit FrameBuffer(const std::vector<uint8_t> &frame, uint16_t headroom = kFixtureHeadroom);
  core::Packet packet;
  std::vector<uint8_t> storage;
  std::vector<uint8_t> bytes() const { return {packet.data, packet.data + packet.len}; }
};

std::unique_ptr<core::NeighborTable> fixture_neighbors();

// Runs one fixture against a fresh worker context: warmup frames first
// (their counters are discarded), then the input.
CoreRun run_fixture_on_core(const Fixture &f);

}  // namespace maglb::fixtures
