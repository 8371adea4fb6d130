#include "worker.h"

#include <cstring>
#include <new>

namespace maglb::core {

bool WorkerContext::init(size_t flow_capacity, std::string *error) {
  if (!flows.init(flow_capacity, error)) return false;
  backend_stats_storage_.reset(new (std::nothrow) maglb_traffic_stats[MAGLB_MAX_BACKENDS]());
  backend_stats_scratch_.reset(new (std::nothrow) maglb_traffic_stats[MAGLB_MAX_BACKENDS]());
  backend_stats_ids_storage_.reset(new (std::nothrow) uint32_t[MAGLB_MAX_BACKENDS]());
  backend_stats_ids_scratch_.reset(new (std::nothrow) uint32_t[MAGLB_MAX_BACKENDS]());
  next_hop_cache_.reset(new (std::nothrow) NextHop[MAGLB_MAX_BACKENDS]());
  if (!backend_stats_storage_ || !backend_stats_scratch_ || !backend_stats_ids_storage_ ||
      !backend_stats_ids_scratch_ || !next_hop_cache_) {
    if (error) *error = "worker context: out of memory for per-backend state";
    return false;
  }
  backend_stats = backend_stats_storage_.get();
  backend_stats_ids = backend_stats_ids_storage_.get();
  backend_stats_count = 0;
  backend_stats_generation = 0;
  backend_stats_snapshot_ = nullptr;
  next_hop_snapshot_ = nullptr;
  return true;
}

void WorkerContext::follow_snapshot(const Snapshot &snap) {
  if (backend_stats_snapshot_ == &snap && backend_stats_generation == snap.generation()) return;
  // Both id lists are sorted (snapshot backends are sorted by id): one merge
  // walk carries every surviving backend's counts to its new index.
  const auto backends = snap.backends();
  maglb_traffic_stats *out = backend_stats_scratch_.get();
  uint32_t *out_ids = backend_stats_ids_scratch_.get();
  uint32_t j = 0;
  for (uint32_t i = 0; i < backends.size(); ++i) {
    const uint32_t id = backends[i].id;
    while (j < backend_stats_count && backend_stats_ids[j] < id) ++j;
    out_ids[i] = id;
    if (j < backend_stats_count && backend_stats_ids[j] == id)
      out[i] = backend_stats[j];
    else
      out[i] = maglb_traffic_stats{};
  }
  backend_stats_storage_.swap(backend_stats_scratch_);
  backend_stats_ids_storage_.swap(backend_stats_ids_scratch_);
  backend_stats = backend_stats_storage_.get();
  backend_stats_ids = backend_stats_ids_storage_.get();
  backend_stats_count = static_cast<uint32_t>(backends.size());
  backend_stats_generation = snap.generation();
  backend_stats_snapshot_ = &snap;
}

void WorkerContext::follow_neighbors(const Snapshot &snap, const NeighborTable &neigh) {
  if (next_hop_snapshot_ == &snap && next_hop_generation_ == snap.generation() &&
      next_hop_neigh_version_ == neigh.version())
    return;
  next_hop_snapshot_ = &snap;
  next_hop_generation_ = snap.generation();
  next_hop_neigh_version_ = neigh.version();
  if (++next_hop_epoch_ == 0) {
    // Wrapped: old entries could look valid again.
    std::memset(next_hop_cache_.get(), 0, sizeof(NextHop) * MAGLB_MAX_BACKENDS);
    next_hop_epoch_ = 1;
  }
}

const uint8_t *WorkerContext::next_hop_fill(const Snapshot &snap, const NeighborTable &neigh,
                                            uint32_t backend_index) {
  NextHop &h = next_hop_cache_[backend_index];
  const maglb_backend &b = snap.backends()[backend_index];
  const uint8_t *mac = neigh.resolve(b.family, b.addr);
  h.resolved = mac != nullptr;
  if (mac) std::memcpy(h.mac, mac, 6);
  h.epoch = next_hop_epoch_;
  return h.resolved ? h.mac : nullptr;
}

}  // namespace maglb::core
