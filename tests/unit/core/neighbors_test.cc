#include "neighbors.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "maglb_abi.h"

namespace maglb::core {
namespace {

NeighborEntry entry(const char *addr, uint8_t last_mac) {
  NeighborEntry e{};
  if (inet_pton(AF_INET, addr, e.addr) == 1) {
    e.family = MAGLB_FAMILY_IPV4;
  } else {
    inet_pton(AF_INET6, addr, e.addr);
    e.family = MAGLB_FAMILY_IPV6;
  }
  e.mac[0] = 2;
  e.mac[5] = last_mac;
  return e;
}

OnLinkPrefix prefix(const char *addr, uint8_t len) {
  const NeighborEntry e = entry(addr, 0);
  OnLinkPrefix p{};
  p.family = e.family;
  std::memcpy(p.addr, e.addr, 16);
  p.prefix_len = len;
  return p;
}

const uint8_t kPort[6] = {2, 0, 0, 0, 0, 1};

TEST(Neighbors, OnLinkHostsGatewaysAndUnresolved) {
  const OnLinkPrefix onlink[] = {prefix("198.18.0.0", 24), prefix("2001:db8::", 64)};
  NeighborEntry gw4 = entry("198.18.0.254", 0xfe);
  NeighborEntry gw6 = entry("2001:db8::fe", 0);
  std::memset(gw6.mac, 0, 6);  // zero: the MAC is looked up in the hosts
  const NeighborEntry hosts[] = {entry("198.18.0.11", 0x11), entry("2001:db8::11", 0x61),
                                 entry("2001:db8::fe", 0xf6)};
  const NeighborEntry gws[] = {gw4, gw6};
  std::string err;
  auto t = NeighborTable::build(kPort, onlink, hosts, gws, &err);
  ASSERT_NE(t, nullptr) << err;
  EXPECT_EQ(std::memcmp(t->port_mac(), kPort, 6), 0);
  auto mac_of = [&](const char *a) {
    const NeighborEntry e = entry(a, 0);
    const uint8_t *m = t->resolve(e.family, e.addr);
    return m ? int(m[5]) : -1;
  };
  EXPECT_EQ(mac_of("198.18.0.11"), 0x11);
  EXPECT_EQ(mac_of("198.18.0.12"), -1) << "on-link but unresolved: no gateway fallback";
  EXPECT_EQ(mac_of("198.19.5.5"), 0xfe) << "off-link: IPv4 gateway";
  EXPECT_EQ(mac_of("2001:db8::11"), 0x61);
  EXPECT_EQ(mac_of("2001:db8:1::1"), 0xf6) << "off-link: IPv6 gateway via its host entry";
}

TEST(Neighbors, PrefixLengthsAreExact) {
  const OnLinkPrefix onlink[] = {prefix("198.18.0.128", 25)};
  const NeighborEntry hosts[] = {entry("198.18.0.129", 1), entry("198.18.0.127", 2)};
  auto t = NeighborTable::build(kPort, onlink, hosts, {}, nullptr);
  ASSERT_NE(t, nullptr);
  const NeighborEntry in = entry("198.18.0.129", 0), out = entry("198.18.0.127", 0);
  ASSERT_NE(t->resolve(in.family, in.addr), nullptr);
  EXPECT_EQ(t->resolve(out.family, out.addr), nullptr) << "off-link and no gateway";
}

TEST(Neighbors, RejectsBadInput) {
  std::string err;
  OnLinkPrefix bad = prefix("198.18.0.0", 33);
  EXPECT_EQ(NeighborTable::build(kPort, {&bad, 1}, {}, {}, &err), nullptr);
  EXPECT_NE(err.find("prefix"), std::string::npos);
  const NeighborEntry two[] = {entry("198.18.0.1", 1), entry("198.18.0.2", 2)};
  EXPECT_EQ(NeighborTable::build(kPort, {}, {}, two, &err), nullptr);
  EXPECT_NE(err.find("two gateways"), std::string::npos);
}

TEST(Neighbors, EachTableHasItsOwnVersion) {
  auto a = NeighborTable::build(kPort, {}, {}, {}, nullptr);
  auto b = NeighborTable::build(kPort, {}, {}, {}, nullptr);
  EXPECT_NE(a->version(), b->version());
}

}  // namespace
}  // namespace maglb::core
