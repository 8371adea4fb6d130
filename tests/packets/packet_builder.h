// A small fluent frame builder for tests:
//   PacketBuilder().Eth(dst, src).Vlan(100).Ipv4(src, dst).Tcp(1234, 80).Payload(10).Build()
// Lengths, next-header fields and checksums are filled in by Build() unless
// an option overrides them (to build malformed frames). This is an
// implementation of its own (byte-wise checksums, no code from
// dataplane/core), so expected outputs built with it are an independent
// check of the core's writers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace maglb::fixtures {

using Bytes = std::vector<uint8_t>;

struct Mac {
  uint8_t b[6];
};
// "02:00:00:00:00:01"; aborts the test binary on a malformed literal
// (test code only).
Mac mac(const std::string &text);

struct Ip {
  uint8_t family;  // 4 or 6
  uint8_t a[16];   // IPv4 in a[0..3], rest zero
};
Ip ip(const std::string &text);  // "198.18.0.1" or "2001:db8::1"
std::string to_string(const Ip &addr);

struct Ipv4Opts {
  uint8_t tos = 0;
  uint8_t ttl = 64;
  uint16_t id = 0x1234;
  bool df = true;
  bool mf = false;
  uint16_t frag_offset = 0;      // in 8-byte units
  Bytes options;                 // IPv4 options (padded to 4 bytes by the caller)
  std::optional<uint8_t> proto;  // default: from the next layer
  std::optional<uint16_t> total_length;
  std::optional<uint8_t> ihl;  // in 4-byte words
  std::optional<uint8_t> version;
  std::optional<uint16_t> checksum;
};

struct Ipv6Opts {
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;
  uint8_t hop_limit = 64;
  std::optional<uint8_t> next_header;
  std::optional<uint16_t> payload_length;
  std::optional<uint8_t> version;
};

struct TcpOpts {
  uint8_t flags = 0x02;  // SYN
  uint32_t seq = 1000;
  uint32_t ack = 0;
  uint16_t window = 65535;
  std::optional<uint8_t> data_offset;  // in 4-byte words
};

struct UdpOpts {
  std::optional<uint16_t> length;
  bool zero_checksum = false;  // leave the checksum 0 (IPv4 only means "none")
};

class PacketBuilder {
 public:
  PacketBuilder &Eth(Mac dst, Mac src, std::optional<uint16_t> ether_type = std::nullopt);
  PacketBuilder &Vlan(uint16_t tci, std::optional<uint16_t> ether_type = std::nullopt,
                      uint16_t tpid = 0x8100);
  PacketBuilder &Ipv4(Ip src, Ip dst, Ipv4Opts opts = {});
  PacketBuilder &Ipv6(Ip src, Ip dst, Ipv6Opts opts = {});
  // Hop-by-hop (0), routing (43) or destination options (60) header of
  // `len` bytes (a multiple of 8, >= 8); hdr_ext_len may be overridden.
  PacketBuilder &Ipv6Ext(uint8_t type, size_t len, std::optional<uint8_t> hdr_ext_len = {});
  PacketBuilder &Ipv6Frag(uint16_t offset, bool more, uint32_t id = 0xabcd);
  PacketBuilder &Tcp(uint16_t sport, uint16_t dport, TcpOpts opts = {});
  PacketBuilder &Udp(uint16_t sport, uint16_t dport, UdpOpts opts = {});
  // ICMP / ICMPv6 header; rest = the 4 bytes after the checksum (big-endian).
  PacketBuilder &Icmp4(uint8_t type, uint8_t code, uint32_t rest = 0);
  PacketBuilder &Icmp6(uint8_t type, uint8_t code, uint32_t rest = 0);
  PacketBuilder &Payload(size_t n, uint8_t seed = 0);  // deterministic pattern bytes
  PacketBuilder &Raw(const Bytes &bytes);
  // Bytes after the IP packet (Ethernet padding, not counted in IP lengths).
  PacketBuilder &Pad(size_t n);

  Bytes Build() const;

 private:
  enum class Kind { Eth, Vlan, Ipv4, Ipv6, Ipv6Ext, Ipv6Frag, Tcp, Udp, Icmp4, Icmp6, Raw };
  struct Layer {
    Kind kind;
    Mac dst{}, src{};
    std::optional<uint16_t> ether_type;
    uint16_t tci = 0, tpid = 0;
    Ip ip_src{}, ip_dst{};
    Ipv4Opts v4;
    Ipv6Opts v6;
    uint8_t ext_type = 0;
    size_t ext_len = 0;
    std::optional<uint8_t> ext_hdr_len;
    uint16_t frag_offset = 0;
    bool frag_more = false;
    uint32_t frag_id = 0;
    uint16_t sport = 0, dport = 0;
    TcpOpts tcp;
    UdpOpts udp;
    uint8_t icmp_type = 0, icmp_code = 0;
    uint32_t icmp_rest = 0;
    Bytes raw;
  };
  Layer &push(Kind kind);
  PacketBuilder &Icmp(Kind kind, uint8_t type, uint8_t code, uint32_t rest);
  static uint8_t protocol_of(const Layer &l);
  static uint16_t ether_type_of(const Layer &l);
  Bytes serialize(size_t i, const Bytes &inner) const;
  const Layer *enclosing_ip(size_t i) const;

  std::vector<Layer> layers_;
  size_t pad_ = 0;
};

// RFC 1071 checksum over big-endian 16-bit words (byte-wise; reference code).
uint16_t ref_checksum(const Bytes &data);

// The IP packet inside a frame (after the Ethernet header and at most one
// VLAN tag), without Ethernet padding.
Bytes ip_packet_of(const Bytes &frame);

}  // namespace maglb::fixtures
