// Moves the test process into a fresh network namespace with the test
// addresses on lo, so the probe tests run against real sockets without
// touching the host's network. Needs root (CAP_NET_ADMIN); otherwise every
// test that needs it skips with the reason.
#pragma once

#include <string>

namespace maglb::health::test {

// Addresses on lo inside the namespace (all in 198.18.0.0/15, 2001:db8::/32).
inline constexpr const char *kV4Ok = "198.18.99.1";           // HTTP 200 on every test port
inline constexpr const char *kV4Unavailable = "198.18.99.2";  // HTTP 503
inline constexpr const char *kV4Hang = "198.18.99.3";         // accepts, never answers
inline constexpr const char *kV4Refused = "198.18.99.4";      // no listener: RST
inline constexpr const char *kV4Source = "198.18.99.5";       // source-binding tests
inline constexpr const char *kV6Ok = "2001:db8:99::1";
inline constexpr const char *kV6Hang = "2001:db8:99::3";
// More hanging backends for the round-duration test: 198.18.99.10 + i.
inline constexpr int kExtraHangCount = 6;
std::string extra_hang_address(int i);

// Call once from main() before any thread exists (namespaces are per
// thread; threads created later inherit it). Returns "" or why not.
std::string enter_test_netns();

// What enter_test_netns() returned.
const std::string &netns_skip_reason();

}  // namespace maglb::health::test
