// controlplane/bgp without a network: which addresses are announced, the
// BIRD config they become (checked by BIRD's own parser when installed),
// and the parsing of birdc's answers.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "announce_set.h"
#include "bird_config.h"
#include "bird_control.h"
#include "config_parse.h"
#include "run_command.h"

namespace maglb::bgp {
namespace {

constexpr const char *kConfig = R"json({
  "dataplane": {
    "mode": "xdp", "interfaces": ["lb0"],
    "address_v4": "198.18.0.1/24", "address_v6": "2001:db8::1/64",
    "encap_source_v4": "198.18.0.1", "encap_source_v6": "2001:db8::1"
  },
  "vips": [
    { "address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
      "healthcheck": { "type": "http" },
      "backends": [ { "address": "198.18.1.1" }, { "address": "198.18.1.2" } ] },
    { "address": "198.18.0.100", "port": 53, "protocol": "udp", "method": "gue",
      "backends": [ { "address": "198.18.1.1", "weight": 0 } ] },
    { "address": "198.18.0.101", "port": 53, "protocol": "udp", "method": "gue",
      "backends": [ { "address": "198.18.1.1" } ] },
    { "address": "2001:db8:100::100", "port": 80, "protocol": "tcp", "method": "ipip",
      "healthcheck": { "type": "tcp" },
      "backends": [ { "address": "2001:db8:1::1" } ] }
  ],
  "bgp": {
    "local_asn": 65001, "router_id": "198.18.0.1",
    "communities": ["65001:100", "65535:666"], "med": 20,
    "hold_time_s": 6, "keepalive_s": 2,
    "peers": [ { "address": "198.18.0.254", "asn": 65000, "password": "s3cret" },
               { "address": "2001:db8::fe", "asn": 65000 } ]
  }
})json";

config::Config parsed() {
  auto r = config::parse_config_text(kConfig);
  EXPECT_TRUE(r.ok());
  return *r.config;
}

config::Address addr(const char *text) {
  return *config::parse_address(text);
}

health::BackendStatus backend(const char *ip, health::BackendState state, bool suppressed = false,
                              uint32_t weight = 100) {
  health::BackendStatus b;
  const config::Address a = addr(ip);
  b.address.family = a.family;
  b.address.addr = a.bytes;
  b.state = state;
  b.suppressed = suppressed;
  b.configured_weight = weight;
  return b;
}

health::HealthReport report(health::BackendState web1, health::BackendState web2,
                            health::BackendState web6, bool web2_suppressed = false) {
  health::HealthReport r;
  r.vips.push_back({"198.18.0.100:80/tcp",
                    false,
                    false,
                    false,
                    {backend("198.18.1.1", web1), backend("198.18.1.2", web2, web2_suppressed)}});
  r.vips.push_back(
      {"[2001:db8:100::100]:80/tcp", false, false, false, {backend("2001:db8:1::1", web6)}});
  return r;
}

std::vector<std::string> texts(const std::vector<config::Address> &v) {
  std::vector<std::string> out;
  for (const auto &a : v) out.push_back(config::format_address(a));
  return out;
}

using S = health::BackendState;
using V = std::vector<std::string>;

TEST(AnnounceSetTest, NothingWhileTheDataplaneIsDown) {
  const auto r = report(S::kUp, S::kUp, S::kUp);
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, false, {})), V{});
}

TEST(AnnounceSetTest, CheckedVipsWaitForTheFirstReport) {
  // Unchecked VIPs with weight count at once; 198.18.0.100's UDP VIP is
  // drained (weight 0), so that address waits for its TCP VIP's checks.
  EXPECT_EQ(texts(announced_addresses(parsed(), nullptr, true, {})), V{"198.18.0.101"});
}

TEST(AnnounceSetTest, OneHealthyBackendAnnouncesTheAddress) {
  const auto r = report(S::kDown, S::kUp, S::kDown);
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, true, {})),
            (V{"198.18.0.100", "198.18.0.101"}));
  const auto all = report(S::kUp, S::kUp, S::kUp);
  EXPECT_EQ(texts(announced_addresses(parsed(), &all, true, {})),
            (V{"198.18.0.100", "198.18.0.101", "2001:db8:100::100"}));
}

TEST(AnnounceSetTest, DownSuppressedOrDrainedBackendsDoNotCount) {
  auto r = report(S::kDown, S::kUp, S::kUnknown, /*web2_suppressed=*/true);
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, true, {})), V{"198.18.0.101"});
  r = report(S::kDown, S::kUp, S::kDown);
  r.vips[0].backends[1].configured_weight = 0;  // drained
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, true, {})), V{"198.18.0.101"});
}

TEST(AnnounceSetTest, UndecidedVipsKeepWhatIsAnnounced) {
  // A restarted daemon found BIRD announcing both checked addresses: no
  // report yet, or a report still pending, keeps them; a decided "down"
  // withdraws.
  const std::vector<config::Address> current = {addr("198.18.0.100"), addr("2001:db8:100::100")};
  EXPECT_EQ(texts(announced_addresses(parsed(), nullptr, true, current)),
            (V{"198.18.0.100", "198.18.0.101", "2001:db8:100::100"}));
  auto r = report(S::kUnknown, S::kUnknown, S::kDown);
  r.vips[0].pending = true;  // web: not decided yet; web6: decided down
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, true, current)),
            (V{"198.18.0.100", "198.18.0.101"}));
  // Pending but nothing announced before (a cold start): not announced.
  EXPECT_EQ(texts(announced_addresses(parsed(), &r, true, {})), V{"198.18.0.101"});
  // The dataplane being down overrides everything.
  EXPECT_EQ(texts(announced_addresses(parsed(), nullptr, false, current)), V{});
}

TEST(BirdConfigTest, AnnouncedRoutesAreReadBack) {
  const config::Config c = parsed();
  const std::vector<config::Address> v = {addr("198.18.0.100"), addr("2001:db8:100::100")};
  EXPECT_EQ(texts(announced_in(render_bird_config(*c.bgp, v))), texts(v));
  EXPECT_EQ(texts(announced_in(render_bird_config(*c.bgp, {}))), V{});
  EXPECT_EQ(texts(announced_in("garbage\nroute x/32 blackhole;\n")), V{});
}

TEST(BirdConfigTest, RendersPeersRoutesAndAttributes) {
  const config::Config c = parsed();
  const std::string text =
      render_bird_config(*c.bgp, {addr("198.18.0.100"), addr("2001:db8:100::100")});
  for (const char *want : {
           "router id 198.18.0.1;",
           "route 198.18.0.100/32 blackhole;",
           "route 2001:db8:100::100/128 blackhole;",
           "bgp_community.add((65001, 100));",
           "bgp_community.add((65535, 666));",
           "bgp_med = 20;",
           "protocol bgp peer_198_18_0_254 {",
           "neighbor 198.18.0.254 as 65000;",
           "local as 65001;",
           "hold time 6;",
           "keepalive time 2;",
           "password \"s3cret\";",
           "next hop address 198.18.0.1;",
           "protocol bgp peer_2001_db8__fe {",
           "next hop address 2001:db8::1;",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  // The IPv6 peer has no password; nothing announced means empty statics.
  EXPECT_EQ(text.find("password", text.find("peer_2001_db8__fe")), std::string::npos);
  const std::string empty = render_bird_config(*c.bgp, {});
  EXPECT_EQ(empty.find("route "), std::string::npos) << empty;
}

// BIRD's own parser is the real judge of the rendered file.
TEST(BirdConfigTest, BirdAcceptsTheRenderedConfig) {
  if (access("/usr/sbin/bird", X_OK) != 0) GTEST_SKIP() << "bird (Debian bird2) not installed";
  const config::Config c = parsed();
  char path[] = "/tmp/maglb-bird-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  for (const auto &announce :
       {std::vector<config::Address>{},
        std::vector<config::Address>{addr("198.18.0.100"), addr("2001:db8:100::100")}}) {
    std::ofstream(path) << render_bird_config(*c.bgp, announce);
    const CommandResult r =
        run_command({"/usr/sbin/bird", "-p", "-c", path}, std::chrono::seconds(10));
    EXPECT_TRUE(r.ok) << r.error << "\n" << r.output;
  }
  std::remove(path);
}

TEST(BirdControlTest, ParsesShowProtocols) {
  const std::string out =
      "BIRD 2.0.12 ready.\n"
      "Name       Proto      Table      State  Since         Info\n"
      "device1    Device     ---        up     2026-11-24 14:00:01  \n"
      "maglb_vips4 Static    master4    up     2026-11-24 14:00:01  \n"
      "peer_198_18_0_254 BGP        ---        up     2026-11-24 14:00:03  Established   \n"
      "peer_2001_db8__fe BGP        ---        start  2026-11-24 14:00:01  Active        "
      "Socket: Connection refused\n";
  const auto s = parse_bgp_protocols(out);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].protocol, "peer_198_18_0_254");
  EXPECT_EQ(s[0].state, "up");
  EXPECT_TRUE(s[0].established);
  EXPECT_EQ(s[1].state, "start");
  EXPECT_EQ(s[1].info, "Active Socket: Connection refused");
  EXPECT_FALSE(s[1].established);
}

TEST(BirdControlTest, ReplyErrorsAreTheEightAndNineThousands) {
  EXPECT_EQ(reply_errors("0001 BIRD 2.0.12 ready.\n0002-Reading configuration from x\n"
                         "0003 Reconfigured\n"),
            "");
  EXPECT_EQ(reply_errors("0001 BIRD 2.0.12 ready.\n8002 x.conf:3:1 syntax error\n"),
            "x.conf:3:1 syntax error");
}

TEST(RunCommandTest, OutputStatusAndTimeout) {
  const CommandResult ok =
      run_command({"/bin/sh", "-c", "echo hi; echo err >&2"}, std::chrono::seconds(5));
  EXPECT_TRUE(ok.ok) << ok.error;
  EXPECT_NE(ok.output.find("hi"), std::string::npos);
  EXPECT_NE(ok.output.find("err"), std::string::npos);
  const CommandResult failed = run_command({"/bin/sh", "-c", "exit 3"}, std::chrono::seconds(5));
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.error.find("exit status 3"), std::string::npos) << failed.error;
  const auto t0 = std::chrono::steady_clock::now();
  const CommandResult hung = run_command({"/bin/sleep", "30"}, std::chrono::milliseconds(200));
  EXPECT_FALSE(hung.ok);
  EXPECT_NE(hung.error.find("did not finish"), std::string::npos) << hung.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_FALSE(run_command({"/nonexistent/x"}, std::chrono::seconds(1)).ok);
}

}  // namespace
}  // namespace maglb::bgp
