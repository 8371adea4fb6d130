#include "decap_attach.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "maglb_decap.skel.h"

namespace maglb::decap {
namespace {

std::string errno_text(int err) {
  return std::strerror(err < 0 ? -err : err);
}

struct SkelDeleter {
  void operator()(maglb_decap *s) const { maglb_decap__destroy(s); }
};
using Skel = std::unique_ptr<maglb_decap, SkelDeleter>;

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
};

bpf_tc_hook ingress_hook(int ifindex) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = BPF_TC_INGRESS;
  return hook;
}

bpf_tc_opts filter_opts() {
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = kTcHandle;
  opts.priority = kTcPriority;
  return opts;
}

std::string resolve_ifindex(const std::string &ifname, int *ifindex) {
  *ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
  if (*ifindex == 0) return "interface " + ifname + ": " + errno_text(errno);
  return "";
}

std::string add_address(maglb_decap *skel, const std::string &text) {
  const uint8_t one = 1;
  in_addr a4{};
  std::array<uint8_t, 16> a6{};
  int rc;
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1)
    rc = bpf_map__update_elem(skel->maps.decap_local_v4, &a4, sizeof(a4), &one, 1, BPF_ANY);
  else if (inet_pton(AF_INET6, text.c_str(), a6.data()) == 1)
    rc = bpf_map__update_elem(skel->maps.decap_local_v6, a6.data(), 16, &one, 1, BPF_ANY);
  else
    return "address " + text + ": not an IPv4 or IPv6 address";
  if (rc) return "address " + text + ": " + errno_text(rc);
  return "";
}

std::vector<std::string> host_addresses() {
  std::vector<std::string> out;
  ifaddrs *list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs *i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET)
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr, buf, sizeof(buf));
    else if (i->ifa_addr->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6 *>(i->ifa_addr)->sin6_addr, buf,
                sizeof(buf));
    else
      continue;
    out.emplace_back(buf);
  }
  freeifaddrs(list);
  return out;
}

// The map called `name` among the maps of program `prog_fd`, or -1.
int map_of_prog(int prog_fd, const char *name) {
  std::array<uint32_t, 16> ids{};
  bpf_prog_info info{};
  info.nr_map_ids = ids.size();
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) return -1;
  for (uint32_t i = 0; i < info.nr_map_ids && i < ids.size(); ++i) {
    int fd = bpf_map_get_fd_by_id(ids[i]);
    if (fd < 0) continue;
    bpf_map_info mi{};
    uint32_t mlen = sizeof(mi);
    if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0 && std::strcmp(mi.name, name) == 0) return fd;
    close(fd);
  }
  return -1;
}

}  // namespace

std::string attach(const std::string &ifname, const AttachOptions &options) {
  int ifindex = 0;
  if (std::string err = resolve_ifindex(ifname, &ifindex); !err.empty()) return err;
  Skel skel(maglb_decap__open());
  if (!skel) return "open decap program: " + errno_text(errno);
  skel->rodata->gue_port = htons(options.gue_port);
  if (int rc = maglb_decap__load(skel.get())) return "load decap program: " + errno_text(rc);

  const std::vector<std::string> addrs =
      options.addresses.empty() ? host_addresses() : options.addresses;
  for (const std::string &a : addrs)
    if (std::string err = add_address(skel.get(), a); !err.empty()) return err;

  bpf_tc_hook hook = ingress_hook(ifindex);
  int rc = bpf_tc_hook_create(&hook);
  if (rc && rc != -EEXIST) return "create clsact on " + ifname + ": " + errno_text(rc);
  bpf_tc_opts opts = filter_opts();
  opts.prog_fd = bpf_program__fd(skel->progs.maglb_decap);
  opts.flags = BPF_TC_F_REPLACE;
  if ((rc = bpf_tc_attach(&hook, &opts)))
    return "attach to tc ingress of " + ifname + ": " + errno_text(rc);
  return "";
}

std::string detach(const std::string &ifname) {
  int ifindex = 0;
  if (std::string err = resolve_ifindex(ifname, &ifindex); !err.empty()) return err;
  bpf_tc_hook hook = ingress_hook(ifindex);
  bpf_tc_opts opts = filter_opts();
  int rc = bpf_tc_detach(&hook, &opts);
  if (rc == -ENOENT || rc == -EINVAL) return "no maglb decap program on " + ifname;
  if (rc) return "detach from " + ifname + ": " + errno_text(rc);
  return "";
}

std::string status(const std::string &ifname, Status *out) {
  *out = Status{};
  int ifindex = 0;
  if (std::string err = resolve_ifindex(ifname, &ifindex); !err.empty()) return err;
  bpf_tc_hook hook = ingress_hook(ifindex);
  bpf_tc_opts opts = filter_opts();
  int rc = bpf_tc_query(&hook, &opts);
  if (rc == -ENOENT || rc == -EINVAL) return "";  // nothing attached
  if (rc) return "query tc ingress of " + ifname + ": " + errno_text(rc);
  out->attached = true;
  out->prog_id = opts.prog_id;

  Fd prog(bpf_prog_get_fd_by_id(opts.prog_id));
  if (prog.fd < 0) return "open program " + std::to_string(opts.prog_id) + ": " + errno_text(errno);
  Fd stats(map_of_prog(prog.fd, "decap_stats"));
  if (stats.fd < 0) return "program " + std::to_string(opts.prog_id) + " has no decap_stats map";
  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return "count CPUs: " + errno_text(ncpu);
  std::vector<maglb_decap_stats> per_cpu(static_cast<size_t>(ncpu));
  const uint32_t zero = 0;
  if (bpf_map_lookup_elem(stats.fd, &zero, per_cpu.data()))
    return "read decap_stats: " + errno_text(errno);
  for (const maglb_decap_stats &s : per_cpu) {
    out->stats.ipip += s.ipip;
    out->stats.gue += s.gue;
    out->stats.not_local += s.not_local;
    out->stats.malformed += s.malformed;
    out->stats.errors += s.errors;
  }

  Fd rodata(map_of_prog(prog.fd, "maglb_de.rodata"));
  if (rodata.fd >= 0) {
    uint16_t port_be = 0;  // the .rodata section holds gue_port only
    if (bpf_map_lookup_elem(rodata.fd, &zero, &port_be) == 0) out->gue_port = ntohs(port_be);
  }
  for (const char *name : {"decap_local_v4", "decap_local_v6"}) {
    Fd m(map_of_prog(prog.fd, name));
    if (m.fd < 0) continue;
    const bool v4 = name[13] == '4';
    std::array<uint8_t, 16> key{}, next{};
    void *prev = nullptr;
    while (bpf_map_get_next_key(m.fd, prev, next.data()) == 0) {
      char buf[INET6_ADDRSTRLEN] = {};
      inet_ntop(v4 ? AF_INET : AF_INET6, next.data(), buf, sizeof(buf));
      out->addresses.emplace_back(buf);
      key = next;
      prev = key.data();
    }
  }
  return "";
}

}  // namespace maglb::decap
