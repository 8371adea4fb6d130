// main() of the probe tests: enter the private network namespace before
// GoogleTest (or anything else) starts a thread.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

#include "test_netns.h"

int main(int argc, char **argv) {
  const std::string reason = maglb::health::test::enter_test_netns();
  if (!reason.empty()) {
    // Only a missing privilege is a reason to skip; as root the namespace
    // must work, and a broken one is a failure, not a silent skip.
    if (geteuid() == 0) {
      std::printf("FAIL: the test namespace could not be set up: %s\n", reason.c_str());
      return 1;
    }
    std::printf("SKIPPING network tests: %s\n", reason.c_str());
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
