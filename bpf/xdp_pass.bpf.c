/* SPDX-License-Identifier: Apache-2.0
 *
 * XDP_PASS and nothing else: the floor the benchmark subtracts, and the
 * program a veth peer needs so that XDP_TX frames are delivered to it.
 */
#include "common/bpf_abi.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int maglb_xdp_pass(struct xdp_md *ctx) {
  return XDP_PASS;
}
