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

/* The meta of the key (addr_lo, addr_hi, tail) in VIP index `index`, or
 * NULL. The key words are the little-endian images of maglb_vip_key bytes
 * 0..7, 8..15 and 16..19. */
MAGLB_INLINE struct maglb_vip_meta *vip_index_find(void *index, __u64 addr_lo, __u64 addr_hi,
                                                   __u32 tail) {
  const __u32 home = maglb_xdp_vip_home(addr_lo, addr_hi, tail);
#pragma unroll
  for (int i = 0; i < MAGLB_XDP_VIP_PROBES; i++) {
    __u32 slot = (home + i) & (MAGLB_XDP_VIP_INDEX_SLOTS - 1);
    struct maglb_xdp_vip_entry *e = bpf_map_lookup_elem(index, &slot);
    if (!e) return 0;
    const __u32 t = *(const __u32 *)&e->key.port; /* port, proto, family */
    if (t == tail && *(const __u64 *)e->key.addr == addr_lo &&
        *(const __u64 *)(e->key.addr + 8) == addr_hi)
      return &e->meta;
    if (t == 0) return 0; /* family 0: an empty slot ends the run */
  }
  return 0;
}

/* VIP of (addr, port, proto, family); `later_fragment` selects the port-0
 * lookup only. `addr` is 8-byte aligned. NULL when nothing matches. */
MAGLB_INLINE struct maglb_vip_meta *vip_lookup(const __u8 *addr, __be16 port, __u8 proto,
                                               __u8 family, int later_fragment) {
  if (!vip_address_maybe(addr, family)) return 0;
  __u32 zero = 0;
  void *index = bpf_map_lookup_elem(&maglb_vip_index, &zero);
  if (!index) return 0;
  const __u64 lo = *(const __u64 *)addr;
  const __u64 hi = *(const __u64 *)(addr + 8);
  const __u32 tail0 = ((__u32)proto << 16) | ((__u32)family << 24);
  struct maglb_vip_meta *m;
  /* Port 0 only ever means the port-0 key, whose flags must then agree. */
  if (!later_fragment && port != 0) {
    m = vip_index_find(index, lo, hi, tail0 | (__u16)port);
    if (m) return m;
  }
  m = vip_index_find(index, lo, hi, tail0);
  if (!m) return 0;
  if (m->flags & MAGLB_VIP_F_ALL_PORTS) return m;
  if ((m->flags & MAGLB_VIP_F_FRAG_ONLY) && later_fragment) return m;
  return 0;
}

#endif /* MAGLB_XDP_VIP_MATCH_H */
