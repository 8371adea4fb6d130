// ARP and IPv6 neighbour discovery frames (RFC 826, RFC 4861 section 4.3/4.4):
// parsing what arrives and building what the dataplane sends. Plain bytes,
// no DPDK, so the resolver and its tests run anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net_types.h"

namespace maglb::dpdk {

enum class NeighborMsgKind : uint8_t { ArpRequest, ArpReply, Solicitation, Advertisement };

struct NeighborMessage {
  NeighborMsgKind kind;
  uint8_t family;         // MAGLB_FAMILY_IPV4 for ARP, _IPV6 for ND
  IpAddr sender_ip;       // ARP sender / IPv6 source (:: for DAD solicitations)
  MacAddr sender_mac{};   // ARP sender hardware address, or the ND link-layer option
  bool sender_mac_known;  // false: ND message without a link-layer option
  IpAddr target_ip;       // ARP target / ND target
  MacAddr eth_src{};      // Ethernet source (where a reply without option goes)
  uint16_t vlan_tci;      // 0 when untagged; replies go out with the same tag
  bool solicited;         // NA: the S flag
};

// Cheap test the workers run on frames the pipeline passes: ARP, or an ICMPv6
// neighbour solicitation/advertisement right after the IPv6 header.
bool is_neighbor_frame(const uint8_t *frame, size_t len);

// Full parse with RFC checks (ND: hop limit 255, code 0, checksum, option
// lengths). nullopt for anything malformed or not ARP/NS/NA over Ethernet.
std::optional<NeighborMessage> parse_neighbor_message(std::span<const uint8_t> frame);

// Builders write one frame into `out` and return its length (0 if `out` is
// too small: 64 bytes or more always fits). `vlan_tci` 0 means untagged.
// ARP frames are padded to the 60-byte Ethernet minimum.
inline constexpr size_t kMaxNeighborFrame = 18 + 40 + 32;

// Request for target; `dst_mac` broadcast for a new entry, the known MAC for
// a unicast refresh probe.
size_t build_arp_request(std::span<uint8_t> out, const MacAddr &my_mac, const IpAddr &my_ip,
                         const IpAddr &target, const MacAddr &dst_mac, uint16_t vlan_tci);
size_t build_arp_reply(std::span<uint8_t> out, const MacAddr &my_mac, const IpAddr &my_ip,
                       const MacAddr &to_mac, const IpAddr &to_ip, uint16_t vlan_tci);
// Solicitation for target from my_ip. With a known MAC it is a unicast
// probe to target; without, it goes to the solicited-node multicast group.
size_t build_neighbor_solicitation(std::span<uint8_t> out, const MacAddr &my_mac,
                                   const IpAddr &my_ip, const IpAddr &target,
                                   const std::optional<MacAddr> &known_mac, uint16_t vlan_tci);
// Advertisement of my_ip (the target) with our MAC as target link-layer
// option and the override flag. dst_ip :: means "answer a DAD probe": sent
// to all-nodes ff02::1 without the solicited flag.
size_t build_neighbor_advertisement(std::span<uint8_t> out, const MacAddr &my_mac,
                                    const IpAddr &my_ip, const IpAddr &dst_ip,
                                    const MacAddr &dst_mac, uint16_t vlan_tci);

// Internet checksum of the ICMPv6 message with its pseudo-header.
uint16_t icmpv6_checksum(const uint8_t src[16], const uint8_t dst[16],
                         std::span<const uint8_t> icmp);

}  // namespace maglb::dpdk
