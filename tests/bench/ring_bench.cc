// In-process benchmarks of maglb's engine on a net_ring port, with traffic
// this process generates and checks (ring_harness.h). Prints one JSON
// document. Needs root and hugepages.
//
//   bench_ring --mode throughput|rfc2544|updates|synflood|soak [--flows N]
//              [--size BYTES] [--runs R] [--seconds S] [--rx-slots N]
//              [--rate-mpps X] [--steps K] [--syn-share F] [--capacity N]
#include <unistd.h>

#include <cstdio>
#include <string>

#include "bench_traffic.h"
#include "ring_harness.h"
#include "ring_modes.h"

int main(int argc, char **argv) {
  maglb::bench::RingArgs a;
  std::string mode;
  bool ok = argc % 2 == 1;
  for (int i = 1; ok && i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--mode")
      mode = v;
    else if (k == "--flows")
      a.flows = std::stoull(v);
    else if (k == "--size")
      a.size = static_cast<unsigned>(std::stoul(v));
    else if (k == "--runs")
      a.runs = std::stoi(v);
    else if (k == "--seconds")
      a.seconds = std::stod(v);
    else if (k == "--rx-slots")
      a.rx_slots = static_cast<unsigned>(std::stoul(v));
    else if (k == "--rate-mpps")
      a.rate_mpps = std::stod(v);
    else if (k == "--steps")
      a.steps = std::stoi(v);
    else if (k == "--syn-share")
      a.syn_share = std::stod(v);
    else if (k == "--capacity")
      a.capacity = static_cast<uint32_t>(std::stoul(v));
    else
      ok = false;
  }
  ok = ok && a.flows > 0 && a.flows <= maglb::bench::kMaxFlows && a.size >= 64 && a.size <= 1518 &&
       a.runs > 0 && a.seconds > 0 && a.rx_slots >= 64 && a.rx_slots <= 8192 && a.syn_share > 0 &&
       a.syn_share <= 1;
  if (!ok || mode.empty()) {
    std::fprintf(stderr,
                 "usage: %s --mode throughput|rfc2544|updates|synflood|soak [--flows N] [--size B] "
                 "[--runs R] [--seconds S] [--rx-slots N] [--rate-mpps X] [--steps K] "
                 "[--syn-share F] [--capacity N]\n",
                 argv[0]);
    return 2;
  }
  if (geteuid() != 0) {
    std::printf("SKIP: needs root and hugepages\n");
    return 77;
  }
  // The engine and the EAL print to stdout: that goes to stderr, and the
  // JSON document alone to the original stdout.
  FILE *json_out = fdopen(dup(STDOUT_FILENO), "w");
  dup2(STDERR_FILENO, STDOUT_FILENO);
  std::string error;
  if (!maglb::bench::init_eal(&error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
  std::optional<nlohmann::json> out;
  if (mode == "throughput")
    out = maglb::bench::run_throughput(a, &error);
  else if (mode == "rfc2544")
    out = maglb::bench::run_rfc2544(a, &error);
  else if (mode == "updates")
    out = maglb::bench::run_updates(a, &error);
  else if (mode == "synflood")
    out = maglb::bench::run_synflood(a, &error);
  else if (mode == "soak")
    out = maglb::bench::run_soak(a, &error);
  else
    error = "unknown mode " + mode;
  if (!out) return std::fprintf(stderr, "bench_ring %s: %s\n", mode.c_str(), error.c_str()), 1;
  (*out)["mode"] = mode;
  std::fprintf(json_out, "%s\n", out->dump(1).c_str());
  std::fclose(json_out);
  if (out->contains("pass") && !(*out)["pass"].get<bool>()) return 1;
  // The EAL's lcore threads and hugepage maps are released by the exit.
  return 0;
}
