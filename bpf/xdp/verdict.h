/* SPDX-License-Identifier: Apache-2.0
 *
 * How the stages of the XDP program report back: every stage returns a
 * __u32 that is either "continue" or a final outcome. A drop is the
 * enum maglb_counter of its reason, so the entry point counts it and no
 * drop can go uncounted.
 */
#ifndef MAGLB_XDP_VERDICT_H
#define MAGLB_XDP_VERDICT_H

#include "common/bpf_abi.h"

#define MAGLB_V_CONTINUE 0xffffu /* go on with the next stage */
#define MAGLB_V_PASS 0xfffeu     /* XDP_PASS, counted as pass_to_kernel */
#define MAGLB_V_TX 0xfffdu       /* XDP_TX; the stage counted its outcome */
/* Anything below MAGLB_C__COUNT: XDP_DROP, counting that drop reason. */

#endif /* MAGLB_XDP_VERDICT_H */
