// Differential fuzzer: every input frame through both dataplanes with the
// same snapshot (the fixture snapshot of tests/packets) and the same
// network (FixtureEnv rebuilds the fixture network for bpf_fib_lookup):
// the DPDK packet core (process_burst) and the XDP object
// (bpf/maglb_xdp.bpf.c through BPF_PROG_TEST_RUN). docs/forwarding.md says
// both take the same decision for every frame and write the same bytes;
// the packet fixtures check that for hand-written frames, this checks it
// for any frame. Per frame it asserts what xdp_fixtures_test asserts:
//   - the same verdict (XDP_TX = Tx, XDP_PASS = Pass, XDP_DROP = Drop; any
//     other action is a failure);
//   - for Tx and Pass, the same output bytes (Pass: the input, unchanged);
//   - the same delta of every counter of maglb_counter (and the counter
//     invariant, on both sides).
// A mismatch prints both frames in hex, the input as a scapy command and
// the frames before it in the input (connection tracking carries state
// from one to the next), then aborts so libFuzzer saves the input.
//
// Input: fuzz_packet's format (docs/robustness.md), so its corpus seeds
// this one. Byte 0 (burst size), byte 1 (clock step) and each record's
// room byte are read but not used: BPF_PROG_TEST_RUN runs one frame at a
// time, on the kernel's clock, with XDP's fixed headroom, so the core is
// given one frame per burst at one instant with the same headroom (see
// run_core). Each input starts from empty connection tracking on both.
//
// Needs root (BPF, a network namespace): without it, skips with the
// reason (exit 77; run_fuzzer.sh and replay_main.cc report a skip).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core_runner.h"
#include "fixture_env.h"
#include "fixtures.h"
#include "test_netns.h"
#include "worker.h"

using namespace maglb;

namespace {

// BPF_PROG_TEST_RUN puts the frame XDP_PACKET_HEADROOM bytes into a page
// (docs/xdp.md); the core gets as much room before the frame, and after it
// the rest of the page less skb_shared_info, so neither side runs out of
// room where the other does not.
constexpr uint16_t kXdpHeadroom = 256;
constexpr size_t kXdpPage = 4096;
constexpr size_t kSkbSharedInfo = 320;  // SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), x86-64
// The longest frame one XDP buffer holds. The program is not multi-buffer
// (SEC("xdp"), not "xdp.frags"): drivers refuse it on an MTU that needs
// more, and BPF_PROG_TEST_RUN would hand it only this linear part of a
// longer frame (drop_bad_ipv4 where the core forwards), so longer records
// are cut to this length (docs/xdp.md, "Differences from the DPDK
// dataplane").
constexpr size_t kMaxFrame = kXdpPage - kXdpHeadroom - kSkbSharedInfo;
// Frames per input: bounds the flows an input creates far below both
// tables' capacity (below), so neither side evicts.
constexpr size_t kMaxFrames = 256;
constexpr size_t kCoreFlows = 1 << 16;
constexpr uint32_t kXdpFlows = 1 << 14;

struct Side {
  core::Verdict verdict = core::Verdict::Drop;
  std::vector<uint8_t> output;
  maglb_counters counters{};  // deltas of this frame alone
};

std::unique_ptr<xdptest::FixtureEnv> g_env;
std::unique_ptr<core::WorkerContext> g_ctx;
std::unique_ptr<core::Snapshot> g_snap;
std::unique_ptr<core::NeighborTable> g_neigh;
int g_ncpus = 0;

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "fuzz_xdp_parity: %s\n", what.c_str());
  // Removes the namespace and the pinned maps; abort() skips destructors.
  g_env.reset();
  std::abort();
}

core::Verdict verdict_of(uint32_t action) {
  switch (action) {
    case XDP_TX:
      return core::Verdict::Tx;
    case XDP_PASS:
      return core::Verdict::Pass;
    default:
      return core::Verdict::Drop;
  }
}

// All of maglb_counters summed over CPUs, in one batch lookup (a lookup
// per counter would cost more than the test run itself).
maglb_counters read_xdp_counters() {
  const int fd = g_env->dp().maps().counters;
  std::vector<uint32_t> keys(MAGLB_C__COUNT);
  std::vector<uint64_t> values(static_cast<size_t>(MAGLB_C__COUNT) * g_ncpus);
  uint32_t count = MAGLB_C__COUNT;
  uint32_t out_batch = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  const int rc =
      bpf_map_lookup_batch(fd, nullptr, &out_batch, keys.data(), values.data(), &count, &opts);
  // ENOENT: the end of the map was reached (with `count` entries read).
  if ((rc != 0 && errno != ENOENT) || count != MAGLB_C__COUNT)
    fail("read XDP counters: " + std::string(std::strerror(errno)));
  maglb_counters c{};
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t sum = 0;
    for (int cpu = 0; cpu < g_ncpus; ++cpu) sum += values[static_cast<size_t>(i) * g_ncpus + cpu];
    c.v[keys[i]] = sum;
  }
  return c;
}

maglb_counters delta(const maglb_counters &after, const maglb_counters &before) {
  maglb_counters d{};
  for (int i = 0; i < MAGLB_C__COUNT; ++i) d.v[i] = after.v[i] - before.v[i];
  return d;
}

Side run_core(const std::vector<uint8_t> &frame) {
  // One frame per burst at one instant: the XDP side cannot batch, and its
  // clock (jiffies) is the kernel's; an input runs in far less than the
  // snapshot's idle timeouts (30 s and 300 s), so neither side expires a
  // flow. Headroom and tailroom as BPF_PROG_TEST_RUN gives (above).
  const uint16_t tail = static_cast<uint16_t>(kMaxFrame - frame.size());
  fixtures::FrameBuffer fb(frame, kXdpHeadroom);
  fb.packet.tailroom = std::min(fb.packet.tailroom, tail);
  const maglb_counters before = g_ctx->counters;
  Side s;
  core::process_burst(*g_ctx, *g_snap, *g_neigh, &fb.packet, &s.verdict, 1,
                      fixtures::kFixtureNowNs);
  s.output = fb.bytes();
  s.counters = delta(g_ctx->counters, before);
  return s;
}

Side run_xdp(const std::vector<uint8_t> &frame) {
  const maglb_counters before = read_xdp_counters();
  const xdptest::TestRun r = g_env->run(frame);
  if (r.rc != 0) fail("BPF_PROG_TEST_RUN failed: " + std::string(std::strerror(-r.rc)));
  if (r.action != XDP_TX && r.action != XDP_PASS && r.action != XDP_DROP)
    fail("unexpected XDP action " + std::to_string(r.action));
  Side s;
  s.verdict = verdict_of(r.action);
  s.output = r.output;
  s.counters = delta(read_xdp_counters(), before);
  return s;
}

std::string counter_report(const maglb_counters &core, const maglb_counters &xdp) {
  std::string out;
  for (int c = 0; c < MAGLB_C__COUNT; ++c)
    if (core.v[c] != 0 || xdp.v[c] != 0)
      out += std::string("  ") + maglb_counter_names[c] + ": core " + std::to_string(core.v[c]) +
             ", xdp " + std::to_string(xdp.v[c]) + (core.v[c] != xdp.v[c] ? "  <-- differs" : "") +
             "\n";
  return out;
}

bool invariant_holds(const maglb_counters &c) {
  uint64_t outcomes = 0;
  for (int i = 0; i < MAGLB_C__COUNT; ++i)
    if (maglb_counter_kinds[i] != MAGLB_COUNTER_KIND_INFO) outcomes += c.v[i];
  return outcomes == c.v[MAGLB_C_RX_PACKETS];
}

// "" if both sides agree on this frame, else what differs.
std::string compare(const Side &core, const Side &xdp, const std::vector<uint8_t> &input) {
  std::string why;
  if (core.verdict != xdp.verdict)
    why += std::string("verdict: core ") + fixtures::verdict_name(core.verdict) + ", xdp " +
           fixtures::verdict_name(xdp.verdict) + "\n";
  if (core.verdict == xdp.verdict && core.verdict != core::Verdict::Drop &&
      core.output != xdp.output)
    why += "output bytes differ\n";
  if (core.verdict == core::Verdict::Pass && core.output != input)
    why += "core modified a Pass frame\n";
  if (xdp.verdict == core::Verdict::Pass && xdp.output != input)
    why += "xdp modified a Pass frame\n";
  if (std::memcmp(&core.counters, &xdp.counters, sizeof(maglb_counters)) != 0)
    why += "counter deltas differ\n";
  if (!invariant_holds(core.counters)) why += "core breaks the counter invariant\n";
  if (!invariant_holds(xdp.counters)) why += "xdp breaks the counter invariant\n";
  return why;
}

[[noreturn]] void report(const std::string &why, const std::vector<std::vector<uint8_t>> &frames,
                         size_t at, const Side &core, const Side &xdp) {
  std::string r = "DIVERGENCE at frame " + std::to_string(at) + " of the input:\n" + why;
  r += "counters (deltas of this frame):\n" + counter_report(core.counters, xdp.counters);
  r += std::string("core: ") + fixtures::verdict_name(core.verdict) + ", " +
       std::to_string(core.output.size()) + " bytes\n" + fixtures::hex_dump(core.output);
  r += std::string("xdp: ") + fixtures::verdict_name(xdp.verdict) + ", " +
       std::to_string(xdp.output.size()) + " bytes\n" + fixtures::hex_dump(xdp.output);
  r += "core output as scapy: " + fixtures::scapy_command(core.output) + "\n";
  r += "xdp output as scapy: " + fixtures::scapy_command(xdp.output) + "\n";
  r += "input frame (" + std::to_string(frames[at].size()) + " bytes):\n" +
       fixtures::hex_dump(frames[at]);
  r += "input as scapy: " + fixtures::scapy_command(frames[at]) + "\n";
  for (size_t i = 0; i < at; ++i)
    r += "earlier frame " + std::to_string(i) + " as scapy: " + fixtures::scapy_command(frames[i]) +
         "\n";
  fail(r);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  if (const std::string why = xdptest::missing_privileges(); !why.empty()) {
    std::printf("SKIP fuzz_xdp_parity: %s\n", why.c_str());
    // run_fuzzer.sh cannot tell exit 77 from a finding (its
    // -error_exitcode): it reads the reason from this file instead.
    if (const char *f = std::getenv("MAGLB_FUZZ_SKIP_FILE")) {
      if (FILE *out = std::fopen(f, "w")) {
        std::fprintf(out, "%s\n", why.c_str());
        std::fclose(out);
      }
    }
    std::fflush(stdout);
    std::_Exit(77);
  }
  std::string err;
  g_env = xdptest::FixtureEnv::create(kXdpFlows, &err);
  if (!g_env) fail("fixture environment: " + err);
  g_ncpus = libbpf_num_possible_cpus();
  if (g_ncpus <= 0) fail("count CPUs");
  g_snap = core::Snapshot::from_blob(fixtures::fixture_snapshot_blob(), &err);
  if (!g_snap) fail("fixture snapshot: " + err);
  g_neigh = fixtures::fixture_neighbors();
  g_ctx = std::make_unique<core::WorkerContext>();
  if (!g_ctx->init(kCoreFlows, &err)) fail("worker init: " + err);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  std::vector<std::vector<uint8_t>> frames;
  for (size_t at = 2; at + 3 <= size && frames.size() < kMaxFrames;) {
    const size_t want = data[at] | (size_t{data[at + 1]} << 8);
    at += 3;
    const size_t len = std::min({want, size - at, kMaxFrame});
    frames.emplace_back(data + at, data + at + len);
    at += len;
  }
  if (frames.empty()) return 0;

  g_ctx->flows.clear();
  if (std::string err = g_env->dp().flush_flows(); !err.empty()) fail("flush XDP flows: " + err);
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::vector<uint8_t> &f = frames[i];
    const Side core = run_core(f);
    if (f.size() < 14) {
      // The kernel hands XDP no frame shorter than an Ethernet header and
      // BPF_PROG_TEST_RUN refuses one (docs/xdp.md, "Differences from the
      // DPDK dataplane"): checked as xdp_fixtures_test checks
      // runt_13_bytes. The core's drop_runt has no XDP counterpart.
      if (g_env->run(f).rc != -EINVAL) fail("BPF_PROG_TEST_RUN accepted a frame under 14 bytes");
      if (core.verdict != core::Verdict::Drop || core.counters.v[MAGLB_C_DROP_RUNT] != 1)
        fail("core did not count a frame under 14 bytes as drop_runt");
      continue;
    }
    const Side xdp = run_xdp(f);
    if (const std::string why = compare(core, xdp, f); !why.empty())
      report(why, frames, i, core, xdp);
  }
  return 0;
}
