/* SPDX-License-Identifier: Apache-2.0
 *
 * VIP match: docs/forwarding.md section 2. Exact port first, then the
 * port-0 key, which matches as an all-ports VIP always and as a FRAG_ONLY
 * alias only for later fragments (they carry no port).
 */
#ifndef MAGLB_XDP_VIP_MATCH_H
#define MAGLB_XDP_VIP_MATCH_H

#include "xdp/maps.h"
#include "xdp/parse.h"

/* Whether `addr` (8-byte aligned) may be a VIP address: its filter bit. */
MAGLB_INLINE int vip_address_maybe(const __u8 *addr, __u8 family) {
  __u32 zero = 0;
  const struct maglb_xdp_vip_filter *f = bpf_map_lookup_elem(&maglb_vip_filter, &zero);
  if (!f) return 1;
  const __u32 bit =
      maglb_xdp_vip_filter_bit(*(const __u64 *)addr, *(const __u64 *)(addr + 8), family);
  return (f->bits[(bit >> 6) & (MAGLB_XDP_VIP_FILTER_WORDS - 1)] >> (bit & 63)) & 1;
}

/* VIP of (addr, port, proto, family); `later_fragment` selects the port-0
 * lookup only. NULL when nothing matches. */
MAGLB_INLINE struct maglb_vip_meta *vip_lookup(const __u8 *addr, __be16 port, __u8 proto,
                                               __u8 family, int later_fragment) {
  if (!vip_address_maybe(addr, family)) return 0;
  struct maglb_vip_key k;
  __builtin_memset(&k, 0, sizeof(k));
  __builtin_memcpy(k.addr, addr, 16);
  k.proto = proto;
  k.family = family;
  struct maglb_vip_meta *m;
  /* Port 0 only ever means the port-0 key, whose flags must then agree. */
  if (!later_fragment && port != 0) {
    k.port = port;
    m = bpf_map_lookup_elem(&maglb_vips, &k);
    if (m) return m;
  }
  k.port = 0;
  m = bpf_map_lookup_elem(&maglb_vips, &k);
  if (!m) return 0;
  if (m->flags & MAGLB_VIP_F_ALL_PORTS) return m;
  if ((m->flags & MAGLB_VIP_F_FRAG_ONLY) && later_fragment) return m;
  return 0;
}

#endif /* MAGLB_XDP_VIP_MATCH_H */
