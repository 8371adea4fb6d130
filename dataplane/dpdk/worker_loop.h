// The worker lcore: the l3fwd loop shape around the packet core. One Worker
// per RX queue, each on its own lcore, touching only its own Worker and the
// read-only SharedState; nothing shared is written on the packet path.
#pragma once

#include <cstdint>

#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "neighbors.h"
#include "rcu_published.h"
#include "snapshot.h"
#include "worker.h"

namespace maglb::dpdk {

inline constexpr uint16_t kBurst = 32;

// Written by the control thread (stop, rx_enabled, the two pointers), read
// by every worker.
struct SharedState {
  RcuPublished<core::Snapshot> snapshot;
  RcuPublished<core::NeighborTable> neighbors;
  rte_rcu_qsbr *qsbr = nullptr;
  uint64_t ns_per_tsc_q32 = 0;    // nanoseconds per TSC cycle, 32.32 fixed point
  alignas(64) bool stop = false;  // __atomic: loop exit
  bool rx_enabled = true;         // __atomic: false until the first table (--wait-for-table)
};

// Engine counters that the ABI's counter list does not carry (they are not
// packet outcomes of the pipeline). Written only by the owning worker.
struct WorkerEngineCounters {
  uint64_t loops = 0;
  uint64_t injected_tx = 0;          // control-thread frames sent (ARP/ND, kernel's TAP traffic)
  uint64_t injected_dropped = 0;     // ... that the TX queue refused
  uint64_t neighbor_to_control = 0;  // ARP/ND frames handed to the control thread
  uint64_t neighbor_ring_full = 0;   // ... lost because its ring was full
};

struct alignas(64) Worker {
  core::WorkerContext ctx;
  WorkerEngineCounters engine{};
  const SharedState *shared = nullptr;
  unsigned lcore_id = 0;
  unsigned rcu_id = 0;  // thread id in the QSBR variable (= worker index)
  uint16_t port_id = 0;
  uint16_t queue_id = 0;  // RX and TX queue of this worker
  bool has_exception_port = false;
  uint16_t exception_port_id = 0;
  uint16_t exception_queue_id = 0;
  rte_ring *to_control = nullptr;  // ARP/ND frames for the control thread (multi-producer)
  rte_ring *inject = nullptr;      // frames to send on the port (worker 0 only, else null)
};

// rte_eal_remote_launch entry point; arg is a Worker*. Returns 0 after
// SharedState::stop, having gone offline in RCU.
int worker_main(void *arg);

// Frames the port's TX queue refused: freed and moved from tx_forwarded
// to drop_tx_full, keeping the counter invariant.
void count_unsent_tx(Worker &w, rte_mbuf **unsent, uint16_t count);

}  // namespace maglb::dpdk
