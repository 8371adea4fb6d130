// trace_flow against installed tables built here by hand, and the flow hash
// recomputed here from its definition (MurmurHash3_x86_32 over the masked
// key, dataplane/abi/maglb_hash.h).
#include "flow_trace.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace maglb::daemon {
namespace {

config::Address v4(const char *s) {
  return *config::parse_address(s);
}

InstalledVip vip(const char *addr, uint16_t port, uint8_t hash_fields, uint32_t table_size) {
  InstalledVip v;
  std::memcpy(v.key.addr, v4(addr).bytes.data(), 16);
  v.key.port = htons(port);
  v.key.proto = 6;
  v.key.family = MAGLB_FAMILY_IPV4;
  v.id = std::string(addr) + ":" + (port ? std::to_string(port) : "*") + "/tcp";
  v.table_size = table_size;
  v.hash_fields = hash_fields;
  v.backends = {{v4("198.18.1.1"), "a", 11, 1, 1, 0}, {v4("198.18.1.2"), "b", 22, 1, 1, 0}};
  for (uint32_t s = 0; s < table_size; ++s) v.table.push_back(s % 2 ? 22 : 11);
  return v;
}

FlowSpec flow(uint16_t dport) {
  return {v4("198.18.0.5"), 40000, v4("198.18.0.100"), dport, 6};
}

// MurmurHash3_x86_32 written out again, to check the trace's hash.
uint32_t murmur3(const uint8_t *data, size_t len, uint32_t seed) {
  uint32_t h = seed;
  for (size_t i = 0; i < len / 4; ++i) {
    uint32_t k;
    std::memcpy(&k, data + 4 * i, 4);
    k *= 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    k *= 0x1b873593u;
    h ^= k;
    h = (h << 13) | (h >> 19);
    h = h * 5 + 0xe6546b64u;
  }
  h ^= static_cast<uint32_t>(len);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

TEST(FlowTrace, FiveTupleHashSlotAndBackend) {
  const std::vector<InstalledVip> vips = {vip("198.18.0.100", 80, MAGLB_HASH_5TUPLE, 17)};
  const nlohmann::json t = trace_flow(vips, flow(80), 7);
  ASSERT_EQ(t["verdict"], "forward") << t.dump(2);
  uint8_t key[40] = {};
  const uint8_t src[4] = {198, 18, 0, 5}, dst[4] = {198, 18, 0, 100};
  std::memcpy(key, src, 4);
  std::memcpy(key + 16, dst, 4);
  key[32] = 40000 >> 8;  // ports in network order, as in the packet
  key[33] = 40000 & 0xff;
  key[34] = 0;
  key[35] = 80;
  key[36] = 6;
  key[37] = MAGLB_FAMILY_IPV4;
  const uint32_t h = murmur3(key, sizeof(key), 0x6d61676cu);
  EXPECT_EQ(t["hash"].get<uint32_t>(), h);
  EXPECT_EQ(t["slot"].get<uint32_t>(), h % 17);
  // The last step names the generation of the table it read.
  EXPECT_NE(t["steps"].back().get<std::string>().find("snapshot generation 7"), std::string::npos)
      << t.dump(2);
  EXPECT_EQ(t["backend"]["address"], (h % 17) % 2 ? "198.18.1.2" : "198.18.1.1");
  EXPECT_EQ(t["vip"], "198.18.0.100:80/tcp");
  const std::string last = t["steps"].back();
  EXPECT_NE(last.find("established flow keeps"), std::string::npos);
}

TEST(FlowTrace, SourceAddressHashIgnoresPortsAndDestination) {
  const std::vector<InstalledVip> vips = {vip("198.18.0.100", 0, MAGLB_HASH_SRC_ADDR, 17)};
  const nlohmann::json a = trace_flow(vips, flow(80), 7);
  FlowSpec other = flow(443);
  other.source_port = 1234;
  const nlohmann::json b = trace_flow(vips, other, 7);
  EXPECT_EQ(a["hash"], b["hash"]);
  EXPECT_EQ(a["hashed_key"]["dport"], 0);
  EXPECT_EQ(a["hashed_key"]["dst"], "0.0.0.0");
  EXPECT_NE(a["steps"][0].get<std::string>().find("all-ports VIP"), std::string::npos);
}

TEST(FlowTrace, ExactPortBeatsAllPorts) {
  const std::vector<InstalledVip> vips = {vip("198.18.0.100", 0, MAGLB_HASH_5TUPLE, 7),
                                          vip("198.18.0.100", 80, MAGLB_HASH_5TUPLE, 17)};
  EXPECT_EQ(trace_flow(vips, flow(80), 7)["vip"], "198.18.0.100:80/tcp");
  EXPECT_EQ(trace_flow(vips, flow(81), 7)["vip"], "198.18.0.100:*/tcp");
}

TEST(FlowTrace, NoVipPassesAndEmptyTableDrops) {
  std::vector<InstalledVip> vips = {vip("198.18.0.100", 80, MAGLB_HASH_5TUPLE, 17)};
  EXPECT_EQ(trace_flow(vips, flow(81), 7)["verdict"], "pass");
  FlowSpec udp = flow(80);
  udp.protocol = 17;
  EXPECT_EQ(trace_flow(vips, udp, 7)["verdict"], "pass");
  vips[0].table.assign(17, MAGLB_SLOT_EMPTY);
  const nlohmann::json t = trace_flow(vips, flow(80), 7);
  EXPECT_EQ(t["verdict"], "drop");
  EXPECT_FALSE(t.contains("backend"));
}

TEST(FlowTrace, MixedFamiliesAreInvalid) {
  const std::vector<InstalledVip> vips = {vip("198.18.0.100", 80, MAGLB_HASH_5TUPLE, 17)};
  FlowSpec f = flow(80);
  f.source = *config::parse_address("2001:db8::5");
  EXPECT_EQ(trace_flow(vips, f, 7)["verdict"], "invalid");
}

}  // namespace
}  // namespace maglb::daemon
