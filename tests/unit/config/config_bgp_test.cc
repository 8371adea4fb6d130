// The bgp section: defaults, the canonical round trip, and one test per
// class of error (exact JSON path, reason substring).
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config.h"
#include "config_parse.h"
#include "config_serialize.h"

namespace maglb::config {
namespace {

using json = nlohmann::json;

constexpr const char *kBase = R"json({
  "dataplane": {
    "mode": "xdp", "interfaces": ["lb0"],
    "address_v4": "198.18.0.1/24", "address_v6": "2001:db8::1/64",
    "encap_source_v4": "198.18.0.1", "encap_source_v6": "2001:db8::1"
  },
  "vips": [
    { "address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
      "backends": [ { "address": "198.18.1.1" } ] }
  ],
  "bgp": {
    "local_asn": 65001, "router_id": "198.18.0.1",
    "peers": [ { "address": "198.18.0.254", "asn": 65000 },
               { "address": "2001:db8::fe", "asn": 65000, "password": "s3cret" } ]
  }
})json";

std::string dump_errors(const ParseResult &result) {
  std::string out;
  for (const ConfigError &e : result.errors) out += "  " + e.to_string() + "\n";
  return out;
}

ParseResult parse_edited(std::vector<std::pair<std::string, json>> edits,
                         std::vector<std::string> removals = {}) {
  json doc = json::parse(kBase);
  for (auto &[pointer, value] : edits) doc[json::json_pointer(pointer)] = std::move(value);
  for (const std::string &pointer : removals) {
    const json::json_pointer p(pointer);
    doc[p.parent_pointer()].erase(p.back());
  }
  return parse_config_text(doc.dump());
}

void expect_only_error(const ParseResult &result, const std::string &path,
                       const std::string &reason) {
  EXPECT_FALSE(result.config.has_value());
  ASSERT_EQ(result.errors.size(), 1u) << dump_errors(result);
  EXPECT_EQ(result.errors[0].path, path) << dump_errors(result);
  EXPECT_NE(result.errors[0].reason.find(reason), std::string::npos) << dump_errors(result);
}

TEST(BgpConfigTest, AbsentSectionMeansNoBgp) {
  const ParseResult r = parse_edited({}, {"/bgp"});
  ASSERT_TRUE(r.ok()) << dump_errors(r);
  EXPECT_FALSE(r.config->bgp.has_value());
  EXPECT_FALSE(to_json(*r.config).contains("bgp"));
}

TEST(BgpConfigTest, DefaultsAreFilledIn) {
  const ParseResult r = parse_config_text(kBase);
  ASSERT_TRUE(r.ok()) << dump_errors(r);
  const BgpConfig &b = *r.config->bgp;
  EXPECT_EQ(b.local_asn, 65001u);
  EXPECT_EQ(format_address(b.router_id), "198.18.0.1");
  ASSERT_EQ(b.peers.size(), 2u);
  EXPECT_EQ(b.peers[1].password, "s3cret");
  // Next hops default to the dataplane's own addresses.
  EXPECT_EQ(format_address(*b.next_hop_v4), "198.18.0.1");
  EXPECT_EQ(format_address(*b.next_hop_v6), "2001:db8::1");
  EXPECT_EQ(b.hold_time_s, 9);
  EXPECT_EQ(b.keepalive_s, 3);
  EXPECT_EQ(b.withdraw_delay_ms, 2000u);
  EXPECT_FALSE(b.med.has_value());
  EXPECT_TRUE(b.bird.manage);
  EXPECT_EQ(b.bird.socket, "/run/maglb/bird.ctl");
}

TEST(BgpConfigTest, RoundTripIsIdentity) {
  for (const ParseResult &first :
       {parse_config_text(kBase), parse_edited({{"/bgp/next_hop_v4", "198.18.0.9"},
                                                {"/bgp/communities", {"65001:100", "0:65535"}},
                                                {"/bgp/med", 50},
                                                {"/bgp/hold_time_s", 3},
                                                {"/bgp/keepalive_s", 1},
                                                {"/bgp/withdraw_delay_ms", 0},
                                                {"/bgp/bird",
                                                 {{"config", "/tmp/x/bird.conf"},
                                                  {"socket", "/tmp/x/bird.ctl"},
                                                  {"manage", false}}}})}) {
    ASSERT_TRUE(first.ok()) << dump_errors(first);
    const json canonical = to_json(*first.config);
    const ParseResult second = parse_config_text(canonical.dump(2));
    ASSERT_TRUE(second.ok()) << dump_errors(second) << canonical.dump(2);
    EXPECT_EQ(*second.config, *first.config) << canonical.dump(2);
    EXPECT_EQ(to_json(*second.config), canonical);
  }
  const ParseResult edited = parse_edited({{"/bgp/communities", {"65001:100"}}, {"/bgp/med", 7}});
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited.config->bgp->communities, (std::vector<BgpCommunity>{{65001, 100}}));
  EXPECT_EQ(edited.config->bgp->med, 7u);
}

TEST(BgpConfigErrorTest, EachFieldIsChecked) {
  struct Case {
    std::vector<std::pair<std::string, json>> edits;
    std::string path, reason;
  };
  const std::vector<Case> cases = {
      {{{"/bgp/local_asn", 0}}, "bgp.local_asn", "1..4294967295"},
      {{{"/bgp/local_asn", 4294967296}}, "bgp.local_asn", "1..4294967295"},
      {{{"/bgp/router_id", "2001:db8::1"}}, "bgp.router_id", "IPv4"},
      {{{"/bgp/peers", json::array()}}, "bgp.peers", "non-empty"},
      {{{"/bgp/peers/0/asn", "65000"}}, "bgp.peers[0].asn", "integer"},
      {{{"/bgp/peers/0/address", "198.18.0.255.1"}}, "bgp.peers[0].address", "address"},
      {{{"/bgp/peers/1/address", "198.18.0.254"}}, "bgp.peers[1].address", "duplicate of peers[0]"},
      {{{"/bgp/peers/1/password", "a\"b"}}, "bgp.peers[1].password", "printable"},
      {{{"/bgp/peers/1/password", ""}}, "bgp.peers[1].password", "1..80"},
      {{{"/bgp/peers/0/port", 179}}, "bgp.peers[0].port", "unknown"},
      {{{"/bgp/next_hop_v4", "2001:db8::1"}}, "bgp.next_hop_v4", "IPv4"},
      {{{"/bgp/next_hop_v6", "198.18.0.1"}}, "bgp.next_hop_v6", "IPv6"},
      {{{"/bgp/communities", {"65536:1"}}}, "bgp.communities[0]", "asn:value"},
      {{{"/bgp/communities", {"1:2", "x"}}}, "bgp.communities[1]", "asn:value"},
      {{{"/bgp/communities", "1:2"}}, "bgp.communities", "array"},
      {{{"/bgp/med", -1}}, "bgp.med", "integer"},
      {{{"/bgp/hold_time_s", 2}}, "bgp.hold_time_s", "3..65535"},
      {{{"/bgp/hold_time_s", 6}, {"/bgp/keepalive_s", 3}}, "bgp.keepalive_s", "a third"},
      {{{"/bgp/withdraw_delay_ms", 600001}}, "bgp.withdraw_delay_ms", "0..600000"},
      {{{"/bgp/bird", {{"config", "relative.conf"}}}}, "bgp.bird.config", "absolute"},
      {{{"/bgp/bird", {{"socket", "/x/\"y"}}}}, "bgp.bird.socket", "printable"},
      {{{"/bgp/bird", {{"manage", 1}}}}, "bgp.bird.manage", "true or false"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.path);
    expect_only_error(parse_edited(c.edits), c.path, c.reason);
  }
}

TEST(BgpConfigErrorTest, MissingRequiredFields) {
  for (const char *field : {"local_asn", "router_id", "peers"}) {
    SCOPED_TRACE(field);
    expect_only_error(parse_edited({}, {std::string("/bgp/") + field}), std::string("bgp.") + field,
                      "");
  }
}

TEST(BgpConfigErrorTest, PeerNeedsANextHopOfItsFamily) {
  expect_only_error(parse_edited({}, {"/dataplane/address_v6", "/dataplane/encap_source_v6"}),
                    "bgp.peers[1].address", "next_hop_v6");
  // Given explicitly, the dataplane address is not needed.
  const ParseResult r = parse_edited({{"/bgp/next_hop_v6", "2001:db8::7"}},
                                     {"/dataplane/address_v6", "/dataplane/encap_source_v6"});
  EXPECT_TRUE(r.ok()) << dump_errors(r);
}

TEST(BgpConfigErrorTest, EveryErrorIsReported) {
  const ParseResult r =
      parse_edited({{"/bgp/local_asn", 0}, {"/bgp/router_id", "x"}, {"/bgp/communities", {"1"}}});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors.size(), 3u) << dump_errors(r);
}

}  // namespace
}  // namespace maglb::config
