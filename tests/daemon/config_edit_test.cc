// Runtime edits of the config model, and that every edit goes through the
// file's validator.
#include "config_edit.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "test_support.h"
#include "vip_spec.h"

namespace maglb::daemon {
namespace {

maglb_vip_key key(const char *spec) {
  std::string e;
  auto k = cli::parse_vip_spec(spec, &e);
  EXPECT_TRUE(k) << e;
  return k.value_or(maglb_vip_key{});
}

config::Address addr(const char *s) {
  return *config::parse_address(s);
}

const char *kVips = R"([{"address": "198.18.0.100", "port": 80, "protocol": "tcp",
    "method": "ipip", "table_size": 7, "backends": [{"address": "198.18.1.1", "weight": 5}]}])";

TEST(ConfigEdit, BackendLifecycle) {
  config::Config c = testing::make_config(kVips);
  const auto vip = key("198.18.0.100:80/tcp");
  config::BackendConfig b{addr("198.18.1.2"), 9, "two"};
  ASSERT_EQ(add_backend(c, vip, b), "");
  EXPECT_NE(add_backend(c, vip, b).find("already has backend 198.18.1.2"), std::string::npos);
  uint16_t old = 0;
  ASSERT_EQ(set_backend_weight(c, vip, addr("198.18.1.2"), 0, &old), "");
  EXPECT_EQ(old, 9);
  EXPECT_EQ(c.vips[0].backends[1].weight, 0);
  ASSERT_EQ(remove_backend(c, vip, addr("198.18.1.1")), "");
  ASSERT_EQ(c.vips[0].backends.size(), 1u);
  EXPECT_EQ(c.vips[0].backends[0].name, "two");
  EXPECT_NE(remove_backend(c, vip, addr("198.18.1.1")).find("has no backend"), std::string::npos);
  EXPECT_TRUE(revalidate(c).ok());
}

TEST(ConfigEdit, UnknownVip) {
  config::Config c = testing::make_config(kVips);
  uint16_t old = 0;
  EXPECT_EQ(remove_vip(c, key("198.18.0.100:81/tcp")), "no VIP 198.18.0.100:81/tcp");
  EXPECT_EQ(set_backend_weight(c, key("198.18.0.100:80/udp"), addr("198.18.1.1"), 1, &old),
            "no VIP 198.18.0.100:80/udp");
}

TEST(ConfigEdit, VipAddAndRemove) {
  config::Config c = testing::make_config(kVips);
  NewVip nv;
  nv.key = key("[2001:db8::100]:*/udp");
  nv.method = config::Method::kGue;
  nv.table_size = 13;
  ASSERT_EQ(add_vip(c, nv), "");
  EXPECT_NE(add_vip(c, nv), "");
  ASSERT_EQ(c.vips.size(), 2u);
  EXPECT_EQ(c.vips[1].port, 0);
  EXPECT_EQ(c.vips[1].protocol, config::Protocol::kUdp);
  EXPECT_TRUE(c.vips[1].address.is_v6());
  EXPECT_TRUE(revalidate(c).ok());
  ASSERT_EQ(remove_vip(c, key("198.18.0.100:80/tcp")), "");
  ASSERT_EQ(c.vips.size(), 1u);
}

TEST(ConfigEdit, RevalidateCatchesWhatTheFileWouldReject) {
  config::Config c = testing::make_config(kVips);
  const auto vip = key("198.18.0.100:80/tcp");
  // 8 backends do not fit a 7-slot table; an IPv6 backend cannot be ipip'd
  // from an IPv4 VIP.
  for (int i = 2; i <= 8; ++i) {
    config::BackendConfig b{addr(("198.18.1." + std::to_string(i)).c_str()), 1, ""};
    ASSERT_EQ(add_backend(c, vip, b), "");
  }
  ASSERT_EQ(add_backend(c, vip, {addr("2001:db8::9"), 1, ""}), "");
  const config::ParseResult r = revalidate(c);
  ASSERT_FALSE(r.ok());
  std::string all;
  for (const auto &e : r.errors) all += e.to_string() + "\n";
  EXPECT_NE(all.find("vips[0].table_size"), std::string::npos) << all;
  EXPECT_NE(all.find("vips[0].backends[8].address"), std::string::npos) << all;
}

}  // namespace
}  // namespace maglb::daemon
