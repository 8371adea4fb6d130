// The XDP dataplane as the control plane sees it: loads bpf/maglb_xdp.bpf.c
// (libbpf skeleton), pins its maps under <pin_root>/<ifname>/, attaches it
// to an interface, programs it from ABI snapshot blobs and reads its
// statistics. A restarted control plane reuses the pinned maps (flows
// included) and replaces the running program in one step, so established
// connections keep their backends across restarts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "map_set.h"
#include "xdp_programmer.h"

struct maglb_xdp;  // the generated skeleton

namespace maglb::xdp {

struct LoadOptions {
  std::string ifname;                 // interface the program will serve
  std::string bpffs = "/sys/fs/bpf";  // mounted if it is not a bpffs
  std::string pin_root = "/sys/fs/bpf/maglb";
  // Connection-tracking capacity of the whole table, shared out over the
  // CPUs (maglb_xdp_abi.h); 64 bytes a flow, at most 4 GiB.
  uint32_t flow_entries = 1u << 20;
};

enum class AttachMode { None, Native, Generic };

class XdpDataplane {
 public:
  // Loads the program. Maps already pinned under <pin_root>/<ifname>/ are
  // reused (reused_state() is then true) and must match this build's
  // layouts (a different flow_entries is an error naming the map); missing
  // ones are created and pinned. Returns nullptr and sets *error on failure.
  static std::unique_ptr<XdpDataplane> open_or_load(const LoadOptions &options, std::string *error);
  ~XdpDataplane();
  XdpDataplane(const XdpDataplane &) = delete;
  XdpDataplane &operator=(const XdpDataplane &) = delete;

  bool reused_state() const { return reused_; }
  const std::string &pin_dir() const { return pin_dir_; }

  // Attaches in native (driver) mode, replacing any program attached there
  // (a previous maglb instance included). If the driver has no native XDP
  // and allow_generic is set, attaches in generic (SKB) mode and explains
  // the cost in *warning. *warning also names any interface setting the
  // program needs (bpf_fib_lookup requires forwarding on the interface).
  // Empty string on success.
  std::string attach(bool allow_generic, std::string *warning);
  AttachMode mode() const { return mode_; }

  // Applies an ABI snapshot blob (see XdpProgrammer for the update order).
  std::string program(std::span<const uint8_t> blob);
  uint64_t generation() const { return programmer_.generation(); }
  // Inner tables the last program() replaced (unchanged tables are kept).
  uint32_t tables_written() const { return programmer_.tables_written(); }
  // Backend id -> slot in maglb_be_slots (statistics, tests).
  const std::map<uint32_t, uint32_t> &programmer_backend_slots() const {
    return programmer_.backend_slots();
  }

  // Removes the program from the interface if it is maglb's. The pinned
  // maps stay (a later open_or_load + attach continues with them).
  std::string detach();
  // Removes the pinned maps (after detach: connection state is lost).
  std::string unpin();

  // Sums over CPUs. counter("rx_packets"); nullopt for an unknown name or a
  // failed read.
  std::optional<uint64_t> counter(std::string_view name) const;
  // {"generation", "mode", "counters": {name: n}, "vips": [...], "backends": [...]}.
  nlohmann::json stats() const;

  // Connection tracking and counters, emptied (operations and tests).
  std::string flush_flows();
  std::string reset_counters();

  // For BPF_PROG_TEST_RUN (tests, benchmarks).
  int prog_fd() const;
  const MapSet &maps() const { return maps_; }

 private:
  XdpDataplane() : programmer_(MapSet{}) {}

  maglb_xdp *skel_ = nullptr;
  MapSet maps_;
  XdpProgrammer programmer_;
  std::string ifname_;
  std::string pin_dir_;
  int ifindex_ = 0;
  bool reused_ = false;
  AttachMode mode_ = AttachMode::None;
};

}  // namespace maglb::xdp
