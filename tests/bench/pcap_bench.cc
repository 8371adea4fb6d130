// maglb-dataplane (one worker) against its ceiling on the same input, in
// the same run: dpdk-testpmd --forward-mode=macswap. Both read one pcap
// with net_pcap infinite_rx (the whole file is loaded into mbufs at start
// and replayed from memory) and drop on transmit (no tx devargs), so the
// difference is the load balancer's work. Runs alternate (testpmd, maglb)
// so that drift on a shared machine hits both.
//
//   bench_pcap --dataplane BIN --pcap FILE --frames N [--size BYTES]
//              [--runs R] [--seconds S] [--testpmd PATH]
//
// Per run: Mpps over an S-second window after warm-up (maglb: every flow
// of the pcap inserted; testpmd: its first stats period passed), and the
// forwarding thread's CPU time over the same window (schedstat), so cycles
// per packet = TSC Hz x CPU seconds / packets stays right when other
// processes take turns on the worker's core. Prints one JSON document.
// Needs root and hugepages (mbufs for N frames, about 2.5 KB each).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench_stats.h"
#include "bench_traffic.h"
#include "dataplane_process.h"
#include "proc_stats.h"

namespace {

using maglb::dpdk_test::DataplaneProcess;
using maglb::dpdk_test::TempDir;
using maglb::dpdk_test::wait_until;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The EAL's name for the forwarding lcore's thread (DPDK 22.11).
constexpr const char *kWorkerThread = "rte-worker-1";

struct Args {
  std::string dataplane, pcap, testpmd = "/usr/bin/dpdk-testpmd";
  uint64_t frames = 0;
  unsigned size = 64;
  int runs = 5, seconds = 5;
};

std::vector<std::string> eal_args(const std::string &prefix, const Args &a) {
  return {"-l",
          "0-1",
          "--no-pci",
          "--file-prefix=" + prefix + std::to_string(getpid()),
          "--huge-unlink",
          "--log-level=lib.eal:warning",
          "--vdev=net_pcap0,rx_pcap=" + a.pcap + ",infinite_rx=1"};
}

// CPU time of the forwarding thread of the (only) child process, polled
// until the EAL has named it.
struct WorkerClock {
  pid_t pid = 0, tid = 0;
  bool find() {
    return wait_until(
        [&] {
          const std::vector<pid_t> children = maglb::bench::child_pids();
          if (children.size() != 1) return false;
          pid = children[0];
          auto t = maglb::bench::find_thread(pid, kWorkerThread);
          if (t) tid = *t;
          return t.has_value();
        },
        60s);
  }
  uint64_t ns() const { return maglb::bench::thread_cpu_ns(pid, tid).value_or(0); }
};

nlohmann::json window(double packets, double seconds, double cpu_ns, double tsc_hz) {
  nlohmann::json r;
  r["mpps"] = packets / seconds / 1e6;
  r["cpu_share"] = cpu_ns / 1e9 / seconds;
  r["cycles_per_packet"] = packets > 0 ? tsc_hz * cpu_ns / 1e9 / packets : 0.0;
  r["seconds"] = seconds;
  return r;
}

std::optional<nlohmann::json> run_testpmd(const Args &a, const TempDir &dir, double tsc_hz,
                                          std::string *error) {
  // Line-buffered, so each stats block reaches the log when printed (a
  // block-buffered file would bunch several periods into one write).
  std::vector<std::string> args = {"-oL", a.testpmd};
  for (const std::string &s : eal_args("maglb_bench_tp", a)) args.push_back(s);
  for (const char *s : {"--", "--forward-mode=macswap", "--no-mlockall", "--stats-period", "1"})
    args.push_back(s);
  args.push_back("--total-num-mbufs");
  args.push_back(std::to_string(a.frames + 16384));
  const std::string log = dir.file("testpmd.log");
  DataplaneProcess tp("/usr/bin/stdbuf", args, log);
  if (!tp.start(error)) return std::nullopt;
  auto log_text = [&] {
    std::ifstream in(log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  auto count = [](const std::string &text, const std::string &what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
    return n;
  };
  WorkerClock wc;
  // Two stats blocks: the first covers start-up, the second steady state.
  if (!wc.find() ||
      !wait_until([&] { return !tp.running() || count(log_text(), "Rx-pps:") >= 2; }, 300s) ||
      !tp.running()) {
    *error = "testpmd did not forward; its output:\n" + tp.log();
    return std::nullopt;
  }
  const size_t from = log_text().size();
  const uint64_t cpu0 = wc.ns();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(a.seconds));
  const uint64_t cpu1 = wc.ns();
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string text = log_text().substr(from);
  tp.stop(30s);
  // testpmd's own rate per stats period (it times them with the TSC).
  std::vector<double> pps;
  std::regex re("Rx-pps:\\s+([0-9]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    pps.push_back(std::stod((*it)[1]));
  }
  if (pps.empty()) {
    *error = "no testpmd stats in the window";
    return std::nullopt;
  }
  double mean = 0;
  for (double p : pps) mean += p / static_cast<double>(pps.size());
  nlohmann::json r = window(mean * dt, dt, static_cast<double>(cpu1 - cpu0), tsc_hz);
  r["periods"] = pps.size();
  return r;
}

std::optional<maglb::bench::Totals> totals(maglb::dpdk_client::Client &c) {
  nlohmann::json s;
  if (!c.get_stats(&s).ok()) return std::nullopt;
  return maglb::bench::Totals::of(s);
}

std::optional<nlohmann::json> run_maglb(const Args &a, const TempDir &dir, double tsc_hz,
                                        std::string *error) {
  std::vector<std::string> args = eal_args("maglb_bench_lb", a);
  const std::string sock = dir.file("ctl.sock");
  const uint64_t flows_per_core = std::max<uint64_t>(2 * a.frames, 65536);
  for (const std::string &s : {std::string("--"), std::string("--port"), std::string("net_pcap0"),
                               std::string("--wait-for-table"), std::string("--control-socket"),
                               sock, std::string("--mbufs"), std::to_string(a.frames + 16384),
                               std::string("--flows-per-core"), std::to_string(flows_per_core)})
    args.push_back(s);
  DataplaneProcess dp(a.dataplane, args, dir.file("maglb.log"));
  if (!dp.start(error)) return std::nullopt;
  auto client = dp.connect(sock, 300s, error);
  if (!client) return std::nullopt;
  auto r = client->set_interface(maglb::bench::interface_json());
  if (r.ok())
    r = client->install_snapshot(
        maglb::bench::make_table(1, maglb::bench::default_backends()).blob);
  if (!r.ok()) {
    *error = "set-up: " + r.message;
    return std::nullopt;
  }
  WorkerClock wc;
  std::optional<maglb::bench::Totals> t0;
  // Warm-up: one pass over the pcap inserts every flow.
  if (!wc.find() ||
      !wait_until(
          [&] {
            t0 = totals(*client);
            return !t0 || t0->flow_new >= a.frames;
          },
          120s) ||
      !t0) {
    *error = "the flows were not all inserted; dataplane output:\n" + dp.log();
    return std::nullopt;
  }
  t0 = totals(*client);
  const uint64_t cpu0 = wc.ns();
  const auto w0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(a.seconds));
  auto t1 = totals(*client);
  const uint64_t cpu1 = wc.ns();
  const double dt = std::chrono::duration<double>(Clock::now() - w0).count();
  dp.stop(30s);
  if (!t0 || !t1) {
    *error = "GET_STATS failed";
    return std::nullopt;
  }
  const double rx = static_cast<double>(t1->rx - t0->rx);
  nlohmann::json j = window(rx, dt, static_cast<double>(cpu1 - cpu0), tsc_hz);
  j["forwarded_share"] = rx > 0 ? static_cast<double>(t1->forwarded - t0->forwarded) / rx : 0.0;
  j["drops"] = t1->drops - t0->drops;
  j["packets_per_loop"] =
      t1->loops > t0->loops ? rx / static_cast<double>(t1->loops - t0->loops) : 0;
  j["flow_new"] = t1->flow_new - t0->flow_new;
  j["flow_evicted"] = t1->flow_evicted - t0->flow_evicted;
  j["flows_per_core"] = flows_per_core;
  return j;
}

bool parse(int argc, char **argv, Args *a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--dataplane")
      a->dataplane = v;
    else if (k == "--pcap")
      a->pcap = v;
    else if (k == "--testpmd")
      a->testpmd = v;
    else if (k == "--frames")
      a->frames = std::stoull(v);
    else if (k == "--size")
      a->size = static_cast<unsigned>(std::stoul(v));
    else if (k == "--runs")
      a->runs = std::stoi(v);
    else if (k == "--seconds")
      a->seconds = std::stoi(v);
    else
      return false;
  }
  return argc % 2 == 1 && !a->dataplane.empty() && !a->pcap.empty() && a->frames > 0 &&
         a->runs > 0 && a->seconds > 0;
}

}  // namespace

int main(int argc, char **argv) {
  Args a;
  if (!parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: %s --dataplane BIN --pcap FILE --frames N [--size BYTES] [--runs R] "
                 "[--seconds S] [--testpmd PATH]\n",
                 argv[0]);
    return 2;
  }
  if (geteuid() != 0) {
    std::printf("SKIP: needs root and hugepages\n");
    return 77;
  }
  const double hz = maglb::bench::measure_tsc_hz();
  TempDir dir;
  nlohmann::json out, runs = nlohmann::json::array();
  std::vector<double> tp_mpps, lb_mpps, tp_cpp, lb_cpp;
  for (int r = 0; r < a.runs; r++) {
    std::string error;
    auto tp = run_testpmd(a, dir, hz, &error);
    if (!tp) return std::fprintf(stderr, "run %d, testpmd: %s\n", r + 1, error.c_str()), 1;
    auto lb = run_maglb(a, dir, hz, &error);
    if (!lb) return std::fprintf(stderr, "run %d, maglb: %s\n", r + 1, error.c_str()), 1;
    std::fprintf(stderr, "run %d: testpmd %.2f Mpps (%.0f cycles/pkt), maglb %.2f Mpps (%.0f)\n",
                 r + 1, (*tp)["mpps"].get<double>(), (*tp)["cycles_per_packet"].get<double>(),
                 (*lb)["mpps"].get<double>(), (*lb)["cycles_per_packet"].get<double>());
    tp_mpps.push_back((*tp)["mpps"]);
    lb_mpps.push_back((*lb)["mpps"]);
    tp_cpp.push_back((*tp)["cycles_per_packet"]);
    lb_cpp.push_back((*lb)["cycles_per_packet"]);
    runs.push_back({{"testpmd", *tp}, {"maglb", *lb}});
  }
  out["frames"] = a.frames;
  out["frame_size"] = a.size;
  out["seconds"] = a.seconds;
  out["tsc_hz"] = hz;
  out["runs"] = runs;
  const double lb = maglb::bench::median(lb_mpps), tp = maglb::bench::median(tp_mpps);
  const double lbc = maglb::bench::median(lb_cpp), tpc = maglb::bench::median(tp_cpp);
  out["median"] = {{"maglb_mpps", lb},
                   {"testpmd_mpps", tp},
                   {"maglb_cycles_per_packet", lbc},
                   {"testpmd_cycles_per_packet", tpc},
                   {"ratio_mpps", tp > 0 ? lb / tp : 0.0},
                   {"ratio_cycles", lbc > 0 ? tpc / lbc : 0.0},
                   {"maglb_gbps", lb * a.size * 8 / 1000}};
  std::printf("%s\n", out.dump(1).c_str());
  return 0;
}
