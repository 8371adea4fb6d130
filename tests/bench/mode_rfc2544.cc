// Zero-loss throughput in the manner of RFC 2544 (section 26.1): offer
// frames at a fixed rate for a trial, count every frame that does not come
// back (refused by the full RX ring, as a NIC counts rx_missed, or dropped
// by the dataplane), and binary-search the highest rate with no loss. The
// search starts from the unpaced maximum measured first. Trials are
// seconds, not RFC 2544's 60 s: this machine is shared, and a longer trial
// only lowers the figure by catching more of the other tenants' bursts.
#include "lb_session.h"
#include "ring_modes.h"

namespace maglb::bench {

namespace {

struct Trial {
  double target_mpps;
  PumpResult r;
  Totals d;
  bool pass() const { return r.lost() == 0; }
  nlohmann::json to_json() const {
    return {{"target_mpps", target_mpps}, {"offered_mpps", r.offered_mpps()},
            {"offered", r.offered},       {"received", r.received},
            {"lost", r.lost()},           {"ring_full", r.ring_full},
            {"dataplane_drops", d.drops}, {"sender_late", r.sender_late},
            {"seconds", r.seconds},       {"pass", pass()}};
  }
};

}  // namespace

std::optional<nlohmann::json> run_rfc2544(const RingArgs &a, std::string *error) {
  LbSession s;
  if (!s.start(a.rx_slots, flows_per_core_for(a.flows), static_cast<uint16_t>(a.size), error) ||
      !s.establish(a.flows, error)) {
    return std::nullopt;
  }
  uint64_t next = 0;
  const Fill fill = cycling_flows(s.ack(), a.flows, &next);
  const PumpResult top = s.pump().run(a.seconds, 0, fill, nullptr);
  const double max_mpps = top.received_mpps();

  nlohmann::json trials = nlohmann::json::array();
  auto trial = [&](double mpps) -> std::optional<Trial> {
    auto t0 = s.totals();
    Trial t{mpps, s.pump().run(a.seconds, mpps * 1e6, fill, nullptr), {}};
    auto t1 = s.totals();
    if (!t0 || !t1) return std::nullopt;
    t.d = t1->since(*t0);
    trials.push_back(t.to_json());
    std::fprintf(stderr, "trial %.3f Mpps: offered %.3f, lost %llu (ring full %llu, drops %llu)\n",
                 mpps, t.r.offered_mpps(), static_cast<unsigned long long>(t.r.lost()),
                 static_cast<unsigned long long>(t.r.ring_full),
                 static_cast<unsigned long long>(t.d.drops));
    return t;
  };
  double best = 0, best_offered = 0;
  auto first = trial(max_mpps);
  if (!first) return *error = "GET_STATS failed", std::nullopt;
  double lo = 0, hi = max_mpps;
  if (first->pass()) {
    best = max_mpps;
    best_offered = first->r.offered_mpps();
  } else {
    for (int i = 0; i < a.steps; i++) {
      const double mid = (lo + hi) / 2;
      auto t = trial(mid);
      if (!t) return *error = "GET_STATS failed", std::nullopt;
      if (t->pass()) {
        lo = best = mid;
        best_offered = t->r.offered_mpps();
      } else {
        hi = mid;
      }
    }
  }
  return nlohmann::json{{"flows", a.flows},
                        {"frame_size", a.size},
                        {"trial_seconds", a.seconds},
                        {"rx_slots", a.rx_slots},
                        {"unpaced_mpps", max_mpps},
                        {"zero_loss_target_mpps", best},
                        {"zero_loss_mpps", best_offered},
                        {"resolution_mpps", hi - lo},
                        {"trials", trials}};
}

}  // namespace maglb::bench
