// Connection tracking across CPUs: each CPU keeps its own range of the flow
// table, but a connection's packets can reach another CPU (veth, generic
// XDP, RSS changes). A flow established on CPU 0 whose backend the current
// table no longer picks (drained, or the table changed) must keep its
// backend when a later packet runs on CPU 1: the program adopts CPU 0's
// entry (flow_adopted_other_cpu) instead of re-picking from the Maglev
// table. BPF_PROG_TEST_RUN runs XDP on the calling thread's CPU, so the
// test moves its thread between CPUs.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <memory>

#include "fixture_env.h"
#include "fixture_list.h"
#include "fixture_model.h"
#include "fixtures.h"

namespace maglb::xdptest {
namespace {

using fixtures::Bytes;
using fixtures::Model;
using fixtures::VipDef;

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;

std::unique_ptr<FixtureEnv> g_env;
std::string g_skip;

class XdpFlowCpuTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
      g_skip = "needs two online CPUs";
      return;
    }
    g_env = FixtureEnv::create(4096, &g_skip);
    if (!g_env && g_skip.empty()) g_skip = "fixture environment failed";
  }
  static void TearDownTestSuite() {
    g_env.reset();
    pin_to_cpu(0);
  }
  void SetUp() override {
    if (!g_env) GTEST_SKIP() << g_skip;
    ASSERT_EQ(pin_to_cpu(0), "");
    ASSERT_EQ(g_env->dp().flush_flows(), "");
  }
  void TearDown() override { pin_to_cpu(0); }

  static uint64_t counter(const char *name) { return g_env->dp().counter(name).value_or(~0ull); }

  // Establishes `first` on CPU 0 under `warm`, programs `now` and runs
  // `later` (the same flow) on CPU 1 twice: both must go to `old_backend`
  // with the output the fixture model expects, the first adopting CPU 0's
  // entry and the second hitting CPU 1's own copy.
  static void expect_flow_keeps_backend(const Model &warm, const Model &now, const VipDef &vip,
                                        const Bytes &first, const Bytes &later,
                                        uint32_t old_backend, uint32_t hash) {
    ASSERT_EQ(g_env->program(warm.blob()), "");
    const TestRun established = g_env->run(first);
    ASSERT_EQ(established.rc, 0);
    ASSERT_EQ(established.action, uint32_t{XDP_TX});
    ASSERT_EQ(g_env->program(now.blob()), "");
    ASSERT_EQ(pin_to_cpu(1), "");
    ASSERT_EQ(g_env->dp().reset_counters(), "");
    const Bytes expected =
        fixtures::expect_forward(now, later, vip, now.backend(old_backend), hash);

    const TestRun moved = g_env->run(later);
    ASSERT_EQ(moved.rc, 0);
    EXPECT_EQ(moved.action, uint32_t{XDP_TX});
    EXPECT_EQ(moved.output, expected) << "not forwarded to the flow's backend " << old_backend;
    EXPECT_EQ(counter("flow_adopted_other_cpu"), 1u);
    EXPECT_EQ(counter("flow_new"), 0u);

    const TestRun again = g_env->run(later);
    ASSERT_EQ(again.rc, 0);
    EXPECT_EQ(again.output, expected);
    EXPECT_EQ(counter("flow_adopted_other_cpu"), 1u) << "the adopted entry was not kept";
    EXPECT_EQ(counter("flow_hit"), 2u);
  }
};

// TCP to VIP N: established on backend 222, which the current snapshot
// drains (no table slots; the table now says 221).
TEST_F(XdpFlowCpuTest, TcpFlowOfDrainedBackendKeepsItOnAnotherCpu) {
  const Model warm = fixtures::fixture_model("n_to_222");
  const Model now = fixtures::fixture_model();
  const VipDef &n = now.vip("N");
  const fixtures::Ip c4 = fixtures::client4();
  const uint16_t cport = 47001;
  const uint32_t h =
      fixtures::spec_hash(fixtures::flow_key(c4, n.addr, cport, 80, kTcp), MAGLB_HASH_5TUPLE);
  ASSERT_NE(fixtures::table_pick(n, h), 222u) << "the current table must pick another backend";
  const Bytes syn = fixtures::from_peer().Ipv4(c4, n.addr).Tcp(cport, 80).Build();
  const Bytes ack = fixtures::from_peer()
                        .Ipv4(c4, n.addr)
                        .Tcp(cport, 80, fixtures::TcpOpts{0x10, 1001, 1, 65535, {}})
                        .Payload(100)
                        .Build();
  expect_flow_keeps_backend(warm, now, n, syn, ack, 222, h);
}

// UDP to VIP B (no SYN: every miss probes): established on one backend,
// then the table changed to pick the other.
TEST_F(XdpFlowCpuTest, UdpFlowKeepsItsBackendOnAnotherCpuAfterATableChange) {
  const Model now = fixtures::fixture_model();
  const VipDef &b = now.vip("B");
  const fixtures::Ip c4 = fixtures::client4();
  const uint16_t cport = fixtures::port_for_backend(now, b, c4, 47100, 112, 53);
  const uint32_t h =
      fixtures::spec_hash(fixtures::flow_key(c4, b.addr, cport, 53, kUdp), MAGLB_HASH_5TUPLE);
  ASSERT_EQ(fixtures::table_pick(b, h), 112u);
  Model warm = now;  // B's flows went to 111 when this one started
  warm.generation = now.generation - 1;
  for (VipDef &v : warm.vips)
    if (v.name == "B") v.table.assign(v.table.size(), 111);
  const Bytes dgram = fixtures::from_peer().Ipv4(c4, b.addr).Udp(cport, 53).Payload(32).Build();
  expect_flow_keeps_backend(warm, now, b, dgram, dgram, 111, h);
}

// A SYN starts a new connection: no probe, the current table decides.
TEST_F(XdpFlowCpuTest, SynOnAnotherCpuIsANewFlow) {
  const Model warm = fixtures::fixture_model("n_to_222");
  const Model now = fixtures::fixture_model();
  const VipDef &n = now.vip("N");
  const fixtures::Ip c4 = fixtures::client4();
  const uint16_t cport = 47002;
  const uint32_t h =
      fixtures::spec_hash(fixtures::flow_key(c4, n.addr, cport, 80, kTcp), MAGLB_HASH_5TUPLE);
  const Bytes syn = fixtures::from_peer().Ipv4(c4, n.addr).Tcp(cport, 80).Build();
  ASSERT_EQ(g_env->program(warm.blob()), "");
  ASSERT_EQ(g_env->run(syn).action, uint32_t{XDP_TX});
  ASSERT_EQ(g_env->program(now.blob()), "");
  ASSERT_EQ(pin_to_cpu(1), "");
  ASSERT_EQ(g_env->dp().reset_counters(), "");
  const TestRun r = g_env->run(syn);
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(r.output,
            fixtures::expect_forward(now, syn, n, now.backend(fixtures::table_pick(n, h)), h));
  EXPECT_EQ(counter("flow_adopted_other_cpu"), 0u);
  EXPECT_EQ(counter("flow_new"), 1u);
}

}  // namespace
}  // namespace maglb::xdptest
