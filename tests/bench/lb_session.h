// maglb's engine on a fresh net_ring port with the benchmark's table
// installed and its flows established: the starting point of every
// in-process benchmark mode, and the counters they read from GET_STATS.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_stats.h"
#include "bench_traffic.h"
#include "ring_harness.h"

namespace maglb::bench {

// Frames of client flows 0..flows-1 in turn, from `*next` (wraps).
Fill cycling_flows(const FrameTemplate &frame, uint64_t flows, uint64_t *next);

class LbSession {
 public:
  LbSession();
  ~LbSession();
  // Port with an RX ring of `rx_slots`, engine, table generation 1 (the
  // 1000 default backends).
  bool start(unsigned rx_slots, uint32_t flows_per_core, uint16_t frame_size, std::string *error);
  // Sends one frame of every flow 0..flows-1 and waits until the engine
  // has counted each as new (every flow then has a flow-table entry).
  bool establish(uint64_t flows, std::string *error);
  std::optional<Totals> totals();
  void stop();

  Pump &pump() { return *pump_; }
  EngineUnderTest &engine() { return engine_; }
  const BenchTable &table() const { return table_; }
  const FrameTemplate &ack() const { return ack_; }

 private:
  // Declared so that destruction stops the engine before the port goes.
  std::unique_ptr<RingPort> port_;
  EngineUnderTest engine_;
  std::unique_ptr<Pump> pump_;
  BenchTable table_;
  FrameTemplate ack_{kMinFrame, 0x10};
};

}  // namespace maglb::bench
