#include "dpdk_stats.h"

#include "maglb_abi.h"

namespace maglb::programmer {
namespace {

using nlohmann::json;

// Every counter of the ABI, present or not in the source (missing = 0), so
// the normalized document always has the same keys.
json counters_of(const json &src) {
  json out = json::object();
  for (unsigned c = 0; c < MAGLB_C__COUNT; c++) {
    const auto it = src.is_object() ? src.find(maglb_counter_names[c]) : src.end();
    out[maglb_counter_names[c]] =
        (src.is_object() && it != src.end() && it->is_number_unsigned()) ? it->get<uint64_t>() : 0;
  }
  return out;
}

uint64_t u64_at(const json &o, const char *key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

json traffic(const json &e) {
  return {{"packets", u64_at(e, "packets")},
          {"bytes", u64_at(e, "bytes")},
          {"new_flows", u64_at(e, "new_flows")}};
}

}  // namespace

std::string normalize_dpdk_stats(const json &doc, json *out) {
  if (!doc.is_object()) return "dpdk stats: not a JSON object";
  for (const char *key : {"workers", "vips", "backends"}) {
    if (!doc.contains(key) || !doc[key].is_array()) {
      return std::string("dpdk stats: '") + key + "' missing or not an array";
    }
  }
  json result = {{"dataplane", "dpdk"}, {"generation", u64_at(doc, "generation")}};
  json cores = json::array();
  json totals = counters_of(json::object());
  uint64_t capacity = 0, occupancy = 0;
  for (const json &w : doc["workers"]) {
    if (!w.is_object()) return "dpdk stats: a worker is not an object";
    json counters = counters_of(w.value("counters", json::object()));
    for (auto &[name, v] : counters.items()) {
      totals[name] = totals[name].get<uint64_t>() + v.get<uint64_t>();
    }
    const json flows = w.value("flows", json::object());
    capacity += u64_at(flows, "capacity");
    occupancy += u64_at(flows, "occupancy");
    cores.push_back({{"core", u64_at(w, "lcore")},
                     {"counters", counters},
                     {"flows", {{"occupancy", u64_at(flows, "occupancy")}}}});
  }
  result["cores"] = cores;
  result["flows"] = {{"capacity", capacity}, {"occupancy", occupancy}};
  result["totals"] = totals;
  json vips = json::array();
  for (const json &v : doc["vips"]) {
    if (!v.is_object() || !v.contains("vip") || !v["vip"].is_string()) {
      return "dpdk stats: a vip has no name";
    }
    json e = traffic(v);
    e["vip"] = v["vip"];
    vips.push_back(e);
  }
  result["vips"] = vips;
  json backends = json::array();
  for (const json &b : doc["backends"]) {
    if (!b.is_object() || !b.contains("id")) return "dpdk stats: a backend has no id";
    json e = traffic(b);
    e["id"] = u64_at(b, "id");
    backends.push_back(e);
  }
  result["backends"] = backends;
  *out = std::move(result);
  return "";
}

}  // namespace maglb::programmer
