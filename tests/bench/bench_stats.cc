#include "bench_stats.h"

#include <algorithm>

#include "maglb_abi.h"

namespace maglb::bench {

Totals Totals::of(const nlohmann::json &s) {
  Totals t;
  const auto &tot = s["totals"];
  t.rx = tot["rx_packets"];
  t.forwarded = tot["tx_forwarded"];
  t.flow_new = tot["flow_new"];
  t.flow_hit = tot["flow_hit"];
  t.flow_evicted = tot["flow_evicted"];
  t.flow_rebalanced = tot["flow_rebalanced"];
  for (unsigned i = 0; i < MAGLB_C__COUNT; i++) {
    if (maglb_counter_kinds[i] == MAGLB_COUNTER_KIND_DROP)
      t.drops += tot[maglb_counter_names[i]].get<uint64_t>();
  }
  for (const auto &w : s["workers"]) {
    t.loops += w["engine"]["loops"].get<uint64_t>();
    t.flow_capacity += w["flows"]["capacity"].get<uint64_t>();
    t.flow_occupancy += w["flows"]["occupancy"].get<uint64_t>();
  }
  t.installs = s["control"]["installs"];
  t.generation = s["generation"];
  return t;
}

Totals Totals::since(const Totals &b) const {
  Totals d = *this;
  d.rx -= b.rx;
  d.forwarded -= b.forwarded;
  d.drops -= b.drops;
  d.loops -= b.loops;
  d.flow_new -= b.flow_new;
  d.flow_hit -= b.flow_hit;
  d.flow_evicted -= b.flow_evicted;
  d.flow_rebalanced -= b.flow_rebalanced;
  d.installs -= b.installs;
  return d;
}

nlohmann::json Totals::to_json() const {
  return {{"rx_packets", rx},
          {"tx_forwarded", forwarded},
          {"drops", drops},
          {"loops", loops},
          {"flow_new", flow_new},
          {"flow_hit", flow_hit},
          {"flow_evicted", flow_evicted},
          {"flow_rebalanced", flow_rebalanced},
          {"installs", installs},
          {"generation", generation},
          {"flow_capacity", flow_capacity},
          {"flow_occupancy", flow_occupancy}};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace maglb::bench
