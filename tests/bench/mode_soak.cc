// Soak (scripts/soak.sh, docs/robustness.md "Soak"): unpaced forwarding of
// established flows for a.seconds while another connection installs a new
// table every second. The tables cycle through 8 variants: weights change
// every time, and every other table takes a block of 50 backends out (as
// the health checker does when they fail their checks) that the next one
// brings back, so flows keep being rebalanced. Checked after every window
// (the pump drains, so the counters are quiescent):
//   - rx_packets grew by exactly the frames offered, tx_forwarded by
//     exactly the frames received back, and rx_packets = tx_forwarded +
//     tx_icmp_generated + pass_to_kernel + sum(drop_*) exactly;
//   - no malformed output frame;
// and over the whole run: anonymous memory (RssAnon) and the in-use counts
// of both mbuf pools (the engine's and the frames') flat after the first
// window, every install accepted.
#include <rte_mempool.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "lb_session.h"
#include "proc_stats.h"
#include "ring_modes.h"

namespace maglb::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kVariants = 8;
constexpr uint32_t kFlapBlock = 50;

std::vector<BenchTable> soak_tables() {
  std::mt19937 rng(11);
  std::vector<BenchTable> out;
  for (int v = 0; v < kVariants; v++) {
    std::vector<BenchBackend> b;
    const uint32_t down_from = (v % 2) ? 1 + (v / 2) * kFlapBlock : 0;
    for (uint32_t id = 1; id <= kBackends; id++) {
      if (down_from && id >= down_from && id < down_from + kFlapBlock) continue;
      b.push_back({id, static_cast<uint16_t>(1 + rng() % 3)});
    }
    out.push_back(make_table(0, b));
  }
  return out;
}

uint64_t pool_in_use(const char *name) {
  const rte_mempool *p = rte_mempool_lookup(name);
  return p ? rte_mempool_in_use_count(p) : 0;
}

struct Sample {
  double t;
  uint64_t rss, engine_mbufs, frame_mbufs;
};

}  // namespace

std::optional<nlohmann::json> run_soak(const RingArgs &a, std::string *error) {
  LbSession s;
  if (!s.start(a.rx_slots, flows_per_core_for(a.flows), static_cast<uint16_t>(a.size), error) ||
      !s.establish(a.flows, error))
    return std::nullopt;
  uint64_t next = 0;
  const Fill fill = cycling_flows(s.ack(), a.flows, &next);
  uint64_t malformed = 0;
  const Check check = [&](rte_mbuf *const *m, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
      auto o = parse_ipip_output(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len);
      if (!o || !backend_id_of(o->backend_addr) || !client_flow_index(o->inner.src, o->inner.sport))
        malformed++;
    }
  };

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> installs{0}, install_errors{0};
  std::string first_install_error;
  std::thread installer([&] {
    std::vector<BenchTable> tables = soak_tables();
    std::string why;
    auto c = dpdk_client::Client::connect(s.engine().socket_path(), std::chrono::seconds(30), &why);
    if (!c) {
      first_install_error = why;
      install_errors++;
      return;
    }
    auto due = Clock::now();
    for (uint64_t i = 0; !stop.load(); i++) {
      std::vector<uint8_t> &blob = tables[i % kVariants].blob;
      set_generation(blob, 2 + i);
      const auto r = c->install_snapshot(blob);
      if (r.ok()) {
        installs++;
      } else if (install_errors++ == 0) {
        first_install_error = r.message;
      }
      due += std::chrono::seconds(1);
      // The churn's pace (one table a second), not a wait for a condition.
      while (!stop.load() && Clock::now() < due)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  std::string frame_pool_error;
  const rte_mempool *frames = frame_pool(&frame_pool_error);
  const char *frames_name = frames ? frames->name : "";
  std::vector<std::string> failures;
  std::vector<Sample> samples;
  nlohmann::json windows = nlohmann::json::array();
  auto before = s.engine().stats();
  const auto t0 = Clock::now();
  double elapsed = 0;
  uint64_t offered = 0, received = 0;
  while (before && elapsed < a.seconds) {
    const double window = std::min(5.0, a.seconds - elapsed);
    malformed = 0;
    const PumpResult r = s.pump().run(window, 0, fill, check);
    auto after = s.engine().stats();
    if (!after) {
      failures.push_back("GET_STATS failed");
      break;
    }
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const nlohmann::json &tb = (*before)["totals"], &ta = (*after)["totals"];
    auto d = [&](const char *k) { return ta[k].get<uint64_t>() - tb[k].get<uint64_t>(); };
    uint64_t drops = 0;
    for (const auto &[k, v] : ta.items())
      if (k.rfind("drop_", 0) == 0) drops += v.get<uint64_t>();
    const uint64_t outcomes = ta["tx_forwarded"].get<uint64_t>() +
                              ta["tx_icmp_generated"].get<uint64_t>() +
                              ta["pass_to_kernel"].get<uint64_t>() + drops;
    const std::string at = "window at " + std::to_string(static_cast<int>(elapsed)) + " s: ";
    if (d("rx_packets") != r.offered)
      failures.push_back(at + "rx_packets grew by " + std::to_string(d("rx_packets")) + ", " +
                         std::to_string(r.offered) + " offered");
    if (d("tx_forwarded") != r.received)
      failures.push_back(at + "tx_forwarded grew by " + std::to_string(d("tx_forwarded")) + ", " +
                         std::to_string(r.received) + " received");
    if (ta["rx_packets"].get<uint64_t>() != outcomes)
      failures.push_back(at + "rx_packets != forwarded + icmp + pass + drops");
    if (malformed) failures.push_back(at + std::to_string(malformed) + " malformed outputs");
    offered += r.offered;
    received += r.received;
    samples.push_back(
        {elapsed, rss_anon_bytes(getpid()), pool_in_use("maglb_mbufs"), pool_in_use(frames_name)});
    windows.push_back({{"t", elapsed},
                       {"mpps", r.received_mpps()},
                       {"offered", r.offered},
                       {"received", r.received},
                       {"rss_anon", samples.back().rss},
                       {"engine_mbufs_in_use", samples.back().engine_mbufs},
                       {"frame_mbufs_in_use", samples.back().frame_mbufs},
                       {"flow_rebalanced", d("flow_rebalanced")},
                       {"drops", drops}});
    std::fprintf(stderr, "soak %5.0f s: %.2f Mpps, rss %.1f MiB, mbufs in use %llu + %llu\n",
                 elapsed, r.received_mpps(), samples.back().rss / 1048576.0,
                 static_cast<unsigned long long>(samples.back().engine_mbufs),
                 static_cast<unsigned long long>(samples.back().frame_mbufs));
    before = after;
  }
  stop = true;
  installer.join();
  if (!before) failures.push_back("GET_STATS failed");

  // Flat: nothing after the first window above it by more than allocator
  // noise (RSS) or one burst's worth of mbufs per ring (pools).
  constexpr uint64_t kRssSlack = 4u << 20, kMbufSlack = 64;
  if (!samples.empty()) {
    const Sample &first = samples.front();
    for (const Sample &x : samples) {
      if (x.rss > first.rss + kRssSlack)
        failures.push_back("RssAnon grew from " + std::to_string(first.rss) + " to " +
                           std::to_string(x.rss) + " bytes by " + std::to_string(x.t) + " s");
      if (x.engine_mbufs > first.engine_mbufs + kMbufSlack ||
          x.frame_mbufs > first.frame_mbufs + kMbufSlack)
        failures.push_back("mbufs in use grew by " + std::to_string(x.t) + " s");
    }
  }
  if (install_errors) failures.push_back("install failed: " + first_install_error);
  if (installs < static_cast<uint64_t>(0.8 * elapsed))
    failures.push_back("only " + std::to_string(installs.load()) + " tables installed");
  if (failures.size() > 20) failures.resize(20);
  return nlohmann::json{{"flows", a.flows},     {"seconds", elapsed},          {"offered", offered},
                        {"received", received}, {"installs", installs.load()}, {"windows", windows},
                        {"failures", failures}, {"pass", failures.empty()}};
}

}  // namespace maglb::bench
