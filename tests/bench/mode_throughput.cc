// Unpaced throughput on the ring harness: the sender keeps the RX ring
// full, so the forwarding lcore never waits for input; runs alternate
// between the macswap ceiling and maglb's engine.
#include <algorithm>

#include "lb_session.h"
#include "ring_modes.h"

namespace maglb::bench {

uint32_t flows_per_core_for(uint64_t flows) {
  return static_cast<uint32_t>(std::clamp<uint64_t>(2 * flows, 65536, 1u << 31));
}

namespace {

nlohmann::json window_json(const PumpResult &r) {
  const double cpu_s = static_cast<double>(r.worker_cpu_ns) / 1e9;
  return {{"mpps", r.received_mpps()},
          {"cpu_share", r.seconds > 0 ? cpu_s / r.seconds : 0.0},
          {"cycles_per_packet",
           r.in_window > 0 ? tsc_hz() * cpu_s / static_cast<double>(r.in_window) : 0.0},
          {"sender_cpu_share",
           r.seconds > 0 ? static_cast<double>(r.sender_cpu_ns) / 1e9 / r.seconds : 0.0},
          {"rx_ring_fill", r.rx_ring_fill},
          {"sends_refused", r.sends_refused},
          {"no_frames", r.no_frames},
          {"seconds", r.seconds},
          {"packets", r.in_window}};
}

std::optional<nlohmann::json> ceiling_run(const RingArgs &a, const FrameTemplate &frame,
                                          std::string *error) {
  auto port = RingPort::create(a.rx_slots, 16384, error);
  rte_mempool *pool = frame_pool(error);
  if (!port || pool == nullptr) return std::nullopt;
  MacswapLcore fwd;
  if (!fwd.start(port->port_id(), pool, error)) return std::nullopt;
  PumpResult r;
  {
    Pump pump(*port, pool, frame.length());
    uint64_t next = 0;
    const Fill fill = cycling_flows(frame, a.flows, &next);
    pump.run(0.5, 0, fill, nullptr);
    r = pump.run(a.seconds, 0, fill, nullptr);
  }
  fwd.stop();
  return window_json(r);
}

std::optional<nlohmann::json> maglb_run(const RingArgs &a, std::string *error) {
  LbSession s;
  if (!s.start(a.rx_slots, flows_per_core_for(a.flows), static_cast<uint16_t>(a.size), error) ||
      !s.establish(a.flows, error)) {
    return std::nullopt;
  }
  auto t0 = s.totals();
  uint64_t next = 0, malformed = 0;
  // One frame in 8 is parsed: reading every frame would pull the outer
  // header's extra cache line back from the worker's core and slow the
  // sender, which is what limits this harness.
  const Check check = [&](rte_mbuf *const *m, unsigned n) {
    for (unsigned i = 0; i < n; i += 8) {
      auto o = parse_ipip_output(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len);
      malformed += !o || !backend_id_of(o->backend_addr);
    }
  };
  const PumpResult r = s.pump().run(a.seconds, 0, cycling_flows(s.ack(), a.flows, &next), check);
  auto t1 = s.totals();
  if (!t0 || !t1) {
    *error = "GET_STATS failed";
    return std::nullopt;
  }
  const Totals d = t1->since(*t0);
  nlohmann::json j = window_json(r);
  j["packets_per_loop"] = d.loops ? static_cast<double>(d.rx) / static_cast<double>(d.loops) : 0;
  j["drops"] = d.drops;
  j["rx_packets"] = d.rx;
  j["loops"] = d.loops;
  j["malformed_outputs_sampled"] = malformed;
  j["flow_new"] = d.flow_new;
  j["flow_evicted"] = d.flow_evicted;
  j["flows_per_core"] = flows_per_core_for(a.flows);
  return j;
}

}  // namespace

std::optional<nlohmann::json> run_throughput(const RingArgs &a, std::string *error) {
  const FrameTemplate frame(static_cast<uint16_t>(a.size), 0x10);
  nlohmann::json runs = nlohmann::json::array();
  std::vector<double> c_mpps, m_mpps, c_cpp, m_cpp;
  for (int r = 0; r < a.runs; r++) {
    auto c = ceiling_run(a, frame, error);
    if (!c) return std::nullopt;
    auto m = maglb_run(a, error);
    if (!m) return std::nullopt;
    std::fprintf(stderr, "run %d: macswap %.2f Mpps (%.0f cycles/pkt), maglb %.2f Mpps (%.0f)\n",
                 r + 1, (*c)["mpps"].get<double>(), (*c)["cycles_per_packet"].get<double>(),
                 (*m)["mpps"].get<double>(), (*m)["cycles_per_packet"].get<double>());
    c_mpps.push_back((*c)["mpps"]);
    m_mpps.push_back((*m)["mpps"]);
    c_cpp.push_back((*c)["cycles_per_packet"]);
    m_cpp.push_back((*m)["cycles_per_packet"]);
    runs.push_back({{"macswap", *c}, {"maglb", *m}});
  }
  const double mm = median(m_mpps), cm = median(c_mpps), mc = median(m_cpp), cc = median(c_cpp);
  return nlohmann::json{{"flows", a.flows},
                        {"frame_size", a.size},
                        {"seconds", a.seconds},
                        {"rx_slots", a.rx_slots},
                        {"tsc_hz", tsc_hz()},
                        {"runs", runs},
                        {"median",
                         {{"maglb_mpps", mm},
                          {"macswap_mpps", cm},
                          {"maglb_cycles_per_packet", mc},
                          {"macswap_cycles_per_packet", cc},
                          {"ratio_mpps", cm > 0 ? mm / cm : 0.0}}}};
}

}  // namespace maglb::bench
