// main() of the probe tests: enter the private network namespace before
// GoogleTest (or anything else) starts a thread.
#include <gtest/gtest.h>

#include <cstdio>

#include "test_netns.h"

int main(int argc, char **argv) {
  const std::string reason = maglb::health::test::enter_test_netns();
  if (!reason.empty()) std::printf("SKIPPING network tests: %s\n", reason.c_str());
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
