// The benchmark's traffic is what it claims to be: frames byte-equal to the
// fixture builder's (own checksums), flows that round-trip and never
// collide, a pcap generator that writes them, tables the packet core
// accepts, and expectations (backend per flow, output parsing) that agree
// with what the packet core actually does with these frames.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>

#include "bench_traffic.h"
#include "dataplane_process.h"
#include "packet_builder.h"
#include "pcap_file.h"
#include "snapshot.h"
#include "worker.h"

namespace maglb::bench {
namespace {

namespace fx = maglb::fixtures;

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." +
         std::to_string(a >> 8 & 0xff) + "." + std::to_string(a & 0xff);
}

fx::Bytes template_frame(uint16_t size, uint8_t flags, FlowTuple flow) {
  FrameTemplate t(size, flags);
  fx::Bytes out(t.length());
  t.write(out.data(), flow);
  return out;
}

fx::Bytes builder_frame(uint16_t size, uint8_t flags, FlowTuple flow) {
  fx::Ipv4Opts ip;
  ip.id = 0;
  fx::TcpOpts tcp;
  tcp.flags = flags;
  tcp.seq = 1000;
  tcp.ack = flags & 0x10 ? 1 : 0;
  fx::Bytes payload;
  for (size_t i = 54; i < size - 4u; i++) payload.push_back(static_cast<uint8_t>(i * 7));
  return fx::PacketBuilder()
      .Eth(fx::mac("02:00:00:00:01:01"), fx::mac("02:00:00:00:00:01"))
      .Ipv4(fx::ip(dotted(flow.src)), fx::ip(dotted(kVipAddr)), ip)
      .Tcp(flow.sport, kVipPort, tcp)
      .Raw(payload)
      .Build();
}

TEST(BenchTraffic, FramesEqualTheFixtureBuilders) {
  for (uint16_t size : {64, 128, 512, 1518}) {
    for (uint64_t f : std::initializer_list<uint64_t>{0, 1, 65535, 65536, 9'999'999}) {
      for (uint8_t flags : {0x10, 0x02}) {
        EXPECT_EQ(template_frame(size, flags, client_flow(f)),
                  builder_frame(size, flags, client_flow(f)))
            << "size " << size << " flow " << f << " flags " << int(flags);
      }
    }
  }
}

TEST(BenchTraffic, FlowsRoundTripAndAreDistinct) {
  std::set<std::pair<uint32_t, uint16_t>> seen;
  for (uint64_t f :
       std::initializer_list<uint64_t>{0, 1, 65535, 65536, 10'000'000, kMaxFlows - 1}) {
    const FlowTuple t = client_flow(f);
    EXPECT_EQ(t.src >> 16, kClientBase >> 16) << f;
    EXPECT_EQ(client_flow_index(t.src, t.sport), f);
    EXPECT_TRUE(seen.insert({t.src, t.sport}).second) << f;
  }
  for (uint64_t f = 0; f < 200'000; f++) {
    const FlowTuple t = client_flow(f);
    seen.insert({t.src, t.sport});
  }
  EXPECT_EQ(seen.size(), 200'000u + 2);  // 0..199,999 plus 10M and kMaxFlows - 1
  EXPECT_FALSE(client_flow_index(kFloodBase + 5, 2000).has_value());
  EXPECT_EQ(backend_id_of(backend_addr(1)), 1u);
  EXPECT_EQ(backend_id_of(backend_addr(kBackends + kSpareBackends)), kBackends + kSpareBackends);
  EXPECT_FALSE(backend_id_of(kBackendBase).has_value());
}

TEST(BenchTraffic, PcapGeneratorWritesEveryFlowOnce) {
  const char *gen = std::getenv("MAGLB_BENCH_PCAP_GEN");
  if (gen == nullptr) GTEST_SKIP() << "MAGLB_BENCH_PCAP_GEN not set (meson sets it)";
  dpdk_test::TempDir dir;
  const std::string path = dir.file("t.pcap");
  const std::string cmd =
      std::string(gen) + " --out " + path + " --flows 3000 --frames 6000 --size 128";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<dpdk_test::Frame> frames;
  std::string error;
  ASSERT_TRUE(dpdk_test::read_pcap(path, &frames, &error)) << error;
  ASSERT_EQ(frames.size(), 6000u);
  for (size_t i = 0; i < frames.size(); i++) {
    ASSERT_EQ(frames[i], template_frame(128, 0x10, client_flow(i % 3000))) << "frame " << i;
  }
  EXPECT_NE(std::system((std::string(gen) + " --out " + path + " --flows 0 2>/dev/null").c_str()),
            0);
}

TEST(BenchTraffic, RegeneratedTablesValidate) {
  BenchTable t = make_table(1, default_backends());
  std::string error;
  auto s1 = core::Snapshot::from_blob(t.blob, &error);
  ASSERT_TRUE(s1) << error;
  EXPECT_EQ(s1->backend_count(), kBackends);
  set_generation(t.blob, 123456789);
  auto s2 = core::Snapshot::from_blob(t.blob, &error);
  ASSERT_TRUE(s2) << error;
  EXPECT_EQ(s2->generation(), 123456789u);
  std::set<uint32_t> used(t.slot_ids.begin(), t.slot_ids.end());
  EXPECT_EQ(used.size(), kBackends) << "every backend owns slots";
}

// The packet core itself forwards the benchmark's frames: every output
// parses, and goes to the backend expected_backend() names.
TEST(BenchTraffic, CoreAgreesWithTheExpectations) {
  const BenchTable t = make_table(1, default_backends());
  std::string error;
  auto snap = core::Snapshot::from_blob(t.blob, &error);
  ASSERT_TRUE(snap) << error;
  const uint8_t port_mac[6] = {2, 0, 0, 0, 1, 1};
  core::OnLinkPrefix onlink{MAGLB_FAMILY_IPV4, {198, 18, 0, 0}, 24};
  core::NeighborEntry gw{MAGLB_FAMILY_IPV4, {198, 18, 0, 254}, {2, 0, 0, 0, 0, 0xfe}};
  auto neigh = core::NeighborTable::build(port_mac, {&onlink, 1}, {&gw, 1}, {&gw, 1}, &error);
  ASSERT_TRUE(neigh) << error;
  core::WorkerContext ctx;
  ASSERT_TRUE(ctx.init(1 << 16, &error)) << error;

  constexpr uint16_t kN = 32, kRoom = 256, kHead = 64;
  const uint64_t kCoreFlows =
      std::getenv("CORE_FLOWS") ? std::strtoull(std::getenv("CORE_FLOWS"), nullptr, 10) : 4096;
  std::vector<uint8_t> store(kN * kRoom);
  core::Packet pk[kN];
  core::Verdict v[kN];
  std::set<uint32_t> backends;
  for (uint64_t base = 0; base < kCoreFlows; base += kN) {
    for (uint16_t i = 0; i < kN; i++) {
      const FrameTemplate ft(64, i % 2 ? 0x10 : 0x02);
      uint8_t *f = store.data() + i * kRoom + kHead;
      ft.write(f, client_flow(base + i));
      pk[i] =
          core::Packet{f, ft.length(), kHead, static_cast<uint16_t>(kRoom - kHead - ft.length())};
    }
    core::process_burst(ctx, *snap, *neigh, pk, v, kN, 1'000'000'000);
    for (uint16_t i = 0; i < kN; i++) {
      ASSERT_EQ(v[i], core::Verdict::Tx) << "flow " << base + i;
      auto o = parse_ipip_output(pk[i].data, pk[i].len);
      ASSERT_TRUE(o) << "flow " << base + i;
      EXPECT_EQ(client_flow_index(o->inner.src, o->inner.sport), base + i);
      auto id = backend_id_of(o->backend_addr);
      ASSERT_TRUE(id);
      EXPECT_EQ(*id, expected_backend(t.slot_ids, client_flow(base + i))) << "flow " << base + i;
      backends.insert(*id);
    }
  }
  EXPECT_GT(backends.size(), 900u) << "4096 flows spread over the 1000 backends";
  EXPECT_EQ(ctx.counters.v[MAGLB_C_FLOW_NEW], kCoreFlows);
}

}  // namespace
}  // namespace maglb::bench
