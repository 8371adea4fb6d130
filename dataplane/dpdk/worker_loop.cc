#include "worker_loop.h"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "mbuf_burst.h"
#include "neighbor_packets.h"

namespace maglb::dpdk {

namespace {

uint64_t tsc_to_ns(uint64_t tsc, uint64_t ns_per_tsc_q32) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(tsc) * ns_per_tsc_q32) >> 32);
}

// Frames from the control thread (ARP/ND replies and probes, the kernel's
// traffic from the TAP). Sent directly rather than through the TX buffer so
// that a refusal is not counted as a pipeline drop: these were never
// received, and the counter invariant covers received frames only.
void send_injected(Worker &w) {
  rte_mbuf *pkts[kBurst];
  unsigned n = rte_ring_dequeue_burst(w.inject, reinterpret_cast<void **>(pkts), kBurst, nullptr);
  if (n == 0) return;
  uint16_t sent = rte_eth_tx_burst(w.port_id, w.queue_id, pkts, static_cast<uint16_t>(n));
  w.engine.injected_tx += sent;
  if (sent < n) {
    w.engine.injected_dropped += n - sent;
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  }
}

// PASS frames: ARP and neighbour discovery also go to the control thread
// (it answers for the dataplane's own addresses and learns next hops), with
// a second reference so the kernel still gets the frame for its own
// neighbour cache. The rest of the slow path is one rte_eth_tx_burst to the
// exception port; refused frames move from pass_to_kernel to drop_tx_full.
void send_to_kernel(Worker &w, rte_mbuf **pass, uint16_t n) {
  for (uint16_t i = 0; i < n; i++) {
    rte_mbuf *m = pass[i];
    if (!is_neighbor_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len)) continue;
    if (w.has_exception_port) rte_mbuf_refcnt_update(m, 1);
    if (rte_ring_mp_enqueue(w.to_control, m) == 0) {
      w.engine.neighbor_to_control++;
    } else {
      w.engine.neighbor_ring_full++;
      if (w.has_exception_port)
        rte_mbuf_refcnt_update(m, -1);
      else
        rte_pktmbuf_free(m);
    }
    if (!w.has_exception_port) pass[i] = nullptr;  // owned by the ring (or freed) now
  }
  if (!w.has_exception_port) {
    // No kernel to give them to: counted as passed by the pipeline, then discarded.
    for (uint16_t i = 0; i < n; i++) {
      if (pass[i] != nullptr) rte_pktmbuf_free(pass[i]);
    }
    return;
  }
  uint16_t sent = rte_eth_tx_burst(w.exception_port_id, w.exception_queue_id, pass, n);
  if (sent < n) {
    uint16_t unsent = static_cast<uint16_t>(n - sent);
    rte_pktmbuf_free_bulk(pass + sent, unsent);
    w.ctx.counters.v[MAGLB_C_PASS_TO_KERNEL] -= unsent;
    w.ctx.counters.v[MAGLB_C_DROP_TX_FULL] += unsent;
  }
}

}  // namespace

void count_unsent_tx(Worker &w, rte_mbuf **unsent, uint16_t count) {
  rte_pktmbuf_free_bulk(unsent, count);
  // The pipeline counted these as tx_forwarded (or, rarely, as
  // tx_icmp_generated: the adapter does not say which, so an ICMP reply
  // refused by the NIC is booked against tx_forwarded).
  w.ctx.counters.v[MAGLB_C_TX_FORWARDED] -= count;
  w.ctx.counters.v[MAGLB_C_DROP_TX_FULL] += count;
}

int worker_main(void *arg) {
  Worker &w = *static_cast<Worker *>(arg);
  const SharedState &s = *w.shared;
  rte_mbuf *rx[kBurst], *tx[kBurst], *pass[kBurst];

  // Online before the first load(): from here on every grace period the
  // control thread starts waits for this lcore (see rte_rcu_qsbr.h).
  rte_rcu_qsbr_thread_online(s.qsbr, w.rcu_id);
  while (!__atomic_load_n(&s.stop, __ATOMIC_RELAXED)) {
    w.engine.loops++;
    const uint64_t tsc = rte_rdtsc();
    if (w.inject != nullptr) send_injected(w);

    uint16_t n = 0;
    if (__atomic_load_n(&s.rx_enabled, __ATOMIC_RELAXED)) {
      n = rte_eth_rx_burst(w.port_id, w.queue_id, rx, kBurst);
    }
    if (n > 0) {
      // One load of each pointer per burst: the whole burst sees one table
      // and one neighbour set, valid until the quiescent report below.
      const core::Snapshot *snap = s.snapshot.load();
      const core::NeighborTable *neigh = s.neighbors.load();
      BurstResult r = process_mbuf_burst(w.ctx, *snap, *neigh, rx, n, tx, pass,
                                         tsc_to_ns(tsc, s.ns_per_tsc_q32));
      // The burst's frames in one rte_eth_tx_burst, nothing held back: an
      // rte_eth_tx_buffer per frame and the drain timer cost about 15
      // cycles a packet (bench_pcap, 10k flows: 141 -> 126 back to back).
      if (r.n_tx > 0) {
        const uint16_t sent = rte_eth_tx_burst(w.port_id, w.queue_id, tx, r.n_tx);
        if (sent < r.n_tx) count_unsent_tx(w, tx + sent, static_cast<uint16_t>(r.n_tx - sent));
      }
      if (r.n_pass > 0) send_to_kernel(w, pass, r.n_pass);
    }
    // Nothing loaded above is used after this point.
    rte_rcu_qsbr_quiescent(s.qsbr, w.rcu_id);
  }
  rte_rcu_qsbr_thread_offline(s.qsbr, w.rcu_id);
  return 0;
}

}  // namespace maglb::dpdk
