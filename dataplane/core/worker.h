// The per-lcore state of one worker and the burst pipeline that runs on it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "flow_table.h"
#include "maglb_abi.h"
#include "neighbors.h"
#include "packet.h"
#include "snapshot.h"

namespace maglb::core {

// Largest burst process_burst handles in one pass; longer bursts are cut
// into passes of this size (the stage arrays live on the stack).
inline constexpr uint16_t kMaxBurst = 64;

// One per worker lcore, written only by that lcore. Readers on other
// threads (stats) read the plain u64s and accept torn-free-but-stale values
// (64-bit aligned loads are atomic on every target).
struct alignas(64) WorkerContext {
  maglb_counters counters{};
  FlowTable flows;
  maglb_traffic_stats vip_stats[MAGLB_MAX_VIPS]{};  // by meta.vip_index
  // By backend index of the snapshot named by backend_stats_generation
  // (MAGLB_MAX_BACKENDS entries). When a burst runs on a snapshot with
  // another generation, the worker first re-indexes the counts by backend
  // id (ids absent from the new snapshot are dropped, new ids start at 0),
  // so each backend's counts are cumulative across table changes.
  maglb_traffic_stats *backend_stats = nullptr;
  uint64_t backend_stats_generation = 0;
  uint32_t *backend_stats_ids = nullptr;  // id of backend_stats[i] (same indexing)
  uint32_t backend_stats_count = 0;       // entries in use

  // Allocates the flow table (flow_capacity flows) and the backend stats.
  // Start-up only; returns false with *error set on failure.
  bool init(size_t flow_capacity, std::string *error);

  // ---- internal to the pipeline (worker.cc, pipeline.cc) ----
  // Re-indexes backend_stats for `snap` if it is not the snapshot they
  // were last indexed for.
  void follow_snapshot(const Snapshot &snap);
  // Next-hop MAC per backend index, valid while (snapshot, neighbor table)
  // stay the same: one L1/L2 hit instead of a prefix scan and a hash probe.
  struct NextHop {
    uint32_t epoch;  // == next_hop_epoch_ when valid
    uint8_t mac[6];
    uint8_t resolved;
    uint8_t pad;
  };
  // The hit is inline (one epoch compare per packet; callgrind: the call
  // and its reloads were 28 instructions a packet); a miss resolves out of line.
  const uint8_t *next_hop(const Snapshot &snap, const NeighborTable &neigh,
                          uint32_t backend_index) {
    const NextHop &h = next_hop_cache_[backend_index];
    if (h.epoch == next_hop_epoch_) [[likely]]
      return h.resolved ? h.mac : nullptr;
    return next_hop_fill(snap, neigh, backend_index);
  }
  const uint8_t *next_hop_fill(const Snapshot &snap, const NeighborTable &neigh,
                               uint32_t backend_index);
  void follow_neighbors(const Snapshot &snap, const NeighborTable &neigh);

  std::unique_ptr<maglb_traffic_stats[]> backend_stats_storage_;
  std::unique_ptr<maglb_traffic_stats[]> backend_stats_scratch_;
  std::unique_ptr<uint32_t[]> backend_stats_ids_storage_;
  std::unique_ptr<uint32_t[]> backend_stats_ids_scratch_;
  const Snapshot *backend_stats_snapshot_ = nullptr;
  std::unique_ptr<NextHop[]> next_hop_cache_;
  uint32_t next_hop_epoch_ = 1;
  const Snapshot *next_hop_snapshot_ = nullptr;
  uint64_t next_hop_generation_ = 0;
  uint64_t next_hop_neigh_version_ = 0;
};

// Runs the forwarding pipeline of docs/forwarding.md over a burst, in
// stages (parse all, hash and prefetch flow buckets, prefetch entries,
// look up / insert, rewrite). verdicts[i] is the verdict of pkts[i]; Tx
// packets have been rewritten in place (data/len/headroom/tailroom
// updated), Pass and Drop packets are unchanged. now_ns: monotonic time of
// the burst. No allocation, lock, log or exception.
void process_burst(WorkerContext &ctx, const Snapshot &snap, const NeighborTable &neigh,
                   Packet *pkts, Verdict *verdicts, uint16_t n, uint64_t now_ns);

}  // namespace maglb::core
