#include <algorithm>

#include "config_json_reader.h"
#include "config_sections.h"

namespace maglb::config {

namespace {

// An HTTP request target: origin form, printable ASCII without spaces, so it
// can go straight into "GET <path> HTTP/1.1" without escaping.
bool valid_http_path(const std::string &path) {
  if (path.empty() || path.front() != '/' || path.size() > 1024) return false;
  return std::all_of(path.begin(), path.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

HealthcheckConfig parse_healthcheck(const nlohmann::json &json, const std::string &path,
                                    std::optional<uint16_t> vip_port, ErrorList &errors) {
  HealthcheckConfig hc;
  ObjectReader reader(json, path, errors);
  const bool type_ok = reader.read_enum("type", hc.type, Presence::kRequired);
  const bool port_given = reader.read_uint("port", hc.port, 1, 65535, Presence::kOptional);
  const bool path_given = reader.read_string("path", hc.path, Presence::kOptional);
  if (path_given && !valid_http_path(hc.path)) {
    errors.add(reader.path_of("path"),
               "must start with '/' and be at most 1024 printable characters without spaces");
  }
  const bool status_given =
      reader.read_uint("expect_status", hc.expect_status, 100, 599, Presence::kOptional);
  const bool interval_ok =
      reader.read_uint("interval_ms", hc.interval_ms, 100, 3600000, Presence::kOptional) ||
      errors.clean(reader.path_of("interval_ms"));
  const bool timeout_ok =
      reader.read_uint("timeout_ms", hc.timeout_ms, 10, 3600000, Presence::kOptional) ||
      errors.clean(reader.path_of("timeout_ms"));
  reader.read_uint("rise", hc.rise, 1, 100, Presence::kOptional);
  reader.read_uint("fall", hc.fall, 1, 100, Presence::kOptional);
  reader.read_bool("through_tunnel", hc.through_tunnel, Presence::kOptional);
  reader.read_uint("slow_start_s", hc.slow_start_s, 0, 3600, Presence::kOptional);
  reader.finish();
  if (!reader.is_object() || !type_ok) return hc;

  if (hc.type == HealthcheckType::kNone) {
    // Switching a check off keeps its settings in the file, but the model
    // holds one canonical "none" so that == and to_json() see no difference.
    return HealthcheckConfig{};
  }
  if (hc.type != HealthcheckType::kHttp) {
    // Silently ignoring these would let "type": "tcp" pass for an HTTP check.
    if (path_given) errors.add(reader.path_of("path"), "only valid with type \"http\"");
    if (status_given) errors.add(reader.path_of("expect_status"), "only valid with type \"http\"");
  }
  if (interval_ok && timeout_ok && hc.timeout_ms >= hc.interval_ms) {
    // A probe still running when the next one starts would overlap with it.
    errors.add(reader.path_of("timeout_ms"),
               "must be less than interval_ms (" + std::to_string(hc.interval_ms) + ")");
  }
  if (!port_given && errors.clean(reader.path_of("port")) && vip_port) {
    if (*vip_port == 0) {
      errors.add(reader.path_of("port"), "required when the VIP port is 0 (all ports)");
    }
    hc.port = *vip_port;
  }
  return hc;
}

}  // namespace maglb::config
