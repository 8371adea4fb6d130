// Fuzzer: the snapshot blob the DPDK dataplane accepts over its control
// socket (INSTALL_SNAPSHOT, maglb_abi.h "snapshot format"). Any blob that
// Snapshot::from_blob accepts must be safe to forward with: for every VIP
// of an accepted blob, new TCP/UDP flows (IPv4 or IPv6 per the VIP) run
// through the pipeline, then the same flows again after the table swap
// from the fixture snapshot (established entries whose backend id the new
// blob may lack), with the checks of pipeline_harness.h.
#include <arpa/inet.h>

#include <cstddef>
#include <cstring>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core_runner.h"
#include "fixture_model.h"
#include "fixtures.h"
#include "packet_builder.h"
#include "pipeline_harness.h"

using namespace maglb;
using fixtures::Ip;
using fixtures::PacketBuilder;

namespace {

std::vector<fuzz::Frame> frames_for(std::span<const core::VipEntry> vips) {
  std::vector<fuzz::Frame> out;
  const Ip c4 = fixtures::ip("198.19.7.1"), c6 = fixtures::ip("2001:db8:7::1");
  for (size_t i = 0; i < vips.size() && out.size() + 2 <= core::kMaxBurst; ++i) {
    const maglb_vip_key &k = vips[i].key;
    Ip dst{};
    dst.family = k.family == MAGLB_FAMILY_IPV6 ? 6 : 4;
    std::memcpy(dst.a, k.addr, dst.family == 6 ? 16 : 4);
    const uint16_t port = k.port ? ntohs(k.port) : 80;
    for (uint16_t sport : {uint16_t(40000 + i), uint16_t(50000 + i)}) {
      PacketBuilder b;
      b.Eth(fixtures::port_mac(), fixtures::peer_mac());
      if (dst.family == 6)
        b.Ipv6(c6, dst);
      else
        b.Ipv4(c4, dst);
      if (k.proto == 17)
        b.Udp(sport, port);
      else
        b.Tcp(sport, port);
      b.Payload(sport & 63);
      out.push_back({b.Build(), 128, 128});
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const auto fixture_snap = [] {
    std::string err;
    auto s = core::Snapshot::from_blob(fixtures::fixture_snapshot_blob(), &err);
    if (!s) __builtin_trap();
    return s;
  }();
  static const auto neigh = fixtures::fixture_neighbors();

  std::string err;
  auto snap = core::Snapshot::from_blob({data, size}, &err);
  if (!snap) {
    if (err.empty()) __builtin_trap();  // every rejection names its reason
    return 0;
  }
  const std::vector<fuzz::Frame> frames = frames_for(snap->vips());
  if (frames.empty()) return 0;
  auto ctx = fuzz::small_worker();
  uint64_t now = fixtures::kFixtureNowNs;
  fuzz::run_burst(*ctx, *fixture_snap, *neigh, frames, now);  // flows on the old table
  fuzz::run_burst(*ctx, *snap, *neigh, frames, now += 1000);  // swapped: established
  auto fresh = fuzz::small_worker();
  fuzz::run_burst(*fresh, *snap, *neigh, frames, now += 1000);  // new flows on the blob
  fuzz::run_burst(*fresh, *snap, *neigh, frames, now += 1000);  // and established
  return 0;
}
