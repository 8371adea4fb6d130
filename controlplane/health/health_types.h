// What the health checker is told (targets and their check specs) and what it
// reports (per-backend state and effective weight). Independent of the config
// library: the daemon maps its config model onto these types.
// Defaults and their reasons: docs/health.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ip_address.h"

namespace maglb::health {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class CheckType : uint8_t {
  kNone,  // no probing: every backend counts as up (weight 0 still drains)
  kTcp,   // TCP connect
  kHttp,  // HTTP/1.1 GET, status code compared with expect_status
};

// Flap damping in the manner of BGP route flap damping (RFC 2439): each
// Up<->Down transition adds a penalty that decays exponentially; above
// suppress_threshold the backend is held out of service until the penalty
// has decayed below reuse_threshold. max_penalty bounds how long a backend
// that flapped for hours stays out once it is stable:
// half_life * log2(max_penalty / reuse_threshold) (about 145 s by default).
struct DampingParams {
  bool enabled = true;
  double penalty_per_transition = 1000.0;
  double suppress_threshold = 2000.0;  // suppressed when the penalty exceeds it
  double reuse_threshold = 750.0;      // released when the penalty falls below it
  double max_penalty = 4000.0;
  std::chrono::milliseconds half_life{60000};
};

// The per-backend state machine's parameters (taken from the VIP's CheckSpec).
struct StateParams {
  uint32_t rise = 2;                   // consecutive successes to come up
  uint32_t fall = 3;                   // consecutive failures to go down
  std::chrono::seconds slow_start{0};  // ramp duration after a recovery; 0 = none
  DampingParams damping;
};

// healthcheck.through_tunnel: the VIP's tunnel to each backend, so a probe
// can travel the path client traffic takes (tunnel_probe.h).
struct TunnelSpec {
  IpAddress vip;
  uint16_t vip_port = 0;   // probed port on the VIP (the check's port)
  bool gue = false;        // GUE variant 1 to gue_port; else IPIP / IP6IP6 / 4in6 / 6in4
  uint16_t gue_port = 0;   // host order
  IpAddress inner_source;  // the VIP's family: a local address the backend answers to
  friend bool operator==(const TunnelSpec &, const TunnelSpec &) = default;
};

// One VIP's health check.
struct CheckSpec {
  CheckType type = CheckType::kTcp;
  uint16_t port = 0;       // probe port on every backend (1..65535 unless type none)
  std::string path = "/";  // HTTP request target
  std::string host;        // HTTP Host header; empty: "<backend address>:<port>"
  uint16_t expect_status = 200;
  uint32_t interval_ms = 1000;  // time between the starts of two rounds of this VIP
  uint32_t timeout_ms = 500;    // per probe, connect + request + status line
  uint32_t rise = 2;
  uint32_t fall = 3;
  uint32_t slow_start_s = 0;
  // Set: a backend passes only when the probe above passes AND a TCP SYN to
  // the VIP, encapsulated toward it, is answered (proves decapsulation and
  // the VIP binding). Unset: direct probes only.
  std::optional<TunnelSpec> tunnel;
  DampingParams damping;
};

StateParams state_params(const CheckSpec &spec);

struct BackendTarget {
  std::string name;     // for reports and logs only
  IpAddress address;    // identity within its VIP
  uint32_t weight = 1;  // configured weight; 0 = drain (checked, never in service)
};

struct VipTarget {
  std::string id;  // daemon-chosen identity, e.g. "198.18.0.10:80/tcp"; unique
  CheckSpec check;
  std::vector<BackendTarget> backends;
};

enum class BackendState : uint8_t { kUnknown, kUp, kDown };
const char *to_string(BackendState state);

struct BackendStatus {
  std::string name;
  IpAddress address;
  uint32_t configured_weight = 0;
  uint32_t effective_weight = 0;  // what the table should be built with
  BackendState state = BackendState::kUnknown;
  bool suppressed = false;  // held out by flap damping
  double penalty = 0.0;     // damping penalty at the time of the report
  uint32_t consecutive_successes = 0;
  uint32_t consecutive_failures = 0;
  std::string last_reason;  // of the last probe: "connect refused", "HTTP 503 (expected 200)"
  TimePoint last_check{};   // zero until the first probe result
  TimePoint last_change{};  // last Up/Down transition; zero if none yet
  bool changed = false;     // weight, state or suppression changed in this round
};

struct VipStatus {
  std::string id;
  // No backend with a configured weight > 0 is in service: the daemon keeps
  // the last table it installed (fail open) instead of installing an empty one.
  bool all_down = false;
  bool all_down_changed = false;
  // Some backend has not reached rise/fall yet (start-up): all_down is then
  // expected and not worth an alert.
  bool pending = false;
  std::vector<BackendStatus> backends;  // in the order of VipTarget::backends
};

struct HealthReport {
  uint64_t round = 0;  // rounds evaluated so far (this one included)
  TimePoint at{};
  std::chrono::milliseconds probe_duration{0};  // wall time of this round's probes
  bool changed = false;          // anything in any VipStatus or BackendStatus changed
  bool weights_changed = false;  // an effective weight or all_down changed: rebuild tables
  std::vector<VipStatus> vips;   // every VIP, in the order of set_targets
};

}  // namespace maglb::health
