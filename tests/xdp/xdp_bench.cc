// Nanoseconds per packet of the XDP program, through BPF_PROG_TEST_RUN, the
// way /work/shared/TESTBED.md prescribes: repeat = 1 (with repeat > 1 the
// kernel reruns the program on its own encapsulated output), one call per
// packet, the kernel-measured duration of each call summed, every return
// code and output length checked, several runs, the median reported, and a
// trivial XDP_PASS program measured the same way as the floor.
//
//   sudo build/tests/xdp/xdp_bench [--calls N] [--runs R]
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "fixture_env.h"
#include "fixture_model.h"
#include "fixtures.h"
#include "xdp_pass.skel.h"

namespace {

using maglb::fixtures::Bytes;
using maglb::xdptest::FixtureEnv;
using maglb::xdptest::TestRun;

struct Case {
  std::string name;
  int prog_fd;
  uint32_t action;  // every call must return this
  size_t out_len;   // and produce a frame of this length
  // Rewrites the frame for call i (e.g. a new source port: a new flow).
  std::function<void(Bytes &, uint64_t)> vary;
  Bytes frame;
  bool new_flows = false;  // each call a flow never seen before
};

// Mean ns per call of one run, or -1 after printing the first bad call.
double run_once(const FixtureEnv &env, Case &c, uint64_t calls, uint64_t first) {
  uint64_t total = 0;
  for (uint64_t i = 0; i < calls; ++i) {
    if (c.vary) c.vary(c.frame, first + i);
    const TestRun r = env.run(c.prog_fd, c.frame);
    if (r.rc != 0 || r.action != c.action || r.output.size() != c.out_len) {
      std::fprintf(stderr, "%s: call %llu: rc %d action %u output %zu bytes (want %u, %zu)\n",
                   c.name.c_str(), static_cast<unsigned long long>(i), r.rc, r.action,
                   r.output.size(), c.action, c.out_len);
      return -1;
    }
    total += r.duration_ns;
  }
  return static_cast<double>(total) / static_cast<double>(calls);
}

// Client address 198.19.x.y and source port from a flow number: 2^32 flows.
void set_flow(Bytes &f, uint64_t n) {
  const size_t ip = 14;
  f[ip + 14] = static_cast<uint8_t>(n >> 24);
  f[ip + 15] = static_cast<uint8_t>(n >> 16);
  f[ip + 20] = static_cast<uint8_t>(n >> 8);  // TCP source port
  f[ip + 21] = static_cast<uint8_t>(n);
}

}  // namespace

int main(int argc, char **argv) {
  uint64_t calls = 1'000'000;
  int runs = 5;
  uint64_t flows = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--flows") == 0) flows = std::strtoull(argv[i + 1], nullptr, 10);
  }
  // By default every SYN of every run is a distinct flow, all on the one CPU
  // that runs the benchmark, whose range of the table (flow_entries / ncpus,
  // maglb_xdp_abi.h) holds 8M flows like Katran's 8M-entry LRU, or half as
  // many again as the flows inserted if that is more.
  const int ncpus = libbpf_num_possible_cpus();
  if (flows == 0)
    flows = std::max<uint64_t>((calls * runs + 65536) * 3 / 2, 1u << 23) *
            static_cast<uint64_t>(ncpus > 0 ? ncpus : 1);
  std::string err;
  auto env = FixtureEnv::create(static_cast<uint32_t>(flows), &err);
  if (!env) {
    std::fprintf(stderr, "xdp_bench: %s\n", err.c_str());
    return 1;
  }
  xdp_pass *pass = xdp_pass__open_and_load();
  if (!pass) {
    std::fprintf(stderr, "xdp_bench: cannot load the XDP_PASS program\n");
    return 1;
  }
  const int lb = env->dp().prog_fd();
  const int floor_fd = bpf_program__fd(pass->progs.maglb_xdp_pass);

  namespace fx = maglb::fixtures;
  const fx::Model m = fx::fixture_model();
  const fx::VipDef &a = m.vip("A");  // 198.18.100.1:80/tcp, IPIP to on-link backends
  auto tcp = [&](const fx::Ip &dst, bool syn) {
    fx::PacketBuilder b;
    b.Eth(fx::port_mac(), fx::peer_mac()).Ipv4(fx::ip("198.19.0.1"), dst);
    fx::TcpOpts o;
    o.flags = syn ? 0x02 : 0x10;  // SYN, or ACK of an established flow
    b.Tcp(1024, 80, o);
    return b.Build();
  };
  const Bytes syn = tcp(a.addr, true), ack = tcp(a.addr, false);
  const Bytes other = tcp(fx::ip("198.18.200.1"), false);
  const size_t encap = syn.size() + 20;

  // 65,536 established flows (inserted once, before any measurement).
  Case warm{"warmup", lb, XDP_TX, encap, set_flow, syn};
  if (run_once(*env, warm, 65536, 0) < 0) return 1;

  std::vector<Case> cases = {
      {"floor (XDP_PASS program)", floor_fd, XDP_PASS, syn.size(), nullptr, syn},
      {"non-VIP (PASS)", lb, XDP_PASS, other.size(), nullptr, other},
      {"established, one flow", lb, XDP_TX, encap, nullptr, ack},
      {"established, 65,536 flows", lb, XDP_TX, encap,
       [](Bytes &f, uint64_t i) { set_flow(f, i % 65536); }, ack},
      {"new flow (SYN, inserted)", lb, XDP_TX, encap, set_flow, syn, true},
  };
  std::printf("%-28s %10s %10s   (median of %d runs of %llu calls, repeat=1, %llu flows)\n", "case",
              "ns/packet", "net", runs, static_cast<unsigned long long>(calls),
              static_cast<unsigned long long>(flows));
  double floor_ns = 0;
  uint64_t next_flow = 1u << 20;  // new flows never collide with the warm ones
  for (Case &c : cases) {
    std::vector<double> per_run;
    for (int r = 0; r < runs; ++r) {
      const double ns = run_once(*env, c, calls, next_flow);
      if (ns < 0) return 1;
      if (c.new_flows) next_flow += calls;
      per_run.push_back(ns);
    }
    std::sort(per_run.begin(), per_run.end());
    const double median = per_run[per_run.size() / 2];
    if (c.prog_fd == floor_fd) floor_ns = median;
    std::printf("%-28s %10.1f %10.1f   runs:", c.name.c_str(), median, median - floor_ns);
    for (double v : per_run) std::printf(" %.1f", v);
    std::printf("\n");
  }
  const auto new_flows = env->dp().counter("flow_new");
  const auto evicted = env->dp().counter("flow_evicted");
  std::printf("flow_new counted: %llu, flow_evicted: %llu\n",
              static_cast<unsigned long long>(new_flows ? *new_flows : 0),
              static_cast<unsigned long long>(evicted ? *evicted : 0));
  xdp_pass__destroy(pass);
  return 0;
}
