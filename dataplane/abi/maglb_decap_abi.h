/* SPDX-License-Identifier: Apache-2.0
 *
 * What maglb-decap (controlplane/decap) and the backend decapsulation
 * program (maglb_decap.bpf.c) share, besides the skeleton: the layout of
 * the statistics map. C, includable from clang -target bpf and C++.
 */
#ifndef MAGLB_DECAP_ABI_H
#define MAGLB_DECAP_ABI_H

#if !defined(__bpf__)
#include <linux/types.h>
#endif

/* Per-CPU counters of the decap program (map decap_stats, one entry). Map
 * names stay within the kernel's 15 characters: `status` finds the map of
 * the attached program by name. */
struct maglb_decap_stats {
  __u64 ipip;      /* outer IPv4 or IPv6, IP-in-IP (protocol 4 or 41) removed */
  __u64 gue;       /* outer UDP to the GUE port (variant 1) removed */
  __u64 not_local; /* tunnel packet whose outer destination is not ours: untouched */
  __u64 malformed; /* tunnel packet whose inner header is not IP: dropped */
  __u64 errors;    /* the kernel refused to shrink the packet: dropped */
};

#endif /* MAGLB_DECAP_ABI_H */
