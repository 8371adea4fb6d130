// Request parsing and line framing of the control protocol.
#include "control_protocol.h"

#include <gtest/gtest.h>

namespace maglb::daemon {
namespace {

TEST(ParseRequest, AcceptsAnObjectWithACommand) {
  std::string error;
  const auto r = parse_request(R"({"command": "vip show", "vip": "198.18.0.100:80/tcp"})", &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->command, "vip show");
  EXPECT_EQ(r->body["vip"], "198.18.0.100:80/tcp");
}

TEST(ParseRequest, RejectsMalformedInputWithAReason) {
  struct Case {
    const char *line;
    const char *error_prefix;
  } cases[] = {
      {"garbage", "malformed request: not valid JSON"},
      {"", "malformed request: not valid JSON"},
      {R"({"command": "vip list")", "malformed request: not valid JSON"},  // truncated
      {"[1, 2]", "malformed request: not a JSON object"},
      {"\"vip list\"", "malformed request: not a JSON object"},
      {"{}", "malformed request: \"command\" missing or not a string"},
      {R"({"command": 7})", "malformed request: \"command\" missing or not a string"},
      {"{\"command\": \"\xff\xfe\"}", "malformed request: not valid JSON"},  // bad UTF-8
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(parse_request(c.line, &error)) << c.line;
    EXPECT_EQ(error.rfind(c.error_prefix, 0), 0u) << c.line << " -> " << error;
  }
}

TEST(TakeLine, SplitsLinesAndKeepsTheRest) {
  std::string buf = "{\"a\":1}\r\n{\"b\":2}\n{\"c\"";
  std::string line;
  ASSERT_EQ(take_line(buf, 100, &line), LineResult::kLine);
  EXPECT_EQ(line, "{\"a\":1}");
  ASSERT_EQ(take_line(buf, 100, &line), LineResult::kLine);
  EXPECT_EQ(line, "{\"b\":2}");
  EXPECT_EQ(take_line(buf, 100, &line), LineResult::kNeedMore);
  EXPECT_EQ(buf, "{\"c\"");
}

TEST(TakeLine, BoundsTheLineLength) {
  std::string line;
  std::string at_limit(10, 'x');
  at_limit += "\n";
  EXPECT_EQ(take_line(at_limit, 10, &line), LineResult::kLine);
  std::string over(11, 'x');
  EXPECT_EQ(take_line(over, 10, &line), LineResult::kOversized);  // no newline yet
  std::string late_newline = std::string(11, 'x') + "\n";
  EXPECT_EQ(take_line(late_newline, 10, &line), LineResult::kOversized);
  std::string short_partial(10, 'x');
  EXPECT_EQ(take_line(short_partial, 10, &line), LineResult::kNeedMore);
}

TEST(Responses, AreOneValidJsonLineEvenWithBadUtf8) {
  const std::string ok = encode_response(ok_response({{"x", 1}}));
  EXPECT_EQ(ok, "{\"ok\":true,\"result\":{\"x\":1}}\n");
  const std::string bad = encode_response(error_response("no VIP \xff", {"detail"}));
  ASSERT_EQ(bad.back(), '\n');
  EXPECT_EQ(bad.find('\n'), bad.size() - 1);
  const auto parsed = nlohmann::json::parse(bad, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_FALSE(parsed["ok"].get<bool>());
  EXPECT_EQ(parsed["errors"][0], "detail");
}

}  // namespace
}  // namespace maglb::daemon
