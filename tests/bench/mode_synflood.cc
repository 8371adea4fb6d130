// A SYN flood from random sources fills the flow table while established
// flows keep forwarding. Phases, all unpaced: (A) established flows only;
// (B) the flood until it has sent twice the table's capacity in SYNs, so
// the table is full and evicting; (C) the flood in steady state. Every
// frame out must go to the backend the table gives its flow; established
// flows that the flood evicted show up as flow_new beyond the SYNs (every
// SYN is a flow never seen before: the sources are a bijection of a
// counter, not random draws that could repeat). Memory: the process's
// anonymous memory grows by the flow table when the engine starts.
#include <unistd.h>

#include "lb_session.h"
#include "proc_stats.h"
#include "ring_modes.h"

namespace maglb::bench {

namespace {

// A 30-bit bijection (odd multiplier, xorshift): consecutive counters give
// scattered, never repeated (source, port) pairs in 198.18.128.0/17.
FlowTuple flood_flow(uint64_t n) {
  uint32_t x = static_cast<uint32_t>(n * 0x9e3779b1u) & 0x3fffffff;
  x ^= x >> 15;
  x = (x * 0x2c1b3c6du) & 0x3fffffff;
  return {kFloodBase + (x & 0x7fff), static_cast<uint16_t>(1024 + (x >> 15))};
}

struct Counts {
  uint64_t established = 0, syn = 0, misrouted = 0, malformed = 0;
};

}  // namespace

std::optional<nlohmann::json> run_synflood(const RingArgs &a, std::string *error) {
  const uint64_t rss_before = rss_anon_bytes(getpid());
  LbSession s;
  if (!s.start(a.rx_slots, a.capacity, static_cast<uint16_t>(a.size), error)) return std::nullopt;
  const uint64_t rss_after = rss_anon_bytes(getpid());
  if (!s.establish(a.flows, error)) return std::nullopt;
  auto start = s.totals();
  if (!start) return *error = "GET_STATS failed", std::nullopt;
  const uint64_t capacity = start->flow_capacity;

  std::vector<uint32_t> expected(a.flows);
  for (uint64_t f = 0; f < a.flows; f++)
    expected[f] = expected_backend(s.table().slot_ids, client_flow(f));
  Counts c;
  const Check check = [&](rte_mbuf *const *m, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
      auto o = parse_ipip_output(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len);
      auto id = o ? backend_id_of(o->backend_addr) : std::nullopt;
      if (!id) {
        c.malformed++;
        continue;
      }
      auto f = client_flow_index(o->inner.src, o->inner.sport);
      if (f && *f < a.flows && o->tcp_flags == 0x10) {
        c.established++;
        c.misrouted += *id != expected[*f];
      } else if (o->tcp_flags == 0x02) {
        c.syn++;
        c.misrouted += *id != expected_backend(s.table().slot_ids, o->inner);
      } else {
        c.malformed++;
      }
    }
  };
  const FrameTemplate syn(static_cast<uint16_t>(a.size), 0x02);
  uint64_t next = 0, flood_n = 0;
  double acc = 0;
  const Fill established = cycling_flows(s.ack(), a.flows, &next);
  const Fill mixed = [&](rte_mbuf **m, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
      acc += a.syn_share;  // Bresenham: exactly syn_share of the frames are SYNs
      if (acc >= 1) {
        acc -= 1;
        syn.write(rte_pktmbuf_mtod(m[i], uint8_t *), flood_flow(flood_n++));
      } else {
        established(m + i, 1);
      }
    }
  };

  auto phase = [&](const char *name, const Fill &fill, uint64_t max_packets,
                   double seconds) -> std::optional<nlohmann::json> {
    c = {};
    auto t0 = s.totals();
    const PumpResult r = s.pump().run(seconds, 0, fill, check, max_packets);
    auto t1 = s.totals();
    if (!t0 || !t1) return std::nullopt;
    const Totals d = t1->since(*t0);
    const double cpu_s = static_cast<double>(r.worker_cpu_ns) / 1e9;
    std::fprintf(stderr, "%s: %.2f Mpps, %llu SYNs, flow_new %llu, evicted %llu\n", name,
                 r.received_mpps(), static_cast<unsigned long long>(c.syn),
                 static_cast<unsigned long long>(d.flow_new),
                 static_cast<unsigned long long>(d.flow_evicted));
    return nlohmann::json{
        {"mpps", r.received_mpps()},
        {"established_mpps", r.seconds > 0 ? c.established / r.seconds / 1e6 : 0.0},
        {"cycles_per_packet",
         r.in_window ? tsc_hz() * cpu_s / static_cast<double>(r.in_window) : 0.0},
        {"seconds", r.seconds},
        {"syn_received", c.syn},
        {"established_received", c.established},
        {"misrouted", c.misrouted},
        {"malformed", c.malformed},
        {"lost", r.lost()},
        {"established_reinserted",
         d.flow_new > c.syn ? static_cast<int64_t>(d.flow_new - c.syn) : 0},
        {"counters", d.to_json()}};
  };
  auto a_phase = phase("established only", established, 0, a.seconds);
  const uint64_t fill_frames =
      static_cast<uint64_t>(2.0 * static_cast<double>(capacity) / a.syn_share);
  auto b_phase = phase("flood, filling", mixed, fill_frames, 3600);
  auto c_phase = phase("flood, table full", mixed, 0, a.seconds);
  auto end = s.totals();
  if (!a_phase || !b_phase || !c_phase || !end) return *error = "GET_STATS failed", std::nullopt;
  const double held = (*a_phase)["mpps"].get<double>() > 0
                          ? (*c_phase)["mpps"].get<double>() / (*a_phase)["mpps"].get<double>()
                          : 0.0;
  return nlohmann::json{{"established_flows", a.flows},
                        {"syn_share", a.syn_share},
                        {"frame_size", a.size},
                        {"flow_capacity", capacity},
                        {"flow_occupancy_end", end->flow_occupancy},
                        {"rss_anon_growth_bytes", rss_after - rss_before},
                        {"bytes_per_flow_slot",
                         capacity ? static_cast<double>(rss_after - rss_before) / capacity : 0.0},
                        {"established_only", *a_phase},
                        {"flood_filling", *b_phase},
                        {"flood_full", *c_phase},
                        {"mpps_held", held}};
}

}  // namespace maglb::bench
