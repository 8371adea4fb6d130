// diff_configs: what changed per VIP, and the share of new flows that move,
// checked against the definition computed here from two Maglev tables.
#include "config_diff.h"

#include <gtest/gtest.h>

#include <map>

#include "maglev_table.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

std::string vips_json(const std::string &backends, uint32_t table_size = 1009) {
  return R"([{"address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
              "table_size": )" +
         std::to_string(table_size) + R"(, "backends": [)" + backends + "]}]";
}

// The independent oracle: both tables built from addresses, slot by slot.
double moved_by_definition(const config::VipConfig &a, const config::VipConfig &b) {
  std::map<std::string, uint32_t> ids;
  auto table = [&](const config::VipConfig &v) {
    std::vector<maglev::Backend> bs;
    for (const auto &be : v.backends) {
      const std::string k = config::format_address(be.address);
      const uint32_t id = ids.emplace(k, static_cast<uint32_t>(ids.size() + 1)).first->second;
      bs.push_back({std::vector<uint8_t>(be.address.bytes.begin(), be.address.bytes.begin() + 4),
                    id, be.weight});
    }
    std::vector<uint32_t> t;
    EXPECT_EQ(maglev::build_table(bs, v.table_size, t), "");
    return t;
  };
  const auto ta = table(a), tb = table(b);
  EXPECT_EQ(ta.size(), tb.size());
  size_t moved = 0;
  for (size_t i = 0; i < ta.size() && i < tb.size(); ++i) moved += ta[i] != tb[i];
  return static_cast<double>(moved) / static_cast<double>(ta.size());
}

ConfigDiff diff(const config::Config &a, const config::Config &b) {
  return diff_configs(a, plan_weights(a, nullptr, {}), b, plan_weights(b, nullptr, {}));
}

const char *kThree =
    R"({"address": "198.18.1.1"}, {"address": "198.18.1.2"}, {"address": "198.18.1.3"})";

TEST(ConfigDiff, IdenticalConfigsMoveNothing) {
  const auto a = testing::make_config(vips_json(kThree));
  const ConfigDiff d = diff(a, a);
  ASSERT_EQ(d.vips.size(), 1u);
  EXPECT_EQ(d.vips[0].kind, VipDiff::Kind::kUnchanged);
  EXPECT_EQ(d.vips[0].moved_share, 0.0);
  EXPECT_FALSE(d.changed());
}

TEST(ConfigDiff, AddedBackendMovesAboutItsShareAndNoMore) {
  const auto a = testing::make_config(vips_json(kThree));
  const auto b =
      testing::make_config(vips_json(std::string(kThree) + R"(, {"address": "198.18.1.4"})"));
  const ConfigDiff d = diff(a, b);
  ASSERT_EQ(d.vips.size(), 1u);
  const VipDiff &v = d.vips[0];
  EXPECT_EQ(v.kind, VipDiff::Kind::kChanged);
  EXPECT_EQ(v.backends_added, std::vector<std::string>{"198.18.1.4"});
  EXPECT_TRUE(v.backends_removed.empty());
  EXPECT_FALSE(v.moved_estimated);
  EXPECT_DOUBLE_EQ(v.moved_share, moved_by_definition(a.vips[0], b.vips[0]));
  // Maglev's minimal disruption (paper section 3.4): about the new
  // backend's quarter moves, and not much more.
  EXPECT_GT(v.moved_share, 0.20);
  EXPECT_LT(v.moved_share, 0.35);
}

TEST(ConfigDiff, RemovedBackendAndWeightChange) {
  const auto a = testing::make_config(vips_json(kThree));
  const auto b = testing::make_config(
      vips_json(R"({"address": "198.18.1.1", "weight": 300}, {"address": "198.18.1.2"})"));
  const ConfigDiff d = diff(a, b);
  const VipDiff &v = d.vips.at(0);
  EXPECT_EQ(v.backends_removed, std::vector<std::string>{"198.18.1.3"});
  ASSERT_EQ(v.weight_changes.size(), 1u);
  EXPECT_EQ(v.weight_changes[0].address, "198.18.1.1");
  EXPECT_EQ(v.weight_changes[0].from, 100u);
  EXPECT_EQ(v.weight_changes[0].to, 300u);
  EXPECT_DOUBLE_EQ(v.moved_share, moved_by_definition(a.vips[0], b.vips[0]));
  EXPECT_GT(v.moved_share, 1.0 / 3 - 0.05);  // at least the removed third moves
}

TEST(ConfigDiff, TableSizeChangeIsEstimatedNearTheRandomReshuffle) {
  const char *two = R"({"address": "198.18.1.1"}, {"address": "198.18.1.2"})";
  const auto a = testing::make_config(vips_json(two, 1009));
  const auto b = testing::make_config(vips_json(two, 1013));
  const ConfigDiff d = diff(a, b);
  const VipDiff &v = d.vips.at(0);
  EXPECT_TRUE(v.moved_estimated);
  ASSERT_EQ(v.settings_changed.size(), 1u);
  EXPECT_EQ(v.settings_changed[0], "table_size: 1009 -> 1013");
  // Slot indexes are unrelated between sizes, so a flow keeps its backend
  // with probability sum(p_i^2) = 1/2 for two equal backends.
  EXPECT_NEAR(v.moved_share, 0.5, 0.03);
}

TEST(ConfigDiff, AddedAndRemovedVipsAndOtherSections) {
  const auto a = testing::make_config(vips_json(kThree));
  config::Config b = testing::make_config(R"([{"address": "198.18.0.200", "port": 443,
      "protocol": "tcp", "method": "ipip", "backends": [{"address": "198.18.1.9"}]}])");
  b.dataplane.mtu = 1400;
  const ConfigDiff d = diff(a, b);
  ASSERT_EQ(d.vips.size(), 2u);
  EXPECT_EQ(d.vips[0].vip, "198.18.0.100:80/tcp");
  EXPECT_EQ(d.vips[0].kind, VipDiff::Kind::kRemoved);
  EXPECT_EQ(d.vips[1].vip, "198.18.0.200:443/tcp");
  EXPECT_EQ(d.vips[1].kind, VipDiff::Kind::kAdded);
  EXPECT_EQ(d.vips[1].backends_added, std::vector<std::string>{"198.18.1.9"});
  EXPECT_EQ(d.other_changes, std::vector<std::string>{"dataplane.mtu: 1500 -> 1400"});
  const nlohmann::json j = to_json(d);
  EXPECT_TRUE(j["changed"].get<bool>());
  EXPECT_EQ(j["vips"][0]["change"], "removed");
}

TEST(ConfigDiff, UsesTheWeightsItIsGivenSoHealthCounts) {
  const auto a = testing::make_config(vips_json(kThree));
  WeightPlan down = plan_weights(a, nullptr, {});
  down.vips[0].weights[2] = 0;  // 198.18.1.3 down now
  const ConfigDiff d = diff_configs(a, down, a, plan_weights(a, nullptr, {}));
  const VipDiff &v = d.vips.at(0);
  // The config is the same, but applying it would bring 1.3 back.
  EXPECT_EQ(v.kind, VipDiff::Kind::kChanged);
  EXPECT_GT(v.moved_share, 0.25);
}

}  // namespace
}  // namespace maglb::daemon
