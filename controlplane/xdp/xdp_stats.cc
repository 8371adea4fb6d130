#include "xdp_stats.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstring>
#include <vector>

namespace maglb::xdp {
namespace {

size_t ncpus() {
  const int n = libbpf_num_possible_cpus();
  return n > 0 ? static_cast<size_t>(n) : 1;
}

std::string format_addr(uint8_t family, const uint8_t *addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == MAGLB_FAMILY_IPV6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf));
  return buf;
}

// Per-CPU traffic stats summed, or nullopt if the entry is missing.
std::optional<maglb_traffic_stats> read_traffic(int fd, const void *key) {
  std::vector<maglb_traffic_stats> per_cpu(ncpus());
  if (bpf_map_lookup_elem(fd, key, per_cpu.data()) != 0) return std::nullopt;
  maglb_traffic_stats sum{};
  for (const maglb_traffic_stats &s : per_cpu) {
    sum.packets += s.packets;
    sum.bytes += s.bytes;
    sum.new_flows += s.new_flows;
  }
  return sum;
}

nlohmann::json traffic_json(const std::optional<maglb_traffic_stats> &s) {
  if (!s) return {{"packets", nullptr}, {"bytes", nullptr}, {"new_flows", nullptr}};
  return {{"packets", s->packets}, {"bytes", s->bytes}, {"new_flows", s->new_flows}};
}

}  // namespace

std::string format_vip_key(const maglb_vip_key &key) {
  std::string a = format_addr(key.family, key.addr);
  if (key.family == MAGLB_FAMILY_IPV6) a = "[" + a + "]";
  const uint16_t port = ntohs(key.port);
  return a + ":" + (port ? std::to_string(port) : std::string("*")) + "/" +
         (key.proto == 17  ? "udp"
          : key.proto == 6 ? "tcp"
                           : std::to_string(key.proto));
}

std::optional<uint64_t> read_counter(const MapSet &maps, uint32_t c) {
  std::vector<uint64_t> per_cpu(ncpus());
  if (c >= MAGLB_C__COUNT || bpf_map_lookup_elem(maps.counters, &c, per_cpu.data()) != 0)
    return std::nullopt;
  uint64_t sum = 0;
  for (uint64_t v : per_cpu) sum += v;
  return sum;
}

nlohmann::json read_stats(const MapSet &maps, const std::map<std::string, uint32_t> &slots,
                          const std::map<uint32_t, uint32_t> &backend_slots) {
  nlohmann::json counters = nlohmann::json::object();
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c) {
    const std::optional<uint64_t> v = read_counter(maps, c);
    counters[maglb_counter_names[c]] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  }
  nlohmann::json vips = nlohmann::json::array();
  for (const auto &[key_bytes, slot] : slots) {
    maglb_vip_key key;
    std::memcpy(&key, key_bytes.data(), sizeof(key));
    nlohmann::json v = traffic_json(read_traffic(maps.vip_stats, &slot));
    v["vip"] = format_vip_key(key);
    v["slot"] = slot;
    vips.push_back(std::move(v));
  }
  nlohmann::json backends = nlohmann::json::array();
  uint32_t id = 0, next = 0;
  const uint32_t *prev = nullptr;
  while (bpf_map_get_next_key(maps.backends, prev, &next) == 0) {
    id = next;
    prev = &id;
    maglb_backend b{};
    if (bpf_map_lookup_elem(maps.backends, &id, &b) != 0) continue;
    const auto slot = backend_slots.find(id);
    nlohmann::json j =
        traffic_json(slot == backend_slots.end() ? std::nullopt
                                                 : read_traffic(maps.backend_stats, &slot->second));
    j["id"] = id;
    j["address"] = format_addr(b.family, b.addr);
    j["draining"] = (b.flags & MAGLB_BACKEND_F_DRAINING) != 0;
    backends.push_back(std::move(j));
  }
  return {{"counters", counters}, {"vips", vips}, {"backends", backends}};
}

}  // namespace maglb::xdp
