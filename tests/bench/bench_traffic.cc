#include "bench_traffic.h"

#include <arpa/inet.h>

#include <cstddef>
#include <cstring>

#include "maglb_hash.h"
#include "test_snapshot.h"

namespace maglb::bench {

namespace {

const uint8_t kDstMac[6] = {0x02, 0, 0, 0, 0x01, 0x01};
const uint8_t kSrcMac[6] = {0x02, 0, 0, 0, 0, 0x01};

void put16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t *p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
uint16_t get16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t *p) {
  return uint32_t{get16(p)} << 16 | get16(p + 2);
}

// One's-complement sum of big-endian 16-bit words, not folded.
uint32_t sum16(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += get16(p + i);
  if (n % 2) s += uint32_t{p[n - 1]} << 8;
  return s;
}

uint16_t finish(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." +
         std::to_string(a >> 8 & 0xff) + "." + std::to_string(a & 0xff);
}

}  // namespace

FlowTuple client_flow(uint64_t f) {
  return {kClientBase + static_cast<uint32_t>(f & 0xffff), static_cast<uint16_t>(1024 + (f >> 16))};
}

std::optional<uint64_t> client_flow_index(uint32_t src, uint16_t sport) {
  if ((src & 0xffff0000u) != kClientBase || sport < 1024) return std::nullopt;
  return (uint64_t{sport} - 1024) << 16 | (src & 0xffff);
}

uint32_t backend_addr(uint32_t id) {
  return kBackendBase + id;
}

std::optional<uint32_t> backend_id_of(uint32_t addr) {
  if (addr <= kBackendBase || addr > kBackendBase + kBackends + kSpareBackends) return std::nullopt;
  return addr - kBackendBase;
}

FrameTemplate::FrameTemplate(uint16_t frame_size, uint8_t tcp_flags) {
  const size_t len = frame_size - 4u;  // no FCS in memory
  bytes_.assign(len, 0);
  uint8_t *f = bytes_.data();
  std::memcpy(f, kDstMac, 6);
  std::memcpy(f + 6, kSrcMac, 6);
  put16(f + 12, 0x0800);
  uint8_t *ip = f + kIpOff;
  ip[0] = 0x45;
  put16(ip + 2, static_cast<uint16_t>(len - kIpOff));
  put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = 6;
  put32(ip + 16, kVipAddr);
  uint8_t *tcp = f + kTcpOff;
  put16(tcp + 2, kVipPort);
  put32(tcp + 4, 1000);
  put32(tcp + 8, tcp_flags & 0x10 ? 1 : 0);
  tcp[12] = 5 << 4;
  tcp[13] = tcp_flags;
  put16(tcp + 14, 65535);
  for (size_t i = kTcpOff + 20; i < len; i++) bytes_[i] = static_cast<uint8_t>(i * 7);
  ip_sum_ = sum16(ip, 20);
  const size_t tcp_len = len - kTcpOff;
  tcp_sum_ = sum16(tcp, tcp_len) + (kVipAddr >> 16) + (kVipAddr & 0xffff) + 6u +
             static_cast<uint32_t>(tcp_len);
}

void FrameTemplate::write(uint8_t *out, FlowTuple flow) const {
  std::memcpy(out, bytes_.data(), bytes_.size());
  const uint32_t src_sum = (flow.src >> 16) + (flow.src & 0xffff);
  put32(out + kIpOff + 12, flow.src);
  put16(out + kIpOff + 10, finish(ip_sum_ + src_sum));
  put16(out + kTcpOff, flow.sport);
  put16(out + kTcpOff + 16, finish(tcp_sum_ + src_sum + flow.sport));
}

std::optional<OutputFlow> parse_ipip_output(const uint8_t *f, uint32_t len) {
  constexpr unsigned kInner = kIpOff + 20, kInnerTcp = kInner + 20;
  if (len < kInnerTcp + 20 || get16(f + 12) != 0x0800 || f[kIpOff] != 0x45 || f[kIpOff + 9] != 4 ||
      f[kInner] != 0x45 || f[kInner + 9] != 6) {
    return std::nullopt;
  }
  OutputFlow o;
  o.backend_addr = get32(f + kIpOff + 16);
  o.inner.src = get32(f + kInner + 12);
  o.inner.sport = get16(f + kInnerTcp);
  o.tcp_flags = f[kInnerTcp + 13];
  return o;
}

std::vector<BenchBackend> default_backends() {
  std::vector<BenchBackend> b;
  for (uint32_t id = 1; id <= kBackends; id++) b.push_back({id, 1});
  return b;
}

BenchTable make_table(uint64_t generation, const std::vector<BenchBackend> &backends) {
  std::vector<dpdk_test::TestBackend> tb;
  for (const BenchBackend &b : backends) {
    tb.push_back(dpdk_test::backend(b.id, dotted(backend_addr(b.id)), b.weight));
  }
  dpdk_test::TestVip vip{dpdk_test::vip_key(dotted(kVipAddr), kVipPort, 6), MAGLB_FWD_IPIP,
                         MAGLB_HASH_5TUPLE, kTableSize, dpdk_test::weighted_table(tb, kTableSize)};
  maglb_dp_params p{};
  const uint32_t src = htonl(kLbAddr);
  std::memcpy(&p.encap_src_v4, &src, 4);
  p.src_v4_entropy_bits = 0;
  p.mtu = kUnderlayMtu;
  p.gue_port = htons(6080);
  p.tcp_idle_timeout_s = 300;
  p.udp_idle_timeout_s = 30;
  BenchTable t;
  t.slot_ids = vip.table_ids;
  t.blob = dpdk_test::build_blob(generation, p, {vip}, tb);
  return t;
}

void set_generation(std::vector<uint8_t> &blob, uint64_t generation) {
  maglb_snapshot_header h;
  std::memcpy(&h, blob.data(), sizeof(h));
  h.generation = generation;
  std::memcpy(blob.data(), &h, sizeof(h));
  const size_t vips = sizeof(h) + sizeof(maglb_dp_params);
  for (uint32_t i = 0; i < h.n_vips; i++) {
    const size_t at = vips + i * sizeof(maglb_snapshot_vip) + offsetof(maglb_snapshot_vip, meta) +
                      offsetof(maglb_vip_meta, generation);
    std::memcpy(blob.data() + at, &generation, sizeof(generation));
  }
}

uint32_t expected_backend(const std::vector<uint32_t> &slot_ids, FlowTuple flow) {
  maglb_flow_key k{};
  const uint32_t src = htonl(flow.src), dst = htonl(kVipAddr);
  std::memcpy(k.src, &src, 4);
  std::memcpy(k.dst, &dst, 4);
  k.sport = htons(flow.sport);
  k.dport = htons(kVipPort);
  k.proto = 6;
  k.family = MAGLB_FAMILY_IPV4;
  return slot_ids[maglb_slot_of(maglb_flow_hash(&k), static_cast<uint32_t>(slot_ids.size()))];
}

std::string interface_json() {
  return R"({"addresses": ["198.18.0.1/24"], "gateways": ["198.18.0.254"],
      "neighbors": [{"address": "198.18.0.254", "mac": "02:00:00:00:00:fe"}]})";
}

}  // namespace maglb::bench
