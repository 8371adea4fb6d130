#include "mbuf_burst.h"

namespace maglb::dpdk {

BurstResult process_mbuf_burst(core::WorkerContext &ctx, const core::Snapshot &snap,
                               const core::NeighborTable &neigh, rte_mbuf **pkts, uint16_t n,
                               rte_mbuf **tx, rte_mbuf **pass, uint64_t now_ns) {
  BurstResult res{0, 0};
  while (n > 0) {
    const uint16_t chunk = n < core::kMaxBurst ? n : core::kMaxBurst;
    core::Packet pk[core::kMaxBurst];
    core::Verdict verdicts[core::kMaxBurst];
    rte_mbuf *m[core::kMaxBurst];
    uint16_t k = 0;
    for (uint16_t i = 0; i < chunk; ++i) {
      rte_mbuf *mb = pkts[i];
      if (mb->nb_segs != 1) {
        // The core needs one contiguous frame; a chained mbuf (jumbo RX
        // scatter) is counted like any malformed frame and freed.
        ctx.counters.v[MAGLB_C_RX_PACKETS]++;
        ctx.counters.v[MAGLB_C_RX_BYTES] += rte_pktmbuf_pkt_len(mb);
        ctx.counters.v[MAGLB_C_DROP_BAD_L2]++;
        rte_pktmbuf_free(mb);
        continue;
      }
      m[k] = mb;
      pk[k].data = rte_pktmbuf_mtod(mb, uint8_t *);
      pk[k].len = rte_pktmbuf_data_len(mb);
      pk[k].headroom = rte_pktmbuf_headroom(mb);
      pk[k].tailroom = rte_pktmbuf_tailroom(mb);
      ++k;
    }
    core::process_burst(ctx, snap, neigh, pk, verdicts, k, now_ns);
    for (uint16_t i = 0; i < k; ++i) {
      rte_mbuf *mb = m[i];
      switch (verdicts[i]) {
        case core::Verdict::Tx:
          mb->data_off = static_cast<uint16_t>(pk[i].data - static_cast<uint8_t *>(mb->buf_addr));
          mb->data_len = pk[i].len;
          mb->pkt_len = pk[i].len;
          tx[res.n_tx++] = mb;
          break;
        case core::Verdict::Pass:
          pass[res.n_pass++] = mb;
          break;
        case core::Verdict::Drop:
          rte_pktmbuf_free(mb);
          break;
      }
    }
    pkts += chunk;
    n = static_cast<uint16_t>(n - chunk);
  }
  return res;
}

}  // namespace maglb::dpdk
