// The one interface through which the daemon drives a dataplane. The daemon
// builds snapshot blobs (dataplane/abi/maglb_abi.h, "snapshot format") and
// hands them to a Programmer; it never knows whether the DPDK process (over
// its control socket) or the XDP program (through libbpf and pinned maps)
// is behind it. make_programmer() picks the adapter from the config.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "config.h"

namespace maglb::programmer {

class Programmer {
 public:
  virtual ~Programmer() = default;

  // "dpdk" or "xdp" (also the "dataplane" field of stats()).
  virtual std::string name() const = 0;

  // Connects to (DPDK) or loads/attaches/re-attaches (XDP) the dataplane and
  // sends it the dataplane settings. *installed_generation is the snapshot
  // generation the dataplane already holds (0: none), so that a restarted
  // daemon numbers its snapshots above it. Returns "" or an error with its
  // context; may be called again after an error.
  virtual std::string open(uint64_t *installed_generation) = 0;

  // Installs one snapshot blob. Returns "" on success; on an error nothing
  // changed in the dataplane (it keeps forwarding with the previous one).
  virtual std::string program(std::span<const uint8_t> blob) = 0;

  // Fills *out with the normalized statistics document below. Returns "" or
  // an error (then *out is untouched).
  //
  //   {"dataplane": "xdp", "generation": 7,
  //    "cores": [{"core": 0, "counters": {"rx_packets": 10, ...every counter
  //               of maglb_abi.h...}, "flows": {"occupancy": 12}}],
  //    "flows": {"capacity": 1048576, "occupancy": 12},
  //    "totals": {"rx_packets": 10, ...},
  //    "vips": [{"vip": "198.18.0.100:80/tcp", "packets": 1, "bytes": 60,
  //              "new_flows": 1}],
  //    "backends": [{"id": 17, "packets": 1, "bytes": 60, "new_flows": 1}]}
  //
  // "flows" is connection tracking over all cores (capacity: entries the
  // dataplane can hold; occupancy null when it cannot be read). VIPs are
  // named as snapshot::format_vip prints them, backends by stable id: the
  // daemon maps both back to its config.
  virtual std::string stats(nlohmann::json *out) = 0;

  // Liveness: "" when the dataplane answers, else why not. May reconnect
  // and, after a dataplane restart, re-send the settings and the last
  // installed snapshot (so forwarding resumes without the daemon's help).
  virtual std::string check() = 0;

  // Ends forwarding, keeping the dataplane's state (the last graceful-stop
  // step with BGP: the routes are withdrawn and the withdraw delay has
  // passed, so the routers have moved the flows elsewhere). DPDK: the
  // workers stop receiving until the next install. XDP: the program is
  // detached from every interface; its pinned maps (connection tracking,
  // tables) stay for the next open(). Returns "" or the error.
  virtual std::string stop_forwarding() = 0;
};

// Receives what an adapter has to say outside a call's result: warnings at
// open() (generic XDP mode, forwarding off) and recoveries in check() (a
// re-attached program, a re-sent snapshot). The daemon logs them.
enum class NoteLevel { kInfo, kWarning };
using NoteFn = std::function<void(NoteLevel, const std::string &)>;

// The adapter for config.dataplane.mode, or nullptr and *error when that
// dataplane is not compiled in. Nothing is opened yet (see open()).
std::unique_ptr<Programmer> make_programmer(const config::Config &config, NoteFn notes,
                                            std::string *error);

}  // namespace maglb::programmer
