#include "http_status.h"

namespace maglb::health {

std::string build_http_request(std::string_view path, std::string_view host) {
  std::string req;
  req.reserve(96 + path.size() + host.size());
  req.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  req.append("\r\nUser-Agent: maglb-health\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  return req;
}

StatusLineParse parse_status_line(std::string_view data) {
  using Kind = StatusLineParse::Kind;
  // "HTTP/1.1 200 " : version (8), space, status (3), then SP or CR.
  static constexpr std::string_view kPrefix = "HTTP/1.";
  constexpr size_t kStatusAt = 9;
  constexpr size_t kNeeded = kStatusAt + 3 + 1;

  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < data.size() && i < kNeeded; ++i) {
    const char c = data[i];
    bool ok;
    if (i < kPrefix.size()) {
      ok = c == kPrefix[i];
    } else if (i == 7) {
      ok = is_digit(c);
    } else if (i == 8) {
      ok = c == ' ';
    } else if (i < kStatusAt + 3) {
      ok = is_digit(c);
    } else {
      ok = c == ' ' || c == '\r';
    }
    if (!ok) return {Kind::kMalformed, 0};
  }
  if (data.size() < kNeeded) return {Kind::kNeedMore, 0};
  const uint16_t status =
      static_cast<uint16_t>((data[9] - '0') * 100 + (data[10] - '0') * 10 + (data[11] - '0'));
  if (status < 100) return {Kind::kMalformed, 0};
  return {Kind::kStatus, status};
}

}  // namespace maglb::health
