// Whole-process test of maglb-dataplane (tests/dpdk/README in
// docs/dataplane.md "Tests"): the real binary reads IN.pcap through
// net_pcap, a snapshot and an interface arrive over the control socket, and
// OUT.pcap (port) and PASS.pcap (exception port) are checked frame by frame
// against outputs built here from docs/forwarding.md with the test packet
// builder and a table this test chose slot by slot.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "dataplane_process.h"
#include "maglb_hash.h"
#include "packet_builder.h"
#include "fixtures.h"
#include "pcap_file.h"
#include "test_snapshot.h"

namespace maglb::dpdk_test {
namespace {

using fixtures::Bytes;
using fixtures::ip;
using fixtures::mac;
using fixtures::PacketBuilder;
using namespace std::chrono_literals;

const fixtures::Mac kRouterMac = mac("02:00:00:00:01:01");  // sends client traffic to the LB
const fixtures::Mac kGw4Mac = mac("02:00:00:00:00:fe");
const fixtures::Mac kGw6Mac = mac("02:00:00:00:06:fe");

constexpr int kTcpFlows = 20, kTcpPacketsPerFlow = 3;
constexpr int kUdpFlows = 10, kUdpPacketsPerFlow = 2;
constexpr uint16_t kGuePort = 6080;

struct Expected {
  Bytes input;
  uint32_t backend_id;
  uint32_t hash;
};

maglb_flow_key flow_key(const fixtures::Ip &src, const fixtures::Ip &dst, uint16_t sport,
                        uint16_t dport, uint8_t proto) {
  maglb_flow_key k{};
  std::memcpy(k.src, src.a, 16);
  std::memcpy(k.dst, dst.a, 16);
  k.sport = htons(sport);
  k.dport = htons(dport);
  k.proto = proto;
  k.family = src.family == 4 ? MAGLB_FAMILY_IPV4 : MAGLB_FAMILY_IPV6;
  return k;
}

fixtures::Ip backend_ip(const std::vector<TestBackend> &backends, uint32_t id) {
  for (const TestBackend &b : backends) {
    if (b.id == id) {
      fixtures::Ip r{};
      r.family = b.family == MAGLB_FAMILY_IPV4 ? 4 : 6;
      std::memcpy(r.a, b.addr, 16);
      return r;
    }
  }
  ADD_FAILURE() << "no backend " << id;
  return {};
}

fixtures::Mac mac_of(const std::string &text) {
  return mac(text);
}

// EAL arguments every run here shares: no hugepages, no shared config, no
// PCI probing, a file prefix of its own (tests may run in parallel).
std::vector<std::string> eal_args(const std::string &prefix, const std::string &memory_mb,
                                  std::vector<std::string> rest) {
  std::vector<std::string> args = {"--no-huge",
                                   "-m",
                                   memory_mb,
                                   "--no-shconf",
                                   "--no-pci",
                                   "-l",
                                   "0-1",
                                   "--file-prefix=" + prefix,
                                   "--log-level=lib.eal:warning"};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

class DataplanePcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (DPDK EAL, net_pcap)";
    const char *bin = std::getenv("MAGLB_DATAPLANE");
    if (bin == nullptr) GTEST_SKIP() << "MAGLB_DATAPLANE (path of maglb-dataplane) is not set";
    binary_ = bin;
  }
  std::string binary_;
};

TEST_F(DataplanePcapTest, ForwardsPassesDropsAndAnswersArp) {
  TempDir dir;
  // ---- the table: two VIPs, five off-link backends behind the gateways ----
  std::vector<TestBackend> v4_backends = {backend(1, "198.18.2.1", 1), backend(2, "198.18.2.2", 2),
                                          backend(3, "198.18.2.3", 1)};
  std::vector<TestBackend> v6_backends = {backend(4, "2001:db8:2::1", 1),
                                          backend(5, "2001:db8:2::2", 1)};
  TestVip vip4{vip_key("198.18.1.10", 80, 6), MAGLB_FWD_IPIP, MAGLB_HASH_5TUPLE, 7, {}};
  vip4.table_ids = {1, 2, 3, 2, 1, 2, 3};
  TestVip vip6{vip_key("2001:db8:1::10", 53, 17), MAGLB_FWD_GUE, MAGLB_HASH_5TUPLE, 5, {}};
  vip6.table_ids = {4, 5, 5, 4, 4};
  maglb_dp_params params{};
  const fixtures::Ip encap4 = ip("198.18.0.1"), encap6 = ip("2001:db8::1");
  std::memcpy(&params.encap_src_v4, encap4.a, 4);
  std::memcpy(params.encap_src_v6, encap6.a, 16);
  params.src_v4_entropy_bits = 4;
  params.src_v6_entropy_bits = 8;
  params.mtu = 1500;
  params.gue_port = htons(kGuePort);
  params.tcp_idle_timeout_s = 300;
  params.udp_idle_timeout_s = 30;
  std::vector<TestBackend> all = v4_backends;
  all.insert(all.end(), v6_backends.begin(), v6_backends.end());
  std::vector<uint8_t> blob = build_blob(1, params, {vip4, vip6}, all);

  // ---- the input, and what each forwarded frame must become ----
  std::vector<Frame> input;
  std::vector<Expected> forwarded;
  const fixtures::Ip vip4_ip = ip("198.18.1.10"), vip6_ip = ip("2001:db8:1::10");
  for (int p = 0; p < kTcpPacketsPerFlow; p++) {
    for (int f = 0; f < kTcpFlows; f++) {
      fixtures::Ip client = ip("198.18.3." + std::to_string(f + 1));
      uint16_t sport = static_cast<uint16_t>(40000 + f);
      fixtures::TcpOpts tcp;
      tcp.flags = p == 0 ? 0x02 : 0x10;
      tcp.seq = 1000 + p;
      fixtures::Ipv4Opts v4;
      v4.tos = static_cast<uint8_t>(f * 4);  // the outer header must copy it
      Bytes frame = PacketBuilder()
                        .Eth(fixtures::Mac{}, kRouterMac)
                        .Ipv4(client, vip4_ip, v4)
                        .Tcp(sport, 80, tcp)
                        .Payload(p * 10, static_cast<uint8_t>(f))
                        .Build();
      std::memcpy(frame.data(), "\x02\x00\x00\x00\x00\x00", 6);  // any destination MAC
      maglb_flow_key k = flow_key(client, vip4_ip, sport, 80, 6);
      uint32_t h = maglb_flow_hash(&k);
      forwarded.push_back({frame, vip4.table_ids[maglb_slot_of(h, vip4.table_size)], h});
      input.push_back(frame);
    }
  }
  for (int p = 0; p < kUdpPacketsPerFlow; p++) {
    for (int f = 0; f < kUdpFlows; f++) {
      fixtures::Ip client = ip("2001:db8:3::" + std::to_string(f + 1));
      uint16_t sport = static_cast<uint16_t>(50000 + f);
      fixtures::Ipv6Opts v6;
      v6.traffic_class = static_cast<uint8_t>(f);
      Bytes frame = PacketBuilder()
                        .Eth(mac("02:00:00:00:00:00"), kRouterMac)
                        .Ipv6(client, vip6_ip, v6)
                        .Udp(sport, 53)
                        .Payload(20 + p, static_cast<uint8_t>(f))
                        .Build();
      maglb_flow_key k = flow_key(client, vip6_ip, sport, 53, 17);
      uint32_t h = maglb_flow_hash(&k);
      forwarded.push_back({frame, vip6.table_ids[maglb_slot_of(h, vip6.table_size)], h});
      input.push_back(frame);
    }
  }
  // Who has 198.18.0.1 (our address)? Answered by the dataplane, also passed to the kernel.
  Bytes arp_request = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0,    0, 0x01, 0x01, 0x08, 0x06,
                       0,    1,    0x08, 0,    6,    4,    0,    1, 0x02, 0, 0,    0,    0x01, 0x01,
                       198,  18,   0,    200,  0,    0,    0,    0, 0,    0, 198,  18,   0,    1};
  arp_request.resize(60, 0);
  input.push_back(arp_request);
  // SSH to our own address: not a VIP, so PASS.
  Bytes ssh = PacketBuilder()
                  .Eth(mac("02:00:00:00:00:00"), kRouterMac)
                  .Ipv4(ip("198.18.3.50"), ip("198.18.0.1"))
                  .Tcp(33000, 22)
                  .Build();
  input.push_back(ssh);
  Bytes runt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  input.push_back(runt);
  fixtures::Ipv4Opts ttl1;
  ttl1.ttl = 1;
  Bytes expiring = PacketBuilder()
                       .Eth(mac("02:00:00:00:00:00"), kRouterMac)
                       .Ipv4(ip("198.18.3.60"), vip4_ip, ttl1)
                       .Tcp(33001, 80)
                       .Build();
  input.push_back(expiring);
  std::string error;
  ASSERT_TRUE(write_pcap(dir.file("in.pcap"), input, &error)) << error;

  // ---- run the process ----
  const std::string sock = dir.file("ctl.sock");
  DataplaneProcess dp(binary_,
                      eal_args("maglb_pcap_" + std::to_string(getpid()), "1024",
                               {"--vdev=net_pcap0,rx_pcap=" + dir.file("in.pcap") +
                                    ",tx_pcap=" + dir.file("out.pcap"),
                                "--vdev=net_pcap1,tx_pcap=" + dir.file("pass.pcap"), "--", "--port",
                                "net_pcap0", "--exception-port", "net_pcap1", "--wait-for-table",
                                "--control-socket", sock, "--flows-per-core", "4096"}),
                      dir.file("dataplane.log"));
  ASSERT_TRUE(dp.start(&error)) << error;
  auto client = dp.connect(sock, 20s, &error);
  ASSERT_TRUE(client) << error;
  auto r = client->set_interface(R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"],
      "gateways": ["198.18.0.254", "2001:db8::fe"],
      "neighbors": [{"address": "198.18.0.254", "mac": "02:00:00:00:00:fe"},
                    {"address": "2001:db8::fe", "mac": "02:00:00:00:06:fe"}]})");
  ASSERT_TRUE(r.ok()) << r.message;
  nlohmann::json stats;
  r = client->get_stats(&stats);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(stats["totals"]["rx_packets"], 0) << "received before the table: --wait-for-table";
  r = client->install_snapshot(blob);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.message, "installed generation 1 (2 vips, 5 backends)");

  const uint64_t expect_out = forwarded.size() + 1;  // + the ARP reply
  bool done = wait_until(
      [&] {
        r = client->get_stats(&stats);
        if (!r.ok()) return true;
        return stats["totals"]["rx_packets"] == input.size() &&
               stats["port"]["opackets"].get<uint64_t>() >= expect_out &&
               stats["exception_port"]["opackets"].get<uint64_t>() >= 2;
      },
      20s);
  ASSERT_TRUE(done && r.ok()) << "stats never settled: " << r.message << "\n"
                              << stats.dump(1) << "\n"
                              << dp.log();
  const std::string port_mac_text = stats["port"]["mac"];
  EXPECT_EQ(dp.stop(10s), 0) << dp.log();  // closes the pcap writers

  // ---- counters: every one, against what this input must produce ----
  std::map<std::string, uint64_t> want = {{"rx_packets", input.size()},
                                          {"tx_forwarded", forwarded.size()},
                                          {"fwd_ipip", kTcpFlows * kTcpPacketsPerFlow},
                                          {"fwd_gue", kUdpFlows * kUdpPacketsPerFlow},
                                          {"flow_new", kTcpFlows + kUdpFlows},
                                          {"flow_hit", forwarded.size() - kTcpFlows - kUdpFlows},
                                          {"pass_to_kernel", 2},
                                          {"drop_runt", 1},
                                          {"drop_ttl_exceeded", 1}};
  uint64_t rx_bytes = 0;
  for (const Frame &f : input) rx_bytes += f.size();
  want["rx_bytes"] = rx_bytes;
  for (unsigned c = 0; c < MAGLB_C__COUNT; c++) {
    const char *name = maglb_counter_names[c];
    EXPECT_EQ(stats["totals"][name].get<uint64_t>(), want.count(name) ? want[name] : 0) << name;
  }
  EXPECT_EQ(stats["neighbors"]["arp_replies_sent"], 1);

  // Per-backend and per-VIP traffic, from the oracle.
  std::map<uint32_t, uint64_t> per_backend;
  for (const Expected &e : forwarded) per_backend[e.backend_id]++;
  for (const auto &b : stats["backends"]) {
    uint32_t id = b["id"];
    EXPECT_EQ(b["packets"].get<uint64_t>(), per_backend[id]) << "backend " << id;
  }
  ASSERT_EQ(stats["vips"].size(), 2u);
  for (const auto &v : stats["vips"]) {
    bool is4 = v["vip"] == "198.18.1.10:80/tcp";
    EXPECT_TRUE(is4 || v["vip"] == "[2001:db8:1::10]:53/udp") << v["vip"];
    EXPECT_EQ(v["packets"], is4 ? kTcpFlows * kTcpPacketsPerFlow : kUdpFlows * kUdpPacketsPerFlow);
    EXPECT_EQ(v["new_flows"], is4 ? kTcpFlows : kUdpFlows);
  }

  // ---- OUT.pcap: forwarded frames in input order, plus one ARP reply ----
  fixtures::Mac port_mac = mac_of(port_mac_text);
  std::vector<Frame> out;
  ASSERT_TRUE(read_pcap(dir.file("out.pcap"), &out, &error)) << error;
  ASSERT_EQ(out.size(), expect_out);
  size_t next = 0;
  int arp_replies = 0;
  for (const Frame &o : out) {
    if (o.size() >= 14 && o[12] == 0x08 && o[13] == 0x06) {
      Bytes want_reply = {0x02, 0, 0, 0, 0x01, 0x01};
      want_reply.insert(want_reply.end(), port_mac.b, port_mac.b + 6);
      Bytes arp = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2};
      want_reply.insert(want_reply.end(), arp.begin(), arp.end());
      want_reply.insert(want_reply.end(), port_mac.b, port_mac.b + 6);
      Bytes rest = {198, 18, 0, 1, 0x02, 0, 0, 0, 0x01, 0x01, 198, 18, 0, 200};
      want_reply.insert(want_reply.end(), rest.begin(), rest.end());
      want_reply.resize(60, 0);
      EXPECT_EQ(o, want_reply) << fixtures::hex_dump(o);
      arp_replies++;
      continue;
    }
    ASSERT_LT(next, forwarded.size());
    const Expected &e = forwarded[next++];
    Bytes inner = fixtures::ip_packet_of(e.input);
    fixtures::Ip be = backend_ip(all, e.backend_id);
    Bytes want_frame;
    if (be.family == 4) {
      fixtures::Ipv4Opts outer;
      outer.tos = inner[1];
      outer.ttl = 64;
      outer.id = 0;
      outer.df = true;
      outer.proto = 4;
      fixtures::Ip src = encap4;
      src.a[3] = static_cast<uint8_t>((src.a[3] & 0xf0) | (e.hash & 0x0f));
      want_frame = PacketBuilder().Eth(kGw4Mac, port_mac).Ipv4(src, be, outer).Raw(inner).Build();
    } else {
      fixtures::Ipv6Opts outer;
      outer.traffic_class = static_cast<uint8_t>((inner[0] << 4) | (inner[1] >> 4));
      outer.flow_label = e.hash & 0xfffff;
      outer.hop_limit = 64;
      fixtures::Ip src = encap6;
      src.a[15] = static_cast<uint8_t>(e.hash);
      want_frame = PacketBuilder()
                       .Eth(kGw6Mac, port_mac)
                       .Ipv6(src, be, outer)
                       .Udp(static_cast<uint16_t>(0xc000 | (e.hash & 0x3fff)), kGuePort)
                       .Raw(inner)
                       .Build();
    }
    EXPECT_EQ(o, want_frame) << "forwarded frame " << next - 1 << " (backend " << e.backend_id
                             << ")\ngot:\n"
                             << fixtures::hex_dump(o) << "want:\n"
                             << fixtures::hex_dump(want_frame);
  }
  EXPECT_EQ(next, forwarded.size());
  EXPECT_EQ(arp_replies, 1);

  // ---- PASS.pcap: the ARP request and the SSH packet, unchanged ----
  std::vector<Frame> passed;
  ASSERT_TRUE(read_pcap(dir.file("pass.pcap"), &passed, &error)) << error;
  ASSERT_EQ(passed.size(), 2u);
  EXPECT_EQ(passed[0], arp_request);
  EXPECT_EQ(passed[1], ssh);
}

std::string run(const std::string &cmd) {
  std::string out;
  FILE *f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return "popen failed";
  char buf[256];
  while (std::fgets(buf, sizeof(buf), f) != nullptr) out += buf;
  ::pclose(f);
  return out;
}

// The exception path through a real TAP, both ways: a frame the pipeline
// passes reaches the kernel, and what the kernel sends leaves by the port.
// The TAP moves into a namespace of the test's own, where it gets
// 198.18.0.1/24 and a UDP send makes the kernel ARP for 198.18.0.77.
TEST_F(DataplanePcapTest, ExceptionTapCarriesBothDirections) {
  if (run("command -v ip").empty()) GTEST_SKIP() << "needs iproute2";
  TempDir dir;
  const std::string pid = std::to_string(getpid());
  const std::string tap = "mlbt" + pid, ns = "maglb_tap_" + pid;
  // Broadcast destination: the kernel takes it whatever MAC the TAP has.
  Bytes to_kernel = PacketBuilder()
                        .Eth(mac("ff:ff:ff:ff:ff:ff"), kRouterMac)
                        .Ipv4(ip("198.18.3.5"), ip("198.18.0.1"))
                        .Udp(1234, 9999)
                        .Payload(20)
                        .Build();
  std::string error;
  ASSERT_TRUE(write_pcap(dir.file("in.pcap"), {to_kernel}, &error)) << error;
  const std::string sock = dir.file("ctl.sock");
  DataplaneProcess dp(
      binary_,
      eal_args(
          "maglb_tap_" + pid, "1024",
          {"--log-level=pmd.net.tap:error",
           "--vdev=net_pcap0,rx_pcap=" + dir.file("in.pcap") + ",tx_pcap=" + dir.file("out.pcap"),
           "--", "--port", "net_pcap0", "--exception-tap", tap, "--wait-for-table",
           "--control-socket", sock, "--flows-per-core", "4096"}),
      dir.file("dataplane.log"));
  ASSERT_TRUE(dp.start(&error)) << error;
  auto client = dp.connect(sock, 20s, &error);
  ASSERT_TRUE(client) << error;
  struct NsGuard {
    std::string ns;
    ~NsGuard() { run("ip netns del " + ns); }
  } guard{ns};
  ASSERT_EQ(
      run("ip netns add " + ns + " && ip link set " + tap + " netns " + ns + " && ip -n " + ns +
          " addr add 198.18.0.1/24 dev " + tap + " && ip -n " + ns + " link set " + tap + " up"),
      "");
  maglb_dp_params params{};
  params.mtu = 1500;
  auto r = client->install_snapshot(build_blob(1, params, {}, {}));
  ASSERT_TRUE(r.ok()) << r.message;

  nlohmann::json stats;
  auto kernel_rx = [&] {
    return std::atoll(
        run("ip netns exec " + ns + " cat /sys/class/net/" + tap + "/statistics/rx_packets")
            .c_str());
  };
  ASSERT_TRUE(wait_until([&] { return kernel_rx() >= 1; }, 20s))
      << "the kernel never got the passed frame\n"
      << dp.log();
  EXPECT_EQ(kernel_rx(), 1);
  ASSERT_EQ(run("ip netns exec " + ns +
                " /usr/bin/python3 -c \"import socket; "
                "socket.socket(2, 2).sendto(b'x', ('198.18.0.77', 9))\""),
            "");
  // The kernel's ARP request (and whatever IPv6 chatter) leaves by the port.
  bool done = wait_until(
      [&] {
        if (!client->get_stats(&stats).ok()) return true;
        return stats["control"]["exception_rx"].get<uint64_t>() >= 1 &&
               stats["workers"][0]["engine"]["injected_tx"].get<uint64_t>() >=
                   stats["control"]["exception_rx"].get<uint64_t>();
      },
      20s);
  ASSERT_TRUE(done) << stats.dump(1);
  ASSERT_TRUE(client->get_stats(&stats).ok());
  EXPECT_EQ(stats["totals"]["pass_to_kernel"], 1);
  EXPECT_EQ(stats["totals"]["rx_packets"], 1);
  const std::string port_mac = stats["port"]["mac"];
  EXPECT_EQ(dp.stop(10s), 0) << dp.log();

  std::vector<Frame> out;
  ASSERT_TRUE(read_pcap(dir.file("out.pcap"), &out, &error)) << error;
  fixtures::Mac pm = mac(port_mac);
  int arp_requests = 0;
  for (const Frame &o : out) {
    // who-has 198.18.0.77 tell 198.18.0.1, from the port's MAC (the TAP carries it)
    if (o.size() >= 42 && o[12] == 0x08 && o[13] == 0x06 && o[21] == 1 &&
        std::memcmp(o.data() + 6, pm.b, 6) == 0 && o[28] == 198 && o[29] == 18 && o[30] == 0 &&
        o[31] == 1 && o[38] == 198 && o[39] == 18 && o[40] == 0 && o[41] == 77) {
      arp_requests++;
    }
  }
  EXPECT_GE(arp_requests, 1) << out.size() << " frames out, none the kernel's ARP request";
}

TEST_F(DataplanePcapTest, StartupErrorsAreClearAndFatal) {
  TempDir dir;
  DataplaneProcess dp(binary_,
                      eal_args("maglb_bad_" + std::to_string(getpid()), "256",
                               {"--", "--port", "7", "--control-socket", dir.file("ctl.sock")}),
                      dir.file("dataplane.log"));
  std::string error;
  ASSERT_TRUE(dp.start(&error)) << error;
  ASSERT_TRUE(wait_until([&] { return !dp.running(); }, 20s)) << dp.log();
  EXPECT_NE(dp.log().find("maglb-dataplane: port 7 does not exist"), std::string::npos) << dp.log();
}

}  // namespace
}  // namespace maglb::dpdk_test
