/* SPDX-License-Identifier: Apache-2.0
 *
 * The one include of every maglb BPF program: kernel types (CO-RE vmlinux.h,
 * generated at build time), libbpf's BPF-side helpers and the shared ABI.
 */
#ifndef MAGLB_BPF_ABI_H
#define MAGLB_BPF_ABI_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* maglb_abi.h includes <linux/types.h> for the fixed-width types. vmlinux.h
 * already defines them (identically), but the UAPI header would also pull in
 * <linux/posix_types.h>, whose anonymous structs clash with vmlinux.h's:
 * claim its include guard so the ABI header sees only vmlinux.h's types. */
#define _LINUX_TYPES_H
#include "maglb_abi.h"
#include "maglb_hash.h"
#include "maglb_xdp_abi.h"

/* UAPI macros that vmlinux.h (types only, no #defines) cannot carry. */
#define ETH_ALEN 6
#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define AF_INET 2
#define AF_INET6 10

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define NEXTHDR_ICMPV6 58
#define IPPROTO_IPIP_NUM 4
#define IPPROTO_IPV6_NUM 41

#define ICMP_DEST_UNREACH_TYPE 3
#define ICMP_FRAG_NEEDED_CODE 4
#define ICMPV6_PKT_TOOBIG_TYPE 2
/* TCP flag bits of header byte 13 (vmlinux.h's TCP_FLAG_* are words). */
#define MAGLB_TCP_SYN 0x02
#define MAGLB_TCP_ACK 0x10

#define MAGLB_INLINE static __always_inline

/* Packet loads and stores of 2, 4 and 8 bytes at once. The BPF target
 * assumes strict alignment, so clang turns a memcpy from or to a (__u8 *)
 * packet pointer into single-byte accesses; x86 and the verifier (without
 * BPF_F_STRICT_ALIGNMENT) accept unaligned packet access, so the hot path
 * goes through these casts (built with -fno-strict-aliasing). */
#define PKT_U16(p) (*(__u16 *)(void *)(p))
#define PKT_U32(p) (*(__u32 *)(void *)(p))
#define PKT_U64(p) (*(__u64 *)(void *)(p))

/* A global BPF subprogram: the verifier checks it once, on its own, with
 * only its argument types known, instead of once per call site and path.
 * Inlining everything made the verifier walk 400k instructions (14 s);
 * arguments must be scalars, the ctx, or pointers to plain structs (which
 * the callee must check for NULL). One translation unit per program, so a
 * global definition in a header is fine. */
#define MAGLB_SUBPROG __attribute__((noinline))

/* ctx->data and ctx->data_end, loaded with inline assembly: after a helper
 * that may move the packet (bpf_xdp_adjust_head/tail) clang likes to reuse
 * "ctx + offset" for both loads, and the verifier refuses any access through
 * a modified ctx pointer ("dereference of modified ctx ptr"). */
static __always_inline void *xdp_data(struct xdp_md *ctx) {
  void *p;
  asm volatile("%0 = *(u32 *)(%1 + 0)" : "=r"(p) : "r"(ctx));
  return p;
}

static __always_inline void *xdp_data_end(struct xdp_md *ctx) {
  void *p;
  asm volatile("%0 = *(u32 *)(%1 + 4)" : "=r"(p) : "r"(ctx));
  return p;
}

#endif /* MAGLB_BPF_ABI_H */
