#include "control_protocol.h"

namespace maglb::daemon {

std::optional<Request> parse_request(std::string_view line, std::string *error) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error &e) {
    // e.what() carries the byte position, which helps whoever wrote the client.
    *error = std::string("malformed request: not valid JSON (") + e.what() + ")";
    return std::nullopt;
  }
  if (!doc.is_object()) {
    *error = "malformed request: not a JSON object";
    return std::nullopt;
  }
  const auto it = doc.find("command");
  if (it == doc.end() || !it->is_string()) {
    *error = "malformed request: \"command\" missing or not a string";
    return std::nullopt;
  }
  Request r;
  r.command = it->get<std::string>();
  r.body = std::move(doc);
  return r;
}

nlohmann::json ok_response(nlohmann::json result) {
  return {{"ok", true}, {"result", std::move(result)}};
}

nlohmann::json error_response(const std::string &error, const std::vector<std::string> &details) {
  nlohmann::json r = {{"ok", false}, {"error", error}};
  if (!details.empty()) r["errors"] = details;
  return r;
}

std::string encode_response(const nlohmann::json &response) {
  return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

LineResult take_line(std::string &buffer, size_t max_line, std::string *line) {
  const size_t nl = buffer.find('\n');
  if (nl == std::string::npos) {
    return buffer.size() > max_line ? LineResult::kOversized : LineResult::kNeedMore;
  }
  if (nl > max_line) return LineResult::kOversized;
  size_t end = nl;
  if (end > 0 && buffer[end - 1] == '\r') --end;
  line->assign(buffer, 0, end);
  buffer.erase(0, nl + 1);
  return LineResult::kLine;
}

}  // namespace maglb::daemon
