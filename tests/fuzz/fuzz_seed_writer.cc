// Writes the generated part of the seed corpora (tests/fuzz/corpus/):
// every packet fixture's warmup and input frames in fuzz_packet's record
// format, the fixture snapshot blobs for fuzz_snapshot, and one stream of
// each control request for fuzz_dp_control. Not a test; rerun after the
// fixtures change:  build/tests/fuzz/fuzz_seed_writer tests/fuzz/corpus
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "maglb_control.h"

using namespace maglb::fixtures;

namespace {

void write(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

void record(std::vector<uint8_t> &out, const std::vector<uint8_t> &frame) {
  out.push_back(static_cast<uint8_t>(frame.size()));
  out.push_back(static_cast<uint8_t>(frame.size() >> 8));
  out.push_back(0x84);  // headroom 128, tailroom 128
  out.insert(out.end(), frame.begin(), frame.end());
}

void control(std::vector<uint8_t> &out, uint16_t type, const std::vector<uint8_t> &payload) {
  maglb_ctl_header h{MAGLB_CTL_MAGIC, MAGLB_CTL_VERSION, type, 0,
                     static_cast<uint32_t>(payload.size())};
  const auto *p = reinterpret_cast<const uint8_t *>(&h);
  out.insert(out.end(), p, p + sizeof(h));
  out.insert(out.end(), payload.begin(), payload.end());
}

std::vector<uint8_t> bytes_of(const std::string &s) {
  return {s.begin(), s.end()};
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  for (const Fixture &f : all_fixtures()) {
    // Burst size 1 (byte 0), 1 s between bursts (byte 1).
    std::vector<uint8_t> seed = {0, 10};
    for (const auto &w : f.warmup) record(seed, w);
    record(seed, f.input);
    write(root + "/fuzz_packet/" + f.name, seed);
  }
  write(root + "/fuzz_snapshot/fixture", fixture_snapshot_blob());
  for (const Fixture &f : all_fixtures())
    if (!f.warmup_blob.empty()) write(root + "/fuzz_snapshot/warmup-" + f.name, f.warmup_blob);

  const std::string iface =
      R"({"addresses": ["198.18.0.1/24", "2001:db8::1/64"], "onlink": ["198.19.0.0/16"],)"
      R"( "gateways": ["198.18.0.254", "2001:db8::fe"],)"
      R"( "neighbors": [{"address": "198.18.0.254", "mac": "02:00:00:00:00:fe"}], "vlan": 0})";
  std::vector<uint8_t> all;
  control(all, MAGLB_CTL_PING, {});
  control(all, MAGLB_CTL_SET_INTERFACE, bytes_of(iface));
  control(all, MAGLB_CTL_INSTALL_SNAPSHOT, fixture_snapshot_blob());
  control(all, MAGLB_CTL_GET_STATS, {});
  write(root + "/fuzz_dp_control/session", all);
  std::vector<uint8_t> one;
  control(one, MAGLB_CTL_SET_INTERFACE, bytes_of(iface));
  write(root + "/fuzz_dp_control/set_interface", one);
  return 0;
}
