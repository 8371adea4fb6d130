// GET_STATS and --stats-interval: the control thread reads the workers'
// plain counters while they run. Each u64 is read with a relaxed atomic
// load (whole, never torn); a document mixes values from slightly different
// moments, which the invariant checks in tests allow for by waiting until
// traffic has stopped.
#include <arpa/inet.h>

#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>
#include <rte_ethdev.h>

#include "engine.h"

namespace maglb::dpdk {

namespace {

using nlohmann::json;

uint64_t rd(const uint64_t &v) {
  return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

std::string format_vip(const maglb_vip_key &k) {
  IpAddr a;
  a.family = k.family;
  std::memcpy(a.bytes.data(), k.addr, 16);
  std::string addr = format_ip(a);
  if (k.family == MAGLB_FAMILY_IPV6) addr = "[" + addr + "]";
  uint16_t port = ntohs(k.port);
  std::string proto = k.proto == 6 ? "tcp" : k.proto == 17 ? "udp" : std::to_string(k.proto);
  return addr + ":" + (port == 0 ? std::string("*") : std::to_string(port)) + "/" + proto;
}

json traffic(uint64_t packets, uint64_t bytes, uint64_t new_flows) {
  return {{"packets", packets}, {"bytes", bytes}, {"new_flows", new_flows}};
}

json port_stats(uint16_t port_id) {
  rte_eth_stats s{};
  if (rte_eth_stats_get(port_id, &s) != 0) return json::object();
  return {{"ipackets", s.ipackets}, {"opackets", s.opackets},  {"ibytes", s.ibytes},
          {"obytes", s.obytes},     {"imissed", s.imissed},    {"ierrors", s.ierrors},
          {"oerrors", s.oerrors},   {"rx_nombuf", s.rx_nombuf}};
}

}  // namespace

std::string Engine::stats_json() const {
  const core::Snapshot &snap = *shared_.snapshot.current();
  json doc;
  doc["generation"] = snap.generation();
  doc["rx_enabled"] = __atomic_load_n(&shared_.rx_enabled, __ATOMIC_RELAXED);

  uint64_t totals[MAGLB_C__COUNT] = {};
  std::vector<maglb_traffic_stats> vips(MAGLB_MAX_VIPS);
  std::map<uint32_t, maglb_traffic_stats> backends;  // by backend id
  json workers = json::array();
  for (const auto &wp : workers_) {
    const Worker &w = *wp;
    json counters = json::object();
    for (unsigned c = 0; c < MAGLB_C__COUNT; c++) {
      uint64_t v = rd(w.ctx.counters.v[c]);
      counters[maglb_counter_names[c]] = v;
      totals[c] += v;
    }
    for (unsigned i = 0; i < MAGLB_MAX_VIPS; i++) {
      vips[i].packets += rd(w.ctx.vip_stats[i].packets);
      vips[i].bytes += rd(w.ctx.vip_stats[i].bytes);
      vips[i].new_flows += rd(w.ctx.vip_stats[i].new_flows);
    }
    // The worker re-indexes these arrays when it meets a new generation;
    // reading pointer and count once keeps every access inside the
    // MAGLB_MAX_BACKENDS-sized arrays whatever it is doing.
    const maglb_traffic_stats *bs = __atomic_load_n(&w.ctx.backend_stats, __ATOMIC_RELAXED);
    const uint32_t *ids = __atomic_load_n(&w.ctx.backend_stats_ids, __ATOMIC_RELAXED);
    uint32_t count = __atomic_load_n(&w.ctx.backend_stats_count, __ATOMIC_RELAXED);
    if (bs != nullptr && ids != nullptr) {
      for (uint32_t i = 0; i < count && i < MAGLB_MAX_BACKENDS; i++) {
        uint32_t id = __atomic_load_n(&ids[i], __ATOMIC_RELAXED);
        maglb_traffic_stats &t = backends[id];
        t.packets += rd(bs[i].packets);
        t.bytes += rd(bs[i].bytes);
        t.new_flows += rd(bs[i].new_flows);
      }
    }
    workers.push_back(
        {{"lcore", w.lcore_id},
         {"queue", w.queue_id},
         {"counters", counters},
         {"flows", {{"capacity", w.ctx.flows.capacity()}, {"occupancy", w.ctx.flows.occupancy()}}},
         {"engine",
          {{"loops", rd(w.engine.loops)},
           {"injected_tx", rd(w.engine.injected_tx)},
           {"injected_dropped", rd(w.engine.injected_dropped)},
           {"neighbor_to_control", rd(w.engine.neighbor_to_control)},
           {"neighbor_ring_full", rd(w.engine.neighbor_ring_full)}}}});
  }
  doc["workers"] = workers;
  json total = json::object();
  for (unsigned c = 0; c < MAGLB_C__COUNT; c++) total[maglb_counter_names[c]] = totals[c];
  doc["totals"] = total;

  json vj = json::array();
  for (const core::VipEntry &v : snap.vips()) {
    if (v.meta.flags & MAGLB_VIP_F_FRAG_ONLY) continue;  // an alias of another VIP's index
    const maglb_traffic_stats &t = vips[v.meta.vip_index];
    json e = traffic(t.packets, t.bytes, t.new_flows);
    e["vip"] = format_vip(v.key);
    e["index"] = v.meta.vip_index;
    vj.push_back(e);
  }
  doc["vips"] = vj;
  json bj = json::array();
  for (const maglb_backend &b : snap.backends()) {
    auto it = backends.find(b.id);
    maglb_traffic_stats t = it == backends.end() ? maglb_traffic_stats{} : it->second;
    IpAddr a;
    a.family = b.family;
    std::memcpy(a.bytes.data(), b.addr, 16);
    json e = traffic(t.packets, t.bytes, t.new_flows);
    e["id"] = b.id;
    e["address"] = format_ip(a);
    e["weight"] = b.weight;
    bj.push_back(e);
  }
  doc["backends"] = bj;

  json targets = json::array();
  for (const NeighborResolver::TargetState &t : resolver_->targets()) {
    targets.push_back({{"address", format_ip(t.addr)},
                       {"mac", t.resolved ? format_mac(t.mac) : ""},
                       {"resolved", t.resolved},
                       {"gateway", t.is_gateway},
                       {"static", t.is_static},
                       {"unanswered_probes", t.unanswered_probes}});
  }
  const NeighborResolver::Counters &nc = resolver_->counters();
  doc["neighbors"] = {{"targets", targets},
                      {"arp_replies_sent", nc.arp_replies_sent},
                      {"nd_advertisements_sent", nc.nd_advertisements_sent},
                      {"probes_sent", nc.probes_sent},
                      {"learned", nc.learned},
                      {"timeouts", nc.timeouts},
                      {"ignored", nc.ignored}};
  doc["control"] = {{"installs", control_.installs},
                    {"installs_invalid", control_.installs_invalid},
                    {"installs_stale", control_.installs_stale},
                    {"interface_sets", control_.interface_sets},
                    {"interface_invalid", control_.interface_invalid},
                    {"neighbor_tables", control_.neighbor_tables},
                    {"exception_rx", control_.exception_rx},
                    {"inject_ring_full", control_.inject_ring_full},
                    {"mbuf_alloc_failed", control_.mbuf_alloc_failed}};
  if (server_) {
    const ControlServer::Counters &sc = server_->counters();
    doc["socket"] = {{"clients", server_->clients()},       {"accepted", sc.accepted},
                     {"rejected_full", sc.rejected_full},   {"requests", sc.requests},
                     {"framing_errors", sc.framing_errors}, {"timeouts", sc.timeouts}};
  }
  doc["port"] = port_stats(port_id_);
  doc["port"]["mac"] = format_mac(port_mac_);
  if (has_exception_port_) doc["exception_port"] = port_stats(exception_port_id_);
  return doc.dump();
}

void Engine::print_stats() {
  uint64_t t[MAGLB_C__COUNT] = {};
  for (const auto &w : workers_) {
    for (unsigned c = 0; c < MAGLB_C__COUNT; c++) t[c] += rd(w->ctx.counters.v[c]);
  }
  uint64_t drops = 0;
  for (unsigned c = 0; c < MAGLB_C__COUNT; c++) {
    if (maglb_counter_kinds[c] == MAGLB_COUNTER_KIND_DROP) drops += t[c];
  }
  std::printf("stats: generation %llu rx %llu tx %llu icmp %llu pass %llu drops %llu\n",
              static_cast<unsigned long long>(generation()),
              static_cast<unsigned long long>(t[MAGLB_C_RX_PACKETS]),
              static_cast<unsigned long long>(t[MAGLB_C_TX_FORWARDED]),
              static_cast<unsigned long long>(t[MAGLB_C_TX_ICMP_GENERATED]),
              static_cast<unsigned long long>(t[MAGLB_C_PASS_TO_KERNEL]),
              static_cast<unsigned long long>(drops));
  std::fflush(stdout);
}

}  // namespace maglb::dpdk
