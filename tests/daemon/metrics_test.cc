// The Prometheus exposition: well-formed text (checked line by line here
// against the format's grammar), stable names, and the HTTP wrapper.
#include "metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "metrics_server.h"
#include "stats_view.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

// name{labels} -> value, after checking every line against the format.
std::map<std::string, std::string> parse_exposition(const std::string &text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? ([0-9]+)$)");
  static const std::regex kComment(R"(^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  std::map<std::string, std::string> out;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kComment)) {
      if (m[1] == "TYPE") {
        EXPECT_TRUE(typed.insert(m[2]).second) << "second TYPE: " << line;
      }
      continue;
    }
    if (!std::regex_match(line, m, kSample)) {
      ADD_FAILURE() << "not exposition format: " << line;
      continue;
    }
    EXPECT_TRUE(typed.count(m[1])) << "sample before its TYPE: " << line;
    const std::string series = line.substr(0, line.rfind(' '));
    EXPECT_TRUE(out.emplace(series, line.substr(line.rfind(' ') + 1)).second)
        << "duplicate series: " << series;
  }
  return out;
}

TEST(Metrics, LabelEscaping) {
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label("web-1"), "web-1");
}

TEST(Metrics, DaemonVipAndDataplaneSeries) {
  std::ostringstream sink;
  Logger log(sink);
  DaemonCounters counters;
  counters.reloads_rejected = 2;
  counters.dataplane_up = true;
  testing::FakeProgrammer programmer;
  Balancer balancer(programmer, log, counters, [](const auto &) { return std::string(); });
  ASSERT_EQ(balancer.start(testing::make_config(R"([{"address": "198.18.0.100", "port": 80,
      "protocol": "tcp", "method": "ipip", "table_size": 17,
      "backends": [{"address": "198.18.1.1", "name": "web-1"}, {"address": "198.18.1.2",
                    "weight": 0}]}])"),
                           6),
            "");
  const uint32_t id = balancer.vips()[0].backends[0].id;
  const json normalized = {
      {"dataplane", "fake"},
      {"cores", json::array({{{"core", 0}, {"counters", {{"rx_packets", 10u}, {"drop_runt", 1u}}}},
                             {{"core", 1}, {"counters", {{"rx_packets", 5u}}}}})},
      {"flows", {{"capacity", 1024u}, {"occupancy", 3u}}},
      {"totals", {{"rx_packets", 15u}, {"drop_runt", 1u}}},
      {"vips", json::array({{{"vip", "198.18.0.100:80/tcp"},
                             {"packets", 9u},
                             {"bytes", 900u},
                             {"new_flows", 2u}}})},
      {"backends",
       json::array({{{"id", id}, {"packets", 9u}, {"bytes", 900u}, {"new_flows", 2u}}})}};
  const auto m =
      parse_exposition(render_metrics(balancer, counters, enrich_stats(normalized, balancer)));
  const std::string vip = "vip=\"198.18.0.100:80/tcp\"";
  const std::string b1 = vip + ",backend=\"198.18.1.1\",name=\"web-1\"";
  const std::string b2 = vip + ",backend=\"198.18.1.2\",name=\"\"";
  EXPECT_EQ(m.at("maglb_snapshot_generation"), "7");
  EXPECT_EQ(m.at("maglb_dataplane_up{dataplane=\"fake\"}"), "1");
  EXPECT_EQ(m.at("maglb_config_reloads_total{result=\"rejected\"}"), "2");
  EXPECT_EQ(m.at("maglb_vip_all_backends_down{" + vip + "}"), "0");
  EXPECT_EQ(m.at("maglb_backend_up{" + b1 + "}"), "1");
  EXPECT_EQ(m.at("maglb_backend_effective_weight{" + b1 + "}"), "100");
  EXPECT_EQ(m.at("maglb_backend_effective_weight{" + b2 + "}"), "0");
  EXPECT_EQ(m.at("maglb_backend_table_slots{" + b1 + "}"), "17");
  EXPECT_EQ(m.at("maglb_dataplane_counter_total{name=\"rx_packets\",core=\"1\"}"), "5");
  EXPECT_EQ(m.at("maglb_dataplane_counter_total{name=\"drop_runt\",core=\"0\"}"), "1");
  EXPECT_EQ(m.at("maglb_vip_packets_total{" + vip + "}"), "9");
  EXPECT_EQ(m.at("maglb_backend_bytes_total{" + b1 + "}"), "900");
  EXPECT_EQ(m.at("maglb_backend_packets_total{" + b2 + "}"), "0");
  EXPECT_EQ(m.at("maglb_flow_table_entries"), "3");
  EXPECT_EQ(m.at("maglb_dataplane_stats_ok"), "1");

  // Without dataplane statistics the daemon's own metrics are still there.
  const auto m2 = parse_exposition(render_metrics(balancer, counters, json()));
  EXPECT_EQ(m2.at("maglb_dataplane_stats_ok"), "0");
  EXPECT_EQ(m2.count("maglb_vip_packets_total{" + vip + "}"), 0u);
  EXPECT_EQ(m2.at("maglb_snapshot_generation"), "7");
}

TEST(MetricsHttp, RoutesAndMethods) {
  const MetricsServer::Render render = [] { return std::string("maglb_x 1\n"); };
  const std::string ok = MetricsServer::respond("GET /metrics HTTP/1.1\r\nHost: x", render);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("Content-Length: 10\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 10), "maglb_x 1\n");
  EXPECT_EQ(MetricsServer::respond("GET /metrics?x=1 HTTP/1.0", render).rfind("HTTP/1.1 200", 0),
            0u);
  EXPECT_EQ(MetricsServer::respond("GET /secret HTTP/1.1", render).rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(MetricsServer::respond("POST /metrics HTTP/1.1", render).rfind("HTTP/1.1 405", 0), 0u);
  EXPECT_EQ(MetricsServer::respond("garbage", render).rfind("HTTP/1.1 400", 0), 0u);
  const std::string head = MetricsServer::respond("HEAD /metrics HTTP/1.1", render);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace maglb::daemon
