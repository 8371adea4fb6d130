#include "programmer_xdp.h"

#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "maglb_abi.h"
#include "xdp_map_reads.h"

namespace maglb::programmer {
namespace {

// Pins live on the host-wide bpffs, but interface names repeat across
// network namespaces (every test namespace has an eth0): key the pin
// directory by the namespace's inode so two namespaces never share (or
// inherit stale) maps, while a restart in the same namespace finds its own.
std::string pin_root_for_this_netns() {
  struct stat st {};
  if (stat("/proc/self/ns/net", &st) != 0) return "/sys/fs/bpf/maglb";
  return "/sys/fs/bpf/maglb/netns-" + std::to_string(static_cast<unsigned long>(st.st_ino));
}

using nlohmann::json;

// The id of the program attached to the interface in either mode, 0 if none.
uint32_t attached_prog_id(const std::string &ifname) {
  const unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return 0;
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &q) != 0) return 0;
  return q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
}

uint32_t prog_id_of(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0 ? info.id : 0;
}

uint64_t u64(const json &o, const char *key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

void add_traffic(json &into, const json &from) {
  for (const char *k : {"packets", "bytes", "new_flows"}) into[k] = u64(into, k) + u64(from, k);
}

}  // namespace

XdpProgrammer::XdpProgrammer(std::vector<std::string> interfaces, uint32_t flow_entries,
                             NoteFn notes)
    : interfaces_(std::move(interfaces)), flow_entries_(flow_entries), notes_(std::move(notes)) {}

XdpProgrammer::~XdpProgrammer() = default;

std::string XdpProgrammer::attach(Port &port) {
  std::string warning;
  // Generic mode is allowed, with the warning saying what it costs: a
  // working slow path beats no load balancing on a NIC without native XDP.
  if (std::string e = port.dp->attach(true, &warning); !e.empty()) return e;
  if (!warning.empty() && notes_) notes_(NoteLevel::kWarning, warning);
  return "";
}

std::string XdpProgrammer::open(uint64_t *installed_generation) {
  ports_.clear();
  uint64_t generation = 0;
  for (const std::string &ifname : interfaces_) {
    xdp::LoadOptions options;
    options.ifname = ifname;
    options.flow_entries = flow_entries_;
    options.pin_root = pin_root_for_this_netns();
    std::string error;
    Port port{ifname, xdp::XdpDataplane::open_or_load(options, &error)};
    if (!port.dp) return "xdp on " + ifname + ": " + error;
    if (port.dp->reused_state() && notes_) {
      notes_(NoteLevel::kInfo, "xdp on " + ifname + ": reusing the maps pinned in " +
                                   port.dp->pin_dir() +
                                   " (connection tracking kept across the restart)");
    }
    if (std::string e = attach(port); !e.empty()) return "xdp on " + ifname + ": " + e;
    generation = std::max(generation, port.dp->generation());
    ports_.push_back(std::move(port));
  }
  *installed_generation = generation;
  return "";
}

std::string XdpProgrammer::program(std::span<const uint8_t> blob) {
  if (ports_.empty()) return "xdp dataplane not opened";
  for (Port &port : ports_) {
    if (std::string e = port.dp->program(blob); !e.empty())
      return "xdp on " + port.ifname + ": " + e;
  }
  return "";
}

std::string XdpProgrammer::check() {
  if (ports_.empty()) return "xdp dataplane not opened";
  for (Port &port : ports_) {
    if (attached_prog_id(port.ifname) == prog_id_of(port.dp->prog_fd())) continue;
    if (std::string e = attach(port); !e.empty()) {
      return "xdp on " + port.ifname + ": program not attached, and re-attaching failed: " + e;
    }
    if (notes_) {
      notes_(NoteLevel::kWarning,
             "xdp on " + port.ifname + ": the program had been removed; re-attached");
    }
  }
  return "";
}

std::string XdpProgrammer::stop_forwarding() {
  if (ports_.empty()) return "xdp dataplane not opened";
  std::string errors;
  for (Port &port : ports_) {
    if (std::string e = port.dp->detach(); !e.empty())
      errors += (errors.empty() ? "" : "; ") + ("xdp on " + port.ifname + ": " + e);
  }
  // Closed: check() must not re-attach what was stopped on purpose. The
  // pinned maps stay for the next open().
  ports_.clear();
  return errors;
}

std::string XdpProgrammer::stats(json *out) {
  if (ports_.empty()) return "xdp dataplane not opened";
  std::vector<std::vector<uint64_t>> per_cpu;  // summed over interfaces
  std::map<std::string, json> vips;
  std::map<uint64_t, json> backends;
  uint64_t generation = 0;
  FlowOccupancy flows;
  for (Port &port : ports_) {
    std::vector<std::vector<uint64_t>> counters;
    if (std::string e = read_percpu_counters(port.dp->maps().counters, &counters); !e.empty()) {
      return "xdp on " + port.ifname + ": " + e;
    }
    if (per_cpu.empty()) per_cpu.assign(counters.size(), std::vector<uint64_t>(MAGLB_C__COUNT, 0));
    for (size_t cpu = 0; cpu < counters.size() && cpu < per_cpu.size(); ++cpu) {
      for (size_t c = 0; c < MAGLB_C__COUNT; ++c) per_cpu[cpu][c] += counters[cpu][c];
    }
    FlowOccupancy occ;
    if (std::string e = read_flow_occupancy(port.dp->maps().flows, &occ); !e.empty()) {
      return "xdp on " + port.ifname + ": " + e;
    }
    flows.capacity += occ.capacity;
    flows.entries += occ.entries;
    flows.per_cpu.resize(std::max(flows.per_cpu.size(), occ.per_cpu.size()), 0);
    for (size_t cpu = 0; cpu < occ.per_cpu.size(); ++cpu) flows.per_cpu[cpu] += occ.per_cpu[cpu];

    const json s = port.dp->stats();
    generation = std::max(generation, u64(s, "generation"));
    for (const json &v : s.value("vips", json::array())) {
      if (!v.contains("vip") || !v["vip"].is_string()) continue;
      json &into = vips[v["vip"].get<std::string>()];
      into["vip"] = v["vip"];
      add_traffic(into, v);
    }
    for (const json &b : s.value("backends", json::array())) {
      json &into = backends[u64(b, "id")];
      into["id"] = u64(b, "id");
      add_traffic(into, b);
    }
  }
  json cores = json::array();
  json totals = json::object();
  for (size_t c = 0; c < MAGLB_C__COUNT; ++c) totals[maglb_counter_names[c]] = 0;
  for (size_t cpu = 0; cpu < per_cpu.size(); ++cpu) {
    json counters = json::object();
    for (size_t c = 0; c < MAGLB_C__COUNT; ++c) {
      counters[maglb_counter_names[c]] = per_cpu[cpu][c];
      totals[maglb_counter_names[c]] =
          totals[maglb_counter_names[c]].get<uint64_t>() + per_cpu[cpu][c];
    }
    cores.push_back(
        {{"core", cpu},
         {"counters", counters},
         {"flows", {{"occupancy", cpu < flows.per_cpu.size() ? flows.per_cpu[cpu] : 0}}}});
  }
  json vj = json::array();
  for (auto &[name, v] : vips) vj.push_back(std::move(v));
  json bj = json::array();
  for (auto &[id, b] : backends) bj.push_back(std::move(b));
  *out = {
      {"dataplane", "xdp"}, {"generation", generation},
      {"cores", cores},     {"flows", {{"capacity", flows.capacity}, {"occupancy", flows.entries}}},
      {"totals", totals},   {"vips", vj},
      {"backends", bj}};
  return "";
}

}  // namespace maglb::programmer
