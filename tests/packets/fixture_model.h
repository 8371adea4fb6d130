// The hand-written snapshot the fixtures run against, as a model from which
// both the ABI blob and the expected outputs are computed. Expectations are
// derived here independently of dataplane/core: backend = table[hash % M]
// with the spec hash of maglb_hash.h, next hop from the fixture network,
// outer headers built with packet_builder.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fixtures.h"
#include "maglb_abi.h"
#include "packet_builder.h"

namespace maglb::fixtures {

struct BackendDef {
  uint32_t id;
  Ip addr;
  Mac mac;  // zero: resolve through the neighbor table
  uint8_t flags = 0;
};

struct VipDef {
  std::string name;  // "A", "B", ...
  Ip addr;
  uint16_t port;  // host order; 0 with ALL_PORTS
  uint8_t proto;
  uint8_t method;
  uint8_t hash_fields;
  uint32_t vip_index;
  std::vector<uint32_t> table;  // backend ids, 0 = MAGLB_SLOT_EMPTY; size is prime
};

struct Model {
  uint64_t generation;
  maglb_dp_params params;
  std::vector<BackendDef> backends;
  std::vector<VipDef> vips;

  const VipDef &vip(const std::string &name) const;
  const BackendDef &backend(uint32_t id) const;
  // The ABI blob: backends sorted by id, VIP entries sorted by key with a
  // FRAG_ONLY port-0 alias for every (address, proto) without an all-ports
  // VIP pointing at its lowest port (as the control plane publishes).
  std::vector<uint8_t> blob() const;
};

// variant "" = the fixture snapshot; other names are the warmup snapshots
// of fixtures that change the table between warmup and input.
Model fixture_model(const std::string &variant = "");

// Well-known addresses of the fixture network.
Mac port_mac();
Mac peer_mac();  // the router the input frames come from
Mac gateway_mac(uint8_t family);

// maglb_flow_key of a flow (addresses, ports host order).
maglb_flow_key flow_key(const Ip &src, const Ip &dst, uint16_t sport, uint16_t dport,
                        uint8_t proto);
// Spec hash of a key masked per hash_fields (maglb_hash.h).
uint32_t spec_hash(maglb_flow_key key, uint8_t hash_fields);
// The backend the Maglev table gives a hash; id 0 if the slot is empty.
uint32_t table_pick(const VipDef &v, uint32_t hash);
// First source port >= from whose flow lands on backend `want`.
uint16_t port_for_backend(const Model &m, const VipDef &v, const Ip &client, uint16_t from,
                          uint32_t want, uint16_t dport);

// Next-hop MAC of a backend for a method (fixture network rules).
Mac next_hop(const BackendDef &b, uint8_t method);

// Expected TX frame for `input` forwarded to backend b with v's method and
// entropy hash `hash` (built with packet_builder.h, not the core).
Bytes expect_forward(const Model &m, const Bytes &input, const VipDef &v, const BackendDef &b,
                     uint32_t hash);
// Expected ICMP too-big reply to `input` reporting mtu.
Bytes expect_too_big_reply(const Bytes &input, uint32_t mtu);

}  // namespace maglb::fixtures
