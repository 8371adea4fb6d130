// maglb_flow_hash against known answers computed by an independent Python
// MurmurHash3 (murmur3_ref.py, itself checked on published vectors), and
// the core's register-only version against maglb_flow_hash.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "flow_key.h"
#include "maglb_hash.h"

namespace maglb::core {
namespace {

std::vector<uint8_t> from_hex(const std::string &h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  return out;
}

FlowWords words_of(const maglb_flow_key &k) {
  FlowWords w;
  std::memcpy(w.w, &k, sizeof(k));
  return w;
}

TEST(FlowHash, KnownAnswersFromPythonReference) {
  const char *path = std::getenv("MAGLB_FLOW_HASH_KAT");
  ASSERT_NE(path, nullptr) << "MAGLB_FLOW_HASH_KAT not set (run through meson test)";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string key_hex, hash_hex;
  int n = 0;
  while (in >> key_hex >> hash_hex) {
    const auto bytes = from_hex(key_hex);
    ASSERT_EQ(bytes.size(), sizeof(maglb_flow_key));
    maglb_flow_key k;
    std::memcpy(&k, bytes.data(), sizeof(k));
    const uint32_t want = static_cast<uint32_t>(std::stoul(hash_hex, nullptr, 16));
    EXPECT_EQ(maglb_flow_hash(&k), want) << key_hex;
    EXPECT_EQ(flow_hash_words(words_of(k)), want) << key_hex;
    ++n;
  }
  EXPECT_GE(n, 10);
}

TEST(FlowHash, WordVersionAndMaskMatchTheHeaderOnRandomKeys) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    maglb_flow_key k{};
    auto *b = reinterpret_cast<uint8_t *>(&k);
    for (size_t j = 0; j < 38; ++j) b[j] = static_cast<uint8_t>(rng());
    for (uint8_t fields : {MAGLB_HASH_5TUPLE, MAGLB_HASH_3TUPLE, MAGLB_HASH_SRC_ADDR}) {
      maglb_flow_key masked = k;
      maglb_flow_hash_mask(&masked, fields);
      const FlowWords mw = mask_words(words_of(k), fields);
      ASSERT_EQ(std::memcmp(mw.w, &masked, sizeof(masked)), 0) << "fields " << int(fields);
      ASSERT_EQ(flow_hash_words(mw), maglb_flow_hash(&masked));
    }
  }
}

}  // namespace
}  // namespace maglb::core
