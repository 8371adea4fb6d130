#include "vip_spec.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace maglb::cli {

std::optional<maglb_vip_key> parse_vip_spec(std::string_view text, std::string *error) {
  auto fail = [&](const std::string &why) -> std::optional<maglb_vip_key> {
    *error = "bad VIP '" + std::string(text) + "': " + why + " (expected ADDR:PORT/PROTO, e.g. " +
             "198.18.0.100:80/tcp or [2001:db8::100]:443/tcp)";
    return std::nullopt;
  };
  const size_t slash = text.rfind('/');
  if (slash == std::string_view::npos) return fail("missing /tcp or /udp");
  const std::string_view proto = text.substr(slash + 1);
  const std::string_view hostport = text.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos) return fail("missing :PORT");
  std::string_view host = hostport.substr(0, colon);
  const std::string_view port = hostport.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);

  maglb_vip_key key{};
  const std::string h(host);
  if (inet_pton(AF_INET, h.c_str(), key.addr) == 1) {
    key.family = MAGLB_FAMILY_IPV4;
  } else if (inet_pton(AF_INET6, h.c_str(), key.addr) == 1) {
    key.family = MAGLB_FAMILY_IPV6;
  } else {
    return fail("'" + h + "' is not an IPv4 or IPv6 address");
  }
  unsigned p = 0;
  if (port != "*") {
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535)
      return fail("port must be 0..65535 or *");
  }
  key.port = htons(static_cast<uint16_t>(p));
  if (proto == "tcp")
    key.proto = IPPROTO_TCP;
  else if (proto == "udp")
    key.proto = IPPROTO_UDP;
  else
    return fail("protocol must be tcp or udp");
  return key;
}

}  // namespace maglb::cli
