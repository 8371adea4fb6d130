#include "xdp_dataplane.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "bpffs.h"
#include "flow_table_mapping.h"
#include "maglb_xdp.skel.h"
#include "xdp_stats.h"

namespace maglb::xdp {
namespace {

std::string errno_text(int err) {
  return std::strerror(err < 0 ? -err : err);
}

bool file_exists(const std::string &path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

std::string read_sysctl(const std::string &path) {
  std::ifstream in(path);
  std::string v;
  in >> v;
  return v;
}

// Name of the program with this id ("" if unknown).
std::string prog_name(uint32_t id) {
  const int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) return "";
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  std::string name;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) name = info.name;
  close(fd);
  return name;
}

constexpr const char *kProgName = "maglb_xdp";

// The interface's MAC address.
std::string interface_mac(const std::string &ifname, uint8_t mac[6]) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket: " + errno_text(errno);
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  const int rc = ioctl(fd, SIOCGIFHWADDR, &req);
  const int err = errno;
  close(fd);
  if (rc != 0) return "MAC address of " + ifname + ": " + errno_text(err);
  std::memcpy(mac, req.ifr_hwaddr.sa_data, 6);
  return "";
}

}  // namespace

XdpDataplane::~XdpDataplane() {
  maglb_xdp__destroy(skel_);
}

std::unique_ptr<XdpDataplane> XdpDataplane::open_or_load(const LoadOptions &options,
                                                         std::string *error) {
  std::unique_ptr<XdpDataplane> dp(new XdpDataplane());
  dp->ifname_ = options.ifname;
  dp->ifindex_ = static_cast<int>(if_nametoindex(options.ifname.c_str()));
  if (dp->ifindex_ == 0) {
    *error = "interface " + options.ifname + ": " + errno_text(errno);
    return nullptr;
  }
  if (std::string err = ensure_bpffs(options.bpffs); !err.empty()) {
    *error = err;
    return nullptr;
  }
  dp->pin_dir_ = options.pin_root + "/" + options.ifname;
  if (std::string err = make_dirs(dp->pin_dir_); !err.empty()) {
    *error = err;
    return nullptr;
  }

  dp->skel_ = maglb_xdp__open();
  if (!dp->skel_) {
    *error = "open XDP program: " + errno_text(errno);
    return nullptr;
  }
  uint8_t mac[6];
  if (std::string err = interface_mac(options.ifname, mac); !err.empty()) {
    *error = err;
    return nullptr;
  }
  std::memcpy(const_cast<uint8_t *>(dp->skel_->rodata->port_mac), mac, 6);
  bpf_map *m;
  bpf_object__for_each_map(m, dp->skel_->obj) {
    // .rodata (the port MAC) belongs to this load, not to the pinned state.
    if (bpf_map__is_internal(m)) continue;
    const std::string path = dp->pin_dir_ + "/" + bpf_map__name(m);
    if (file_exists(path)) dp->reused_ = true;
    if (int rc = bpf_map__set_pin_path(m, path.c_str())) {
      *error = "pin path " + path + ": " + errno_text(rc);
      return nullptr;
    }
  }
  // Connection tracking: flow_entries shared out over the CPUs, each CPU
  // with its own range of buckets (maglb_xdp_abi.h).
  const int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) {
    *error = "count CPUs: " + errno_text(ncpus);
    return nullptr;
  }
  const uint32_t per_cpu =
      maglb_xdp_flow_buckets_per_cpu(options.flow_entries, static_cast<uint32_t>(ncpus));
  const uint64_t buckets = static_cast<uint64_t>(per_cpu) * static_cast<uint32_t>(ncpus);
  if (buckets * sizeof(maglb_xdp_flow_bucket) > (uint64_t{1} << 32) - (uint64_t{1} << 20)) {
    *error = "flow table of " + std::to_string(options.flow_entries) +
             " flows is too large for one BPF array (4 GiB)";
    return nullptr;
  }
  dp->skel_->rodata->flow_buckets_per_cpu = per_cpu;
  dp->skel_->rodata->flow_ncpus = static_cast<uint32_t>(ncpus);
  if (int rc =
          bpf_map__set_max_entries(dp->skel_->maps.maglb_flows, static_cast<uint32_t>(buckets))) {
    *error = "flow table size: " + errno_text(rc);
    return nullptr;
  }
  // libbpf reuses every map already pinned at its pin path (after checking
  // type, key/value sizes, max_entries and flags) and pins the others.
  if (int rc = maglb_xdp__load(dp->skel_)) {
    *error = "load XDP program (maps pinned in " + dp->pin_dir_ +
             " must match this build; flow_entries=" + std::to_string(options.flow_entries) +
             "): " + errno_text(rc);
    return nullptr;
  }
  auto *maps = &dp->skel_->maps;
  dp->maps_ = MapSet{bpf_map__fd(maps->maglb_vips),       bpf_map__fd(maps->maglb_tables),
                     bpf_map__fd(maps->maglb_backends),   bpf_map__fd(maps->maglb_flows),
                     bpf_map__fd(maps->maglb_params),     bpf_map__fd(maps->maglb_counters),
                     bpf_map__fd(maps->maglb_vip_stats),  bpf_map__fd(maps->maglb_backend_stats),
                     bpf_map__fd(maps->maglb_be_slots),   bpf_map__fd(maps->maglb_backend_slot),
                     bpf_map__fd(maps->maglb_vip_filter), bpf_map__fd(maps->maglb_vip_index)};
  dp->programmer_ = XdpProgrammer(dp->maps_);
  if (std::string err = dp->programmer_.recover(); !err.empty()) {
    *error = err;
    return nullptr;
  }
  return dp;
}

int XdpDataplane::prog_fd() const {
  return bpf_program__fd(skel_->progs.maglb_xdp);
}

std::string XdpDataplane::attach(bool allow_generic, std::string *warning) {
  warning->clear();
  // Native and generic XDP cannot both be active: a maglb program left in
  // the other mode by an earlier run goes first.
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (bpf_xdp_query(ifindex_, 0, &q) == 0) {
    if (q.skb_prog_id && prog_name(q.skb_prog_id) == kProgName)
      bpf_xdp_detach(ifindex_, XDP_FLAGS_SKB_MODE, nullptr);
  }
  int rc = bpf_xdp_attach(ifindex_, prog_fd(), XDP_FLAGS_DRV_MODE, nullptr);
  if (rc == 0) {
    mode_ = AttachMode::Native;
  } else if (!allow_generic) {
    return "attach native XDP to " + ifname_ + ": " + errno_text(rc) +
           " (generic mode not allowed)";
  } else {
    const std::string native_err = errno_text(rc);
    if (q.drv_prog_id && prog_name(q.drv_prog_id) == kProgName)
      bpf_xdp_detach(ifindex_, XDP_FLAGS_DRV_MODE, nullptr);
    if ((rc = bpf_xdp_attach(ifindex_, prog_fd(), XDP_FLAGS_SKB_MODE, nullptr)) != 0)
      return "attach XDP to " + ifname_ + ": native: " + native_err +
             "; generic: " + errno_text(rc);
    mode_ = AttachMode::Generic;
    *warning = "native XDP is not available on " + ifname_ + " (" + native_err +
               "): running in generic (SKB) mode. The program then runs after the kernel "
               "has built an skb for every packet, and XDP_TX copies each frame: expect a "
               "small fraction of native throughput. ";
  }
  for (const char *family : {"ipv4", "ipv6"}) {
    const std::string path =
        std::string("/proc/sys/net/") + family + "/conf/" + ifname_ + "/forwarding";
    if (file_exists(path) && read_sysctl(path) != "1")
      *warning += "net." + std::string(family) + ".conf." + ifname_ +
                  ".forwarding is off: bpf_fib_lookup refuses to resolve next hops, so every " +
                  family + " packet to a backend is dropped as drop_no_neighbor. ";
  }
  return "";
}

std::string XdpDataplane::program(std::span<const uint8_t> blob) {
  return programmer_.program(blob);
}

std::string XdpDataplane::detach() {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (int rc = bpf_xdp_query(ifindex_, 0, &q))
    return "query XDP on " + ifname_ + ": " + errno_text(rc);
  bool found = false;
  for (auto [id, flags] : {std::pair{q.drv_prog_id, XDP_FLAGS_DRV_MODE},
                           std::pair{q.skb_prog_id, XDP_FLAGS_SKB_MODE}}) {
    if (!id || prog_name(id) != kProgName) continue;
    found = true;
    if (int rc = bpf_xdp_detach(ifindex_, flags, nullptr))
      return "detach XDP from " + ifname_ + ": " + errno_text(rc);
  }
  mode_ = AttachMode::None;
  return found ? "" : "no maglb XDP program on " + ifname_;
}

std::string XdpDataplane::unpin() {
  bpf_map *m;
  bpf_object__for_each_map(m, skel_->obj) {
    if (bpf_map__is_internal(m)) continue;
    if (int rc = bpf_map__unpin(m, nullptr); rc && rc != -ENOENT)
      return std::string("unpin ") + bpf_map__name(m) + ": " + errno_text(rc);
  }
  if (rmdir(pin_dir_.c_str()) != 0 && errno != ENOENT)
    return "remove " + pin_dir_ + ": " + errno_text(errno);
  return "";
}

std::optional<uint64_t> XdpDataplane::counter(std::string_view name) const {
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c)
    if (name == maglb_counter_names[c]) return read_counter(maps_, c);
  return std::nullopt;
}

nlohmann::json XdpDataplane::stats() const {
  nlohmann::json j = read_stats(maps_, programmer_.slots(), programmer_.backend_slots());
  j["generation"] = programmer_.generation();
  j["mode"] = mode_ == AttachMode::Native    ? "native"
              : mode_ == AttachMode::Generic ? "generic"
                                             : "detached";
  return j;
}

std::string XdpDataplane::flush_flows() {
  // The table is BPF_F_MMAPABLE: one mapping and a memset instead of a
  // syscall per bucket. An empty way is all zero (backend id 0).
  FlowTableMapping table;
  if (std::string err = table.map(maps_.flows, /*writable=*/true); !err.empty()) return err;
  std::memset(table.data(), 0, table.size());
  return "";
}

std::string XdpDataplane::reset_counters() {
  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return "count CPUs: " + errno_text(ncpu);
  const std::vector<uint8_t> zeros(static_cast<size_t>(ncpu) * sizeof(maglb_traffic_stats), 0);
  for (uint32_t c = 0; c < MAGLB_C__COUNT; ++c)
    if (bpf_map_update_elem(maps_.counters, &c, zeros.data(), BPF_ANY) != 0)
      return "reset counter " + std::string(maglb_counter_names[c]) + ": " + errno_text(errno);
  for (const auto &[key, slot] : programmer_.slots())
    if (bpf_map_update_elem(maps_.vip_stats, &slot, zeros.data(), BPF_ANY) != 0)
      return "reset VIP statistics: " + errno_text(errno);
  for (const auto &[id, slot] : programmer_.backend_slots())
    if (bpf_map_update_elem(maps_.backend_stats, &slot, zeros.data(), BPF_ANY) != 0)
      return "reset backend statistics: " + errno_text(errno);
  return "";
}

}  // namespace maglb::xdp
