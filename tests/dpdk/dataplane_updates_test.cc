// The engine in this process on a net_ring port (the test is both the
// traffic source and the sink) while snapshots change over the real control
// socket:
//  (b) 1000 snapshots that add, remove and reweight backends, installed
//      while the test forwards as fast as it can: no packet lost or
//      reordered, none sent to a backend absent from every snapshot
//      installed while it was in flight, and a flow changes backend only if
//      its backend was removed meanwhile;
//  (c) malformed or stale snapshot messages get an error response and
//      change nothing: generation, backends and per-flow choices stay.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane_process.h"
#include "engine.h"
#include "maglb_hash.h"
#include "packet_builder.h"
#include "test_snapshot.h"

namespace maglb::dpdk_test {
namespace {

using fixtures::Bytes;
using fixtures::ip;
using fixtures::mac;
using fixtures::PacketBuilder;
using namespace std::chrono_literals;
using dpdk::DataplaneOptions;

constexpr int kFlows = 512;
constexpr unsigned kWindow = 1024;  // packets in flight at most (< every ring and pool)
constexpr uint32_t kTableSize = 251;
const uint8_t kGatewayMac[6] = {0x02, 0, 0, 0, 0, 0xfe};

// EAL once per process; later calls report the first outcome.
bool eal_ready(std::string *why) {
  static int rc = [] {
    if (geteuid() != 0) return -2;
    std::string prefix = "--file-prefix=maglb_upd_" + std::to_string(getpid());
    std::vector<std::string> args = {"dataplane_updates_test",
                                     "-l",
                                     "0-1",
                                     "--no-huge",
                                     "-m",
                                     "768",
                                     "--no-shconf",
                                     "--no-pci",
                                     prefix,
                                     "--log-level=lib.eal:warning"};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    return rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0 ? -1 : 0;
  }();
  if (rc == -2) *why = "needs root (DPDK EAL)";
  if (rc == -1) *why = "rte_eal_init failed";
  return rc == 0;
}

TestBackend universe_backend(uint32_t id, uint16_t weight) {
  return backend(id, "198.18.2." + std::to_string(id), weight);
}

// One generation as the test knows it: the blob and which ids it contains.
struct Generation {
  std::vector<uint8_t> blob;
  std::set<uint32_t> present;       // every backend of the snapshot (draining included)
  std::vector<uint32_t> table_ids;  // slot -> id
};

maglb_dp_params dp_params() {
  maglb_dp_params p{};
  const fixtures::Ip src = ip("198.18.0.1");
  std::memcpy(&p.encap_src_v4, src.a, 4);
  p.mtu = 1500;
  p.gue_port = htons(6080);
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  return p;
}

Generation make_generation(uint64_t gen, const std::map<uint32_t, uint16_t> &weights) {
  std::vector<TestBackend> backends;
  for (auto [id, w] : weights) backends.push_back(universe_backend(id, w));
  TestVip vip{vip_key("198.18.1.10", 80, 6), MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, kTableSize, {}};
  vip.table_ids = weighted_table(backends, kTableSize);
  Generation g;
  g.blob = build_blob(gen, dp_params(), {vip}, backends);
  for (auto [id, w] : weights) g.present.insert(id);
  g.table_ids = vip.table_ids;
  return g;
}

struct Output {
  int flow;
  uint32_t backend_id;  // from the outer destination 198.18.2.<id>
  bool well_formed;
};

class RingDataplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!eal_ready(&why)) GTEST_SKIP() << why;
    static int instance = 0;
    const std::string n = std::to_string(instance++);
    rx_ = rte_ring_create(("upd_rx" + n).c_str(), 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx_ = rte_ring_create(("upd_tx" + n).c_str(), 16384, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_TRUE(rx_ && tx_);
    int port = rte_eth_from_rings(("net_ring_upd" + n).c_str(), &rx_, 1, &tx_, 1, 0);
    ASSERT_GE(port, 0);
    pool_ = rte_pktmbuf_pool_create(("upd_pool" + n).c_str(), 8191, 256, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    ASSERT_TRUE(pool_);
    socket_ = dir_.file("ctl.sock");
    DataplaneOptions o;
    o.port = std::to_string(port);
    o.control_socket = socket_;
    o.flows_per_core = 65536;
    o.rx_desc = o.tx_desc = 512;
    ASSERT_TRUE(engine_.start(o, &why)) << why;
    control_ = std::thread([this] { engine_.run(); });
    client_ = dpdk_client::Client::connect(socket_, 30s, &why);
    ASSERT_TRUE(client_) << why;
    auto r = client_->set_interface(R"({"addresses": ["198.18.0.1/24"],
        "gateways": ["198.18.0.254"],
        "neighbors": [{"address": "198.18.0.254", "mac": "02:00:00:00:00:fe"}]})");
    ASSERT_TRUE(r.ok()) << r.message;
    for (int f = 0; f < kFlows; f++) {
      fixtures::TcpOpts tcp;
      tcp.flags = 0x10;
      templates_.push_back(PacketBuilder()
                               .Eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:01:01"))
                               .Ipv4(client_ip(f), ip("198.18.1.10"))
                               .Tcp(static_cast<uint16_t>(40000 + f), 80, tcp)
                               .Payload(18)
                               .Build());
    }
  }

  void TearDown() override {
    if (control_.joinable()) {
      engine_.request_stop();
      control_.join();
    }
    client_.reset();
    engine_.shutdown();
    rte_mbuf *m;
    for (rte_ring *r : {rx_, tx_}) {
      if (r == nullptr) continue;
      while (rte_ring_dequeue(r, reinterpret_cast<void **>(&m)) == 0) rte_pktmbuf_free(m);
    }
  }

  static fixtures::Ip client_ip(int f) {
    return ip("198.18." + std::to_string(3 + f / 250) + "." + std::to_string(f % 250 + 1));
  }

  uint32_t expected_backend(int f, const Generation &g) const {
    maglb_flow_key k{};
    fixtures::Ip c = client_ip(f), v = ip("198.18.1.10");
    std::memcpy(k.src, c.a, 16);
    std::memcpy(k.dst, v.a, 16);
    k.sport = htons(static_cast<uint16_t>(40000 + f));
    k.dport = htons(80);
    k.proto = 6;
    k.family = MAGLB_FAMILY_IPV4;
    return g.table_ids[maglb_slot_of(maglb_flow_hash(&k), kTableSize)];
  }

  // Sends up to `budget` packets (flows in rotation) keeping at most
  // kWindow in flight; `on_send(flow)` before each enqueue.
  template <class F>
  void send_some(unsigned budget, F on_send) {
    rte_mbuf *burst[32];
    unsigned n = 0;
    while (n < 32 && budget > 0 && in_flight_ < kWindow) {
      rte_mbuf *m = rte_pktmbuf_alloc(pool_);
      if (m == nullptr) break;
      const Bytes &t = templates_[next_flow_];
      std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(t.size())), t.data(), t.size());
      on_send(next_flow_);
      next_flow_ = (next_flow_ + 1) % kFlows;
      burst[n++] = m;
      budget--;
      in_flight_++;
      sent_++;
    }
    if (n > 0) {
      unsigned done = rte_ring_sp_enqueue_burst(rx_, reinterpret_cast<void **>(burst), n, nullptr);
      ASSERT_EQ(done, n) << "the RX ring is sized above the window";
    }
  }

  template <class F>
  void receive_some(F on_output) {
    rte_mbuf *burst[32];
    unsigned n = rte_ring_sc_dequeue_burst(tx_, reinterpret_cast<void **>(burst), 32, nullptr);
    for (unsigned i = 0; i < n; i++) {
      const uint8_t *p = rte_pktmbuf_mtod(burst[i], const uint8_t *);
      Output o{-1, 0, false};
      // Ethernet to the gateway, outer IPv4 protocol 4 to 198.18.2.<id>, inner TCP.
      if (burst[i]->data_len >= 14 + 20 + 20 + 20 && std::memcmp(p, kGatewayMac, 6) == 0 &&
          p[23] == 4 && p[30] == 198 && p[31] == 18 && p[32] == 2) {
        o.backend_id = p[33];
        o.flow = ((p[54] << 8) | p[55]) - 40000;
        o.well_formed = o.flow >= 0 && o.flow < kFlows;
      }
      on_output(o);
    }
    if (n > 0) rte_pktmbuf_free_bulk(burst, n);
    in_flight_ -= n;
    received_ += n;
  }

  nlohmann::json stats() {
    nlohmann::json s;
    auto r = client_->get_stats(&s);
    EXPECT_TRUE(r.ok()) << r.message;
    return s;
  }

  TempDir dir_;
  std::string socket_;
  rte_ring *rx_ = nullptr, *tx_ = nullptr;
  rte_mempool *pool_ = nullptr;
  dpdk::Engine engine_;
  std::thread control_;
  std::unique_ptr<dpdk_client::Client> client_;
  std::vector<Bytes> templates_;
  int next_flow_ = 0;
  unsigned in_flight_ = 0;
  uint64_t sent_ = 0, received_ = 0;
};

TEST_F(RingDataplaneTest, ThousandUpdatesUnderLoad) {
  constexpr uint64_t kGenerations = 1000;
  // Every generation is decided up front, so the checker reads them freely.
  std::mt19937 rng(12345);
  std::vector<Generation> gens(kGenerations + 1);
  std::map<uint32_t, uint16_t> weights = {{1, 1}, {2, 1}, {3, 2}, {4, 1}, {5, 3}, {6, 1}};
  gens[1] = make_generation(1, weights);
  for (uint64_t g = 2; g <= kGenerations; g++) {
    unsigned action = rng() % 4;
    uint32_t id = 1 + rng() % 16;
    if (action == 0 && weights.size() < 16) {
      weights[id] = static_cast<uint16_t>(1 + rng() % 3);  // add (or reweight if present)
    } else if (action == 1 && weights.size() > 2) {
      weights.erase(std::next(weights.begin(), static_cast<long>(rng() % weights.size())));
    } else {
      auto it = std::next(weights.begin(), static_cast<long>(rng() % weights.size()));
      it->second = static_cast<uint16_t>(rng() % 4);  // 0 = draining: keeps its flows
    }
    bool any_weight = false;
    for (auto [i, w] : weights) any_weight |= w > 0;
    if (!any_weight) weights.begin()->second = 1;
    gens[g] = make_generation(g, weights);
  }
  auto r = client_->install_snapshot(gens[1].blob);
  ASSERT_TRUE(r.ok()) << r.message;

  // Installs run on their own connection and thread; the generations
  // started and completed bound what a packet in flight may have met.
  std::atomic<uint64_t> started{1}, completed{1};
  std::atomic<bool> install_failed{false};
  std::string install_error;
  std::thread installer([&] {
    std::string why;
    auto c = dpdk_client::Client::connect(socket_, 30s, &why);
    if (!c) {
      install_error = why;
      install_failed = true;
      return;
    }
    for (uint64_t g = 2; g <= kGenerations; g++) {
      started.store(g, std::memory_order_release);
      auto rr = c->install_snapshot(gens[g].blob);
      if (!rr.ok()) {
        install_error = "generation " + std::to_string(g) + ": " + rr.message;
        install_failed = true;
        return;
      }
      completed.store(g, std::memory_order_release);
    }
  });

  struct InFlight {
    int flow;
    uint64_t gen_lo;
  };
  std::deque<InFlight> fifo;
  struct FlowState {
    uint32_t backend = 0;
    uint64_t gen_lo = 0;
  };
  std::vector<FlowState> flows(kFlows);
  uint64_t bad = 0, moved_without_reason = 0, moved = 0;
  std::string first_problem;
  auto problem = [&](const std::string &what) {
    if (first_problem.empty()) first_problem = what;
  };
  auto check = [&](const Output &o) {
    if (fifo.empty()) {
      bad++;
      problem("an output nobody sent");
      return;
    }
    InFlight sent = fifo.front();
    fifo.pop_front();
    if (!o.well_formed || o.flow != sent.flow) {
      bad++;
      problem("output out of order or malformed (flow " + std::to_string(o.flow) + ", expected " +
              std::to_string(sent.flow) + ")");
      return;
    }
    const uint64_t hi = started.load(std::memory_order_acquire);
    bool allowed = false;
    for (uint64_t g = sent.gen_lo; g <= hi && !allowed; g++) {
      allowed = gens[g].present.count(o.backend_id) > 0;
    }
    if (!allowed) {
      bad++;
      problem("flow " + std::to_string(o.flow) + " sent to backend " +
              std::to_string(o.backend_id) + ", absent from generations " +
              std::to_string(sent.gen_lo) + ".." + std::to_string(hi));
    }
    FlowState &fs = flows[o.flow];
    if (fs.backend != 0 && fs.backend != o.backend_id) {
      moved++;
      bool was_removed = false;
      for (uint64_t g = fs.gen_lo; g <= hi && !was_removed; g++) {
        was_removed = gens[g].present.count(fs.backend) == 0;
      }
      if (!was_removed) {
        moved_without_reason++;
        problem("flow " + std::to_string(o.flow) + " moved from backend " +
                std::to_string(fs.backend) + " to " + std::to_string(o.backend_id) +
                " although it stayed in generations " + std::to_string(fs.gen_lo) + ".." +
                std::to_string(hi));
      }
    }
    fs.backend = o.backend_id;
    fs.gen_lo = sent.gen_lo;
  };

  auto deadline = std::chrono::steady_clock::now() + 90s;
  while (completed.load() < kGenerations && !install_failed &&
         std::chrono::steady_clock::now() < deadline) {
    send_some(32, [&](int flow) {
      fifo.push_back({flow, completed.load(std::memory_order_acquire)});
    });
    receive_some(check);
  }
  installer.join();
  ASSERT_FALSE(install_failed) << install_error;
  ASSERT_EQ(completed.load(), kGenerations) << "installs did not finish in time";
  // Drain what is still in flight (bounded by a deadline, not a sleep).
  ASSERT_TRUE(wait_until(
      [&] {
        receive_some(check);
        return in_flight_ == 0;
      },
      10s))
      << in_flight_ << " packets never came out";

  EXPECT_EQ(bad, 0u) << first_problem;
  EXPECT_EQ(moved_without_reason, 0u) << first_problem;
  EXPECT_GT(sent_, 10'000u) << "too little traffic to say anything";
  nlohmann::json s = stats();
  EXPECT_EQ(s["generation"], kGenerations);
  EXPECT_EQ(s["control"]["installs"], kGenerations);
  const auto &t = s["totals"];
  EXPECT_EQ(t["rx_packets"].get<uint64_t>(), sent_);
  EXPECT_EQ(t["tx_forwarded"].get<uint64_t>(), sent_);
  for (unsigned c = 0; c < MAGLB_C__COUNT; c++) {
    if (maglb_counter_kinds[c] == MAGLB_COUNTER_KIND_DROP) {
      EXPECT_EQ(t[maglb_counter_names[c]], 0) << maglb_counter_names[c];
    }
  }
  EXPECT_EQ(t["flow_evicted"], 0);
  EXPECT_GT(t["flow_rebalanced"].get<uint64_t>(), 0u) << "no backend removal was exercised";
  EXPECT_GT(moved, 0u);
  std::printf("[ info ] %llu packets, %llu generations, %llu flow moves after removals\n",
              static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(kGenerations),
              static_cast<unsigned long long>(moved));
}

TEST_F(RingDataplaneTest, MalformedSnapshotsChangeNothing) {
  Generation g1 = make_generation(1, {{1, 1}, {2, 2}, {3, 1}});
  auto r = client_->install_snapshot(g1.blob);
  ASSERT_TRUE(r.ok()) << r.message;

  std::vector<uint8_t> truncated(g1.blob.begin(), g1.blob.end() - 1);
  std::vector<uint8_t> bad_magic = make_generation(2, {{1, 1}}).blob;
  bad_magic[0] ^= 0xff;
  std::vector<uint8_t> bad_slot = make_generation(3, {{1, 1}, {2, 1}}).blob;
  uint32_t out_of_range = 7;  // only 2 backends
  std::memcpy(bad_slot.data() + bad_slot.size() - 4, &out_of_range, 4);
  std::vector<uint8_t> stale = make_generation(1, {{4, 1}}).blob;

  struct Case {
    std::string name;
    std::function<dpdk_client::Reply()> send;
    uint32_t status;
  };
  std::vector<Case> cases = {
      {"truncated", [&] { return client_->install_snapshot(truncated); }, MAGLB_CTL_INVALID},
      {"bad magic", [&] { return client_->install_snapshot(bad_magic); }, MAGLB_CTL_INVALID},
      {"slot out of range", [&] { return client_->install_snapshot(bad_slot); }, MAGLB_CTL_INVALID},
      {"empty", [&] { return client_->install_snapshot({}); }, MAGLB_CTL_INVALID},
      {"stale generation", [&] { return client_->install_snapshot(stale); }, MAGLB_CTL_STALE},
      {"oversized frame",
       [&] {
         std::string why;
         auto c = dpdk_client::Client::connect(socket_, 5s, &why);
         maglb_ctl_header h{MAGLB_CTL_MAGIC, MAGLB_CTL_VERSION, MAGLB_CTL_INSTALL_SNAPSHOT, 0,
                            MAGLB_CTL_MAX_PAYLOAD + 1};
         return c->send_raw({reinterpret_cast<const uint8_t *>(&h), sizeof(h)});
       },
       MAGLB_CTL_TOO_LARGE},
      {"garbage frame",
       [&] {
         std::string why;
         auto c = dpdk_client::Client::connect(socket_, 5s, &why);
         std::vector<uint8_t> junk(64, 0xab);
         return c->send_raw(junk);
       },
       MAGLB_CTL_BAD_REQUEST},
  };

  uint64_t wrong = 0;
  std::string first_problem;
  auto check = [&](const Output &o) {
    if (!o.well_formed || o.backend_id != expected_backend(o.flow, g1)) {
      if (first_problem.empty()) {
        first_problem = "flow " + std::to_string(o.flow) + " went to backend " +
                        std::to_string(o.backend_id) + ", table says " +
                        std::to_string(o.well_formed ? expected_backend(o.flow, g1) : 0);
      }
      wrong++;
    }
  };
  auto pump = [&](unsigned packets) {
    uint64_t target = sent_ + packets;
    while (sent_ < target) {
      send_some(static_cast<unsigned>(target - sent_), [](int) {});
      receive_some(check);
    }
  };
  pump(5000);
  for (const Case &c : cases) {
    dpdk_client::Reply reply = c.send();
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.message;
    EXPECT_FALSE(reply.message.empty()) << c.name;
    pump(2000);  // forwarding goes on between and after every bad message
  }
  ASSERT_TRUE(wait_until(
      [&] {
        receive_some(check);
        return in_flight_ == 0;
      },
      10s));
  EXPECT_EQ(wrong, 0u) << first_problem;
  EXPECT_EQ(received_, sent_);

  r = client_->ping();
  EXPECT_EQ(r.message, "pong generation 1");
  nlohmann::json s = stats();
  EXPECT_EQ(s["control"]["installs"], 1);
  EXPECT_EQ(s["control"]["installs_invalid"], 4);
  EXPECT_EQ(s["control"]["installs_stale"], 1);
  EXPECT_EQ(s["socket"]["framing_errors"], 2);
  EXPECT_EQ(s["totals"]["tx_forwarded"].get<uint64_t>(), sent_);
  EXPECT_EQ(s["totals"]["flow_new"], kFlows);

  // And a good snapshot still installs afterwards.
  r = client_->install_snapshot(make_generation(2, {{1, 1}}).blob);
  EXPECT_TRUE(r.ok()) << r.message;
}

// The dataplane's own ARP/ND on the wire: it asks for the gateway, learns
// the answer, swaps in a new neighbour table (traffic then reaches the
// gateway's MAC instead of drop_no_neighbor), and answers for its addresses.
TEST_F(RingDataplaneTest, ResolvesGatewayAndAnswersForItself) {
  auto r = client_->set_interface(R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"],
      "gateways": ["198.18.0.254"]})");
  ASSERT_TRUE(r.ok()) << r.message;
  Generation g1 = make_generation(1, {{1, 1}, {2, 1}});
  ASSERT_TRUE(client_->install_snapshot(g1.blob).ok());

  // Raw frames from the TX ring until `want` matches one (bounded wait).
  auto await_frame = [&](auto want) {
    bool found = false;
    wait_until(
        [&] {
          rte_mbuf *m;
          while (!found && rte_ring_sc_dequeue(tx_, reinterpret_cast<void **>(&m)) == 0) {
            Bytes f(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_mtod(m, uint8_t *) + m->data_len);
            rte_pktmbuf_free(m);
            found = want(f);
          }
          return found;
        },
        10s);
    return found;
  };
  auto inject_frame = [&](const Bytes &f) {
    rte_mbuf *m = rte_pktmbuf_alloc(pool_);
    ASSERT_TRUE(m);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
    ASSERT_EQ(rte_ring_sp_enqueue(rx_, m), 0);
  };
  const Bytes arp_hdr = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4};
  EXPECT_TRUE(await_frame([&](const Bytes &f) {
    return f.size() >= 42 && std::equal(arp_hdr.begin(), arp_hdr.end(), f.begin() + 12) &&
           f[21] == 1 && f[0] == 0xff &&
           Bytes(f.begin() + 28, f.begin() + 32) == Bytes{198, 18, 0, 1} &&
           Bytes(f.begin() + 38, f.begin() + 42) == Bytes{198, 18, 0, 254};
  })) << "no ARP request for the gateway";

  // Unresolved gateway: traffic is dropped and counted, not sent anywhere.
  send_some(10, [](int) {});
  ASSERT_TRUE(wait_until([&] { return stats()["totals"]["drop_no_neighbor"] == 10; }, 10s));
  in_flight_ = 0;

  // The gateway answers; the learned MAC goes out in a new table.
  Bytes reply = {0x00, 0,  0,    0,   0, 0, 0x02, 0, 0,    0, 0,   0xfe, 0x08, 0x06,
                 0,    1,  0x08, 0,   6, 4, 0,    2, 0x02, 0, 0,   0,    0,    0xfe,
                 198,  18, 0,    254, 0, 0, 0,    0, 0,    0, 198, 18,   0,    1};
  reply.resize(60, 0);
  inject_frame(reply);
  ASSERT_TRUE(wait_until([&] { return stats()["neighbors"]["learned"] == 1; }, 10s));
  uint64_t good = 0;
  send_some(32, [](int) {});
  ASSERT_TRUE(wait_until(
      [&] {
        receive_some([&](const Output &o) { good += o.well_formed; });
        return in_flight_ == 0;
      },
      10s));
  EXPECT_EQ(good, 32u) << "frames must now reach the gateway's MAC";

  // Who has 198.18.0.1? And a neighbour solicitation for 2001:db8::1.
  Bytes who_has = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0,    0, 0,   0x99, 0x08, 0x06,
                   0,    1,    0x08, 0,    6,    4,    0,    1, 0x02, 0, 0,   0,    0,    0x99,
                   198,  18,   0,    99,   0,    0,    0,    0, 0,    0, 198, 18,   0,    1};
  who_has.resize(60, 0);
  inject_frame(who_has);
  EXPECT_TRUE(await_frame([&](const Bytes &f) {
    return f.size() >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
           Bytes(f.begin() + 28, f.begin() + 32) == Bytes{198, 18, 0, 1} &&
           Bytes(f.begin() + 32, f.begin() + 38) == Bytes{0x02, 0, 0, 0, 0, 0x99};
  })) << "no ARP reply for our own address";
  Bytes ns = PacketBuilder()
                 .Eth(mac("33:33:ff:00:00:01"), mac("02:00:00:00:00:99"))
                 .Ipv6(ip("2001:db8::99"), ip("ff02::1:ff00:1"), {0, 0, 255, {}, {}, {}})
                 .Icmp6(135, 0, 0)
                 .Raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0, 0, 0, 0, 0,
                       0,    0,    0,    1,    1, 1, 0x02, 0, 0, 0, 0, 0x99})
                 .Build();
  inject_frame(ns);
  EXPECT_TRUE(await_frame([&](const Bytes &f) {
    // ICMPv6 type 136 to 2001:db8::99's MAC, target 2001:db8::1
    return f.size() >= 14 + 40 + 24 && f[12] == 0x86 && f[13] == 0xdd && f[14 + 40] == 136 &&
           Bytes(f.begin(), f.begin() + 6) == Bytes{0x02, 0, 0, 0, 0, 0x99} &&
           f[14 + 40 + 8 + 15] == 1;
  })) << "no neighbour advertisement for our own address";
  nlohmann::json s = stats();
  EXPECT_EQ(s["neighbors"]["arp_replies_sent"], 1);
  EXPECT_EQ(s["neighbors"]["nd_advertisements_sent"], 1);
}

// STOP_FORWARDING (the last step of a graceful stop with BGP): the worker
// takes nothing more from its RX queue, though it keeps looping, until the
// next install, which resumes forwarding of what waited.
TEST_F(RingDataplaneTest, StopForwardingHoldsRxUntilTheNextInstall) {
  Generation g1 = make_generation(1, {{1, 1}, {2, 1}});
  auto r = client_->install_snapshot(g1.blob);
  ASSERT_TRUE(r.ok()) << r.message;
  auto drain = [&] {
    return wait_until(
        [&] {
          receive_some([](const Output &) {});
          return in_flight_ == 0;
        },
        10s);
  };
  auto send = [&](unsigned n) {  // send_some enqueues at most one burst of 32
    const uint64_t target = sent_ + n;
    while (sent_ < target) send_some(static_cast<unsigned>(target - sent_), [](int) {});
  };
  send(64);
  ASSERT_TRUE(drain());
  ASSERT_EQ(received_, 64u);

  r = client_->stop_forwarding();
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.message, "forwarding stopped at generation 1 (RX off until the next install)");
  EXPECT_EQ(stats()["rx_enabled"], false);
  const uint64_t rx_before = stats()["totals"]["rx_packets"].get<uint64_t>();
  send(64);
  // The worker goes on looping (its loop counter moves by thousands) and
  // still leaves every frame in the ring.
  auto loops = [&] { return stats()["workers"][0]["engine"]["loops"].get<uint64_t>(); };
  const uint64_t loops0 = loops();
  ASSERT_TRUE(wait_until([&] { return loops() > loops0 + 10000; }, 10s));
  EXPECT_EQ(rte_ring_count(rx_), 64u);
  EXPECT_EQ(stats()["totals"]["rx_packets"].get<uint64_t>(), rx_before);
  receive_some([](const Output &) {});
  EXPECT_EQ(received_, 64u);

  r = client_->install_snapshot(make_generation(2, {{1, 1}, {2, 1}}).blob);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(stats()["rx_enabled"], true);
  ASSERT_TRUE(drain());
  EXPECT_EQ(received_, 128u);
}

}  // namespace
}  // namespace maglb::dpdk_test
