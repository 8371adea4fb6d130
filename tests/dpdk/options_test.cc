// maglb-dataplane's own command line (after `--`).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "options.h"

namespace maglb::dpdk {
namespace {

ParsedOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "maglb-dataplane");
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(DataplaneOptions, Defaults) {
  ParsedOptions p = parse({});
  ASSERT_EQ(p.outcome, ParsedOptions::Outcome::Run) << p.text;
  EXPECT_EQ(p.options.port, "0");
  EXPECT_EQ(p.options.queues, 1);
  EXPECT_TRUE(p.options.promiscuous);
  EXPECT_FALSE(p.options.wait_for_table);
}

TEST(DataplaneOptions, AllOptions) {
  ParsedOptions p = parse({"--port", "net_pcap0,rx_pcap=a.pcap", "--queues", "2",
                           "--control-socket", "/tmp/x.sock", "--flows-per-core", "4096",
                           "--exception-tap", "mlb0", "--stats-interval", "5", "--wait-for-table",
                           "--mbufs", "9000", "--mtu", "9000", "--no-promiscuous"});
  ASSERT_EQ(p.outcome, ParsedOptions::Outcome::Run) << p.text;
  EXPECT_EQ(p.options.port, "net_pcap0,rx_pcap=a.pcap");
  EXPECT_EQ(p.options.queues, 2);
  EXPECT_EQ(p.options.control_socket, "/tmp/x.sock");
  EXPECT_EQ(p.options.flows_per_core, 4096u);
  EXPECT_EQ(p.options.exception_tap, "mlb0");
  EXPECT_EQ(p.options.stats_interval_s, 5u);
  EXPECT_TRUE(p.options.wait_for_table);
  EXPECT_EQ(p.options.mbufs, 9000u);
  EXPECT_EQ(p.options.mtu, 9000);
  EXPECT_FALSE(p.options.promiscuous);
}

TEST(DataplaneOptions, Errors) {
  EXPECT_EQ(parse({"--queues", "0"}).text, "--queues must be 1..128");
  EXPECT_EQ(parse({"--exception-tap", "a", "--exception-port", "1"}).text,
            "--exception-tap and --exception-port exclude each other");
  EXPECT_EQ(parse({"--bogus"}).outcome, ParsedOptions::Outcome::Error);
  EXPECT_EQ(parse({"--queues", "x"}).outcome, ParsedOptions::Outcome::Error);
  EXPECT_EQ(parse({"--help"}).outcome, ParsedOptions::Outcome::Help);
  EXPECT_NE(parse({"--help"}).text.find("--wait-for-table"), std::string::npos);
}

}  // namespace
}  // namespace maglb::dpdk
