// maglb-decap: put the backend decapsulation program on (or off) an
// interface of a backend host, or show what it has done.
//
//   maglb-decap attach IFACE [--gue-port N] [--address A]...
//   maglb-decap detach IFACE
//   maglb-decap status IFACE
#include <cstdio>
#include <cstdlib>
#include <string>

#include "decap_attach.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: maglb-decap attach IFACE [--gue-port N] [--address ADDR]...\n"
               "       maglb-decap detach IFACE\n"
               "       maglb-decap status IFACE\n"
               "attach strips IPIP / IP6IP6 / GUE (variant 1, UDP to --gue-port) addressed to\n"
               "ADDR (default: every address of this host) on IFACE's tc ingress.\n");
  return 2;
}

int fail(const std::string &err) {
  std::fprintf(stderr, "maglb-decap: %s\n", err.c_str());
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  const std::string cmd = argv[1], ifname = argv[2];
  maglb::decap::AttachOptions options;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--gue-port") {
      char *end = nullptr;
      const long port = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || port < 1 || port > 65535) return fail("--gue-port: not a port number");
      options.gue_port = static_cast<uint16_t>(port);
    } else if (arg == "--address") {
      options.addresses.emplace_back(argv[++i]);
    } else {
      return usage();
    }
  }

  if (cmd == "attach") {
    if (std::string err = maglb::decap::attach(ifname, options); !err.empty()) return fail(err);
    std::printf("maglb-decap attached to %s (tc ingress)\n", ifname.c_str());
    return 0;
  }
  if (cmd == "detach") {
    if (std::string err = maglb::decap::detach(ifname); !err.empty()) return fail(err);
    std::printf("maglb-decap detached from %s\n", ifname.c_str());
    return 0;
  }
  if (cmd == "status") {
    maglb::decap::Status st;
    if (std::string err = maglb::decap::status(ifname, &st); !err.empty()) return fail(err);
    if (!st.attached) {
      std::printf("%s: not attached\n", ifname.c_str());
      return 0;
    }
    std::printf("%s: attached, program id %u, gue port %u\n", ifname.c_str(), st.prog_id,
                st.gue_port);
    std::printf("decapsulated ipip %llu gue %llu; not local %llu; malformed %llu; errors %llu\n",
                static_cast<unsigned long long>(st.stats.ipip),
                static_cast<unsigned long long>(st.stats.gue),
                static_cast<unsigned long long>(st.stats.not_local),
                static_cast<unsigned long long>(st.stats.malformed),
                static_cast<unsigned long long>(st.stats.errors));
    for (const std::string &a : st.addresses) std::printf("accepts %s\n", a.c_str());
    return 0;
  }
  return usage();
}
