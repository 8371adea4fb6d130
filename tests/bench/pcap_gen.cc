// Writes the benchmark's input pcaps fast (a template per size, the flow's
// source patched in with incremental checksums, buffered writes: about a
// second for 1M frames; scapy takes minutes).
//
//   bench_pcap_gen --out FILE --flows N [--frames M] [--size BYTES] [--syn]
//
// Frame i belongs to flow i % N (bench_traffic.h: client 198.19.0.0/16,
// port 1024 + f / 65536) and is a TCP ACK (or SYN) of `size` bytes on the
// wire (FCS included, so 4 bytes less in the file) to the VIP. M defaults
// to N: every frame a different flow.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_traffic.h"

namespace {

struct PcapHeader {
  uint32_t magic = 0xa1b2c3d4;  // microsecond timestamps, host order
  uint16_t major = 2, minor = 4;
  int32_t zone = 0;
  uint32_t sigfigs = 0, snaplen = 65535, linktype = 1;  // Ethernet
};
struct RecordHeader {
  uint32_t sec, usec, incl, orig;
};

int usage(const char *argv0) {
  std::fprintf(stderr, "usage: %s --out FILE --flows N [--frames M] [--size BYTES] [--syn]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  std::string out;
  uint64_t flows = 0, frames = 0;
  unsigned size = 64;
  bool syn = false;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--syn") {
      syn = true;
    } else if (a == "--out" && has_value) {
      out = argv[++i];
    } else if (a == "--flows" && has_value) {
      flows = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--frames" && has_value) {
      frames = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--size" && has_value) {
      size = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      return usage(argv[0]);
    }
  }
  if (out.empty() || flows == 0 || flows > maglb::bench::kMaxFlows ||
      size < maglb::bench::kMinFrame || size > maglb::bench::kMaxFrame) {
    return usage(argv[0]);
  }
  if (frames == 0) frames = flows;

  const maglb::bench::FrameTemplate tmpl(static_cast<uint16_t>(size), syn ? 0x02 : 0x10);
  FILE *f = std::fopen(out.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "bench_pcap_gen: %s: %s\n", out.c_str(), std::strerror(errno));
    return 1;
  }
  const PcapHeader ph;
  bool ok = std::fwrite(&ph, sizeof(ph), 1, f) == 1;
  const size_t record = sizeof(RecordHeader) + tmpl.length();
  std::vector<uint8_t> buf(record * 16384);
  size_t used = 0;
  for (uint64_t i = 0; i < frames && ok; i++) {
    const RecordHeader rh{static_cast<uint32_t>(i / 1000000), static_cast<uint32_t>(i % 1000000),
                          tmpl.length(), tmpl.length()};
    std::memcpy(buf.data() + used, &rh, sizeof(rh));
    tmpl.write(buf.data() + used + sizeof(rh), maglb::bench::client_flow(i % flows));
    used += record;
    if (used == buf.size() || i + 1 == frames) {
      ok = std::fwrite(buf.data(), 1, used, f) == used;
      used = 0;
    }
  }
  if (std::fclose(f) != 0 || !ok) {
    std::fprintf(stderr, "bench_pcap_gen: writing %s failed: %s\n", out.c_str(),
                 std::strerror(errno));
    return 1;
  }
  return 0;
}
