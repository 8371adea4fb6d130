#include <algorithm>
#include <cctype>

#include "config_field_readers.h"
#include "config_primes.h"
#include "config_sections.h"

namespace maglb::config {

namespace {

// Backend names become metric labels and CLI columns: keep them plain.
bool valid_backend_name(const std::string &name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == ':';
  });
}

BackendConfig parse_backend(const nlohmann::json &json, const std::string &path,
                            ErrorList &errors) {
  BackendConfig backend;
  ObjectReader reader(json, path, errors);
  std::optional<Address> address;
  if (read_address(reader, "address", 0, address, Presence::kRequired)) backend.address = *address;
  reader.read_uint("weight", backend.weight, 0, 65535, Presence::kOptional);
  if (reader.read_uint("undrain_weight", backend.undrain_weight, 1, 65535, Presence::kOptional) &&
      backend.weight != 0) {
    // Only a drained backend has a weight to go back to; anything else is a
    // stale edit that undrain would silently act on later.
    errors.add(reader.path_of("undrain_weight"), "only allowed with weight 0 (a drained backend)");
  }
  if (reader.read_string("name", backend.name, Presence::kOptional) &&
      !valid_backend_name(backend.name)) {
    errors.add(reader.path_of("name"), "must be 1..63 characters from A-Z a-z 0-9 . _ - :");
  }
  reader.finish();
  return backend;
}

void read_table_size(ObjectReader &reader, uint32_t &table_size) {
  if (!reader.read_uint("table_size", table_size, 2, MAGLB_MAX_TABLE_SIZE, Presence::kOptional)) {
    return;
  }
  if (!is_prime(table_size)) {
    // Naming the next prime turns the error into its own fix.
    reader.errors().add(
        reader.path_of("table_size"),
        "must be a prime number (next prime: " + std::to_string(next_prime(table_size)) + ")");
  }
}

VipConfig parse_vip(const nlohmann::json &json, const std::string &path, ErrorList &errors) {
  VipConfig vip;
  ObjectReader reader(json, path, errors);
  std::optional<Address> address;
  if (read_address(reader, "address", 0, address, Presence::kRequired)) vip.address = *address;
  const bool port_ok = reader.read_uint("port", vip.port, 0, 65535, Presence::kRequired);
  reader.read_enum("protocol", vip.protocol, Presence::kRequired);
  reader.read_enum("method", vip.method, Presence::kRequired);
  reader.read_enum("hash", vip.hash, Presence::kOptional);
  read_table_size(reader, vip.table_size);
  if (const auto *hc = reader.field("healthcheck", Presence::kOptional)) {
    vip.healthcheck =
        parse_healthcheck(*hc, reader.path_of("healthcheck"),
                          port_ok ? std::optional<uint16_t>(vip.port) : std::nullopt, errors);
  }
  if (const auto *backends = reader.field("backends", Presence::kRequired)) {
    const std::string backends_path = reader.path_of("backends");
    if (!backends->is_array()) {
      errors.add(backends_path, "must be an array");
    } else {
      for (size_t i = 0; i < backends->size(); ++i) {
        vip.backends.push_back(parse_backend((*backends)[i], index(backends_path, i), errors));
      }
    }
  }
  reader.finish();
  return vip;
}

}  // namespace

std::vector<VipConfig> parse_vips(const nlohmann::json &json, ErrorList &errors) {
  std::vector<VipConfig> vips;
  if (!json.is_array()) {
    errors.add("vips", "must be an array");
    return vips;
  }
  for (size_t i = 0; i < json.size(); ++i) {
    vips.push_back(parse_vip(json[i], index("vips", i), errors));
  }
  return vips;
}

}  // namespace maglb::config
