#include "ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace maglb::health {

std::string format_ip(const IpAddress &ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ip.family == MAGLB_FAMILY_IPV4) {
    inet_ntop(AF_INET, ip.addr.data(), buf, sizeof(buf));
  } else if (ip.family == MAGLB_FAMILY_IPV6) {
    inet_ntop(AF_INET6, ip.addr.data(), buf, sizeof(buf));
  } else {
    return "<bad family " + std::to_string(ip.family) + ">";
  }
  return buf;
}

std::string format_ip_port(const IpAddress &ip, uint16_t port) {
  // Built by append: GCC 12 at -O3 reports a false -Wrestrict on
  // "[" + std::string + ... (GCC bug 105651).
  const bool v6 = ip.family == MAGLB_FAMILY_IPV6;
  std::string out;
  if (v6) out.push_back('[');
  out.append(format_ip(ip));
  if (v6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port));
  return out;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  std::string s(text);  // inet_pton needs a NUL-terminated string
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.addr.data()) == 1) {
    ip.family = MAGLB_FAMILY_IPV4;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.addr.data()) == 1) {
    ip.family = MAGLB_FAMILY_IPV6;
    return ip;
  }
  return std::nullopt;
}

socklen_t to_sockaddr(const IpAddress &ip, uint16_t port, sockaddr_storage *out) {
  std::memset(out, 0, sizeof(*out));
  if (ip.family == MAGLB_FAMILY_IPV4) {
    auto *sin = reinterpret_cast<sockaddr_in *>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip.addr.data(), 4);
    return sizeof(sockaddr_in);
  }
  if (ip.family == MAGLB_FAMILY_IPV6) {
    auto *sin6 = reinterpret_cast<sockaddr_in6 *>(out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, ip.addr.data(), 16);
    return sizeof(sockaddr_in6);
  }
  return 0;
}

std::string address_key(const IpAddress &ip) {
  std::string key(17, '\0');
  key[0] = static_cast<char>(ip.family);
  std::memcpy(key.data() + 1, ip.addr.data(), 16);
  return key;
}

}  // namespace maglb::health
