/* SPDX-License-Identifier: Apache-2.0
 *
 * maglb shared ABI: the ONE definition of every layout that the XDP program
 * (bpf/), the DPDK dataplane (dataplane/) and the control plane
 * (controlplane/) exchange. No other file may declare these layouts; add a
 * field here, bump MAGLB_ABI_VERSION, and every consumer picks it up.
 *
 * Rules for this file:
 *  - C, includable from clang -target bpf, C11 and C++20.
 *  - Only fixed-width integer types (<linux/types.h>), no pointers, no
 *    bitfields, explicit padding: the bytes are the same on every compiler.
 *  - Multi-byte fields are host order unless their type says __be16/__be32
 *    (network order, copied straight from or to packet headers).
 *  - Every struct has a static assertion on its size; the fields whose
 *    offset matters to a wire format have one on their offset.
 */
#ifndef MAGLB_ABI_H
#define MAGLB_ABI_H

#include <linux/types.h>

#if defined(__cplusplus)
#define MAGLB_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define MAGLB_OFFSETOF(t, f) __builtin_offsetof(t, f)
#else
#define MAGLB_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define MAGLB_OFFSETOF(t, f) __builtin_offsetof(t, f)
#endif

#define MAGLB_ABI_VERSION 1

/* ------------------------------------------------------------------ limits */

/* Largest Maglev table the control plane builds (a prime). */
#define MAGLB_MAX_TABLE_SIZE 5000011u
/* Default Maglev table size (prime, the paper's "small" table, section 5.3). */
#define MAGLB_DEFAULT_TABLE_SIZE 65537u
/* VIPs per dataplane (XDP outer map size; DPDK snapshot bound). */
#define MAGLB_MAX_VIPS 512u
/* Backends per snapshot, over all VIPs (slot values are indexes below it). */
#define MAGLB_MAX_BACKENDS 65535u
/* IPv6 extension headers walked before giving up (verifier-friendly bound
 * shared with the DPDK parser so both dataplanes drop the same packets). */
#define MAGLB_MAX_IPV6_EXT_HDRS 4u

/* ------------------------------------------------------------ enumerations */

/* Address family tags as stored in keys (not AF_INET/AF_INET6, whose values
 * differ between libcs and are unavailable in BPF). */
#define MAGLB_FAMILY_IPV4 4u
#define MAGLB_FAMILY_IPV6 6u

/* Forwarding (direct server return) methods, per VIP. */
enum maglb_fwd_method {
  MAGLB_FWD_IPIP = 1, /* IPv4-in-IPv4 or IPv6-in-IPv6 (matching the backend) */
  MAGLB_FWD_GUE = 2,  /* GUE variant 1: UDP then the inner IP header directly */
  MAGLB_FWD_L2 = 3,   /* destination MAC rewrite, backend on the segment */
};

/* Which packet fields select the Maglev slot of a new flow, per VIP. */
enum maglb_hash_fields {
  MAGLB_HASH_5TUPLE = 1,   /* src, dst, sport, dport, proto */
  MAGLB_HASH_3TUPLE = 2,   /* src, dst, proto (ports ignored) */
  MAGLB_HASH_SRC_ADDR = 3, /* src address only (client affinity) */
};

/* VIP flags (maglb_vip_meta.flags). */
#define MAGLB_VIP_F_ALL_PORTS (1u << 0) /* key.port == 0: every port */
/* Port-0 alias the control plane publishes so that non-first fragments
 * (which carry no port) find the VIP of their (address, proto); matches
 * nothing else. See docs/forwarding.md section 2. */
#define MAGLB_VIP_F_FRAG_ONLY (1u << 1)

/* Backend flags (maglb_backend.flags). */
#define MAGLB_BACKEND_F_DRAINING (1u << 0) /* weight 0: no new flows */

/* Dataplane-wide flags (maglb_dp_params.flags). */
#define MAGLB_DP_F_ICMP_TOO_BIG (1u << 0) /* answer oversize with ICMP */

/* ------------------------------------------------------------------- keys */

/* A VIP: (family, address, port, protocol). IPv4 addresses sit in addr[0..3]
 * with addr[4..15] zero. port 0 means "every port" (the key used for the
 * all-ports lookup, which a dataplane tries after the exact-port key). */
struct maglb_vip_key {
  __u8 addr[16];
  __be16 port;
  __u8 proto; /* IPPROTO_TCP (6) or IPPROTO_UDP (17) */
  __u8 family;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_vip_key) == 20, "vip key is 20 bytes");
MAGLB_STATIC_ASSERT(MAGLB_OFFSETOF(struct maglb_vip_key, port) == 16, "vip key port at 16");

/* Per-VIP parameters: the "table snapshot header" of one VIP. */
struct maglb_vip_meta {
  __u64 generation;  /* snapshot generation this table belongs to */
  __u32 vip_index;   /* index of the VIP's table (outer map / snapshot) */
  __u32 table_size;  /* Maglev table size M, prime */
  __u32 table_offset; /* DPDK snapshot: first slot of this VIP's table */
  __u16 flags;       /* MAGLB_VIP_F_* */
  __u8 fwd_method;   /* enum maglb_fwd_method */
  __u8 hash_fields;  /* enum maglb_hash_fields */
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_vip_meta) == 24, "vip meta is 24 bytes");

/* A backend ("real"). id is the stable identity that flow entries store: a
 * backend keeps its id across every table the control plane builds, and a
 * removed backend's id is absent from later snapshots, so an established
 * flow can never follow a reused index to the wrong server. */
struct maglb_backend {
  __u8 addr[16];  /* IPv4 in addr[0..3] */
  __u32 id;       /* stable id, never 0 */
  __u8 family;    /* MAGLB_FAMILY_* */
  __u8 flags;     /* MAGLB_BACKEND_F_* */
  __u16 weight;   /* effective weight the table was built with */
  __u8 mac[6];    /* L2 method: backend MAC if known, else zero (resolve) */
  __u16 reserved;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_backend) == 32, "backend is 32 bytes");
MAGLB_STATIC_ASSERT(MAGLB_OFFSETOF(struct maglb_backend, id) == 16, "backend id at 16");

/* One Maglev slot: an index into the snapshot's backend array (DPDK), or a
 * backend id (XDP inner maps, resolved through the backends map). The value
 * MAGLB_SLOT_EMPTY marks a table with no usable backend. */
typedef __u32 maglb_slot_t;
#define MAGLB_SLOT_EMPTY 0xffffffffu

/* Connection-tracking key. Addresses as in maglb_vip_key; ports in network
 * order; pad is always zero so the key can be hashed and compared as bytes. */
struct maglb_flow_key {
  __u8 src[16];
  __u8 dst[16];
  __be16 sport;
  __be16 dport;
  __u8 proto;
  __u8 family;
  __u16 pad;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_flow_key) == 40, "flow key is 40 bytes");
MAGLB_STATIC_ASSERT(MAGLB_OFFSETOF(struct maglb_flow_key, sport) == 32, "flow key ports at 32");

/* Dataplane-wide parameters, set by the control plane from the config's
 * "dataplane" section: XDP keeps one in an array map, DPDK receives it in
 * every snapshot. */
struct maglb_dp_params {
  __u8 encap_src_v6[16];      /* outer source for IP6IP6 / GUE over IPv6 */
  __be32 encap_src_v4;        /* outer source for IPIP / GUE over IPv4 */
  __u8 src_v4_entropy_bits;   /* low bits of the outer v4 source taken from the flow hash */
  __u8 src_v6_entropy_bits;   /* same for v6 (0..16) */
  __u16 mtu;                  /* L3 MTU of the egress link */
  __be16 gue_port;            /* GUE destination port */
  __u16 flags;                /* MAGLB_DP_F_* */
  __u32 tcp_idle_timeout_s;   /* flow-table idle timeouts */
  __u32 udp_idle_timeout_s;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_dp_params) == 36, "dp params is 36 bytes");

/* ------------------------------------------------------- snapshot format */

/* A DPDK table snapshot is one contiguous blob, exactly as sent over the
 * control socket and as installed (after validation) by the dataplane:
 *
 *   struct maglb_snapshot_header
 *   struct maglb_dp_params
 *   struct maglb_snapshot_vip     vips[n_vips]        (sorted by key bytes)
 *   struct maglb_backend          backends[n_backends] (sorted by id)
 *   maglb_slot_t                  slots[total_slots]   (VIP i's table is
 *                                 slots[meta.table_offset .. +table_size])
 */
#define MAGLB_SNAPSHOT_MAGIC 0x424c474du /* "MGLB" little-endian */

struct maglb_snapshot_header {
  __u32 magic;
  __u16 abi_version;
  __u16 header_size; /* sizeof(struct maglb_snapshot_header) */
  __u64 generation;  /* strictly increasing per control-plane lifetime */
  __u32 n_vips;
  __u32 n_backends;
  __u64 total_slots;
  __u64 total_size;  /* bytes of the whole blob, header included */
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_snapshot_header) == 40, "snapshot header is 40 bytes");

struct maglb_snapshot_vip {
  struct maglb_vip_key key;
  __u32 reserved;
  struct maglb_vip_meta meta;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_snapshot_vip) == 48, "snapshot vip is 48 bytes");

/* ---------------------------------------------------------------- counters */

/* Every dataplane counter, once. X(ENUM_SUFFIX, "printable_name", kind)
 * kind: 0 = informational, 1 = a drop reason, 2 = a packet outcome.
 *
 * Invariant, per core (asserted in tests):
 *   rx_packets = tx_forwarded + tx_icmp_generated + pass_to_kernel
 *                + sum(drop_*)
 */
#define MAGLB_COUNTERS(X)                                                        \
  X(RX_PACKETS, "rx_packets", 0)                                                 \
  X(RX_BYTES, "rx_bytes", 0)                                                     \
  X(TX_FORWARDED, "tx_forwarded", 2)                                             \
  X(TX_ICMP_GENERATED, "tx_icmp_generated", 2)                                   \
  X(PASS_TO_KERNEL, "pass_to_kernel", 2)                                         \
  X(FWD_IPIP, "fwd_ipip", 0)                                                     \
  X(FWD_GUE, "fwd_gue", 0)                                                       \
  X(FWD_L2, "fwd_l2", 0)                                                         \
  X(FLOW_NEW, "flow_new", 0)                                                     \
  X(FLOW_HIT, "flow_hit", 0)                                                     \
  X(FLOW_REBALANCED, "flow_rebalanced", 0)                                       \
  X(FLOW_EVICTED, "flow_evicted", 0)                                             \
  X(FLOW_EXPIRED, "flow_expired", 0)                                             \
  X(FLOW_ADOPTED_OTHER_CPU, "flow_adopted_other_cpu", 0)                         \
  X(FRAGMENTS, "fragments", 0)                                                   \
  X(ICMP_ERROR_FORWARDED, "icmp_error_forwarded", 0)                             \
  X(DROP_RUNT, "drop_runt", 1)                                                   \
  X(DROP_BAD_L2, "drop_bad_l2", 1)                                               \
  X(DROP_BAD_IPV4, "drop_bad_ipv4", 1)                                           \
  X(DROP_BAD_IPV6, "drop_bad_ipv6", 1)                                           \
  X(DROP_IPV6_EXT_CHAIN, "drop_ipv6_ext_chain", 1)                               \
  X(DROP_BAD_L4, "drop_bad_l4", 1)                                               \
  X(DROP_BAD_ICMP, "drop_bad_icmp", 1)                                           \
  X(DROP_TTL_EXCEEDED, "drop_ttl_exceeded", 1)                                   \
  X(DROP_NO_BACKEND, "drop_no_backend", 1)                                       \
  X(DROP_TOO_BIG, "drop_too_big", 1)                                             \
  X(DROP_NO_HEADROOM, "drop_no_headroom", 1)                                     \
  X(DROP_NO_NEIGHBOR, "drop_no_neighbor", 1)                                     \
  X(DROP_TX_FULL, "drop_tx_full", 1)                                             \
  X(DROP_NO_TABLE, "drop_no_table", 1)

enum maglb_counter {
#define MAGLB_X_ENUM(name, str, kind) MAGLB_C_##name,
  MAGLB_COUNTERS(MAGLB_X_ENUM)
#undef MAGLB_X_ENUM
  MAGLB_C__COUNT
};

/* Per-core counter block: plain u64s, written only by their own core. */
struct maglb_counters {
  __u64 v[MAGLB_C__COUNT];
};

/* Per-VIP and per-backend traffic counters (indexed by vip_index, and by
 * backend index in the snapshot / backend id slot in XDP). */
struct maglb_traffic_stats {
  __u64 packets;
  __u64 bytes;
  __u64 new_flows;
};
MAGLB_STATIC_ASSERT(sizeof(struct maglb_traffic_stats) == 24, "traffic stats is 24 bytes");

#if !defined(__bpf__)
/* Printable names and kinds, generated from the same list (not for BPF). */
static const char *const maglb_counter_names[MAGLB_C__COUNT] = {
#define MAGLB_X_NAME(name, str, kind) str,
    MAGLB_COUNTERS(MAGLB_X_NAME)
#undef MAGLB_X_NAME
};
static const unsigned char maglb_counter_kinds[MAGLB_C__COUNT] = {
#define MAGLB_X_KIND(name, str, kind) kind,
    MAGLB_COUNTERS(MAGLB_X_KIND)
#undef MAGLB_X_KIND
};
#define MAGLB_COUNTER_KIND_INFO 0
#define MAGLB_COUNTER_KIND_DROP 1
#define MAGLB_COUNTER_KIND_OUTCOME 2
#endif

#endif /* MAGLB_ABI_H */
