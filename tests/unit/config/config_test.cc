// Config parser and validator: the example file, the canonical round trip,
// and one test per class of error (exact path, reason substring).
#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config.h"
#include "config_address.h"
#include "config_dp_params.h"
#include "config_errors.h"
#include "config_names.h"
#include "config_parse.h"
#include "config_serialize.h"

namespace maglb::config {
namespace {

using json = nlohmann::json;

// A small valid config that every error test edits in one place.
constexpr const char *kBase = R"json({
  "dataplane": {
    "mode": "xdp",
    "interfaces": ["lb0"],
    "address_v4": "198.18.0.1/24",
    "address_v6": "2001:db8::1/64",
    "encap_source_v4": "198.18.0.1",
    "encap_source_v6": "2001:db8::1"
  },
  "vips": [
    { "address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
      "healthcheck": { "type": "http" },
      "backends": [ { "address": "198.18.1.1" }, { "address": "198.18.1.2", "weight": 50 } ] },
    { "address": "2001:db8:100::100", "port": 80, "protocol": "tcp", "method": "ipip",
      "backends": [ { "address": "2001:db8:1::1", "name": "web6-1" } ] }
  ]
})json";

std::string dump_errors(const ParseResult &result) {
  std::string out;
  for (const ConfigError &e : result.errors) out += "  " + e.to_string() + "\n";
  return out;
}

// kBase with the values at the given JSON pointers replaced (or added).
ParseResult parse_edited(std::vector<std::pair<std::string, json>> edits,
                         std::vector<std::string> removals = {}) {
  json doc = json::parse(kBase);
  for (auto &[pointer, value] : edits) doc[json::json_pointer(pointer)] = std::move(value);
  for (const std::string &pointer : removals) {
    const json::json_pointer p(pointer);
    json &parent = doc[p.parent_pointer()];
    if (parent.is_array()) {
      parent.erase(std::stoul(p.back()));
    } else {
      parent.erase(p.back());
    }
  }
  return parse_config_text(doc.dump());
}

bool has_error(const ParseResult &result, const std::string &path, const std::string &reason) {
  for (const ConfigError &e : result.errors) {
    if (e.path == path && e.reason.find(reason) != std::string::npos) return true;
  }
  return false;
}

// Exactly one error, at path, whose reason contains reason: one mistake
// must not cascade into several reports.
void expect_only_error(const ParseResult &result, const std::string &path,
                       const std::string &reason) {
  EXPECT_FALSE(result.config.has_value());
  ASSERT_EQ(result.errors.size(), 1u) << dump_errors(result);
  EXPECT_EQ(result.errors[0].path, path) << dump_errors(result);
  EXPECT_NE(result.errors[0].reason.find(reason), std::string::npos) << dump_errors(result);
}

Address addr(const char *text) {
  const auto parsed = parse_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Address{});
}

// ---------------------------------------------------------------- accepted

TEST(ConfigTest, ExampleFileParses) {
  const ParseResult result = load_config_file(MAGLB_EXAMPLE_CONFIG);
  ASSERT_TRUE(result.ok()) << dump_errors(result);
  const Config &c = *result.config;
  EXPECT_EQ(c.dataplane.mode, DataplaneMode::kXdp);
  EXPECT_EQ(c.dataplane.interfaces, std::vector<std::string>{"lb0"});
  ASSERT_EQ(c.vips.size(), 3u);

  EXPECT_EQ(c.vips[0].address, addr("198.18.0.100"));
  EXPECT_EQ(c.vips[0].port, 80);
  EXPECT_EQ(c.vips[0].protocol, Protocol::kTcp);
  EXPECT_EQ(c.vips[0].method, Method::kIpip);
  EXPECT_EQ(c.vips[0].healthcheck.type, HealthcheckType::kHttp);
  ASSERT_EQ(c.vips[0].backends.size(), 3u);
  EXPECT_EQ(c.vips[0].backends[2].address, addr("198.18.1.3"));
  EXPECT_EQ(c.vips[0].backends[2].name, "web3");

  EXPECT_TRUE(c.vips[1].address.is_v6());
  EXPECT_EQ(c.vips[1].healthcheck.port, 80);  // defaulted from the VIP port
  ASSERT_EQ(c.vips[1].backends.size(), 3u);
  EXPECT_TRUE(c.vips[1].backends[0].address.is_v6());

  EXPECT_EQ(c.vips[2].address, addr("198.18.0.100"));
  EXPECT_EQ(c.vips[2].port, 53);
  EXPECT_EQ(c.vips[2].protocol, Protocol::kUdp);
  EXPECT_EQ(c.vips[2].method, Method::kGue);
}

TEST(ConfigTest, DefaultsAreFilledIn) {
  const ParseResult result = parse_config_text(kBase);
  ASSERT_TRUE(result.ok()) << dump_errors(result);
  const Config &c = *result.config;
  EXPECT_EQ(c.dataplane.cores, 1u);
  EXPECT_EQ(c.dataplane.queues, 1u);
  EXPECT_EQ(c.dataplane.mtu, 1500);
  EXPECT_EQ(c.dataplane.gue_port, 6080);
  EXPECT_TRUE(c.dataplane.icmp_too_big);
  EXPECT_EQ(c.dataplane.encap_source_v4_entropy_bits, 0);
  EXPECT_EQ(c.dataplane.flow_table.entries_per_core, 1048576u);
  EXPECT_EQ(c.dataplane.flow_table.tcp_idle_timeout_s, 300u);
  EXPECT_EQ(c.dataplane.flow_table.udp_idle_timeout_s, 30u);
  EXPECT_FALSE(c.dataplane.dpdk.has_value());
  EXPECT_FALSE(c.dataplane.gateway_v4.has_value());
  EXPECT_EQ(c.control.socket, "/run/maglb/maglbd.sock");
  EXPECT_EQ(format_endpoint(c.control.metrics_listen), "127.0.0.1:9108");

  const VipConfig &vip = c.vips[0];
  EXPECT_EQ(vip.hash, HashFields::k5Tuple);
  EXPECT_EQ(vip.table_size, MAGLB_DEFAULT_TABLE_SIZE);
  EXPECT_EQ(vip.healthcheck.port, 80);
  EXPECT_EQ(vip.healthcheck.path, "/");
  EXPECT_EQ(vip.healthcheck.expect_status, 200);
  EXPECT_EQ(vip.healthcheck.interval_ms, 1000u);
  EXPECT_EQ(vip.healthcheck.timeout_ms, 500u);
  EXPECT_EQ(vip.healthcheck.rise, 2u);
  EXPECT_EQ(vip.healthcheck.fall, 3u);
  EXPECT_FALSE(vip.healthcheck.through_tunnel);
  EXPECT_EQ(vip.backends[0].weight, 100);
  EXPECT_EQ(vip.backends[1].weight, 50);
  EXPECT_EQ(vip.backends[0].name, "");
  EXPECT_EQ(c.vips[1].healthcheck, HealthcheckConfig{});  // absent = none
}

TEST(ConfigTest, RoundTripIsIdentity) {
  for (const ParseResult &first : {load_config_file(MAGLB_EXAMPLE_CONFIG), parse_config_text(kBase),
                                   parse_edited({{"/dataplane/mode", "dpdk"},
                                                 {"/dataplane/dpdk", json::object()},
                                                 {"/dataplane/gateway_v6", "2001:db8::fe"},
                                                 {"/control/metrics_listen", "[2001:db8::1]:9100"},
                                                 {"/vips/0/healthcheck/type", "tcp"},
                                                 {"/vips/0/healthcheck/through_tunnel", true},
                                                 {"/vips/1/method", "gue"},
                                                 {"/vips/1/hash", "src_addr"},
                                                 {"/vips/1/table_size", 7}})}) {
    ASSERT_TRUE(first.ok()) << dump_errors(first);
    const json canonical = to_json(*first.config);
    const ParseResult second = parse_config_text(canonical.dump(2));
    ASSERT_TRUE(second.ok()) << dump_errors(second) << canonical.dump(2);
    EXPECT_EQ(*second.config, *first.config) << canonical.dump(2);
    EXPECT_EQ(to_json(*second.config), canonical);
  }
}

TEST(ConfigTest, HealthcheckNoneIgnoresItsSettings) {
  const ParseResult result = parse_edited(
      {{"/vips/0/healthcheck", {{"type", "none"}, {"interval_ms", 5000}, {"path", "/x"}}}});
  ASSERT_TRUE(result.ok()) << dump_errors(result);
  EXPECT_EQ(result.config->vips[0].healthcheck, HealthcheckConfig{});
}

TEST(ConfigTest, PortZeroMeansAllPorts) {
  const ParseResult result = parse_edited(
      {{"/vips/0/port", 0}, {"/vips/0/hash", "3tuple"}, {"/vips/0/healthcheck/port", 8080}});
  ASSERT_TRUE(result.ok()) << dump_errors(result);
  EXPECT_EQ(result.config->vips[0].port, 0);
  EXPECT_EQ(result.config->vips[0].healthcheck.port, 8080);

  // Without a port there is nothing to probe.
  expect_only_error(parse_edited({{"/vips/0/port", 0}}), "vips[0].healthcheck.port",
                    "required when the VIP port is 0");
}

// ------------------------------------------------------ syntax and shape

TEST(ConfigErrorTest, NotJson) {
  const ParseResult result = parse_config_text("{\n  \"dataplane\": {,\n}");
  expect_only_error(result, "", "not valid JSON: parse error at line 2");
}

TEST(ConfigErrorTest, EmptyFile) {
  expect_only_error(parse_config_text(""), "", "empty config");
  expect_only_error(parse_config_text("  \n\t"), "", "empty config");
}

TEST(ConfigErrorTest, TopLevelNotAnObject) {
  expect_only_error(parse_config_text("[1, 2]"), "", "top level must be a JSON object");
}

TEST(ConfigErrorTest, UnreadableFile) {
  const ParseResult result = load_config_file("/nonexistent/maglb.json");
  expect_only_error(result, "", "cannot read /nonexistent/maglb.json: No such file");
}

TEST(ConfigErrorTest, DuplicateJsonKey) {
  const std::string text = std::string(kBase).replace(std::string(kBase).find("\"weight\": 50"), 12,
                                                      "\"weight\": 50, \"weight\": 60");
  expect_only_error(parse_config_text(text), "vips[0].backends[1].weight", "duplicate field");
}

TEST(ConfigErrorTest, UnknownFieldsAtEveryLevel) {
  expect_only_error(parse_edited({{"/colour", 1}}), "colour", "unknown field");
  expect_only_error(parse_edited({{"/dataplane/colour", 1}}), "dataplane.colour", "unknown field");
  expect_only_error(parse_edited({{"/dataplane/flow_table", {{"entries", 1}}}}),
                    "dataplane.flow_table.entries", "unknown field");
  expect_only_error(parse_edited({{"/dataplane/dpdk", {{"sock", "/run/x"}}}}),
                    "dataplane.dpdk.sock", "unknown field");
  expect_only_error(parse_edited({{"/control", {{"metrics", "198.18.0.1:1"}}}}), "control.metrics",
                    "unknown field");
  expect_only_error(parse_edited({{"/vips/1/weight", 1}}), "vips[1].weight", "unknown field");
  expect_only_error(parse_edited({{"/vips/0/healthcheck/interval", 1}}),
                    "vips[0].healthcheck.interval", "unknown field");
  expect_only_error(parse_edited({{"/vips/0/backends/1/wieght", 7}}), "vips[0].backends[1].wieght",
                    "unknown field");
}

// ------------------------------------------------------ types and ranges

TEST(ConfigErrorTest, WrongTypes) {
  expect_only_error(parse_edited({{"/vips/0/port", "80"}}), "vips[0].port",
                    "must be an integer 0..65535");
  expect_only_error(parse_edited({{"/vips/0/backends/0/weight", 1.5}}),
                    "vips[0].backends[0].weight", "must be an integer 0..65535");
  expect_only_error(parse_edited({{"/dataplane/icmp_too_big", "yes"}}), "dataplane.icmp_too_big",
                    "must be true or false");
  expect_only_error(parse_edited({{"/dataplane/interfaces", "lb0"}}), "dataplane.interfaces",
                    "must be an array");
  expect_only_error(parse_edited({{"/dataplane/interfaces/0", 7}}), "dataplane.interfaces[0]",
                    "must be a network interface name");
  expect_only_error(parse_edited({{"/vips/1/backends", {{"address", "2001:db8:1::1"}}}}),
                    "vips[1].backends", "must be an array");
  expect_only_error(parse_edited({{"/vips/1", "198.18.0.100"}}), "vips[1]", "must be an object");
  expect_only_error(parse_edited({{"/vips", json::object()}}), "vips", "must be an array");
  expect_only_error(parse_edited({{"/vips/0/method", "dsr"}}), "vips[0].method",
                    R"(must be one of "ipip", "gue", "l2")");
  expect_only_error(parse_edited({{"/vips/0/protocol", 6}}), "vips[0].protocol",
                    "must be a string");
}

TEST(ConfigErrorTest, OutOfRange) {
  const ParseResult weight = parse_edited({{"/vips/0/backends/1/weight", 70000}});
  expect_only_error(weight, "vips[0].backends[1].weight", "must be an integer 0..65535");
  EXPECT_EQ(weight.errors[0].to_string(),
            "vips[0].backends[1].weight: must be an integer 0..65535");

  expect_only_error(parse_edited({{"/vips/0/port", -1}}), "vips[0].port", "0..65535");
  expect_only_error(parse_edited({{"/dataplane/mtu", 100}}), "dataplane.mtu",
                    "must be an integer 576..9216");
  expect_only_error(parse_edited({{"/dataplane/encap_source_v6_entropy_bits", 17}}),
                    "dataplane.encap_source_v6_entropy_bits", "0..16");
  expect_only_error(parse_edited({{"/dataplane/cores", 0}}), "dataplane.cores", "1..128");
  expect_only_error(parse_edited({{"/dataplane/gue_port", 0}}), "dataplane.gue_port", "1..65535");
  expect_only_error(parse_edited({{"/dataplane/flow_table", {{"udp_idle_timeout_s", 0}}}}),
                    "dataplane.flow_table.udp_idle_timeout_s", "1..86400");
  expect_only_error(parse_edited({{"/vips/0/healthcheck/expect_status", 600}}),
                    "vips[0].healthcheck.expect_status", "100..599");
  expect_only_error(parse_edited({{"/vips/0/healthcheck/rise", 0}}), "vips[0].healthcheck.rise",
                    "1..100");
  expect_only_error(parse_edited({{"/vips/0/table_size", 1}}), "vips[0].table_size",
                    "must be an integer 2..5000011");
}

TEST(ConfigErrorTest, MissingRequiredFields) {
  expect_only_error(parse_edited({}, {"/dataplane"}), "dataplane", "required field is missing");
  expect_only_error(parse_edited({}, {"/vips"}), "vips", "required field is missing");
  expect_only_error(parse_edited({}, {"/dataplane/mode"}), "dataplane.mode",
                    "required field is missing");
  expect_only_error(parse_edited({}, {"/vips/0/address"}), "vips[0].address",
                    "required field is missing");
  expect_only_error(parse_edited({}, {"/vips/1/backends"}), "vips[1].backends",
                    "required field is missing");
  expect_only_error(parse_edited({}, {"/vips/0/backends/1/address"}), "vips[0].backends[1].address",
                    "required field is missing");
  expect_only_error(parse_edited({}, {"/vips/0/healthcheck/type"}), "vips[0].healthcheck.type",
                    "required field is missing");
}

// ------------------------------------------------ addresses and prefixes

TEST(ConfigErrorTest, MalformedAddresses) {
  expect_only_error(parse_edited({{"/vips/0/backends/0/address", "198.18.1.256"}}),
                    "vips[0].backends[0].address", "must be an IPv4 or IPv6 address");
  expect_only_error(parse_edited({{"/vips/1/address", "2001:db8::g"}}), "vips[1].address",
                    "must be an IPv4 or IPv6 address");
  expect_only_error(parse_edited({{"/vips/0/address", "224.0.0.1"}}), "vips[0].address",
                    "must be a unicast address");
  expect_only_error(parse_edited({{"/dataplane/encap_source_v4", "2001:db8::1"}}),
                    "dataplane.encap_source_v4", "must be an IPv4 address");
  expect_only_error(parse_edited({{"/dataplane/address_v4", "198.18.0.1/33"}}),
                    "dataplane.address_v4", "prefix length 1..32");
  expect_only_error(parse_edited({{"/dataplane/address_v4", "198.18.0.1"}}), "dataplane.address_v4",
                    "prefix length 1..32");
  expect_only_error(parse_edited({{"/dataplane/address_v6", "198.18.0.1/24"}}),
                    "dataplane.address_v6", "must be an IPv6 address with a prefix length");
  expect_only_error(parse_edited({{"/control/metrics_listen", "2001:db8::1:9108"}}),
                    "control.metrics_listen", "[ipv6-address]:port");
  expect_only_error(parse_edited({{"/dataplane/gateway_v4", "198.18.9.254"}}),
                    "dataplane.gateway_v4", "must be inside dataplane.address_v4 198.18.0.1/24");
}

TEST(ConfigErrorTest, NeedsAnOwnAddress) {
  expect_only_error(parse_edited({}, {"/dataplane/address_v4", "/dataplane/address_v6"}),
                    "dataplane.address_v4", "required unless address_v6 is set");
}

// --------------------------------------------------------- cross-field

TEST(ConfigErrorTest, DuplicateVip) {
  const ParseResult result = parse_edited({{"/vips/2",
                                            {{"address", "198.18.0.100"},
                                             {"port", 80},
                                             {"protocol", "tcp"},
                                             {"method", "gue"},
                                             {"backends", json::array()}}}});
  expect_only_error(result, "vips[2]", "duplicate of vips[0] (198.18.0.100:80/tcp)");

  // Same address and port, other protocol: a different VIP.
  EXPECT_TRUE(parse_edited({{"/vips/2",
                             {{"address", "198.18.0.100"},
                              {"port", 80},
                              {"protocol", "udp"},
                              {"method", "gue"},
                              {"backends", json::array()}}}})
                  .ok());
}

TEST(ConfigErrorTest, DuplicateBackend) {
  expect_only_error(parse_edited({{"/vips/0/backends/2", {{"address", "198.18.1.1"}}}}),
                    "vips[0].backends[2].address", "duplicate of vips[0].backends[0] (198.18.1.1)");
  // The same server behind two VIPs is fine.
  EXPECT_TRUE(
      parse_edited({{"/vips/1/method", "gue"}, {"/vips/1/backends/1", {{"address", "198.18.1.1"}}}})
          .ok());
}

TEST(ConfigErrorTest, BackendFamilyTheMethodCannotCarry) {
  expect_only_error(parse_edited({{"/vips/0/backends/1/address", "2001:db8:1::2"}}),
                    "vips[0].backends[1].address",
                    "method ipip needs an IPv4 backend (the VIP's family)");
  expect_only_error(parse_edited({{"/vips/0/method", "l2"},
                                  {"/vips/0/backends/0/address", "198.18.0.11"},
                                  {"/vips/0/backends/1/address", "2001:db8::2"}}),
                    "vips[0].backends[1].address", "method l2 needs an IPv4 backend");
  // gue carries either family...
  ASSERT_TRUE(
      parse_edited({{"/vips/0/method", "gue"}, {"/vips/0/backends/1/address", "2001:db8:1::2"}})
          .ok());
  // ...given the encap source of the backend's family.
  expect_only_error(
      parse_edited({{"/vips/0/method", "gue"}, {"/vips/0/backends/1/address", "2001:db8:1::2"}},
                   {"/vips/1", "/dataplane/encap_source_v6"}),
      "vips[0].backends[1].address",
      "method gue to an IPv6 backend needs dataplane.encap_source_v6");
  expect_only_error(parse_edited({}, {"/dataplane/encap_source_v6"}), "vips[1].method",
                    "method ipip for an IPv6 VIP needs dataplane.encap_source_v6");
}

TEST(ConfigErrorTest, L2BackendsMustBeOnLink) {
  // 198.18.1.x is outside 198.18.0.1/24: both backends are reported.
  const ParseResult outside = parse_edited({{"/vips/0/method", "l2"}});
  ASSERT_EQ(outside.errors.size(), 2u) << dump_errors(outside);
  EXPECT_TRUE(has_error(outside, "vips[0].backends[0].address",
                        "method l2 needs an on-link backend: 198.18.1.1 is outside "
                        "dataplane.address_v4 198.18.0.1/24"));
  EXPECT_TRUE(has_error(outside, "vips[0].backends[1].address", "198.18.1.2 is outside"));

  EXPECT_TRUE(parse_edited({{"/vips/0/method", "l2"},
                            {"/vips/0/backends/0/address", "198.18.0.11"},
                            {"/vips/0/backends/1/address", "198.18.0.12"}})
                  .ok());
  expect_only_error(
      parse_edited({{"/vips/1/method", "l2"}, {"/vips/1/backends/0/address", "2001:db8::11"}},
                   {"/dataplane/address_v6"}),
      "vips[1].backends[0].address",
      "method l2 needs an on-link backend, but dataplane.address_v6 is not set");
}

TEST(ConfigErrorTest, TableSizeMustBePrime) {
  expect_only_error(parse_edited({{"/vips/0/table_size", 65536}}), "vips[0].table_size",
                    "must be a prime number (next prime: 65537)");
  EXPECT_TRUE(parse_edited({{"/vips/0/table_size", 5000011}}).ok());
  EXPECT_TRUE(parse_edited({{"/vips/0/table_size", 2}, {"/vips/1/table_size", 3}}).ok());
  expect_only_error(parse_edited({{"/vips/1/table_size", 5000012}}), "vips[1].table_size",
                    "2..5000011");
  expect_only_error(parse_edited({{"/vips/0/table_size", 2},
                                  {"/vips/0/backends/2", {{"address", "198.18.1.3"}}}}),
                    "vips[0].table_size", "must be at least the number of backends (3)");
}

TEST(ConfigErrorTest, TooManyVips) {
  json doc = json::parse(kBase);
  doc["vips"] = json::array();
  for (unsigned i = 0; i <= MAGLB_MAX_VIPS; ++i) {
    doc["vips"].push_back({{"address", "198.18.0.100"},
                           {"port", i + 1},
                           {"protocol", "tcp"},
                           {"method", "ipip"},
                           {"backends", json::array()}});
  }
  expect_only_error(parse_config_text(doc.dump()), "vips", "too many VIPs: 513 (at most 512)");
  doc["vips"].erase(0);
  EXPECT_TRUE(parse_config_text(doc.dump()).ok());
}

TEST(ConfigErrorTest, TooManyBackendsInTotal) {
  // Two VIPs of 32768 backends: 65536, one more than a snapshot can index.
  json doc = json::parse(kBase);
  for (int v = 0; v < 2; ++v) {
    json backends = json::array();
    for (unsigned i = 1; i <= 32768; ++i) {
      char text[64];
      std::snprintf(text, sizeof(text), "2001:db8:%x::%x", v + 1, i);
      backends.push_back({{"address", text}});
    }
    doc["vips"][v] = {{"address", "2001:db8:100::100"},
                      {"port", v + 1},
                      {"protocol", "tcp"},
                      {"method", "ipip"},
                      {"backends", std::move(backends)}};
  }
  expect_only_error(parse_config_text(doc.dump()), "vips",
                    "too many backends in total: 65536 (at most 65535)");
}

TEST(ConfigErrorTest, HealthcheckTimeoutBelowInterval) {
  expect_only_error(parse_edited({{"/vips/0/healthcheck/timeout_ms", 1000}}),
                    "vips[0].healthcheck.timeout_ms", "must be less than interval_ms (1000)");
  expect_only_error(parse_edited({{"/vips/0/healthcheck/interval_ms", 400}}),
                    "vips[0].healthcheck.timeout_ms", "must be less than interval_ms (400)");
}

TEST(ConfigErrorTest, HealthcheckFieldsOfOtherTypes) {
  expect_only_error(
      parse_edited({{"/vips/0/healthcheck/type", "tcp"}, {"/vips/0/healthcheck/path", "/"}}),
      "vips[0].healthcheck.path", "only valid with type \"http\"");
  expect_only_error(parse_edited({{"/vips/0/healthcheck/path", "health"}}),
                    "vips[0].healthcheck.path", "must start with '/'");
  expect_only_error(parse_edited({{"/vips/0/method", "l2"},
                                  {"/vips/0/backends/0/address", "198.18.0.11"},
                                  {"/vips/0/backends/1/address", "198.18.0.12"},
                                  {"/vips/0/healthcheck/through_tunnel", true}}),
                    "vips[0].healthcheck.through_tunnel", "method l2 has no tunnel");
}

TEST(ConfigErrorTest, ModeNeedsItsSection) {
  expect_only_error(parse_edited({{"/dataplane/mode", "dpdk"}}), "dataplane.dpdk",
                    "required when mode is \"dpdk\"");
  expect_only_error(parse_edited({}, {"/dataplane/interfaces"}), "dataplane.interfaces",
                    "required when mode is \"xdp\"");
  expect_only_error(parse_edited({{"/dataplane/interfaces", json::array()}}),
                    "dataplane.interfaces", "required when mode is \"xdp\"");
  EXPECT_TRUE(parse_edited({{"/dataplane/mode", "dpdk"}, {"/dataplane/dpdk", json::object()}},
                           {"/dataplane/interfaces"})
                  .ok());
  expect_only_error(parse_edited({{"/dataplane/interfaces/1", "lb0"}}), "dataplane.interfaces[1]",
                    "duplicate interface \"lb0\"");
  expect_only_error(parse_edited({{"/dataplane/dpdk", {{"socket", "run/dp.sock"}}}}),
                    "dataplane.dpdk.socket", "must be an absolute path");
}

TEST(ConfigErrorTest, Ipv6NeedsMtu1280) {
  expect_only_error(parse_edited({{"/dataplane/mtu", 1279}}), "dataplane.mtu",
                    "must be at least 1280 when IPv6 is used");
  // An IPv4-only config may go down to 576.
  EXPECT_TRUE(parse_edited({{"/dataplane/mtu", 576}, {"/vips", json::array()}},
                           {"/dataplane/address_v6", "/dataplane/encap_source_v6"})
                  .ok());
}

TEST(ConfigErrorTest, UndrainWeightOnlyOnADrainedBackend) {
  const ParseResult ok =
      parse_edited({{"/vips/0/backends/1/weight", 0}, {"/vips/0/backends/1/undrain_weight", 50}});
  ASSERT_TRUE(ok.ok()) << dump_errors(ok);
  EXPECT_EQ(ok.config->vips[0].backends[1].undrain_weight, 50);
  EXPECT_EQ(to_json(*ok.config)["vips"][0]["backends"][1]["undrain_weight"], 50);
  expect_only_error(parse_edited({{"/vips/0/backends/1/undrain_weight", 50}}),
                    "vips[0].backends[1].undrain_weight", "only allowed with weight 0");
  expect_only_error(
      parse_edited({{"/vips/0/backends/1/weight", 0}, {"/vips/0/backends/1/undrain_weight", 0}}),
      "vips[0].backends[1].undrain_weight", "must be an integer 1..65535");
}

TEST(ConfigErrorTest, SocketGroupMustBeAGroupName) {
  const ParseResult ok = parse_edited({{"/control", {{"socket_group", "maglb-ops"}}}});
  ASSERT_TRUE(ok.ok()) << dump_errors(ok);
  EXPECT_EQ(ok.config->control.socket_group, "maglb-ops");
  EXPECT_EQ(parse_config_text(to_json(*ok.config).dump()).config, ok.config);
  for (const char *bad : {"", "-x", "a b", "../etc", "toolongtoolongtoolongtoolongtoolong"}) {
    expect_only_error(parse_edited({{"/control", {{"socket_group", bad}}}}), "control.socket_group",
                      "must be a group name");
  }
  expect_only_error(parse_edited({{"/control", {{"socket_group", 0}}}}), "control.socket_group",
                    "must be a string");
}

TEST(ConfigErrorTest, ThroughTunnelNeedsASourceOfTheVipsFamily) {
  // An IPv6 VIP over GUE to an IPv4 backend: the outer source is IPv4, but
  // the probe's inner packet needs an IPv6 source.
  const json vip6 = {{"address", "2001:db8:100::100"},
                     {"port", 80},
                     {"protocol", "tcp"},
                     {"method", "gue"},
                     {"healthcheck", {{"type", "tcp"}, {"through_tunnel", true}}},
                     {"backends", {{{"address", "198.18.1.9"}}}}};
  expect_only_error(parse_edited({{"/vips/1", vip6}}, {"/dataplane/encap_source_v6"}),
                    "vips[1].healthcheck.through_tunnel", "needs dataplane.encap_source_v6");
  const ParseResult ok = parse_edited({{"/vips/1", vip6}});
  ASSERT_TRUE(ok.ok()) << dump_errors(ok);
  EXPECT_TRUE(ok.config->vips[1].healthcheck.through_tunnel);
}

TEST(ConfigErrorTest, EveryErrorIsReported) {
  const ParseResult result = parse_config_text(R"json({
    "dataplane": { "mode": "xdp", "interfaces": ["lb0"], "address_v4": "198.18.0.1/24",
                   "mtu": 70000, "colour": "blue" },
    "vips": [
      { "address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
        "table_size": 100,
        "backends": [ { "address": "198.18.1.1", "weight": -1 },
                      { "address": "198.18.1.1" } ] },
      { "address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "gue",
        "backends": [] }
    ]
  })json");
  ASSERT_FALSE(result.ok());
  std::vector<std::string> got;
  for (const ConfigError &e : result.errors) got.push_back(e.to_string());
  const std::vector<std::string> want = {
      // Unknown fields come when their object is finished.
      "dataplane.mtu: must be an integer 576..9216",
      "dataplane.colour: unknown field",
      "vips[0].table_size: must be a prime number (next prime: 101)",
      "vips[0].backends[0].weight: must be an integer 0..65535",
      "vips[0].method: method ipip for an IPv4 VIP needs dataplane.encap_source_v4",
      "vips[0].backends[1].address: duplicate of vips[0].backends[0] (198.18.1.1)",
      "vips[1]: duplicate of vips[0] (198.18.0.100:80/tcp)",
  };
  EXPECT_EQ(got, want) << dump_errors(result);
}

TEST(ConfigErrorTest, ManyBrokenBackendsAreAllReported) {
  json doc = json::parse(kBase);
  json &backends = doc["vips"][0]["backends"];
  backends = json::array();
  for (unsigned i = 0; i < 20000; ++i) {
    char text[32];
    std::snprintf(text, sizeof(text), "198.18.%u.%u", 64 + i / 250, 1 + i % 250);
    backends.push_back({{"address", text}, {"weight", -1}});
  }
  const ParseResult result = parse_config_text(doc.dump());
  ASSERT_EQ(result.errors.size(), 20000u);
  EXPECT_EQ(result.errors[19999].to_string(),
            "vips[0].backends[19999].weight: must be an integer 0..65535");
}

// ------------------------------------------------------------- helpers

TEST(ConfigHelperTest, ErrorListCleanLooksAtContainers) {
  ErrorList errors;
  EXPECT_TRUE(errors.clean("vips[1].port"));
  errors.add("vips[1]", "must be an object");
  EXPECT_FALSE(errors.clean("vips[1]"));
  EXPECT_FALSE(errors.clean("vips[1].port"));
  EXPECT_FALSE(errors.clean("vips[1].backends[0].address"));
  EXPECT_TRUE(errors.clean("vips[10].port"));
  EXPECT_TRUE(errors.clean("vips"));
  errors.add("", "the top level must be a JSON object");
  EXPECT_FALSE(errors.clean("dataplane.mtu"));
  EXPECT_EQ(errors.take().size(), 2u);
  EXPECT_TRUE(errors.clean("dataplane.mtu"));
}

TEST(ConfigHelperTest, EnumNamesRoundTrip) {
  for (Method m : {Method::kIpip, Method::kGue, Method::kL2}) {
    EXPECT_EQ(from_name<Method>(to_name(m)), m);
  }
  for (HashFields h : {HashFields::k5Tuple, HashFields::k3Tuple, HashFields::kSrcAddr}) {
    EXPECT_EQ(from_name<HashFields>(to_name(h)), h);
  }
  for (HealthcheckType t :
       {HealthcheckType::kNone, HealthcheckType::kTcp, HealthcheckType::kHttp}) {
    EXPECT_EQ(from_name<HealthcheckType>(to_name(t)), t);
  }
  EXPECT_EQ(from_name<Protocol>(to_name(Protocol::kUdp)), Protocol::kUdp);
  EXPECT_EQ(from_name<DataplaneMode>(to_name(DataplaneMode::kDpdk)), DataplaneMode::kDpdk);
  EXPECT_FALSE(from_name<Method>("IPIP").has_value());  // names are case-sensitive
  EXPECT_EQ(static_cast<int>(Method::kGue), MAGLB_FWD_GUE);
  EXPECT_EQ(static_cast<int>(HashFields::kSrcAddr), MAGLB_HASH_SRC_ADDR);
}

TEST(ConfigHelperTest, AddressParsingAndFormatting) {
  EXPECT_EQ(format_address(addr("198.18.0.1")), "198.18.0.1");
  EXPECT_EQ(format_address(addr("2001:DB8:0:0::1")), "2001:db8::1");
  EXPECT_FALSE(parse_address("198.18.0").has_value());
  EXPECT_FALSE(parse_address("198.18.0.1 ").has_value());
  EXPECT_FALSE(parse_address("fe80::1%lb0").has_value());
  EXPECT_FALSE(parse_address("198.018.0.1").has_value());  // no octal-looking octets
  EXPECT_FALSE(parse_address("").has_value());

  const auto prefix = parse_prefix("198.18.0.1/23");
  ASSERT_TRUE(prefix.has_value());
  EXPECT_EQ(format_prefix(*prefix), "198.18.0.1/23");
  EXPECT_TRUE(prefix_contains(*prefix, addr("198.18.1.200")));
  EXPECT_FALSE(prefix_contains(*prefix, addr("198.18.2.1")));
  EXPECT_FALSE(prefix_contains(*prefix, addr("2001:db8::1")));
  EXPECT_FALSE(parse_prefix("198.18.0.1/0").has_value());
  EXPECT_FALSE(parse_prefix("198.18.0.1/-1").has_value());
  EXPECT_FALSE(parse_prefix("2001:db8::1/129").has_value());

  const auto endpoint = parse_endpoint("[2001:db8::1]:9108");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->port, 9108);
  EXPECT_EQ(format_endpoint(*endpoint), "[2001:db8::1]:9108");
  EXPECT_FALSE(parse_endpoint("198.18.0.1:0").has_value());
  EXPECT_FALSE(parse_endpoint("198.18.0.1").has_value());
  EXPECT_FALSE(parse_endpoint("[198.18.0.1]:80").has_value());
}

TEST(ConfigHelperTest, DataplaneParams) {
  const ParseResult result = load_config_file(MAGLB_EXAMPLE_CONFIG);
  ASSERT_TRUE(result.ok()) << dump_errors(result);
  DataplaneConfig dp = result.config->dataplane;
  dp.encap_source_v4_entropy_bits = 4;
  dp.encap_source_v6_entropy_bits = 12;
  dp.flow_table.tcp_idle_timeout_s = 600;

  const maglb_dp_params params = to_dp_params(dp);
  const uint8_t v4[4] = {198, 18, 0, 1};
  EXPECT_EQ(std::memcmp(&params.encap_src_v4, v4, 4), 0);  // network order
  EXPECT_EQ(std::memcmp(params.encap_src_v6, addr("2001:db8::1").bytes.data(), 16), 0);
  EXPECT_EQ(params.src_v4_entropy_bits, 4);
  EXPECT_EQ(params.src_v6_entropy_bits, 12);
  EXPECT_EQ(params.mtu, 1500);
  EXPECT_EQ(params.gue_port, htons(6080));
  EXPECT_EQ(params.flags, MAGLB_DP_F_ICMP_TOO_BIG);
  EXPECT_EQ(params.tcp_idle_timeout_s, 600u);
  EXPECT_EQ(params.udp_idle_timeout_s, 30u);

  dp.icmp_too_big = false;
  dp.encap_source_v6.reset();
  const maglb_dp_params bare = to_dp_params(dp);
  EXPECT_EQ(bare.flags, 0);
  const uint8_t zero[16] = {};
  EXPECT_EQ(std::memcmp(bare.encap_src_v6, zero, 16), 0);
}

}  // namespace
}  // namespace maglb::config
