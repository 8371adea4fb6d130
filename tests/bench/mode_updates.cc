// Table changes under load: established flows forward at a fixed rate
// while another connection installs snapshots back to back. Every table
// keeps the 1000 backends the flows were given (reweighted, some draining
// at weight 0) and adds or drops spare backends, so each established flow
// must stay on its first backend: any frame elsewhere is misrouted, any
// frame missing is lost. The installer's pace is halved until a phase has
// neither (at most 4 phases).
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "lb_session.h"
#include "ring_modes.h"

namespace maglb::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kVariants = 8;

std::vector<BenchTable> variants() {
  std::mt19937 rng(7);
  std::vector<BenchTable> out;
  for (int v = 0; v < kVariants; v++) {
    std::vector<BenchBackend> b;
    for (uint32_t id = 1; id <= kBackends; id++)
      b.push_back({id, static_cast<uint16_t>(rng() % 4)});
    b[0].weight = 1;  // at least one backend takes new flows
    for (uint32_t id = kBackends + 1; id <= kBackends + kSpareBackends; id++) {
      if (rng() % 2) b.push_back({id, static_cast<uint16_t>(1 + rng() % 3)});
    }
    out.push_back(make_table(0, b));
  }
  return out;
}

struct Outputs {
  uint64_t misrouted = 0, malformed = 0;
};

struct Phase {
  double update_interval_s;  // 0: back to back
  PumpResult r;
  Totals d;
  Outputs o;
  uint64_t installs = 0, install_errors = 0;
  std::vector<double> latency_ms;
  std::string first_error;
  bool clean() const { return r.lost() == 0 && o.misrouted == 0 && o.malformed == 0; }
  nlohmann::json to_json() const {
    std::vector<double> l = latency_ms;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) {
      return l.empty() ? 0.0 : l[static_cast<size_t>(p * (l.size() - 1))];
    };
    return {{"update_interval_s", update_interval_s},
            {"updates_per_second", r.seconds > 0 ? installs / r.seconds : 0.0},
            {"installs", installs},
            {"install_errors", install_errors},
            {"first_error", first_error},
            {"install_ms_median", pct(0.5)},
            {"install_ms_p99", pct(0.99)},
            {"install_ms_max", l.empty() ? 0.0 : l.back()},
            {"offered_mpps", r.offered_mpps()},
            {"received", r.received},
            {"lost", r.lost()},
            {"ring_full", r.ring_full},
            {"sender_late", r.sender_late},
            {"misrouted", o.misrouted},
            {"malformed", o.malformed},
            {"counters", d.to_json()},
            {"clean", clean()}};
  }
};

}  // namespace

std::optional<nlohmann::json> run_updates(const RingArgs &a, std::string *error) {
  LbSession s;
  const uint32_t fpc =
      std::max<uint32_t>(flows_per_core_for(a.flows), static_cast<uint32_t>(4 * a.flows));
  if (!s.start(a.rx_slots, fpc, static_cast<uint16_t>(a.size), error) ||
      !s.establish(a.flows, error)) {
    return std::nullopt;
  }
  std::vector<uint32_t> expected(a.flows);
  for (uint64_t f = 0; f < a.flows; f++)
    expected[f] = expected_backend(s.table().slot_ids, client_flow(f));
  uint64_t next = 0;
  const Fill fill = cycling_flows(s.ack(), a.flows, &next);
  Outputs outputs;
  const Check check = [&](rte_mbuf *const *m, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
      auto o = parse_ipip_output(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len);
      auto f = o ? client_flow_index(o->inner.src, o->inner.sport) : std::nullopt;
      auto id = o ? backend_id_of(o->backend_addr) : std::nullopt;
      if (!f || *f >= a.flows || !id) {
        outputs.malformed++;
      } else if (*id != expected[*f]) {
        outputs.misrouted++;
      }
    }
  };

  double rate = a.rate_mpps;
  if (rate <= 0) rate = 0.8 * s.pump().run(2, 0, fill, nullptr).received_mpps();
  // The rate must be loss-free without updates first (the RFC 2544 figure
  // is the edge; the shared machine moves it).
  nlohmann::json baselines = nlohmann::json::array();
  for (int i = 0; i < 5; i++) {
    outputs = {};
    const PumpResult b = s.pump().run(a.seconds, rate * 1e6, fill, check);
    baselines.push_back({{"rate_mpps", rate},
                         {"offered_mpps", b.offered_mpps()},
                         {"lost", b.lost()},
                         {"misrouted", outputs.misrouted}});
    std::fprintf(stderr, "baseline %.3f Mpps: lost %llu\n", rate,
                 static_cast<unsigned long long>(b.lost()));
    if (b.lost() == 0) break;
    rate *= 0.9;
  }

  std::vector<BenchTable> tables = variants();
  uint64_t generation = 2;
  nlohmann::json phases = nlohmann::json::array();
  double interval = 0;
  for (int p = 0; p < 4; p++) {
    Phase ph{interval, {}, {}, {}, 0, 0, {}, {}};
    outputs = {};
    auto t0 = s.totals();
    std::atomic<bool> stop{false};
    std::thread installer([&] {
      std::string why;
      auto c =
          dpdk_client::Client::connect(s.engine().socket_path(), std::chrono::seconds(30), &why);
      if (!c) {
        ph.first_error = why;
        ph.install_errors++;
        return;
      }
      auto due = Clock::now();
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); i++) {
        std::vector<uint8_t> &blob = tables[i % kVariants].blob;
        set_generation(blob, generation++);
        const auto t = Clock::now();
        const auto r = c->install_snapshot(blob);
        ph.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t).count());
        if (r.ok()) {
          ph.installs++;
        } else if (ph.install_errors++ == 0) {
          ph.first_error = r.message;
        }
        if (interval > 0) {
          due +=
              std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
          std::this_thread::sleep_until(due);  // the installer's pace, not a wait for a condition
        }
      }
    });
    ph.r = s.pump().run(a.seconds, rate * 1e6, fill, check);
    stop = true;
    installer.join();
    ph.o = outputs;
    auto t1 = s.totals();
    if (!t0 || !t1) return *error = "GET_STATS failed", std::nullopt;
    ph.d = t1->since(*t0);
    phases.push_back(ph.to_json());
    std::fprintf(stderr, "updates: %.0f/s at %.3f Mpps: lost %llu, misrouted %llu\n",
                 ph.installs / ph.r.seconds, ph.r.offered_mpps(),
                 static_cast<unsigned long long>(ph.r.lost()),
                 static_cast<unsigned long long>(ph.o.misrouted));
    if (ph.clean() || ph.installs == 0) break;
    interval = 2 * ph.r.seconds / static_cast<double>(ph.installs);
  }
  return nlohmann::json{{"flows", a.flows},  {"frame_size", a.size},   {"seconds", a.seconds},
                        {"rate_mpps", rate}, {"baselines", baselines}, {"phases", phases}};
}

}  // namespace maglb::bench
