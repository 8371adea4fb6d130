// Output writers of docs/forwarding.md sections 6 and 7: tunnel
// encapsulation (IPIP, IP6IP6, GUE with either outer family), the L2
// rewrite and the ICMP "too big" reply. They write in place and update the
// Packet's data/len/headroom/tailroom; callers check room first.
#pragma once

#include <cstdint>

#include <cstring>

#include "checksum.h"
#include "maglb_abi.h"
#include "packet.h"

namespace maglb::core {

// Bytes a method adds in front of the inner IP packet when the outer
// header is of outer_family (the backend's).
inline uint16_t encap_overhead(uint8_t method, uint8_t outer_family) {
  const uint16_t ip = outer_family == MAGLB_FAMILY_IPV6 ? 40 : 20;
  if (method == MAGLB_FWD_IPIP) return ip;
  if (method == MAGLB_FWD_GUE) return ip + 8;
  return 0;
}

// What the writers need to know about the input frame.
struct FrameLayout {
  uint8_t l2_len;   // 14 or 18 (VLAN tag kept)
  uint16_t ip_len;  // inner IP packet length (padding after it is dropped)
  uint8_t tos;      // inner TOS / traffic class (copied to the outer header)
};

namespace detail {

inline void put_be16(uint8_t *p, uint16_t v) {
  const uint16_t be = __builtin_bswap16(v);
  std::memcpy(p, &be, 2);
}
inline void put_be32(uint8_t *p, uint32_t v) {
  const uint32_t be = __builtin_bswap32(v);
  std::memcpy(p, &be, 4);
}

// Ethernet header (+ the input's VLAN tag, whose TCI is read before the
// outer headers overwrite it).
inline void write_eth(uint8_t *at, const uint8_t dst[6], const uint8_t src[6], bool vlan,
                      const uint8_t tci[2], uint16_t ether_type) {
  std::memcpy(at, dst, 6);
  std::memcpy(at + 6, src, 6);
  if (vlan) {
    at[12] = 0x81;
    at[13] = 0x00;
    at[14] = tci[0];
    at[15] = tci[1];
    put_be16(at + 16, ether_type);
  } else {
    put_be16(at + 12, ether_type);
  }
}

// The 20-byte header is assembled in registers (memory images,
// little-endian), summed there and stored as two 8-byte words and one
// 4-byte word: no byte stores, and nothing is read back from memory (a
// wider load of narrower stores stalls on store forwarding). src and dst
// are the addresses' memory images (network order bytes).
inline void write_ipv4_words(uint8_t *h, uint8_t tos, uint16_t total_len, uint8_t proto, bool df,
                             uint32_t src, uint32_t dst) {
  const uint32_t w0 = 0x45u | uint32_t{tos} << 8 | uint32_t{__builtin_bswap16(total_len)} << 16;
  const uint32_t w1 = df ? 0x00400000u : 0u;  // ID 0 (DF packets are never reassembled), flags DF
  const uint32_t w2 = 64u | uint32_t{proto} << 8;  // TTL, protocol, checksum 0
  const uint64_t sum = uint64_t{w0} + w1 + w2 + src + dst;
  const uint64_t a = uint64_t{w0} | uint64_t{w1} << 32;
  const uint64_t b = (w2 | uint32_t{csum_fold(sum)} << 16) | uint64_t{src} << 32;
  std::memcpy(h, &a, 8);
  std::memcpy(h + 8, &b, 8);
  std::memcpy(h + 16, &dst, 4);
}

inline void write_ipv4(uint8_t *h, uint8_t tos, uint16_t total_len, uint8_t proto, bool df,
                       const uint8_t src[4], const uint8_t dst[4]) {
  uint32_t s, d;
  std::memcpy(&s, src, 4);
  std::memcpy(&d, dst, 4);
  write_ipv4_words(h, tos, total_len, proto, df, s, d);
}

inline void write_ipv6(uint8_t *h, uint8_t tclass, uint32_t flow_label, uint16_t payload_len,
                       uint8_t next_header, const uint8_t src[16], const uint8_t dst[16]) {
  put_be32(h, 6u << 28 | uint32_t{tclass} << 20 | (flow_label & 0xfffff));
  put_be16(h + 4, payload_len);
  h[6] = next_header;
  h[7] = 64;
  std::memcpy(h + 8, src, 16);
  std::memcpy(h + 24, dst, 16);
}

// Pseudo-header sum for IPv6 upper-layer checksums (RFC 8200 section 8.1).
inline uint64_t ipv6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint32_t len,
                                uint8_t next_header) {
  uint64_t s = csum_add(0, src, 16);
  s = csum_add(s, dst, 16);
  s = csum_add_host16(s, static_cast<uint16_t>(len >> 16));
  s = csum_add_host16(s, static_cast<uint16_t>(len));
  return csum_add_host16(s, next_header);
}

// The outer source: the configured address with its low `bits` replaced by
// the low bits of the flow hash, so ECMP/RSS on the backend side spreads
// flows (docs/forwarding.md section 6).
// Returns the address's memory image (network byte order).
inline uint32_t entropy_v4(const maglb_dp_params &pr, uint32_t hash) {
  const uint32_t bits = pr.src_v4_entropy_bits;
  const uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
  const uint32_t a = __builtin_bswap32(pr.encap_src_v4);
  return __builtin_bswap32((a & ~mask) | (hash & mask));
}

inline void entropy_v6(const maglb_dp_params &pr, uint32_t hash, uint8_t out[16]) {
  std::memcpy(out, pr.encap_src_v6, 16);
  const uint32_t bits = pr.src_v6_entropy_bits;
  if (!bits) return;
  const uint32_t mask = (1u << bits) - 1;  // bits <= 16 (snapshot validation)
  uint32_t a = uint32_t{out[14]} << 8 | out[15];
  a = (a & ~mask) | (hash & mask);
  put_be16(out + 14, static_cast<uint16_t>(a));
}

inline void finish(Packet &p, uint8_t *new_data, uint32_t new_len) {
  uint8_t *buf_end = p.data + p.len + p.tailroom;
  p.headroom = static_cast<uint16_t>(p.headroom - (p.data - new_data));
  p.data = new_data;
  p.len = static_cast<uint16_t>(new_len);
  p.tailroom = static_cast<uint16_t>(buf_end - (new_data + new_len));
}

template <bool kGue, bool kV6>
inline void encap_tunnel_as(Packet &p, const FrameLayout &f, const maglb_backend &be,
                            const maglb_dp_params &pr, uint32_t hash, const uint8_t dst_mac[6],
                            const uint8_t src_mac[6]) {
  constexpr uint16_t ip_hdr = kV6 ? 40 : 20;
  constexpr uint16_t ov = ip_hdr + (kGue ? 8 : 0);
  const bool vlan = f.l2_len == 18;
  uint8_t tci[2] = {p.data[14], p.data[15]};
  uint8_t *nd = p.data - ov;
  uint8_t *outer = nd + f.l2_len;
  const uint8_t *inner = p.data + f.l2_len;  // does not move
  if constexpr (kV6) {
    uint8_t src[16];
    entropy_v6(pr, hash, src);
    write_ipv6(outer, f.tos, hash, static_cast<uint16_t>(ov - 40 + f.ip_len), kGue ? 17 : 41, src,
               be.addr);
  } else {
    uint32_t dst;
    std::memcpy(&dst, be.addr, 4);
    write_ipv4_words(outer, f.tos, static_cast<uint16_t>(ov + f.ip_len), kGue ? 17 : 4, true,
                     entropy_v4(pr, hash), dst);
  }
  if constexpr (kGue) {
    uint8_t *udp = outer + ip_hdr;
    const uint16_t udp_len = static_cast<uint16_t>(8 + f.ip_len);
    put_be16(udp, static_cast<uint16_t>(0xc000 | (hash & 0x3fff)));
    std::memcpy(udp + 2, &pr.gue_port, 2);
    put_be16(udp + 4, udp_len);
    udp[6] = udp[7] = 0;
    if constexpr (kV6) {
      // RFC 8200 forbids a zero UDP checksum over IPv6 (RFC 6935's tunnel
      // exception is not assumed of every backend).
      uint64_t s = ipv6_pseudo_sum(outer + 8, outer + 24, udp_len, 17);
      s = csum_add(s, udp, 8);
      s = csum_add(s, inner, f.ip_len);
      const uint16_t c = csum_fold(s);
      store_csum(udp + 6, c ? c : 0xffff);
    }
  }
  write_eth(nd, dst_mac, src_mac, vlan, tci, kV6 ? 0x86dd : 0x0800);
  finish(p, nd, f.l2_len + ov + f.ip_len);
}

}  // namespace detail

// IPIP / IP6IP6 / GUE towards `backend`, outer source from params with
// `hash` entropy. Needs encap_overhead() bytes of headroom. Inline and
// specialised per (method, outer family): the per-packet path has no
// branch on either inside the writer.
inline void encap_tunnel(Packet &p, const FrameLayout &f, uint8_t method,
                         const maglb_backend &backend, const maglb_dp_params &params, uint32_t hash,
                         const uint8_t dst_mac[6], const uint8_t src_mac[6]) {
  const bool v6 = backend.family == MAGLB_FAMILY_IPV6;
  if (method == MAGLB_FWD_GUE) {
    if (v6)
      detail::encap_tunnel_as<true, true>(p, f, backend, params, hash, dst_mac, src_mac);
    else
      detail::encap_tunnel_as<true, false>(p, f, backend, params, hash, dst_mac, src_mac);
  } else if (v6) {
    detail::encap_tunnel_as<false, true>(p, f, backend, params, hash, dst_mac, src_mac);
  } else {
    detail::encap_tunnel_as<false, false>(p, f, backend, params, hash, dst_mac, src_mac);
  }
}

// L2 method: new Ethernet addresses, IP packet unchanged.
void rewrite_l2(Packet &p, const FrameLayout &f, const uint8_t dst_mac[6],
                const uint8_t src_mac[6]);

// Bytes the too-big reply to this input occupies after the L2 header.
uint32_t icmp_too_big_reply_len(uint8_t family, const uint8_t *ip, uint16_t ip_len);

// Turns the frame into an ICMP fragmentation-needed (IPv4) / packet-too-big
// (IPv6) reply to its sender reporting `mtu`. Needs
// icmp_too_big_reply_len() bytes after the L2 header (tailroom included).
void write_icmp_too_big(Packet &p, const FrameLayout &f, uint8_t family, uint32_t mtu);

}  // namespace maglb::core
