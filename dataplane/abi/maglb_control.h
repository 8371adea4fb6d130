/* SPDX-License-Identifier: Apache-2.0
 *
 * Wire format of the DPDK dataplane's control socket (docs/dataplane.md,
 * "Control socket"). The dataplane (dataplane/dpdk/control_server.cc) and the
 * control plane's client (controlplane/dpdk_client) both include this file,
 * so the framing is declared exactly once (C, fixed-width types, static
 * assertions, no DPDK, like maglb_abi.h).
 *
 * Every message, in both directions, is one struct maglb_ctl_header followed
 * by `length` payload bytes. Requests carry status 0. A response repeats the
 * request's type with MAGLB_CTL_RESPONSE set, a status, and a UTF-8 payload:
 * a one-line message, or (GET_STATS) a JSON document. One response per
 * request, in order. All fields are host order (the socket is local).
 */
#ifndef MAGLB_CONTROL_H
#define MAGLB_CONTROL_H

#include <linux/types.h>

#define MAGLB_CTL_MAGIC 0x5443474du /* "MGCT" little-endian */
#define MAGLB_CTL_VERSION 1u

/* Largest payload either side accepts: a 5,000,011-slot table (20 MB) plus
 * 65,535 backends (2 MB) fits several times over. A header announcing more
 * is answered with MAGLB_CTL_TOO_LARGE and the connection is closed (the
 * stream cannot be resynchronised without reading the whole payload). */
#define MAGLB_CTL_MAX_PAYLOAD (64u * 1024u * 1024u)

/* Set in the type of every response. */
#define MAGLB_CTL_RESPONSE 0x8000u

enum maglb_ctl_type {
  MAGLB_CTL_PING = 1,             /* payload ignored; response "pong" */
  MAGLB_CTL_INSTALL_SNAPSHOT = 2, /* payload: the ABI snapshot blob */
  MAGLB_CTL_SET_INTERFACE = 3,    /* payload: JSON, docs/dataplane.md */
  MAGLB_CTL_GET_STATS = 4,        /* payload empty; response: JSON */
  /* payload empty: the workers stop polling their RX queues (the NIC drops
   * what arrives) until the next successful INSTALL_SNAPSHOT. Sent by maglbd
   * at the end of a graceful stop with BGP, once the routes are withdrawn
   * and the withdraw delay has passed (docs/scale-out.md). */
  MAGLB_CTL_STOP_FORWARDING = 5,
};

enum maglb_ctl_status {
  MAGLB_CTL_OK = 0,
  MAGLB_CTL_BAD_REQUEST = 1, /* bad magic/version/type, or a payload that does not parse */
  MAGLB_CTL_INVALID = 2,     /* the snapshot or interface failed validation */
  MAGLB_CTL_STALE = 3,       /* snapshot generation not greater than the installed one */
  MAGLB_CTL_TOO_LARGE = 4,   /* length > MAGLB_CTL_MAX_PAYLOAD; connection closed */
  MAGLB_CTL_INTERNAL = 5,    /* the dataplane could not apply a valid request */
};

struct maglb_ctl_header {
  __u32 magic;   /* MAGLB_CTL_MAGIC */
  __u16 version; /* MAGLB_CTL_VERSION */
  __u16 type;    /* enum maglb_ctl_type, | MAGLB_CTL_RESPONSE in responses */
  __u32 status;  /* enum maglb_ctl_status (responses), 0 (requests) */
  __u32 length;  /* payload bytes that follow */
};
#if defined(__cplusplus)
static_assert(sizeof(struct maglb_ctl_header) == 16, "control header is 16 bytes");
#else
_Static_assert(sizeof(struct maglb_ctl_header) == 16, "control header is 16 bytes");
#endif

#endif /* MAGLB_CONTROL_H */
