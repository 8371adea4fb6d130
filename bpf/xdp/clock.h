/* SPDX-License-Identifier: Apache-2.0
 *
 * The clock of flow timestamps and of the next-hop cache. Idle timeouts are
 * whole seconds, so tick resolution is plenty: jiffies, which the verifier
 * inlines into one load (bpf_ktime_get_coarse_ns() is a helper call, and
 * every kernel call pays the SRSO return thunk on this machine's kernels).
 * Jiffies tick at CONFIG_HZ, which libbpf reads from the kernel
 * configuration; a kernel that does not publish its configuration gets the
 * coarse clock in 2^20 ns units instead (the branch is decided at load:
 * .kconfig values are constants to the verifier). Units wrap at 2^32 (198
 * days at HZ=250); ages are taken modulo 2^32.
 */
#ifndef MAGLB_XDP_CLOCK_H
#define MAGLB_XDP_CLOCK_H

#include "common/bpf_abi.h"

extern const unsigned int CONFIG_HZ __kconfig __weak;

/* ns >> 20 = 1.048576 ms; 954 of them (rounded up) make a second. */
#define MAGLB_COARSE_SHIFT 20
#define MAGLB_COARSE_UNITS_PER_S 954u

MAGLB_INLINE __u32 clock_now(void) {
  if (CONFIG_HZ) return (__u32)bpf_jiffies64();
  return (__u32)(bpf_ktime_get_coarse_ns() >> MAGLB_COARSE_SHIFT);
}

MAGLB_INLINE __u32 clock_units_per_s(void) {
  return CONFIG_HZ ? CONFIG_HZ : MAGLB_COARSE_UNITS_PER_S;
}

#endif /* MAGLB_XDP_CLOCK_H */
