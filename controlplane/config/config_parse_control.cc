#include <algorithm>
#include <cctype>

#include "config_field_readers.h"
#include "config_sections.h"

namespace maglb::config {
namespace {

// POSIX portable user/group names (what useradd/groupadd accept by
// default): the name is looked up only by maglbd at start, so `config
// check` on another host validates the form, not the existence.
bool valid_group_name(const std::string &name) {
  if (name.empty() || name.size() > 32 || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

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
  if (reader.read_string("socket_group", control.socket_group, Presence::kOptional) &&
      !valid_group_name(control.socket_group)) {
    errors.add(reader.path_of("socket_group"),
               "must be a group name: 1..32 characters from A-Z a-z 0-9 _ - . (not starting with "
               "-)");
  }
  reader.finish();
  return control;
}

}  // namespace maglb::config
