/* SPDX-License-Identifier: Apache-2.0
 *
 * maglb backend decapsulation: tc ingress (clsact, direct action) on a
 * backend's interface. Strips the outer IPv4/IPv6 header of IPIP, IP6IP6,
 * 4in6/6in4, and GUE variant 1 (outer UDP to the configured port, then the
 * inner IP header) when the outer destination is one of this host's
 * addresses, and hands the inner packet (to the VIP, held on lo) to the
 * local stack. tc rather than XDP because only an skb can change protocol
 * family in place (bpf_skb_adjust_room's DECAP_L3 flags set skb->protocol)
 * and because the stack must see the packet afterwards anyway.
 */
#include "common/bpf_abi.h"
#include "maglb_decap_abi.h"

char LICENSE[] SEC("license") = "GPL";

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

/* GUE destination port (network order), set by maglb-decap before load. */
const volatile __be16 gue_port = 0;

/* This host's addresses (outer destinations we accept), filled by
 * maglb-decap at attach time. Value unused. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __be32);
  __type(value, __u8);
} decap_local_v4 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u8[16]);
  __type(value, __u8);
} decap_local_v6 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct maglb_decap_stats);
} decap_stats SEC(".maps");

static __always_inline struct maglb_decap_stats *stats(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&decap_stats, &zero);
}

/* Removes `outer_len` bytes after the Ethernet header and labels the frame
 * with the inner family (skb->protocol through the DECAP_L3 flag, and the
 * EtherType bytes the stack may look at again). */
static __always_inline int strip(struct __sk_buff *skb, __u32 outer_len, __u8 inner_version) {
  __u64 flags = inner_version == 4 ? BPF_F_ADJ_ROOM_DECAP_L3_IPV4 : BPF_F_ADJ_ROOM_DECAP_L3_IPV6;
  struct maglb_decap_stats *s = stats();
  if (bpf_skb_adjust_room(skb, -(__s32)outer_len, BPF_ADJ_ROOM_MAC, flags)) {
    if (s) s->errors++;
    return TC_ACT_SHOT;
  }
  __be16 type = bpf_htons(inner_version == 4 ? ETH_P_IP : ETH_P_IPV6);
  if (bpf_skb_store_bytes(skb, 12, &type, sizeof(type), 0)) {
    if (s) s->errors++;
    return TC_ACT_SHOT;
  }
  return TC_ACT_OK;
}

/* After the outer header (at byte `off` of the frame, protocol `proto`):
 * the end of what to strip (frame offset of the inner IP header) and the
 * inner IP version as the inner header says, or 0 when the packet is not a
 * tunnel of ours. */
static __always_inline __u32 tunnel_len(void *data, void *end, __u32 off, __u8 proto,
                                        __u8 *inner_version) {
  if (proto == IPPROTO_UDP) {
    __u8 *udp = data + (off & 0xff);
    if (gue_port == 0 || (void *)(udp + UDP_HLEN) > end) return 0;
    if (*(__be16 *)(udp + 2) != gue_port) return 0;
    off += UDP_HLEN;
  } else if (proto != IPPROTO_IPIP && proto != IPPROTO_IPV6) {
    return 0;
  }
  __u8 *inner = data + (off & 0xff);
  if ((void *)(inner + 1) > end) return 0;
  *inner_version = inner[0] >> 4;
  /* IPIP (4) must carry IPv4 and 41 IPv6; GUE variant 1 says by the nibble. */
  if ((proto == IPPROTO_IPIP && *inner_version != 4) ||
      (proto == IPPROTO_IPV6 && *inner_version != 6))
    *inner_version = 0;
  return off;
}

SEC("tc")
int maglb_decap(struct __sk_buff *skb) {
  /* Headers of interest are at most 14 + 60 + 8 + 1 bytes; make sure they
   * are in the linear part (a no-op when they already are). */
  if (skb->len >= ETH_HLEN + IPV6_HLEN + UDP_HLEN + 1)
    bpf_skb_pull_data(skb, ETH_HLEN + IPV6_HLEN + UDP_HLEN + 1);
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  __u8 *eth = data;
  if ((void *)(eth + ETH_HLEN) > end) return TC_ACT_OK;
  __u16 type = ((__u16)eth[12] << 8) | eth[13];
  __u8 *ip = eth + ETH_HLEN;
  __u32 outer_len;
  __u8 inner_version = 0;
  int local;

  if (type == ETH_P_IP) {
    if ((void *)(ip + IPV4_HLEN) > end) return TC_ACT_OK;
    __u32 ihl = (ip[0] & 0x0f) * 4;
    __u16 frag = ((__u16)ip[6] << 8) | ip[7];
    if (ihl < IPV4_HLEN || (frag & (IP_MF | IP_OFFMASK))) return TC_ACT_OK;
    outer_len = tunnel_len(data, end, ETH_HLEN + ihl, ip[9], &inner_version);
    if (!outer_len) return TC_ACT_OK;
    local = bpf_map_lookup_elem(&decap_local_v4, ip + 16) != 0;
  } else if (type == ETH_P_IPV6) {
    if ((void *)(ip + IPV6_HLEN) > end) return TC_ACT_OK;
    outer_len = tunnel_len(data, end, ETH_HLEN + IPV6_HLEN, ip[6], &inner_version);
    if (!outer_len) return TC_ACT_OK;
    __u8 dst[16];
    __builtin_memcpy(dst, ip + 24, 16);
    local = bpf_map_lookup_elem(&decap_local_v6, dst) != 0;
  } else {
    return TC_ACT_OK;
  }

  struct maglb_decap_stats *s = stats();
  if (!local) {
    if (s) s->not_local++;
    return TC_ACT_OK;
  }
  if (inner_version != 4 && inner_version != 6) {
    if (s) s->malformed++;
    return TC_ACT_SHOT;
  }
  int gue = ip[type == ETH_P_IP ? 9 : 6] == IPPROTO_UDP;
  if (s) {
    if (gue)
      s->gue++;
    else
      s->ipip++;
  }
  return strip(skb, outer_len - ETH_HLEN, inner_version);
}
