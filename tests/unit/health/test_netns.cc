#include "test_netns.h"

#include <sched.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace maglb::health::test {
namespace {

std::string &reason_storage() {
  static std::string reason = "enter_test_netns() was not called";
  return reason;
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
  reason.clear();
  return reason;
}

const std::string &netns_skip_reason() {
  return reason_storage();
}

}  // namespace maglb::health::test
