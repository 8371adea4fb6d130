// Control commands end to end inside one process: request objects in,
// response objects out, against a real config file in a temporary
// directory and a recording programmer.
#include "command_handler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "atomic_file.h"
#include "config_parse.h"
#include "test_support.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

const char *kVips = R"([{"address": "198.18.0.100", "port": 80, "protocol": "tcp",
    "method": "ipip", "table_size": 17,
    "backends": [{"address": "198.18.1.1", "name": "a"}, {"address": "198.18.1.2", "weight": 50},
                 {"address": "198.18.1.3", "weight": 0}]}])";

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/maglbd-cmd-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/maglb.json";
    ASSERT_EQ(write_file_atomically(path_, testing::config_text(kVips)), "");
    store_ = std::make_unique<ConfigStore>(path_);
    std::string content;
    const config::ParseResult r = store_->read(&content);
    ASSERT_TRUE(r.ok());
    balancer_ = std::make_unique<Balancer>(programmer_, log_, counters_,
                                           [](const auto &) { return std::string(); });
    ASSERT_EQ(balancer_->start(*r.config, 0), "");
    store_->accept(content);
    handler_ = std::make_unique<CommandHandler>(*balancer_, *store_, log_, counters_);
  }
  void TearDown() override { (void)!std::system(("rm -rf '" + dir_ + "'").c_str()); }

  json run(json request) {
    Request r;
    r.command = request["command"].get<std::string>();
    r.body = std::move(request);
    return handler_->handle(r);
  }
  json ok(json request) {
    const json r = run(request);
    EXPECT_TRUE(r.value("ok", false)) << request.dump() << " -> " << r.dump();
    return r.value("result", json::object());
  }
  std::string fail(json request) {
    const json r = run(request);
    EXPECT_FALSE(r.value("ok", true)) << request.dump() << " -> " << r.dump();
    std::string all = r.value("error", "");
    const json errors = r.value("errors", json::array());
    for (const json &e : errors) {
      all += '\n';
      all += e.get<std::string>();
    }
    return all;
  }
  config::Config file_config() {
    const config::ParseResult r = config::load_config_file(path_);
    EXPECT_TRUE(r.ok());
    return r.config.value_or(config::Config{});
  }
  uint16_t file_weight(size_t b) { return file_config().vips.at(0).backends.at(b).weight; }

  std::string dir_, path_;
  std::ostringstream log_text_;
  Logger log_{log_text_};
  DaemonCounters counters_;
  testing::FakeProgrammer programmer_;
  std::unique_ptr<ConfigStore> store_;
  std::unique_ptr<Balancer> balancer_;
  std::unique_ptr<CommandHandler> handler_;
};

const char *kVip = "198.18.0.100:80/tcp";

TEST_F(CommandTest, UnknownCommandsAndFieldsAreRefused) {
  EXPECT_NE(fail({{"command", "frobnicate"}}).find("unknown command \"frobnicate\""),
            std::string::npos);
  EXPECT_NE(fail({{"command", "vip list"}, {"verbose", true}}).find("unknown field \"verbose\""),
            std::string::npos);
  EXPECT_NE(fail({{"command", "vip show"}}).find("missing field \"vip\""), std::string::npos);
  EXPECT_NE(fail({{"command", "vip show"}, {"vip", 80}}).find("must be a string"),
            std::string::npos);
  EXPECT_NE(fail({{"command", "vip show"}, {"vip", "198.18.0.100:80"}}).find("bad VIP"),
            std::string::npos);
  EXPECT_EQ(fail({{"command", "vip show"}, {"vip", "198.18.0.9:80/tcp"}}),
            "no VIP 198.18.0.9:80/tcp");
  EXPECT_NE(fail({{"command", "backend add"}, {"vip", kVip}, {"address", "198.18.1.300"}})
                .find("bad address '198.18.1.300'"),
            std::string::npos);
  EXPECT_NE(fail({{"command", "backend weight"},
                  {"vip", kVip},
                  {"address", "198.18.1.1"},
                  {"weight", 70000}})
                .find("\"weight\" must be an integer 0..65535"),
            std::string::npos);
  EXPECT_EQ(programmer_.program_calls, 1);  // only the start-up table
}

TEST_F(CommandTest, BackendAddIsProgrammedAndPersisted) {
  const json r = ok({{"command", "backend add"},
                     {"vip", kVip},
                     {"address", "198.18.1.4"},
                     {"weight", 25},
                     {"name", "d"}});
  EXPECT_EQ(r["generation"], 2);
  ASSERT_EQ(programmer_.blobs.size(), 2u);
  EXPECT_EQ(testing::parse_blob(programmer_.blobs.back()).backends.size(), 4u);
  const config::Config c = file_config();
  ASSERT_EQ(c.vips[0].backends.size(), 4u);
  EXPECT_EQ(config::format_address(c.vips[0].backends[3].address), "198.18.1.4");
  EXPECT_EQ(c.vips[0].backends[3].weight, 25);
  EXPECT_EQ(c.vips[0].backends[3].name, "d");
  EXPECT_EQ(c, balancer_->config());
  // Adding it twice is refused and changes nothing.
  EXPECT_NE(fail({{"command", "backend add"}, {"vip", kVip}, {"address", "198.18.1.4"}})
                .find("already has backend"),
            std::string::npos);
  EXPECT_EQ(programmer_.blobs.size(), 2u);
}

TEST_F(CommandTest, DrainRemembersTheWeightForUndrain) {
  json r = ok({{"command", "backend drain"}, {"vip", kVip}, {"address", "198.18.1.2"}});
  EXPECT_EQ(r["previous_weight"], 50);
  EXPECT_EQ(file_weight(1), 0);
  const json show = ok({{"command", "vip show"}, {"vip", kVip}});
  EXPECT_EQ(show["backends"][1]["effective_weight"], 0);
  EXPECT_EQ(show["backends"][1]["slots"], 0);
  EXPECT_TRUE(show["backends"][1]["drained"].get<bool>());
  r = ok({{"command", "backend drain"}, {"vip", kVip}, {"address", "198.18.1.2"}});
  EXPECT_FALSE(r["changed"].get<bool>());
  ok({{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.2"}});
  EXPECT_EQ(file_weight(1), 50);
  EXPECT_NE(fail({{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.2"}})
                .find("is not drained (weight 50)"),
            std::string::npos);
}

TEST_F(CommandTest, DrainedWeightIsPersistedAndSurvivesARestart) {
  ok({{"command", "backend drain"}, {"vip", kVip}, {"address", "198.18.1.2"}});
  EXPECT_EQ(file_config().vips[0].backends[1].undrain_weight, 50);
  // A restarted daemon: everything rebuilt from the file alone.
  std::string content;
  const config::ParseResult r = store_->read(&content);
  ASSERT_TRUE(r.ok());
  testing::FakeProgrammer programmer;
  Balancer balancer(programmer, log_, counters_, [](const auto &) { return std::string(); });
  ASSERT_EQ(balancer.start(*r.config, 0), "");
  ConfigStore store(path_);
  ASSERT_TRUE(store.read(&content).ok());
  store.accept(content);
  CommandHandler handler(balancer, store, log_, counters_);
  Request undrain;
  undrain.command = "backend undrain";
  undrain.body = {{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.2"}};
  const json out = handler.handle(undrain);
  ASSERT_TRUE(out.value("ok", false)) << out.dump();
  EXPECT_EQ(file_weight(1), 50);
  EXPECT_EQ(file_config().vips[0].backends[1].undrain_weight, 0) << "spent once restored";
}

TEST_F(CommandTest, SettingAWeightReplacesTheRememberedOne) {
  ok({{"command", "backend weight"}, {"vip", kVip}, {"address", "198.18.1.2"}, {"weight", 0}});
  EXPECT_EQ(file_config().vips[0].backends[1].undrain_weight, 50);
  ok({{"command", "backend weight"}, {"vip", kVip}, {"address", "198.18.1.2"}, {"weight", 7}});
  EXPECT_EQ(file_config().vips[0].backends[1].undrain_weight, 0);
  EXPECT_NE(fail({{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.2"}})
                .find("is not drained (weight 7)"),
            std::string::npos);
}

TEST_F(CommandTest, NoRequestNamesAFileTheDaemonWouldOpen) {
  // reload reads only the daemon's own config file; diff takes the other
  // config's text, never its path. A path field is refused, not followed.
  EXPECT_NE(fail({{"command", "reload"}, {"file", "/etc/shadow"}}).find("file"), std::string::npos);
  EXPECT_NE(fail({{"command", "diff"}, {"path", "/etc/shadow"}}).find("path"), std::string::npos);
  EXPECT_NE(fail({{"command", "config show"}, {"file", "/etc/passwd"}}).find("file"),
            std::string::npos);
  EXPECT_EQ(counters_.reloads_ok, 0u);
}

TEST_F(CommandTest, UndrainWithoutARememberedWeightNeedsOne) {
  // 198.18.1.3 has weight 0 in the file from the start.
  EXPECT_NE(fail({{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.3"}})
                .find("--weight N"),
            std::string::npos);
  ok({{"command", "backend undrain"}, {"vip", kVip}, {"address", "198.18.1.3"}, {"weight", 9}});
  EXPECT_EQ(file_weight(2), 9);
}

TEST_F(CommandTest, ReloadRejectsABadFileWholeAndAcceptsAGoodOne) {
  const config::Config before = balancer_->config();
  const std::string bad = testing::config_text(R"([{"address": "198.18.0.100", "port": 80,
      "protocol": "tcp", "method": "ipip", "table_size": 16,
      "backends": [{"address": "198.18.1.1"}, {"address": "198.18.1.1"}]}])");
  ASSERT_EQ(write_file_atomically(path_, bad), "");
  const std::string errors = fail({{"command", "reload"}});
  EXPECT_NE(errors.find("vips[0].table_size: must be a prime number"), std::string::npos) << errors;
  EXPECT_NE(errors.find("vips[0].backends[1].address: duplicate"), std::string::npos) << errors;
  EXPECT_EQ(balancer_->config(), before);
  EXPECT_EQ(programmer_.program_calls, 1);
  EXPECT_EQ(counters_.reloads_rejected, 1u);
  // While the file holds an unapplied edit, runtime changes would lose it.
  EXPECT_NE(fail({{"command", "backend drain"}, {"vip", kVip}, {"address", "198.18.1.1"}})
                .find("changed on disk"),
            std::string::npos);

  ASSERT_EQ(write_file_atomically(path_, testing::config_text(R"([{"address": "198.18.0.100",
      "port": 80, "protocol": "tcp", "method": "ipip", "table_size": 17,
      "backends": [{"address": "198.18.1.7"}]}])")),
            "");
  const json r = ok({{"command", "reload"}});
  EXPECT_TRUE(r["changed"].get<bool>());
  EXPECT_EQ(balancer_->config().vips[0].backends.size(), 1u);
  EXPECT_EQ(ok({{"command", "reload"}})["changed"], false);
  // The reloaded file is the new reference: runtime changes work again.
  ok({{"command", "backend weight"}, {"vip", kVip}, {"address", "198.18.1.7"}, {"weight", 3}});
  EXPECT_EQ(file_weight(0), 3);
}

TEST_F(CommandTest, DiffTakesContentNotAPath) {
  EXPECT_NE(fail({{"command", "diff"}, {"config", "not json"}}).find("the other config is invalid"),
            std::string::npos);
  EXPECT_NE(fail({{"command", "diff"}, {"file", path_}}).find("unknown field \"file\""),
            std::string::npos);
  const json r = ok({{"command", "diff"},
                     {"config", testing::config_text(R"([{"address": "198.18.0.100", "port": 80,
      "protocol": "tcp", "method": "ipip", "table_size": 17,
      "backends": [{"address": "198.18.1.1", "name": "a"}, {"address": "198.18.1.2", "weight": 50}]}])")}});
  EXPECT_TRUE(r["changed"].get<bool>());
  EXPECT_EQ(r["vips"][0]["backends_removed"], json::array({"198.18.1.3"}));
  // 1.3 has weight 0: removing it moves no slot.
  EXPECT_EQ(r["vips"][0]["moved_share"], 0.0);
}

TEST_F(CommandTest, QueriesDescribeTheInstalledTables) {
  const json list = ok({{"command", "vip list"}});
  ASSERT_EQ(list["vips"].size(), 1u);
  EXPECT_EQ(list["vips"][0]["backends_in_service"], 2);
  const json table = ok({{"command", "table dump"}, {"vip", kVip}});
  ASSERT_EQ(table["slots"].size(), 17u);
  uint64_t slots_of_a = 0;
  const json show = ok({{"command", "vip show"}, {"vip", kVip}});
  const uint32_t id_a = show["backends"][0]["id"];
  for (const json &s : table["slots"]) slots_of_a += s.get<uint32_t>() == id_a;
  EXPECT_EQ(show["backends"][0]["slots"], slots_of_a);
  const json trace =
      ok({{"command", "trace"}, {"source", "198.18.0.5:40000"}, {"destination", kVip}});
  EXPECT_EQ(trace["verdict"], "forward");
  EXPECT_EQ(table["slots"][trace["slot"].get<size_t>()], trace["backend"]["id"]);
  EXPECT_NE(fail({{"command", "trace"}, {"source", "198.18.0.5"}, {"destination", kVip}})
                .find("bad source"),
            std::string::npos);
  const json cfg = ok({{"command", "config show"}});
  EXPECT_EQ(cfg["file"], path_);
  EXPECT_EQ(cfg["config"]["vips"][0]["table_size"], 17);
}

TEST_F(CommandTest, StatsNameVipsAndBackends) {
  const json show = ok({{"command", "vip show"}, {"vip", kVip}});
  programmer_.stats_doc = {
      {"dataplane", "fake"},
      {"generation", 1},
      {"cores", json::array({{{"core", 0}, {"counters", {{"rx_packets", 5}, {"drop_runt", 2}}}}})},
      {"flows", {{"capacity", 100}, {"occupancy", 3}}},
      {"totals", {{"rx_packets", 5}, {"drop_runt", 2}}},
      {"vips", json::array({{{"vip", kVip}, {"packets", 4}, {"bytes", 400}, {"new_flows", 2}}})},
      {"backends", json::array({{{"id", show["backends"][0]["id"]}, {"packets", 4}}})}};
  const json s = ok({{"command", "stats"}});
  EXPECT_EQ(s["vips"][0]["vip"], kVip);
  EXPECT_EQ(s["vips"][0]["packets"], 4);
  EXPECT_EQ(s["vips"][0]["backends"][0]["address"], "198.18.1.1");
  EXPECT_EQ(s["vips"][0]["backends"][0]["packets"], 4);
  EXPECT_EQ(s["vips"][0]["backends"][1]["packets"], 0);
  EXPECT_EQ(s["drops"]["drop_runt"], 2);
  EXPECT_EQ(s["flows"]["occupancy"], 3);
  EXPECT_EQ(fail({{"command", "stats"}, {"vip", "198.18.0.9:80/tcp"}}), "no VIP 198.18.0.9:80/tcp");
  programmer_.stats_error = "dataplane gone";
  EXPECT_NE(fail({{"command", "stats"}}).find("dataplane gone"), std::string::npos);
}

TEST_F(CommandTest, VipAddRemoveAndAnInvalidResult) {
  ok({{"command", "vip add"}, {"vip", "198.18.0.101:*/udp"}, {"method", "gue"}, {"table_size", 7}});
  EXPECT_EQ(file_config().vips.size(), 2u);
  EXPECT_NE(fail({{"command", "vip add"}, {"vip", "198.18.0.102:80/tcp"}, {"method", "nat"}})
                .find("method must be one of"),
            std::string::npos);
  const std::string e = fail({{"command", "vip add"},
                              {"vip", "198.18.0.102:80/tcp"},
                              {"method", "ipip"},
                              {"table_size", 8}});
  EXPECT_NE(e.find("vips[2].table_size: must be a prime number"), std::string::npos) << e;
  ok({{"command", "vip remove"}, {"vip", "198.18.0.101:*/udp"}});
  EXPECT_EQ(file_config().vips.size(), 1u);
}

}  // namespace
}  // namespace maglb::daemon
