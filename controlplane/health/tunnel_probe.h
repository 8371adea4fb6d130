// Health probes through the VIP's tunnel (healthcheck.through_tunnel).
//
// A direct probe proves the backend's service answers on its own address;
// client traffic takes another path: encapsulated by the load balancer,
// decapsulated on the backend, delivered to the VIP bound there. This probe
// takes that path with the least machinery: a TCP SYN from
// `inner_source` to VIP:port, encapsulated toward the backend exactly as the
// dataplane encapsulates (IPIP/IP6IP6/4in6/6in4 by the families, or GUE
// variant 1 to gue_port), sent by this host's kernel. A backend that
// decapsulates and holds the VIP answers straight back (direct server
// return) to inner_source with a SYN-ACK (pass) or a RST (fail: nothing
// listens on the VIP port); no answer within the timeout fails too. The
// answer is read on a raw IPPROTO_TCP socket; this host's kernel, which has
// no matching socket, then resets the half-open connection on the backend.
//
// Needs CAP_NET_RAW (raw sockets; without it every probe is a local error,
// never a backend failure). Limits: docs/daemon.md, section 3.
#pragma once

#include <chrono>
#include <vector>

#include "health_types.h"
#include "probe_engine.h"

namespace maglb::health {

struct TunnelProbe {
  TunnelSpec spec;
  IpAddress backend;
  std::chrono::milliseconds timeout{500};
};

// Runs every probe at once; result i belongs to probes[i]. Returns within
// the longest timeout, or promptly (the rest kAborted) when interrupt_fd
// becomes readable.
std::vector<ProbeResult> run_tunnel_probes(const std::vector<TunnelProbe> &probes,
                                           int interrupt_fd);

// The inner packet (IPv4 or IPv6 header, then a 20-byte TCP SYN) with both
// checksums filled: exposed for tests.
std::vector<uint8_t> build_inner_syn(const IpAddress &source, const IpAddress &destination,
                                     uint16_t source_port, uint16_t destination_port,
                                     uint32_t sequence);

}  // namespace maglb::health
