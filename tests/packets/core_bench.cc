// Speed of the packet core without a NIC: process_burst over 64-byte TCP
// frames from N flows against a 1000-backend IPIP snapshot with a 65537-slot
// table, timed with the TSC.
//
//   core_bench [--flows N[,N...]] [--capacity SLOTS] [--packets P] [--rounds R]
//
// Each burst's frames are rebuilt from a template before the call (the
// encapsulation rewrote them); that harness cost is measured alone with the
// same loop and subtracted. Flows are drawn uniformly at random, so at 1M
// flows every lookup is a DRAM miss unless prefetched. Reported: the median
// of R rounds, for the first pass over every flow (inserts) and for steady
// state (hits; misses and evictions when N exceeds the table). Cycles are
// the thread's CPU time times the TSC rate, so time taken by other tenants
// of a shared machine is not counted.
#include <arpa/inet.h>
#include <time.h>
#include <x86intrin.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "maglb_abi.h"
#include "worker.h"

namespace {

using namespace maglb::core;

constexpr uint16_t kBurst = 32;
constexpr uint16_t kHeadroom = 128;
constexpr uint32_t kBackends = 1000;
constexpr uint32_t kTableSize = 65537;

template <typename T>
void append(std::vector<uint8_t> &out, const T &v) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

std::vector<uint8_t> bench_blob() {
  maglb_snapshot_header h{};
  h.magic = MAGLB_SNAPSHOT_MAGIC;
  h.abi_version = MAGLB_ABI_VERSION;
  h.header_size = sizeof(h);
  h.generation = 1;
  h.n_vips = 1;
  h.n_backends = kBackends;
  h.total_slots = kTableSize;
  h.total_size = sizeof(h) + sizeof(maglb_dp_params) + sizeof(maglb_snapshot_vip) +
                 kBackends * sizeof(maglb_backend) + kTableSize * sizeof(maglb_slot_t);
  maglb_dp_params p{};
  const uint8_t src4[4] = {198, 18, 0, 1};
  std::memcpy(&p.encap_src_v4, src4, 4);
  p.src_v4_entropy_bits = 8;
  p.mtu = 1500;
  p.gue_port = htons(6080);
  p.flags = MAGLB_DP_F_ICMP_TOO_BIG;
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  maglb_snapshot_vip v{};
  const uint8_t vip[4] = {198, 18, 100, 1};
  std::memcpy(v.key.addr, vip, 4);
  v.key.port = htons(80);
  v.key.proto = 6;
  v.key.family = MAGLB_FAMILY_IPV4;
  v.meta.generation = 1;
  v.meta.table_size = kTableSize;
  v.meta.fwd_method = MAGLB_FWD_IPIP;
  v.meta.hash_fields = MAGLB_HASH_5TUPLE;
  std::vector<uint8_t> blob;
  append(blob, h);
  append(blob, p);
  append(blob, v);
  for (uint32_t i = 0; i < kBackends; ++i) {
    maglb_backend b{};
    b.addr[0] = 198;
    b.addr[1] = 18;
    b.addr[2] = static_cast<uint8_t>(1 + i / 250);
    b.addr[3] = static_cast<uint8_t>(1 + i % 250);
    b.id = i + 1;
    b.family = MAGLB_FAMILY_IPV4;
    b.weight = 1;
    append(blob, b);
  }
  // A spread-out table (Maglev itself is not under test here).
  for (uint32_t s = 0; s < kTableSize; ++s)
    append(blob, static_cast<maglb_slot_t>((s * 7919u) % kBackends));
  return blob;
}

std::unique_ptr<NeighborTable> bench_neighbors() {
  const uint8_t port[6] = {2, 0, 0, 0, 0, 1};
  OnLinkPrefix on{};
  on.family = MAGLB_FAMILY_IPV4;
  on.addr[0] = 198;
  on.addr[1] = 18;
  on.prefix_len = 16;
  std::vector<NeighborEntry> hosts;
  for (uint32_t i = 0; i < kBackends; ++i) {
    NeighborEntry n{};
    n.family = MAGLB_FAMILY_IPV4;
    n.addr[0] = 198;
    n.addr[1] = 18;
    n.addr[2] = static_cast<uint8_t>(1 + i / 250);
    n.addr[3] = static_cast<uint8_t>(1 + i % 250);
    n.mac[0] = 2;
    n.mac[4] = static_cast<uint8_t>(i >> 8);
    n.mac[5] = static_cast<uint8_t>(i);
    hosts.push_back(n);
  }
  return NeighborTable::build(port, {&on, 1}, hosts, {}, nullptr);
}

// 64-byte frame: Ethernet, IPv4, TCP (ACK), 6 bytes of payload.
void make_template(uint8_t *f) {
  std::memset(f, 0, 64);
  const uint8_t eth[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0xc, 1, 0x08, 0x00};
  std::memcpy(f, eth, 14);
  uint8_t *ip = f + 14;
  ip[0] = 0x45;
  ip[2] = 0;
  ip[3] = 50;  // 20 + 20 + 10
  ip[6] = 0x40;
  ip[8] = 64;
  ip[9] = 6;
  ip[12] = 198;
  ip[13] = 19;
  ip[16] = 198;
  ip[17] = 18;
  ip[18] = 100;
  ip[19] = 1;
  uint8_t *tcp = ip + 20;
  tcp[2] = 0;
  tcp[3] = 80;
  tcp[12] = 0x50;
  tcp[13] = 0x10;
}

inline void set_flow(uint8_t *f, uint32_t id) {
  f[14 + 14] = static_cast<uint8_t>(id >> 8);  // client 198.19.x.y
  f[14 + 15] = static_cast<uint8_t>(id);
  const uint16_t sport = static_cast<uint16_t>(1024 + (id >> 16));
  f[34] = static_cast<uint8_t>(sport >> 8);
  f[35] = static_cast<uint8_t>(sport);
}

double tsc_ghz() {
  timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  const uint64_t t0 = __rdtsc();
  do clock_gettime(CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 2e8);
  const uint64_t t1 = __rdtsc();
  return double(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
}

// CPU time of this thread: on a shared machine the TSC also counts the
// time other tenants ran on this core.
double cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

struct Bench {
  double ghz;
  WorkerContext *ctx;
  const Snapshot *snap;
  const NeighborTable *neigh;
  std::vector<uint8_t> store = std::vector<uint8_t>(kBurst * 256);
  uint8_t tmpl[64] = {};
  Packet pk[kBurst] = {};
  Verdict v[kBurst] = {};
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  uint64_t now_ns = 1'000'000'000'000ull;

  uint32_t next_flow(uint32_t n_flows) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return static_cast<uint32_t>((rng >> 11) % n_flows);
  }
  void refill(const uint32_t *ids) {
    for (uint16_t i = 0; i < kBurst; ++i) {
      uint8_t *f = store.data() + i * 256 + kHeadroom;
      std::memcpy(f, tmpl, 64);
      set_flow(f, ids[i]);
      pk[i] = Packet{f, 64, kHeadroom, 256 - kHeadroom - 64};
    }
  }
  // Cycles per packet of `packets` packets; process=false times the harness alone.
  double run(uint32_t n_flows, uint64_t packets, bool sequential, bool process, uint32_t *seq) {
    uint32_t ids[kBurst];
    uint64_t tx = 0;
    const double t0 = cpu_ns();
    for (uint64_t done = 0; done < packets; done += kBurst) {
      for (uint16_t i = 0; i < kBurst; ++i)
        ids[i] = sequential ? (*seq)++ % n_flows : next_flow(n_flows);
      refill(ids);
      if (process) {
        process_burst(*ctx, *snap, *neigh, pk, v, kBurst, now_ns);
        for (uint16_t i = 0; i < kBurst; ++i) tx += v[i] == Verdict::Tx;
      } else {
        for (uint16_t i = 0; i < kBurst; ++i) tx += pk[i].data[14] == 0x45;
      }
      now_ns += 1000;
    }
    const double t1 = cpu_ns();
    if (tx != (packets + kBurst - 1) / kBurst * kBurst) {
      std::fprintf(stderr, "not every packet was forwarded (%lu of %lu)\n", (unsigned long)tx,
                   (unsigned long)packets);
      std::exit(1);
    }
    return (t1 - t0) * ghz / double((packets + kBurst - 1) / kBurst * kBurst);
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<uint32_t> flows = {1000, 100000, 1000000, 10000000};
  size_t capacity = FlowTable::kDefaultCapacity;
  uint64_t packets = 8'000'000;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], val = argv[i + 1];
    if (a == "--flows") {
      flows.clear();
      size_t pos = 0;
      while (pos < val.size()) {
        flows.push_back(static_cast<uint32_t>(std::stoul(val.substr(pos))));
        pos = val.find(',', pos);
        if (pos == std::string::npos) break;
        ++pos;
      }
    } else if (a == "--capacity") {
      capacity = std::stoul(val);
    } else if (a == "--packets") {
      packets = std::stoull(val);
    } else if (a == "--rounds") {
      rounds = std::stoi(val);
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  std::string err;
  const auto blob = bench_blob();
  auto snap = Snapshot::from_blob(blob, &err);
  if (!snap) {
    std::fprintf(stderr, "snapshot: %s\n", err.c_str());
    return 1;
  }
  auto neigh = bench_neighbors();
  const double ghz = tsc_ghz();
  std::printf("TSC %.3f GHz, burst %u, flow table %zu slots, %lu packets x %d rounds\n", ghz,
              kBurst, capacity, (unsigned long)packets, rounds);
  std::printf("%10s %-12s %10s %10s %12s %14s\n", "flows", "phase", "Mpps", "ns/pkt", "cycles/pkt",
              "harness c/pkt");
  for (uint32_t n : flows) {
    auto ctx = std::make_unique<WorkerContext>();
    if (!ctx->init(capacity, &err)) {
      std::fprintf(stderr, "worker: %s\n", err.c_str());
      return 1;
    }
    Bench b{ghz, ctx.get(), snap.get(), neigh.get()};
    make_template(b.tmpl);
    uint32_t seq = 0;
    // Harness alone (template copy, flow choice, verdict loop).
    std::vector<double> harness;
    for (int r = 0; r < rounds; ++r) harness.push_back(b.run(n, packets / 4, false, false, &seq));
    const double h = median(harness);
    // First pass: every flow once, in order (inserts); capped for huge N.
    const uint64_t first = std::min<uint64_t>(n, packets);
    const double insert_c = b.run(n, first, true, true, &seq) - h;
    const uint64_t new_flows = ctx->counters.v[MAGLB_C_FLOW_NEW];
    // Finish inserting if the cap cut the first pass short.
    if (first < n) b.run(n, n - first, true, true, &seq);
    std::vector<double> steady;
    for (int r = 0; r < rounds; ++r) steady.push_back(b.run(n, packets, false, true, &seq) - h);
    const double s = median(steady);
    std::printf("%10u %-12s %10.2f %10.2f %12.1f %14.1f\n", n, "first-pass", ghz * 1e3 / insert_c,
                insert_c / ghz, insert_c, h);
    std::printf("%10u %-12s %10.2f %10.2f %12.1f %14.1f\n", n, "steady", ghz * 1e3 / s, s / ghz, s,
                h);
    const auto &c = ctx->counters.v;
    std::printf("%10s new %lu (first pass %lu) hit %lu evicted %lu, table occupancy %zu\n", "",
                (unsigned long)c[MAGLB_C_FLOW_NEW], (unsigned long)new_flows,
                (unsigned long)c[MAGLB_C_FLOW_HIT], (unsigned long)c[MAGLB_C_FLOW_EVICTED],
                ctx->flows.occupancy());
  }
  return 0;
}
