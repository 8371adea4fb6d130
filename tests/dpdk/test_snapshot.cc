#include "test_snapshot.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace maglb::dpdk_test {

namespace {

uint8_t parse_addr(const std::string &text, uint8_t out[16]) {
  std::memset(out, 0, 16);
  if (inet_pton(AF_INET, text.c_str(), out) == 1) return MAGLB_FAMILY_IPV4;
  if (inet_pton(AF_INET6, text.c_str(), out) == 1) return MAGLB_FAMILY_IPV6;
  return 0;
}

template <class T>
void append(std::vector<uint8_t> &blob, const T &v) {
  size_t at = blob.size();
  blob.resize(at + sizeof(T));
  std::memcpy(blob.data() + at, &v, sizeof(T));
}

}  // namespace

maglb_vip_key vip_key(const std::string &addr, uint16_t port, uint8_t proto) {
  maglb_vip_key k{};
  k.family = parse_addr(addr, k.addr);
  k.port = htons(port);
  k.proto = proto;
  return k;
}

TestBackend backend(uint32_t id, const std::string &addr, uint16_t weight) {
  TestBackend b{};
  b.id = id;
  b.family = parse_addr(addr, b.addr);
  b.weight = weight;
  return b;
}

std::vector<uint32_t> weighted_table(const std::vector<TestBackend> &backends, uint32_t size) {
  std::vector<uint32_t> seq;
  for (const TestBackend &b : backends) seq.insert(seq.end(), b.weight, b.id);
  std::vector<uint32_t> table(size, 0);
  if (seq.empty()) return table;
  for (uint32_t i = 0; i < size; i++) table[i] = seq[(uint64_t{i} * 7919u) % seq.size()];
  return table;
}

std::vector<uint8_t> build_blob(uint64_t generation, const maglb_dp_params &params,
                                std::vector<TestVip> vips, std::vector<TestBackend> backends) {
  std::sort(vips.begin(), vips.end(), [](const TestVip &a, const TestVip &b) {
    return std::memcmp(&a.key, &b.key, sizeof(a.key)) < 0;
  });
  std::sort(backends.begin(), backends.end(),
            [](const TestBackend &a, const TestBackend &b) { return a.id < b.id; });
  std::map<uint32_t, uint32_t> index_of;
  for (uint32_t i = 0; i < backends.size(); i++) index_of[backends[i].id] = i;

  uint64_t total_slots = 0;
  for (const TestVip &v : vips) total_slots += v.table_size;
  maglb_snapshot_header h{};
  h.magic = MAGLB_SNAPSHOT_MAGIC;
  h.abi_version = MAGLB_ABI_VERSION;
  h.header_size = sizeof(h);
  h.generation = generation;
  h.n_vips = static_cast<uint32_t>(vips.size());
  h.n_backends = static_cast<uint32_t>(backends.size());
  h.total_slots = total_slots;
  h.total_size = sizeof(h) + sizeof(params) + vips.size() * sizeof(maglb_snapshot_vip) +
                 backends.size() * sizeof(maglb_backend) + total_slots * sizeof(maglb_slot_t);
  std::vector<uint8_t> blob;
  append(blob, h);
  append(blob, params);
  uint32_t offset = 0;
  for (uint32_t i = 0; i < vips.size(); i++) {
    maglb_snapshot_vip sv{};
    sv.key = vips[i].key;
    sv.meta.generation = generation;
    sv.meta.vip_index = i;
    sv.meta.table_size = vips[i].table_size;
    sv.meta.table_offset = offset;
    sv.meta.fwd_method = vips[i].fwd_method;
    sv.meta.hash_fields = vips[i].hash_fields;
    if (vips[i].key.port == 0) sv.meta.flags = MAGLB_VIP_F_ALL_PORTS;
    offset += vips[i].table_size;
    append(blob, sv);
  }
  for (const TestBackend &b : backends) {
    maglb_backend mb{};
    std::memcpy(mb.addr, b.addr, 16);
    mb.id = b.id;
    mb.family = b.family;
    mb.weight = b.weight;
    if (b.weight == 0) mb.flags = MAGLB_BACKEND_F_DRAINING;
    append(blob, mb);
  }
  for (const TestVip &v : vips) {
    for (uint32_t s = 0; s < v.table_size; s++) {
      uint32_t id = s < v.table_ids.size() ? v.table_ids[s] : 0;
      maglb_slot_t slot = id == 0 ? MAGLB_SLOT_EMPTY : index_of.at(id);
      append(blob, slot);
    }
  }
  return blob;
}

}  // namespace maglb::dpdk_test
