// Frame parser: docs/forwarding.md section 1 (parsing) and the header part
// of section 4 (which ICMP errors carry a VIP flow). Reads only inside
// [data, data + len); every malformed frame gets the counter of its layer.
#pragma once

#include <cstdint>

#include "flow_key.h"
#include "maglb_abi.h"

namespace maglb::core {

enum class ParseKind : uint8_t {
  Pass,       // not for the load balancer (non-IP, other protocol, second VLAN tag...)
  Drop,       // malformed: drop_counter says why
  Flow,       // TCP/UDP, not a fragment: connection tracking
  Fragment,   // TCP/UDP fragment (first or later): 3-tuple hash, no tracking
  IcmpError,  // ICMP frag-needed / ICMPv6 packet-too-big quoting a TCP/UDP flow
};

struct Parsed {
  ParseKind kind;
  uint8_t drop_counter;  // maglb_counter, when kind == Drop
  uint8_t l2_len;        // 14, or 18 with a VLAN tag
  uint8_t ttl;           // IPv4 TTL / IPv6 hop limit
  uint8_t tos;           // IPv4 TOS / IPv6 traffic class
  bool df;               // IPv4 don't-fragment (IPv6: always true)
  bool later_fragment;   // fragment without L4 header (offset != 0)
  uint16_t ip_len;       // IP packet length (header + payload, no Ethernet padding)
  // Flow key: of the packet (Flow, Fragment: ports 0 for later fragments),
  // or the quoted packet reversed (IcmpError). The VIP key is always
  // (dst, dport, proto, family) of this key.
  FlowWords key;
};

// Parses one frame. len: frame length in bytes.
void parse_frame(const uint8_t *data, uint16_t len, Parsed *out);

}  // namespace maglb::core
