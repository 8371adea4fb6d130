// Helpers shared by the daemon's unit tests: configs from JSON text (so
// every test config passed the real validator) and a Programmer that
// records what it is given instead of driving a dataplane.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "maglb_abi.h"
#include "programmer.h"

namespace maglb::daemon::testing {

// A valid XDP config whose "vips" array is `vips_json`; fails the test if
// the text does not parse.
config::Config make_config(const std::string &vips_json);
std::string config_text(const std::string &vips_json);

// The parts of a snapshot blob the tests look at, parsed independently of
// the builder (dataplane/abi/maglb_abi.h layout).
struct BlobView {
  uint64_t generation = 0;
  std::vector<maglb_snapshot_vip> vips;
  std::vector<maglb_backend> backends;
  std::vector<maglb_slot_t> slots;
  // VIP `index`'s table as backend addresses' last byte (IPv4 test
  // backends), 0 for an empty slot: easy to compare across generations.
  std::vector<uint8_t> table_by_last_octet(size_t vip) const;
};
BlobView parse_blob(const std::vector<uint8_t> &blob);

class FakeProgrammer : public programmer::Programmer {
 public:
  std::string name() const override { return "fake"; }
  std::string open(uint64_t *installed_generation) override {
    *installed_generation = installed_generation_at_open;
    return "";
  }
  std::string program(std::span<const uint8_t> blob) override {
    ++program_calls;
    if (!fail_with.empty()) return fail_with;
    blobs.emplace_back(blob.begin(), blob.end());
    return "";
  }
  std::string stats(nlohmann::json *out) override {
    *out = stats_doc;
    return stats_error;
  }
  std::string check() override { return check_error; }
  std::string stop_forwarding() override {
    ++stop_calls;
    return "";
  }

  uint64_t installed_generation_at_open = 0;
  std::string fail_with;  // program() fails with this while non-empty
  std::string check_error;
  std::string stats_error;
  nlohmann::json stats_doc = nlohmann::json::object();
  int program_calls = 0;
  int stop_calls = 0;                       // stop_forwarding() calls
  std::vector<std::vector<uint8_t>> blobs;  // successfully "installed"
};

}  // namespace maglb::daemon::testing
