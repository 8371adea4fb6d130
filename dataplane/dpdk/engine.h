// The DPDK dataplane process around the packet core: ports and queues,
// worker lcores, RCU publication of snapshots and neighbour tables, the
// control socket, ARP/ND and the exception (kernel) path. docs/dataplane.md
// describes the threads and the protocol.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "control_server.h"
#include "neighbor_resolver.h"
#include "options.h"
#include "worker_loop.h"

namespace maglb::dpdk {

class Engine final : public ControlHandler {
 public:
  Engine() = default;
  ~Engine() override;
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  // Brings everything up (EAL must be initialised) and launches the workers.
  // Returns false with a message on any failure; what was started is torn
  // down by shutdown() / the destructor.
  bool start(const DataplaneOptions &options, std::string *error);
  // The control loop, on the calling thread, until request_stop().
  void run();
  // Async-signal-safe: only sets a flag that run() polls.
  void request_stop() { __atomic_store_n(&stop_requested_, true, __ATOMIC_RELAXED); }
  // Stops and joins the workers, stops the ports, removes the socket.
  // Idempotent; call after run() has returned.
  void shutdown();

  ControlResponse handle(uint16_t type, std::span<const uint8_t> payload) override;

  // The GET_STATS document (docs/dataplane.md).
  std::string stats_json() const;
  uint64_t generation() const;
  uint16_t workers() const { return static_cast<uint16_t>(workers_.size()); }

 private:
  struct ControlCounters {
    uint64_t installs = 0, installs_invalid = 0, installs_stale = 0;
    uint64_t interface_sets = 0, interface_invalid = 0;
    uint64_t neighbor_tables = 0;   // NeighborTable publications
    uint64_t exception_rx = 0;      // frames from the kernel sent towards the port
    uint64_t inject_ring_full = 0;  // frames lost because worker 0's inject ring was full
    uint64_t mbuf_alloc_failed = 0;
  };

  ControlResponse install_snapshot(std::span<const uint8_t> blob);
  ControlResponse set_interface(std::span<const uint8_t> json);
  bool publish_neighbors(std::string *error);
  void poll_exception_port();
  bool poll_neighbor_frames(uint64_t now_ns);
  void send_outgoing();
  void inject(rte_mbuf **pkts, unsigned n);
  void print_stats();

  DataplaneOptions options_;
  bool started_ = false;
  bool stop_requested_ = false;
  uint16_t port_id_ = 0;
  bool port_started_ = false;
  bool has_exception_port_ = false;
  bool exception_has_rx_ = false;
  uint16_t exception_port_id_ = 0;
  MacAddr port_mac_{};
  rte_mempool *pool_ = nullptr;
  rte_ring *to_control_ = nullptr;
  rte_ring *inject_ = nullptr;
  rte_rcu_qsbr *qsbr_ = nullptr;
  SharedState shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool workers_launched_ = false;
  std::unique_ptr<NeighborResolver> resolver_;
  std::unique_ptr<ControlServer> server_;
  ControlCounters control_;
  uint64_t last_stats_print_ns_ = 0;
};

// Nanoseconds of CLOCK_MONOTONIC (the control thread's clock).
uint64_t monotonic_ns();

}  // namespace maglb::dpdk
