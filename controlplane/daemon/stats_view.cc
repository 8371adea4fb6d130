#include "stats_view.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "maglb_abi.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

uint64_t u64(const json &o, const char *key) {
  const auto it = o.find(key);
  // Non-negative integers whichever way they were built (signed or not).
  if (it == o.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() ? it->get<uint64_t>()
                                  : static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
}

json traffic(const json *e) {
  if (e == nullptr) return {{"packets", 0}, {"bytes", 0}, {"new_flows", 0}};
  return {{"packets", u64(*e, "packets")},
          {"bytes", u64(*e, "bytes")},
          {"new_flows", u64(*e, "new_flows")}};
}

}  // namespace

json enrich_stats(const json &normalized, const Balancer &balancer,
                  const std::optional<maglb_vip_key> &only) {
  // Named copies: the maps point into them.
  const json raw_vips = normalized.value("vips", json::array());
  const json raw_backends = normalized.value("backends", json::array());
  std::map<std::string, const json *> by_name;
  std::map<uint64_t, const json *> by_id;
  for (const json &v : raw_vips) {
    if (v.contains("vip") && v["vip"].is_string()) by_name[v["vip"].get<std::string>()] = &v;
  }
  for (const json &b : raw_backends) by_id[u64(b, "id")] = &b;

  json vips = json::array();
  for (const InstalledVip &iv : balancer.vips()) {
    if (only && std::memcmp(&iv.key, &*only, sizeof(iv.key)) != 0) continue;
    const auto vit = by_name.find(iv.id);
    json v = traffic(vit == by_name.end() ? nullptr : vit->second);
    v["vip"] = iv.id;
    json backends = json::array();
    for (const InstalledBackend &b : iv.backends) {
      const auto bit = by_id.find(b.id);
      json e = traffic(bit == by_id.end() ? nullptr : bit->second);
      e["address"] = config::format_address(b.address);
      e["name"] = b.name;
      e["id"] = b.id;
      backends.push_back(std::move(e));
    }
    v["backends"] = std::move(backends);
    vips.push_back(std::move(v));
  }

  json cores = json::array();
  const json raw_cores = normalized.value("cores", json::array());
  for (const json &c : raw_cores) {
    cores.push_back({{"core", c.value("core", json())},
                     {"flows", c.value("flows", json::object())},
                     {"counters", c.value("counters", json::object())}});
  }
  const json totals = normalized.value("totals", json::object());
  json drops = json::object();
  for (unsigned i = 0; i < MAGLB_C__COUNT; i++) {
    if (maglb_counter_kinds[i] == MAGLB_COUNTER_KIND_DROP) {
      drops[maglb_counter_names[i]] = u64(totals, maglb_counter_names[i]);
    }
  }
  return {{"dataplane", normalized.value("dataplane", "")},
          {"generation", balancer.generation()},
          {"dataplane_generation", normalized.value("generation", json())},
          {"vips", vips},
          {"cores", cores},
          {"flows", normalized.value("flows", json::object())},
          {"totals", totals},
          {"drops", drops}};
}

}  // namespace maglb::daemon
