#include "http_status.h"

#include <gtest/gtest.h>

#include <string>

namespace maglb::health {
namespace {

using Kind = StatusLineParse::Kind;

TEST(HttpStatus, ParsesCompleteStatusLines) {
  EXPECT_EQ(parse_status_line("HTTP/1.1 200 OK\r\n").status, 200);
  EXPECT_EQ(parse_status_line("HTTP/1.0 503 Service Unavailable\r\n").status, 503);
  EXPECT_EQ(parse_status_line("HTTP/1.1 204\r\n").status, 204);  // empty reason phrase
  EXPECT_EQ(parse_status_line("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").kind,
            Kind::kStatus);
}

TEST(HttpStatus, NeedsMoreUntilTheStatusCodeIsComplete) {
  const std::string line = "HTTP/1.1 301 Moved\r\n";
  for (size_t n = 0; n < 13; ++n) {
    EXPECT_EQ(parse_status_line(line.substr(0, n)).kind, Kind::kNeedMore) << n;
  }
  const StatusLineParse done = parse_status_line(line.substr(0, 13));
  EXPECT_EQ(done.kind, Kind::kStatus);
  EXPECT_EQ(done.status, 301);
}

TEST(HttpStatus, RejectsWhatCannotBeAStatusLine) {
  EXPECT_EQ(parse_status_line("SSH-2.0-OpenSSH_9.2\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/2 200\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/1.1 20x OK\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/1.1 2000 OK\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/1.1 099 Low\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("HTTP/1.1  200 OK\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("http/1.1 200 OK\r\n").kind, Kind::kMalformed);
  EXPECT_EQ(parse_status_line("X").kind, Kind::kMalformed) << "rejected on the first byte";
}

TEST(HttpStatus, RequestCarriesPathHostAndConnectionClose) {
  EXPECT_EQ(build_http_request("/healthz", "198.18.99.1:8080"),
            "GET /healthz HTTP/1.1\r\nHost: 198.18.99.1:8080\r\nUser-Agent: maglb-health\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace maglb::health
