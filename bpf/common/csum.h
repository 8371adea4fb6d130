/* SPDX-License-Identifier: Apache-2.0
 *
 * Internet checksums (RFC 1071) over packet bytes and stack buffers.
 * Partial sums are 32-bit one's-complement sums of the bytes as they sit in
 * memory (what bpf_csum_diff returns); folding and complementing one gives
 * the 16-bit field to store as is, whatever the host byte order.
 */
#ifndef MAGLB_BPF_CSUM_H
#define MAGLB_BPF_CSUM_H

#include "common/bpf_abi.h"

/* Largest byte range csum_packet() covers: a 4 KiB page holds every frame an
 * XDP program sees without multi-buffer support. */
#define MAGLB_CSUM_MAX_BYTES 4096u

MAGLB_INLINE __u16 csum_fold(__u64 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

/* Sum of `len` bytes of the packet from `off`, added to `sum`. Returns -1 if
 * the range leaves the packet. The verifier only accepts helper arguments
 * of constant size, so the range is eaten in 512-, 64- and 4-byte steps
 * (bounded loops, at most 8 + 7 + 15 iterations) and the last 0-3 bytes
 * are copied into a zero-padded word. */
MAGLB_SUBPROG __s64 csum_packet(struct xdp_md *ctx, __u32 off, __u32 len, __u32 sum) {
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  if (len > MAGLB_CSUM_MAX_BYTES) return -1;
  for (int i = 0; i < (int)(MAGLB_CSUM_MAX_BYTES / 512) && len >= 512; i++) {
    void *p = data + (off & 0x1fff);
    if (p + 512 > end) return -1;
    sum = (__u32)bpf_csum_diff(0, 0, p, 512, sum);
    off += 512;
    len -= 512;
  }
  for (int i = 0; i < 7 && len >= 64; i++) {
    void *p = data + (off & 0x1fff);
    if (p + 64 > end) return -1;
    sum = (__u32)bpf_csum_diff(0, 0, p, 64, sum);
    off += 64;
    len -= 64;
  }
  for (int i = 0; i < 15 && len >= 4; i++) {
    void *p = data + (off & 0x1fff);
    if (p + 4 > end) return -1;
    sum = (__u32)bpf_csum_diff(0, 0, p, 4, sum);
    off += 4;
    len -= 4;
  }
  if (len) {
    __u8 *p = data + (off & 0x1fff);
    __u8 word[4] = {0, 0, 0, 0};
    if (p + 3 <= (__u8 *)end) {
      word[0] = p[0];
      if (len > 1) word[1] = p[1];
      if (len > 2) word[2] = p[2];
    } else if (len == 1 && p + 1 <= (__u8 *)end) {
      word[0] = p[0];
    } else if (len == 2 && p + 2 <= (__u8 *)end) {
      word[0] = p[0];
      word[1] = p[1];
    } else {
      return -1;
    }
    sum = (__u32)bpf_csum_diff(0, 0, (void *)word, 4, sum);
  }
  return sum;
}

/* Checksums the `len` bytes of an L4 header and payload at frame offset
 * `off` (checksum field zero), seeded with a pseudo-header sum, and stores
 * the result at off + field. `zero_as_ones`: UDP sends a computed 0 as
 * 0xffff (RFC 768). Returns 0, or -1 if the range leaves the packet. */
MAGLB_INLINE int csum_store_l4(struct xdp_md *ctx, __u32 off, __u32 len, __u32 seed, __u32 field,
                               int zero_as_ones) {
  __s64 sum = csum_packet(ctx, off, len, seed);
  if (sum < 0) return -1;
  __u16 check = csum_fold((__u64)sum);
  if (zero_as_ones && check == 0) check = 0xffff;
  void *data = xdp_data(ctx);
  void *end = xdp_data_end(ctx);
  __u8 *p = data + ((off + field) & 0x1fff);
  if ((void *)(p + 2) > end) return -1;
  __builtin_memcpy(p, &check, 2);
  return 0;
}

/* Checksum of a 20-byte IPv4 header whose checksum field is zero. */
MAGLB_INLINE __u16 csum_ipv4_header(const void *hdr) {
  const __u16 *w = hdr;
  __u64 sum = 0;
#pragma unroll
  for (int i = 0; i < 10; i++) sum += w[i];
  return csum_fold(sum);
}

/* The IPv6 pseudo-header of RFC 8200 section 8.1 as a partial sum. */
MAGLB_INLINE __u32 csum_ipv6_pseudo(const __u8 *src, const __u8 *dst, __u32 upper_len,
                                    __u8 next_header) {
  struct {
    __u8 src[16];
    __u8 dst[16];
    __be32 len;
    __u8 zero[3];
    __u8 nh;
  } ph;
  __builtin_memcpy(ph.src, src, 16);
  __builtin_memcpy(ph.dst, dst, 16);
  ph.len = bpf_htonl(upper_len);
  ph.zero[0] = ph.zero[1] = ph.zero[2] = 0;
  ph.nh = next_header;
  return (__u32)bpf_csum_diff(0, 0, (void *)&ph, sizeof(ph), 0);
}

#endif /* MAGLB_BPF_CSUM_H */
