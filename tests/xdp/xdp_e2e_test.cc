// End to end through native XDP on veth: a client namespace fetches files
// over HTTP from a VIP; the load balancer namespace runs the XDP program
// (IPIP, GUE and IP6IP6 VIPs); the backend namespace strips the tunnels
// with maglb-decap (tc ingress) and serves the files from the VIP held on
// lo; the replies go straight to the client over the shared segment.
//
//   client ns (c0), lb ns (l0, XDP), backend ns (b0, decap): three veths
//   on one bridge in a switch namespace.
//
// Needs root, iproute2, curl and /usr/bin/python3; skips otherwise.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "snapshot_builder.h"
#include "test_netns.h"
#include "xdp_dataplane.h"

namespace maglb::xdptest {
namespace {

constexpr const char *kVip4Ipip = "198.18.100.1";
constexpr const char *kVip4Gue = "198.18.100.2";
constexpr const char *kVip6 = "2001:db8:100::1";
constexpr uint16_t kGuePort = 6080;
constexpr size_t kFileBytes = 1 << 20;

std::string env_or_empty(const char *name) {
  const char *v = std::getenv(name);
  return v ? v : "";
}

// Polls `check` every 50 ms until it returns true or `limit` passes.
template <typename F>
bool wait_for(F check, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return check();
}

std::array<uint8_t, 16> addr(const char *text) {
  std::array<uint8_t, 16> a{};
  if (inet_pton(AF_INET, text, a.data()) != 1) inet_pton(AF_INET6, text, a.data());
  return a;
}

maglb_vip_key vip_key(const char *address, uint16_t port) {
  maglb_vip_key k{};
  const auto a = addr(address);
  std::memcpy(k.addr, a.data(), 16);
  k.port = htons(port);
  k.proto = 6;
  k.family =
      std::string(address).find(':') != std::string::npos ? MAGLB_FAMILY_IPV6 : MAGLB_FAMILY_IPV4;
  return k;
}

snapshot::BackendInput backend(const char *address, uint8_t family) {
  snapshot::BackendInput b;
  b.family = family;
  b.addr = addr(address);
  b.weight = 1;
  return b;
}

std::vector<uint8_t> e2e_snapshot() {
  snapshot::SnapshotInput in;
  in.generation = 1;
  maglb_dp_params &p = in.params;
  const auto src4 = addr("198.18.0.2");
  std::memcpy(&p.encap_src_v4, src4.data(), 4);
  const auto src6 = addr("2001:db8::2");
  std::memcpy(p.encap_src_v6, src6.data(), 16);
  p.src_v4_entropy_bits = 0;  // the outer source must be an address the LB owns (rp_filter)
  p.mtu = 1500;
  p.gue_port = htons(kGuePort);
  p.flags = MAGLB_DP_F_ICMP_TOO_BIG;
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  snapshot::VipInput a;
  a.key = vip_key(kVip4Ipip, 80);
  a.fwd_method = MAGLB_FWD_IPIP;
  a.table_size = 7;
  a.backends = {backend("198.18.0.11", MAGLB_FAMILY_IPV4)};
  snapshot::VipInput g = a;
  g.key = vip_key(kVip4Gue, 80);
  g.fwd_method = MAGLB_FWD_GUE;
  snapshot::VipInput six;
  six.key = vip_key(kVip6, 80);
  six.fwd_method = MAGLB_FWD_IPIP;
  six.table_size = 7;
  six.backends = {backend("2001:db8::11", MAGLB_FAMILY_IPV6)};
  in.vips = {a, g, six};
  snapshot::IdAllocator ids;
  snapshot::BuildResult r = snapshot::build_snapshot(in, ids);
  EXPECT_EQ(r.error, "");
  return r.blob;
}

class XdpEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason = missing_privileges();
    decap_ = env_or_empty("MAGLB_DECAP");
    xdp_pass_ = env_or_empty("MAGLB_XDP_PASS_OBJ");
    if (reason.empty() && (decap_.empty() || xdp_pass_.empty()))
      reason = "MAGLB_DECAP / MAGLB_XDP_PASS_OBJ not set (run through meson test)";
    if (reason.empty() && run("command -v curl") != 0) reason = "curl is not installed";
    if (reason.empty() && access("/usr/bin/python3", X_OK) != 0) reason = "no /usr/bin/python3";
    if (!reason.empty()) GTEST_SKIP() << reason;
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      waitpid(server_pid_, nullptr, 0);
    }
    if (dp_) {
      dp_->detach();
      dp_->unpin();
      const std::string root = dp_->pin_dir().substr(0, dp_->pin_dir().rfind('/'));
      dp_.reset();
      rmdir(root.c_str());
    }
    inside_lb_.reset();
    if (!docroot_.empty()) run("rm -rf " + docroot_);
  }

  // The HTTP server in the backend namespace (killed by pid in TearDown).
  void start_server(Netns &ns) {
    char tmpl[] = "/tmp/maglb-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    docroot_ = tmpl;
    std::string content(kFileBytes, '\0');
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
    std::ofstream(docroot_ + "/file") << content;
    server_pid_ = fork();
    ASSERT_GE(server_pid_, 0);
    if (server_pid_ == 0) {
      execl("/usr/sbin/ip", "ip", "netns", "exec", ns.name().c_str(), "/usr/bin/python3", "-m",
            "http.server", "80", "--bind", "::", "--directory", docroot_.c_str(),
            static_cast<char *>(nullptr));
      _exit(127);
    }
  }

  std::string decap_, xdp_pass_, docroot_;
  pid_t server_pid_ = -1;
  std::unique_ptr<EnterNetns> inside_lb_;
  std::unique_ptr<xdp::XdpDataplane> dp_;
};

TEST_F(XdpEndToEnd, CurlThroughVipsWithDirectServerReturn) {
  Netns sw("maglbsw"), client("maglbc"), lb("maglbl"), be("maglbb");
  ASSERT_TRUE(sw.ok() && client.ok() && lb.ok() && be.ok())
      << sw.error() << client.error() << lb.error() << be.error();

  // The segment: one bridge, a veth to each host.
  sw.ip("link add br0 type bridge");
  sw.ip("link set br0 up");
  struct Host {
    Netns *ns;
    const char *dev, *peer, *v4, *v6;
  };
  const Host hosts[] = {{&client, "c0", "c0br", "198.18.0.10/24", "2001:db8::10/64"},
                        {&lb, "l0", "l0br", "198.18.0.2/24", "2001:db8::2/64"},
                        {&be, "b0", "b0br", "198.18.0.11/24", "2001:db8::11/64"}};
  for (const Host &h : hosts) {
    sw.ip(std::string("link add ") + h.peer + " type veth peer name " + h.dev);
    sw.ip(std::string("link set ") + h.dev + " netns " + h.ns->name());
    sw.ip(std::string("link set ") + h.peer + " master br0 up");
    h.ns->ip(std::string("addr add ") + h.v4 + " dev " + h.dev);
    h.ns->ip(std::string("-6 addr add ") + h.v6 + " dev " + h.dev + " nodad");
    h.ns->ip(std::string("link set ") + h.dev + " up");
    // Senders on veth: the checksums must be in the packet before it
    // crosses the XDP program, which does not complete them.
    h.ns->exec(std::string("ethtool -K ") + h.dev + " tx off", true);
  }
  // XDP_TX into a veth is delivered only if its peer has an XDP program.
  sw.ip("link set dev l0br xdpdrv obj " + xdp_pass_ + " sec xdp");
  client.ip(std::string("route add ") + kVip4Ipip + "/32 via 198.18.0.2");
  client.ip(std::string("route add ") + kVip4Gue + "/32 via 198.18.0.2");
  client.ip(std::string("-6 route add ") + kVip6 + "/128 via 2001:db8::2");
  lb.exec("sysctl -qw net.ipv4.conf.l0.forwarding=1");
  lb.exec("sysctl -qw net.ipv6.conf.l0.forwarding=1");
  for (const char *vip : {kVip4Ipip, kVip4Gue})
    be.ip(std::string("addr add ") + vip + "/32 dev lo");
  be.ip(std::string("-6 addr add ") + kVip6 + "/128 dev lo");
  for (const char *k : {"net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                        "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.b0.rp_filter=0"})
    be.exec(std::string("sysctl -qw ") + k);
  ASSERT_TRUE(sw.ok() && client.ok() && lb.ok() && be.ok())
      << sw.error() << client.error() << lb.error() << be.error();

  ASSERT_EQ(be.exec(decap_ + " attach b0 --gue-port " + std::to_string(kGuePort)), 0) << be.error();
  ASSERT_NO_FATAL_FAILURE(start_server(be));
  ASSERT_TRUE(
      wait_for([&] { return be.exec("curl -sf -o /dev/null http://127.0.0.1/file", true) == 0; },
               std::chrono::seconds(10)))
      << "HTTP server did not come up";

  // The load balancer: native XDP on l0, programmed from a snapshot built
  // by the control plane's builder.
  inside_lb_ = std::make_unique<EnterNetns>(lb.name());
  ASSERT_TRUE(inside_lb_->ok()) << inside_lb_->error();
  xdp::LoadOptions opts;
  opts.ifname = "l0";
  opts.pin_root = "/sys/fs/bpf/" + lb.name();
  opts.flow_entries = 4096;
  std::string err;
  dp_ = xdp::XdpDataplane::open_or_load(opts, &err);
  ASSERT_TRUE(dp_) << err;
  std::string warning;
  ASSERT_EQ(dp_->attach(/*allow_generic=*/false, &warning), "");
  EXPECT_EQ(dp_->mode(), xdp::AttachMode::Native);
  EXPECT_EQ(warning, "");
  ASSERT_EQ(dp_->program(e2e_snapshot()), "");

  // Like a health checker would: traffic from the LB to the backends
  // resolves their neighbour entries, which bpf_fib_lookup only reads.
  ASSERT_EQ(lb.exec("curl -sf -o /dev/null http://198.18.0.11/file"), 0) << lb.error();
  ASSERT_EQ(lb.exec("curl -sf -o /dev/null http://[2001:db8::11]/file"), 0) << lb.error();
  ASSERT_EQ(dp_->reset_counters(), "");

  for (const std::string &url :
       {std::string("http://") + kVip4Ipip + "/file", std::string("http://") + kVip4Gue + "/file",
        std::string("http://[") + kVip6 + "]/file"}) {
    std::string out;
    const int rc = run("ip netns exec " + client.name() +
                           " curl -sS --max-time 10 -o /dev/null -w '%{size_download}' " + url,
                       &out);
    EXPECT_EQ(rc, 0) << url << ": " << out;
    EXPECT_EQ(out, std::to_string(kFileBytes)) << url;
  }

  const nlohmann::json s = dp_->stats();
  const auto &c = s["counters"];
  EXPECT_GT(c["fwd_ipip"].get<uint64_t>(), 0u) << s.dump();
  EXPECT_GT(c["fwd_gue"].get<uint64_t>(), 0u) << s.dump();
  EXPECT_EQ(c["drop_no_neighbor"], 0) << s.dump();
  // Direct server return: 3 MiB went to the client, but only the requests
  // (and the client's ACKs) crossed the load balancer.
  EXPECT_LT(c["rx_bytes"].get<uint64_t>(), kFileBytes / 2) << s.dump();

  std::string status;
  ASSERT_EQ(run("ip netns exec " + be.name() + " " + decap_ + " status b0", &status), 0) << status;
  EXPECT_NE(status.find("attached"), std::string::npos) << status;
  EXPECT_EQ(status.find("ipip 0 "), std::string::npos) << status;
  EXPECT_EQ(status.find("gue 0;"), std::string::npos) << status;
  ASSERT_EQ(run("ip netns exec " + be.name() + " " + decap_ + " detach b0", &status), 0) << status;
  ASSERT_EQ(run("ip netns exec " + be.name() + " " + decap_ + " status b0", &status), 0) << status;
  EXPECT_NE(status.find("not attached"), std::string::npos) << status;
}

}  // namespace
}  // namespace maglb::xdptest
