#include "config_field_readers.h"
#include "config_sections.h"

namespace maglb::config {

ControlConfig parse_control(const nlohmann::json &json, ErrorList &errors) {
  ControlConfig control;
  ObjectReader reader(json, "control", errors);
  read_socket_path(reader, "socket", control.socket, Presence::kOptional);

  std::string listen;
  if (reader.read_string("metrics_listen", listen, Presence::kOptional)) {
    // Unspecified addresses are fine here: "0.0.0.0:9108" binds everywhere.
    const auto endpoint = parse_endpoint(listen);
    if (endpoint) {
      control.metrics_listen = *endpoint;
    } else {
      errors.add(reader.path_of("metrics_listen"),
                 "must be \"address:port\" or \"[ipv6-address]:port\" with port 1..65535");
    }
  }
  reader.finish();
  return control;
}

}  // namespace maglb::config
