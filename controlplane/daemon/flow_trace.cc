#include "flow_trace.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "config_names.h"
#include "maglb_hash.h"
#include "snapshot_builder.h"

namespace maglb::daemon {
namespace {

using nlohmann::json;

maglb_vip_key key_of(const FlowSpec &f, uint16_t port) {
  maglb_vip_key k{};
  std::memcpy(k.addr, f.destination.bytes.data(), sizeof(k.addr));
  k.port = htons(port);
  k.proto = f.protocol;
  k.family = f.destination.family;
  return k;
}

const InstalledVip *find_key(const std::vector<InstalledVip> &vips, const maglb_vip_key &k) {
  for (const InstalledVip &v : vips) {
    if (std::memcmp(&v.key, &k, sizeof(k)) == 0) return &v;
  }
  return nullptr;
}

const char *hash_fields_name(uint8_t h) {
  return config::to_name(static_cast<config::HashFields>(h));
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

const InstalledVip *match_vip(const std::vector<InstalledVip> &vips, const FlowSpec &flow,
                              bool *all_ports) {
  *all_ports = false;
  if (const InstalledVip *v = find_key(vips, key_of(flow, flow.destination_port))) return v;
  *all_ports = true;
  return find_key(vips, key_of(flow, 0));
}

json trace_flow(const std::vector<InstalledVip> &vips, const FlowSpec &flow, uint64_t generation) {
  const std::string proto = flow.protocol == 17 ? "udp" : "tcp";
  json out = {{"source", config::format_endpoint({flow.source, flow.source_port})},
              {"destination", snapshot::format_vip(key_of(flow, flow.destination_port))}};
  json steps = json::array();
  if (flow.source.family != flow.destination.family) {
    out["verdict"] = "invalid";
    steps.push_back("source and destination are of different address families");
    out["steps"] = steps;
    return out;
  }
  bool all_ports = false;
  const InstalledVip *vip = match_vip(vips, flow, &all_ports);
  if (vip == nullptr) {
    out["verdict"] = "pass";
    steps.push_back(
        "no VIP matches (exact port, then port 0 / every port): the packet is not "
        "load balanced, it goes to the kernel (PASS)");
    out["steps"] = steps;
    return out;
  }
  out["vip"] = vip->id;
  steps.push_back(all_ports ? "matches the all-ports VIP " + vip->id + " (no exact-port VIP)"
                            : "matches VIP " + vip->id + " by its exact port");

  maglb_flow_key key{};
  std::memcpy(key.src, flow.source.bytes.data(), sizeof(key.src));
  std::memcpy(key.dst, flow.destination.bytes.data(), sizeof(key.dst));
  key.sport = htons(flow.source_port);
  key.dport = htons(flow.destination_port);
  key.proto = flow.protocol;
  key.family = flow.destination.family;
  maglb_flow_hash_mask(&key, vip->hash_fields);
  const uint32_t hash = maglb_flow_hash(&key);
  const uint32_t slot = maglb_slot_of(hash, vip->table_size);
  config::Address s{key.family, {}};
  config::Address d{key.family, {}};
  std::memcpy(s.bytes.data(), key.src, 16);
  std::memcpy(d.bytes.data(), key.dst, 16);
  out["hash_fields"] = hash_fields_name(vip->hash_fields);
  out["hashed_key"] = {{"src", config::format_address(s)},
                       {"dst", config::format_address(d)},
                       {"sport", ntohs(key.sport)},
                       {"dport", ntohs(key.dport)},
                       {"proto", key.proto}};
  out["hash"] = hash;
  out["hash_hex"] = hex32(hash);
  out["table_size"] = vip->table_size;
  out["slot"] = slot;
  steps.push_back(std::string("hash fields ") + hash_fields_name(vip->hash_fields) +
                  ": maglb_flow_hash of the key with the other fields zeroed = " + hex32(hash));
  steps.push_back("slot = hash % " + std::to_string(vip->table_size) + " = " +
                  std::to_string(slot));
  const uint32_t id = slot < vip->table.size() ? vip->table[slot] : MAGLB_SLOT_EMPTY;
  if (id == MAGLB_SLOT_EMPTY) {
    out["verdict"] = "drop";
    steps.push_back(
        "the slot is empty (no backend with weight > 0): a new flow is dropped "
        "(drop_no_backend)");
  } else {
    out["verdict"] = "forward";
    for (const InstalledBackend &b : vip->backends) {
      if (b.id != id) continue;
      out["backend"] = {{"address", config::format_address(b.address)},
                        {"name", b.name},
                        {"id", b.id},
                        {"effective_weight", b.effective_weight}};
      steps.push_back("slot " + std::to_string(slot) + " holds backend id " + std::to_string(id) +
                      " = " + config::format_address(b.address) +
                      (b.name.empty() ? "" : " (" + b.name + ")"));
    }
  }
  steps.push_back("this is where a NEW flow goes now (table of snapshot generation " +
                  std::to_string(generation) +
                  "); an established flow keeps the backend its flow-table entry names as long as "
                  "that backend is still in the VIP, even drained. Fragments use the 3-tuple.");
  out["steps"] = steps;
  return out;
}

}  // namespace maglb::daemon
