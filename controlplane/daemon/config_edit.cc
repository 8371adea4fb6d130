#include "config_edit.h"

#include <arpa/inet.h>

#include <cstring>

#include "config_serialize.h"
#include "config_to_snapshot.h"
#include "snapshot_builder.h"

namespace maglb::daemon {
namespace {

std::string no_vip(const maglb_vip_key &key) {
  return "no VIP " + snapshot::format_vip(key);
}

}  // namespace

std::optional<size_t> find_vip(const config::Config &config, const maglb_vip_key &key) {
  for (size_t v = 0; v < config.vips.size(); ++v) {
    const maglb_vip_key k = snapshot::vip_key_of(config.vips[v]);
    if (std::memcmp(&k, &key, sizeof(k)) == 0) return v;
  }
  return std::nullopt;
}

std::optional<size_t> find_backend(const config::VipConfig &vip, const config::Address &address) {
  for (size_t b = 0; b < vip.backends.size(); ++b) {
    if (vip.backends[b].address == address) return b;
  }
  return std::nullopt;
}

std::string add_vip(config::Config &config, const NewVip &nv) {
  if (find_vip(config, nv.key)) return "VIP " + snapshot::format_vip(nv.key) + " already exists";
  config::VipConfig vip;
  vip.address.family = nv.key.family;
  std::memcpy(vip.address.bytes.data(), nv.key.addr, sizeof(nv.key.addr));
  vip.port = ntohs(nv.key.port);
  if (nv.key.proto != static_cast<uint8_t>(config::Protocol::kTcp) &&
      nv.key.proto != static_cast<uint8_t>(config::Protocol::kUdp)) {
    return "protocol must be tcp or udp";
  }
  vip.protocol = static_cast<config::Protocol>(nv.key.proto);
  vip.method = nv.method;
  vip.hash = nv.hash;
  vip.table_size = nv.table_size;
  config.vips.push_back(std::move(vip));
  return "";
}

std::string remove_vip(config::Config &config, const maglb_vip_key &key) {
  const auto v = find_vip(config, key);
  if (!v) return no_vip(key);
  config.vips.erase(config.vips.begin() + static_cast<std::ptrdiff_t>(*v));
  return "";
}

std::string add_backend(config::Config &config, const maglb_vip_key &key,
                        const config::BackendConfig &backend) {
  const auto v = find_vip(config, key);
  if (!v) return no_vip(key);
  config::VipConfig &vip = config.vips[*v];
  if (find_backend(vip, backend.address)) {
    return "VIP " + snapshot::format_vip(key) + " already has backend " +
           config::format_address(backend.address);
  }
  vip.backends.push_back(backend);
  return "";
}

config::BackendConfig *find_backend(config::Config &config, const maglb_vip_key &key,
                                    const config::Address &address, std::string *error) {
  const auto v = find_vip(config, key);
  if (!v) {
    *error = no_vip(key);
    return nullptr;
  }
  config::VipConfig &vip = config.vips[*v];
  const auto b = find_backend(vip, address);
  if (!b) {
    *error =
        "VIP " + snapshot::format_vip(key) + " has no backend " + config::format_address(address);
    return nullptr;
  }
  return &vip.backends[*b];
}

std::string remove_backend(config::Config &config, const maglb_vip_key &key,
                           const config::Address &address) {
  std::string error;
  const config::BackendConfig *b = find_backend(config, key, address, &error);
  if (b == nullptr) return error;
  auto &backends = config.vips[*find_vip(config, key)].backends;
  backends.erase(backends.begin() + (b - backends.data()));
  return "";
}

std::string set_backend_weight(config::Config &config, const maglb_vip_key &key,
                               const config::Address &address, uint16_t weight,
                               uint16_t *old_weight) {
  std::string error;
  config::BackendConfig *b = find_backend(config, key, address, &error);
  if (b == nullptr) return error;
  *old_weight = b->weight;
  // The weight to restore is kept in the config itself (persisted with the
  // file): set when a weighted backend drops to 0, dropped on any non-zero
  // weight, kept when a drained backend is "drained" again.
  if (weight == 0 && b->weight != 0) b->undrain_weight = b->weight;
  if (weight != 0) b->undrain_weight = 0;
  b->weight = weight;
  return "";
}

config::ParseResult revalidate(const config::Config &config) {
  return config::parse_config_text(config::to_json(config).dump());
}

}  // namespace maglb::daemon
