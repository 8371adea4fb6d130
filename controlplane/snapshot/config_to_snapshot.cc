#include "config_to_snapshot.h"

#include <arpa/inet.h>

#include <cstring>

namespace maglb::snapshot {

maglb_vip_key vip_key_of(const config::VipConfig &vip) {
  maglb_vip_key k{};
  std::memcpy(k.addr, vip.address.bytes.data(), 16);
  k.port = htons(vip.port);
  k.proto = static_cast<uint8_t>(vip.protocol);
  k.family = vip.address.family;
  return k;
}

SnapshotInput snapshot_input_of(const config::Config &cfg, uint64_t generation,
                                const WeightFn &weight) {
  SnapshotInput in;
  in.generation = generation;
  in.params = config::to_dp_params(cfg.dataplane);
  in.vips.reserve(cfg.vips.size());
  for (size_t v = 0; v < cfg.vips.size(); ++v) {
    const config::VipConfig &vc = cfg.vips[v];
    VipInput vi;
    vi.key = vip_key_of(vc);
    vi.fwd_method = static_cast<uint8_t>(vc.method);
    vi.hash_fields = static_cast<uint8_t>(vc.hash);
    vi.table_size = vc.table_size;
    for (size_t b = 0; b < vc.backends.size(); ++b) {
      BackendInput bi;
      bi.family = vc.backends[b].address.family;
      bi.addr = vc.backends[b].address.bytes;
      bi.weight = weight ? weight(v, b) : vc.backends[b].weight;
      vi.backends.push_back(bi);
    }
    in.vips.push_back(std::move(vi));
  }
  return in;
}

}  // namespace maglb::snapshot
