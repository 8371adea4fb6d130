// The file descriptors of the XDP dataplane's maps (bpf/xdp/maps.h), as the
// programmer and the statistics reader use them. Owned by whoever loaded
// the maps (XdpDataplane); this is only a view.
#pragma once

namespace maglb::xdp {

struct MapSet {
  int vips = -1;           // maglb_vip_key -> maglb_vip_meta (vip_index = table slot)
  int tables = -1;         // slot -> inner ARRAY of maglb_slot_t (backend ids)
  int backends = -1;       // id -> maglb_backend (the control plane's record)
  int flows = -1;          // ARRAY of maglb_xdp_flow_bucket, one range per CPU
  int params = -1;         // 0 -> maglb_dp_params
  int counters = -1;       // enum maglb_counter -> per-CPU u64
  int vip_stats = -1;      // slot -> per-CPU maglb_traffic_stats
  int backend_stats = -1;  // backend slot -> per-CPU maglb_traffic_stats
  int be_slots = -1;       // backend slot -> maglb_backend (id 0: free)
  int backend_slot = -1;   // backend id -> its slot
  int vip_filter = -1;     // 0 -> maglb_xdp_vip_filter (VIP addresses)
  int vip_index = -1;      // 0 -> inner ARRAY of maglb_xdp_vip_entry (what the program reads)
};

}  // namespace maglb::xdp
