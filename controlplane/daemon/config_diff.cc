#include "config_diff.h"

#include <map>

#include "config_names.h"
#include "config_serialize.h"
#include "health_targets.h"
#include "maglb_hash.h"
#include "maglev_table.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

// A Maglev table whose slots hold addresses' positions in `ids` (an id per
// address shared by both sides, so equal slots mean the same backend).
std::string build(const config::VipConfig &vip, const std::vector<uint32_t> &weights,
                  std::map<std::string, uint32_t> &ids, std::vector<uint32_t> &table) {
  std::vector<maglev::Backend> backends;
  for (size_t b = 0; b < vip.backends.size(); ++b) {
    const config::Address &a = vip.backends[b].address;
    const std::string key = config::format_address(a);
    const uint32_t id = ids.emplace(key, static_cast<uint32_t>(ids.size() + 1)).first->second;
    backends.push_back(
        {std::vector<uint8_t>(a.bytes.begin(), a.bytes.begin() + (a.is_v4() ? 4 : 16)), id,
         weights[b]});
  }
  return maglev::build_table(backends, vip.table_size, table);
}

// Share of hash values whose backend differs between the two tables.
double moved_share(const std::vector<uint32_t> &a, const std::vector<uint32_t> &b,
                   bool *estimated) {
  if (a.size() == b.size()) {
    *estimated = false;
    uint64_t moved = 0;
    for (size_t i = 0; i < a.size(); ++i) moved += a[i] != b[i];
    return a.empty() ? 0.0 : static_cast<double>(moved) / static_cast<double>(a.size());
  }
  *estimated = true;
  constexpr uint32_t kSamples = 1u << 20;
  uint64_t moved = 0;
  for (uint32_t i = 0; i < kSamples; ++i) {
    // fmix spreads the sample indexes over the whole 32-bit hash range.
    const uint32_t h = maglb_murmur3_fmix(i + 1);
    moved += a[maglb_slot_of(h, static_cast<uint32_t>(a.size()))] !=
             b[maglb_slot_of(h, static_cast<uint32_t>(b.size()))];
  }
  return static_cast<double>(moved) / kSamples;
}

void compare_settings(const config::VipConfig &a, const config::VipConfig &b, VipDiff &d) {
  auto note = [&](const std::string &field, const std::string &x, const std::string &y) {
    if (x != y) d.settings_changed.push_back(field + ": " + x + " -> " + y);
  };
  note("method", config::to_name(a.method), config::to_name(b.method));
  note("hash", config::to_name(a.hash), config::to_name(b.hash));
  note("table_size", std::to_string(a.table_size), std::to_string(b.table_size));
  if (a.healthcheck != b.healthcheck) {
    const json ha = config::to_json(config::Config{{}, {}, {a}, {}})["vips"][0]["healthcheck"];
    const json hb = config::to_json(config::Config{{}, {}, {b}, {}})["vips"][0]["healthcheck"];
    d.settings_changed.push_back("healthcheck: " + ha.dump() + " -> " + hb.dump());
  }
  std::map<std::string, const config::BackendConfig *> old_backends;
  for (const auto &be : a.backends) old_backends[config::format_address(be.address)] = &be;
  for (const auto &be : b.backends) {
    const std::string addr = config::format_address(be.address);
    const auto it = old_backends.find(addr);
    if (it == old_backends.end()) {
      d.backends_added.push_back(addr);
      continue;
    }
    if (it->second->weight != be.weight)
      d.weight_changes.push_back({addr, it->second->weight, be.weight});
    if (it->second->name != be.name) {
      d.settings_changed.push_back("backend " + addr + " name: \"" + it->second->name + "\" -> \"" +
                                   be.name + "\"");
    }
    old_backends.erase(it);
  }
  for (const auto &be : a.backends) {
    const std::string addr = config::format_address(be.address);
    if (old_backends.count(addr)) d.backends_removed.push_back(addr);
  }
}

// Field-by-field differences of a top-level section, as "path: a -> b".
void compare_section(const json &a, const json &b, const std::string &path,
                     std::vector<std::string> &out) {
  if (a == b) return;
  if (a.is_object() && b.is_object()) {
    for (const auto &[k, v] : a.items()) {
      compare_section(v, b.contains(k) ? b[k] : json(), path + "." + k, out);
    }
    for (const auto &[k, v] : b.items()) {
      if (!a.contains(k)) compare_section(json(), v, path + "." + k, out);
    }
    return;
  }
  out.push_back(path + ": " + (a.is_null() ? "(unset)" : a.dump()) + " -> " +
                (b.is_null() ? "(unset)" : b.dump()));
}

const char *kind_name(VipDiff::Kind k) {
  switch (k) {
    case VipDiff::Kind::kAdded:
      return "added";
    case VipDiff::Kind::kRemoved:
      return "removed";
    case VipDiff::Kind::kChanged:
      return "changed";
    case VipDiff::Kind::kUnchanged:
      break;
  }
  return "unchanged";
}

}  // namespace

bool ConfigDiff::changed() const {
  if (!other_changes.empty()) return true;
  for (const VipDiff &v : vips) {
    if (v.kind != VipDiff::Kind::kUnchanged || v.moved_share > 0) return true;
  }
  return false;
}

ConfigDiff diff_configs(const config::Config &running, const WeightPlan &running_plan,
                        const config::Config &next, const WeightPlan &next_plan) {
  ConfigDiff diff;
  std::map<std::string, size_t> next_index;
  for (size_t v = 0; v < next.vips.size(); ++v) next_index[vip_id_of(next.vips[v])] = v;
  std::vector<bool> matched(next.vips.size(), false);
  for (size_t v = 0; v < running.vips.size(); ++v) {
    VipDiff d;
    d.vip = vip_id_of(running.vips[v]);
    const auto it = next_index.find(d.vip);
    if (it == next_index.end()) {
      d.kind = VipDiff::Kind::kRemoved;
      diff.vips.push_back(std::move(d));
      continue;
    }
    matched[it->second] = true;
    const config::VipConfig &a = running.vips[v];
    const config::VipConfig &b = next.vips[it->second];
    compare_settings(a, b, d);
    std::map<std::string, uint32_t> ids;
    std::vector<uint32_t> ta, tb;
    std::string e = build(a, running_plan.vips[v].weights, ids, ta);
    if (e.empty()) e = build(b, next_plan.vips[it->second].weights, ids, tb);
    if (!e.empty()) {
      d.error = e;
    } else {
      d.moved_share = moved_share(ta, tb, &d.moved_estimated);
    }
    const bool same = d.backends_added.empty() && d.backends_removed.empty() &&
                      d.weight_changes.empty() && d.settings_changed.empty() && d.moved_share == 0;
    d.kind = same ? VipDiff::Kind::kUnchanged : VipDiff::Kind::kChanged;
    diff.vips.push_back(std::move(d));
  }
  for (size_t v = 0; v < next.vips.size(); ++v) {
    if (matched[v]) continue;
    VipDiff d;
    d.vip = vip_id_of(next.vips[v]);
    d.kind = VipDiff::Kind::kAdded;
    for (const auto &be : next.vips[v].backends) {
      d.backends_added.push_back(config::format_address(be.address));
    }
    diff.vips.push_back(std::move(d));
  }
  const json ja = config::to_json(running);
  const json jb = config::to_json(next);
  for (const char *section : {"dataplane", "control"}) {
    compare_section(ja.value(section, json()), jb.value(section, json()), section,
                    diff.other_changes);
  }
  return diff;
}

json to_json(const ConfigDiff &diff) {
  json vips = json::array();
  for (const VipDiff &d : diff.vips) {
    json changes = json::array();
    for (const WeightChange &w : d.weight_changes) {
      changes.push_back({{"address", w.address}, {"from", w.from}, {"to", w.to}});
    }
    json e = {{"vip", d.vip},
              {"change", kind_name(d.kind)},
              {"backends_added", d.backends_added},
              {"backends_removed", d.backends_removed},
              {"weight_changes", changes},
              {"settings_changed", d.settings_changed}};
    if (d.kind != VipDiff::Kind::kAdded && d.kind != VipDiff::Kind::kRemoved) {
      e["moved_share"] = d.moved_share;
      e["moved_estimated"] = d.moved_estimated;
    }
    if (!d.error.empty()) e["error"] = d.error;
    vips.push_back(std::move(e));
  }
  return {{"changed", diff.changed()}, {"vips", vips}, {"other_changes", diff.other_changes}};
}

}  // namespace maglb::daemon
