// Runtime edits of the config model (maglbctl vip/backend commands). Each
// edits a copy the caller owns and returns "" or why it cannot; the edited
// copy must then pass revalidate() (the same rules as the file) before the
// daemon applies it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.h"
#include "config_parse.h"
#include "maglb_abi.h"

namespace maglb::daemon {

std::optional<size_t> find_vip(const config::Config &config, const maglb_vip_key &key);
std::optional<size_t> find_backend(const config::VipConfig &vip, const config::Address &address);
// Backend `address` of VIP `key`, or nullptr and *error ("no VIP ...",
// "VIP ... has no backend ...").
config::BackendConfig *find_backend(config::Config &config, const maglb_vip_key &key,
                                    const config::Address &address, std::string *error);

// The fields `vip add` sets; the rest take the config defaults (no health
// check, no backends).
struct NewVip {
  maglb_vip_key key{};
  config::Method method = config::Method::kIpip;
  config::HashFields hash = config::HashFields::k5Tuple;
  uint32_t table_size = MAGLB_DEFAULT_TABLE_SIZE;
};

std::string add_vip(config::Config &config, const NewVip &vip);
std::string remove_vip(config::Config &config, const maglb_vip_key &key);
std::string add_backend(config::Config &config, const maglb_vip_key &key,
                        const config::BackendConfig &backend);
std::string remove_backend(config::Config &config, const maglb_vip_key &key,
                           const config::Address &address);
// *old_weight receives the weight before the change.
std::string set_backend_weight(config::Config &config, const maglb_vip_key &key,
                               const config::Address &address, uint16_t weight,
                               uint16_t *old_weight);

// The edited model through the file's own validator (to_json, then
// parse_config_text), so a runtime edit can never produce a config that
// `maglbctl config check` would reject.
config::ParseResult revalidate(const config::Config &config);

}  // namespace maglb::daemon
