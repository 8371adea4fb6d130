// The daemon's control protocol (docs/daemon.md, "Control protocol"): over a
// Unix stream socket, each request is ONE line holding one JSON object with
// a string "command", and gets exactly one response line:
//   {"ok": true, "result": {...}}
//   {"ok": false, "error": "no VIP 198.18.0.9:80/tcp", "errors": [...]}
// A connection may carry any number of requests, answered in order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace maglb::daemon {

// Longest request line accepted (the newline excluded). `diff` carries a
// whole config file, and docs/config.md's largest useful files are far
// below this; more is answered with an error and the connection closed.
inline constexpr size_t kMaxRequestBytes = 1u << 20;

struct Request {
  std::string command;  // "vip list", "backend add", ...
  nlohmann::json body;  // the whole object, "command" included
};

// One request line. On error returns nullopt and sets *error:
//   "malformed request: not valid JSON (...)", "malformed request: not a JSON
//   object", "malformed request: \"command\" missing or not a string".
std::optional<Request> parse_request(std::string_view line, std::string *error);

nlohmann::json ok_response(nlohmann::json result);
nlohmann::json error_response(const std::string &error,
                              const std::vector<std::string> &details = {});
// The response as sent: compact JSON plus '\n'. Invalid UTF-8 in any string
// is replaced, so a response is always valid JSON.
std::string encode_response(const nlohmann::json &response);

enum class LineResult { kNeedMore, kLine, kOversized };

// Takes the first complete line out of `buffer` into *line (without its
// '\n' and a '\r' before it). kOversized: no newline within max_line
// bytes; the stream cannot be resynchronised, so the caller closes it.
LineResult take_line(std::string &buffer, size_t max_line, std::string *line);

}  // namespace maglb::daemon
