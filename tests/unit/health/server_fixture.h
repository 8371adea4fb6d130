// The servers every probe test talks to, started once per test suite inside
// the test namespace (see test_netns.h for the addresses).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "test_netns.h"
#include "test_server.h"

namespace maglb::health::test {

inline constexpr uint16_t kHttpPort = 8080;     // ok / 503 / hang servers
inline constexpr uint16_t kGarbagePort = 8081;  // on kV4Ok: not HTTP
inline constexpr uint16_t kSilentPort = 8082;   // on kV4Ok: closes without a byte
inline constexpr uint16_t kClosedPort = 8083;   // on kV4Ok: nothing listens

class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static TestServer *ok4;
  static TestServer *ok6;
  static TestServer *unavailable;  // 503 unless a test changes it
  static TestServer *hang_spare;   // on extra_hang_address(0)

 private:
  static std::vector<std::unique_ptr<TestServer>> *all_;
  static std::string *error_;
};

}  // namespace maglb::health::test
