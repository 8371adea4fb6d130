// The dataplane's own ARP/ND: answers requests for its addresses and keeps
// the MACs of the gateways and on-link backends fresh (probe when unknown,
// refresh before `reachable` runs out, forget after `max_probes` unanswered
// probes). Runs on the control thread only; the engine turns resolved()
// into an immutable core::NeighborTable and publishes it with RCU whenever a
// call reports a change. No DPDK: frames in, frames out.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "interface_config.h"
#include "net_types.h"

namespace maglb::dpdk {

struct ResolvedNeighbor {
  IpAddr addr;
  MacAddr mac{};
  bool is_gateway = false;
};

class NeighborResolver {
 public:
  struct Timing {
    uint64_t retry_ns = 1'000'000'000;       // between probes of an unanswered address
    uint32_t max_probes = 3;                 // unanswered probes before a MAC is forgotten
    uint64_t reachable_ns = 30'000'000'000;  // a confirmed MAC is refreshed after this
    uint32_t max_probes_per_tick = 256;      // bounds the burst when many backends appear
  };
  struct Counters {
    uint64_t arp_replies_sent = 0;
    uint64_t nd_advertisements_sent = 0;
    uint64_t probes_sent = 0;
    uint64_t learned = 0;  // a target's MAC was set or changed
    uint64_t timeouts = 0;
    uint64_t ignored = 0;  // malformed, other VLAN, or not about us
  };
  struct TargetState {
    IpAddr addr;
    bool is_gateway, is_static, resolved;
    MacAddr mac;
    uint32_t unanswered_probes;
  };

  NeighborResolver(const MacAddr &port_mac, Timing timing);

  // Replaces the interface. MACs already learned for addresses that stay
  // wanted are kept. Returns true if resolved() changed.
  bool set_interface(InterfaceConfig cfg, uint64_t now_ns);
  // The backends of the installed snapshot; on-link ones become targets.
  bool set_backends(const std::vector<IpAddr> &backends, uint64_t now_ns);
  // One frame the port received (ARP, NS or NA; anything else is ignored).
  bool on_frame(std::span<const uint8_t> frame, uint64_t now_ns);
  // Sends due probes and expires unanswered entries.
  bool on_timer(uint64_t now_ns);

  // Frames to transmit on the port, oldest first; the queue is emptied.
  std::vector<std::vector<uint8_t>> take_outgoing();

  const InterfaceConfig &interface() const { return cfg_; }
  const MacAddr &port_mac() const { return port_mac_; }
  std::vector<ResolvedNeighbor> resolved() const;
  std::vector<TargetState> targets() const;
  const Counters &counters() const { return counters_; }

 private:
  struct Target {
    bool is_gateway = false;
    bool is_static = false;
    bool is_backend = false;
    bool mac_valid = false;
    MacAddr mac{};
    uint64_t confirmed_at = 0;
    uint32_t unanswered = 0;
    uint64_t next_probe_at = 0;
  };
  struct AddrLess {
    bool operator()(const IpAddr &a, const IpAddr &b) const {
      return a.family != b.family ? a.family < b.family : a.bytes < b.bytes;
    }
  };

  bool rebuild_targets(uint64_t now_ns);
  bool learn(const IpAddr &addr, const MacAddr &mac, uint64_t now_ns);
  const IpPrefix *source_for(const IpAddr &target) const;
  void send_probe(const IpAddr &addr, Target &t);
  void queue(std::span<const uint8_t> frame_buffer, size_t len);

  MacAddr port_mac_;
  Timing timing_;
  InterfaceConfig cfg_;
  std::vector<IpAddr> backends_;
  std::map<IpAddr, Target, AddrLess> targets_;
  std::vector<std::vector<uint8_t>> outgoing_;
  Counters counters_;
};

}  // namespace maglb::dpdk
