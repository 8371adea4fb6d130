#include "packet_builder.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace maglb::fixtures {
namespace {

void put16(Bytes &b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes &b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
void set16(Bytes &b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
void append(Bytes &b, const uint8_t *p, size_t n) {
  b.insert(b.end(), p, p + n);
}
void append(Bytes &b, const Bytes &more) {
  b.insert(b.end(), more.begin(), more.end());
}

size_t addr_len(const Ip &a) {
  return a.family == 6 ? 16 : 4;
}

// Pseudo-header (RFC 768 / RFC 8200 8.1) followed by the upper-layer bytes.
uint16_t l4_checksum(const Ip &src, const Ip &dst, uint8_t proto, const Bytes &segment) {
  Bytes ph;
  append(ph, src.a, addr_len(src));
  append(ph, dst.a, addr_len(dst));
  if (src.family == 6) {
    put32(ph, static_cast<uint32_t>(segment.size()));
    put16(ph, 0);
    ph.push_back(0);
    ph.push_back(proto);
  } else {
    ph.push_back(0);
    ph.push_back(proto);
    put16(ph, static_cast<uint16_t>(segment.size()));
  }
  append(ph, segment);
  return ref_checksum(ph);
}

[[noreturn]] void bad_literal(const std::string &what, const std::string &text) {
  std::fprintf(stderr, "packet_builder: bad %s literal '%s'\n", what.c_str(), text.c_str());
  std::abort();
}

}  // namespace

uint16_t ref_checksum(const Bytes &data) {
  uint32_t sum = 0;
  for (size_t i = 0; i < data.size(); i += 2) {
    const uint32_t hi = data[i];
    const uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    sum += hi << 8 | lo;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

Mac mac(const std::string &text) {
  Mac m{};
  unsigned v[6];
  if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
    bad_literal("MAC", text);
  for (int i = 0; i < 6; ++i) m.b[i] = static_cast<uint8_t>(v[i]);
  return m;
}

Ip ip(const std::string &text) {
  Ip a{};
  if (inet_pton(AF_INET, text.c_str(), a.a) == 1) {
    a.family = 4;
  } else if (inet_pton(AF_INET6, text.c_str(), a.a) == 1) {
    a.family = 6;
  } else {
    bad_literal("IP", text);
  }
  return a;
}

std::string to_string(const Ip &addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(addr.family == 6 ? AF_INET6 : AF_INET, addr.a, buf, sizeof(buf));
  return buf;
}

Bytes ip_packet_of(const Bytes &frame) {
  size_t off = 14;
  if (frame.size() >= 18 && frame[12] == 0x81 && frame[13] == 0x00) off = 18;
  if (frame.size() < off + 1) return {};
  size_t len;
  if ((frame[off] >> 4) == 4) {
    len = size_t{frame[off + 2]} << 8 | frame[off + 3];
  } else {
    len = 40 + (size_t{frame[off + 4]} << 8 | frame[off + 5]);
  }
  if (off + len > frame.size()) len = frame.size() - off;
  return Bytes(frame.begin() + static_cast<long>(off),
               frame.begin() + static_cast<long>(off + len));
}

PacketBuilder::Layer &PacketBuilder::push(Kind kind) {
  layers_.push_back(Layer{});
  layers_.back().kind = kind;
  return layers_.back();
}

PacketBuilder &PacketBuilder::Eth(Mac dst, Mac src, std::optional<uint16_t> ether_type) {
  Layer &l = push(Kind::Eth);
  l.dst = dst;
  l.src = src;
  l.ether_type = ether_type;
  return *this;
}

PacketBuilder &PacketBuilder::Vlan(uint16_t tci, std::optional<uint16_t> ether_type,
                                   uint16_t tpid) {
  Layer &l = push(Kind::Vlan);
  l.tci = tci;
  l.tpid = tpid;
  l.ether_type = ether_type;
  return *this;
}

PacketBuilder &PacketBuilder::Ipv4(Ip src, Ip dst, Ipv4Opts opts) {
  Layer &l = push(Kind::Ipv4);
  l.ip_src = src;
  l.ip_dst = dst;
  l.v4 = opts;
  return *this;
}

PacketBuilder &PacketBuilder::Ipv6(Ip src, Ip dst, Ipv6Opts opts) {
  Layer &l = push(Kind::Ipv6);
  l.ip_src = src;
  l.ip_dst = dst;
  l.v6 = opts;
  return *this;
}

PacketBuilder &PacketBuilder::Ipv6Ext(uint8_t type, size_t len, std::optional<uint8_t> hdr_len) {
  Layer &l = push(Kind::Ipv6Ext);
  l.ext_type = type;
  l.ext_len = len;
  l.ext_hdr_len = hdr_len;
  return *this;
}

PacketBuilder &PacketBuilder::Ipv6Frag(uint16_t offset, bool more, uint32_t id) {
  Layer &l = push(Kind::Ipv6Frag);
  l.frag_offset = offset;
  l.frag_more = more;
  l.frag_id = id;
  return *this;
}

PacketBuilder &PacketBuilder::Tcp(uint16_t sport, uint16_t dport, TcpOpts opts) {
  Layer &l = push(Kind::Tcp);
  l.sport = sport;
  l.dport = dport;
  l.tcp = opts;
  return *this;
}

PacketBuilder &PacketBuilder::Udp(uint16_t sport, uint16_t dport, UdpOpts opts) {
  Layer &l = push(Kind::Udp);
  l.sport = sport;
  l.dport = dport;
  l.udp = opts;
  return *this;
}

PacketBuilder &PacketBuilder::Icmp(Kind kind, uint8_t type, uint8_t code, uint32_t rest) {
  Layer &l = push(kind);
  l.icmp_type = type;
  l.icmp_code = code;
  l.icmp_rest = rest;
  return *this;
}

PacketBuilder &PacketBuilder::Icmp4(uint8_t type, uint8_t code, uint32_t rest) {
  return Icmp(Kind::Icmp4, type, code, rest);
}

PacketBuilder &PacketBuilder::Icmp6(uint8_t type, uint8_t code, uint32_t rest) {
  return Icmp(Kind::Icmp6, type, code, rest);
}

PacketBuilder &PacketBuilder::Payload(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return Raw(b);
}

PacketBuilder &PacketBuilder::Raw(const Bytes &bytes) {
  push(Kind::Raw).raw = bytes;
  return *this;
}

PacketBuilder &PacketBuilder::Pad(size_t n) {
  pad_ += n;
  return *this;
}

uint8_t PacketBuilder::protocol_of(const Layer &l) {
  switch (l.kind) {
    case Kind::Ipv4:
      return 4;
    case Kind::Ipv6:
      return 41;
    case Kind::Ipv6Ext:
      return l.ext_type;
    case Kind::Ipv6Frag:
      return 44;
    case Kind::Tcp:
      return 6;
    case Kind::Udp:
      return 17;
    case Kind::Icmp4:
      return 1;
    case Kind::Icmp6:
      return 58;
    default:
      return 59;  // "no next header"
  }
}

uint16_t PacketBuilder::ether_type_of(const Layer &l) {
  switch (l.kind) {
    case Kind::Vlan:
      return l.tpid;
    case Kind::Ipv4:
      return 0x0800;
    case Kind::Ipv6:
      return 0x86dd;
    default:
      return 0x88b5;  // IEEE local experimental
  }
}

const PacketBuilder::Layer *PacketBuilder::enclosing_ip(size_t i) const {
  while (i-- > 0)
    if (layers_[i].kind == Kind::Ipv4 || layers_[i].kind == Kind::Ipv6) return &layers_[i];
  return nullptr;
}

Bytes PacketBuilder::serialize(size_t i, const Bytes &inner) const {
  const Layer &l = layers_[i];
  const Layer *next = i + 1 < layers_.size() ? &layers_[i + 1] : nullptr;
  Bytes h;
  switch (l.kind) {
    case Kind::Eth:
      append(h, l.dst.b, 6);
      append(h, l.src.b, 6);
      put16(h, l.ether_type ? *l.ether_type : next ? ether_type_of(*next) : 0x88b5);
      break;
    case Kind::Vlan:
      put16(h, l.tci);
      put16(h, l.ether_type ? *l.ether_type : next ? ether_type_of(*next) : 0x88b5);
      break;
    case Kind::Ipv4: {
      const size_t hlen = 20 + l.v4.options.size();
      const uint8_t version = l.v4.version.value_or(4);
      const uint8_t ihl = l.v4.ihl.value_or(static_cast<uint8_t>(hlen / 4));
      h.push_back(static_cast<uint8_t>(version << 4 | (ihl & 15)));
      h.push_back(l.v4.tos);
      put16(h, l.v4.total_length.value_or(static_cast<uint16_t>(hlen + inner.size())));
      put16(h, l.v4.id);
      put16(h, static_cast<uint16_t>((l.v4.df ? 0x4000 : 0) | (l.v4.mf ? 0x2000 : 0) |
                                     (l.v4.frag_offset & 0x1fff)));
      h.push_back(l.v4.ttl);
      h.push_back(l.v4.proto.value_or(next ? protocol_of(*next) : 59));
      put16(h, 0);
      append(h, l.ip_src.a, 4);
      append(h, l.ip_dst.a, 4);
      append(h, l.v4.options);
      set16(h, 10, l.v4.checksum.value_or(ref_checksum(h)));
      break;
    }
    case Kind::Ipv6:
      put32(h, uint32_t{l.v6.version.value_or(6)} << 28 | uint32_t{l.v6.traffic_class} << 20 |
                   (l.v6.flow_label & 0xfffff));
      put16(h, l.v6.payload_length.value_or(static_cast<uint16_t>(inner.size())));
      h.push_back(l.v6.next_header.value_or(next ? protocol_of(*next) : 59));
      h.push_back(l.v6.hop_limit);
      append(h, l.ip_src.a, 16);
      append(h, l.ip_dst.a, 16);
      break;
    case Kind::Ipv6Ext:
      h.assign(l.ext_len, 0);
      h[0] = next ? protocol_of(*next) : 59;
      h[1] = l.ext_hdr_len.value_or(static_cast<uint8_t>(l.ext_len / 8 - 1));
      break;
    case Kind::Ipv6Frag:
      h.push_back(next ? protocol_of(*next) : 59);
      h.push_back(0);
      put16(h, static_cast<uint16_t>(l.frag_offset << 3 | (l.frag_more ? 1 : 0)));
      put32(h, l.frag_id);
      break;
    case Kind::Tcp: {
      put16(h, l.sport);
      put16(h, l.dport);
      put32(h, l.tcp.seq);
      put32(h, l.tcp.ack);
      h.push_back(static_cast<uint8_t>(l.tcp.data_offset.value_or(5) << 4));
      h.push_back(l.tcp.flags);
      put16(h, l.tcp.window);
      put16(h, 0);  // checksum
      put16(h, 0);  // urgent
      Bytes seg = h;
      append(seg, inner);
      if (const Layer *e = enclosing_ip(i)) set16(h, 16, l4_checksum(e->ip_src, e->ip_dst, 6, seg));
      break;
    }
    case Kind::Udp: {
      put16(h, l.sport);
      put16(h, l.dport);
      put16(h, l.udp.length.value_or(static_cast<uint16_t>(8 + inner.size())));
      put16(h, 0);
      if (!l.udp.zero_checksum) {
        Bytes seg = h;
        append(seg, inner);
        if (const Layer *e = enclosing_ip(i)) {
          uint16_t c = l4_checksum(e->ip_src, e->ip_dst, 17, seg);
          set16(h, 6, c ? c : 0xffff);
        }
      }
      break;
    }
    case Kind::Icmp4:
    case Kind::Icmp6: {
      h.push_back(l.icmp_type);
      h.push_back(l.icmp_code);
      put16(h, 0);
      put32(h, l.icmp_rest);
      Bytes msg = h;
      append(msg, inner);
      const Layer *e = enclosing_ip(i);
      const uint16_t c = l.kind == Kind::Icmp4 || !e ? ref_checksum(msg)
                                                     : l4_checksum(e->ip_src, e->ip_dst, 58, msg);
      set16(h, 2, c);
      break;
    }
    case Kind::Raw:
      h = l.raw;
      break;
  }
  append(h, inner);
  return h;
}

Bytes PacketBuilder::Build() const {
  Bytes b;
  for (size_t i = layers_.size(); i-- > 0;) b = serialize(i, b);
  b.resize(b.size() + pad_, 0);
  return b;
}

}  // namespace maglb::fixtures
