#include "validate_targets.h"

#include <algorithm>
#include <unordered_set>

namespace maglb::health {
namespace {

// Request-line and header bytes: visible ASCII only, so a path or host can
// never smuggle a CR/LF (header injection) or a space (request-line split).
bool is_visible_ascii(const std::string &s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string check_spec_error(const CheckSpec &c) {
  if (c.type == CheckType::kNone) return "";
  if (c.type != CheckType::kTcp && c.type != CheckType::kHttp) return "check.type is invalid";
  if (c.port == 0) return "check.port must be 1..65535";
  if (c.interval_ms == 0) return "check.interval_ms must be at least 1";
  if (c.timeout_ms == 0) return "check.timeout_ms must be at least 1";
  if (c.timeout_ms > c.interval_ms) {
    return "check.timeout_ms (" + std::to_string(c.timeout_ms) +
           ") must not exceed check.interval_ms (" + std::to_string(c.interval_ms) + ")";
  }
  if (c.rise == 0) return "check.rise must be at least 1";
  if (c.fall == 0) return "check.fall must be at least 1";
  if (c.type == CheckType::kHttp) {
    if (c.path.empty() || c.path[0] != '/' || !is_visible_ascii(c.path)) {
      return "check.path must start with '/' and hold only visible ASCII";
    }
    if (!is_visible_ascii(c.host)) return "check.host must hold only visible ASCII";
    if (c.expect_status < 100 || c.expect_status > 599) {
      return "check.expect_status must be 100..599";
    }
  }
  const DampingParams &d = c.damping;
  if (d.enabled) {
    if (!(d.penalty_per_transition > 0)) return "damping.penalty_per_transition must be > 0";
    if (!(d.reuse_threshold > 0 && d.reuse_threshold < d.suppress_threshold &&
          d.suppress_threshold < d.max_penalty)) {
      return "damping thresholds must satisfy 0 < reuse < suppress < max_penalty";
    }
    if (d.half_life.count() <= 0) return "damping.half_life must be positive";
  }
  return "";
}

std::string backend_error(const BackendTarget &b) {
  if (b.address.family == MAGLB_FAMILY_IPV4) {
    if (std::any_of(b.address.addr.begin() + 4, b.address.addr.end(),
                    [](uint8_t x) { return x != 0; })) {
      return "IPv4 address with nonzero bytes 4..15";
    }
  } else if (b.address.family != MAGLB_FAMILY_IPV6) {
    return "address family must be 4 or 6";
  }
  return "";
}

}  // namespace

bool same_probe(const CheckSpec &a, const CheckSpec &b) {
  return a.type == b.type && a.port == b.port && a.path == b.path && a.host == b.host &&
         a.expect_status == b.expect_status && a.timeout_ms == b.timeout_ms &&
         a.interval_ms == b.interval_ms && a.tunnel == b.tunnel;
}

std::string validate_targets(const std::vector<VipTarget> &targets) {
  std::unordered_set<std::string> ids;
  for (const VipTarget &vip : targets) {
    if (vip.id.empty()) return "vip with an empty id";
    if (!ids.insert(vip.id).second) return "vip " + vip.id + ": duplicate id";
    if (std::string e = check_spec_error(vip.check); !e.empty()) return "vip " + vip.id + ": " + e;
    std::unordered_set<std::string> addresses;
    for (const BackendTarget &b : vip.backends) {
      const std::string where = "vip " + vip.id + " backend " + format_ip(b.address) +
                                (b.name.empty() ? "" : " (" + b.name + ")") + ": ";
      if (std::string e = backend_error(b); !e.empty()) return where + e;
      if (!addresses.insert(address_key(b.address)).second) return where + "duplicate address";
    }
  }
  return "";
}

}  // namespace maglb::health
