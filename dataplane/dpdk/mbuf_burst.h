// Adapts DPDK mbuf bursts to the DPDK-free packet core.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

#include "worker.h"

namespace maglb::dpdk {

struct BurstResult {
  uint16_t n_tx;    // mbufs placed in tx[]: send on the RX port
  uint16_t n_pass;  // mbufs placed in pass[]: send to the kernel exception port
};

// Runs the pipeline on real mbufs: converts each to a core::Packet, runs
// core::process_burst, writes data_off/data_len/pkt_len back. Multi-segment
// mbufs are dropped and counted (rx_packets, rx_bytes, drop_bad_l2). Fills
// tx[] and pass[] (each with room for n mbufs) in input order and frees the
// dropped mbufs. tx/pass may not alias pkts.
BurstResult process_mbuf_burst(core::WorkerContext &ctx, const core::Snapshot &snap,
                               const core::NeighborTable &neigh, rte_mbuf **pkts, uint16_t n,
                               rte_mbuf **tx, rte_mbuf **pass, uint64_t now_ns);

}  // namespace maglb::dpdk
