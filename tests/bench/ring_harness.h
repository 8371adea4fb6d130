// The DPDK plumbing of the in-process benchmarks: the EAL, a net_ring port
// whose two rings this process fills and drains, maglb's engine on it (the
// same Engine and worker loop as maglb-dataplane), a macswap lcore in its
// place (the harness's ceiling), and the sender/receiver that pumps frames
// through either at a rate it controls.
//
// Cores: lcore 1 runs the forwarding loop (maglb's worker or macswap);
// lcore 0 runs the sender/receiver, and the engine's control thread (which
// sleeps in poll()) and any installer thread share it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dataplane_process.h"
#include "dpdk_client.h"

namespace maglb::dpdk {
class Engine;
}

namespace maglb::bench {

// rte_eal_init once per process with lcores 0-1 and hugepages.
bool init_eal(std::string *error);

// A net_ring ethdev over two fresh rings (the names are unique per call).
class RingPort {
 public:
  // rx_slots: the dataplane's RX ring (what a NIC's RX descriptors are);
  // tx_slots: its TX ring, large so the receiver's pauses never fill it.
  static std::unique_ptr<RingPort> create(unsigned rx_slots, unsigned tx_slots, std::string *error);
  ~RingPort();  // frees the frames left in the rings; the port must be closed
  uint16_t port_id() const { return port_; }
  rte_ring *to_dataplane() const { return rx_; }
  rte_ring *from_dataplane() const { return tx_; }

 private:
  rte_ring *rx_ = nullptr, *tx_ = nullptr;
  uint16_t port_ = 0;
};

// maglb's engine on a port, its control thread and a control client.
class EngineUnderTest {
 public:
  EngineUnderTest();
  ~EngineUnderTest();
  // Starts the engine and sends the benchmark's SET_INTERFACE.
  bool start(uint16_t port, uint32_t flows_per_core, std::string *error);
  void stop();  // idempotent
  dpdk_client::Client &client() { return *client_; }
  const std::string &socket_path() const { return socket_; }
  std::optional<nlohmann::json> stats();

 private:
  dpdk_test::TempDir dir_;
  std::string socket_;
  std::unique_ptr<dpdk::Engine> engine_;
  std::thread control_;
  std::unique_ptr<dpdk_client::Client> client_;
};

// testpmd's --forward-mode=macswap loop on lcore 1: receive a burst, swap
// the Ethernet addresses, send it back. What the harness delivers and
// absorbs at most.
class MacswapLcore {
 public:
  ~MacswapLcore();
  bool start(uint16_t port, rte_mempool *pool, std::string *error);
  void stop();  // idempotent; stops and closes the port

 private:
  static int loop(void *self);
  uint16_t port_ = 0;
  bool running_ = false;
  bool stop_ = false;  // __atomic
};

// Writes the frames of the next `n` packets into `m` (data room reset,
// data_len/pkt_len already set to the frame length).
using Fill = std::function<void(rte_mbuf **m, unsigned n)>;
// Sees every frame the dataplane sent before it is recycled.
using Check = std::function<void(rte_mbuf *const *m, unsigned n)>;

struct PumpResult {
  uint64_t offered = 0;        // frames the sender handed to the RX ring (paced: or tried to)
  uint64_t ring_full = 0;      // paced only: refused by the full RX ring (a NIC's rx_missed)
  uint64_t received = 0;       // frames the dataplane sent back (drain included)
  uint64_t in_window = 0;      // ... of which during the sending window
  uint64_t sender_late = 0;    // times the sender fell half a ring behind and skipped ahead
  double seconds = 0;          // the sending window
  uint64_t worker_cpu_ns = 0;  // lcore 1's CPU time over the window
  uint64_t sender_cpu_ns = 0;  // the sending thread's, same window
  uint64_t sends_refused = 0;  // unpaced: enqueue attempts the full RX ring refused entirely
  uint64_t no_frames = 0;      // loop turns without a free frame to send (all in flight)
  double rx_ring_fill = 0;     // mean share of the RX ring in use (sampled): ~1 = worker-bound

  double offered_mpps() const { return seconds > 0 ? offered / seconds / 1e6 : 0; }
  double received_mpps() const { return seconds > 0 ? in_window / seconds / 1e6 : 0; }
  uint64_t lost() const { return offered > received ? offered - received : 0; }
};

// The frames the sender circulates (one pool for the whole process: the
// ports' rings hand frames back to it when they are freed).
rte_mempool *frame_pool(std::string *error);

class Pump {
 public:
  Pump(const RingPort &port, rte_mempool *pool, uint16_t frame_len);
  ~Pump();  // returns its frames to the pool

  // Sends for `seconds` (or until `max_packets` were sent, if not 0).
  // rate_pps 0: whenever the RX ring has room (back-pressure, nothing is
  // lost); otherwise paced from the TSC, in bursts of at most 32 (a
  // backlog of up to half the ring after the sender lost its core), and a
  // frame the full ring refuses is lost. Afterwards receives until every
  // frame has come back or none came for 200 ms (the dataplane dropped it).
  PumpResult run(double seconds, double rate_pps, const Fill &fill, const Check &check,
                 uint64_t max_packets = 0);

 private:
  unsigned take(rte_mbuf **m, unsigned n);
  unsigned receive(const Check &check);

  rte_ring *to_dp_, *from_dp_;
  uint16_t frame_len_;
  rte_mempool *pool_ = nullptr;
  std::vector<rte_mbuf *> free_;
  pid_t worker_tid_ = 0;
};

double tsc_hz();

}  // namespace maglb::bench
