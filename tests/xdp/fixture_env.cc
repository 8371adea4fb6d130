#include "fixture_env.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdio>

#include "fixtures.h"

namespace maglb::xdptest {
namespace {

constexpr const char *kIf = "fx0";

std::string addr_text(uint8_t family, const uint8_t *a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == MAGLB_FAMILY_IPV6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
  return buf;
}

std::string mac_text(const uint8_t *m) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

}  // namespace

std::unique_ptr<FixtureEnv> FixtureEnv::create(uint32_t flow_entries, std::string *error) {
  *error = missing_privileges();
  if (!error->empty()) return nullptr;
  std::unique_ptr<FixtureEnv> env(new FixtureEnv());
  env->ns_ = std::make_unique<Netns>("maglbx");
  Netns &ns = *env->ns_;
  if (!ns.ok()) {
    *error = ns.error();
    return nullptr;
  }
  const fixtures::FixtureNet &net = fixtures::fixture_net();
  ns.ip(std::string("link add ") + kIf + " address " + mac_text(net.port_mac) +
        " type veth peer name fx1");
  ns.ip(std::string("link set ") + kIf + " up");
  ns.ip("link set fx1 up");
  // bpf_fib_lookup refuses interfaces without forwarding.
  ns.exec(std::string("sysctl -qw net.ipv4.conf.") + kIf + ".forwarding=1");
  ns.exec(std::string("sysctl -qw net.ipv6.conf.") + kIf + ".forwarding=1");
  // The load balancer's own addresses: the first of each on-link prefix
  // plus one (none of them a backend or gateway).
  for (const core::OnLinkPrefix &p : net.onlink) {
    uint8_t a[16];
    std::memcpy(a, p.addr, 16);
    a[p.family == MAGLB_FAMILY_IPV6 ? 15 : 3] = 2;
    ns.ip(std::string(p.family == MAGLB_FAMILY_IPV6 ? "-6 " : "") + "addr add " +
          addr_text(p.family, a) + "/" + std::to_string(p.prefix_len) + " dev " + kIf +
          (p.family == MAGLB_FAMILY_IPV6 ? " nodad" : ""));
  }
  for (const core::NeighborEntry &g : net.gateways)
    ns.ip(std::string(g.family == MAGLB_FAMILY_IPV6 ? "-6 " : "") + "route add default via " +
          addr_text(g.family, g.addr) + " dev " + kIf);
  std::vector<core::NeighborEntry> neigh = net.hosts;
  neigh.insert(neigh.end(), net.gateways.begin(), net.gateways.end());
  for (const core::NeighborEntry &n : neigh)
    ns.ip("neigh replace " + addr_text(n.family, n.addr) + " lladdr " + mac_text(n.mac) + " dev " +
          kIf + " nud permanent");
  if (!ns.ok()) {
    *error = ns.error();
    return nullptr;
  }

  if (std::string err = pin_to_cpu(0); !err.empty()) {
    *error = err;
    return nullptr;
  }
  env->inside_ = std::make_unique<EnterNetns>(ns.name());
  if (!env->inside_->ok()) {
    *error = env->inside_->error();
    return nullptr;
  }
  env->ifindex_ = static_cast<int>(if_nametoindex(kIf));
  xdp::LoadOptions opts;
  opts.ifname = kIf;
  opts.pin_root = "/sys/fs/bpf/" + ns.name();
  env->pin_root_ = opts.pin_root;
  opts.flow_entries = flow_entries;
  env->dp_ = xdp::XdpDataplane::open_or_load(opts, error);
  if (!env->dp_) return nullptr;
  if (std::string err = env->program(fixtures::fixture_snapshot_blob()); !err.empty()) {
    *error = "program fixture snapshot: " + err;
    return nullptr;
  }
  return env;
}

FixtureEnv::~FixtureEnv() {
  if (dp_) {
    if (std::string err = dp_->unpin(); !err.empty()) std::fprintf(stderr, "%s\n", err.c_str());
    dp_.reset();
  }
  // Also after a failed load, which leaves the directories behind.
  if (!pin_root_.empty()) {
    rmdir((pin_root_ + "/" + kIf).c_str());
    rmdir(pin_root_.c_str());
  }
  inside_.reset();
  ns_.reset();
}

std::string FixtureEnv::program(const std::vector<uint8_t> &blob) {
  if (blob == programmed_) return "";
  // The programmer reads the blob in place: keep it in 8-byte aligned
  // storage (vector<uint8_t> data is malloc-aligned).
  std::string err = dp_->program(blob);
  if (err.empty()) programmed_ = blob;
  return err;
}

TestRun FixtureEnv::run(int prog_fd, std::span<const uint8_t> frame) const {
  TestRun r;
  r.output.assign(8192, 0);
  xdp_md ctx{};
  ctx.data_end = static_cast<uint32_t>(frame.size());  // required: data_end == frame size
  ctx.ingress_ifindex = static_cast<uint32_t>(ifindex_);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = r.output.data(),
              .data_size_in = static_cast<uint32_t>(frame.size()),
              .data_size_out = static_cast<uint32_t>(r.output.size()), .ctx_in = &ctx,
              .ctx_size_in = sizeof(ctx), .repeat = 1);
  r.rc = bpf_prog_test_run_opts(prog_fd, &opts);
  if (r.rc != 0) r.rc = -errno;
  r.action = opts.retval;
  r.duration_ns = opts.duration;
  r.output.resize(r.rc == 0 ? opts.data_size_out : 0);
  return r;
}

}  // namespace maglb::xdptest
