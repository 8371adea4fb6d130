// The two pieces of HTTP/1.1 the HTTP probe needs: the request it sends and
// the status line it reads back (RFC 9112 section 4). Pure, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace maglb::health {

// "GET <path> HTTP/1.1" with Host, User-Agent and "Connection: close".
// path and host must hold no CR, LF or space (validated by the checker).
std::string build_http_request(std::string_view path, std::string_view host);

struct StatusLineParse {
  enum class Kind { kNeedMore, kStatus, kMalformed } kind = Kind::kNeedMore;
  uint16_t status = 0;  // valid when kind == kStatus
};

// Parses the start of a response: "HTTP/1.<d> <3 digits>" followed by a
// space or CR. Returns kNeedMore while the bytes so far are a valid prefix,
// kMalformed as soon as they cannot be one. The reason phrase and headers
// are never needed, so the probe reads only this far.
StatusLineParse parse_status_line(std::string_view data);

}  // namespace maglb::health
