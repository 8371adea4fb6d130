#include "test_netns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace maglb::health::test {
namespace {

std::string &reason_storage() {
  static std::string reason = "enter_test_netns() was not called";
  return reason;
}

// Whether the kernel has a route to `v6` (a UDP connect() is a route
// lookup and sends nothing).
bool routable_v6(const char *v6) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(9);
  if (inet_pton(AF_INET6, v6, &sa.sin6_addr) != 1) return false;
  const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool ok = connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::string extra_hang_address(int i) {
  return "198.18.99." + std::to_string(10 + i);
}

std::string enter_test_netns() {
  std::string &reason = reason_storage();
  if (unshare(CLONE_NEWNET) != 0) {
    reason = std::string("unshare(CLONE_NEWNET) failed: ") + std::strerror(errno) +
             " (needs root / CAP_SYS_ADMIN)";
    return reason;
  }
  std::string script = "ip link set lo up";
  for (const char *a : {kV4Ok, kV4Unavailable, kV4Hang, kV4Refused, kV4Source}) {
    script += std::string(" && ip addr add ") + a + "/32 dev lo";
  }
  for (int i = 0; i < kExtraHangCount; ++i) {
    script += " && ip addr add " + extra_hang_address(i) + "/32 dev lo";
  }
  // nodad: usable at once, no duplicate-address-detection wait.
  for (const char *a : {kV6Ok, kV6Hang}) {
    script += std::string(" && ip -6 addr add ") + a + "/128 dev lo nodad";
  }
  const int rc = std::system(script.c_str());
  if (rc != 0) {
    reason =
        "setting up lo in the test namespace failed (exit " + std::to_string(rc) + "): " + script;
    return reason;
  }
  // In a fresh namespace the IPv6 routes of lo can appear a moment after
  // `ip` returns (seen in a clean CI run under ASan: the first IPv6 probe
  // got "network unreachable"). Wait until both are routable, 5 s at most.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(routable_v6(kV6Ok) && routable_v6(kV6Hang))) {
    if (std::chrono::steady_clock::now() >= deadline) {
      reason = "the test namespace's IPv6 addresses never became routable";
      return reason;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reason.clear();
  return reason;
}

const std::string &netns_skip_reason() {
  return reason_storage();
}

}  // namespace maglb::health::test
